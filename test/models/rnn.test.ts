import {
  cloneRnn,
  createRankOneRnn,
  createRnn,
  createRnnFromRng,
  initFullRank,
  initLowRank,
  initRankOne,
  parameterGroups,
  rankOneDrive,
  rankOneInitialKappa,
  rankOneLatentFlow,
  rankOneLatentFlowCurvature,
  rankOneLatentFlowOnGrid,
  rankOneLatentFlowSlope,
  rankOneLatentStep,
  rankOneParams,
  RankOneParams,
  validateRnnModel,
  withConfidence,
} from "../../src/models/rnn";
import * as modelsNs from "../../src/models";
import { Rng } from "../../src/core/rng";
import { GhostError } from "../../src/core/errors";

const U = Math.pow(2, -53);

describe("initialisation (spec A5, A8, B4.2): draw order, scale, zeros", () => {
  test("rank one: m then n, each randn/√N from the given Rng; b = 0; createRankOneRnn(seed) uses Rng(seed)", () => {
    for (const seed of [0, 1, 40]) {
      const N = 100;
      const ref = new Rng(seed);
      const m = ref.normalArray(N, 1 / Math.sqrt(N));
      const n = ref.normalArray(N, 1 / Math.sqrt(N));
      const p = initRankOne(N, new Rng(seed));
      expect(Array.from(p.m)).toEqual(Array.from(m));
      expect(Array.from(p.n)).toEqual(Array.from(n));
      expect(Array.from(p.b)).toEqual(new Array(N).fill(0));
      const model = createRankOneRnn(seed);
      expect(Array.from(model.params.M)).toEqual(Array.from(m));
      expect(Array.from(model.params.P)).toEqual(Array.from(n));
      expect(model.config).toEqual({ kind: "lowRank", size: 100, rank: 1, readout: "latent", confidence: 10, leak: 0.5, initialState: -0.3, seed });
      expect(model.trainable).toEqual({ M: true, P: true, b: true });
    }
  });

  test("rank K (linear readout): M [N×K], P [K×N], then wOut [N], bOut [1], all randn/√N; b = 0", () => {
    const N = 7, K = 3, s = 1 / Math.sqrt(N);
    const ref = new Rng(9);
    const M = ref.normalArray(N * K, s), P = ref.normalArray(K * N, s), w = ref.normalArray(N, s), bo = ref.normalArray(1, s);
    const p = initLowRank(N, K, new Rng(9), "linear");
    expect(Array.from(p.M)).toEqual(Array.from(M));
    expect(Array.from(p.P)).toEqual(Array.from(P));
    expect(Array.from(p.wOut!)).toEqual(Array.from(w));
    expect(Array.from(p.bOut!)).toEqual(Array.from(bo));
    expect(Array.from(p.b)).toEqual(new Array(N).fill(0));
    const model = createRnn(9, { size: N, rank: K });
    expect(model.config.readout).toBe("linear");
    expect(parameterGroups(model.config)).toEqual(["M", "P", "b", "wOut", "bOut"]);
    expect(Array.from(model.params.M)).toEqual(Array.from(M));
    expect(Array.from(model.params.bOut)).toEqual(Array.from(bo));
  });

  test("full rank: W [N×N], then wOut, bOut, all randn/√N; b = 0", () => {
    const N = 6, s = 1 / Math.sqrt(N);
    const ref = new Rng(3);
    const W = ref.normalArray(N * N, s), w = ref.normalArray(N, s), bo = ref.normalArray(1, s);
    const p = initFullRank(N, new Rng(3));
    expect(Array.from(p.W)).toEqual(Array.from(W));
    expect(Array.from(p.wOut)).toEqual(Array.from(w));
    expect(Array.from(p.bOut)).toEqual(Array.from(bo));
    expect(Array.from(p.b)).toEqual(new Array(N).fill(0));
    const model = createRnn(3, { kind: "fullRank", size: N });
    expect(model.config.rank).toBe(N);
    expect(Array.from(model.params.W)).toEqual(Array.from(W));
  });

  test("entries have variance 1/N: sample variance of √N·m over N = 20000 within 6 standard errors (√(2/N))", () => {
    const N = 20000;
    const p = initRankOne(N, new Rng(11));
    for (const v of [p.m, p.n]) {
      let s2 = 0;
      for (let i = 0; i < N; i++) s2 += N * v[i] * v[i];
      expect(Math.abs(s2 / N - 1)).toBeLessThan(6 * Math.sqrt(2 / N));
    }
  });

  test("createRnnFromRng advances the given stream exactly like createRnn(seed)", () => {
    const rng = new Rng(5);
    const a = createRnnFromRng(rng, { size: 10, rank: 2 });
    const b = createRnn(5, { size: 10, rank: 2 });
    expect(a.config).toEqual(b.config);
    for (const g of parameterGroups(a.config)) expect(Array.from(a.params[g])).toEqual(Array.from(b.params[g]));
    // the stream moved on by exactly 10·2 + 2·10 + 10 + 1 normals
    const ref = new Rng(5);
    ref.normalArray(51);
    expect(rng.normal()).toBe(ref.normal());
  });

  test("the namespace index exposes the same functions", () => {
    expect(modelsNs.rankOneLatentFlow).toBe(rankOneLatentFlow);
    expect(modelsNs.initRankOne).toBe(initRankOne);
    expect(modelsNs.initFullRank).toBe(initFullRank);
  });
});

