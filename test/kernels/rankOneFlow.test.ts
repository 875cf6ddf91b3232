/**
 * The rank-one latent flow on a grid: the WebAssembly SIMD kernel (assembly/rankOneFlow.ts,
 * kernels.WasmKernels.rankOneFlowGrid) against its JS twin models.rankOneLatentFlow, bit for bit; the Flow1D batch
 * evaluator (rule.fGrid) and analysis.flowValues against f point by point; and the new deterministic definition
 * (fastTanh, pairwise lane sums) against the previous one (Math.tanh, left-to-right sum) within a derived bound.
 */
import { FAST_TANH_ULP_BOUND, WasmKernels } from "../../src/kernels";
import {
  initRankOne, RankOneParams, rankOneDrive, rankOneLatentFlow, rankOneLatentFlowCurvature, rankOneLatentFlowOnGrid, rankOneLatentFlowSlope,
  rankOneLatentRule, rankOneLatentStep,
} from "../../src/models/rnn";
import { analyseGhost, evaluateFlow, flowValues, rankOneFlow } from "../../src/analysis";
import { GhostError } from "../../src/core/errors";
import { ndFloat64 } from "../../src/core/nd";
import { Rng } from "../../src/core/rng";
import { linspace } from "../../src/core/arrays";
import { ensureWasm } from "./ensureWasm";

const U = Math.pow(2, -53);
let wasm: WasmKernels;
beforeAll(() => { wasm = ensureWasm(); });

/** Rank-one parameters of size N: the paper's initialisation, m scaled by `mScale`, b ~ N(0, 0.3²). */
function params(N: number, seed: number, mScale = 1): RankOneParams {
  const p = initRankOne(N, new Rng(seed));
  const rng = new Rng(seed + 1000);
  for (let i = 0; i < N; i++) { p.m.data[i] *= mScale; p.b.data[i] = 0.3 * rng.normal(); }
  return p;
}

/** Grids with the edge cases: ±0, tiny and subnormal κ, large |κ| (tanh saturated, −κ dominant), a dense interval. */
function grids(): Float64Array[] {
  const special = [0, -0, 5e-324, -5e-324, 1e-300, -1e-300, 1e-8, -1e-8, 1, -1, 19.0141, -22, 44, 1e6, -1e6, 1e300, -1e300, Number.MAX_VALUE, -Number.MAX_VALUE];
  const rng = new Rng(9);
  const random = Float64Array.from({ length: 501 }, () => 40 * (rng.uniform() - 0.5));
  return [Float64Array.from(special), linspace(-15, 15, 1000), random, new Float64Array([0.5]), new Float64Array(0)];
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let bad = 0;
  for (let j = 0; j < a.length; j++) if (!Object.is(a[j], b[j])) bad++;
  return bad + Math.abs(a.length - b.length);
};

