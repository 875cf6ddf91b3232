/**
 * Slow points of a planar flow dκ/dt = F(κ), κ ∈ ℝ²: damped Newton refinement on the kinetic energy
 * E(κ) = ½‖F(κ)‖² and the classification of what it converges to (spec B2 ghost check, B7 notes).
 *
 * Works on any {@link PlanarSystem} (F, its Jacobian J and the Hessians ∇²F_i of its components), so it is
 * checked on systems with known answers (the saddle-node normal form ẋ = x² + r, ẏ = −y) and used unchanged on
 * the rank-K RNN's latent flow (latent2d.ts).
 *
 * Newton on E: ∇E = JᵀF, ∇²E = JᵀJ + Σ_i F_i ∇²F_i (exact). Each step solves (∇²E + μI) δ = ∇E, κ ← κ − δ,
 * with the authors' Tikhonov damping μ (default 1e-6) and the step length capped at `maxStep`. Where
 * λ_min(∇²E) ≲ μ (a ghost with s·|F″| ≲ 1e-6, or a fixed point with a near-singular J) the damping makes the
 * convergence linear with rate ≈ μ/(λ_min + μ): pass damping 0 (or a smaller μ) there. Stopping rule
 * (B7: the authors' 1e-16 gradient tolerance is never met in float64, so their loop always runs 100 steps):
 * stop after a step with ‖δ‖ ≤ stepTolerance·(1 + ‖κ‖) ("step"), or when ‖∇E‖ is at its rounding level
 * |(∇E)_a| ≤ 4·(n + 2)·eps·scale(κ)·Σ_i |J_ia| for a = 1, 2 ("gradient": the rounding level of (JᵀF)_a when each
 * F_i carries an error ≈ n·eps·scale), or after maxIterations ("max iterations"), or when F, J or
 * the step is not finite ("non-finite"). Here n = termCount, the number of terms summed in one component of F,
 * and scale(κ) the sum of their magnitudes (see {@link PlanarSystem}).
 *
 * Classification of the end point κ̂ (speed s = ‖F(κ̂)‖):
 * - "not converged": the stopping rule was not met (iteration cap or non-finite values).
 * - "fixed point": s ≤ s_fp = 4·eps·((n + 2)·scale(κ̂) + ‖J‖_F·‖κ̂‖): the speed is at the rounding level of
 *   evaluating F (a sum of n terms of total magnitude `scale` carries an error ≤ ≈ n·eps·scale, Higham's
 *   dot-product bound) plus the error of rounding κ̂ itself to float64 (‖J‖·eps·‖κ̂‖), with a factor 4 of
 *   headroom. Stability from the eigenvalues of J.
 * - "ghost": s > s_fp and ∇²E(κ̂) positive definite: λ_min(∇²E) > tol_H with
 *   tol_H = 4·(n + 2)·eps·(‖JᵀJ‖_F + Σ_i |F_i|·‖∇²F_i‖_F) (the rounding level of ∇²E; Weyl's inequality bounds
 *   an eigenvalue's error by the matrix error). A true local minimum of the speed that is not zero: the ghost
 *   of a saddle-node. J is then singular (∇E = JᵀF = 0 with F ≠ 0, B7), so one eigenvalue of J is ≈ 0 — it is
 *   reported (`slowIndex`) and its ratio to the other checked by the caller if wanted.
 * - "saddle of E": s > s_fp and λ_min(∇²E) < −tol_H (Newton converged to a stationary point of E that is not a
 *   minimum).
 * - "degenerate": s > s_fp and |λ_min(∇²E)| ≤ tol_H (the test cannot tell).
 *
 * Time is in units of τ (the flow of the continuous-time network); speeds in 1/τ.
 */
import { GhostError, requireFinite, requireInteger, requireNonNegative, requireOptions, requirePositive } from "../core/errors";
import { ndFrom } from "../core/nd";
import { eig, leastSquares, solveLinear, symmetricEig } from "./linalg";

