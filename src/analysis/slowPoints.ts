/**
 * Fixed and slow points of a full-rank task RNN (spec B3, B7; v2 Fig 5).
 *
 * Network (B1, no input): r_{t+1} = (1 − α) r_t + α tanh(r_t·W_rec + b_in), r a row vector. Its continuous flow
 * (units of τ) and Jacobian are
 *
 *     F(x) = −x + tanh(x·W_rec + b_in)                       (drive_j = Σ_i x_i W_rec[i, j])
 *     J(x) = −I + diag(1 − tanh²(W_recᵀx + b_in))·W_recᵀ     (J[j, i] = ∂F_j/∂x_i)
 *
 * Search (the authors' FixedPointSolver, Figure5/code/run_*_fullrank.py), from every start x₀ (the visited
 * states of a snapshot):
 * 1. Adam on the authors' objective L(X) = mean over starts of ‖F(x_s)‖² (so start s gets the gradient
 *    (2/S)·J(x_s)ᵀF(x_s)); PyTorch's Adam (β = (0.9, 0.999), ε = 1e-8, bias-corrected), learning rate 1e-2,
 *    5000 iterations by default. This Adam is local to the module (the trainer's optimiser lives in the
 *    training layer, which must not depend on analysis, and this one acts on points, not parameters).
 * 2. Newton on q(x) = ½‖F(x)‖² per point: x ← x − (∇²q + μI)⁻¹∇q with the exact Hessian
 *    ∇²q = JᵀJ + Σ_j F_j ∇²F_j, ∇²F_j = −2 tanh(u_j)(1 − tanh²u_j)·w_j w_jᵀ (w_j = column j of W_rec). The
 *    authors take ONE step on ‖F‖² (= 2q) with H + 1e-4·I; that is the same step as μ = 5e-5 here (the default).
 *    More steps (`newtonSteps`) go beyond the paper and converge true fixed points to machine precision.
 * 3. Deduplication: PC1–3 coordinates (of the PCA model given, else one fitted on the starts) rounded to one
 *    decimal (Math.round: halves round up, NumPy rounds them to even — only exact binary ties differ); of the
 *    points sharing a rounded position the one nearest to a visited state is kept; groups keep the order in
 *    which they were first met.
 * 4. For every kept point: its speed ‖F‖, its distance to the nearest visited state; the eigenvalues of J at the
 *    point nearest to the visited states (the authors' printout).
 *
 * Which parameters go with which states is the caller's choice (B7: the authors pair the states of epoch e's
 * forward pass with the parameters after epoch e's update); pass the pair you mean and say so.
 *
 * Fixed point or slow point (B7: most of these are slow points; a count needs a justified threshold): a point is
 * counted as a FIXED POINT when its speed is at the rounding level of evaluating F there,
 *     s ≤ s_fp = 4·eps·((N + 2)·‖c‖₂ + ‖J‖_F·‖x‖₂),  c_j = |x_j| + |tanh u_j| + (1 − tanh²u_j)·Σ_i |x_i W_rec[i, j]| + |b_j|,
 * (Higham's bound for the N-term sum in u_j propagated through tanh, plus the rounding of x itself, with a
 * factor 4 of headroom); everything else is a slow point, reported with its speed. `speedThreshold` replaces s_fp
 * by a caller's own (state why in the notebook).
 */
import { GhostError, requireInteger, requireNonNegative, requireOptions, requirePositive } from "../core/errors";
import { F64Array, ndFloat64, requireNd } from "../core/nd";
import { optionalWasmKernels } from "../kernels";
import { PcaModel, eig, leastSquares, pcaFit, pcaTransform, poolStates, requirePcaModel, solveLinear } from "./linalg";

const EPS = Number.EPSILON;

/** The full-rank network parameters the analysis reads. */
export interface FullRankFlowParams {
  /** W_rec [N, N] (drive_j = Σ_i r_i W_rec[i, j]). */
  Wrec: F64Array;
  /** b_in [N]. */
  bIn: F64Array;
}

