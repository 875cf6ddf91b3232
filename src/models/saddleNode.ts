/**
 * The saddle-node toy model of abrupt learning (spec A1–A3):
 *
 *     dx/dt = x² + r,   x(0) = 0,   output o(t) = σ(c·(x(t) − x*)),   target y(t) = H(t − T) on [0, 2T].
 *
 * r < 0: fixed points ±√(−r) (left stable, right unstable); r = 0: saddle-node; r > 0: no fixed point, a ghost at
 * x = 0 where the flow is slow (ẋ ≈ r) and the state blows up at t∞ = π/(2√r).
 *
 * Closed forms (high-confidence limit, spec A2, the authors' gradient convention g = dE/dr):
 *   t*(r) = π/(2√r);  E(r) = |T − t*(r)| if t* ≤ 2T else T;  L(r) = E(r)/T ∈ [0, 1];
 *   r* = π²/(4T²) (L = 0), r* / 4 = π²/(16T²) (edge of the no-learning zone, L ≡ 1 and g = 0 below it);
 *   g(r) = +π/(4 r^{3/2}) (r > r*), −π/(4 r^{3/2}) (r* / 4 ≤ r ≤ r*), 0 (r < r* / 4);
 *   η_c = 3π⁴/(32T⁵);  plateau length k* = 8(r₀^{5/2} − r*^{5/2})/(5πη).
 */
import { GhostError, requireFinite, requireFiniteArray, requireInRange, requireNonNegative, requireOptions, requirePositive } from "../core/errors";
import { Rng } from "../core/rng";
import { sigmoid } from "../core/math";
import type { Flow1D } from "./flow";

// Math functions bound once: hot loops then avoid a global lookup per call (which is several times slower inside
// vm contexts such as jest's test environment; no effect on results).
const { sqrt: mathSqrt, pow: mathPow, abs: mathAbs, PI } = Math;

/**
 * The one vector field of the toy model: f(x; r) = x² + r. Simulation and fixed-point code both call it.
 * Not validated (hot loop); the public simulators validate x and r.
 */
export function saddleNodeField(x: number, r: number): number {
  return x * x + r;
}

/**
 * The toy model's rule as one flow object (value, slope, curvature) for a fixed r: f(x) = x² + r, f′(x) = 2x,
 * f″(x) = 2. The fixed points, the ghost and the analysis layer's finders use it; the Euler simulation's hot loop
 * calls {@link saddleNodeField} directly (the same function `f` calls). Not validated (r a finite number).
 */
export function saddleNodeFlow(r: number): Flow1D {
  return { f: (x: number) => saddleNodeField(x, r), df: saddleNodeSlope, d2f: () => 2 };
}

/** The state clamp applied after every Euler step (spec A3 / D4): prevents x² from overflowing. */
export const TOY_CLAMP = 1e6;

/** Options of the toy simulation; defaults are the paper's (spec A3). */
export interface ToySimulationOptions {
  /** Output-sigmoid slope c > 0 (default 1). */
  confidence?: number;
  /** Task timescale T > 0: the target switches at t = T, the trial lasts 2T (default 100). */
  horizon?: number;
  /** Euler step dt > 0 (default 0.1); 2T/dt is rounded to an integer number of steps. */
  dt?: number;
  /** Readout threshold x* (default 10). */
  threshold?: number;
  /** Noise amplitude ε ≥ 0 (default 0): x += √dt·ε·N(0,1) each step; needs `rng` when > 0. */
  noise?: number;
  /** Random source for the noise (required when noise > 0). */
  rng?: Rng;
}

/** The options of the toy simulation (anything else is refused as a misspelling). */
const TOY_SIMULATION_OPTIONS = ["confidence", "horizon", "dt", "threshold", "noise", "rng"] as const;

function toyOptions(opts: ToySimulationOptions | undefined) {
  const o = requireOptions<ToySimulationOptions>("options", opts, TOY_SIMULATION_OPTIONS);
  const confidence = o.confidence === undefined ? 1 : requirePositive("confidence", o.confidence);
  const horizon = o.horizon === undefined ? 100 : requirePositive("horizon", o.horizon);
  const dt = o.dt === undefined ? 0.1 : requirePositive("dt", o.dt);
  const threshold = o.threshold === undefined ? 10 : requireFinite("threshold", o.threshold);
  const noise = o.noise === undefined ? 0 : requireNonNegative("noise", o.noise);
  if (noise > 0 && !(o.rng instanceof Rng)) throw new GhostError("rng", o.rng, "an Rng when noise > 0");
  const nSteps = Math.round((2 * horizon) / dt);
  if (nSteps < 1 || nSteps > 1e8) throw new GhostError("horizon/dt", `${horizon}/${dt}`, "2·horizon/dt rounding to between 1 and 1e8 steps");
  return { confidence, horizon, dt, threshold, noise, rng: o.rng, nSteps };
}

