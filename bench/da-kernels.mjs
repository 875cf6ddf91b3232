#!/usr/bin/env node
// Throughput of the DA-task epoch of the full-rank and rank-K (linear readout) networks (the trainable-rank figure's
// workloads: N = 100, T = 20, 40 steps, one trial, plain SGD), per core, through the public trainer training.trainRnn:
//   library WASM   trainRnn with the default kernels (WebAssembly SIMD pass kernels.fullRankPass / lowRankLinearPass;
//                  gradient norm and SGD update in JS)
//   library JS     trainRnn with GHOST_KERNELS=js (the Math.tanh reference kernels of training/bptt.ts)
//   NumPy          bench/numpy_da.py, the same epoch for one network, BLAS matrix-vector products, one BLAS thread
//                  (skipped if NumPy is absent)
// Unit: ms per epoch (lower is better), best of --repeats by process CPU time (interference from other processes on
// a shared machine only ever adds time) and by wall clock. A benchmark, never a test.
//   npm run bench
//   node bench/da-kernels.mjs --repeats 3 --epochs 300
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
const require = createRequire(import.meta.url);
const lib = require("../dist/index.js");
const here = path.dirname(fileURLToPath(import.meta.url));

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def; };
const REPEATS = opt("--repeats", 3), EPOCHS = opt("--epochs", 300), NP_EPOCHS = opt("--numpy-epochs", 100);
const N = 100, T = 20, LR = 0.05;
const task = lib.tasks.delayedActivationTask(T);

// [label, createRnn options, numpy_da.py arguments]
const WORKLOADS = [
  ["full rank, N = 100", { kind: "fullRank", size: N }, ["--model", "full"]],
  ["rank 2, linear readout, N = 100", { size: N, rank: 2, readout: "linear" }, ["--model", "low", "--rank", "2"]],
  ["rank 10, linear readout, N = 100", { size: N, rank: 10, readout: "linear" }, ["--model", "low", "--rank", "10"]],
  ["rank 50, linear readout, N = 100", { size: N, rank: 50, readout: "linear" }, ["--model", "low", "--rank", "50"]],
];

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
/** Best (CPU, wall) ms per epoch over REPEATS runs of trainRnn in `mode` on fresh networks. */
function measure(opts, mode) {
  let cpu = Infinity, wall = Infinity;
  for (let r = 0; r < REPEATS; r++) {
    const md = lib.models.createRnn(r, opts);
    lib.kernels.setKernelMode(mode);
    try {
      const w0 = performance.now(), c0 = cpuMs();
      lib.training.trainRnn(md, { learningRate: LR, epochs: EPOCHS, task });
      cpu = Math.min(cpu, cpuMs() - c0);
      wall = Math.min(wall, performance.now() - w0);
    } finally { lib.kernels.setKernelMode(undefined); }
  }
  return { cpu: cpu / EPOCHS, wall: wall / EPOCHS };
}

function numpy(npArgs) {
  for (const py of ["/usr/bin/python3", "python3"]) {
    try {
      const env = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
      const out = execFileSync(py, [path.join(here, "numpy_da.py"), ...npArgs, "--epochs", String(NP_EPOCHS), "--repeats", String(REPEATS), "--lr", String(LR)],
        { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      const r = JSON.parse(out.trim().split("\n").pop());
      return { cpu: r.cpuMsPerEpoch, wall: r.wallMsPerEpoch, version: r.numpy };
    } catch { /* next interpreter */ }
  }
  return null;
}

console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), load ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
console.log(`DA workloads: T = ${T} (${2 * T} steps), lr ${LR}, plain SGD; ${EPOCHS} epochs per measurement (NumPy ${NP_EPOCHS}), best of ${REPEATS}; ms per epoch (CPU time / wall)`);
console.log(`${"workload".padEnd(36)} ${"WASM".padStart(15)} ${"JS".padStart(15)} ${"NumPy".padStart(15)}   JS/WASM  NumPy/WASM`);
const fmt = (r) => (r ? `${r.cpu.toFixed(3)}/${r.wall.toFixed(3)}` : "n/a").padStart(15);
let npVersion = null;
for (const [label, opts, npArgs] of WORKLOADS) {
  const w = measure(opts, "wasm"), j = measure(opts, "js"), np = numpy(npArgs);
  if (np) npVersion = np.version;
  console.log(`${label.padEnd(36)} ${fmt(w)} ${fmt(j)} ${fmt(np)}   ${(j.cpu / w.cpu).toFixed(2).padStart(7)}× ${np ? (np.cpu / w.cpu).toFixed(2).padStart(9) + "×" : "      n/a"}`);
}
console.log(npVersion ? `NumPy ${npVersion}, one network, OPENBLAS_NUM_THREADS=1` : "NumPy: skipped (no python3 with numpy)");