function requireParams(name: string, params: unknown): { W: F64Array; b: F64Array; N: number } {
  if (params === null || typeof params !== "object") throw new GhostError(name, params, "an object { Wrec [N, N], bIn [N] }");
  const p = requireOptions<FullRankFlowParams>(name, params, ["Wrec", "bIn"]);
  const W = requireNd(`${name}.Wrec`, p.Wrec, ["N", "N"], { finite: true });
  const N = W.shape[0];
  if (N < 1 || W.shape[1] !== N) throw new GhostError(`${name}.Wrec`, p.Wrec, "a square [N, N] array with N ≥ 1");
  const b = requireNd(`${name}.bIn`, p.bIn, [N], { finite: true });
  return { W, b, N };
}

/** Rows of `x` (rank 1 [N], 2 [S, N] or 3 [B, T, N]) as one [S, N] buffer (a view, no copy). */
function requireRows(name: string, x: unknown, N: number): { data: Float64Array; rows: number } {
  const rank = x !== null && typeof x === "object" && Array.isArray((x as F64Array).shape) ? (x as F64Array).shape.length : 0;
  const shape = rank === 1 ? [N] : rank === 3 ? ["B", "T", N] : ["S", N];
  const a = requireNd(name, x, shape, { finite: true });
  return { data: a.data, rows: a.data.length / N };
}

/** Σ_{k<n} a[ao + k]·b[bo + k] with four partial sums (breaks the add-latency chain; fixed order, deterministic). */
function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < n; k++) s0 += a[ao + k] * b[bo + k];
  return (s0 + s1) + (s2 + s3);
}

/** Wᵀ of a row-major [N, N] matrix (so the drive u_j = Σ_i x_i W[i, j] is a contiguous dot product). */
function transposed(W: Float64Array, N: number): Float64Array {
  const T = new Float64Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) T[j * N + i] = W[i * N + j];
  return T;
}

/** u = x·W + b (from WT = Wᵀ), φ = tanh u, F = φ − x for `rows` rows (internal kernel, unvalidated). */
function flowRows(WT: Float64Array, b: Float64Array, N: number, x: Float64Array, rows: number, phi: Float64Array, F: Float64Array): void {
  for (let s = 0; s < rows; s++) {
    const o = s * N;
    for (let j = 0; j < N; j++) {
      const w = j * N;
      const t = Math.tanh(b[j] + dot(x, o, WT, w, N));
      phi[o + j] = t;
      F[o + j] = t - x[o + j];
    }
  }
}

/**
 * The flow F(x) = −x + tanh(x·W_rec + b_in) of each row of `states`.
 * @param params { Wrec [N, N], bIn [N] }. @param states finite [N], [S, N] or [B, T, N].
 * @returns F with the shape of `states`.
 */
export function fullRankFlow(params: FullRankFlowParams, states: F64Array): F64Array {
  const { W, b, N } = requireParams("params", params);
  const { data, rows } = requireRows("states", states, N);
  const phi = new Float64Array(rows * N), F = ndFloat64(states.shape.slice());
  flowRows(transposed(W.data, N), b.data, N, data, rows, phi, F.data);
  return F;
}

/**
 * Speed ‖F(x)‖₂ of each row of `states`.
 * @param params { Wrec [N, N], bIn [N] }. @param states finite [N], [S, N] or [B, T, N].
 * @returns [S] (one speed per row; [1] for a single state).
 */
export function fullRankSpeeds(params: FullRankFlowParams, states: F64Array): F64Array {
  const F = fullRankFlow(params, states);
  const N = params.Wrec.shape[0];
  const rows = F.data.length / N;
  const out = ndFloat64([rows]);
  for (let s = 0; s < rows; s++) {
    let q = 0;
    for (let j = 0; j < N; j++) q += F.data[s * N + j] ** 2;
    out.data[s] = Math.sqrt(q);
  }
  return out;
}

