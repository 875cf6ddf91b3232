/**
 * One-dimensional latent flows dκ/dt = f(κ) and their evaluation on a κ grid.
 *
 * The analysis layer never knows which model a flow comes from: every model that reduces to a 1-D
 * latent flow (the rank-one RNN of spec A5: f(κ) = −κ + Σ_i n_i tanh(m_i κ + b_i); the toy saddle-node
 * ẋ = x² + r) is handed over as a {@link Flow1D}, built from the model's own vector-field function
 * ("one vector field per model": the analysis layer never re-implements a model's equation).
 *
 * Time is in units of the model's time constant τ; the discrete-time network advances by the leak
 * α = dt/τ per step (κ_{t+1} = κ_t + α·f(κ_t) for the rank-one RNN).
 */
import { GhostError, requireFiniteArray, requireIncreasing, requireInteger } from "../core/errors";
import { linspace } from "../core/arrays";

/** A one-dimensional flow dκ/dt = f(κ) with its derivatives: the models layer's rule type (models/flow.ts). */
export type { Flow1D } from "../models/flow";
import type { Flow1D } from "../models/flow";

/** Lower end of the spec's κ grid (spec A5: linspace(−15, 15, 1000)). */
export const KAPPA_GRID_MIN = -15;
/** Upper end of the spec's κ grid. */
export const KAPPA_GRID_MAX = 15;
/** Number of points of the spec's κ grid. */
export const KAPPA_GRID_POINTS = 1000;
/** First grid index shown in the paper's flow plots (κ ≈ −9.0). */
export const DISPLAY_WINDOW_START = 200;
/** One past the last grid index shown in the paper's flow plots (index 799, κ ≈ 9.0). */
export const DISPLAY_WINDOW_END = 800;

/**
 * The spec's κ grid: linspace(−15, 15, 1000) (spec A5), a fresh Float64Array of length 1000.
 */
export function defaultKappaGrid(): Float64Array {
  return linspace(KAPPA_GRID_MIN, KAPPA_GRID_MAX, KAPPA_GRID_POINTS);
}

/** A flow evaluated on a grid: plain arrays of equal length (JSON- and Plotly-ready). */
export interface FlowCurve {
  /** Grid points κ_j, strictly increasing, length G. */
  kappa: number[];
  /** dκ/dt = f(κ_j), length G. */
  dkappaDt: number[];
}

/**
 * Throws a GhostError unless `flow` has callable `f` and `df` (and `d2f`, when present, is callable).
 * Returns the flow narrowed to {@link Flow1D}.
 */
export function requireFlow1D(name: string, flow: unknown): Flow1D {
  const allowed = "an object with functions f(kappa) and df(kappa) (and optionally d2f(kappa))";
  if (flow === null || typeof flow !== "object") throw new GhostError(name, flow, allowed);
  const o = flow as Record<string, unknown>;
  if (typeof o.f !== "function") throw new GhostError(`${name}.f`, o.f, "a function kappa => dkappa/dt");
  if (typeof o.df !== "function") throw new GhostError(`${name}.df`, o.df, "a function kappa => f'(kappa)");
  if (o.d2f !== undefined && typeof o.d2f !== "function") {
    throw new GhostError(`${name}.d2f`, o.d2f, "a function kappa => f''(kappa) or undefined");
  }
  if (o.fGrid !== undefined && typeof o.fGrid !== "function") {
    throw new GhostError(`${name}.fGrid`, o.fGrid, "a function (grid, out) => void writing f(grid[j]) into out[j], or undefined");
  }
  return flow as Flow1D;
}

/**
 * Throws a GhostError unless `grid` is a non-empty, finite, strictly increasing array.
 * A single point is allowed (minLength 1) unless told otherwise.
 */
export function requireKappaGrid(name: string, grid: unknown, minLength = 1): ArrayLike<number> {
  return requireIncreasing(name, grid, minLength);
}

/**
 * f(κ) checked for finiteness: throws a GhostError naming κ and the value when the flow returns
 * NaN or ±Infinity (a diverged model must not be analysed silently).
 */
export function evalFlow(flow: Flow1D, kappa: number): number {
  if (typeof flow?.f !== "function") requireFlow1D("flow", flow);
  if (typeof kappa !== "number") throw new GhostError("kappa", kappa, "a number");
  const v = flow.f(kappa);
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new GhostError(`flow.f(${kappa})`, v, "a finite number (the flow diverged or is undefined here)");
  }
  return v;
}

/** f′(κ) checked for finiteness (as {@link evalFlow}). */
export function evalSlope(flow: Flow1D, kappa: number): number {
  if (typeof flow?.df !== "function") requireFlow1D("flow", flow);
  if (typeof kappa !== "number") throw new GhostError("kappa", kappa, "a number");
  const v = flow.df(kappa);
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new GhostError(`flow.df(${kappa})`, v, "a finite number (the flow diverged or is undefined here)");
  }
  return v;
}