const EPS = Number.EPSILON;

/**
 * A planar flow dκ/dt = F(κ) with the derivatives Newton needs. Plain functions of κ = [κ₁, κ₂].
 */
export interface PlanarSystem {
  /** F(κ) = [F₁, F₂]. */
  flow: (kappa: [number, number]) => ArrayLike<number>;
  /** J(κ) = ∂F_i/∂κ_j as rows [[∂F₁/∂κ₁, ∂F₁/∂κ₂], [∂F₂/∂κ₁, ∂F₂/∂κ₂]]. */
  jacobian: (kappa: [number, number]) => ArrayLike<ArrayLike<number>>;
  /** ∇²F_i(κ) for i = 1, 2: hessians[i][a][b] = ∂²F_i/∂κ_a∂κ_b (each symmetric). */
  hessians: (kappa: [number, number]) => ArrayLike<ArrayLike<ArrayLike<number>>>;
  /**
   * Sum of the magnitudes of the terms that make up F at κ (the scale of its rounding error; e.g. for
   * F₁ = x² + r it is |x²| + |r|). Optional; default 1 + ‖κ‖ (systems whose terms are O(1)).
   */
  scale?: (kappa: [number, number]) => number;
  /** Number of terms summed in one component of F (rounding-error growth), integer ≥ 1; default 2. */
  termCount?: number;
}

/** What the Newton refinement converged to (see the module description). */
export type SlowPointClass = "fixed point" | "ghost" | "saddle of E" | "degenerate" | "not converged";

/** Why the Newton loop stopped. */
export type NewtonStop = "step" | "gradient" | "max iterations" | "non-finite";

/** Options of {@link refinePlanarSlowPoint}. All optional. */
export interface PlanarNewtonOptions {
  /** Tikhonov damping μ added to ∇²E, finite ≥ 0. Default 1e-6 (the authors'). */
  damping?: number;
  /** Relative step tolerance: stop after a step ‖δ‖ ≤ stepTolerance·(1 + ‖κ‖). In (0, 1e-2], default 1e-13. */
  stepTolerance?: number;
  /** Iteration cap, integer in [1, 10000], default 100 (the authors'). */
  maxIterations?: number;
  /** Longest step allowed, finite > 0 (longer Newton steps are shortened to it). Default 1. */
  maxStep?: number;
}

const NEWTON_KEYS = ["damping", "stepTolerance", "maxIterations", "maxStep"];

