/**
 * Fixed points of a 1-D flow dκ/dt = f(κ), returned with their slope and stability (never as bare
 * coordinates), plus the spec's raw count of sign flips of f on the grid.
 *
 * Detection on a grid κ_0 < … < κ_{G−1} (default the spec's linspace(−15, 15, 1000)):
 * 1. grid zeros: f(κ_j) = 0 exactly → a fixed point at κ_j ("grid-zero");
 * 2. sign changes: f(κ_j), f(κ_{j+1}) non-zero with opposite signs → one root refined by safeguarded
 *    Newton–bisection inside the cell ("sign-change");
 * 3. sub-grid extrema: in a cell next to a discrete local minimum of |f(κ_j)|, with f(κ_j), f(κ_{j+1}) of
 *    the same sign s and |f| decreasing at κ_j but not at κ_{j+1} (s·f′(κ_j) < 0 ≤ s·f′(κ_{j+1})), the
 *    extremum κ_e (f′(κ_e) = 0) is refined; if s·f(κ_e) < 0
 *    the cell holds two roots (a pair hidden between grid points, "hidden-pair"); if
 *    |f(κ_e)| ≤ zeroTolerance f touches zero there (a saddle-node / tangency, "tangency").
 * Roots outside the grid are not seen. Several roots inside one cell beyond the cases above (three
 * crossings in one cell) are reported as one.
 *
 * Stability from the slope λ = f′(κ*) (the eigenvalue of the linearised flow):
 * "stable" λ < −degenerateSlope, "unstable" λ > degenerateSlope, "degenerate" |λ| ≤ degenerateSlope.
 * With a leak α (discrete network κ_{t+1} = κ_t + α f(κ_t)) the map multiplier 1 + α·λ is reported too;
 * the discrete map is stable iff |1 + αλ| < 1.
 */
import { GhostError, requireFinite, requireFiniteArray, requireInteger, requireNonNegative, requireInRange, requireOptions } from "../core/errors";
import {
  Flow1D,
  defaultKappaGrid,
  evalFlow,
  evalSlope,
  flowValues,
  requireFlow1D,
  requireKappaGrid,
  secondDerivative,
} from "./flow";
import { bracketedRoot } from "./roots";

/** Stability of a fixed point of a 1-D flow, from the sign of f′(κ*). */
export type Stability = "stable" | "unstable" | "degenerate";

/** How a fixed point was detected (see the module description). */
export type FixedPointOrigin = "grid-zero" | "sign-change" | "hidden-pair" | "tangency";

/** A fixed point κ* of dκ/dt = f(κ) with its linearisation. */
export interface FixedPoint {
  /** Location κ*. */
  kappa: number;
  /** f(κ*) after refinement (the residual; 0 for an exact zero). */
  residual: number;
  /** λ = f′(κ*), the eigenvalue of the flow linearised at κ* (units 1/τ). */
  slope: number;
  /** "stable" (λ < 0), "unstable" (λ > 0) or "degenerate" (|λ| ≤ degenerateSlope). */
  stability: Stability;
  /** Multiplier 1 + α·λ of the discrete map κ ↦ κ + α f(κ); null when no leak was given. */
  mapMultiplier: number | null;
  /** How it was detected. */
  origin: FixedPointOrigin;
  /** Grid cell [κ_j, κ_{j+1}] that contained it (both equal to κ_j for a grid zero). */
  bracket: [number, number];
  /** Refinement iterations used (0 for a grid zero). */
  iterations: number;
  /** Whether refinement met its tolerance within the iteration cap. */
  converged: boolean;
}

/** Options of {@link findFixedPoints}. All optional. */
export interface FixedPointOptions {
  /** Strictly increasing finite grid, length ≥ 2 (default linspace(−15, 15, 1000), spec A5). */
  kappaGrid?: ArrayLike<number>;
  /**
   * Relative location tolerance of the refinement, in (0, 0.1]: refinement stops when the bracket or the
   * last step is ≤ tolerance·max(1, |κ|). Default 1e-13.
   */
  tolerance?: number;
  /** Iteration cap per refinement, integer in [1, 10000]. Default 200 (bisection alone needs ≤ ~60). */
  maxIterations?: number;
  /** |f′(κ*)| at or below this → "degenerate". Finite ≥ 0, default 1e-9. */
  degenerateSlope?: number;
  /**
   * A refined extremum of f with |f| ≤ zeroTolerance counts as touching zero (tangency, one degenerate
   * fixed point). Finite ≥ 0, default 1e-12 (above the rounding noise of a sum of ~100 O(1) terms).
   */
  zeroTolerance?: number;
  /** Leak α = dt/τ in (0, 1] to report the discrete-map multiplier 1 + α f′(κ*). Default: none. */
  leak?: number;
}

