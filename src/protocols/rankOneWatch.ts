/**
 * Rank-one flow-watch protocols (spec A5, A6; Fig 3): train the paper's rank-one network by SGD and watch its
 * latent flow f(κ) = −κ + Σ_i n_i tanh(m_i κ + b_i) while it learns.
 *
 * - {@link runSlowWatch} (low learning rate): abrupt learning through a ghost, no bifurcation.
 * - {@link runFastWatch} (high learning rate): a saddle-node bifurcation that traps the network in the
 *   no-learning zone, found by the ghost analysis after every epoch.
 *
 * Conventions (spec A9 #6): loss[e], accuracy[e], gradNorm[e] belong to epoch e's forward pass (BEFORE its
 * update; the paper plots them at x = e + 1); a snapshot with `epoch` e holds the parameters AFTER the update of
 * epoch e (the paper labels it e + 1); epoch −1 denotes the untrained network.
 */
import { GhostError, requireBoolean, requireFinite, requireInRange, requireInteger, requireObject } from "../core/errors";
import { downsampleMinMax, linspace, Series } from "../core/arrays";
import { maxOf } from "../core/stats";
import { bifurcationEvents, BifurcationEvent, firstEpochAbove, firstEpochBelow } from "../analysis/classify";
import { countSignFlips, Stability } from "../analysis/fixedPoints";
import { GhostAnalysis, GhostClassification } from "../analysis/ghosts";
import { analyseRankOneGhost, analyseRankOneSnapshot, rankOneCrossingStep } from "../analysis/rankOne";
import { copyParams, createRankOneRnn, rankOneLatentFlowOnGrid, rankOneParams, RnnModel, RnnParams } from "../models/rnn";
import { delayedActivationTask } from "../tasks/delayedActivation";
import { trainRnn } from "../training/trainRnn";

/** What both watched runs share: the network, the task and the κ grid of the flow analysis. */
export interface FlowWatchSetup {
  /** N (paper 100). */
  size: number;
  /** Output confidence c (paper 10). */
  confidence: number;
  /** Task horizon T in steps (paper 20; trial 2T). */
  horizon: number;
  /** κ grid: linspace(min, max, points) (spec: −15, 15, 1000). */
  kappaGrid: { min: number; max: number; points: number };
  /** Grid indices [start, end) of the displayed flows (spec: 200…799, κ ≈ −9…9). */
  displayWindow: [number, number];
}

/** The slow (low-learning-rate) run: Fig 3A–B. */
export interface SlowRunConfig {
  /** Seed of the network (core.Rng; paper 40). */
  seed: number;
  /** SGD step (paper 0.003). */
  learningRate: number;
  /** Epochs (paper 500 000). */
  epochs: number;
  /** Parameter snapshots after the update of every epoch that is a multiple of this (paper 1000). */
  snapshotEvery: number;
  /** Snapshots shown in Fig 3B (paper: entries 0, 200, 499 = epochs 0, 200 000, 499 000); must be snapshot epochs. */
  flowPanelEpochs: number[];
  /**
   * Dense snapshots around the abrupt drop: every `every` epochs from `before` epochs before the first epoch whose
   * loss is below dropLevel × (initial loss) to `after` epochs after it (null: none).
   */
  dense: { every: number; before: number; after: number; dropLevel: number } | null;
  /** Sign-flip count of f on the κ grid every this many epochs (the reduced v2 fixed-point test; paper-scale 100). */
  fixedPointCheckEvery: number;
  /** Buckets of the downsampled loss / gradient curves (each keeps its min and max). */
  plotBuckets: number;
}