/**
 * f″(κ): `flow.d2f(κ)` when provided, otherwise the central difference
 * (f′(κ + δ) − f′(κ − δ)) / (2δ) with δ = ∛ε·max(1, |κ|) ≈ 6.1e-6·max(1, |κ|)
 * (truncation error ≈ δ²·|f⁗|/6, rounding error ≈ ε·|f′|/δ: about 1e-10 relative for smooth flows of
 * order-one scale). Throws a GhostError if the result is not finite.
 */
export function secondDerivative(flow: Flow1D, kappa: number): number {
  requireFlow1D("flow", flow);
  if (typeof kappa !== "number") throw new GhostError("kappa", kappa, "a number");
  let v: number;
  if (flow.d2f) {
    v = flow.d2f(kappa);
  } else {
    const delta = Math.cbrt(Number.EPSILON) * Math.max(1, Math.abs(kappa));
    v = (flow.df(kappa + delta) - flow.df(kappa - delta)) / (2 * delta);
  }
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new GhostError(`flow.d2f(${kappa})`, v, "a finite number (the flow diverged or is undefined here)");
  }
  return v;
}

/**
 * Values f(κ_j) on a grid as a Float64Array (length G = grid length). Internal workhorse of the
 * analysis layer; throws a GhostError on a non-finite value (naming the first such κ_j, as {@link evalFlow}).
 * Uses the flow's batch evaluator `fGrid` when it has one (the same values as `f` point by point, faster),
 * else calls `f` at each point.
 */
export function flowValues(flow: Flow1D, kappaGrid: ArrayLike<number>): Float64Array {
  requireFlow1D("flow", flow);
  requireFiniteArray("kappaGrid", kappaGrid, { minLength: 0 });
  const out = new Float64Array(kappaGrid.length);
  if (flow.fGrid === undefined) {
    for (let j = 0; j < kappaGrid.length; j++) out[j] = evalFlow(flow, kappaGrid[j]);
    return out;
  }
  flow.fGrid(kappaGrid, out);
  for (let j = 0; j < out.length; j++) {
    const v = out[j];
    if (!Number.isFinite(v)) {
      throw new GhostError(`flow.f(${kappaGrid[j]})`, v, "a finite number (the flow diverged or is undefined here)");
    }
  }
  return out;
}

/**
 * Evaluates dκ/dt = f(κ) on a κ grid.
 *
 * @param flow the flow (see {@link Flow1D}).
 * @param kappaGrid strictly increasing finite grid, length G ≥ 1; default the spec's
 *   linspace(−15, 15, 1000).
 * @returns `{ kappa, dkappaDt }`, two plain number[] of length G.
 * @throws GhostError on an invalid flow or grid, or a non-finite f value.
 */
export function evaluateFlow(flow: Flow1D, kappaGrid?: ArrayLike<number>): FlowCurve {
  requireFlow1D("flow", flow);
  const grid = kappaGrid === undefined ? defaultKappaGrid() : requireKappaGrid("kappaGrid", kappaGrid);
  const values = flowValues(flow, grid);
  return { kappa: Array.from(grid), dkappaDt: Array.from(values) };
}

/**
 * The part of a flow curve the paper's figures show: grid indices [start, end) (default 200…799 of
 * the 1000-point grid, κ ≈ −9.0 … 9.0; spec A5).
 *
 * @param curve a curve from {@link evaluateFlow}.
 * @param start first index, integer in [0, G − 1] (default 200).
 * @param end one past the last index, integer in (start, G] (default 800).
 * @returns a new FlowCurve with end − start points.
 */
export function flowDisplayWindow(
  curve: FlowCurve,
  start: number = DISPLAY_WINDOW_START,
  end: number = DISPLAY_WINDOW_END,
): FlowCurve {
  if (curve === null || typeof curve !== "object" || !Array.isArray(curve.kappa) || !Array.isArray(curve.dkappaDt)) {
    throw new GhostError("curve", curve, "a FlowCurve { kappa: number[], dkappaDt: number[] }");
  }
  const g = curve.kappa.length;
  if (curve.dkappaDt.length !== g) {
    throw new GhostError("curve.dkappaDt.length", curve.dkappaDt.length, `${g} (the length of curve.kappa)`);
  }
  requireInteger("start", start, 0, Math.max(0, g - 1));
  requireInteger("end", end, start + 1, g);
  return { kappa: curve.kappa.slice(start, end), dkappaDt: curve.dkappaDt.slice(start, end) };
}

