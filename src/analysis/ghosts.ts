/**
 * Ghost (bottleneck) analysis of a 1-D flow dκ/dt = f(κ) between the initial latent state κ₀ and the
 * readout threshold (κ = 1 for the rank-one RNN; spec A5 "ghost point", A2 "canonical-form reduction").
 *
 * On the interval I = [min(κ₀, threshold), max(κ₀, threshold)] the minimum of f is located on a fine grid
 * and refined. Its location κ_g, height h = f(κ_g) (the "distance of the ghost from the dκ/dt = 0 line")
 * and curvature f″(κ_g) give the saddle-node canonical form: with u = ½f″(κ_g)(κ − κ_g),
 *
 *     du/dt ≈ u² + r_eff ,   r_eff = ½ f″(κ_g)·h ,
 *
 * so the ghost behaves like the toy model ẋ = x² + r with r = r_eff (spec A1, A2). Passage times of the
 * canonical form (time in units of τ):
 *
 *     full passage, u from −∞ to +∞:        π / √r_eff       (`passageTime`; the spec's A5 estimate)
 *     half passage, u from 0 (ghost) to ∞:  π / (2√r_eff)    (`halfPassageTime`; the toy t*(r) of A2,
 *                                                            which starts at x(0) = 0, the ghost itself)
 *
 * A discrete network with leak α = dt/τ advances by α time units per step, so steps ≈ time / α.
 * The estimate holds when I extends well beyond the bottleneck width w = √(2h / f″(κ_g)) on both sides of
 * κ_g (the canonical form is a local, quadratic approximation).
 *
 * Classification (zeroTolerance below defaults to 1e-12, the rounding noise of f):
 * - "bifurcated": h ≤ zeroTolerance — f reaches zero on I: fixed points in I (reported) stop a
 *   trajectory from κ₀ before the threshold (a saddle-node has created a stable point + a saddle, or the
 *   stable point has not yet crossed the threshold). If f(κ₀) < 0 the flow carries κ away from the
 *   threshold and the trapping point may lie outside I.
 * - "ghost": h > zeroTolerance and the minimum is an interior local minimum (f′(κ_g) = 0 inside I): no
 *   fixed point in I, the trajectory passes, slowed near κ_g.
 * - "none": h > zeroTolerance and the minimum sits at an end of I (f monotone near it): the trajectory
 *   passes with no bottleneck inside I.
 * The "passes" reading assumes κ₀ < threshold (κ must travel upwards, which needs f > 0); for κ₀ above
 * the threshold the same quantities of f on I are still reported.
 */
import { GhostError, requireFinite, requireInRange, requireInteger, requireOptions, requirePositive } from "../core/errors";
import { linspace } from "../core/arrays";
import { Flow1D, evalFlow, evalSlope, flowValues, requireFlow1D, secondDerivative } from "./flow";
import { FixedPoint, FixedPointOptions, fixedPointsOnGrid, resolveFixedPointOptions, stabilityOf } from "./fixedPoints";
import { bracketedRoot, goldenSectionMinimum } from "./roots";

/** Outcome of a ghost analysis (see the module description). */
export type GhostClassification = "ghost" | "bifurcated" | "none";

/** Canonical-form quantities of a positive local minimum of f (spec A2). */
export interface CanonicalForm {
  /** r_eff = ½ f″(κ_g)·h. */
  rEff: number;
  /** π / √r_eff: full passage through the bottleneck (u from −∞ to ∞), in units of τ. */
  passageTime: number;
  /** π / (2√r_eff): from the ghost centre to blow-up (the toy model's t* from x(0) = 0), in units of τ. */
  halfPassageTime: number;
  /** passageTime / leak: the full passage in discrete steps of the network. */
  passageSteps: number;
  /** Bottleneck width √(2h / f″(κ_g)) in κ (the κ range where the canonical form's u² ≲ r_eff). */
  bottleneckWidth: number;
}

/**
 * Canonical-form reduction of a ghost (spec A2): r_eff = ½·curvature·height and the passage times.
 *
 * @param curvature f″(κ_g), finite > 0.
 * @param height h = f(κ_g), finite > 0.
 * @param leak α = dt/τ in (0, 1] (default 0.5, the rank-one RNN's), converts time to steps.
 */
