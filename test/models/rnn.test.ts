import {
  cloneRnn,
  createRankOneRnn,
  createRnn,
  createRnnFromRng,
  initFullRank,
  initLowRank,
  initRankOne,
  copyParams,
  fullRankParams,
  lowRankParams,
  paramGroup,
  parameterGroups,
  parameterShapes,
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
import { fastTanh } from "../../src/kernels/fastMath";
import { GhostError } from "../../src/core/errors";
import { copyNd, isContiguous, ndFloat64, ndFrom } from "../../src/core/nd";
import ndarray from "ndarray";

const U = Math.pow(2, -53);

describe("initialisation (spec A5, A8, B4.2): draw order, scale, zeros", () => {
  test("rank one: m then n, each randn/√N from the given Rng; b = 0; createRankOneRnn(seed) uses Rng(seed)", () => {
    for (const seed of [0, 1, 40]) {
      const N = 100;
      const ref = new Rng(seed);
      const m = ref.normalArray(N, 1 / Math.sqrt(N));
      const n = ref.normalArray(N, 1 / Math.sqrt(N));
      const p = initRankOne(N, new Rng(seed));
      expect(Array.from(p.m.data)).toEqual(Array.from(m));
      expect(Array.from(p.n.data)).toEqual(Array.from(n));
      expect(Array.from(p.b.data)).toEqual(new Array(N).fill(0));
      const model = createRankOneRnn(seed);
      expect(Array.from(model.params.M.data)).toEqual(Array.from(m));
      expect(Array.from(model.params.P.data)).toEqual(Array.from(n));
      expect(model.config).toEqual({ kind: "lowRank", size: 100, rank: 1, readout: "latent", confidence: 10, leak: 0.5, initialState: -0.3, seed });
      expect(model.trainable).toEqual({ M: true, P: true, b: true });
    }
  });

  test("rank K (linear readout): M [N×K], P [K×N], then wOut [N], bOut [1], all randn/√N; b = 0", () => {
    const N = 7, K = 3, s = 1 / Math.sqrt(N);
    const ref = new Rng(9);
    const M = ref.normalArray(N * K, s), P = ref.normalArray(K * N, s), w = ref.normalArray(N, s), bo = ref.normalArray(1, s);
    const p = initLowRank(N, K, new Rng(9), "linear");
    expect(Array.from(p.M.data)).toEqual(Array.from(M));
    expect(Array.from(p.P.data)).toEqual(Array.from(P));
    expect(Array.from(p.wOut!.data)).toEqual(Array.from(w));
    expect(Array.from(p.bOut!.data)).toEqual(Array.from(bo));
    expect(Array.from(p.b.data)).toEqual(new Array(N).fill(0));
    expect([p.M.shape, p.P.shape, p.b.shape, p.wOut!.shape, p.bOut!.shape]).toEqual([[N, K], [K, N], [N], [N], [1]]);
    expect(p.M.get(2, 1)).toBe(M[2 * K + 1]); // row-major: M[i, q] = data[i·K + q]
    expect(p.P.get(1, 4)).toBe(P[1 * N + 4]);
    const model = createRnn(9, { size: N, rank: K });
    expect(model.config.readout).toBe("linear");
    expect(parameterGroups(model.config)).toEqual(["M", "P", "b", "wOut", "bOut"]);
    expect(Array.from(model.params.M.data)).toEqual(Array.from(M));
    expect(Array.from(model.params.bOut!.data)).toEqual(Array.from(bo));
  });

  test("full rank: W [N×N], then wOut, bOut, all randn/√N; b = 0", () => {
    const N = 6, s = 1 / Math.sqrt(N);
    const ref = new Rng(3);
    const W = ref.normalArray(N * N, s), w = ref.normalArray(N, s), bo = ref.normalArray(1, s);
    const p = initFullRank(N, new Rng(3));
    expect(Array.from(p.W.data)).toEqual(Array.from(W));
    expect(Array.from(p.wOut.data)).toEqual(Array.from(w));
    expect(Array.from(p.bOut.data)).toEqual(Array.from(bo));
    expect(Array.from(p.b.data)).toEqual(new Array(N).fill(0));
    expect(p.W.get(2, 5)).toBe(W[2 * N + 5]); // u_j = Σ_i x_i W[i, j]: W[i, j] = data[i·N + j]
    const model = createRnn(3, { kind: "fullRank", size: N });
    expect(model.config.rank).toBe(N);
    expect(Array.from(model.params.W.data)).toEqual(Array.from(W));
  });

  test("entries have variance 1/N: sample variance of √N·m over N = 20000 within 6 standard errors (√(2/N))", () => {
    const N = 20000;
    const p = initRankOne(N, new Rng(11));
    for (const v of [p.m.data, p.n.data]) {
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
    for (const g of parameterGroups(a.config)) expect(Array.from(paramGroup(a.params, g).data)).toEqual(Array.from(paramGroup(b.params, g).data));
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
  const small: RankOneParams = { m: ndFrom([1, 2]), n: ndFrom([0.5, -1]), b: ndFrom([0, 0.1]) };

  test("closed form on a two-unit example (the library's deterministic tanh, kernels.fastTanh)", () => {
    const k = 0.3;
    // N = 2: one even and one odd term, s0 + s1 in that order
    expect(rankOneLatentFlow(small, k)).toBe(-k + (0.5 * fastTanh(0.3) + -1 * fastTanh(0.7)));
    expect(rankOneDrive(small, k)).toBe(0.5 * fastTanh(0.3) + -1 * fastTanh(0.7));
    // f'(κ) = −1 + Σ n m (1 − tanh²); f''(κ) = Σ n m² (−2 tanh (1 − tanh²)), the sum added to −1 last
    const t1 = fastTanh(0.3), t2 = fastTanh(0.7);
    expect(rankOneLatentFlowSlope(small, k)).toBe(-1 + (0.5 * 1 * (1 - t1 * t1) + -1 * 2 * (1 - t2 * t2)));
    expect(rankOneLatentFlowCurvature(small, k)).toBe(0.5 * 1 * 1 * (-2 * t1 * (1 - t1 * t1)) + -1 * 2 * 2 * (-2 * t2 * (1 - t2 * t2)));
    // and within 4 ulp per tanh of the Math.tanh closed form (test/kernels/rankOneFlow.test.ts derives the bound)
    expect(Math.abs(rankOneDrive(small, k) - (0.5 * Math.tanh(0.3) + -1 * Math.tanh(0.7)))).toBeLessThanOrEqual(1.5 * 8 * U + 4 * U);
  });

  test("f′ and f″ agree with central differences within the truncation + rounding bound", () => {
    // central difference: |D_h g − g′| ≤ h²/6·max|g‴| + 2u·max|g|/h (+ rounding of g itself, included in max|g|).
    // For g = f: |f‴| ≤ Σ|n m³|·max|tanh‴| = 2Σ|n m³|; for g = f′: |f⁗| ≤ Σ|n m⁴|·max|tanh⁗| ≤ 5Σ|n m⁴|.
    for (const seed of [0, 1, 2]) {
      const N = 50;
      const p = initRankOne(N, new Rng(seed));
      const rng = new Rng(seed + 100);
      const m = p.m.data, n = p.n.data;
      for (let i = 0; i < N; i++) {
        m[i] *= 3;
        p.b.data[i] = 0.3 * rng.normal();
      }
      let s3 = 0, s4 = 0, sAbs = 0;
      for (let i = 0; i < N; i++) {
        s3 += Math.abs(n[i] * m[i] ** 3);
        s4 += Math.abs(n[i] * m[i] ** 4);
        sAbs += Math.abs(n[i]) * (1 + Math.abs(m[i]) + m[i] ** 2);
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
    for (let i = 0; i < 30; i++) s += p.n.data[i] * -0.3;
    expect(rankOneInitialKappa(model)).toBe(s);
    // m [N] and n [N] are views sharing the storage of M [N, 1] and P [1, N]
    expect(p.m.shape).toEqual([30]);
    expect(p.m.data).toBe(model.params.M.data);
    expect(p.n.data).toBe(model.params.P.data);
    expect(p.b).toBe(model.params.b);
    expect(() => rankOneLatentFlowOnGrid({ ...p, n: ndFrom([1, 2]) }, grid)).toThrow(/p.n = ndarray\(Float64Array, shape \[2\]\) is not allowed: expected a float64 ndarray of shape \[30\]/);
    expect(() => rankOneParams(createRnn(0, { size: 5, rank: 2 }))).toThrow(/rank/);
  });
});

describe("model state: clone, confidence, validation", () => {
  test("cloneRnn copies parameters (independent), withConfidence returns a copy with a new c", () => {
    const a = createRankOneRnn(1, { size: 10 });
    const b = cloneRnn(a);
    b.params.M.data[0] += 1;
    expect(b.params.M.data[0]).not.toBe(a.params.M.data[0]);
    const c = withConfidence(a, 0.1);
    expect(c.config.confidence).toBe(0.1);
    expect(a.config.confidence).toBe(10);
    expect(Array.from(c.params.P.data)).toEqual(Array.from(a.params.P.data));
    expect(c.params.P.data).not.toBe(a.params.P.data);
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
    short.params.P = ndFloat64([1, 4]);
    expect(() => validateRnnModel(short)).toThrow(/model.params.P = ndarray\(Float64Array, shape \[1, 4\]\) is not allowed: expected a float64 ndarray of shape \[1, 5\]/);
    const nan = cloneRnn(m);
    nan.params.b.data[2] = NaN;
    expect(() => validateRnnModel(nan)).toThrow(/model.params.b\[2\] = NaN/);
    const noFlag = cloneRnn(m);
    delete (noFlag.trainable as Record<string, boolean>).M;
    expect(() => validateRnnModel(noFlag)).toThrow(/model.trainable.M/);
    expect(() => validateRnnModel(null)).toThrow(/model = null/);
  });
});

describe("the ndarray data model: parameters are named float64 ndarrays, checked at the edges, copied by one function", () => {
  test("every parameter group is a contiguous float64 ndarray of its documented shape", () => {
    const N = 7, K = 3;
    const cases: [ReturnType<typeof createRnn>, Record<string, number[]>][] = [
      [createRankOneRnn(0, { size: N }), { M: [N, 1], P: [1, N], b: [N] }],
      [createRnn(0, { size: N, rank: K }), { M: [N, K], P: [K, N], b: [N], wOut: [N], bOut: [1] }],
      [createRnn(0, { kind: "fullRank", size: N }), { W: [N, N], b: [N], wOut: [N], bOut: [1] }],
    ];
    for (const [model, shapes] of cases) {
      expect(parameterShapes(model.config)).toEqual(shapes);
      expect(Object.keys(model.params)).toEqual(Object.keys(shapes));
      for (const [g, shape] of Object.entries(shapes)) {
        const a = paramGroup(model.params, g);
        expect(a.data).toBeInstanceOf(Float64Array);
        expect(a.dtype).toBe("float64");
        expect(a.shape).toEqual(shape);
        expect(isContiguous(a)).toBe(true);
      }
    }
    expect(lowRankParams(cases[1][0]).M.shape).toEqual([N, K]);
    expect(fullRankParams(cases[2][0]).W.shape).toEqual([N, N]);
    expect(() => fullRankParams(cases[0][0])).toThrow(/model.config.kind = "lowRank"/);
    expect(() => lowRankParams(cases[2][0])).toThrow(/model.config.kind = "fullRank"/);
    expect(() => paramGroup(cases[0][0].params, "W")).toThrow(/params.W = undefined/);
  });

  test("a wrong shape, a plain Float64Array or a strided view is refused with a message naming the expected shape", () => {
    const m = createRankOneRnn(0, { size: 100 });
    const wrong = cloneRnn(m);
    wrong.params.M = ndFloat64([1, 100]); // transposed
    expect(() => validateRnnModel(wrong)).toThrow(GhostError);
    expect(() => validateRnnModel(wrong)).toThrow(
      "model.params.M = ndarray(Float64Array, shape [1, 100]) is not allowed: expected a float64 ndarray of shape [100, 1] (got shape [1, 100])",
    );
    const flat = cloneRnn(m);
    (flat.params as unknown as Record<string, unknown>).M = new Float64Array(100); // the pre-ndarray representation
    expect(() => validateRnnModel(flat)).toThrow("model.params.M = Float64Array(length 100) is not allowed: expected a float64 ndarray of shape [100, 1]");
    const f32 = cloneRnn(m);
    (f32.params as unknown as Record<string, unknown>).b = ndarray(new Float32Array(100), [100]);
    expect(() => validateRnnModel(f32)).toThrow(/model.params.b = ndarray\(Float32Array, shape \[100\]\) is not allowed: expected a float64 ndarray of shape \[100\]/);
    // a strided view (every other element of a 200-vector) has the right shape but is not contiguous
    const strided = cloneRnn(m);
    strided.params.b = ndarray(new Float64Array(200), [100], [2], 0);
    expect(() => validateRnnModel(strided)).toThrow(/model.params.b = .* expected a float64 ndarray of shape \[100\], contiguous/);
    const full = createRnn(0, { kind: "fullRank", size: 4 });
    full.params.W = ndFloat64([4, 5]);
    expect(() => validateRnnModel(full)).toThrow(/model.params.W = .* expected a float64 ndarray of shape \[4, 4\]/);
    const nan = cloneRnn(m);
    nan.params.M.data[7] = Infinity;
    expect(() => validateRnnModel(nan)).toThrow(/model.params.M\[7, 0\] = Infinity/);
  });

  test("copyParams is a deep, independent copy of every group (values, shapes and key order kept)", () => {
    for (const model of [createRnn(2, { size: 6, rank: 2 }), createRnn(2, { kind: "fullRank", size: 5 })]) {
      const copy = copyParams(model.params);
      expect(Object.keys(copy)).toEqual(Object.keys(model.params));
      for (const g of Object.keys(model.params)) {
        const a = paramGroup(model.params, g), c = paramGroup(copy, g);
        expect(c).not.toBe(a);
        expect(c.data).not.toBe(a.data);
        expect(c.data.buffer).not.toBe(a.data.buffer);
        expect(c.shape).toEqual(a.shape);
        expect(Array.from(c.data)).toEqual(Array.from(a.data));
        const before = a.data[0];
        c.data[0] = 12345; // writing the copy leaves the original alone, and vice versa
        expect(a.data[0]).toBe(before);
        a.data[0] = -777;
        expect(c.data[0]).toBe(12345);
      }
    }
    // cloneRnn copies through copyParams: the clone's groups share no storage with the original
    const a = createRankOneRnn(3, { size: 4 });
    const b = cloneRnn(a);
    for (const g of ["M", "P", "b"]) expect(paramGroup(b.params, g).data).not.toBe(paramGroup(a.params, g).data);
    expect(() => copyParams(null as never)).toThrow(/params = null/);
  });

  test("copyNd gathers a strided view into a contiguous copy", () => {
    const base = ndFrom([0, 1, 2, 3, 4, 5], [2, 3]);
    const t = copyNd(base.transpose(1, 0)); // [3, 2]: the transpose
    expect(t.shape).toEqual([3, 2]);
    expect(isContiguous(t)).toBe(true);
    expect(Array.from(t.data)).toEqual([0, 3, 1, 4, 2, 5]);
  });
});
