/**
 * The low-rank RNN on the delayed-activation task (spec A5, B4.2): initialisation from an explicit {@link Rng}
 * and the ONE latent vector field of the rank-one model.
 *
 * Rank K:   κ_t = P x_t (K latent coordinates),  x_{t+1} = (1 − α) x_t + α tanh(M κ_t + b),
 *   M [N×K] ("m"), P [K×N] ("n"), b [N]; readout "latent" (rank one only) o_{t+1} = σ(c(κ_{t+1} − 1)) or
 *   "linear" (spec B4.2) o_{t+1} = σ(w_out·x_{t+1} + b_out).
 * Rank one: because x enters only through κ = n·x, the network IS the 1-D map
 *   κ_{t+1} = (1 − α) κ_t + α F(κ_t),   F(κ) = Σ_i n_i tanh(m_i κ + b_i),
 * whose continuous flow is f(κ) = dκ/dt = −κ + F(κ) (time in units of τ). The trainer's forward pass
 * (training/bptt.ts), the flow plots and the fixed-point finder (analysis/) all use the functions below;
 * a test holds the trainer's κ_t equal to {@link rankOneLatentStep} iterated, to 1e-12.
 */
import { GhostError, requireInteger, requireOneOf } from "../core/errors";
import { F64Array, ndFloat64, requireNd } from "../core/nd";
import { Rng } from "../core/rng";
import type { LowRankParams, RnnModel } from "./types";
import type { Flow1D } from "./flow";
import { fastTanh } from "../kernels/fastMath";
import { optionalWasmKernels } from "../kernels";

/**
 * The rank-one parameters in the paper's names: m = M[:, 0], n = P[0, :], b; three float64 ndarrays of shape [N]
 * (contiguous; for a model, views sharing the storage of its M, P and b).
 */
export interface RankOneParams {
  m: F64Array;
  n: F64Array;
  b: F64Array;
}

function requireRng(rng: unknown): Rng {
  if (!(rng instanceof Rng)) throw new GhostError("rng", rng, "an Rng (core.Rng) instance");
  return rng;
}

/**
 * Spec initialisation of a rank-K model, drawn from `rng` in this order: M (N·K normals, row-major [N×K]) then
 * P (K·N normals, row-major [K×N]), each N(0, 1/N) (`randn/√N`; the paper draws m before n); b = 0; for the
 * linear readout then wOut (N normals) and bOut (1 normal), both N(0, 1/N).
 *
 * @param size N, integer in [1, 100000]. @param rank K, integer in [1, N]. @param readout "latent" needs K = 1.
 */
export function initLowRank(size: number, rank: number, rng: Rng, readout: "latent" | "linear" = rank === 1 ? "latent" : "linear"): LowRankParams {
  const N = requireInteger("size", size, 1, 100000);
  const K = requireInteger("rank", rank, 1, N);
  requireOneOf("readout", readout, ["latent", "linear"] as const);
  if (readout === "latent" && K !== 1) throw new GhostError("readout", readout, `"linear" when rank = ${K} > 1 (the latent readout σ(c(κ − 1)) needs rank 1)`);
  requireRng(rng);
  const std = 1 / Math.sqrt(N);
  const M = ndFloat64([N, K], rng.normalArray(N * K, std));
  const P = ndFloat64([K, N], rng.normalArray(K * N, std));
  const b = ndFloat64([N]);
  if (readout === "latent") return { M, P, b };
  const wOut = ndFloat64([N], rng.normalArray(N, std));
  const bOut = ndFloat64([1], rng.normalArray(1, std));
  return { M, P, b, wOut, bOut };
}

/**
 * The paper's rank-one initialisation (spec A5): m then n ~ N(0, 1/N) i.i.d. from `rng`, b = 0.
 * Same draws as `initLowRank(size, 1, rng, "latent")`, returned in the paper's names.
 * @param size N, integer in [1, 100000].
 */
export function initRankOne(size: number, rng: Rng): RankOneParams {
  const p = initLowRank(size, 1, rng, "latent");
  const N = p.b.shape[0];
  return { m: ndFloat64([N], p.M.data), n: ndFloat64([N], p.P.data), b: p.b };
}

/**
 * The rank-one parameters of a rank-one low-rank model: m [N] and n [N] are views of its M [N, 1] and P [1, N]
 * (same storage), b its b; not copies (use models.copyParams for a copy).
 */