/** A refined slow point of a planar flow, with its linearisation (plain data, plot-ready). */
export interface PlanarSlowPoint {
  /** Where the refinement started. */
  start: [number, number];
  /** The refined point κ̂. */
  kappa: [number, number];
  /** "fixed point", "ghost", "saddle of E", "degenerate" or "not converged". */
  classification: SlowPointClass;
  /** F(κ̂). */
  flow: [number, number];
  /** Speed ‖F(κ̂)‖₂ (units 1/τ). */
  speed: number;
  /** log10 of the speed (−Infinity for an exact zero). */
  logSpeed: number;
  /** ‖∇E(κ̂)‖₂ = ‖JᵀF‖₂. */
  gradientNorm: number;
  /** Newton iterations taken. */
  iterations: number;
  /** Why the loop stopped. */
  stop: NewtonStop;
  /** True unless stop is "max iterations" or "non-finite". */
  converged: boolean;
  /** The fixed-point speed threshold s_fp at κ̂ (module description). */
  fixedPointThreshold: number;
  /** Jacobian J(κ̂) as rows. */
  jacobian: [[number, number], [number, number]];
  /** Eigenvalues of J: real and imaginary parts. */
  eigenvalues: { re: [number, number]; im: [number, number] };
  /** Unit eigenvectors of J: eigenvectors[k] belongs to eigenvalue k (real and imaginary parts). */
  eigenvectors: { re: [number, number]; im: [number, number] }[];
  /** Index (0 or 1) of the slow eigenvalue: min |Re λ| (drawn red by the authors). */
  slowIndex: number;
  /** |λ_slow| / max_k |λ_k| (≈ 0 at a ghost, where J is singular; NaN when both eigenvalues are 0). */
  slowRatio: number;
  /** For a fixed point: "stable" (all Re λ < 0), "unstable" (all > 0), "saddle" (one of each), else "degenerate"; null otherwise. */
  stability: "stable" | "unstable" | "saddle" | "degenerate" | null;
  /**
   * For a ghost: the canonical-form passage time π/√r_eff with r_eff = ½·λ_min(∇²E), in units of τ (else null).
   * Along the slow eigenvector v (Jv = 0) the flow is u̇ ≈ ½F″u² + s (spec A2, F″ the second derivative along
   * v of the component along F), and vᵀ∇²E v = F·D²F[v, v] = s·|F″|, so r_eff = ½|F″|·s ≈ ½λ_min(∇²E) (exact
   * when v is an eigenvector of ∇²E, as in ẋ = x² + ε, where this is π/√ε; an estimate otherwise). It tells a
   * bottleneck (long passage) from a merely positive local minimum of the speed (short passage).
   */
  ghostPassageTime: number | null;
  /** Eigenvalues of ∇²E(κ̂) (undamped), ascending. */
  hessianEigenvalues: [number, number];
  /** The rounding tolerance tol_H used on them (module description). */
  hessianTolerance: number;
}

function requireSystem(name: string, system: unknown): PlanarSystem {
  if (system === null || typeof system !== "object") throw new GhostError(name, system, "a PlanarSystem { flow, jacobian, hessians, scale?, termCount? }");
  const s = system as Partial<PlanarSystem>;
  for (const key of ["flow", "jacobian", "hessians"] as const) {
    if (typeof s[key] !== "function") throw new GhostError(`${name}.${key}`, s[key], "a function of κ = [κ₁, κ₂]");
  }
  if (s.scale !== undefined && typeof s.scale !== "function") throw new GhostError(`${name}.scale`, s.scale, "a function of κ or undefined");
  if (s.termCount !== undefined) requireInteger(`${name}.termCount`, s.termCount, 1);
  return s as PlanarSystem;
}

/** Checks a user function's result is an array of 2 numbers; null when one of them is not finite. */
function vec2(name: string, value: unknown): [number, number] | null {
  const v = value as ArrayLike<unknown>;
  if (v === null || typeof v !== "object" || v.length !== 2 || typeof v[0] !== "number" || typeof v[1] !== "number") {
    throw new GhostError(name, value, "an array of 2 numbers");
  }
  const a = v[0] as number, b = v[1] as number;
  return Number.isFinite(a) && Number.isFinite(b) ? [a, b] : null;
}

function mat2(name: string, value: unknown): [[number, number], [number, number]] | null {
  const v = value as ArrayLike<unknown>;
  if (v === null || typeof v !== "object" || v.length !== 2) throw new GhostError(name, value, "a 2×2 array of rows");
  const r0 = vec2(`${name}[0]`, v[0]), r1 = vec2(`${name}[1]`, v[1]);
  return r0 && r1 ? [r0, r1] : null;
}

/** Everything the loop needs at one κ (null when something is not finite). */
interface Local {
  F: [number, number];
  J: [[number, number], [number, number]];
  H: [[[number, number], [number, number]], [[number, number], [number, number]]];
  scale: number;
}

