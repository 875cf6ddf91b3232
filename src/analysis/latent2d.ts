/**
 * The 2-D latent flow of a rank-K task RNN and its ghost analysis (spec B2, B7; v2 Fig 4).
 *
 * Network (B1, delay period, no input): r_{t+1} = (1 − α) r_t + α tanh(r_t·S_l·S_r + b_in), r a row vector, so
 * the recurrent drive is W r with W = (S_l S_r)ᵀ [N, N]. Reduction: the SVD W = U Σ Vᵀ gives
 *
 *     M = U[:, :2]·diag(Σ[:2])   [N, 2],     P = Vᵀ[:2, :]   [2, N],     κ = P r   (latent coordinates)
 *
 * and the input-free latent flow (continuous time, units of τ)
 *
 *     F(κ) = −κ + P·tanh(M κ + b_in)
 *     J(κ) = −I + P·diag(1 − tanh²(M κ + b_in))·M
 *     ∂²F_i/∂κ_a∂κ_b = Σ_k P_ik·(−2 tanh z_k (1 − tanh² z_k))·M_ka·M_kb,   z = M κ + b_in.
 *
 * For K = 2 the reduction is exact (W = M P); for K > 2 it keeps the two leading singular directions.
 * The singular vectors' signs follow linalg.ts (largest-magnitude entry of each row of P positive), so a map
 * may be the mirror image of the authors' (NumPy's signs are arbitrary too).
 *
 * GRID CONVENTION (B7: the authors' scripts differ): the grid is exactly linspace(range[0], range[1], n) on
 * each axis — the range is NOT widened. The authors' flow-map script plot_runs.py uses
 * linspace(lo − 0.2, hi + 0.2, 2000) (pass range [−5.2, 5.2] to reproduce it), their ghost check
 * plot_check_ghost.py linspace(lo, hi, 2000) (pass [−5, 5]). Fields are stored heatmap-ready: a field is an
 * ndarray [n2, n1] whose entry [j, i] belongs to κ₁ = kappa1[i] (x, columns) and κ₂ = kappa2[j] (y, rows) —
 * Plotly's heatmap z and matplotlib's imshow(origin="lower") layout.
 *
 * Decision region (B2): Z(κ) = W_out·(S_lᵀ Pᵀ κ) + b_out, the pre-nonlinearity readout of the back-projected
 * state Pᵀκ, linear in κ.
 */
import { GhostError, requireFinite, requireInteger, requireOptions } from "../core/errors";
import { F64Array, copyNd, ndFloat64, requireNd } from "../core/nd";
import { svd } from "./linalg";
import { PlanarNewtonOptions, PlanarSlowPoint, PlanarSystem, refinePlanarSlowPoint } from "./planar";

/** The 2-D reduction of a network's recurrent matrix (plain data). */
export interface LatentReduction {
  /** M = U[:, :2]·diag(Σ[:2]), [N, 2]. */
  M: F64Array;
  /** P = Vᵀ[:2, :], [2, N] (κ = P r). */
  P: F64Array;
  /** b_in, [N] (a copy). */
  bIn: F64Array;
  /** All singular values of W, descending, [N]. */
  singularValues: F64Array;
  /** Latent readout W_out·S_lᵀ·Pᵀ, [D_out, 2], when W_out and S_l were given; else null. */
  readout: F64Array | null;
  /** b_out, [D_out], when given; else null. */
  readoutBias: F64Array | null;
}

/** The rank-K network parameters the reduction reads (shapes as in the models layer). */
export interface LowRankLatentParams {
  /** S_l [N, K]. */
  Sl: F64Array;
  /** S_r [K, N]. */
  Sr: F64Array;
  /** b_in [N]. */
  bIn: F64Array;
  /** W_out [D_out, K] (optional: needed for the decision region). */
  Wout?: F64Array;
  /** b_out [D_out] (optional, with Wout). */
  bOut?: F64Array;
}

/**
 * Reduction of a general drive matrix W [N, N] (drive = W r, column convention) to 2 latent dimensions by SVD.
 * @param W finite [N, N], N ≥ 2. @param bIn finite [N].
 */
