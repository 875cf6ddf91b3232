#!/usr/bin/env node
// Throughput of the v2 task-RNN epoch, WASM vs JS vs NumPy (spec B1: forward over the whole batch + BPTT + optimiser update, through the
// public trainer training.trainTask), per core, side by side in one run, at the paper's shapes (N = 100):
//   library WASM   trainTask with GHOST_KERNELS=wasm (WebAssembly SIMD pass; JS draws, optimiser and metrics)
//   library JS     trainTask with the JS kernels (the same bits: both use fastTanh and the same summation order)
//   NumPy          bench/numpy_task_rnn.py, the same epoch batched over trials, one BLAS thread (skipped if absent)
// Unit: ms per epoch (lower is better), best of --repeats by process CPU time (interference from other processes on
// a shared machine only ever adds time) and by wall clock. A benchmark, never a test.
//   npm run bench        (runs this first, then bench/rank-one.mjs; bench/task-rnn.mjs is the JS-only per-preset timer)
//   node bench/task-kernels.mjs --repeats 3 --scale 1 --only fig4-dcdt
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
const require = createRequire(import.meta.url);
const lib = require("../dist/index.js");
const here = path.dirname(fileURLToPath(import.meta.url));

const args = process.argv.slice(2);
const arg = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const REPEATS = Number(arg("--repeats", 3)), SCALE = Number(arg("--scale", 1)), ONLY = arg("--only", null);

// [preset, label, epochs per measurement (JS, WASM, NumPy)]
const WORKLOADS = [
  ["fig4-dcdt", "rank 2, DCDT, B = 1000, S = 22, SGD", [2, 10, 3]],
  ["fig4-dmts", "rank 2, DMTS, B = 2000, S = 38, Adam, σ_n = 0.01", [1, 3, 1]],
  ["fig5-dcdt", "full rank, DCDT, B = 2, S = 22, SGD, σ_n = 0.01", [100, 400, 100]],
  ["fig5-dmts", "full rank, DMTS, B = 4, S = 44, SGD, σ_n = 0.01", [50, 200, 50]],
  ["fig8c-dcdt", "full rank, DCDT, B = 20, S = 22, Adam, σ_n = 0.001", [20, 100, 20]],
].filter((w) => ONLY === null || w[0] === ONLY);

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function setup(name) {
  const preset = lib.tasks.experimentPreset(name);
  const task = lib.tasks.presetTask(name);
  const model = lib.models.createTaskRnn({ ...lib.models.taskRnnOptionsFromPreset(preset, 0) });
  const optimizer = { kind: preset.training.optimizer, learningRate: preset.training.learningRate ?? 0.01 };
  return { task, model, optimizer };
}
/** Best ms per epoch (CPU time and wall) of `epochs` epochs of trainTask in `mode`, over REPEATS fresh runs. */
function measure(name, mode, epochs) {
  let cpu = Infinity, wall = Infinity, loss = NaN;
  lib.kernels.setKernelMode(mode);
  try {
    { const s = setup(name); lib.training.trainTask(s.model, s.task, { epochs: 1, optimizer: s.optimizer, seed: 1 }); } // warm-up
    for (let r = 0; r < REPEATS; r++) {
      const s = setup(name);
      const w0 = performance.now(), c0 = cpuMs();
      const res = lib.training.trainTask(s.model, s.task, { epochs, optimizer: s.optimizer, seed: 1 });
      cpu = Math.min(cpu, (cpuMs() - c0) / epochs);
      wall = Math.min(wall, (performance.now() - w0) / epochs);
      loss = res.history.loss[epochs - 1];
    }
  } finally { lib.kernels.setKernelMode(undefined); }
  return { cpu, wall, loss };
}
function numpy(name, epochs) {
  const p = lib.tasks.experimentPreset(name), task = lib.tasks.presetTask(name);
  const [B, S] = task.inputs.shape;
  const a = ["--kind", p.model.kind === "lowRank" ? "low" : "full", "--rank", String(p.model.rank ?? 100), "--batch", String(B), "--steps", String(S),
    "--output", p.model.output, "--rho", String(p.model.rateSigma), "--sigma", String(p.model.noiseSigma), "--optimizer", p.training.optimizer,
    "--lr", String(p.training.learningRate ?? 0.01), "--epochs", String(epochs), "--repeats", String(REPEATS)];
  for (const py of ["/usr/bin/python3", "python3"]) {
    try {
      const env = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
      const out = execFileSync(py, [path.join(here, "numpy_task_rnn.py"), ...a], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      const j = JSON.parse(out.trim().split("\n").pop());
      return { cpu: j.cpuMsPerEpoch, wall: j.wallMsPerEpoch, version: j.numpy };
    } catch { /* next interpreter */ }
  }
  return null;
}

console.log(`task-RNN epoch (forward + BPTT + update through training.trainTask), N = 100; ms per epoch, best of ${REPEATS}, CPU time (wall)`);
{ // cross-check before timing: 3 epochs of fig4-dmts (draws, Adam) at a small batch give the same bits in both modes
  const run = (mode) => {
    lib.kernels.setKernelMode(mode);
    try {
      const p = lib.tasks.experimentPreset("fig4-dmts"), task = lib.tasks.presetTask("fig4-dmts", { copies: 5 });
      const m = lib.models.createTaskRnn(lib.models.taskRnnOptionsFromPreset(p, 0));
      return lib.training.trainTask(m, task, { epochs: 3, optimizer: { kind: "adam", learningRate: 1e-2 }, seed: 1 });
    } finally { lib.kernels.setKernelMode(undefined); }
  };
  const a = run("js"), b = run("wasm");
  const same = a.history.loss.every((x, i) => Object.is(x, b.history.loss[i])) && Object.keys(a.model.params).every((g) => a.model.params[g].data.every((x, i) => Object.is(x, b.model.params[g].data[i])));
  console.log(`check: JS and WASM runs bit-identical (3 epochs, losses and parameters): ${same ? "yes" : "NO"}`);
}
console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), load ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
let np0 = null;
for (const [name, label, [ej, ew, en]] of WORKLOADS) {
  const sc = (e) => Math.max(1, Math.round(e * SCALE));
  const w = measure(name, "wasm", sc(ew));
  const j = measure(name, "js", sc(ej));
  const n = numpy(name, sc(en));
  if (n && !np0) np0 = n.version;
  const f = (r) => `${r.cpu.toFixed(2).padStart(9)} (${r.wall.toFixed(2)})`;
  console.log(`${name.padEnd(11)} ${label.padEnd(50)} WASM ${f(w)}  JS ${f(j)}  NumPy ${n ? f(n) : "   skipped"}  JS/WASM ${(j.cpu / w.cpu).toFixed(1)}×` +
    (n ? `  NumPy/WASM ${(n.cpu / w.cpu).toFixed(2)}×` : ""));
}
if (np0) console.log(`NumPy ${np0} (bench/numpy_task_rnn.py, OPENBLAS_NUM_THREADS=1)`);
else console.log("NumPy: skipped (no python3 with numpy; Debian: apt-get install python3-numpy)");