/** The fast (high-learning-rate) run: Fig 3C–D. */
export interface FastRunConfig {
  /** Seed of the network (core.Rng; paper 40). */
  seed: number;
  /** SGD step (paper 0.02). */
  learningRate: number;
  /** Epoch budget (paper 6000). */
  epochs: number;
  /** First epoch analysed (ghost + fixed points after every epoch from here on; 0 = all, the paper's protocol). */
  analysisStart: number;
  /** Stop this many epochs after the saddle-node event (null: run the whole budget). */
  stopAfterEvent: number | null;
  /** Flows stored for epochs event − eventWindow … event + eventWindow (Fig 3D and the event slider). */
  eventWindow: number;
  /** Offsets from the event epoch of the three flows of Fig 3D (just before, at, after). */
  eventFlowOffsets: number[];
  /** Zoom of Fig 3C: epochs event − zoom.before … event + zoom.after (the paper's inset spans 5000…5200 around 5163). */
  zoom: { before: number; after: number };
}

/** Ghost quantities of one flow on [κ₀, 1] (see analysis.analyseGhost). */
export interface GhostSummary {
  /** h = min f on [κ₀, 1]. */
  height: number;
  /** Where the minimum is. */
  kappaGhost: number;
  /** f″ there. */
  curvature: number;
  classification: GhostClassification;
  /** r_eff = ½ f″ h (classification "ghost" with f″ > 0), else null. */
  rEff: number | null;
  /** Canonical-form passage π/√r_eff in network steps, else null. */
  passageSteps: number | null;
  /** Fixed points of f inside [κ₀, 1]. */
  fixedPointsInInterval: number;
}

/** One analysed parameter snapshot. */
export interface FlowWatchSnapshot {
  /** Parameters after the update of this epoch (−1: untrained). The paper's label is epoch + 1. */
  epoch: number;
  /** True for the dense snapshots around the drop (not on the regular snapshotEvery grid). */
  dense: boolean;
  /** κ₀ = n·x_0. */
  kappa0: number;
  /** f(κ) on the display window of the κ grid (same length as the data's `kappa`). */
  dkappaDt: number[];
  /** Fixed points of f on the whole κ grid, with stability. */
  fixedPoints: { kappa: number; stability: Stability }[];
  /** Raw count of sign flips of f on the κ grid (the authors' count_flips). */
  signFlips: number;
  ghost: GhostSummary;
  /** First step t (1…2T) with κ_t > 1 on the exact latent map from κ₀ (output above 0.5), null if never. */
  crossingStep: number | null;
}

/** Result of {@link runSlowWatch} (Fig 3A–B). */
export interface SlowRunData {
  /** κ of the display window (shape [end − start]). */
  kappa: number[];
  epochsRun: number;
  diverged: { epoch: number; reason: string } | null;
  /** The untrained network. */
  initial: { loss: number; accuracy: number; snapshot: FlowWatchSnapshot };
  /** Last epoch's record (before its update). */
  final: { loss: number; accuracy: number; gradNorm: number };
  /** max over the run (the normalisers of Fig 3A). */
  lossMax: number;
  gradMax: number;
  /** Downsampled loss and gradient norm (min and max of each bucket, plus first and last epoch). */
  loss: Series;
  gradNorm: Series;
  /** Analysed snapshots, sorted by epoch (regular grid + dense window). */
  snapshots: FlowWatchSnapshot[];
  /** Sign-flip counts every fixedPointCheckEvery epochs (after the update of those epochs). */
  fixedPointChecks: { epoch: number[]; signFlips: number[] };
  /** Reduced v2 fixed-point test: max refined count over snapshots, max sign flips over snapshots and checks. */
  maxFixedPoints: { refined: number; signFlips: number };
  /** Sign changes of h over the snapshots (expected one "release": the stable point pushed through κ = 1). */
  events: BifurcationEvent[];
  /**
   * The abrupt drop, from the per-epoch normalised loss L/max L (null where not reached): plateauEnd = first epoch
   * < 0.9, dropEpoch = first < 0.5, dropEnd = first < 0.1, firstBelow1e2 = first < 1e-2; width = dropEnd −
   * plateauEnd; relativeWidth = width / plateauEnd; firstAccurate = first epoch with accuracy > 0.5.
   */
  drop: {
    plateauEnd: number | null; dropEpoch: number | null; dropEnd: number | null; firstBelow1e2: number | null;
    width: number | null; relativeWidth: number | null; firstAccurate: number | null;
    /** Epoch that triggered the dense window (loss < dropLevel × initial loss), null if none. */
    denseTrigger: number | null;
  };
  timings: { trainMs: number; analysisMs: number };
}