export function latentReductionFromMatrix(W: F64Array, bIn: F64Array): LatentReduction {
  const w = requireNd("W", W, ["N", "N"], { finite: true });
  const N = w.shape[0];
  if (N < 2 || w.shape[1] !== N) throw new GhostError("W", W, "a square matrix [N, N] with N ≥ 2");
  const b = requireNd("bIn", bIn, [N], { finite: true });
  const { U, singularValues, Vt } = svd(w);
  const M = ndFloat64([N, 2]), P = ndFloat64([2, N]);
  for (let i = 0; i < N; i++) {
    M.data[i * 2] = U.data[i * N] * singularValues.data[0];
    M.data[i * 2 + 1] = U.data[i * N + 1] * singularValues.data[1];
    P.data[i] = Vt.data[i];
    P.data[N + i] = Vt.data[N + i];
  }
  return { M, P, bIn: copyNd(b), singularValues, readout: null, readoutBias: null };
}

/**
 * Reduction of a rank-K network (spec B2): W = (S_l S_r)ᵀ, then {@link latentReductionFromMatrix}; with W_out
 * (and b_out) also the latent readout W_out·S_lᵀ·Pᵀ for the decision region.
 * @param params { Sl [N, K], Sr [K, N], bIn [N], Wout? [D_out, K], bOut? [D_out] }, all finite, N ≥ 2, K ≥ 1.
 */
export function lowRankLatentReduction(params: LowRankLatentParams): LatentReduction {
  if (params === null || typeof params !== "object") throw new GhostError("params", params, "an object { Sl, Sr, bIn, Wout?, bOut? }");
  const p = requireOptions<LowRankLatentParams>("params", params, ["Sl", "Sr", "bIn", "Wout", "bOut"]);
  const Sl = requireNd("params.Sl", p.Sl, ["N", "K"], { finite: true });
  const [N, K] = Sl.shape;
  if (N < 2 || K < 1) throw new GhostError("params.Sl", p.Sl, "an [N, K] array with N ≥ 2, K ≥ 1");
  const Sr = requireNd("params.Sr", p.Sr, [K, N], { finite: true });
  requireNd("params.bIn", p.bIn, [N], { finite: true });
  // W[i, j] = (S_l S_r)[j, i] = Σ_k S_l[j, k] S_r[k, i].
  const W = ndFloat64([N, N]);
  const sl = Sl.data, sr = Sr.data, w = W.data;
  for (let j = 0; j < N; j++) {
    for (let k = 0; k < K; k++) {
      const a = sl[j * K + k];
      for (let i = 0; i < N; i++) w[i * N + j] += a * sr[k * N + i];
    }
  }
  const red = latentReductionFromMatrix(W, p.bIn as F64Array);
  if (p.Wout !== undefined) {
    const Wout = requireNd("params.Wout", p.Wout, ["Dout", K], { finite: true });
    const D = Wout.shape[0];
    if (D < 1) throw new GhostError("params.Wout", p.Wout, "a [D_out, K] array with D_out ≥ 1");
    const bOut = p.bOut === undefined ? ndFloat64([D]) : copyNd(requireNd("params.bOut", p.bOut, [D], { finite: true }));
    // SlP[k, a] = Σ_j S_l[j, k] P[a, j]; readout[d, a] = Σ_k W_out[d, k] SlP[k, a].
    const SlP = new Float64Array(K * 2);
    for (let k = 0; k < K; k++) {
      for (let a = 0; a < 2; a++) {
        let s = 0;
        for (let j = 0; j < N; j++) s += sl[j * K + k] * red.P.data[a * N + j];
        SlP[k * 2 + a] = s;
      }
    }
    const R = ndFloat64([D, 2]);
    for (let d = 0; d < D; d++) for (let a = 0; a < 2; a++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += Wout.data[d * K + k] * SlP[k * 2 + a];
      R.data[d * 2 + a] = s;
    }
    red.readout = R;
    red.readoutBias = bOut;
  } else if (p.bOut !== undefined) {
    throw new GhostError("params.bOut", p.bOut, "undefined unless params.Wout is given");
  }
  return red;
}