function evaluate(sys: PlanarSystem, k: [number, number]): Local | null {
  const F = vec2("system.flow(κ)", sys.flow([k[0], k[1]]));
  const J = mat2("system.jacobian(κ)", sys.jacobian([k[0], k[1]]));
  const Hraw = sys.hessians([k[0], k[1]]) as ArrayLike<unknown>;
  if (Hraw === null || typeof Hraw !== "object" || Hraw.length !== 2) throw new GhostError("system.hessians(κ)", Hraw, "an array of two 2×2 arrays");
  const H0 = mat2("system.hessians(κ)[0]", Hraw[0]), H1 = mat2("system.hessians(κ)[1]", Hraw[1]);
  const scaleRaw = sys.scale ? sys.scale([k[0], k[1]]) : 1 + Math.hypot(k[0], k[1]);
  if (typeof scaleRaw !== "number" || Number.isNaN(scaleRaw) || scaleRaw < 0) throw new GhostError("system.scale(κ)", scaleRaw, "a number >= 0");
  if (!F || !J || !H0 || !H1 || !Number.isFinite(scaleRaw)) return null;
  return { F, J, H: [H0, H1], scale: scaleRaw };
}

const fro = (m: [[number, number], [number, number]]) => Math.hypot(m[0][0], m[0][1], m[1][0], m[1][1]);

/** ∇E = JᵀF and ∇²E = JᵀJ + Σ F_i ∇²F_i (undamped), with the magnitude used for tol_H. */
function energyDerivatives(l: Local): { g: [number, number]; H: [[number, number], [number, number]]; hMag: number } {
  const { F, J, H: Hi } = l;
  const g: [number, number] = [J[0][0] * F[0] + J[1][0] * F[1], J[0][1] * F[0] + J[1][1] * F[1]];
  const JtJ: [[number, number], [number, number]] = [
    [J[0][0] * J[0][0] + J[1][0] * J[1][0], J[0][0] * J[0][1] + J[1][0] * J[1][1]],
    [J[0][1] * J[0][0] + J[1][1] * J[1][0], J[0][1] * J[0][1] + J[1][1] * J[1][1]],
  ];
  const H: [[number, number], [number, number]] = [[0, 0], [0, 0]];
  for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) H[a][b] = JtJ[a][b] + F[0] * Hi[0][a][b] + F[1] * Hi[1][a][b];
  // Symmetrise (the two off-diagonal sums round differently).
  const off = 0.5 * (H[0][1] + H[1][0]);
  H[0][1] = off;
  H[1][0] = off;
  const hMag = fro(JtJ) + Math.abs(F[0]) * fro(Hi[0]) + Math.abs(F[1]) * fro(Hi[1]);
  return { g, H, hMag };
}

/**
 * Damped Newton refinement of a slow point of a planar flow from `start`, and its classification (module
 * description): the refined κ̂, its speed, the eigenvalues/eigenvectors of J (slow one marked) and of ∇²E.
 * @param system the flow with its Jacobian and component Hessians ({@link PlanarSystem}).
 * @param start [κ₁, κ₂], finite.
 * @param options see {@link PlanarNewtonOptions}.
 */
