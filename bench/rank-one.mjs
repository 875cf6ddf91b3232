#!/usr/bin/env node
// Throughput of the rank-one workload (Fig 4's: N = 100, 40 steps, one DA trial, c = 10, lr 0.02, plain SGD), per
// core, side by side in one run:
//   library WASM    trainRnn with the default kernels (the public trainer; fused WebAssembly SIMD stretches of epochs)
//   WASM fused      kernels.wasmKernels().rankOneTrain (the whole SGD loop in WebAssembly; the kernel's ceiling)
//   library JS      trainRnn with GHOST_KERNELS=js (the JS reference kernels, Math.tanh)
//   plain loop      the same math written here on Float64Arrays (Math.tanh)
//   NumPy batched   bench/numpy_rank_one.py over 100 networks at once, one BLAS thread (skipped if NumPy is absent)
// Unit: network-epochs/s. Each is measured by process CPU time (per core: other processes on a shared machine slow
// the wall clock, not our CPU time) and by wall clock; the best of --repeats is kept (interference only ever adds
// time). A benchmark, never a test.
//   npm run bench                                   (last line: "ratio <library WASM / NumPy>", CPU-time rates)
//   node bench/rank-one.mjs --networks 20 --epochs 500 --repeats 3 --numpy-epochs 100
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
const NETS = opt("--networks", 20), EPOCHS = opt("--epochs", 500), REPEATS = opt("--repeats", 3), NP_EPOCHS = opt("--numpy-epochs", 100);
const N = 100, T = 20, S = 2 * T, LR = 0.02;

/** The plain reference: forward + BPTT + SGD of the rank-one DA model, written directly on Float64Arrays. */
function plainTrain(m, n, b, epochs) {
  const a = 0.5, c = 10, keep = 1 - a;
  const x = new Float64Array((S + 1) * N), phi = new Float64Array(S * N), kap = new Float64Array(S + 1);
  const o = new Float64Array(S), dz = new Float64Array(S), gx = new Float64Array(N);
  const gm = new Float64Array(N), gn = new Float64Array(N), gb = new Float64Array(N);
  let last = 0;
  for (let e = 0; e < epochs; e++) {
    let k0 = 0;
    for (let i = 0; i < N; i++) { x[i] = -0.3; k0 += n[i] * -0.3; }
    kap[0] = k0;
    for (let t = 0; t < S; t++) {
      const k = kap[t], xo = t * N, xn = xo + N;
      let kn = 0;
      for (let i = 0; i < N; i++) {
        const p = Math.tanh(m[i] * k + b[i]);
        phi[xo + i] = p;
        const v = keep * x[xo + i] + a * p;
        x[xn + i] = v;
        kn += n[i] * v;
      }
      kap[t + 1] = kn;
      const z = c * (kn - 1);
      o[t] = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }
    let loss = 0;
    for (let t = 0; t < S; t++) {
      const y = t < T ? 0 : 1, err = o[t] - y;
      loss += err * err;
      dz[t] = (2 / T) * err * o[t] * (1 - o[t]) * c;
    }
    last = loss / T;
    gm.fill(0); gn.fill(0); gb.fill(0); gx.fill(0);
    for (let t = S - 1; t >= 0; t--) {
      const d = dz[t], xo = t * N, xn = xo + N, k = kap[t];
      let dk = 0;
      for (let i = 0; i < N; i++) {
        const g = gx[i] + d * n[i];
        gn[i] += d * x[xn + i];
        const p = phi[xo + i];
        const du = a * g * (1 - p * p);
        gb[i] += du; gm[i] += du * k; dk += m[i] * du;
        gx[i] = keep * g;
      }
      for (let i = 0; i < N; i++) { gn[i] += dk * x[xo + i]; gx[i] += dk * n[i]; }
    }
    for (let i = 0; i < N; i++) { m[i] -= LR * gm[i]; n[i] -= LR * gn[i]; b[i] -= LR * gb[i]; }
  }
  return last;
}

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
/** Runs fn() REPEATS times; returns the best network-epochs/s by CPU time and by wall clock. */
function measure(fn) {
  let cpu = Infinity, wall = Infinity;
  for (let r = 0; r < REPEATS; r++) {
    const w0 = performance.now(), c0 = cpuMs();
    fn(r);
    cpu = Math.min(cpu, cpuMs() - c0);
    wall = Math.min(wall, performance.now() - w0);
  }
  const work = NETS * EPOCHS;
  return { cpuRate: (work / cpu) * 1000, wallRate: (work / wall) * 1000 };
}