/** Throws unless `value` is a {@link LatentReduction} (consistent shapes, finite). Returns it. */
export function requireLatentReduction(name: string, value: unknown): LatentReduction {
  if (value === null || typeof value !== "object") throw new GhostError(name, value, "a LatentReduction from analysis.lowRankLatentReduction");
  const r = value as Partial<LatentReduction>;
  const M = requireNd(`${name}.M`, r.M, ["N", 2], { finite: true });
  const N = M.shape[0];
  if (N < 1) throw new GhostError(`${name}.M`, r.M, "an [N, 2] array with N ≥ 1");
  requireNd(`${name}.P`, r.P, [2, N], { finite: true });
  requireNd(`${name}.bIn`, r.bIn, [N], { finite: true });
  if (r.readout !== null && r.readout !== undefined) {
    const R = requireNd(`${name}.readout`, r.readout, ["Dout", 2], { finite: true });
    requireNd(`${name}.readoutBias`, r.readoutBias, [R.shape[0]], { finite: true });
  }
  return value as LatentReduction;
}

function requireKappa(name: string, kappa: unknown): [number, number] {
  const k = kappa as ArrayLike<unknown>;
  if (k === null || typeof k !== "object" || k.length !== 2) throw new GhostError(name, kappa, "[κ₁, κ₂], two finite numbers");
  return [requireFinite(`${name}[0]`, k[0]), requireFinite(`${name}[1]`, k[1])];
}

/** tanh(Mκ + b) into phi and 1 − tanh² into sech2 (internal, unvalidated). */
function activations(red: LatentReduction, k1: number, k2: number, phi: Float64Array, sech2: Float64Array): void {
  const M = red.M.data, b = red.bIn.data, N = b.length;
  for (let i = 0; i < N; i++) {
    const t = Math.tanh(M[2 * i] * k1 + M[2 * i + 1] * k2 + b[i]);
    phi[i] = t;
    sech2[i] = 1 - t * t;
  }
}

/**
 * The latent flow F(κ) = −κ + P·tanh(Mκ + b_in) at one point.
 * @param reduction from {@link lowRankLatentReduction}. @param kappa [κ₁, κ₂].
 * @returns [F₁, F₂].
 */
export function latentFlow(reduction: LatentReduction, kappa: ArrayLike<number>): [number, number] {
  const red = requireLatentReduction("reduction", reduction);
  const [k1, k2] = requireKappa("kappa", kappa);
  return latentFlowUnchecked(red, k1, k2);
}

function latentFlowUnchecked(red: LatentReduction, k1: number, k2: number): [number, number] {
  const M = red.M.data, P = red.P.data, b = red.bIn.data, N = b.length;
  let s1 = 0, s2 = 0;
  for (let i = 0; i < N; i++) {
    const t = Math.tanh(M[2 * i] * k1 + M[2 * i + 1] * k2 + b[i]);
    s1 += P[i] * t;
    s2 += P[N + i] * t;
  }
  return [s1 - k1, s2 - k2];
}

function latentJacobianUnchecked(red: LatentReduction, sech2: Float64Array): [[number, number], [number, number]] {
  const M = red.M.data, P = red.P.data, N = sech2.length;
  const J: [[number, number], [number, number]] = [[-1, 0], [0, -1]];
  for (let a = 0; a < 2; a++) for (let c = 0; c < 2; c++) {
    let s = 0;
    for (let i = 0; i < N; i++) s += P[a * N + i] * sech2[i] * M[2 * i + c];
    J[a][c] += s;
  }
  return J;
}

/**
 * The latent Jacobian J(κ) = −I + P·diag(1 − tanh²(Mκ + b_in))·M, as an ndarray [2, 2] (rows = components of F).
 * @param reduction from {@link lowRankLatentReduction}. @param kappa [κ₁, κ₂].
 */
export function latentJacobian(reduction: LatentReduction, kappa: ArrayLike<number>): F64Array {
  const red = requireLatentReduction("reduction", reduction);
  const [k1, k2] = requireKappa("kappa", kappa);
  const N = red.bIn.data.length;
  const phi = new Float64Array(N), sech2 = new Float64Array(N);
  activations(red, k1, k2, phi, sech2);
  const J = latentJacobianUnchecked(red, sech2);
  return ndFromRows(J);
}

function ndFromRows(J: [[number, number], [number, number]]): F64Array {
  const out = ndFloat64([2, 2]);
  out.data.set([J[0][0], J[0][1], J[1][0], J[1][1]]);
  return out;
}

