// Cost of one rank-one flow snapshot + its analysis (N = 100, the spec's 1000-point κ grid).
//
//   npm run build && node bench/analysis-snapshot.mjs [--reps 200] [--N 100]
//
// Times, per call (median of 5 batches of --reps calls, after warm-up): the flow curve alone (1000 × N tanh),
// the fixed-point search, the ghost analysis (2001-point search grid on [κ₀, 1], and 201 points), and the
// combined analyseRankOneSnapshot (curve + fixed points + ghost). Networks: the spec's initialisation
// (seeds 0…9, cycled) and "trained-like" parameters with a ghost (b ≠ 0). A measurement, never a test.
import { createRequire } from "module";
import os from "os";

const require = createRequire(import.meta.url);
const { analysis, models, core } = require("../dist/index.js");

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : fallback;
};
const reps = opt("reps", 200);
const N = opt("N", 100);

console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);

const initModels = Array.from({ length: 10 }, (_, seed) => models.createRankOneRnn(seed, { size: N }));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function time(label, fn) {
  for (let i = 0; i < 20; i++) fn(i);
  const batches = [];
  for (let k = 0; k < 5; k++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn(i);
    batches.push(Number(process.hrtime.bigint() - t0) / 1e6 / reps);
  }
  console.log(`${label.padEnd(58)} ${median(batches).toFixed(3)} ms/call`);
}

const flows = initModels.map((m) => analysis.rankOneModelFlow(m));
const k0s = initModels.map((m) => models.rankOneInitialKappa(m));
console.log(`-- spec initialisation, N = ${N} (seeds 0…9 cycled)`);
time("rankOneModelFlow (copy params, build Flow1D)", (i) => analysis.rankOneModelFlow(initModels[i % 10]));
time("evaluateFlow, 1000-point grid", (i) => analysis.evaluateFlow(flows[i % 10]));
time("findFixedPoints, 1000-point grid", (i) => analysis.findFixedPoints(flows[i % 10]));
time("analyseGhost on [κ₀, 1], 2001-point search grid", (i) => analysis.analyseGhost(flows[i % 10], k0s[i % 10]));
time("analyseGhost on [κ₀, 1], 201-point search grid", (i) => analysis.analyseGhost(flows[i % 10], k0s[i % 10], { gridPoints: 201 }));
time("analyseRankOneSnapshot (curve + fixed points + ghost)", (i) => analysis.analyseRankOneSnapshot(initModels[i % 10]));

// Trained-like network with a ghost between κ₀ and 1, built by hand: half the units saturated (b = 8,
// constant drive D ≈ 2.08), half shaping a local minimum of f at κ ≈ 0.2 with height ≈ 0.05
// (N = 1 algebra: f′ = 0 at m κ + b = −acosh(√(n m)), n = 2, m = 3); κ₀ = −0.3 Σ n ≈ −1.2. Small noise.
const rng = new core.Rng(1);
const ghostModels = Array.from({ length: 10 }, (_, seed) => {
  const model = models.createRankOneRnn(seed, { size: N });
  const rp = models.rankOneParams(model);
  const p = { m: rp.m.data, n: rp.n.data, b: rp.b.data }; // views of the model's storage
  const half = Math.floor(N / 2);
  const uStar = -Math.acosh(Math.sqrt(6));
  const drive = 0.05 + 0.2 - 2 * Math.tanh(uStar);
  for (let i = 0; i < N; i++) {
    if (i < half) {
      p.m[i] = 0.1 * rng.normal();
      p.b[i] = 8;
      p.n[i] = drive / half;
    } else {
      p.m[i] = 3 + 0.01 * rng.normal();
      p.b[i] = uStar - 0.6 + 0.01 * rng.normal();
      p.n[i] = 2 / (N - half);
    }
  }
  return model;
});
const classes = ghostModels.map((m) => analysis.analyseRankOneGhost(m).classification);
console.log(`-- hand-built networks with a ghost on [κ₀, 1], N = ${N} (classifications: ${[...new Set(classes)].join(", ")})`);
time("analyseGhost on [κ₀, 1], 2001-point search grid", (i) => analysis.analyseRankOneGhost(ghostModels[i % 10]));
time("analyseRankOneSnapshot (curve + fixed points + ghost)", (i) => analysis.analyseRankOneSnapshot(ghostModels[i % 10]));
const g = analysis.analyseRankOneGhost(ghostModels[0]);
console.log(
  `   example: κ₀ = ${g.kappaStart.toFixed(3)}, κ_g = ${g.kappaGhost.toFixed(4)}, h = ${g.height.toExponential(3)}, ` +
    `f'' = ${g.curvature.toFixed(3)}, passage ≈ ${g.canonical?.passageTime.toFixed(2)} τ ≈ ${g.canonical?.passageSteps.toFixed(1)} steps, ` +
    `refinement iterations ${g.iterations}`,
);
