#!/usr/bin/env node
// Cost of the v2 analysis cells (issue 12 §4–5), one core, best of --repeats (CPU time of this process):
//   latent grid     analysis.latentSpeedGrid at 400² (and 2000², the authors' ghost-check grid) for N = 100, K = 2
//   minima+Newton   speedMinima + latentSlowPoints on the 400² grid
//   reduction       lowRankLatentReduction (SVD of the 100×100 W through ml-matrix)
//   slow points     analysis.findSlowPoints for S starts, N = 100 (Adam iterations as given, 1 Newton step)
// A benchmark, never a test.   npm run build && node bench/latent-analysis.mjs [--repeats 3] [--iterations 1000] [--starts 46]
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { analysis, core } = require("../dist/index.js");

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def; };
const REPEATS = opt("--repeats", 3), ITER = opt("--iterations", 1000), STARTS = opt("--starts", 46);
const N = 100, K = 2;
const rng = new core.Rng(0);
const nd = (shape, f) => { const a = core.ndFloat64(shape); for (let i = 0; i < a.data.length; i++) a.data[i] = f(); return a; };
const Sl = nd([N, K], () => rng.normal() / Math.sqrt(N)), Sr = nd([K, N], () => rng.normal()), bIn = nd([N], () => 0.1 * rng.normal());

function best(label, fn) {
  let bestMs = Infinity, out;
  for (let r = 0; r < REPEATS; r++) {
    const t0 = process.cpuUsage();
    out = fn();
    const t = process.cpuUsage(t0);
    bestMs = Math.min(bestMs, (t.user + t.system) / 1000);
  }
  console.log(`${label.padEnd(44)} ${bestMs.toFixed(1).padStart(9)} ms`);
  return out;
}

const red = best("reduction (SVD 100×100)", () => analysis.lowRankLatentReduction({ Sl, Sr, bIn }));
const grid = best("latent grid 400² (N = 100)", () => analysis.latentSpeedGrid(red, { resolution: 400 }));
best("latent grid 2000² (N = 100)", () => analysis.latentSpeedGrid(red, { resolution: 2000 }));
best("minima + Newton on the 400² grid", () => analysis.latentSlowPoints(red, analysis.speedMinima(grid)));
const Wrec = nd([N, N], () => (0.9 * rng.normal()) / Math.sqrt(N)), bFull = nd([N], () => 2 * rng.uniform() - 1);
const starts = nd([STARTS, N], () => Math.tanh(0.5 * rng.normal()));
best(`slow points: ${STARTS} starts × ${ITER} Adam it. + 1 Newton`, () => analysis.findSlowPoints({ Wrec, bIn: bFull }, starts, { iterations: ITER }));