/** The saddle-node event of the high-lr run. */
export interface SaddleNodeEvent {
  /** First epoch (after its update) with h ≤ 0 … */
  epoch: number;
  /** … and the one before it (h > 0). */
  previousEpoch: number;
  heightBefore: number;
  heightAfter: number;
  signFlipsBefore: number;
  signFlipsAfter: number;
  /** True when the fixed-point count grew at the event (a saddle-node pair was born), false for the fallback (last trap). */
  countGrew: boolean;
  /** h ≤ 0 at every later analysed epoch of the run. */
  persistent: boolean;
  /** Loss / accuracy of the trapped network (the forward pass of epoch event + 1). */
  lossAfter: number;
  accuracyAfter: number;
  /** Loss of the network just before (forward pass of epoch `epoch`, parameters after update epoch − 1). */
  lossBefore: number;
  /** Smallest loss over every epoch after the event. */
  minLossAfter: number;
  /** Largest gradient norm over the 50 epochs up to the event and over every epoch after it. */
  gradBefore: number;
  gradAfter: number;
  /** log10(gradBefore / gradAfter). */
  collapseOrders: number;
}

/** Result of {@link runFastWatch} (Fig 3C–D). */
export interface FastRunData {
  kappa: number[];
  epochsRun: number;
  diverged: { epoch: number; reason: string } | null;
  /** True when the run stopped early (stopAfterEvent). */
  stoppedEarly: boolean;
  initial: { loss: number; accuracy: number; snapshot: FlowWatchSnapshot };
  /** Full per-epoch records (length epochsRun). */
  loss: number[];
  accuracy: number[];
  gradNorm: number[];
  lossMax: number;
  gradMax: number;
  /** Per analysed epoch (after its update), epochs analysisStart … epochsRun − 1. */
  perEpoch: { epoch: number[]; height: number[]; kappa0: number[]; kappaGhost: number[]; signFlips: number[]; fixedPointsInInterval: number[] };
  /** All sign changes of h (at high lr many, as the single fixed point moves in and out of [κ₀, 1]). */
  events: BifurcationEvent[];
  saddleNode: SaddleNodeEvent | null;
  /** First epoch with accuracy > 0.5 (null if never). */
  firstAccurate: number | null;
  /** Analysed flows for epochs saddleNode.epoch ± eventWindow (empty without an event). */
  eventFlows: FlowWatchSnapshot[];
  timings: { trainMs: number; analysisMs: number };
}

/** Checks a κ grid spec: points integer in [2, 1e6], min finite, max finite > min. */
export function requireKappaGridSpec(g: unknown): FlowWatchSetup["kappaGrid"] {
  const o = requireObject("kappaGrid", g, "{ min, max, points } (κ grid linspace(min, max, points))");
  requireInteger("kappaGrid.points", o.points, 2, 1_000_000);
  const min = requireFinite("kappaGrid.min", o.min);
  requireInRange("kappaGrid.max", o.max, min, Number.MAX_VALUE, { minExclusive: true });
  return g as FlowWatchSetup["kappaGrid"];
}

/** Checks a display window: [start, end] integers with 0 ≤ start < end ≤ points (grid length). */
export function requireDisplayWindow(w: unknown, points: number): [number, number] {
  if (!Array.isArray(w) || w.length !== 2) throw new GhostError("displayWindow", w, "[start, end]: grid indices with 0 <= start < end <= grid length");
  const start = requireInteger("displayWindow[0]", w[0], 0, points - 1);
  requireInteger("displayWindow[1]", w[1], start + 1, points);
  return w as [number, number];
}