describe("the one rank-one vector field f(κ) = −κ + Σ n_i tanh(m_i κ + b_i)", () => {
  const small: RankOneParams = { m: Float64Array.of(1, 2), n: Float64Array.of(0.5, -1), b: Float64Array.of(0, 0.1) };

  test("closed form on a two-unit example", () => {
    const k = 0.3;
    expect(rankOneLatentFlow(small, k)).toBe(-k + (0.5 * Math.tanh(0.3) + -1 * Math.tanh(0.7)));
    expect(rankOneDrive(small, k)).toBe(0.5 * Math.tanh(0.3) + -1 * Math.tanh(0.7));
    // f'(κ) = −1 + Σ n m (1 − tanh²); f''(κ) = Σ n m² (−2 tanh (1 − tanh²))
    const t1 = Math.tanh(0.3), t2 = Math.tanh(0.7);
    expect(rankOneLatentFlowSlope(small, k)).toBeCloseTo(-1 + 0.5 * (1 - t1 * t1) - 2 * (1 - t2 * t2), 15);
    expect(rankOneLatentFlowCurvature(small, k)).toBeCloseTo(0.5 * -2 * t1 * (1 - t1 * t1) - 4 * -2 * t2 * (1 - t2 * t2), 15);
  });

  test("f′ and f″ agree with central differences within the truncation + rounding bound", () => {
    // central difference: |D_h g − g′| ≤ h²/6·max|g‴| + 2u·max|g|/h (+ rounding of g itself, included in max|g|).
    // For g = f: |f‴| ≤ Σ|n m³|·max|tanh‴| = 2Σ|n m³|; for g = f′: |f⁗| ≤ Σ|n m⁴|·max|tanh⁗| ≤ 5Σ|n m⁴|.
    for (const seed of [0, 1, 2]) {
      const N = 50;
      const p = initRankOne(N, new Rng(seed));
      const rng = new Rng(seed + 100);
      for (let i = 0; i < N; i++) {
        p.m[i] *= 3;
        p.b[i] = 0.3 * rng.normal();
      }
      let s3 = 0, s4 = 0, sAbs = 0;
      for (let i = 0; i < N; i++) {
        s3 += Math.abs(p.n[i] * p.m[i] ** 3);
        s4 += Math.abs(p.n[i] * p.m[i] ** 4);
        sAbs += Math.abs(p.n[i]) * (1 + Math.abs(p.m[i]) + p.m[i] ** 2);
      }
      const h = 1e-5;
      for (const k of [-9, -2.5, -0.4, 0, 0.7, 1, 3.3, 12]) {
        const fScale = Math.abs(k) + sAbs;
        const d1 = (rankOneLatentFlow(p, k + h) - rankOneLatentFlow(p, k - h)) / (2 * h);
        const tol1 = (h * h / 6) * 2 * s3 + (4 * N * U * fScale) / h;
        expect(Math.abs(d1 - rankOneLatentFlowSlope(p, k))).toBeLessThanOrEqual(tol1);
        const d2 = (rankOneLatentFlowSlope(p, k + h) - rankOneLatentFlowSlope(p, k - h)) / (2 * h);
        const tol2 = (h * h / 6) * 5 * s4 + (4 * N * U * (1 + sAbs)) / h;
        expect(Math.abs(d2 - rankOneLatentFlowCurvature(p, k))).toBeLessThanOrEqual(tol2);
      }
    }
  });

  test("the discrete map κ_{t+1} = (1 − α)κ_t + αF(κ_t) equals κ_t + α f(κ_t) to rounding", () => {
    const p = initRankOne(100, new Rng(4));
    for (const a of [0.5, 0.25, 1]) {
      for (const k of [-3, -0.1, 0.2, 1.5]) {
        const scale = Math.abs(k) + Math.abs(rankOneDrive(p, k));
        expect(Math.abs(rankOneLatentStep(p, k, a) - (k + a * rankOneLatentFlow(p, k)))).toBeLessThanOrEqual(8 * U * scale);
      }
    }
  });

  test("flow on a grid equals the pointwise flow; κ_0 = x0·Σn; rankOneParams are views", () => {
    const model = createRankOneRnn(2, { size: 30 });
    const p = rankOneParams(model);
    const grid = [-15, -1, 0, 0.5, 1, 15];
    const f = rankOneLatentFlowOnGrid(p, grid);
    grid.forEach((k, j) => expect(f[j]).toBe(rankOneLatentFlow(p, k)));
    expect(() => rankOneLatentFlowOnGrid(p, grid, new Float64Array(2))).toThrow(GhostError);
    let s = 0;
    for (let i = 0; i < 30; i++) s += p.n[i] * -0.3;
    expect(rankOneInitialKappa(model)).toBe(s);
    expect(p.m).toBe(model.params.M);
    expect(() => rankOneParams(createRnn(0, { size: 5, rank: 2 }))).toThrow(/rank/);
  });
});

