/**
 * Everything the paper reads off one flow snapshot, in one call: the flow curve on the κ grid, its fixed
 * points (with stability and the spec's raw sign-flip count) and the ghost analysis between κ₀ and the
 * threshold. The grid values are computed once and shared by the curve and the fixed-point search.
 */
import { requireFinite, requireOptions } from "../core/errors";
import { Flow1D, FlowCurve, defaultKappaGrid, flowValues, requireFlow1D, requireKappaGrid } from "./flow";
import { FixedPointOptions, FixedPointReport, countSignFlips, fixedPointsOnGrid, resolveFixedPointOptions } from "./fixedPoints";
import { GhostAnalysis, GhostOptions, analyseGhost } from "./ghosts";

/** Options of {@link analyseFlowSnapshot}. All optional. */
export interface FlowSnapshotOptions {
  /** κ grid for the curve and the fixed points (default linspace(−15, 15, 1000)); ≥ 2 points, increasing. */
  kappaGrid?: ArrayLike<number>;
  /** Options of the fixed-point search (except the grid). */
  fixedPoints?: Omit<FixedPointOptions, "kappaGrid">;
  /** Options of the ghost analysis (threshold 1, 2001-point search grid, leak 0.5 by default). */
  ghost?: GhostOptions;
}

/** Result of {@link analyseFlowSnapshot}: plain data. */
export interface FlowSnapshotAnalysis {
  /** f on the κ grid (plain arrays, length G). */
  curve: FlowCurve;
  /** Fixed points on the whole grid and the raw sign-flip count. */
  fixedPoints: FixedPointReport;
  /** Ghost analysis on [min(κ₀, threshold), max(κ₀, threshold)]. */
  ghost: GhostAnalysis;
}

/**
 * Flow curve + fixed points + ghost analysis of one snapshot of a 1-D flow.
 *
 * @param flow the flow (see {@link Flow1D}), e.g. from `rankOneFlow(params)`.
 * @param kappaStart κ₀, finite (rank-one RNN: −0.3·Σ n_i).
 * @param options see {@link FlowSnapshotOptions}.
 * @throws GhostError on invalid input or a non-finite flow value.
 */
export function analyseFlowSnapshot(flow: Flow1D, kappaStart: number, options?: FlowSnapshotOptions): FlowSnapshotAnalysis {
  requireFlow1D("flow", flow);
  requireFinite("kappaStart", kappaStart);
  const o = requireOptions<FlowSnapshotOptions>("options", options);
  const grid = o.kappaGrid === undefined ? defaultKappaGrid() : requireKappaGrid("options.kappaGrid", o.kappaGrid, 2);
  const fpOptions = resolveFixedPointOptions(requireOptions<FixedPointOptions>("options.fixedPoints", o.fixedPoints));
  const values = flowValues(flow, grid);
  return {
    curve: { kappa: Array.from(grid), dkappaDt: Array.from(values) },
    fixedPoints: {
      fixedPoints: fixedPointsOnGrid(flow, grid, values, fpOptions),
      signFlipCount: countSignFlips(values),
      gridPoints: grid.length,
    },
    ghost: analyseGhost(flow, kappaStart, o.ghost),
  };
}