function latentHessiansUnchecked(red: LatentReduction, phi: Float64Array, sech2: Float64Array): [[[number, number], [number, number]], [[number, number], [number, number]]] {
  const M = red.M.data, P = red.P.data, N = phi.length;
  const H: [[[number, number], [number, number]], [[number, number], [number, number]]] = [[[0, 0], [0, 0]], [[0, 0], [0, 0]]];
  for (let c = 0; c < 2; c++) {
    let h00 = 0, h01 = 0, h11 = 0;
    for (let i = 0; i < N; i++) {
      const w = P[c * N + i] * -2 * phi[i] * sech2[i];
      const m0 = M[2 * i], m1 = M[2 * i + 1];
      h00 += w * m0 * m0;
      h01 += w * m0 * m1;
      h11 += w * m1 * m1;
    }
    H[c] = [[h00, h01], [h01, h11]];
  }
  return H;
}

/**
 * Second derivatives of the latent flow: H[i, a, b] = ∂²F_i/∂κ_a∂κ_b = Σ_k P_ik·(−2 tanh z_k·(1 − tanh² z_k))·M_ka·M_kb
 * with z = Mκ + b_in, as an ndarray [2, 2, 2].
 * @param reduction from {@link lowRankLatentReduction}. @param kappa [κ₁, κ₂].
 */
export function latentHessians(reduction: LatentReduction, kappa: ArrayLike<number>): F64Array {
  const red = requireLatentReduction("reduction", reduction);
  const [k1, k2] = requireKappa("kappa", kappa);
  const N = red.bIn.data.length;
  const phi = new Float64Array(N), sech2 = new Float64Array(N);
  activations(red, k1, k2, phi, sech2);
  const H = latentHessiansUnchecked(red, phi, sech2);
  const out = ndFloat64([2, 2, 2]);
  out.data.set(H.flat(2));
  return out;
}

/**
 * The latent flow as a {@link PlanarSystem} for the Newton refinement (planar.ts): F, J, ∇²F_i, the term scale
 * ‖κ‖ + ‖(Σ_k |P_ik tanh z_k|)_i‖ and termCount N + 1 (F_i sums N products and −κ_i).
 * @param reduction from {@link lowRankLatentReduction}.
 */
export function latentSystem(reduction: LatentReduction): PlanarSystem {
  const red = requireLatentReduction("reduction", reduction);
  const N = red.bIn.data.length;
  const phi = new Float64Array(N), sech2 = new Float64Array(N);
  const P = red.P.data;
  return {
    flow: ([k1, k2]) => latentFlowUnchecked(red, k1, k2),
    jacobian: ([k1, k2]) => {
      activations(red, k1, k2, phi, sech2);
      return latentJacobianUnchecked(red, sech2);
    },
    hessians: ([k1, k2]) => {
      activations(red, k1, k2, phi, sech2);
      return latentHessiansUnchecked(red, phi, sech2);
    },
    scale: ([k1, k2]) => {
      activations(red, k1, k2, phi, sech2);
      let a1 = 0, a2 = 0;
      for (let i = 0; i < N; i++) {
        a1 += Math.abs(P[i] * phi[i]);
        a2 += Math.abs(P[N + i] * phi[i]);
      }
      return Math.hypot(k1, k2) + Math.hypot(a1, a2);
    },
    termCount: N + 1,
  };
}

/** Options of {@link latentSpeedGrid}. All optional. */
export interface LatentGridOptions {
  /** [lo, hi] of κ₁ (finite, lo < hi). Default [−5, 5]. Taken exactly (see GRID CONVENTION). */
  range1?: [number, number];
  /** [lo, hi] of κ₂. Default: range1. */
  range2?: [number, number];
  /** Grid points per axis: n or [n1, n2], integers in [2, 4000]. Default 400. */
  resolution?: number | [number, number];
}

/** The latent flow on a grid (heatmap layout [n2, n1], see GRID CONVENTION). */
export interface LatentSpeedGrid {
  /** κ₁ values (x, columns), [n1]. */
  kappa1: Float64Array;
  /** κ₂ values (y, rows), [n2]. */
  kappa2: Float64Array;
  /** F₁ at every grid point, [n2, n1]. */
  flow1: F64Array;
  /** F₂, [n2, n1]. */
  flow2: F64Array;
  /** Speed ‖F‖₂, [n2, n1]. */
  speed: F64Array;
  /** log10 speed, [n2, n1] (the authors' image; their colour range is [−1, 1]). */
  logSpeed: F64Array;
}

