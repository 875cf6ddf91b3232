// Sweep throughput: the same sweep on one thread and on a worker pool (cache bypassed), with a bit-identity check.
//
//   npm run build && node bench/sweep.mjs [--runner rankOneTrain|selfTest] [--runs 100] [--epochs 2000] [--workers N] [--repeat K]
//
// Default: 100 rank-one RNN trainings (N = 100, lr 0.02, c = 10, seeds 0…99) when the rankOneTrain runner exists,
// else the selfTest runner. Prints wall times and the speed-up. Other processes on the machine lower the speed-up:
// report the load (printed from os.loadavg()) with the numbers. This is a measurement, never a test.
import { createRequire } from "module";
import os from "os";

const require = createRequire(import.meta.url);
const { engine } = require("../dist/index.js");

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const names = engine.listRunners().map((r) => r.name);
const runner = opt("runner", names.includes("rankOneTrain") ? "rankOneTrain" : "selfTest");
const runs = Number(opt("runs", runner === "rankOneTrain" ? 100 : 40));
const epochs = Number(opt("epochs", 2000));
const workers = opt("workers") === undefined ? engine.defaultWorkerCount() : Number(opt("workers"));
const configs = Array.from({ length: runs }, (_, seed) =>
  runner === "rankOneTrain"
    ? { seed, N: 100, learningRate: 0.02, epochs, confidence: 10, record: [] }
    : { seed, count: 200, iterations: 5000 },
);

console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
const repeat = Number(opt("repeat", 1));
console.log(`${runner}: ${runs} runs${runner === "rankOneTrain" ? ` × ${epochs} epochs` : ""}, parallel on ${workers} workers, ${repeat} repetition(s)`);
const all = [];
for (let k = 0; k < repeat; k++) {
  const r = await engine.benchmarkSweep({ runner, configs, workers });
  all.push(r);
  console.log(
    `#${k + 1} serial ${(r.serialMs / 1000).toFixed(2)} s (${(r.serialMs / runs).toFixed(1)} ms/run, CPU ${(r.serialCpuMs / r.serialMs).toFixed(2)} cores)` +
      `  parallel ${(r.parallelMs / 1000).toFixed(2)} s (CPU ${(r.parallelCpuMs / r.parallelMs).toFixed(2)} cores)` +
      `  speed-up ${r.speedup.toFixed(2)}×  identical ${r.identical}  load ${os.loadavg()[0].toFixed(2)}`,
  );
  if (!r.identical) process.exitCode = 1;
}
if (repeat > 1) {
  // Interference from other processes only ever adds time: the minimum over repetitions is the best estimate.
  const minS = Math.min(...all.map((r) => r.serialMs));
  const minP = Math.min(...all.map((r) => r.parallelMs));
  console.log(`best of ${repeat}: serial ${(minS / 1000).toFixed(2)} s, parallel ${(minP / 1000).toFixed(2)} s, speed-up ${(minS / minP).toFixed(2)}×`);
}