/** Result of {@link findFixedPoints}. */
export interface FixedPointReport {
  /** Fixed points sorted by κ. */
  fixedPoints: FixedPoint[];
  /**
   * The spec's raw count (A5, `count_flips` of f > 0 in Figure3/code/Fixed point test/print_result.py):
   * the number of j with (f(κ_j) > 0) ≠ (f(κ_{j+1}) > 0). Equals fixedPoints.length for simple, well
   * separated roots; differs for grid zeros, tangencies and hidden pairs.
   */
  signFlipCount: number;
  /** Number of grid points G. */
  gridPoints: number;
}

/** Resolved options (internal). */
export interface ResolvedFixedPointOptions {
  tolerance: number;
  maxIterations: number;
  degenerateSlope: number;
  zeroTolerance: number;
  leak: number | null;
}

/** Validates and fills in the numeric options shared by fixed-point and ghost analysis. */
export function resolveFixedPointOptions(options: Partial<FixedPointOptions>): ResolvedFixedPointOptions {
  const o = requireOptions<FixedPointOptions>("options", options);
  return {
    tolerance: o.tolerance === undefined ? 1e-13 : requireInRange("tolerance", o.tolerance, 0, 0.1, { minExclusive: true }),
    maxIterations: o.maxIterations === undefined ? 200 : requireInteger("maxIterations", o.maxIterations, 1, 10000),
    degenerateSlope: o.degenerateSlope === undefined ? 1e-9 : requireNonNegative("degenerateSlope", o.degenerateSlope),
    zeroTolerance: o.zeroTolerance === undefined ? 1e-12 : requireNonNegative("zeroTolerance", o.zeroTolerance),
    leak: o.leak === undefined ? null : requireInRange("leak", o.leak, 0, 1, { minExclusive: true }),
  };
}

/**
 * count_flips(values > 0) of the authors' code: the number of adjacent pairs whose "is positive" flags
 * differ. A value exactly 0 counts as not positive (so +,0,+ gives 2 and −,0,− gives 0).
 *
 * @param values finite numbers, any length (an empty or one-element array gives 0).
 */
export function countSignFlips(values: ArrayLike<number>): number {
  if (values === null || typeof values !== "object" || typeof (values as ArrayLike<number>).length !== "number") {
    throw new GhostError("values", values, "an array of numbers");
  }
  let flips = 0;
  for (let j = 1; j < values.length; j++) {
    const a = values[j - 1];
    const b = values[j];
    if (Number.isNaN(a) || Number.isNaN(b)) throw new GhostError(`values[${Number.isNaN(a) ? j - 1 : j}]`, NaN, "a number (not NaN)");
    if (a > 0 !== b > 0) flips++;
  }
  return flips;
}

/** Stability label from a slope and the degeneracy threshold. */
export function stabilityOf(slope: number, degenerateSlope = 1e-9): Stability {
  requireFinite("slope", slope);
  requireNonNegative("degenerateSlope", degenerateSlope);
  if (Math.abs(slope) <= degenerateSlope) return "degenerate";
  return slope < 0 ? "stable" : "unstable";
}

function makeFixedPoint(
  flow: Flow1D,
  kappa: number,
  residual: number,
  origin: FixedPointOrigin,
  bracket: [number, number],
  iterations: number,
  converged: boolean,
  opts: ResolvedFixedPointOptions,
): FixedPoint {
  const slope = evalSlope(flow, kappa);
  return {
    kappa,
    residual,
    slope,
    stability: stabilityOf(slope, opts.degenerateSlope),
    mapMultiplier: opts.leak === null ? null : 1 + opts.leak * slope,
    origin,
    bracket,
    iterations,
    converged,
  };
}

/**
 * Fixed points on a validated grid with precomputed values (internal; also used by the ghost analysis).
 * `values[j] = f(grid[j])`.
 */