/**
 * The Jacobian J(x) = −I + diag(1 − tanh²(W_recᵀx + b_in))·W_recᵀ of the flow at one state (J[j, i] = ∂F_j/∂x_i).
 * @param params { Wrec [N, N], bIn [N] }. @param x finite [N].
 * @returns [N, N].
 */
export function fullRankJacobian(params: FullRankFlowParams, x: F64Array): F64Array {
  const { W, b, N } = requireParams("params", params);
  const xs = requireNd("x", x, [N], { finite: true });
  const phi = new Float64Array(N), F = new Float64Array(N);
  flowRows(transposed(W.data, N), b.data, N, xs.data, 1, phi, F);
  return jacobianAt(W.data, N, phi);
}

function jacobianAt(W: Float64Array, N: number, phi: Float64Array): F64Array {
  const J = ndFloat64([N, N]);
  const d = J.data;
  for (let j = 0; j < N; j++) {
    const s = 1 - phi[j] * phi[j];
    for (let i = 0; i < N; i++) d[j * N + i] = s * W[i * N + j];
    d[j * N + j] -= 1;
  }
  return J;
}

/** ∇q = JᵀF (q = ½‖F‖²) for one row: g_i = −F_i + Σ_j W[i, j]·(1 − φ_j²)·F_j. */
function gradRow(W: Float64Array, N: number, phi: Float64Array, F: Float64Array, o: number, g: Float64Array, go: number, scale: number, tmp: Float64Array): void {
  for (let j = 0; j < N; j++) tmp[j] = (1 - phi[o + j] * phi[o + j]) * F[o + j];
  for (let i = 0; i < N; i++) {
    g[go + i] = scale * (dot(W, i * N, tmp, 0, N) - F[o + i]);
  }
}

/**
 * The Adam phase of {@link findSlowPoints} in JS (the twin of kernels.WasmKernels.slowPointAdam, which gives the same
 * bits): `iterations` steps of PyTorch's Adam (β = (0.9, 0.999), ε = 1e-8, bias-corrected, learning rate `lr`) on
 * L(X) = mean_s ‖F(x_s)‖² over the rows x_s of X [S·N], updated IN PLACE. W [N·N] row-major, b [N]. Unvalidated
 * (findSlowPoints validates).
 */
export function slowPointAdamJs(W: Float64Array, b: Float64Array, X: Float64Array, N: number, iterations: number, lr: number): void {
  const S = X.length / N, WT = transposed(W, N);
  const phi = new Float64Array(S * N), F = new Float64Array(S * N), g = new Float64Array(S * N), tmp = new Float64Array(N);
  const m = new Float64Array(S * N), v = new Float64Array(S * N);
  const beta1 = 0.9, beta2 = 0.999, adamEps = 1e-8;
  for (let t = 1; t <= iterations; t++) {
    flowRows(WT, b, N, X, S, phi, F);
    for (let s = 0; s < S; s++) gradRow(W, N, phi, F, s * N, g, s * N, 2 / S, tmp);
    const bc1 = 1 - beta1 ** t, bc2 = 1 - beta2 ** t;
    const step = lr / bc1, sq = Math.sqrt(bc2);
    for (let i = 0; i < S * N; i++) {
      const gi = g[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      X[i] -= (step * m[i]) / (Math.sqrt(v[i]) / sq + adamEps);
    }
  }
}

/**
 * The exact Hessian of q(x) = ½‖F(x)‖² at one state: JᵀJ + Σ_j F_j·(−2 tanh u_j (1 − tanh²u_j))·w_jwⱼᵀ, [N, N]
 * (w_j = column j of W_rec).
 * @param params { Wrec [N, N], bIn [N] }. @param x finite [N].
 */
export function fullRankSpeedHessian(params: FullRankFlowParams, x: F64Array): F64Array {
  const { W, b, N } = requireParams("params", params);
  const xs = requireNd("x", x, [N], { finite: true });
  const phi = new Float64Array(N), F = new Float64Array(N);
  flowRows(transposed(W.data, N), b.data, N, xs.data, 1, phi, F);
  return hessianAt(W.data, N, phi, F);
}

function hessianAt(W: Float64Array, N: number, phi: Float64Array, F: Float64Array): F64Array {
  // H = I − A − Aᵀ + W·diag(s² + c)·Wᵀ with A = W·diag(s), s = 1 − φ², c_j = −2 φ_j s_j F_j.
  const H = ndFloat64([N, N]);
  const h = H.data;
  const s = new Float64Array(N), d = new Float64Array(N);
  for (let j = 0; j < N; j++) {
    s[j] = 1 - phi[j] * phi[j];
    d[j] = s[j] * s[j] - 2 * phi[j] * s[j] * F[j];
  }
  const row = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const wi = i * N;
    for (let j = 0; j < N; j++) row[j] = W[wi + j] * d[j];
    for (let k = i; k < N; k++) {
      const wk = k * N;
      let acc = dot(row, 0, W, wk, N);
      acc -= W[wi + k] * s[k] + W[wk + i] * s[i];
      if (i === k) acc += 1;
      h[i * N + k] = acc;
      h[k * N + i] = acc;
    }
  }
  return H;
}