export function rankOneParams(model: RnnModel): RankOneParams {
  if (model === null || typeof model !== "object" || !model.config) throw new GhostError("model", model, "an RnnModel");
  if (model.config.kind !== "lowRank" || model.config.rank !== 1) {
    throw new GhostError("model.config.rank", model.config.rank, "1 (a rank-one low-rank model)");
  }
  const p = model.params as LowRankParams;
  if (p === null || typeof p !== "object") throw new GhostError("model.params", p, "an object of parameter ndarrays { M, P, b }");
  const b = requireNd("model.params.b", p.b, ["N"]);
  const N = b.shape[0];
  const M = requireNd("model.params.M", p.M, [N, 1]), P = requireNd("model.params.P", p.P, [1, N]);
  return { m: ndFloat64([N], M.data), n: ndFloat64([N], P.data), b };
}

/**
 * F(κ) = Σ_i n_i tanh(m_i κ + b_i): the recurrent drive in the latent variable, with the library's deterministic
 * tanh (kernels.fastTanh: ≤ 4 ulp from Math.tanh, the same bits on every platform) and summed in the rank-one
 * trainer's order: two partial sums, Σ over even i and Σ over odd i (each in increasing i), added at the end, then
 * the last term when N is odd — exactly as the trainer's kernels (kernels/rankOneTwin.ts, assembly/rankOne.ts)
 * sum κ = n·x, and as the WebAssembly grid kernel (kernels.WasmKernels.rankOneFlowGrid) sums F, bit for bit. So the
 * κ map and the flow plots agree to rounding (≤ 1e-12 at N = 100). Arrays m, n, b of one length N (not checked here:
 * this is called in hot loops; analysis.rankOneFlow validates). Reads the `.data` of contiguous m, n, b.
 */
export function rankOneDrive(p: RankOneParams, kappa: number): number {
  const m = p.m.data, n = p.n.data, b = p.b.data;
  const N = m.length, N2 = N & ~1;
  let s0 = 0, s1 = 0;
  for (let i = 0; i < N2; i += 2) {
    s0 += n[i] * fastTanh(m[i] * kappa + b[i]);
    s1 += n[i + 1] * fastTanh(m[i + 1] * kappa + b[i + 1]);
  }
  let s = s0 + s1;
  if (N2 < N) s += n[N2] * fastTanh(m[N2] * kappa + b[N2]);
  return s;
}

/**
 * The latent flow f(κ) = dκ/dt = −κ + Σ_i n_i tanh(m_i κ + b_i) (time in units of τ); κ any real number; F as
 * {@link rankOneDrive} (deterministic tanh, fixed summation order). Not validated (hot path: fixed-point searches
 * call it thousands of times); analysis.rankOneFlow validates. On a whole grid use {@link rankOneLatentFlowOnGrid}
 * (the same bits, in WebAssembly SIMD where available).
 */
export function rankOneLatentFlow(p: RankOneParams, kappa: number): number {
  return -kappa + rankOneDrive(p, kappa);
}

/**
 * f′(κ) = −1 + Σ_i n_i m_i (1 − tanh²(m_i κ + b_i)), tanh = kernels.fastTanh, the sum in {@link rankOneDrive}'s
 * order ((Σ_{i even} + Σ_{i odd}) + odd tail) and then added to −1. Not validated (hot path; analysis.rankOneFlow
 * validates).
 */
export function rankOneLatentFlowSlope(p: RankOneParams, kappa: number): number {
  const m = p.m.data, n = p.n.data, b = p.b.data;
  const N = m.length, N2 = N & ~1;
  let s0 = 0, s1 = 0;
  for (let i = 0; i < N2; i += 2) {
    const t0 = fastTanh(m[i] * kappa + b[i]), t1 = fastTanh(m[i + 1] * kappa + b[i + 1]);
    s0 += n[i] * m[i] * (1 - t0 * t0);
    s1 += n[i + 1] * m[i + 1] * (1 - t1 * t1);
  }
  let s = s0 + s1;
  if (N2 < N) {
    const t = fastTanh(m[N2] * kappa + b[N2]);
    s += n[N2] * m[N2] * (1 - t * t);
  }
  return -1 + s;
}

/**
 * f″(κ) = Σ_i n_i m_i² · (−2 tanh(u_i)(1 − tanh²(u_i))), u_i = m_i κ + b_i, tanh = kernels.fastTanh, summed in
 * {@link rankOneDrive}'s order. Not validated (hot path; analysis.rankOneFlow validates).
 */
