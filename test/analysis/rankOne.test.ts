import {
  RankOneParams,
  createRankOneRnn,
  rankOneInitialKappa,
  rankOneLatentFlow,
  rankOneLatentFlowCurvature,
  rankOneLatentFlowSlope,
  rankOneLatentStep,
  rankOneParams,
} from "../../src/models/rnn";
import { defaultKappaGrid } from "../../src/analysis/flow";
import { findFixedPoints } from "../../src/analysis/fixedPoints";
import { analyseRankOneGhost, analyseRankOneSnapshot, rankOneFlow, rankOneModelFlow } from "../../src/analysis/rankOne";
import { Rng } from "../../src/core/rng";
import { evaluateRnn } from "../../src/training/bptt";
import { delayedActivationTask } from "../../src/tasks/delayedActivation";
import { GhostError } from "../../src/core/errors";
import { ndFloat64, ndFrom } from "../../src/core/nd";

/** A float64 ndarray [N] holding `xs` (copied) / wrapping a Float64Array (not copied). */
const f64 = (xs: number[]) => ndFrom(xs);
const nd = (a: Float64Array) => ndFloat64([a.length], a);

describe("rankOneFlow wraps the model's one vector field", () => {
  test("f, f′, f″ equal the model's functions (to 1e-12) on the spec grid, for trained-like parameters", () => {
    const rng = new Rng(7);
    const p: RankOneParams = { m: nd(rng.normalArray(100, 0.3)), n: nd(rng.normalArray(100, 0.3)), b: nd(rng.normalArray(100, 0.5)) };
    const flow = rankOneFlow(p);
    for (const k of defaultKappaGrid()) {
      expect(Math.abs(flow.f(k) - rankOneLatentFlow(p, k))).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(flow.df(k) - rankOneLatentFlowSlope(p, k))).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(flow.d2f!(k) - rankOneLatentFlowCurvature(p, k))).toBeLessThanOrEqual(1e-12);
    }
  });

  test("the flow is the continuous form of the model's κ map: κ + α f(κ) = rankOneLatentStep", () => {
    const model = createRankOneRnn(3);
    const flow = rankOneModelFlow(model);
    const p = rankOneParams(model);
    for (const k of [-4, -0.3, 0.2, 1, 6]) {
      expect(Math.abs(k + 0.5 * flow.f(k) - rankOneLatentStep(p, k, 0.5))).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(k)));
    }
  });

  test("the trainer's forward pass follows the same flow: its κ_t obey κ_{t+1} = κ_t + α f(κ_t) to 1e-12", () => {
    for (const seed of [0, 3]) {
      const model = createRankOneRnn(seed);
      const rng = new Rng(100 + seed);
      model.params.b.data.set(rng.normalArray(100, 0.3)); // b ≠ 0 so that κ = 0 is not a fixed point
      const flow = rankOneModelFlow(model);
      const run = evaluateRnn(model, delayedActivationTask(20));
      expect(run.kappa.shape).toEqual([41, 1]); // κ_0 … κ_40
      const kappa = run.kappa.data;
      expect(kappa[0]).toBeCloseTo(rankOneInitialKappa(model), 14);
      for (let t = 0; t < 40; t++) {
        expect(Math.abs(kappa[t + 1] - (kappa[t] + 0.5 * flow.f(kappa[t])))).toBeLessThanOrEqual(1e-12);
      }
    }
  });

  test("derivatives agree with central differences (δ = 1e-5: error ≲ δ²·|f‴|/6 + ε|f|/δ)", () => {
    const rng = new Rng(11);
    const p: RankOneParams = { m: nd(rng.normalArray(100, 0.3)), n: nd(rng.normalArray(100, 0.3)), b: nd(rng.normalArray(100, 0.5)) };
    const flow = rankOneFlow(p);
    const d = 1e-5;
    for (const k of [-3, -0.7, 0, 0.4, 2.5]) {
      expect(Math.abs((flow.f(k + d) - flow.f(k - d)) / (2 * d) - flow.df(k))).toBeLessThanOrEqual(1e-8);
      expect(Math.abs((flow.df(k + d) - flow.df(k - d)) / (2 * d) - flow.d2f!(k))).toBeLessThanOrEqual(1e-8);
    }
  });

  test("the wrapper copies the parameters: later in-place training does not change a snapshot", () => {
    const model = createRankOneRnn(0);
    const flow = rankOneModelFlow(model);
    const before = flow.f(0.5);
    model.params.P.data[0] += 1;
    expect(flow.f(0.5)).toBe(before);
  });

  test("validation", () => {
    expect(() => rankOneFlow({ m: f64([1, 2]), n: f64([1]), b: f64([0, 0]) })).toThrow(/params.n = .* expected a float64 ndarray of shape \[2\]/);
    expect(() => rankOneFlow({ m: f64([1]), n: f64([NaN]), b: f64([0]) })).toThrow(/params.n\[0\] = NaN/);
    expect(() => rankOneFlow({ m: [1] as never, n: f64([1]), b: f64([0]) })).toThrow(GhostError);
    expect(() => rankOneFlow({ m: Float64Array.of(1) as never, n: f64([1]), b: f64([0]) })).toThrow(/params.m = Float64Array\(length 1\) is not allowed: expected a float64 ndarray of shape \[N\]/);
    expect(() => rankOneModelFlow(null as never)).toThrow(GhostError);
  });
});