/** Options of {@link findSlowPoints}. All optional. */
export interface SlowPointOptions {
  /** Adam iterations, integer in [0, 1e6]. Default 5000 (the authors'). */
  iterations?: number;
  /** Adam learning rate, finite > 0. Default 1e-2. */
  learningRate?: number;
  /** Newton steps after Adam, integer in [0, 100]. Default 1 (the authors'). */
  newtonSteps?: number;
  /** Tikhonov damping μ of the Newton steps on q = ½‖F‖², finite ≥ 0. Default 5e-5 (= the authors' 1e-4 on ‖F‖²). */
  damping?: number;
  /** Use at most this many starts (evenly spaced over the rows given), integer ≥ 1. Default all. */
  maxStarts?: number;
  /** PCA model for deduplication and the PC coordinates (spec: fitted on all snapshot states pooled). Default: fitted on the starts. */
  pca?: PcaModel;
  /** Decimals of the PC1–3 rounding for deduplication, integer in [0, 6]. Default 1. */
  decimals?: number;
  /** Visited states for the distances ([S, N] or [B, T, N]). Default: the starts (all rows given). */
  visited?: F64Array;
  /** Speed threshold of a "fixed point", finite ≥ 0. Default: the rounding-level s_fp of each point (module description). */
  speedThreshold?: number;
}

const SLOW_KEYS = ["iterations", "learningRate", "newtonSteps", "damping", "maxStarts", "pca", "decimals", "visited", "speedThreshold"];

/** The slow points of one snapshot (plain data, plot-ready). P = number of points kept after deduplication. */
export interface SlowPointReport {
  /** The kept points, [P, N]. */
  points: F64Array;
  /** Their coordinates on the first min(3, k) principal axes, [P, min(3, k)]. */
  pcs: F64Array;
  /** Speeds ‖F‖₂, [P]. */
  speeds: F64Array;
  /** log10 speeds, [P] (the authors' colour scale, coolwarm on [−6, 0]). */
  logSpeeds: F64Array;
  /** Distance of each point to the nearest visited state, [P]. */
  distances: F64Array;
  /** "fixed point" or "slow point" per kept point (module description). */
  kinds: ("fixed point" | "slow point")[];
  /** Speed threshold of each point (s_fp, or the caller's speedThreshold), [P]. */
  thresholds: F64Array;
  /** Number of kept points classified "fixed point". */
  fixedPointCount: number;
  /** Index (into the kept points) of the point nearest to the visited states. */
  nearest: number;
  /** Eigenvalues of J at that point, sorted by decreasing real part: real and imaginary parts, [N] each. */
  nearestEigenvalues: { re: F64Array; im: F64Array };
  /** Number of starts used and of points before deduplication. */
  starts: number;
  /** Mean ‖F‖² over the starts after Adam (the authors' loss) and after the Newton steps. */
  lossAfterAdam: number;
  lossAfterNewton: number;
}

