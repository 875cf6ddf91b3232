/**
 * Classification of training runs and events along a training history.
 *
 * - learned / stuck (spec A7 step 3, A9 #8; `Figure8/code/B/plot_results.py`): from a run's per-epoch
 *   accuracy a_0 … a_{E−1} (accuracy of that epoch's forward pass, before its update):
 *       learned  = max_{e ∈ [0, E)} a_e > 0.5          (one output on the right side of threshold suffices)
 *       stuck    = max_{e ∈ [E − 50, E)} a_e ≤ 0.5     (the no-learning zone over the last 50 epochs)
 *       selected = learned ∧ stuck                     (the paper's "54" of 100)
 * - first epoch a series (e.g. the loss) drops below a level;
 * - bifurcation events: the snapshots at which the minimum h of the flow on [κ₀, threshold] changes sign
 *   (used for Fig. 3C–D).
 */
import { GhostError, requireFinite, requireFiniteArray, requireInteger, requireInRange, requireNonNegative, requireNumbers, requireOptions } from "../core/errors";
import { GhostAnalysis, requireGhostAnalysis } from "./ghosts";

/** Options of {@link classifyRun} / {@link classifyRuns}. All optional. */
export interface RunClassificationOptions {
  /**
   * E: number of epochs of the phase being classified (the first E entries of the accuracy array are
   * used). Integer in [window, accuracy length]; default the accuracy length (6000 in spec A7, where the
   * array also holds the 100 confidence epochs after it: pass epochs: 6000 there).
   */
  epochs?: number;
  /** Length of the final window for "stuck", integer ≥ 1. Default 50. */
  window?: number;
  /** Accuracy level: learned ⇔ max > level, stuck ⇔ max over the window ≤ level. Finite, default 0.5. */
  level?: number;
}

/** Classification of one run. */
export interface RunClassification {
  /** max accuracy over epochs [0, E) > level. */
  learned: boolean;
  /** max accuracy over epochs [E − window, E) ≤ level. */
  stuck: boolean;
  /** learned ∧ stuck. */
  selected: boolean;
  /** max accuracy over [0, E). */
  maxAccuracy: number;
  /** max accuracy over [E − window, E). */
  maxAccuracyFinalWindow: number;
}

/** Classification of a set of runs with counts (the paper's 74 learned / 54 selected of 100). */
export interface RunSetClassification {
  /** One entry per run, in input order. */
  runs: RunClassification[];
  /** Number of runs. */
  total: number;
  learnedCount: number;
  stuckCount: number;
  selectedCount: number;
  /** Indices (into the input) of the selected runs, increasing. */
  selectedIndices: number[];
}

function resolveRunOptions(o: Partial<RunClassificationOptions>, length: number, name: string) {
  const window = o.window === undefined ? 50 : requireInteger("options.window", o.window, 1);
  if (length < window) {
    throw new GhostError(`${name}.length`, length, `at least options.window = ${window} epochs`);
  }
  const epochs = o.epochs === undefined ? length : requireInteger("options.epochs", o.epochs, window, length);
  const level = o.level === undefined ? 0.5 : requireInRange("options.level", o.level, 0, 1);
  return { window, epochs, level };
}

function classifyValidated(acc: ArrayLike<number>, epochs: number, window: number, level: number): RunClassification {
  let maxAll = -Infinity;
  let maxWindow = -Infinity;
  for (let e = 0; e < epochs; e++) {
    const a = acc[e];
    if (a > maxAll) maxAll = a;
    if (e >= epochs - window && a > maxWindow) maxWindow = a;
  }
  const learned = maxAll > level;
  const stuck = maxWindow <= level;
  return { learned, stuck, selected: learned && stuck, maxAccuracy: maxAll, maxAccuracyFinalWindow: maxWindow };
}

/**
 * learned / stuck / selected for one run (spec A7 step 3).
 *
 * @param accuracy per-epoch accuracy, finite, length ≥ window (shape [epochs]).
 * @param options epochs E (default accuracy.length), window (50), level (0.5).
 */
export function classifyRun(accuracy: ArrayLike<number>, options?: RunClassificationOptions): RunClassification {
  requireFiniteArray("accuracy", accuracy);
  const o = requireOptions<RunClassificationOptions>("options", options);
  const { epochs, window, level } = resolveRunOptions(o, accuracy.length, "accuracy");
  return classifyValidated(accuracy, epochs, window, level);
}

/**
 * learned / stuck / selected for a set of runs, with counts.
 *
 * @param accuracies one per-epoch accuracy array per run (shape [runs][epochs]; lengths may differ but
 *   each must be ≥ E when `epochs` is given).
 * @param options as {@link classifyRun}.
 */
export function classifyRuns(accuracies: ArrayLike<number>[], options?: RunClassificationOptions): RunSetClassification {
  if (!Array.isArray(accuracies) || accuracies.length === 0) {
    throw new GhostError("accuracies", accuracies, "a non-empty array of per-epoch accuracy arrays");
  }
  const o = requireOptions<RunClassificationOptions>("options", options);
  const runs = accuracies.map((acc, i) => {
    requireFiniteArray(`accuracies[${i}]`, acc);
    const { epochs, window, level } = resolveRunOptions(o, acc.length, `accuracies[${i}]`);
    return classifyValidated(acc, epochs, window, level);
  });
  const selectedIndices: number[] = [];
  runs.forEach((r, i) => {
    if (r.selected) selectedIndices.push(i);
  });
  return {
    runs,
    total: runs.length,
    learnedCount: runs.filter((r) => r.learned).length,
    stuckCount: runs.filter((r) => r.stuck).length,
    selectedCount: selectedIndices.length,
    selectedIndices,
  };
}