function requireRange(name: string, value: unknown): [number, number] {
  const v = value as ArrayLike<unknown>;
  if (v === null || typeof v !== "object" || v.length !== 2) throw new GhostError(name, value, "[lo, hi], finite numbers with lo < hi");
  const lo = requireFinite(`${name}[0]`, v[0]), hi = requireFinite(`${name}[1]`, v[1]);
  if (!(hi > lo)) throw new GhostError(name, value, "[lo, hi], finite numbers with lo < hi");
  return [lo, hi];
}

function gridAxis(lo: number, hi: number, n: number): Float64Array {
  const a = new Float64Array(n);
  const step = (hi - lo) / (n - 1);
  for (let i = 0; i < n; i++) a[i] = lo + i * step;
  a[n - 1] = hi;
  return a;
}

/**
 * The latent flow, its speed and log10 speed on a κ₁ × κ₂ grid (spec B2 flow map). Cost: n1·n2·N tanh
 * evaluations (400² at N = 100: 1.6·10⁷).
 * @param reduction from {@link lowRankLatentReduction}. @param options see {@link LatentGridOptions}.
 */
export function latentSpeedGrid(reduction: LatentReduction, options?: LatentGridOptions): LatentSpeedGrid {
  const red = requireLatentReduction("reduction", reduction);
  const o = requireOptions<LatentGridOptions>("options", options, ["range1", "range2", "resolution"]);
  const r1 = o.range1 === undefined ? [-5, 5] : requireRange("options.range1", o.range1);
  const r2 = o.range2 === undefined ? r1 : requireRange("options.range2", o.range2);
  let n1 = 400, n2 = 400;
  if (Array.isArray(o.resolution)) {
    if (o.resolution.length !== 2) throw new GhostError("options.resolution", o.resolution, "n or [n1, n2], integers in [2, 4000]");
    n1 = requireInteger("options.resolution[0]", o.resolution[0], 2, 4000);
    n2 = requireInteger("options.resolution[1]", o.resolution[1], 2, 4000);
  } else if (o.resolution !== undefined) {
    n1 = n2 = requireInteger("options.resolution", o.resolution, 2, 4000);
  }
  const kappa1 = gridAxis(r1[0], r1[1], n1), kappa2 = gridAxis(r2[0], r2[1], n2);
  const flow1 = ndFloat64([n2, n1]), flow2 = ndFloat64([n2, n1]), speed = ndFloat64([n2, n1]), logSpeed = ndFloat64([n2, n1]);
  const M = red.M.data, P = red.P.data, b = red.bIn.data, N = b.length;
  const m0 = new Float64Array(N), p0 = new Float64Array(N), p1 = new Float64Array(N), base = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    m0[i] = M[2 * i];
    p0[i] = P[i];
    p1[i] = P[N + i];
  }
  const f1 = flow1.data, f2 = flow2.data, sp = speed.data, ls = logSpeed.data;
  for (let j = 0; j < n2; j++) {
    const k2 = kappa2[j];
    for (let i = 0; i < N; i++) base[i] = M[2 * i + 1] * k2 + b[i];
    for (let c = 0; c < n1; c++) {
      const k1 = kappa1[c];
      let s1 = 0, s2 = 0;
      for (let i = 0; i < N; i++) {
        const t = Math.tanh(m0[i] * k1 + base[i]);
        s1 += p0[i] * t;
        s2 += p1[i] * t;
      }
      const idx = j * n1 + c;
      const a = s1 - k1, d = s2 - k2;
      f1[idx] = a;
      f2[idx] = d;
      const s = Math.sqrt(a * a + d * d);
      sp[idx] = s;
      ls[idx] = Math.log10(s);
    }
  }
  return { kappa1, kappa2, flow1, flow2, speed, logSpeed };
}