export function rankOneLatentFlowCurvature(p: RankOneParams, kappa: number): number {
  const m = p.m.data, n = p.n.data, b = p.b.data;
  const N = m.length, N2 = N & ~1;
  let s0 = 0, s1 = 0;
  for (let i = 0; i < N2; i += 2) {
    const t0 = fastTanh(m[i] * kappa + b[i]), t1 = fastTanh(m[i + 1] * kappa + b[i + 1]);
    s0 += n[i] * m[i] * m[i] * (-2 * t0 * (1 - t0 * t0));
    s1 += n[i + 1] * m[i + 1] * m[i + 1] * (-2 * t1 * (1 - t1 * t1));
  }
  let s = s0 + s1;
  if (N2 < N) {
    const t = fastTanh(m[N2] * kappa + b[N2]);
    s += n[N2] * m[N2] * m[N2] * (-2 * t * (1 - t * t));
  }
  return s;
}

/**
 * The rank-one model's rule as one flow object: f = {@link rankOneLatentFlow}, df = {@link rankOneLatentFlowSlope},
 * d2f = {@link rankOneLatentFlowCurvature}, and the batch evaluator fGrid = {@link rankOneLatentFlowOnGrid} (f on a
 * whole grid, the same bits as f point by point, in WebAssembly SIMD where available), evaluated on `p` itself (no
 * copy: training moves the flow; take a copy with analysis.rankOneFlow for a snapshot). The trainer's forward pass
 * computes the same F(κ) in its fused kernel. Not validated (analysis.rankOneFlow validates).
 */
export function rankOneLatentRule(p: RankOneParams): Flow1D {
  return {
    f: (kappa: number) => rankOneLatentFlow(p, kappa),
    df: (kappa: number) => rankOneLatentFlowSlope(p, kappa),
    d2f: (kappa: number) => rankOneLatentFlowCurvature(p, kappa),
    fGrid: (grid: ArrayLike<number>, out: Float64Array) => { flowOnGrid(p, grid, out); },
  };
}

/**
 * One step of the exact 1-D latent map of the discretised network: κ_{t+1} = (1 − α) κ_t + α F(κ_t)
 * (= κ_t + α f(κ_t) up to rounding). @param leak α = dt/τ in (0, 1] (not checked: hot path).
 */
export function rankOneLatentStep(p: RankOneParams, kappa: number, leak: number): number {
  return (1 - leak) * kappa + leak * rankOneDrive(p, kappa);
}

/** κ_0 = n·x_0 = x0 · Σ_i n_i for the model's constant initial state x_0 = initialState·1 (paper: −0.3). */
export function rankOneInitialKappa(model: RnnModel): number {
  const n = rankOneParams(model).n.data;
  const x0 = model.config.initialState;
  let s = 0;
  for (let i = 0; i < n.length; i++) s += n[i] * x0;
  return s;
}

/** f on a grid into `out` (length checked by the callers): WebAssembly SIMD when available, else the JS loop. */
function flowOnGrid(p: RankOneParams, grid: ArrayLike<number>, out: Float64Array): Float64Array {
  const k = optionalWasmKernels();
  if (k !== null && grid.length > 0 && p.m.data.length > 0) return k.rankOneFlowGrid(p.m.data, p.n.data, p.b.data, grid, out);
  for (let j = 0; j < grid.length; j++) out[j] = rankOneLatentFlow(p, grid[j]);
  return out;
}

/**
 * f(κ) on a grid, written into `out` (allocated if absent): out[j] = rankOneLatentFlow(p, grid[j]), bit for bit.
 * Where WebAssembly SIMD exists (every current Node and browser) the WebAssembly kernel
 * kernels.WasmKernels.rankOneFlowGrid computes it (same operations and summation order as the JS
 * {@link rankOneLatentFlow}, so the same bits; several times faster); elsewhere the JS loop. The choice does not
 * depend on the kernel mode (GHOST_KERNELS): both give the same result.
 * @param p m, n, b float64 ndarrays of one shape [N]. @param grid κ values, shape [G]. @param out optional
 * Float64Array of length G.
 */
export function rankOneLatentFlowOnGrid(p: RankOneParams, grid: ArrayLike<number>, out?: Float64Array): Float64Array {
  if (p === null || typeof p !== "object") throw new GhostError("p", p, "rank-one parameters { m, n, b }");
  const N = requireNd("p.m", p.m, ["N"]).shape[0];
  requireNd("p.n", p.n, [N]);
  requireNd("p.b", p.b, [N]);
  if (!Array.isArray(grid) && !(ArrayBuffer.isView(grid) && !(grid instanceof DataView))) throw new GhostError("grid", grid, "an array of κ values");
  if (out !== undefined && !(out instanceof Float64Array)) throw new GhostError("out", out, `a Float64Array of length ${grid.length} or undefined`);
  const res = out ?? new Float64Array(grid.length);
  if (res.length !== grid.length) throw new GhostError("out", res, `a Float64Array of length ${grid.length} (the grid's length)`);
  return flowOnGrid(p, grid, res);
}