export function canonicalForm(curvature: number, height: number, leak = 0.5): CanonicalForm {
  requirePositive("curvature", curvature);
  requirePositive("height", height);
  requireInRange("leak", leak, 0, 1, { minExclusive: true });
  const rEff = 0.5 * curvature * height;
  const passageTime = Math.PI / Math.sqrt(rEff);
  return {
    rEff,
    passageTime,
    halfPassageTime: 0.5 * passageTime,
    passageSteps: passageTime / leak,
    bottleneckWidth: Math.sqrt((2 * height) / curvature),
  };
}

/** Options of {@link analyseGhost}. All optional. */
export interface GhostOptions extends Omit<FixedPointOptions, "kappaGrid"> {
  /** Readout threshold on κ (default 1, spec A5: o > 0.5 ⇔ κ > 1). Finite. */
  threshold?: number;
  /** Points of the fine search grid on I, integer in [3, 1e6]. Default 2001. */
  gridPoints?: number;
}

/** Result of {@link analyseGhost}. Plain data (null marks a quantity that does not apply). */
export interface GhostAnalysis {
  /** κ₀ as given. */
  kappaStart: number;
  /** The threshold used. */
  threshold: number;
  /** Interval I = [min(κ₀, threshold), max(κ₀, threshold)]. */
  interval: [number, number];
  /** "ghost", "bifurcated" or "none". */
  classification: GhostClassification;
  /** κ_g: where f attains its minimum on I. */
  kappaGhost: number;
  /** h = f(κ_g) = min over I of f. */
  height: number;
  /** f′(κ_g) (≈ 0 for an interior minimum). */
  slope: number;
  /** f″(κ_g). */
  curvature: number;
  /** True when κ_g is a refined stationary point strictly inside I. */
  interior: boolean;
  /** Canonical form (spec A2) for classification "ghost" with curvature > 0; null otherwise. */
  canonical: CanonicalForm | null;
  /** Fixed points of f inside I (non-empty only when f reaches zero on I), sorted by κ. */
  fixedPoints: FixedPoint[];
  /** Refinement iterations spent on the minimum. */
  iterations: number;
  /** Whether the refinement of the minimum met its tolerance (true for an end-point minimum). */
  converged: boolean;
}

/**
 * Ghost analysis of dκ/dt = f(κ) between κ₀ and the threshold (see the module description).
 *
 * @param flow the flow (see {@link Flow1D}).
 * @param kappaStart κ₀, finite (the rank-one RNN: κ₀ = −0.3·Σ n_i).
 * @param options threshold (default 1), gridPoints (default 2001), leak α for step counts (default 0.5),
 *   tolerance (1e-13, relative), maxIterations (200), zeroTolerance (1e-12), degenerateSlope (1e-9).
 * @returns a {@link GhostAnalysis}.
 * @throws GhostError on invalid input or a non-finite flow value.
 *
 * @example
 *   // f(κ) = (κ − 0.2)² + 0.01 between −0.3 and 1: ghost at 0.2, h = 0.01, f″ = 2, r_eff = 0.01,
 *   // passage time π/0.1 ≈ 31.4 τ ≈ 62.8 steps at α = 0.5
 *   analyseGhost({ f: k => (k - 0.2) ** 2 + 0.01, df: k => 2 * (k - 0.2), d2f: () => 2 }, -0.3)
 */