function requireGrid(name: string, value: unknown): LatentSpeedGrid {
  if (value === null || typeof value !== "object") throw new GhostError(name, value, "a LatentSpeedGrid from analysis.latentSpeedGrid");
  const g = value as Partial<LatentSpeedGrid>;
  if (!(g.kappa1 instanceof Float64Array) || !(g.kappa2 instanceof Float64Array) || g.kappa1.length < 2 || g.kappa2.length < 2) {
    throw new GhostError(`${name}.kappa1`, g.kappa1, "Float64Array axes kappa1, kappa2 of length ≥ 2");
  }
  const shape = [g.kappa2.length, g.kappa1.length];
  requireNd(`${name}.flow1`, g.flow1, shape);
  requireNd(`${name}.flow2`, g.flow2, shape);
  requireNd(`${name}.speed`, g.speed, shape);
  return value as LatentSpeedGrid;
}

/** Unit flow arrows for a quiver plot (plain arrays; one entry per arrow). */
export interface UnitArrows {
  /** κ₁ of each arrow's tail. */
  x: number[];
  /** κ₂ of each arrow's tail. */
  y: number[];
  /** F₁/‖F‖ (0 where F = 0, as the authors' mags[mags == 0] = 1). */
  u: number[];
  /** F₂/‖F‖. */
  v: number[];
}

/**
 * Unit-normalised flow on every `stride`-th grid point of both axes, starting at index 0 (the authors' quiver:
 * stride 50 on 2000², i.e. 40 × 40 arrows).
 * @param grid from {@link latentSpeedGrid}. @param stride integer in [1, 4000], default 20.
 */
export function unitArrows(grid: LatentSpeedGrid, stride = 20): UnitArrows {
  const g = requireGrid("grid", grid);
  requireInteger("stride", stride, 1, 4000);
  const n1 = g.kappa1.length, n2 = g.kappa2.length;
  const out: UnitArrows = { x: [], y: [], u: [], v: [] };
  for (let j = 0; j < n2; j += stride) {
    for (let c = 0; c < n1; c += stride) {
      const idx = j * n1 + c;
      const a = g.flow1.data[idx], d = g.flow2.data[idx];
      const m = Math.hypot(a, d) || 1;
      out.x.push(g.kappa1[c]);
      out.y.push(g.kappa2[j]);
      out.u.push(a / m);
      out.v.push(d / m);
    }
  }
  return out;
}

/** A slow/fixed-point candidate: a grid point whose speed is the minimum of its 3×3 neighbourhood. */
export interface SpeedCandidate {
  /** Column index (κ₁). */
  i1: number;
  /** Row index (κ₂). */
  i2: number;
  /** [κ₁, κ₂] of the grid point. */
  kappa: [number, number];
  /** Speed there. */
  speed: number;
  /** True on the grid's edge (often an artefact of the window: the minimum may lie outside). */
  onBorder: boolean;
}

/**
 * Grid points whose speed equals the minimum over their 3×3 neighbourhood (ties included; the neighbourhood is
 * clipped at the edges — the same set as scipy's minimum_filter(size 3, mode "reflect") == speed in the
 * authors' code), sorted by increasing speed.
 * @param grid from {@link latentSpeedGrid}.
 */
export function speedMinima(grid: LatentSpeedGrid): SpeedCandidate[] {
  const g = requireGrid("grid", grid);
  const n1 = g.kappa1.length, n2 = g.kappa2.length, s = g.speed.data;
  const out: SpeedCandidate[] = [];
  for (let j = 0; j < n2; j++) {
    for (let c = 0; c < n1; c++) {
      const v = s[j * n1 + c];
      if (Number.isNaN(v)) continue;
      let isMin = true;
      for (let dj = -1; dj <= 1 && isMin; dj++) {
        const jj = j + dj;
        if (jj < 0 || jj >= n2) continue;
        for (let dc = -1; dc <= 1; dc++) {
          const cc = c + dc;
          if (cc < 0 || cc >= n1) continue;
          if (s[jj * n1 + cc] < v) {
            isMin = false;
            break;
          }
        }
      }
      if (isMin) out.push({ i1: c, i2: j, kappa: [g.kappa1[c], g.kappa2[j]], speed: v, onBorder: j === 0 || c === 0 || j === n2 - 1 || c === n1 - 1 });
    }
  }
  return out.sort((a, b) => a.speed - b.speed);
}