describe("model state: clone, confidence, validation", () => {
  test("cloneRnn copies parameters (independent), withConfidence returns a copy with a new c", () => {
    const a = createRankOneRnn(1, { size: 10 });
    const b = cloneRnn(a);
    b.params.M[0] += 1;
    expect(b.params.M[0]).not.toBe(a.params.M[0]);
    const c = withConfidence(a, 0.1);
    expect(c.config.confidence).toBe(0.1);
    expect(a.config.confidence).toBe(10);
    expect(Array.from(c.params.P)).toEqual(Array.from(a.params.P));
    expect(c.params.P).not.toBe(a.params.P);
    expect(() => withConfidence(a, NaN)).toThrow(/confidence = NaN/);
    expect(() => withConfidence(a, 0)).toThrow(/confidence = 0/);
  });

  test.each([
    [() => createRnn(0, { size: 0 }), /size = 0/],
    [() => createRnn(0, { size: -4 }), /size = -4/],
    [() => createRnn(0, { size: 2.5 }), /size = 2.5/],
    [() => createRnn(0, { size: 10, rank: 1.5 }), /rank = 1.5/],
    [() => createRnn(0, { size: 10, rank: 0 }), /rank = 0/],
    [() => createRnn(0, { size: 10, rank: 11 }), /rank = 11/],
    [() => createRnn(0, { confidence: NaN }), /confidence = NaN/],
    [() => createRnn(0, { confidence: -1 }), /confidence = -1/],
    [() => createRnn(0, { leak: 0 }), /leak = 0/],
    [() => createRnn(0, { leak: 1.5 }), /leak = 1.5/],
    [() => createRnn(0, { initialState: Infinity }), /initialState = Infinity/],
    [() => createRnn(0, { kind: "dense" as never }), /kind/],
    [() => createRnn(0, { size: 10, rank: 2, readout: "latent" }), /readout/],
    [() => createRnn(-3), /seed = -3/],
    [() => createRnn(0.5), /seed = 0.5/],
    [() => createRnn(0, { trainable: { Q: true } as never }), /trainable.Q/],
    [() => createRnn(0, { trainable: { M: "yes" } as never }), /trainable.M/],
    [() => createRnn(0, { kind: "fullRank", size: 5000 }), /size = 5000/],
    [() => createRnnFromRng({} as never), /rng/],
    [() => initRankOne(0, new Rng(0)), /size = 0/],
    [() => initLowRank(5, 6, new Rng(0)), /rank = 6/],
    [() => initLowRank(5, 2, new Rng(0), "latent"), /readout/],
    [() => initFullRank(3, null as never), /rng/],
  ])("bad input %# is rejected with a GhostError naming it", (fn, re) => {
    expect(fn).toThrow(GhostError);
    expect(fn).toThrow(re);
  });

  test("validateRnnModel rejects wrong lengths, non-finite entries and missing flags", () => {
    const m = createRankOneRnn(0, { size: 5 });
    expect(validateRnnModel(m)).toBe(m);
    const short = cloneRnn(m);
    short.params.P = new Float64Array(4);
    expect(() => validateRnnModel(short)).toThrow(/model.params.P/);
    const nan = cloneRnn(m);
    nan.params.b[2] = NaN;
    expect(() => validateRnnModel(nan)).toThrow(/model.params.b\[2\] = NaN/);
    const noFlag = cloneRnn(m);
    delete (noFlag.trainable as Record<string, boolean>).M;
    expect(() => validateRnnModel(noFlag)).toThrow(/model.trainable.M/);
    expect(() => validateRnnModel(null)).toThrow(/model = null/);
  });
});