export function refinePlanarSlowPoint(system: PlanarSystem, start: ArrayLike<number>, options?: PlanarNewtonOptions): PlanarSlowPoint {
  const sys = requireSystem("system", system);
  if (start === null || typeof start !== "object" || (start as ArrayLike<number>).length !== 2) throw new GhostError("start", start, "[κ₁, κ₂], two finite numbers");
  const k0: [number, number] = [requireFinite("start[0]", start[0]), requireFinite("start[1]", start[1])];
  const o = requireOptions<PlanarNewtonOptions>("options", options, NEWTON_KEYS);
  const damping = o.damping === undefined ? 1e-6 : requireNonNegative("options.damping", o.damping);
  const stepTol = o.stepTolerance === undefined ? 1e-13 : requirePositive("options.stepTolerance", o.stepTolerance);
  if (stepTol > 1e-2) throw new GhostError("options.stepTolerance", stepTol, "a number in (0, 1e-2]");
  const maxIter = o.maxIterations === undefined ? 100 : requireInteger("options.maxIterations", o.maxIterations, 1, 10000);
  const maxStep = o.maxStep === undefined ? 1 : requirePositive("options.maxStep", o.maxStep);
  const n = sys.termCount ?? 2;

  let k: [number, number] = [k0[0], k0[1]];
  let local = evaluate(sys, k);
  let stop: NewtonStop = "max iterations";
  let it = 0;
  while (local !== null && it < maxIter) {
    const { g, H } = energyDerivatives(local);
    const gTol = 4 * (n + 2) * EPS * local.scale;
    const J = local.J;
    if (Math.abs(g[0]) <= gTol * (Math.abs(J[0][0]) + Math.abs(J[1][0])) && Math.abs(g[1]) <= gTol * (Math.abs(J[0][1]) + Math.abs(J[1][1]))) {
      stop = "gradient";
      break;
    }
    const Hd = ndFrom([H[0][0] + damping, H[0][1], H[1][0], H[1][1] + damping], [2, 2]);
    const gv = ndFrom(g);
    let delta: ArrayLike<number>;
    try {
      delta = solveLinear(Hd, gv).data;
    } catch {
      delta = leastSquares(Hd, gv).data;
    }
    let dNorm = Math.hypot(delta[0], delta[1]);
    if (!Number.isFinite(dNorm)) {
      stop = "non-finite";
      break;
    }
    const shrink = dNorm > maxStep ? maxStep / dNorm : 1;
    k = [k[0] - shrink * delta[0], k[1] - shrink * delta[1]];
    dNorm *= shrink;
    it++;
    local = evaluate(sys, k);
    if (local !== null && dNorm <= stepTol * (1 + Math.hypot(k[0], k[1]))) {
      stop = "step";
      break;
    }
  }
  if (local === null) {
    stop = "non-finite";
    local = { F: [NaN, NaN], J: [[NaN, NaN], [NaN, NaN]], H: [[[NaN, NaN], [NaN, NaN]], [[NaN, NaN], [NaN, NaN]]], scale: NaN };
  }
  // Polish (the damped step on E converges only linearly near a regular zero of F, and the step rule can stop it
  // at a speed of ~1e-13, above the rounding level): where J is invertible, take plain Newton steps on F = 0,
  // δ = J⁻¹F, while they shorten; keep the result only if its speed reaches the fixed-point threshold. A ghost is
  // untouched: there J is singular (JᵀF = 0 with F ≠ 0), so no nearby zero exists and the polished speed stays up.
  if ((stop === "step" || stop === "gradient") && Math.hypot(local.F[0], local.F[1]) > fixedPointLevel(local, k, n)) {
    let kp = k, lp: Local | null = local, last = Infinity;
    for (let i = 0; i < 4 && lp !== null; i++) {
      const [[a, b], [c, d]] = lp.J;
      const det = a * d - b * c;
      if (!(Math.abs(det) > 1e-8 * (a * a + b * b + c * c + d * d))) break; // near-singular J: a ghost candidate
      const dx = (d * lp.F[0] - b * lp.F[1]) / det, dy = (-c * lp.F[0] + a * lp.F[1]) / det;
      const len = Math.hypot(dx, dy);
      if (!(len < last) || len > 1e-6 * (1 + Math.hypot(kp[0], kp[1]))) break; // only a local polish
      last = len;
      kp = [kp[0] - dx, kp[1] - dy];
      lp = evaluate(sys, kp);
    }
    if (lp !== null && kp !== k && Math.hypot(lp.F[0], lp.F[1]) <= fixedPointLevel(lp, kp, n)) {
      k = kp;
      local = lp;
    }
  }
  return describePoint(k0, k, local, stop, it, n);
}

/** The fixed-point speed threshold s_fp at κ (module description). */
function fixedPointLevel(l: Local, k: [number, number], n: number): number {
  return 4 * EPS * ((n + 2) * l.scale + fro(l.J) * Math.hypot(k[0], k[1]));
}