/** A simulated toy trajectory: states x_i after step i (i = 1…n), outputs o_i and targets y_i, all length n. */
export interface ToyTrajectory {
  /** Times t_i = i·dt, shape [n]. */
  time: Float64Array;
  /** States after each Euler step (clamped at 1e6), shape [n]. */
  x: Float64Array;
  /** Outputs σ(c(x_i − x*)), shape [n]. */
  output: Float64Array;
  /** Targets: 1 when (i+1) − T/dt > 0 (spec A3), else 0, shape [n]. */
  target: Float64Array;
}

/**
 * The readout of the toy model, o = σ(c·(x − x*)) (numerically stable for any x, including the 1e6 clamp).
 * @param x state
 * @param confidence c > 0 (the sigmoid slope; not validated here: the hot loop calls this)
 * @param threshold x*
 */
export function toyReadout(x: number, confidence: number, threshold: number): number {
  return sigmoid(confidence * (x - threshold));
}

/**
 * The delayed-activation target at Euler step `step` (1-based: the state after the step-th update, time
 * step·dt): y = 1 if step − T/dt > 0, else 0 (spec A3; with T = 100, dt = 0.1 steps 1001…2000 are 1).
 * Not validated (hot loop; simulateSaddleNode validates T and dt).
 */
export function toyTarget(step: number, horizon: number, dt: number): number {
  return step - horizon / dt > 0 ? 1 : 0;
}

/**
 * Simulates dx/dt = x² + r from x(0) = 0 by explicit Euler, exactly the spec A3 loop:
 * x ← x + dt·f(x; r) + √dt·ε·N(0,1) with f = {@link saddleNodeField}, then x ← min(x, 1e6).
 * Arrays have length n = round(2T/dt); entry i is the state after step i + 1 (time (i + 1)·dt).
 * @param r the control parameter (finite)
 * @param opts confidence c > 0, horizon T > 0, dt > 0, threshold x*, noise ε ≥ 0 (+ rng when ε > 0)
 */
export function simulateSaddleNode(r: number, opts?: ToySimulationOptions): ToyTrajectory {
  requireFinite("r", r);
  const o = toyOptions(opts);
  const n = o.nSteps;
  const time = new Float64Array(n), x = new Float64Array(n), output = new Float64Array(n), target = new Float64Array(n);
  const sq = Math.sqrt(o.dt) * o.noise;
  let s = 0;
  for (let i = 0; i < n; i++) {
    s = s + o.dt * saddleNodeField(s, r) + (o.noise > 0 ? sq * (o.rng as Rng).normal() : 0);
    if (s > TOY_CLAMP) s = TOY_CLAMP;
    time[i] = (i + 1) * o.dt;
    x[i] = s;
    output[i] = toyReadout(s, o.confidence, o.threshold);
    target[i] = toyTarget(i + 1, o.horizon, o.dt);
  }
  return { time, x, output, target };
}

/**
 * Simulated normalised loss L_sim(r) = dt·Σ_i (o_i − y_i)² / T over the n = round(2T/dt) Euler steps (spec A3).
 * In [0, 2] in general; the noise-free c → ∞, dt → 0, x* → ∞ limit is the analytic {@link toyLoss}.
 * Defaults: confidence 1, horizon 100, dt 0.1, threshold 10, noise 0.
 */
export function simulatedLoss(r: number, opts?: ToySimulationOptions): number {
  requireFinite("r", r);
  const o = toyOptions(opts);
  const { output, target } = simulateSaddleNode(r, opts);
  let err = 0;
  for (let i = 0; i < output.length; i++) err += (output[i] - target[i]) ** 2;
  return (err * o.dt) / o.horizon;
}

/**
 * Time at which the Euler trajectory from x(0) = 0 first exceeds the threshold x* (the first step i with
 * x_i > x*, time i·dt), or +∞ if it does not within `maxTime`. Noise-free. For r > 0 it approximates the exact
 * crossing arctan(x* · r^(−1/2)) · r^(−1/2) plus the Euler lag ≈ dt·½·ln(1 + x*² / r) (see the tests).
 * @param r control parameter (finite)
 * @param opts dt > 0 (default 0.01), threshold x* (default 10), maxTime > 0 (default 1e4; at most 1e8 steps)
 */