/**
 * Slow-point search from visited states (module description): Adam, Newton step(s), deduplication, speeds,
 * distances, eigenvalues at the point nearest the trajectories.
 * @param params { Wrec [N, N], bIn [N] }.
 * @param starts finite states [S, N] or [B, T, N] (e.g. a snapshot's rates incl. the initial state), S ≥ 1.
 * @param options see {@link SlowPointOptions}; budget: cost ≈ 2·S·N²·iterations multiply-adds (S = 46, N = 100,
 *   5000 iterations ≈ 4.6·10⁹).
 */
export function findSlowPoints(params: FullRankFlowParams, starts: F64Array, options?: SlowPointOptions): SlowPointReport {
  const { W, b, N } = requireParams("params", params);
  const all = requireRows("starts", starts, N);
  if (all.rows < 1) throw new GhostError("starts", starts, "at least one state");
  const o = requireOptions<SlowPointOptions>("options", options, SLOW_KEYS);
  const iterations = o.iterations === undefined ? 5000 : requireInteger("options.iterations", o.iterations, 0, 1_000_000);
  const lr = o.learningRate === undefined ? 1e-2 : requirePositive("options.learningRate", o.learningRate);
  const newtonSteps = o.newtonSteps === undefined ? 1 : requireInteger("options.newtonSteps", o.newtonSteps, 0, 100);
  const damping = o.damping === undefined ? 5e-5 : requireNonNegative("options.damping", o.damping);
  const maxStarts = o.maxStarts === undefined ? all.rows : requireInteger("options.maxStarts", o.maxStarts, 1);
  const decimals = o.decimals === undefined ? 1 : requireInteger("options.decimals", o.decimals, 0, 6);
  const visited = o.visited === undefined ? all : requireRows("options.visited", o.visited, N);
  if (visited.rows < 1) throw new GhostError("options.visited", o.visited, "at least one state");
  const userThreshold = o.speedThreshold === undefined ? null : requireNonNegative("options.speedThreshold", o.speedThreshold);
  const pca = o.pca === undefined ? null : requirePcaModel("options.pca", o.pca);
  if (pca !== null && pca.components.shape[1] !== N) throw new GhostError("options.pca", o.pca, `a PCA model of N = ${N} features`);

  // Starts: evenly spaced rows when capped.
  const S = Math.min(maxStarts, all.rows);
  const X = new Float64Array(S * N);
  for (let s = 0; s < S; s++) {
    const r = Math.floor((s * all.rows) / S);
    X.set(all.data.subarray(r * N, (r + 1) * N), s * N);
  }
  const Wd = W.data, bd = b.data, WT = transposed(Wd, N);
  const phi = new Float64Array(S * N), F = new Float64Array(S * N), tmp = new Float64Array(N);
  // The Adam phase: in WebAssembly SIMD where it runs (kernels.WasmKernels.slowPointAdam: the operations of
  // slowPointAdamJs in its order, the same bits, several times faster), else in JS.
  const wasm = optionalWasmKernels();
  if (wasm !== null) wasm.slowPointAdam(Wd, bd, X, N, iterations, lr);
  else slowPointAdamJs(Wd, bd, X, N, iterations, lr);
  const meanLoss = (): number => {
    flowRows(WT, bd, N, X, S, phi, F);
    let q = 0;
    for (let i = 0; i < S * N; i++) q += F[i] * F[i];
    return q / S;
  };
  const lossAfterAdam = meanLoss();

  // Newton steps per point on q = ½‖F‖².
  for (let k = 0; k < newtonSteps; k++) {
    flowRows(WT, bd, N, X, S, phi, F);
    for (let s = 0; s < S; s++) {
      const o0 = s * N;
      const ph = phi.subarray(o0, o0 + N), Fs = F.subarray(o0, o0 + N);
      let fq = 0;
      for (let j = 0; j < N; j++) fq += Fs[j] * Fs[j];
      if (fq === 0) continue;
      const H = hessianAt(Wd, N, ph, Fs);
      for (let i = 0; i < N; i++) H.data[i * N + i] += damping;
      const gv = ndFloat64([N]);
      gradRow(Wd, N, phi, F, o0, gv.data, 0, 1, tmp);
      let delta: Float64Array;
      try {
        delta = solveLinear(H, gv).data;
      } catch {
        delta = leastSquares(H, gv).data;
      }
      for (let i = 0; i < N; i++) X[o0 + i] -= delta[i];
    }
  }
  const lossAfterNewton = meanLoss();
  flowRows(WT, bd, N, X, S, phi, F);

  // Distances to the nearest visited state.
  const dist = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let best = Infinity;
    for (let r = 0; r < visited.rows; r++) {
      let d2 = 0;
      for (let j = 0; j < N; j++) {
        const d = X[s * N + j] - visited.data[r * N + j];
        d2 += d * d;
        if (d2 >= best) break;
      }
      if (d2 < best) best = d2;
    }
    dist[s] = Math.sqrt(best);
  }

  // PC coordinates and deduplication.
  const model = pca ?? pcaFitOrNull(all.data, all.rows, N);
  const kPc = model === null ? 0 : Math.min(3, model.components.shape[0]);
  const pcsAll = model === null ? new Float64Array(0) : pcaTransform(model, ndFloat64([S, N], X.slice()), kPc).data;
  const groups = new Map<string, number>();
  const scale = 10 ** decimals;
  for (let s = 0; s < S; s++) {
    const key = model === null ? `${s}` : Array.from(pcsAll.subarray(s * kPc, (s + 1) * kPc), (c) => Math.round(c * scale) + 0).join(",");
    const prev = groups.get(key);
    if (prev === undefined || dist[s] < dist[prev]) groups.set(key, s);
  }
  const kept = [...groups.values()];
  const P = kept.length;
  const points = ndFloat64([P, N]), pcs = ndFloat64([P, kPc]), speeds = ndFloat64([P]), logSpeeds = ndFloat64([P]);
  const distances = ndFloat64([P]), thresholds = ndFloat64([P]);
  const kinds: ("fixed point" | "slow point")[] = [];
  let fixedPointCount = 0, nearest = 0;
  kept.forEach((s, p) => {
    const o0 = s * N;
    points.data.set(X.subarray(o0, o0 + N), p * N);
    pcs.data.set(pcsAll.subarray(s * kPc, (s + 1) * kPc), p * kPc);
    let q = 0, xn = 0, cn = 0, jf = 0;
    for (let j = 0; j < N; j++) {
      q += F[o0 + j] ** 2;
      xn += X[o0 + j] ** 2;
      const sj = 1 - phi[o0 + j] ** 2;
      let ax = 0;
      for (let i = 0; i < N; i++) {
        const w = Wd[i * N + j];
        ax += Math.abs(X[o0 + i] * w);
        const e = sj * w - (i === j ? 1 : 0);
        jf += e * e;
      }
      const c = Math.abs(X[o0 + j]) + Math.abs(phi[o0 + j]) + sj * ax + Math.abs(bd[j]);
      cn += c * c;
    }
    const speed = Math.sqrt(q);
    const thr = userThreshold ?? 4 * EPS * ((N + 2) * Math.sqrt(cn) + Math.sqrt(jf) * Math.sqrt(xn));
    speeds.data[p] = speed;
    logSpeeds.data[p] = Math.log10(speed);
    distances.data[p] = dist[s];
    thresholds.data[p] = thr;
    const kind = speed <= thr ? "fixed point" : "slow point";
    kinds.push(kind);
    if (kind === "fixed point") fixedPointCount++;
    if (dist[s] < distances.data[nearest]) nearest = p;
  });
  const nearestX = kept[nearest] * N;
  const e = eig(jacobianAt(Wd, N, phi.subarray(nearestX, nearestX + N)));
  const order = Array.from({ length: N }, (_, i) => i).sort((a, c) => e.re.data[c] - e.re.data[a]);
  const re = ndFloat64([N]), im = ndFloat64([N]);
  order.forEach((k, i) => {
    re.data[i] = e.re.data[k];
    im.data[i] = e.im.data[k];
  });
  return {
    points, pcs, speeds, logSpeeds, distances, kinds, thresholds, fixedPointCount, nearest,
    nearestEigenvalues: { re, im }, starts: S, lossAfterAdam, lossAfterNewton,
  };
}