function describePoint(start: [number, number], k: [number, number], l: Local, stop: NewtonStop, iterations: number, n: number): PlanarSlowPoint {
  const finite = stop !== "non-finite";
  const speed = Math.hypot(l.F[0], l.F[1]);
  const { g, H, hMag } = finite ? energyDerivatives(l) : { g: [NaN, NaN], H: [[NaN, NaN], [NaN, NaN]], hMag: NaN };
  const threshold = fixedPointLevel(l, k, n);
  const hTol = 4 * (n + 2) * EPS * hMag;
  let eigRe: [number, number] = [NaN, NaN], eigIm: [number, number] = [NaN, NaN];
  let vectors: { re: [number, number]; im: [number, number] }[] = [
    { re: [NaN, NaN], im: [NaN, NaN] },
    { re: [NaN, NaN], im: [NaN, NaN] },
  ];
  let hEig: [number, number] = [NaN, NaN];
  if (finite) {
    const e = eig(ndFrom([l.J[0][0], l.J[0][1], l.J[1][0], l.J[1][1]], [2, 2]));
    eigRe = [e.re.data[0], e.re.data[1]];
    eigIm = [e.im.data[0], e.im.data[1]];
    const vr = e.vectorsRe.data, vi = e.vectorsIm.data;
    vectors = [0, 1].map((c) => ({ re: [vr[c], vr[2 + c]] as [number, number], im: [vi[c], vi[2 + c]] as [number, number] }));
    const h = symmetricEig(ndFrom([H[0][0], H[0][1], H[1][0], H[1][1]], [2, 2]));
    hEig = [h.values.data[0], h.values.data[1]];
  }
  const slowIndex = Math.abs(eigRe[1]) < Math.abs(eigRe[0]) ? 1 : 0;
  const converged = stop === "step" || stop === "gradient";
  let classification: SlowPointClass;
  if (!converged) classification = "not converged";
  else if (speed <= threshold) classification = "fixed point";
  else if (hEig[0] > hTol) classification = "ghost";
  else if (hEig[0] < -hTol) classification = "saddle of E";
  else classification = "degenerate";
  let stability: PlanarSlowPoint["stability"] = null;
  if (classification === "fixed point") {
    const tolJ = 4 * (n + 2) * EPS * Math.max(fro(l.J), l.scale);
    const neg = eigRe.filter((x) => x < -tolJ).length, pos = eigRe.filter((x) => x > tolJ).length;
    stability = neg === 2 ? "stable" : pos === 2 ? "unstable" : neg === 1 && pos === 1 ? "saddle" : "degenerate";
  }
  return {
    start,
    kappa: k,
    classification,
    flow: [l.F[0], l.F[1]],
    speed,
    logSpeed: Math.log10(speed),
    gradientNorm: Math.hypot(g[0], g[1]),
    iterations,
    stop,
    converged,
    fixedPointThreshold: threshold,
    jacobian: [[l.J[0][0], l.J[0][1]], [l.J[1][0], l.J[1][1]]],
    eigenvalues: { re: eigRe, im: eigIm },
    eigenvectors: vectors,
    slowIndex,
    slowRatio: Math.hypot(eigRe[slowIndex], eigIm[slowIndex]) / Math.max(Math.hypot(eigRe[0], eigIm[0]), Math.hypot(eigRe[1], eigIm[1])),
    stability,
    ghostPassageTime: classification === "ghost" ? Math.PI / Math.sqrt(0.5 * hEig[0]) : null,
    hessianEigenvalues: hEig,
    hessianTolerance: hTol,
  };
}

/**
 * The saddle-node normal form in the plane, ẋ = x² + r, ẏ = −y, as a {@link PlanarSystem} (its exact Jacobian,
 * component Hessians and term scale |x²| + |r| + |y|): for r > 0 a ghost at the origin with speed r, for
 * r < 0 a stable node at (−√−r, 0) and a saddle at (+√−r, 0), for r = 0 the saddle-node itself. Used to check the
 * classifier on known answers.
 * @param r finite.
 */