describe("WebAssembly grid kernel = JS flow, bit for bit", () => {
  test.each([1, 2, 3, 7, 100, 101])("N = %i: WasmKernels.rankOneFlowGrid = rankOneLatentFlow at every grid point (±0, large |κ|)", (N) => {
    for (const mScale of [1, 8]) {
      const p = params(N, N + 10 * mScale, mScale);
      for (const g of grids()) {
        const w = wasm.rankOneFlowGrid(p.m.data, p.n.data, p.b.data, g);
        const js = Array.from(g, (k) => rankOneLatentFlow(p, k));
        expect(same(w, js)).toBe(0);
        // the public grid function (WebAssembly here) and the rule's batch evaluator give the same bits
        expect(same(rankOneLatentFlowOnGrid(p, g), js)).toBe(0);
        const out = new Float64Array(g.length);
        rankOneLatentRule(p).fGrid!(g, out);
        expect(same(out, js)).toBe(0);
        // number[] grids are accepted too
        expect(same(wasm.rankOneFlowGrid(p.m.data, p.n.data, p.b.data, Array.from(g)), js)).toBe(0);
      }
    }
  });

  test("F summed as (Σ even + Σ odd) + odd tail with fastTanh (the trainer's order), −κ added last", () => {
    const { fastTanh } = jest.requireActual("../../src/kernels/fastMath") as typeof import("../../src/kernels/fastMath");
    for (const N of [1, 2, 5, 100]) {
      const p = params(N, 3 * N);
      const m = p.m.data, n = p.n.data, b = p.b.data;
      for (const k of [-3.7, -0, 0.2, 11]) {
        let s0 = 0, s1 = 0;
        for (let i = 0; i + 1 < N; i += 2) { s0 += n[i] * fastTanh(m[i] * k + b[i]); s1 += n[i + 1] * fastTanh(m[i + 1] * k + b[i + 1]); }
        let s = s0 + s1;
        if (N % 2 === 1) s += n[N - 1] * fastTanh(m[N - 1] * k + b[N - 1]);
        expect(Object.is(rankOneDrive(p, k), s)).toBe(true);
        expect(Object.is(rankOneLatentFlow(p, k), -k + s)).toBe(true);
        expect(Object.is(rankOneLatentStep(p, k, 0.5), (1 - 0.5) * k + 0.5 * s)).toBe(true);
      }
    }
  });

  test("memory growth between calls: a large grid after a small one (no detached views), then a small one again", () => {
    const p = params(100, 5);
    const small = linspace(-2, 2, 7), big = linspace(-15, 15, 300_000);
    expect(same(wasm.rankOneFlowGrid(p.m.data, p.n.data, p.b.data, small), Array.from(small, (k) => rankOneLatentFlow(p, k)))).toBe(0);
    const fb = wasm.rankOneFlowGrid(p.m.data, p.n.data, p.b.data, big);
    for (const j of [0, 1, 150_000, 299_999]) expect(Object.is(fb[j], rankOneLatentFlow(p, big[j]))).toBe(true);
    expect(same(wasm.rankOneFlowGrid(p.m.data, p.n.data, p.b.data, small), Array.from(small, (k) => rankOneLatentFlow(p, k)))).toBe(0);
  });

  test("lengths are validated (GhostError naming the argument)", () => {
    const p = params(4, 1);
    const err = (f: () => unknown) => { try { f(); } catch (e) { return e as GhostError; } throw new Error("no throw"); };
    expect(err(() => wasm.rankOneFlowGrid(p.m.data, p.n.data.subarray(0, 3), p.b.data, [0])).parameter).toBe("m/n/b");
    expect(err(() => wasm.rankOneFlowGrid(p.m.data, p.n.data, p.b.data, [0, 1], new Float64Array(3))).parameter).toBe("out");
    expect(err(() => wasm.rankOneFlowGrid([1] as never, p.n.data, p.b.data, [0])).parameter).toBe("m");
    expect(err(() => wasm.rankOneFlowGrid(p.m.data, p.n.data, p.b.data, null as never)).parameter).toBe("grid");
  });
});

describe("analysis uses the batch evaluator with the same bits and the same errors", () => {
  test("flowValues / evaluateFlow / analyseGhost: fGrid gives exactly what f gives point by point", () => {
    const p = params(100, 40);
    const withGrid = rankOneFlow(p);
    const pointwise = { f: withGrid.f, df: withGrid.df, d2f: withGrid.d2f };
    expect(typeof withGrid.fGrid).toBe("function");
    for (const g of [linspace(-15, 15, 1000), [-1, 0, 2]]) {
      expect(same(flowValues(withGrid, g), flowValues(pointwise, g))).toBe(0);
      expect(evaluateFlow(withGrid, g)).toEqual(evaluateFlow(pointwise, g));
    }
    const k0 = -0.3 * p.n.data.reduce((s, v) => s + v, 0);
    expect(analyseGhost(withGrid, k0)).toEqual(analyseGhost(pointwise, k0));
  });

  test("a non-finite value from fGrid is a GhostError naming κ, as for f", () => {
    const flow = { f: (k: number) => (k > 1 ? NaN : k), df: () => 1, fGrid: (g: ArrayLike<number>, out: Float64Array) => { for (let j = 0; j < g.length; j++) out[j] = g[j] > 1 ? NaN : g[j]; } };
    expect(() => flowValues(flow, [0, 1, 2, 3])).toThrow(GhostError);
    expect(() => flowValues(flow, [0, 1, 2, 3])).toThrow(/flow\.f\(2\)/);
    expect(() => flowValues({ f: flow.f, df: flow.df }, [0, 1, 2, 3])).toThrow(/flow\.f\(2\)/);
    expect(() => flowValues({ f: flow.f, df: flow.df, fGrid: 3 } as never, [0])).toThrow(/flow\.fGrid/);
    // a diverged network: parameters with Infinity give a non-finite f on the grid
    const bad: RankOneParams = { m: ndFloat64([2], Float64Array.of(1, 1)), n: ndFloat64([2], Float64Array.of(Infinity, -Infinity)), b: ndFloat64([2], Float64Array.of(0, 0)) };
    expect(() => flowValues(rankOneLatentRule(bad), [0.5, 1])).toThrow(GhostError);
  });
});

/**
 * The previous definitions (Math.tanh, left-to-right sums), as the library had them before the deterministic tanh.
 */