/**
 * The κ grid of a config: linspace(min, max, points).
 * @param config needs kappaGrid = { min finite, max finite > min, points integer in [2, 1e6] } (other fields unread).
 */
export function watchGrid(config: FlowWatchSetup): Float64Array {
  requireObject("config", config, "a FlowWatchSetup { kappaGrid, … }");
  const g = requireKappaGridSpec(config.kappaGrid);
  return linspace(g.min, g.max, g.points);
}

function ghostSummary(g: GhostAnalysis): GhostSummary {
  return {
    height: g.height, kappaGhost: g.kappaGhost, curvature: g.curvature, classification: g.classification,
    rEff: g.canonical ? g.canonical.rEff : null, passageSteps: g.canonical ? g.canonical.passageSteps : null,
    fixedPointsInInterval: g.fixedPoints.length,
  };
}

/**
 * Analyses one model of a watched run (flow on the display window, fixed points, ghost on [κ₀, 1], crossing step).
 * @param model a rank-one RNN (validated by analysis.analyseRankOneSnapshot).
 * @param epoch integer ≥ −1 (−1: the untrained network).
 * @param config reads kappaGrid (when `grid` is not given), horizon (integer in [1, 100000]) and displayWindow
 *   ([start, end] integers, 0 ≤ start < end ≤ grid length).
 * @param grid strictly increasing finite κ grid (default {@link watchGrid}(config)).
 * @param dense true or false (default false).
 */
export function analyseWatchedSnapshot(model: RnnModel, epoch: number, config: FlowWatchSetup, grid?: Float64Array, dense = false): FlowWatchSnapshot {
  requireInteger("epoch", epoch, -1);
  requireObject("config", config, "a FlowWatchSetup { kappaGrid, horizon, displayWindow, … }");
  requireInteger("horizon", config.horizon, 1, 100000);
  requireBoolean("dense", dense);
  const kappaGrid = grid === undefined ? watchGrid(config) : grid;
  const s = analyseRankOneSnapshot(model, { kappaGrid });
  const [start, end] = requireDisplayWindow(config.displayWindow, kappaGrid.length);
  return {
    epoch,
    dense,
    kappa0: s.ghost.kappaStart,
    dkappaDt: s.curve.dkappaDt.slice(start, end),
    fixedPoints: s.fixedPoints.fixedPoints.map((p) => ({ kappa: p.kappa, stability: p.stability })),
    signFlips: s.fixedPoints.signFlipCount,
    ghost: ghostSummary(s.ghost),
    crossingStep: rankOneCrossingStep(model, 2 * config.horizon),
  };
}

function withParams(model: RnnModel, params: RnnParams): RnnModel {
  return { config: { ...model.config }, params, trainable: { ...model.trainable } };
}

/** Epoch spacing of the parameter checkpoints kept during the high-lr run (for the replay around the event). */
const CHECKPOINT_EVERY = 100;

function newNetwork(config: FlowWatchSetup, seed: number): RnnModel {
  return createRankOneRnn(seed, { size: config.size, confidence: config.confidence });
}

/**
 * Trains the rank-one network at a slow (low) learning rate and watches its flow (Fig 3A–B): per-epoch loss and
 * gradient norm (downsampled, min and max of every bucket kept), parameter snapshots every `snapshotEvery` epochs
 * plus a dense window around the abrupt drop, each analysed ({@link analyseWatchedSnapshot}); the sign-flip count
 * of f every `fixedPointCheckEvery` epochs (the reduced v2 fixed-point test); the drop's epochs. Inputs are
 * validated by the caller (figures.validateFig3Config).
 * @param onProgress (epochs done, total epochs), at most ~100 calls.
 */
