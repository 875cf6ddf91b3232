#!/usr/bin/env node
// Throughput of the library's rank-one trainer (N = 100, 40 steps, one trial, plain SGD) against a plain
// Float64Array loop of the same math written here. A benchmark, not a test: it prints numbers.
//   npm run bench            (last line: "ratio <library/plain>")
//   node bench/rank-one.mjs --epochs 20000 --repeats 5
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const lib = require("../dist/index.js");

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def; };
const EPOCHS = opt("--epochs", 20000), REPEATS = opt("--repeats", 5), N = 100, T = 20, S = 2 * T, LR = 0.003;

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

function timeIt(fn) {
  const t0 = process.hrtime.bigint();
  const r = fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, result: r };
}

const libRates = [], plainRates = [];
for (let rep = 0; rep < REPEATS; rep++) {
  const model = lib.models.createRankOneRnn(40);
  const m = Float64Array.from(model.params.M.data), n = Float64Array.from(model.params.P.data), b = Float64Array.from(model.params.b.data);
  const L = timeIt(() => lib.training.trainRnn(model, { learningRate: LR, epochs: EPOCHS }));
  const P = timeIt(() => plainTrain(m, n, b, EPOCHS));
  libRates.push(EPOCHS / L.seconds);
  plainRates.push(EPOCHS / P.seconds);
  // both compute the same thing: the final parameters agree closely (same algorithm, same order)
  if (rep === 0) {
    let maxDiff = 0;
    for (let i = 0; i < N; i++) maxDiff = Math.max(maxDiff, Math.abs(model.params.M.data[i] - m[i]), Math.abs(model.params.P.data[i] - n[i]));
    console.log(`check: max |library − plain| parameter difference after ${EPOCHS} epochs = ${maxDiff.toExponential(2)}`);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const fmt = (a) => a.map((r) => r.toFixed(0)).join(", ");
console.log(`rank-one trainer, N = ${N}, ${S} steps, ${EPOCHS} epochs × ${REPEATS} repeats (epochs/s)`);
console.log(`library: median ${median(libRates).toFixed(0)}  [${fmt(libRates)}]`);
console.log(`plain:   median ${median(plainRates).toFixed(0)}  [${fmt(plainRates)}]`);
console.log(`ratio ${(median(libRates) / median(plainRates)).toFixed(3)}`);