export function simulatedCrossingTime(r: number, opts: { dt?: number; threshold?: number; maxTime?: number } = {}): number {
  requireFinite("r", r);
  const o = requireOptions<{ dt: number; threshold: number; maxTime: number }>("options", opts);
  const dt = o.dt === undefined ? 0.01 : requirePositive("dt", o.dt);
  const threshold = o.threshold === undefined ? 10 : requireFinite("threshold", o.threshold);
  const maxTime = o.maxTime === undefined ? 1e4 : requirePositive("maxTime", o.maxTime);
  const nMax = Math.ceil(maxTime / dt);
  if (nMax > 1e8) throw new GhostError("maxTime/dt", `${maxTime}/${dt}`, "at most 1e8 steps");
  let s = 0;
  for (let i = 1; i <= nMax; i++) {
    s = s + dt * saddleNodeField(s, r);
    if (s > TOY_CLAMP) s = TOY_CLAMP;
    if (s > threshold) return i * dt;
  }
  return Infinity;
}

/**
 * The vector field on a grid, f(x_j; r) = x_j² + r (calls {@link saddleNodeField}); shape [xs.length].
 */
export function toyFlow(xs: ArrayLike<number>, r: number): Float64Array {
  requireFinite("r", r);
  requireFiniteArray("xs", xs);
  return Float64Array.from({ length: xs.length }, (_, j) => saddleNodeField(xs[j], r));
}

/**
 * Range of the horizon T accepted by the closed forms: [1e-6, 1e6] (the paper uses 100). Within it r*, η_c and the
 * gradient are finite for every finite r (outside it T⁵ or r^(3/2) over/underflow float64).
 */
export const TOY_HORIZON_RANGE: readonly [number, number] = [1e-6, 1e6];

function checkHorizon(horizon: number): number {
  return requireInRange("horizon", horizon, TOY_HORIZON_RANGE[0], TOY_HORIZON_RANGE[1]);
}

/** r* = π²/(4T²): the crossing time equals T, the global minimum L = 0. @param horizon T in [1e-6, 1e6]. */
export function rStar(horizon = 100): number {
  checkHorizon(horizon);
  return (Math.PI * Math.PI) / (4 * horizon * horizon);
}

/** Blow-up (threshold-crossing) time t*(r) = π/(2√r) for r > 0; +∞ for r ≤ 0 (never crosses). */
export function crossingTime(r: number): number {
  requireFinite("r", r);
  return r > 0 ? Math.PI / (2 * Math.sqrt(r)) : Infinity;
}

/** Unnormalised high-confidence error E(r) = |T − t*(r)| if r > r* / 4, else T (spec A2, A9 #4). */
export function toyError(r: number, horizon = 100): number {
  requireFinite("r", r);
  checkHorizon(horizon);
  return toyErrorKernel(r, horizon, rStar(horizon));
}

/**
 * Unvalidated E(r) for hot loops (same arithmetic as {@link toyError}, bit-identical): the caller guarantees a
 * finite r, horizon T > 0 and rs = rStar(T).
 */
export function toyErrorKernel(r: number, horizon: number, rs: number): number {
  if (r <= rs / 4) return horizon;
  return mathAbs(horizon - PI / (2 * mathSqrt(r)));
}

/** Normalised analytic loss L(r) = E(r)/T ∈ [0, 1]: 1 in the no-learning zone r ≤ r* / 4, 1 − √(r* / r) above r*. */
export function toyLoss(r: number, horizon = 100): number {
  return toyError(r, horizon) / horizon;
}

/**
 * The gradient g(r) = dE/dr of the unnormalised error (the authors' convention, spec A2 / A9 #2):
 * +π/(4 r^{3/2}) for r > r*, −π/(4 r^{3/2}) for r* / 4 ≤ r ≤ r* (inclusive bounds, as coded), 0 below r* / 4.
 */
export function toyGradient(r: number, horizon = 100): number {
  requireFinite("r", r);
  return toyGradientKernel(r, rStar(horizon));
}

/**
 * Unvalidated g(r) for hot loops (same arithmetic as {@link toyGradient}, bit-identical): the caller guarantees
 * a finite r and rs = rStar(T).
 */
export function toyGradientKernel(r: number, rs: number): number {
  if (r < rs / 4) return 0;
  const mag = PI / (4 * mathPow(r, 1.5));
  return r > rs ? mag : -mag;
}

/** Critical learning rate η_c = 3π⁴/(32T⁵): above it a GD step from r > r* can land in the no-learning zone. */
export function criticalLearningRate(horizon = 100): number {
  checkHorizon(horizon);
  return (3 * Math.PI ** 4) / (32 * horizon ** 5);
}