function requireEpochLabels(epochs: unknown, length: number): ArrayLike<number> {
  return requireFiniteArray("options.epochs", epochs, { length });
}

/**
 * First epoch at which a series drops strictly below a level: the smallest e with values[e] < level,
 * reported as `epochs[e]` when epoch labels are given (otherwise e itself, a 0-based index; the paper's
 * loss plots use x = e + 1). Returns null if the series never drops below the level.
 *
 * @param values finite series (shape [epochs]), e.g. the loss per epoch.
 * @param level finite threshold.
 * @param options.epochs optional labels, same length as values (e.g. snapshot epoch numbers).
 */
export function firstEpochBelow(values: ArrayLike<number>, level: number, options?: { epochs?: ArrayLike<number> }): number | null {
  requireFiniteArray("values", values);
  requireFinite("level", level);
  const o = requireOptions<{ epochs?: ArrayLike<number> }>("options", options);
  const labels = o.epochs === undefined ? null : requireEpochLabels(o.epochs, values.length);
  for (let e = 0; e < values.length; e++) {
    if (values[e] < level) return labels ? labels[e] : e;
  }
  return null;
}

/**
 * First epoch at which a series rises strictly above a level: the smallest e with values[e] > level (e.g. the
 * first epoch whose accuracy exceeds 0.5), as a 0-based index; null if it never does. NaN entries never count.
 *
 * @param values series (shape [epochs]); NaN allowed.
 * @param level finite threshold.
 */
export function firstEpochAbove(values: ArrayLike<number>, level: number): number | null {
  requireNumbers("values", values, { typed: true });
  requireFinite("level", level);
  for (let e = 0; e < values.length; e++) if (values[e] > level) return e;
  return null;
}

/**
 * A sign change of h = min f on [κ₀, threshold] between two consecutive snapshots.
 * - "trap": h goes from > 0 to ≤ 0 — f now reaches zero on the interval: fixed points stand between κ₀ and
 *   the threshold (a saddle-node bifurcation, Fig. 3D, or a stable point moving into the interval).
 * - "release": h goes from ≤ 0 to > 0 — the interval is cleared (a saddle-node pair annihilates into a
 *   ghost, or the stable point is pushed through the threshold: low-lr abrupt learning, Fig. 3B).
 * ("> 0" means > zeroTolerance, consistent with {@link analyseGhost}.)
 */
export interface BifurcationEvent {
  /** Snapshot index i of the first snapshot after the change (the change is between i − 1 and i). */
  index: number;
  /** Epoch label of snapshot i. */
  epoch: number;
  /** Epoch label of snapshot i − 1. */
  previousEpoch: number;
  /** "trap" or "release" (see above). */
  kind: "trap" | "release";
  /** h at snapshot i − 1. */
  heightBefore: number;
  /** h at snapshot i. */
  heightAfter: number;
  /** Fixed points of f inside the interval at i − 1 and i (null when only heights were given). */
  fixedPointsBefore: number | null;
  fixedPointsAfter: number | null;
}

/**
 * Snapshots at which h = min f on [κ₀, threshold] changes sign (bifurcation events, Fig. 3C–D).
 *
 * @param series either the heights h per snapshot (finite numbers) or the {@link GhostAnalysis} per
 *   snapshot (shape [snapshots]).
 * @param options.epochs epoch labels per snapshot (same length; default 0, 1, 2, …), e.g. the epoch after
 *   whose update each flow snapshot was taken (spec A9 #6).
 * @param options.zeroTolerance h ≤ zeroTolerance counts as "reaches zero" (finite ≥ 0, default 1e-12, as in
 *   {@link analyseGhost}).
 * @returns events in snapshot order (empty when h never changes sign).
 */
export function bifurcationEvents(
  series: ArrayLike<number> | readonly GhostAnalysis[],
  options?: { epochs?: ArrayLike<number>; zeroTolerance?: number },
): BifurcationEvent[] {
  const o = requireOptions<{ epochs?: ArrayLike<number>; zeroTolerance?: number }>("options", options);
  const tol = o.zeroTolerance === undefined ? 1e-12 : requireNonNegative("options.zeroTolerance", o.zeroTolerance);
  let heights: ArrayLike<number>;
  let counts: number[] | null = null;
  if (Array.isArray(series) && series.length > 0 && typeof series[0] === "object") {
    const analyses = (series as readonly unknown[]).map((a, i) => requireGhostAnalysis(`series[${i}]`, a));
    heights = analyses.map((a) => a.height);
    requireFiniteArray("series (heights)", heights);
    counts = analyses.map((a) => (Array.isArray(a.fixedPoints) ? a.fixedPoints.length : 0));
  } else {
    heights = requireFiniteArray("series", series);
  }
  const labels = o.epochs === undefined ? null : requireEpochLabels(o.epochs, heights.length);
  const label = (i: number) => (labels ? labels[i] : i);
  const events: BifurcationEvent[] = [];
  for (let i = 1; i < heights.length; i++) {
    const before = heights[i - 1] > tol;
    const after = heights[i] > tol;
    if (before === after) continue;
    events.push({
      index: i,
      epoch: label(i),
      previousEpoch: label(i - 1),
      kind: before ? "trap" : "release",
      heightBefore: heights[i - 1],
      heightAfter: heights[i],
      fixedPointsBefore: counts ? counts[i - 1] : null,
      fixedPointsAfter: counts ? counts[i] : null,
    });
  }
  return events;
}