/**
 * Latent trajectories κ_t = P r_t of a batch of runs (spec B2).
 * @param P the projection [k, N] (e.g. reduction.P, k = 2). @param states finite [B, S, N].
 * @returns [B, S, k].
 */
export function projectStates(P: F64Array, states: F64Array): F64Array {
  const p = requireNd("P", P, ["k", "N"], { finite: true });
  const [k, N] = p.shape;
  const x = requireNd("states", states, ["B", "S", N], { finite: true });
  const [B, S] = x.shape;
  const out = ndFloat64([B, S, k]);
  const pd = p.data, xd = x.data, o = out.data;
  for (let r = 0; r < B * S; r++) {
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += pd[a * N + i] * xd[r * N + i];
      o[r * k + a] = s;
    }
  }
  return out;
}

/**
 * The decision-region field Z(κ) = W_out·S_lᵀ·Pᵀ·κ + b_out (pre-nonlinearity readout, B2) on the grid's points.
 * @param reduction from {@link lowRankLatentReduction} with Wout given. @param grid from {@link latentSpeedGrid}.
 * @returns [D_out, n2, n1] (heatmap layout per output).
 */
export function decisionField(reduction: LatentReduction, grid: LatentSpeedGrid): F64Array {
  const red = requireLatentReduction("reduction", reduction);
  if (red.readout === null || red.readout === undefined || red.readoutBias === null) {
    throw new GhostError("reduction.readout", red.readout, "a latent readout (build the reduction with params.Wout)");
  }
  const g = requireGrid("grid", grid);
  const n1 = g.kappa1.length, n2 = g.kappa2.length, D = red.readout.shape[0];
  const out = ndFloat64([D, n2, n1]);
  const R = red.readout.data, b = red.readoutBias.data, o = out.data;
  for (let d = 0; d < D; d++) {
    for (let j = 0; j < n2; j++) {
      for (let c = 0; c < n1; c++) o[(d * n2 + j) * n1 + c] = R[2 * d] * g.kappa1[c] + R[2 * d + 1] * g.kappa2[j] + b[d];
    }
  }
  return out;
}

/**
 * Rows of a 2-D field as nested arrays (Plotly heatmap `z`: z[j][i] at x = axis1[i], y = axis2[j]).
 * @param field finite-or-not float64 ndarray [n2, n1] (e.g. grid.logSpeed).
 */
export function heatmapZ(field: F64Array): number[][] {
  const f = requireNd("field", field, ["n2", "n1"]);
  const [n2, n1] = f.shape;
  const out: number[][] = [];
  for (let j = 0; j < n2; j++) out.push(Array.from(f.data.subarray(j * n1, (j + 1) * n1)));
  return out;
}

/** Options of {@link latentSlowPoints}: the Newton options plus which candidates to refine. */
export interface LatentSlowPointOptions extends PlanarNewtonOptions {
  /** Refine at most this many candidates (the slowest first), integer in [1, 10000]. Default 50. */
  maxCandidates?: number;
  /** Skip candidates on the grid's edge. Default false (the authors refine every local minimum). */
  skipBorder?: boolean;
}

/**
 * Refines grid speed minima of the latent flow by damped Newton on E = ½‖F‖² and classifies each (planar.ts):
 * "fixed point", "ghost", "saddle of E", "degenerate" or "not converged", with speed and the eigenvalues of J and ∇²E.
 * @param reduction from {@link lowRankLatentReduction}.
 * @param candidates from {@link speedMinima} (or any list of { kappa: [κ₁, κ₂] }).
 * @param options see {@link LatentSlowPointOptions}.
 */