export function fixedPointsOnGrid(
  flow: Flow1D,
  grid: ArrayLike<number>,
  values: ArrayLike<number>,
  options: ResolvedFixedPointOptions,
): FixedPoint[] {
  requireFlow1D("flow", flow);
  requireKappaGrid("grid", grid, 1);
  requireFiniteArray("values", values, { length: grid.length });
  const r = requireOptions<ResolvedFixedPointOptions>("options", options);
  const opts = resolveFixedPointOptions({ ...r, leak: r.leak === null ? undefined : r.leak });
  const g = grid.length;
  const out: FixedPoint[] = [];
  const f = (x: number) => evalFlow(flow, x);
  const df = (x: number) => evalSlope(flow, x);
  const d2f = (x: number) => secondDerivative(flow, x);
  const root = (a: number, b: number, fa: number, fb: number, origin: FixedPointOrigin, cell: [number, number]) => {
    const r = bracketedRoot("flow.f", f, df, a, b, fa, fb, opts.tolerance, opts.maxIterations);
    out.push(makeFixedPoint(flow, r.x, r.value, origin, cell, r.iterations, r.converged, opts));
  };
  // Slopes on the grid are needed only for cells without a sign change; compute lazily, once.
  let slopes: Float64Array | null = null;
  const slopeAt = (j: number): number => {
    if (slopes === null) {
      slopes = new Float64Array(g);
      slopes.fill(NaN);
    }
    if (Number.isNaN(slopes[j])) slopes[j] = df(grid[j]);
    return slopes[j];
  };
  for (let j = 0; j < g; j++) {
    const fj = values[j];
    if (fj === 0) {
      out.push(makeFixedPoint(flow, grid[j], 0, "grid-zero", [grid[j], grid[j]], 0, true, opts));
      continue;
    }
    if (j === g - 1) break;
    const fn = values[j + 1];
    if (fn === 0) continue;
    const cell: [number, number] = [grid[j], grid[j + 1]];
    if ((fj < 0 && fn > 0) || (fj > 0 && fn < 0)) {
      root(grid[j], grid[j + 1], fj, fn, "sign-change", cell);
      continue;
    }
    // Same strict sign s: look for an extremum of f approaching zero inside the cell. Only cells next to
    // a discrete local minimum of |f| can hold one (cheap pre-filter; slopes are evaluated only there).
    const k = Math.abs(fj) <= Math.abs(fn) ? j : j + 1;
    const ak = Math.abs(values[k]);
    if ((k > 0 && Math.abs(values[k - 1]) < ak) || (k < g - 1 && Math.abs(values[k + 1]) < ak)) continue;
    const s = fj > 0 ? 1 : -1;
    const sl = s * slopeAt(j);
    if (!(sl < 0)) continue;
    const sr = s * slopeAt(j + 1);
    if (!(sr >= 0)) continue;
    let xe: number;
    if (sr === 0) {
      xe = grid[j + 1];
    } else {
      const dfj = s * sl; // = f'(κ_j)
      const dfn = s * sr;
      xe = bracketedRoot("flow.df", df, flow.d2f ? d2f : undefined, grid[j], grid[j + 1], dfj, dfn, opts.tolerance, opts.maxIterations).x;
    }
    const fe = f(xe);
    if (s * fe < 0) {
      root(grid[j], xe, fj, fe, "hidden-pair", cell);
      root(xe, grid[j + 1], fe, fn, "hidden-pair", cell);
    } else if (Math.abs(fe) <= opts.zeroTolerance) {
      out.push(makeFixedPoint(flow, xe, fe, "tangency", cell, 0, true, opts));
    }
  }
  out.sort((p, q) => p.kappa - q.kappa);
  // Drop duplicates (a hidden pair's root can coincide with an adjacent grid zero only in degenerate cases).
  const unique: FixedPoint[] = [];
  for (const p of out) {
    const last = unique[unique.length - 1];
    if (last && Math.abs(p.kappa - last.kappa) <= opts.tolerance * Math.max(1, Math.abs(p.kappa))) continue;
    unique.push(p);
  }
  return unique;
}

/**
 * Fixed points of dκ/dt = f(κ) on a grid, refined, each with slope f′(κ*) and stability, plus the spec's
 * raw sign-flip count.
 *
 * @param flow the flow (see {@link Flow1D}).
 * @param options see {@link FixedPointOptions}; default grid linspace(−15, 15, 1000).
 * @returns `{ fixedPoints, signFlipCount, gridPoints }`.
 * @throws GhostError on an invalid flow, grid or option, or a non-finite flow value.
 *
 * @example
 *   // f(κ) = −(κ + 1) κ (κ − 2): roots −1 (stable), 0 (unstable), 2 (stable)
 *   findFixedPoints({ f: k => -(k + 1) * k * (k - 2), df: k => -(3 * k * k - 2 * k - 2) })
 */
export function findFixedPoints(flow: Flow1D, options?: FixedPointOptions): FixedPointReport {
  requireFlow1D("flow", flow);
  const o = requireOptions<FixedPointOptions>("options", options);
  const grid = o.kappaGrid === undefined ? defaultKappaGrid() : requireKappaGrid("options.kappaGrid", o.kappaGrid, 2);
  const opts = resolveFixedPointOptions(o);
  const values = flowValues(flow, grid);
  return {
    fixedPoints: fixedPointsOnGrid(flow, grid, values, opts),
    signFlipCount: countSignFlips(values),
    gridPoints: grid.length,
  };
}