export function runSlowWatch(config: FlowWatchSetup, run: SlowRunConfig, onProgress?: (done: number, total: number) => void): SlowRunData {
  const c = run;
  const grid = watchGrid(config);
  const task = delayedActivationTask(config.horizon);
  const model = newNetwork(config, c.seed);
  const initialSnapshot = analyseWatchedSnapshot(model, -1, config, grid);

  const regular = new Set<number>();
  for (let e = 0; e < c.epochs; e += c.snapshotEvery) regular.add(e);
  const stored = new Map<number, { dense: boolean; params: RnnParams }>();
  const ring: { epoch: number; params: RnnParams }[] = [];
  const ringSize = c.dense ? Math.floor(c.dense.before / c.dense.every) + 1 : 0;
  let trigger: number | null = null;
  let loss0 = NaN;
  const checks = { epoch: [] as number[], signFlips: [] as number[] };
  const buffer = new Float64Array(grid.length);
  let checkMs = 0;

  const t0 = Date.now();
  const history = trainRnn(model, {
    learningRate: c.learningRate, epochs: c.epochs, task, onProgress,
    onEpoch: (rec, m) => {
      const e = rec.epoch;
      if (e === 0) loss0 = rec.loss;
      if (regular.has(e)) stored.set(e, { dense: false, params: copyParams(m.params) });
      const d = c.dense;
      if (d && e % d.every === 0) {
        if (trigger === null) {
          ring.push({ epoch: e, params: copyParams(m.params) });
          if (ring.length > ringSize) ring.shift();
        } else if (e <= trigger + d.after && !stored.has(e)) {
          stored.set(e, { dense: true, params: copyParams(m.params) });
        }
      }
      if (d && trigger === null && rec.loss < d.dropLevel * loss0) {
        trigger = e;
        for (const r of ring) if (!stored.has(r.epoch) && r.epoch >= e - d.before) stored.set(r.epoch, { dense: true, params: r.params });
        ring.length = 0;
      }
      if (e % c.fixedPointCheckEvery === 0) {
        const tc = Date.now();
        rankOneLatentFlowOnGrid(rankOneParams(m), grid, buffer);
        checks.epoch.push(e);
        checks.signFlips.push(countSignFlips(buffer));
        checkMs += Date.now() - tc;
      }
    },
  });
  const trainMs = Date.now() - t0 - checkMs;

  const t1 = Date.now();
  const epochs = [...stored.keys()].sort((a, b) => a - b);
  const snapshots = epochs.map((e) => {
    const s = stored.get(e) as { dense: boolean; params: RnnParams };
    return analyseWatchedSnapshot(withParams(model, s.params), e, config, grid, s.dense);
  });
  const analysisMs = Date.now() - t1 + checkMs;

  const n = history.epochsRun;
  const lossMax = maxOf(history.loss), gradMax = maxOf(history.gradNorm);
  const normalised = history.loss.map((v) => v / lossMax);
  const plateauEnd = firstEpochBelow(normalised, 0.9);
  const dropEnd = firstEpochBelow(normalised, 0.1);
  const width = plateauEnd !== null && dropEnd !== null ? dropEnd - plateauEnd : null;
  const firstAccurate = firstEpochAbove(history.accuracy, 0.5);
  const heights = snapshots.map((s) => s.ghost.height);
  const snapEpochs = snapshots.map((s) => s.epoch);
  return {
    kappa: Array.from(grid.slice(config.displayWindow[0], config.displayWindow[1])),
    epochsRun: n,
    diverged: history.diverged,
    initial: { loss: history.loss[0], accuracy: history.accuracy[0], snapshot: initialSnapshot },
    final: { loss: history.loss[n - 1], accuracy: history.accuracy[n - 1], gradNorm: history.gradNorm[n - 1] },
    lossMax,
    gradMax,
    loss: downsampleMinMax(history.loss, c.plotBuckets),
    gradNorm: downsampleMinMax(history.gradNorm, c.plotBuckets),
    snapshots,
    fixedPointChecks: checks,
    maxFixedPoints: {
      refined: Math.max(initialSnapshot.fixedPoints.length, ...snapshots.map((s) => s.fixedPoints.length)),
      signFlips: Math.max(initialSnapshot.signFlips, ...snapshots.map((s) => s.signFlips), ...checks.signFlips),
    },
    events: heights.length > 1 ? bifurcationEvents(heights, { epochs: snapEpochs }) : [],
    drop: {
      plateauEnd,
      dropEpoch: firstEpochBelow(normalised, 0.5),
      dropEnd,
      firstBelow1e2: firstEpochBelow(normalised, 1e-2),
      width,
      relativeWidth: width !== null && plateauEnd !== null && plateauEnd > 0 ? width / plateauEnd : null,
      firstAccurate,
      denseTrigger: trigger,
    },
    timings: { trainMs, analysisMs },
  };
}