const task = lib.tasks.delayedActivationTask(T);
const fresh = (r, i) => lib.models.createRankOneRnn(1000 * r + i);
const trainAll = (mode) => (r) => {
  lib.kernels.setKernelMode(mode);
  try { for (let i = 0; i < NETS; i++) lib.training.trainRnn(fresh(r, i), { learningRate: LR, epochs: EPOCHS, task }); } finally { lib.kernels.setKernelMode(undefined); }
};
const fused = (r) => {
  const w = lib.kernels.wasmKernels();
  for (let i = 0; i < NETS; i++) {
    const md = fresh(r, i), c = md.config, p = md.params;
    w.rankOneTrain(p.M.data, p.P.data, p.b.data, c.leak, c.confidence, c.initialState, task.targets, task.lossScale, LR, EPOCHS);
  }
};
const plain = (r) => {
  for (let i = 0; i < NETS; i++) { const p = fresh(r, i).params; plainTrain(p.M.data, p.P.data, p.b.data, EPOCHS); }
};

console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), load ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
console.log(`rank-one workload: N = ${N}, ${S} steps, c = 10, lr ${LR}; ${NETS} networks × ${EPOCHS} epochs per measurement, best of ${REPEATS}`);
// cross-check before timing: WASM and JS trainers follow the same trajectory (different tanh rounding only). On a
// learning model (c = 1, jittered): at the paper's initialisation the loss plateau hides rounding differences.
{
  const learning = () => {
    const md = lib.models.createRnn(3, { size: N, rank: 1, readout: "latent", confidence: 1 }), rng = new lib.core.Rng(8);
    for (const g of ["M", "P", "b"]) { const p = md.params[g].data; for (let i = 0; i < p.length; i++) p[i] += 0.3 * rng.normal(); }
    return md;
  };
  const a = learning(), b = learning();
  lib.kernels.setKernelMode("wasm"); const hw = lib.training.trainRnn(a, { learningRate: LR, epochs: 200, task }); lib.kernels.setKernelMode(undefined);
  lib.kernels.setKernelMode("js"); const hj = lib.training.trainRnn(b, { learningRate: LR, epochs: 200, task }); lib.kernels.setKernelMode(undefined);
  let d = 0; for (let i = 0; i < N; i++) d = Math.max(d, Math.abs(a.params.P.data[i] - b.params.P.data[i]));
  console.log(`check (learning model, 200 epochs): max |n_wasm − n_js| = ${d.toExponential(2)}; loss ${hj.loss[0].toFixed(6)} → ${hw.loss[199].toPrecision(15)} (wasm) vs ${hj.loss[199].toPrecision(15)} (js)`);
}
const rows = [
  ["library WASM (trainRnn, the default kernels)", measure(trainAll("wasm"))],
  ["WASM fused SGD loop (kernels.rankOneTrain)", measure(fused)],
  ["library JS (trainRnn, GHOST_KERNELS=js)", measure(trainAll("js"))],
  ["plain loop (Float64Array, Math.tanh)", measure(plain)],
];

// NumPy, batched over 100 networks, one BLAS thread: Debian's /usr/bin/python3 first, then python3 on PATH
let numpy = null, numpyNote = "";
for (const py of ["/usr/bin/python3", "python3"]) {
  try {
    const env = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
    const out = execFileSync(py, [path.join(here, "numpy_rank_one.py"), "--networks", "100", "--epochs", String(NP_EPOCHS), "--repeats", String(REPEATS)], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    numpy = JSON.parse(out.trim().split("\n").pop());
    numpyNote = `${py}, NumPy ${numpy.numpy}, 100 networks × ${NP_EPOCHS} epochs, OPENBLAS_NUM_THREADS=1`;
    break;
  } catch { /* next interpreter */ }
}
if (numpy) rows.push([`NumPy batched (${numpyNote})`, { cpuRate: numpy.cpuRate, wallRate: numpy.wallRate }]);
else console.log("NumPy: skipped (no python3 with numpy; Debian: apt-get install python3-numpy)");

console.log(`${"".padEnd(96)} ${"CPU-time".padStart(10)} ${"wall".padStart(10)}   (network-epochs/s, best of ${REPEATS})`);
for (const [name, r] of rows) console.log(`${name.padEnd(96)} ${r.cpuRate.toFixed(0).padStart(10)} ${r.wallRate.toFixed(0).padStart(10)}`);
const libWasm = rows[0][1];
console.log(`library WASM / library JS: ${(libWasm.cpuRate / rows[2][1].cpuRate).toFixed(2)}× (CPU time)`);
if (numpy) console.log(`ratio ${(libWasm.cpuRate / numpy.cpuRate).toFixed(3)}`);
else console.log("ratio n/a (NumPy absent)");