describe("rank-one networks with analytically placed fixed points", () => {
  test("N = 1, n·m < 1: one stable fixed point exactly where placed", () => {
    // f(κ) = −κ + n tanh(mκ + b), m = 0.5, b = 0.2, n = κ*/tanh(m κ* + b) puts the root at κ* = 0.7;
    // f′ ≤ −1 + n m < 0 everywhere, so it is the only one.
    const [m, b, kStar] = [0.5, 0.2, 0.7];
    const n = kStar / Math.tanh(m * kStar + b);
    const flow = rankOneFlow({ m: f64([m]), n: f64([n]), b: f64([b]) });
    const r = findFixedPoints(flow, { leak: 0.5 });
    expect(r.signFlipCount).toBe(1);
    expect(r.fixedPoints.length).toBe(1);
    const p = r.fixedPoints[0];
    expect(Math.abs(p.kappa - kStar)).toBeLessThanOrEqual(1e-12);
    const sech2 = 1 - Math.tanh(m * kStar + b) ** 2;
    expect(p.slope).toBeCloseTo(-1 + n * m * sech2, 12);
    expect(p.stability).toBe("stable");
  });

  test("N = 1, m = 2, n = 1, b = 0: roots −κs (stable), 0 (unstable), κs (stable) with κs = tanh(2κs)", () => {
    const flow = rankOneFlow({ m: f64([2]), n: f64([1]), b: f64([0]) });
    const r = findFixedPoints(flow);
    expect(r.signFlipCount).toBe(3);
    expect(r.fixedPoints.map((p) => p.stability)).toEqual(["stable", "unstable", "stable"]);
    const [lo, mid, hi] = r.fixedPoints.map((p) => p.kappa);
    expect(mid).toBe(0); // f(0) = 0 exactly and the symmetric grid's cell midpoint is 0
    expect(Math.abs(hi - Math.tanh(2 * hi))).toBeLessThanOrEqual(1e-15);
    expect(hi).toBeCloseTo(0.957504, 6);
    expect(lo).toBeCloseTo(-hi, 14);
    expect(r.fixedPoints[1].slope).toBeCloseTo(1, 14); // −1 + n m
  });

  test("invariance: the model's discrete κ map started at every reported stable point stays within 1e-10", () => {
    const rng = new Rng(5);
    const N = 100;
    for (let trial = 0; trial < 5; trial++) {
      const m = rng.normalArray(N, 1); // O(1) gains: tanh saturates for |κ| ≳ 1, stable points inside the grid
      let mm = 0;
      for (let i = 0; i < N; i++) mm += m[i] * m[i];
      const gain = 1.5 + trial; // Σ n_i m_i = gain > 1: bistable around 0
      const n = m.map((x) => (gain * x) / mm);
      const b = rng.normalArray(N, 0.05);
      const p: RankOneParams = { m: nd(m), n: nd(n), b: nd(b) };
      const r = findFixedPoints(rankOneFlow(p), { leak: 0.5 });
      const stable = r.fixedPoints.filter((q) => q.stability === "stable");
      expect(stable.length).toBeGreaterThanOrEqual(2);
      for (const q of stable) {
        expect(Math.abs(q.mapMultiplier!)).toBeLessThan(1); // |1 + α f′| < 1: stable for the map too
        let k = q.kappa;
        for (let t = 0; t < 1000; t++) {
          k = rankOneLatentStep(p, k, 0.5);
          expect(Math.abs(k - q.kappa)).toBeLessThanOrEqual(1e-10);
        }
      }
    }
  });
});

describe("rank-one snapshot options", () => {
  test("the model's leak is used for map multipliers unless overridden", () => {
    const model = createRankOneRnn(2, { leak: 0.25 });
    const s = analyseRankOneSnapshot(model);
    const p = s.fixedPoints.fixedPoints[0];
    expect(p.mapMultiplier).toBeCloseTo(1 + 0.25 * p.slope, 15);
    expect(s.ghost.fixedPoints.every((q) => Math.abs(q.mapMultiplier! - (1 + 0.25 * q.slope)) < 1e-15)).toBe(true);
    const o = analyseRankOneSnapshot(model, { fixedPoints: { leak: 1 }, ghost: { leak: undefined } });
    expect(o.fixedPoints.fixedPoints[0].mapMultiplier).toBeCloseTo(1 + p.slope, 15);
    expect(analyseRankOneGhost(model, { leak: undefined })).toEqual(s.ghost);
  });
});

describe("rank-one networks at initialisation (spec A5, C)", () => {
  test("seeds 0..9, N = 100: exactly one fixed point (stable, at κ = 0 since b = 0), trajectory trapped below 1", () => {
    for (let seed = 0; seed < 10; seed++) {
      const model = createRankOneRnn(seed);
      const s = analyseRankOneSnapshot(model);
      expect(s.fixedPoints.signFlipCount).toBe(1);
      expect(s.fixedPoints.fixedPoints.length).toBe(1);
      const p = s.fixedPoints.fixedPoints[0];
      expect(p.stability).toBe("stable");
      expect(Math.abs(p.kappa)).toBeLessThanOrEqual(1e-12);
      expect(p.mapMultiplier).toBeCloseTo(1 + 0.5 * p.slope, 15);
      expect(s.ghost.kappaStart).toBe(rankOneInitialKappa(model));
      expect(s.ghost.classification).toBe("bifurcated");
      expect(s.ghost.height).toBeLessThan(0);
      expect(analyseRankOneGhost(model)).toEqual(s.ghost);
    }
  });
});