export function analyseGhost(flow: Flow1D, kappaStart: number, options?: GhostOptions): GhostAnalysis {
  requireFlow1D("flow", flow);
  requireFinite("kappaStart", kappaStart);
  const o = requireOptions<GhostOptions>("options", options);
  const threshold = o.threshold === undefined ? 1 : requireFinite("options.threshold", o.threshold);
  const gridPoints = o.gridPoints === undefined ? 2001 : requireInteger("options.gridPoints", o.gridPoints, 3, 1_000_000);
  const leak = o.leak === undefined ? 0.5 : requireInRange("options.leak", o.leak, 0, 1, { minExclusive: true });
  const opts = resolveFixedPointOptions({ ...o, leak });
  const lo = Math.min(kappaStart, threshold);
  const hi = Math.max(kappaStart, threshold);

  const f = (x: number) => evalFlow(flow, x);
  const df = (x: number) => evalSlope(flow, x);

  if (lo === hi) {
    // I is a single point: no interior, h = f(κ₀).
    const h = f(lo);
    const fixedPoints = h === 0 ? fixedPointsOnGrid(flow, [lo], [h], opts) : [];
    return {
      kappaStart,
      threshold,
      interval: [lo, hi],
      classification: h <= opts.zeroTolerance ? "bifurcated" : "none",
      kappaGhost: lo,
      height: h,
      slope: df(lo),
      curvature: secondDerivative(flow, lo),
      interior: false,
      canonical: null,
      fixedPoints,
      iterations: 0,
      converged: true,
    };
  }

  const grid = linspace(lo, hi, gridPoints);
  const values = flowValues(flow, grid);
  let j = 0;
  for (let i = 1; i < gridPoints; i++) if (values[i] < values[j]) j = i;

  // Bracket for the refinement: the grid neighbours of the discrete minimum. At an end of I the minimum
  // is interior only if f still decreases into I there.
  let a = grid[Math.max(0, j - 1)];
  let b = grid[Math.min(gridPoints - 1, j + 1)];
  let kappaGhost = grid[j];
  let height = values[j];
  let iterations = 0;
  let converged = true;
  let interior = false;
  const slopeAtGrid = df(grid[j]);
  const endMinimum =
    (j === 0 && slopeAtGrid >= 0) || (j === gridPoints - 1 && slopeAtGrid <= 0);
  if (!endMinimum && slopeAtGrid !== 0) {
    if (j === 0) b = grid[1];
    if (j === gridPoints - 1) a = grid[gridPoints - 2];
    const da = df(a);
    const db = df(b);
    let cand: { x: number; value: number; iterations: number; converged: boolean };
    if (da < 0 && db > 0) {
      const r = bracketedRoot("flow.df", df, flow.d2f ? (x) => secondDerivative(flow, x) : undefined, a, b, da, db, opts.tolerance, opts.maxIterations);
      cand = { x: r.x, value: f(r.x), iterations: r.iterations, converged: r.converged };
    } else {
      cand = goldenSectionMinimum("flow.f", f, a, b, opts.tolerance, opts.maxIterations);
    }
    iterations = cand.iterations;
    converged = cand.converged;
    if (cand.value <= height) {
      kappaGhost = cand.x;
      height = cand.value;
    }
  }
  if (!endMinimum) {
    interior = kappaGhost > lo && kappaGhost < hi;
  }
  if (slopeAtGrid === 0 && j > 0 && j < gridPoints - 1) interior = true; // exact stationary grid point

  const slope = df(kappaGhost);
  const curvature = secondDerivative(flow, kappaGhost);
  let classification: GhostClassification;
  if (height <= opts.zeroTolerance) classification = "bifurcated";
  else classification = interior ? "ghost" : "none";

  let fixedPoints: FixedPoint[] = [];
  if (classification === "bifurcated") {
    fixedPoints = fixedPointsOnGrid(flow, grid, values, opts);
    if (fixedPoints.length === 0 && Math.abs(height) <= opts.zeroTolerance) {
      // The refined minimum touches zero between grid points (tangency found by the refinement).
      fixedPoints = [
        {
          kappa: kappaGhost,
          residual: height,
          slope,
          stability: stabilityOf(slope, opts.degenerateSlope),
          mapMultiplier: 1 + leak * slope,
          origin: "tangency",
          bracket: [a, b],
          iterations,
          converged,
        },
      ];
    }
  }
  const canonical = classification === "ghost" && curvature > 0 ? canonicalForm(curvature, height, leak) : null;
  return {
    kappaStart,
    threshold,
    interval: [lo, hi],
    classification,
    kappaGhost,
    height,
    slope,
    curvature,
    interior,
    canonical,
    fixedPoints,
    iterations,
    converged,
  };
}

/** Throws unless `analysis` looks like a {@link GhostAnalysis} (used by sequence helpers). */
export function requireGhostAnalysis(name: string, analysis: unknown): GhostAnalysis {
  if (analysis === null || typeof analysis !== "object" || typeof (analysis as GhostAnalysis).height !== "number") {
    throw new GhostError(name, analysis, "a GhostAnalysis (an object with a numeric height)");
  }
  return analysis as GhostAnalysis;
}