/** A PCA fitted on the starts (all rows given) when no model was given (null with fewer than 2 rows). */
function pcaFitOrNull(X: Float64Array, S: number, N: number): PcaModel | null {
  if (S < 2) return null;
  return pcaFit(ndFloat64([S, N], X.slice()), { components: Math.min(3, S - 1, N) });
}

/** One snapshot of a full-rank run: its parameters and the states of its trials. */
export interface FullRankSnapshot {
  /** { Wrec [N, N], bIn [N] }. */
  params: FullRankFlowParams;
  /** States [B, T, N] (spec B3: rates including the initial state, T_len + 1 per trial). */
  states: F64Array;
}

/** Options of {@link fullRankPcaAnalysis}: PCA components plus the slow-point options (pca excepted). */
export interface FullRankPcaOptions extends Omit<SlowPointOptions, "pca" | "visited"> {
  /** Principal components fitted on the pooled states, integer ≥ 3. Default 5 (spec B3). */
  components?: number;
}

/** v2 Fig 5 panels C/F as data: one PCA for all snapshots, per snapshot the PC1–3 trajectories and slow points. */
export interface FullRankPcaAnalysis {
  /** The PCA fitted on all snapshot states pooled. */
  pca: PcaModel;
  /** Per snapshot: trajectories on PC1–3 [B, T, 3] and the slow-point report (visited = that snapshot's states). */
  snapshots: { trajectories: F64Array; slowPoints: SlowPointReport }[];
}