export function saddleNodePlane(r: number): PlanarSystem {
  requireFinite("r", r);
  return {
    flow: ([x, y]) => [x * x + r, -y],
    jacobian: ([x]) => [[2 * x, 0], [0, -1]],
    hessians: () => [[[2, 0], [0, 0]], [[0, 0], [0, 0]]],
    scale: ([x, y]) => x * x + Math.abs(r) + Math.abs(y),
    termCount: 2,
  };
}

/**
 * The distinct points of a list of refined slow points: a point is dropped when an earlier kept point of the same
 * classification lies within `tolerance`·(1 + ‖κ‖) of it (several grid candidates usually refine to one point).
 * Order is kept, so with candidates sorted by speed the first copy is the slowest start's.
 * @param points from {@link refinePlanarSlowPoint} / latentSlowPoints. @param tolerance finite > 0, default 1e-7.
 */
export function distinctSlowPoints(points: PlanarSlowPoint[], tolerance = 1e-7): PlanarSlowPoint[] {
  if (!Array.isArray(points)) throw new GhostError("points", points, "an array of refined slow points");
  requirePositive("tolerance", tolerance);
  points.forEach((p, i) => {
    if (p === null || typeof p !== "object" || !Array.isArray(p.kappa) || p.kappa.length !== 2 || typeof p.classification !== "string") {
      throw new GhostError(`points[${i}]`, p, "a refined slow point { kappa: [κ₁, κ₂], classification, … }");
    }
  });
  const kept: PlanarSlowPoint[] = [];
  for (const p of points) {
    const [a, b] = p.kappa;
    const dup = kept.some((q) => q.classification === p.classification && Math.hypot(q.kappa[0] - a, q.kappa[1] - b) <= tolerance * (1 + Math.hypot(a, b)));
    if (!dup) kept.push(p);
  }
  return kept;
}

/**
 * One line describing a refined slow point, for notebooks and check tables, e.g.
 * `ghost at κ = (0.7081, 0.0000): speed 1.000e-3, λ(J) = 3.1e-13 (slow), -0.5000, passage ≈ 84.5 τ`.
 * @param point from {@link refinePlanarSlowPoint} / latentSlowPoints.
 */
export function describeSlowPoint(point: PlanarSlowPoint): string {
  const pair = (v: unknown) => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number");
  const p = point as Partial<PlanarSlowPoint> | null;
  if (p === null || typeof p !== "object" || !pair(p.kappa) || typeof p.speed !== "number" || typeof p.classification !== "string" ||
    p.eigenvalues === null || typeof p.eigenvalues !== "object" || !pair(p.eigenvalues.re) || !pair(p.eigenvalues.im)) {
    throw new GhostError("point", point, "a refined slow point from analysis.refinePlanarSlowPoint or analysis.latentSlowPoints");
  }
  const num = (x: number) => (Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(1));
  const lam = [0, 1].map((k) => {
    const re = point.eigenvalues.re[k], im = point.eigenvalues.im[k];
    const z = im === 0 ? num(re) : `${num(re)}${im < 0 ? "−" : "+"}${num(Math.abs(im))}i`;
    return k === point.slowIndex ? `${z} (slow)` : z;
  });
  const what = point.classification === "fixed point" && point.stability ? `fixed point (${point.stability})` : point.classification;
  const passage = point.ghostPassageTime !== null && point.ghostPassageTime !== undefined ? `, passage ≈ ${point.ghostPassageTime.toPrecision(3)} τ` : "";
  return `${what} at κ = (${point.kappa[0].toFixed(4)}, ${point.kappa[1].toFixed(4)}): speed ${point.speed.toExponential(3)}, λ(J) = ${lam.join(", ")}${passage}`;
}