export function latentSlowPoints(reduction: LatentReduction, candidates: { kappa: ArrayLike<number>; onBorder?: boolean }[], options?: LatentSlowPointOptions): PlanarSlowPoint[] {
  const red = requireLatentReduction("reduction", reduction);
  if (!Array.isArray(candidates)) throw new GhostError("candidates", candidates, "an array of { kappa: [κ₁, κ₂] } (e.g. from analysis.speedMinima)");
  const o = requireOptions<LatentSlowPointOptions>("options", options, ["damping", "stepTolerance", "maxIterations", "maxStep", "maxCandidates", "skipBorder"]);
  const maxCandidates = o.maxCandidates === undefined ? 50 : requireInteger("options.maxCandidates", o.maxCandidates, 1, 10000);
  const skipBorder = o.skipBorder === undefined ? false : o.skipBorder;
  if (typeof skipBorder !== "boolean") throw new GhostError("options.skipBorder", skipBorder, "true or false");
  const newton: PlanarNewtonOptions = {};
  for (const key of ["damping", "stepTolerance", "maxIterations", "maxStep"] as const) if (o[key] !== undefined) newton[key] = o[key];
  const sys = latentSystem(red);
  const out: PlanarSlowPoint[] = [];
  candidates.forEach((c, i) => {
    if (c === null || typeof c !== "object") throw new GhostError(`candidates[${i}]`, c, "an object { kappa: [κ₁, κ₂] }");
    requireKappa(`candidates[${i}].kappa`, c.kappa);
  });
  for (const c of candidates) {
    if (out.length >= maxCandidates) break;
    if (skipBorder && c.onBorder === true) continue;
    out.push(refinePlanarSlowPoint(sys, c.kappa, newton));
  }
  return out;
}

/** Options of {@link latentFlowMap}: grid, arrows, trajectories and the slow-point refinement. All optional. */
export interface LatentFlowMapOptions extends LatentGridOptions, LatentSlowPointOptions {
  /** Arrow stride on the grid, integer in [1, 4000]. Default max(1, round(max(n1, n2)/40)) (the authors' 50 on 2000²). */
  arrowStride?: number;
  /** States [B, S, N] of trial runs, projected to latent trajectories [B, S, 2]. */
  states?: F64Array;
}

/** Everything one latent flow-map panel (v2 Fig 4) draws, plot-ready. */
export interface LatentFlowMap {
  /** The flow, speed and log10 speed on the grid ([n2, n1] fields). */
  grid: LatentSpeedGrid;
  /** Unit arrows. */
  arrows: UnitArrows;
  /** Grid 3×3 speed minima (the authors' purple crosses), slowest first. */
  candidates: SpeedCandidate[];
  /** The refined and classified candidates (fixed points, ghosts, …). */
  slowPoints: PlanarSlowPoint[];
  /** Latent trajectories [B, S, 2] of `states`, or null. */
  trajectories: F64Array | null;
  /** Decision field Z [D_out, n2, n1] when the reduction carries a readout, else null. */
  decision: F64Array | null;
}

/**
 * One latent flow-map panel (spec B2): {@link latentSpeedGrid}, {@link unitArrows}, {@link speedMinima},
 * {@link latentSlowPoints}, {@link projectStates} of the trial states and {@link decisionField}.
 * @param reduction from {@link lowRankLatentReduction}. @param options see {@link LatentFlowMapOptions}.
 */
export function latentFlowMap(reduction: LatentReduction, options?: LatentFlowMapOptions): LatentFlowMap {
  const red = requireLatentReduction("reduction", reduction);
  const gridKeys = ["range1", "range2", "resolution"] as const;
  const newtonKeys = ["damping", "stepTolerance", "maxIterations", "maxStep", "maxCandidates", "skipBorder"] as const;
  const o = requireOptions<LatentFlowMapOptions>("options", options, [...gridKeys, ...newtonKeys, "arrowStride", "states"]);
  const gridOptions: LatentGridOptions = {};
  for (const k of gridKeys) if (o[k] !== undefined) (gridOptions as Record<string, unknown>)[k] = o[k];
  const slowOptions: LatentSlowPointOptions = {};
  for (const k of newtonKeys) if (o[k] !== undefined) (slowOptions as Record<string, unknown>)[k] = o[k];
  const grid = latentSpeedGrid(red, gridOptions);
  const n = Math.max(grid.kappa1.length, grid.kappa2.length);
  const stride = o.arrowStride === undefined ? Math.max(1, Math.round(n / 40)) : requireInteger("options.arrowStride", o.arrowStride, 1, 4000);
  const candidates = speedMinima(grid);
  return {
    grid,
    arrows: unitArrows(grid, stride),
    candidates,
    slowPoints: latentSlowPoints(red, candidates, slowOptions),
    trajectories: o.states === undefined ? null : projectStates(red.P, o.states),
    decision: red.readout ? decisionField(red, grid) : null,
  };
}