/**
 * Spec B3 for a list of snapshots: PCA (5 components) of all their states pooled, each snapshot's trajectories
 * projected on PC1–3, and {@link findSlowPoints} from each snapshot's states with that PCA for deduplication.
 * @param snapshots non-empty array of { params, states [B, T, N] } with one N.
 * @param options see {@link FullRankPcaOptions}.
 */
export function fullRankPcaAnalysis(snapshots: FullRankSnapshot[], options?: FullRankPcaOptions): FullRankPcaAnalysis {
  if (!Array.isArray(snapshots) || snapshots.length === 0) throw new GhostError("snapshots", snapshots, "a non-empty array of { params, states [B, T, N] }");
  const o = requireOptions<FullRankPcaOptions>("options", options, SLOW_KEYS.filter((k) => k !== "pca" && k !== "visited").concat(["components"]));
  const { components, ...slow } = o;
  const states = snapshots.map((s, i) => {
    if (s === null || typeof s !== "object") throw new GhostError(`snapshots[${i}]`, s, "an object { params, states [B, T, N] }");
    const { N } = requireParams(`snapshots[${i}].params`, s.params);
    return requireNd(`snapshots[${i}].states`, s.states, ["B", "T", N], { finite: true });
  });
  const pooled = poolStates(states);
  const pca = pcaFit(pooled, { components: components === undefined ? Math.min(5, pooled.shape[0] - 1, pooled.shape[1]) : requireInteger("options.components", components, 3) });
  if (pca.components.shape[0] < 3) throw new GhostError("snapshots", snapshots, "states spanning at least 3 principal components (≥ 4 states, N ≥ 3)");
  return {
    pca,
    snapshots: snapshots.map((s, i) => ({
      trajectories: pcaTransform(pca, states[i], 3),
      slowPoints: findSlowPoints(s.params, states[i], { ...slow, pca }),
    })),
  };
}