function oldDrive(p: RankOneParams, k: number): number {
  const m = p.m.data, n = p.n.data, b = p.b.data;
  let s = 0;
  for (let i = 0; i < m.length; i++) s += n[i] * Math.tanh(m[i] * k + b[i]);
  return s;
}
function oldSlope(p: RankOneParams, k: number): number {
  const m = p.m.data, n = p.n.data, b = p.b.data;
  let s = -1;
  for (let i = 0; i < m.length; i++) { const t = Math.tanh(m[i] * k + b[i]); s += n[i] * m[i] * (1 - t * t); }
  return s;
}
function oldCurvature(p: RankOneParams, k: number): number {
  const m = p.m.data, n = p.n.data, b = p.b.data;
  let s = 0;
  for (let i = 0; i < m.length; i++) { const t = Math.tanh(m[i] * k + b[i]); s += n[i] * m[i] * m[i] * (-2 * t * (1 - t * t)); }
  return s;
}

describe("the deterministic flow against the previous Math.tanh definition, within a derived bound", () => {
  // Both compute sums of N terms a_i·g(t_i) with t = tanh(u). Per term, the two tanh differ by ≤ 4 ulp of Math.tanh
  // (FAST_TANH_ULP_BOUND) ≤ 4·2u·|t| ≤ 8u (u = 2^−53; ulp(x) ≤ 2u|x| for normal x, plus 4·2^−1074 when subnormal).
  // Each computed sum (products included; left to right, or the two lane sums plus the tail: at most N + 1 roundings
  // on any term's path) is within γ_{N+1}·Σ|term| of its exact value, γ_k = ku/(1 − ku) [Higham, Thm 3.1], so the
  // two sums differ by ≤ 2γ_{N+1}·Σ|term| + Σ|a_i|·|Δg_i|. Then:
  //  F: g(t) = t, |Δg| ≤ 8u, |g| ≤ 1                          → |ΔF| ≤ (8u + 2γ_{N+1})·Σ|n_i|
  //  f = −κ + F: one more rounding each, ≤ u(|κ| + |F|)        → |Δf| ≤ |ΔF| + 2u(|κ| + Σ|n_i|)
  //  f′: g(t) = 1 − t·t, |Δg| ≤ 2|t|·8u + 2·2u (the rounded t·t and 1 − t·t, absolute ≤ 2u each, in both) ≤ 20u,
  //      |g| ≤ 1, a_i = n_i m_i (its rounding is inside γ), and −1 + s (left to right: −1 is the first term)
  //                                                          → |Δf′| ≤ (20u + 2γ_{N+2})·Σ|n_i m_i| + 2u
  //  f″: g(t) = −2t(1 − t·t), |dg/dt| = 2|1 − 3t²| ≤ 4 → 4·8u from tanh, plus ≤ 2·(2u·2 + 2u·0.77·2) from the
  //      roundings of 1 − t·t and of the two products in each definition ≤ 16u → |Δg| ≤ 48u, |g| ≤ 0.77
  //                                                          → |Δf″| ≤ (48u + 2γ_{N+3})·Σ|n_i m_i²|
  const gamma = (k: number) => (k * U) / (1 - k * U);
  const tiny = FAST_TANH_ULP_BOUND * Math.pow(2, -1074);

  test.each([1, 2, 7, 100, 101])("N = %i: |f_new − f_old|, |F|, f′, f″ within the bound", (N) => {
    expect(FAST_TANH_ULP_BOUND).toBe(4); // the bound below is derived for 4 ulp
    let worstRatio = 0;
    for (const mScale of [1, 5]) {
      const p = params(N, 7 * N + mScale, mScale);
      const m = p.m.data, n = p.n.data;
      let sn = 0, snm = 0, snm2 = 0;
      for (let i = 0; i < N; i++) { sn += Math.abs(n[i]); snm += Math.abs(n[i] * m[i]); snm2 += Math.abs(n[i] * m[i] * m[i]); }
      const ks = [...linspace(-15, 15, 301), 0, -0, 1e-9, 0.987, 25, -40];
      for (const k of ks) {
        const dF = (8 * U + 2 * gamma(N + 1)) * sn + tiny * sn;
        const F = rankOneDrive(p, k);
        expect(Math.abs(F - oldDrive(p, k))).toBeLessThanOrEqual(dF);
        const tolF = dF + 2 * U * (Math.abs(k) + sn);
        const df = Math.abs(rankOneLatentFlow(p, k) - (-k + oldDrive(p, k)));
        expect(df).toBeLessThanOrEqual(tolF);
        worstRatio = Math.max(worstRatio, df / tolF);
        expect(Math.abs(rankOneLatentFlowSlope(p, k) - oldSlope(p, k))).toBeLessThanOrEqual((20 * U + 2 * gamma(N + 2)) * snm + 2 * U + tiny * snm);
        expect(Math.abs(rankOneLatentFlowCurvature(p, k) - oldCurvature(p, k))).toBeLessThanOrEqual((48 * U + 2 * gamma(N + 3)) * snm2 + tiny * snm2);
      }
    }
    expect(worstRatio).toBeLessThanOrEqual(1);
  });
});