/**
 * Trains the rank-one network at a fast (high) learning rate and watches its flow after every epoch (Fig 3C–D):
 * ghost height and sign-flip count per epoch, the sign changes of h, the saddle-node event (the first "trap" at
 * which the fixed-point count grows) and the flows around it, recomputed by a bit-identical replay from a parameter
 * checkpoint. Inputs are validated by the caller (figures.validateFig3Config).
 * @param onProgress (epochs done, epoch budget), at most ~100 calls.
 */
export function runFastWatch(config: FlowWatchSetup, run: FastRunConfig, onProgress?: (done: number, total: number) => void): FastRunData {
  const c = run;
  const grid = watchGrid(config);
  const task = delayedActivationTask(config.horizon);
  const model = newNetwork(config, c.seed);
  const initialSnapshot = analyseWatchedSnapshot(model, -1, config, grid);
  const tol = 1e-12; // h ≤ tol counts as "f reaches zero" (analysis default)
  const per = { epoch: [] as number[], height: [] as number[], kappa0: [] as number[], kappaGhost: [] as number[], signFlips: [] as number[], fixedPointsInInterval: [] as number[] };
  const buffer = new Float64Array(grid.length);
  let online: number | null = null;
  let analysisMs = 0;
  // Parameter checkpoints (after the update of every CHECKPOINT_EVERY-th epoch) so that the flows around the event
  // can be recomputed by a short, bit-identical replay (plain SGD has no state besides the parameters).
  const checkpoints = new Map<number, RnnParams>();

  const t0 = Date.now();
  const history = trainRnn(model, {
    learningRate: c.learningRate, epochs: c.epochs, task, onProgress,
    onEpoch: (rec, m) => {
      if (rec.epoch % CHECKPOINT_EVERY === 0) checkpoints.set(rec.epoch, copyParams(m.params));
      if (rec.epoch < c.analysisStart) return;
      const ta = Date.now();
      const g = analyseRankOneGhost(m);
      rankOneLatentFlowOnGrid(rankOneParams(m), grid, buffer);
      const flips = countSignFlips(buffer);
      const i = per.height.length;
      per.epoch.push(rec.epoch);
      per.height.push(g.height);
      per.kappa0.push(g.kappaStart);
      per.kappaGhost.push(g.kappaGhost);
      per.signFlips.push(flips);
      per.fixedPointsInInterval.push(g.fixedPoints.length);
      if (online === null && i > 0 && per.height[i - 1] > tol && g.height <= tol && flips > per.signFlips[i - 1]) online = rec.epoch;
      analysisMs += Date.now() - ta;
    },
    stopWhen: (rec) => c.stopAfterEvent !== null && online !== null && rec.epoch >= online + c.stopAfterEvent,
  });
  const trainMs = Date.now() - t0 - analysisMs;
  const n = history.epochsRun;
  const events = per.height.length > 1 ? bifurcationEvents(per.height, { epochs: per.epoch, zeroTolerance: tol }) : [];
  const at = (epoch: number) => epoch - c.analysisStart; // index into per-epoch arrays
  const traps = events.filter((ev) => ev.kind === "trap");
  const grown = traps.find((ev) => per.signFlips[at(ev.epoch)] > per.signFlips[at(ev.previousEpoch)]);
  const chosen = grown ?? (traps.length ? traps[traps.length - 1] : undefined);

  let saddleNode: SaddleNodeEvent | null = null;
  let eventFlows: FlowWatchSnapshot[] = [];
  const t1 = Date.now();
  if (chosen) {
    const e = chosen.epoch;
    let persistent = true;
    for (let i = at(e); i < per.height.length; i++) if (per.height[i] > tol) { persistent = false; break; }
    const after = Array.from(history.loss.slice(e + 1));
    const gradAfterArr = history.gradNorm.slice(e + 1);
    const gradBefore = maxOf(history.gradNorm.slice(Math.max(0, e - 49), e + 1));
    const gradAfter = gradAfterArr.length ? maxOf(gradAfterArr) : NaN;
    saddleNode = {
      epoch: e, previousEpoch: chosen.previousEpoch, heightBefore: chosen.heightBefore, heightAfter: chosen.heightAfter,
      signFlipsBefore: per.signFlips[at(chosen.previousEpoch)], signFlipsAfter: per.signFlips[at(e)],
      countGrew: grown !== undefined, persistent,
      lossAfter: e + 1 < n ? history.loss[e + 1] : NaN,
      accuracyAfter: e + 1 < n ? history.accuracy[e + 1] : NaN,
      lossBefore: history.loss[e],
      minLossAfter: after.length ? -maxOf(after.map((v) => -v)) : NaN,
      gradBefore, gradAfter,
      collapseOrders: Math.log10(gradBefore / gradAfter),
    };
    // Replay from the last checkpoint before the window: parameters after the updates of the epochs around the event.
    const lo = Math.max(0, e - c.eventWindow), hi = Math.min(n - 1, e + c.eventWindow);
    const wanted: number[] = [];
    for (let k = lo; k <= hi; k++) wanted.push(k);
    let from = -1; // −1: start from the untrained network
    for (const k of checkpoints.keys()) if (k < lo && k > from) from = k;
    const replay = newNetwork(config, c.seed);
    if (from >= 0) replay.params = copyParams(checkpoints.get(from) as RnnParams); // a private copy
    const h2 = trainRnn(replay, { learningRate: c.learningRate, epochs: hi - from, task, snapshotEpochs: wanted, startEpoch: from + 1 });
    for (let k = from + 1; k <= hi; k++) {
      if (h2.loss[k - from - 1] !== history.loss[k]) {
        throw new GhostError("replay", k, "a bit-identical replay of the training (the trainer must be deterministic)");
      }
    }
    eventFlows = h2.snapshots.map((s) => analyseWatchedSnapshot(withParams(replay, s.params), s.epoch, config, grid));
  }
  analysisMs += Date.now() - t1;
  const firstAccurate = firstEpochAbove(history.accuracy, 0.5);
  return {
    kappa: Array.from(grid.slice(config.displayWindow[0], config.displayWindow[1])),
    epochsRun: n,
    diverged: history.diverged,
    stoppedEarly: history.stoppedEarly,
    initial: { loss: history.loss[0], accuracy: history.accuracy[0], snapshot: initialSnapshot },
    loss: Array.from(history.loss),
    accuracy: Array.from(history.accuracy),
    gradNorm: Array.from(history.gradNorm),
    lossMax: maxOf(history.loss),
    gradMax: maxOf(history.gradNorm),
    perEpoch: per,
    events,
    saddleNode,
    firstAccurate,
    eventFlows,
    timings: { trainMs, analysisMs },
  };
}