/**
 * Plateau length k* = 8(r₀^{5/2} − r*^{5/2})/(5πη): the continuum-limit number of GD epochs from r₀ > r* down
 * to r* (spec A2). 1535.3 for r₀ = 10r*, η = 1e-10, T = 100.
 */
export function plateauLength(r0: number, learningRate: number, horizon = 100): number {
  const rs = rStar(horizon);
  requireFinite("r0", r0);
  if (r0 <= rs) throw new GhostError("r0", r0, `a value > r* = ${rs}`);
  requirePositive("learningRate", learningRate);
  const k = (8 * (Math.pow(r0, 2.5) - Math.pow(rs, 2.5))) / (5 * Math.PI * learningRate);
  if (!Number.isFinite(k)) {
    throw new GhostError("r0/learningRate", `${r0}/${learningRate}`, "values whose plateau length 8(r0^2.5 − r*^2.5)/(5π·learningRate) is a finite number");
  }
  return k;
}

/**
 * ∂f/∂x of the toy field f(x; r) = x² + r, i.e. 2x (independent of r): the stability of a fixed point.
 * Not validated (a scalar formula; x a number).
 */
export function saddleNodeSlope(x: number): number {
  return 2 * x;
}

/** A fixed point of the toy flow with its stability (sign of f′). */
export interface ToyFixedPoint {
  /** Location x with f(x; r) = 0. */
  x: number;
  /** f′(x) = 2x ({@link saddleNodeSlope}). */
  derivative: number;
  /** f(x; r) evaluated by {@link saddleNodeField} (0 up to rounding: a check that this is a fixed point). */
  residual: number;
  /** stable if f′ < 0, unstable if f′ > 0, degenerate (half-stable saddle-node) if f′ = 0. */
  stability: "stable" | "unstable" | "degenerate";
}

/**
 * Fixed points of ẋ = x² + r: ±√(−r) for r < 0 (−√(−r) stable, +√(−r) unstable), x = 0 (degenerate, the
 * saddle-node) at r = 0, none for r > 0 (a ghost remains, see {@link toyGhost}). Sorted by x.
 */
export function toyFixedPoints(r: number): ToyFixedPoint[] {
  requireFinite("r", r);
  if (r > 0) return [];
  const s = Math.sqrt(-r);
  const xs = r === 0 ? [0] : [-s, s];
  const flow = saddleNodeFlow(r);
  return xs.map((x) => {
    const derivative = flow.df(x);
    const stability: ToyFixedPoint["stability"] = derivative < 0 ? "stable" : derivative > 0 ? "unstable" : "degenerate";
    return { x, derivative, residual: flow.f(x), stability };
  });
}

/** The ghost (bottleneck) of the toy flow for r > 0. */
export interface ToyGhost {
  /** Location of the bottleneck: the minimum of f, x = 0. */
  x: number;
  /** Flow speed there, f(0; r) = r > 0 (the ghost's "distance" from the ẋ = 0 line). */
  speed: number;
  /** Time from x(0) = 0 to blow-up, t* = π/(2√r) (the task's crossing time, spec A2). */
  crossingTime: number;
  /** Time to traverse the whole bottleneck from x = −∞ to +∞, π/√r (Strogatz's passage time). */
  bottleneckTime: number;
}

/** The ghost of ẋ = x² + r for r > 0 (location, speed, passage times ∝ r^(−1/2)); null for r ≤ 0. */
export function toyGhost(r: number): ToyGhost | null {
  requireFinite("r", r);
  if (!(r > 0)) return null;
  const speed = saddleNodeFlow(r).f(0);
  return { x: 0, speed, crossingTime: Math.PI / (2 * Math.sqrt(r)), bottleneckTime: Math.PI / Math.sqrt(r) };
}

/** The four regimes of the toy loss landscape (spec A2). */
export type ToyRegime = "no-learning zone" | "below optimum" | "oscillatory minimum" | "above optimum";

/**
 * Classifies r: r ≤ r* / 4 no-learning zone; r* / 4 < r < r* below optimum; |r − r*| ≤ tol·r* oscillatory minimum;
 * r > r* above optimum. `relativeTolerance` (default 1e-9) widens the minimum to a band around r*.
 */
export function toyRegime(r: number, horizon = 100, relativeTolerance = 1e-9): ToyRegime {
  requireFinite("r", r);
  requireNonNegative("relativeTolerance", relativeTolerance);
  const rs = rStar(horizon);
  if (r <= rs / 4) return "no-learning zone";
  if (Math.abs(r - rs) <= relativeTolerance * rs) return "oscillatory minimum";
  return r < rs ? "below optimum" : "above optimum";
}
