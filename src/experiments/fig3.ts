/**
 * Figure 3 (v1): abrupt learning and its destabilisation in the rank-one RNN (spec A5, A6).
 *
 * The rank-one network κ = n·x, x_{t+1} = (1 − α)x_t + α tanh(mκ_t + b), o_{t+1} = σ(c(κ_{t+1} − 1)) is exactly
 * the 1-D map κ_{t+1} = (1 − α)κ_t + αF(κ_t), F(κ) = nᵀtanh(mκ + b), whose flow is f(κ) = −κ + F(κ). Training
 * moves f; the figure watches it.
 *
 * - Fig 3A–B (low learning rate 0.003, 500 000 epochs at paper scale): per-epoch loss and gradient norm
 *   (downsampled for plotting, min and max of every bucket kept so spikes and the period-2 oscillation survive),
 *   parameter snapshots every 1000 epochs (after that epoch's update) plus a dense window around the abrupt drop,
 *   each analysed: f on the display window, κ₀, fixed points (refined, and the raw sign-flip count), ghost
 *   analysis on [κ₀, 1] (height h, location, curvature, r_eff = ½f″h, classification) and the step at which κ
 *   crosses 1. The v2 fixed-point test in reduced form: the sign-flip count of f every `fixedPointCheckEvery`
 *   epochs and at every snapshot; its maximum (expected 1: abrupt learning without a bifurcation).
 * - Fig 3C–D (high learning rate 0.02, 6000 epochs): the ghost analysis and the sign-flip count after EVERY
 *   epoch; the sign changes of h (analysis.bifurcationEvents); the saddle-node event = the first "trap" (h from
 *   > 0 to ≤ 0) at which the number of fixed points grows; flows in a window around it (recomputed by a short,
 *   bit-identical replay from a parameter checkpoint); the loss jumping back to ≈ 1 and the gradient collapsing.
 *
 * Conventions (spec A9 #6): loss[e], accuracy[e], gradNorm[e] belong to epoch e's forward pass (BEFORE its
 * update; the paper plots them at x = e + 1); a snapshot with `epoch` e holds the parameters AFTER the update of
 * epoch e (the paper labels it e + 1 = number of updates applied); epoch −1 denotes the untrained network.
 *
 * Seeds: the paper uses seed 40 (PyTorch streams; not reproducible here). Our seed 40 (core.Rng) shows both
 * phenomena within the paper's budgets (abrupt drop near epoch 31 400 at lr 0.003; saddle-node at epoch 4870
 * at lr 0.02), so both runs use seed 40.
 */
import {
  GhostError, requireBoolean, requireFinite, requireInRange, requireInteger, requireObject, requireOneOf, requireOptions, requirePositive,
} from "../core/errors";
import { linspace } from "../core/arrays";
import { bifurcationEvents, BifurcationEvent, firstEpochBelow } from "../analysis/classify";
import { countSignFlips, Stability } from "../analysis/fixedPoints";
import { GhostAnalysis, GhostClassification } from "../analysis/ghosts";
import { analyseRankOneGhost, analyseRankOneSnapshot } from "../analysis/rankOne";
import {
  createRankOneRnn, rankOneInitialKappa, rankOneLatentFlowOnGrid, rankOneLatentStep, rankOneParams, RnnModel,
} from "../models/rnn";
import { delayedActivationTask } from "../tasks/delayedActivation";
import { trainRnn } from "../training/trainRnn";
import { cachedRun, CacheOptions } from "./cache";
import { requireNumberArray } from "./checks";

/** Scales: "paper" = "full" = the paper's parameters (≈ 75 s on one core); "ci" = shorter low-lr run, high-lr run stopped after the event. */
export type Fig3Scale = "ci" | "paper" | "full";

/** The low-learning-rate run (Fig 3A–B). */
export interface Fig3LowConfig {
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

/** The high-learning-rate run (Fig 3C–D). */
export interface Fig3HighConfig {
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

/** Full parameter set of the Fig 3 experiment. */
export interface Fig3Config {
  scale: Fig3Scale;
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
  low: Fig3LowConfig;
  high: Fig3HighConfig;
}

/** The config at a scale (seed 40 for both runs; see the module comment). */
export function fig3Config(scale: Fig3Scale = "paper"): Fig3Config {
  requireOneOf("scale", scale, ["ci", "paper", "full"] as const);
  const ci = scale === "ci";
  return {
    scale,
    size: 100,
    confidence: 10,
    horizon: 20,
    kappaGrid: { min: -15, max: 15, points: 1000 },
    displayWindow: [200, 800],
    low: {
      seed: 40,
      learningRate: 0.003,
      epochs: ci ? 40_000 : 500_000,
      snapshotEvery: 1000,
      flowPanelEpochs: ci ? [0, 34_000, 39_000] : [0, 200_000, 499_000],
      dense: { every: 20, before: 600, after: 600, dropLevel: 0.5 },
      fixedPointCheckEvery: 100,
      plotBuckets: ci ? 1000 : 2500,
    },
    high: {
      seed: 40,
      learningRate: 0.02,
      epochs: 6000,
      analysisStart: 0,
      stopAfterEvent: ci ? 60 : null,
      eventWindow: 10,
      eventFlowOffsets: [-1, 0, 3],
      zoom: { before: 200, after: 50 },
    },
  };
}

/** Ghost quantities of one flow on [κ₀, 1] (see analysis.analyseGhost). */
export interface Fig3Ghost {
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
export interface Fig3FlowSnapshot {
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
  ghost: Fig3Ghost;
  /** First step t (1…2T) with κ_t > 1 on the exact latent map from κ₀ (output above 0.5), null if never. */
  crossingStep: number | null;
}

/** A downsampled series: epochs (0-based, plot at epoch + 1) and values, in epoch order. */
export interface Fig3Series {
  epoch: number[];
  value: number[];
}

/** Data of the low-lr run (Fig 3A–B). */
export interface Fig3LowData {
  config: Fig3Config;
  /** κ of the display window (shape [end − start]). */
  kappa: number[];
  epochsRun: number;
  diverged: { epoch: number; reason: string } | null;
  /** The untrained network. */
  initial: { loss: number; accuracy: number; snapshot: Fig3FlowSnapshot };
  /** Last epoch's record (before its update). */
  final: { loss: number; accuracy: number; gradNorm: number };
  /** max over the run (the normalisers of Fig 3A). */
  lossMax: number;
  gradMax: number;
  /** Downsampled loss and gradient norm (min and max of each bucket, plus first and last epoch). */
  loss: Fig3Series;
  gradNorm: Fig3Series;
  /** Analysed snapshots, sorted by epoch (regular grid + dense window). */
  snapshots: Fig3FlowSnapshot[];
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
export interface Fig3SaddleNode {
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

/** Data of the high-lr run (Fig 3C–D). */
export interface Fig3HighData {
  config: Fig3Config;
  kappa: number[];
  epochsRun: number;
  diverged: { epoch: number; reason: string } | null;
  /** True when the run stopped early (stopAfterEvent). */
  stoppedEarly: boolean;
  initial: { loss: number; accuracy: number; snapshot: Fig3FlowSnapshot };
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
  saddleNode: Fig3SaddleNode | null;
  /** First epoch with accuracy > 0.5 (null if never). */
  firstAccurate: number | null;
  /** Analysed flows for epochs saddleNode.epoch ± eventWindow (empty without an event). */
  eventFlows: Fig3FlowSnapshot[];
  timings: { trainMs: number; analysisMs: number };
}

/** Everything Fig 3 plots. */
export interface Fig3Data {
  config: Fig3Config;
  low: Fig3LowData;
  high: Fig3HighData;
}

/** Validates a config (GhostError naming the field). */
export function validateFig3Config(config: Fig3Config): Fig3Config {
  if (config === null || typeof config !== "object") throw new GhostError("config", config, "a Fig3Config (see fig3Config)");
  requireInteger("size", config.size, 1, 100000);
  requirePositive("confidence", config.confidence);
  requireInteger("horizon", config.horizon, 1, 100000);
  const g = requireKappaGridSpec(config.kappaGrid);
  requireDisplayWindow(config.displayWindow, g.points);
  const low = config.low, high = config.high;
  if (!low || !high) throw new GhostError("config.low/high", config.low ?? config.high, "both run configs");
  requireInteger("low.seed", low.seed, 0);
  requirePositive("low.learningRate", low.learningRate);
  requireInteger("low.epochs", low.epochs, 1, 1e9);
  requireInteger("low.snapshotEvery", low.snapshotEvery, 1, 1e9);
  if (!Array.isArray(low.flowPanelEpochs) || low.flowPanelEpochs.length === 0) throw new GhostError("low.flowPanelEpochs", low.flowPanelEpochs, "a non-empty array of snapshot epochs");
  low.flowPanelEpochs.forEach((e, i) => {
    requireInteger(`low.flowPanelEpochs[${i}]`, e, 0, low.epochs - 1);
    if (e % low.snapshotEvery !== 0) throw new GhostError(`low.flowPanelEpochs[${i}]`, e, `a multiple of low.snapshotEvery = ${low.snapshotEvery}`);
  });
  if (low.dense !== null) {
    if (!low.dense || typeof low.dense !== "object") throw new GhostError("low.dense", low.dense, "null or { every, before, after, dropLevel }");
    requireInteger("low.dense.every", low.dense.every, 1, 1e9);
    requireInteger("low.dense.before", low.dense.before, 0, 1e9);
    requireInteger("low.dense.after", low.dense.after, 0, 1e9);
    requireInRange("low.dense.dropLevel", low.dense.dropLevel, 0, 1, { minExclusive: true, maxExclusive: true });
  }
  requireInteger("low.fixedPointCheckEvery", low.fixedPointCheckEvery, 1, 1e9);
  requireInteger("low.plotBuckets", low.plotBuckets, 1, 1e7);
  requireInteger("high.seed", high.seed, 0);
  requirePositive("high.learningRate", high.learningRate);
  requireInteger("high.epochs", high.epochs, 2, 1e8);
  requireInteger("high.analysisStart", high.analysisStart, 0, high.epochs - 1);
  if (high.stopAfterEvent !== null) requireInteger("high.stopAfterEvent", high.stopAfterEvent, 1, 1e8);
  requireInteger("high.eventWindow", high.eventWindow, 0, 10000);
  if (!Array.isArray(high.eventFlowOffsets) || high.eventFlowOffsets.length === 0) throw new GhostError("high.eventFlowOffsets", high.eventFlowOffsets, "a non-empty array of integers");
  high.eventFlowOffsets.forEach((o, i) => requireInteger(`high.eventFlowOffsets[${i}]`, o, -high.eventWindow, high.eventWindow));
  requireInteger("high.zoom.before", high.zoom?.before, 0, 1e8);
  requireInteger("high.zoom.after", high.zoom.after, 0, 1e8);
  return config;
}

/** Checks config.kappaGrid: points integer in [2, 1e6], min finite, max finite > min. */
function requireKappaGridSpec(g: unknown): Fig3Config["kappaGrid"] {
  const o = requireObject("kappaGrid", g, "{ min, max, points } (κ grid linspace(min, max, points))");
  requireInteger("kappaGrid.points", o.points, 2, 1_000_000);
  const min = requireFinite("kappaGrid.min", o.min);
  requireInRange("kappaGrid.max", o.max, min, Number.MAX_VALUE, { minExclusive: true });
  return g as Fig3Config["kappaGrid"];
}

/** Checks config.displayWindow: [start, end] integers with 0 ≤ start < end ≤ points (grid length). */
function requireDisplayWindow(w: unknown, points: number): [number, number] {
  if (!Array.isArray(w) || w.length !== 2) throw new GhostError("displayWindow", w, "[start, end]: grid indices with 0 <= start < end <= grid length");
  const start = requireInteger("displayWindow[0]", w[0], 0, points - 1);
  requireInteger("displayWindow[1]", w[1], start + 1, points);
  return w as [number, number];
}

/**
 * The κ grid of a config: linspace(min, max, points).
 * @param config needs kappaGrid = { min finite, max finite > min, points integer in [2, 1e6] } (other fields unread).
 */
export function fig3KappaGrid(config: Fig3Config): Float64Array {
  requireObject("config", config, "a Fig3Config (see fig3Config)");
  const g = requireKappaGridSpec(config.kappaGrid);
  return linspace(g.min, g.max, g.points);
}

/**
 * Downsamples a long series for plotting: the range is cut into `buckets` consecutive buckets of ⌈n / buckets⌉
 * entries and each contributes its minimum and its maximum (once if they coincide), in epoch order; the first and
 * last entries are always kept. At most 2·buckets + 2 points; spikes and oscillation bands survive.
 *
 * @param values an Array or typed array of numbers, finite or not (NaN entries are skipped), shape [n],
 *   0 ≤ n ≤ 1e8.
 * @param buckets integer ≥ 1.
 */
export function downsampleMinMax(values: ArrayLike<number>, buckets: number): Fig3Series {
  requireNumberArray("values", values);
  requireInteger("buckets", buckets, 1);
  const n = values.length;
  const out: Fig3Series = { epoch: [], value: [] };
  if (n === 0) return out;
  const size = Math.max(1, Math.ceil(n / buckets));
  const push = (i: number) => {
    if (out.epoch.length > 0 && out.epoch[out.epoch.length - 1] >= i) return;
    out.epoch.push(i);
    out.value.push(values[i]);
  };
  push(0);
  for (let start = 0; start < n; start += size) {
    const stop = Math.min(n, start + size);
    let lo = -1, hi = -1;
    for (let i = start; i < stop; i++) {
      const v = values[i];
      if (Number.isNaN(v)) continue;
      if (lo < 0 || v < values[lo]) lo = i;
      if (hi < 0 || v > values[hi]) hi = i;
    }
    if (lo < 0) continue;
    if (lo === hi) push(lo);
    else if (lo < hi) { push(lo); push(hi); }
    else { push(hi); push(lo); }
  }
  push(n - 1);
  return out;
}

function maxOf(values: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > m) m = values[i];
  return m;
}

/**
 * First step t ∈ 1…steps at which the exact latent map κ_{t} = (1 − α)κ_{t−1} + αF(κ_{t−1}) from κ₀ exceeds the
 * threshold 1 (the output σ(c(κ_t − 1)) then exceeds 0.5), null if it never does.
 */
export function rankOneCrossingStep(model: RnnModel, steps: number): number | null {
  requireInteger("steps", steps, 1, 1e7);
  const p = rankOneParams(model);
  let kappa = rankOneInitialKappa(model);
  for (let t = 1; t <= steps; t++) {
    kappa = rankOneLatentStep(p, kappa, model.config.leak);
    if (kappa > 1) return t;
  }
  return null;
}

function ghostSummary(g: GhostAnalysis): Fig3Ghost {
  return {
    height: g.height, kappaGhost: g.kappaGhost, curvature: g.curvature, classification: g.classification,
    rEff: g.canonical ? g.canonical.rEff : null, passageSteps: g.canonical ? g.canonical.passageSteps : null,
    fixedPointsInInterval: g.fixedPoints.length,
  };
}

/**
 * Analyses one model for Fig 3 (flow on the display window, fixed points, ghost on [κ₀, 1], crossing step).
 * @param model a rank-one RNN (validated by analysis.analyseRankOneSnapshot).
 * @param epoch integer ≥ −1 (−1: the untrained network).
 * @param config reads kappaGrid (when `grid` is not given), horizon (integer in [1, 100000]) and displayWindow
 *   ([start, end] integers, 0 ≤ start < end ≤ grid length).
 * @param grid strictly increasing finite κ grid (default {@link fig3KappaGrid}(config)).
 * @param dense true or false (default false).
 */
export function analyseFig3Snapshot(model: RnnModel, epoch: number, config: Fig3Config, grid?: Float64Array, dense = false): Fig3FlowSnapshot {
  requireInteger("epoch", epoch, -1);
  requireObject("config", config, "a Fig3Config (see fig3Config)");
  requireInteger("horizon", config.horizon, 1, 100000);
  requireBoolean("dense", dense);
  const kappaGrid = grid === undefined ? fig3KappaGrid(config) : grid;
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

function withParams(model: RnnModel, params: Record<string, Float64Array>): RnnModel {
  return { config: { ...model.config }, params, trainable: { ...model.trainable } };
}

function copyParams(model: RnnModel): Record<string, Float64Array> {
  return Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, Float64Array.from(v)]));
}

/** Epoch spacing of the parameter checkpoints kept during the high-lr run (for the replay around the event). */
const CHECKPOINT_EVERY = 100;

function newNetwork(config: Fig3Config, seed: number): RnnModel {
  return createRankOneRnn(seed, { size: config.size, confidence: config.confidence });
}

/** Version of the cached Fig 3 computations (runner names "fig3Low", "fig3High"); bump when their output changes. */
export const FIG3_RUNNER_VERSION = "1";

/** Options of {@link runFig3Low} / {@link runFig3High}. */
export interface Fig3RunOptions {
  /**
   * Result cache (experiments/cache, keyed by the config of this run and the shared fields — not the other run's —,
   * the library version and the numerics code): false or
   * omitted = always compute (nothing read or written); true = the default directory, mode "use"; or
   * { dir?, mode?: "use" | "refresh" | "bypass" }. A cache hit returns the stored result at once (onProgress is
   * called once with (total, total)); a killed run loses only itself, the cache never holds a partial result.
   */
  cache?: boolean | CacheOptions;
  /** Called once after a cache was consulted: whether the result came from it, the directory, the run's ms. */
  onCache?: (info: Fig3CacheInfo) => void;
}

/** What {@link Fig3RunOptions.onCache} receives. */
export interface Fig3CacheInfo {
  /** True: the stored result was used (nothing computed). */
  cached: boolean;
  /** True: a damaged or mismatched cache file was found and replaced. */
  corrupt: boolean;
  /** Cache directory (null: bypassed). */
  cacheDir: string | null;
  /** Wall time of the computation, ms (for a hit: of the run that filled the cache). */
  elapsedMs: number;
}

function fig3RunOptions(opts: unknown): { cache: boolean | CacheOptions; onCache?: (info: Fig3CacheInfo) => void } {
  const o = requireOptions<Fig3RunOptions>("opts", opts, ["cache", "onCache"]);
  const cache = o.cache ?? false;
  if (typeof cache !== "boolean") requireOptions<CacheOptions>("opts.cache", cache, ["dir", "mode"]);
  if (o.onCache !== undefined && typeof o.onCache !== "function") throw new GhostError("opts.onCache", o.onCache, "a function (info) or undefined");
  return { cache, onCache: o.onCache };
}

/**
 * runFig3Low / runFig3High through the cache (or not), reporting progress for a hit and the cache outcome. The key
 * is the config without the other half (`omit`), so editing the high-lr run keeps the low-lr result cached and vice
 * versa; the returned data carries the caller's whole config, as an uncached run does.
 */
function throughCache<D extends { config: Fig3Config }>(
  name: string, config: Fig3Config, omit: "low" | "high", epochs: number, opts: unknown,
  onProgress: ((done: number, total: number) => void) | undefined, compute: () => D,
): D {
  const { cache, onCache } = fig3RunOptions(opts);
  if (cache === false) return compute();
  const key: Partial<Fig3Config> = { ...config };
  delete key[omit];
  const r = cachedRun(name, FIG3_RUNNER_VERSION, key, cache, compute);
  if (r.cached) onProgress?.(epochs, epochs);
  onCache?.({ cached: r.cached, corrupt: r.corrupt, cacheDir: r.cacheDir, elapsedMs: r.elapsedMs });
  return { ...r.result, config };
}

function requireProgress(onProgress: unknown): void {
  if (onProgress !== undefined && typeof onProgress !== "function") throw new GhostError("onProgress", onProgress, "a function (done, total) or undefined");
}

/**
 * Runs the low-learning-rate experiment (Fig 3A–B, the reduced v2 fixed-point test).
 * @param onProgress (epochs done, total epochs), at most ~100 calls.
 * @param opts { cache, onCache }: see {@link Fig3RunOptions} (default: no cache).
 */
export function runFig3Low(
  config: Fig3Config = fig3Config("paper"),
  onProgress?: (done: number, total: number) => void,
  opts: Fig3RunOptions = {},
): Fig3LowData {
  validateFig3Config(config);
  requireProgress(onProgress);
  return throughCache("fig3Low", config, "high", config.low.epochs, opts, onProgress, () => computeFig3Low(config, onProgress));
}

function computeFig3Low(config: Fig3Config, onProgress?: (done: number, total: number) => void): Fig3LowData {
  const c = config.low;
  const grid = fig3KappaGrid(config);
  const task = delayedActivationTask(config.horizon);
  const model = newNetwork(config, c.seed);
  const initialSnapshot = analyseFig3Snapshot(model, -1, config, grid);

  const regular = new Set<number>();
  for (let e = 0; e < c.epochs; e += c.snapshotEvery) regular.add(e);
  const stored = new Map<number, { dense: boolean; params: Record<string, Float64Array> }>();
  const ring: { epoch: number; params: Record<string, Float64Array> }[] = [];
  const ringSize = c.dense ? Math.floor(c.dense.before / c.dense.every) + 1 : 0;
  let trigger: number | null = null;
  let loss0 = NaN;
  const checks = { epoch: [] as number[], signFlips: [] as number[] };
  const buffer = new Float64Array(grid.length);
  let checkMs = 0;

  const t0 = Date.now();
  const history = trainRnn(model, {
    learningRate: c.learningRate, epochs: c.epochs, task, onProgress,
    stopWhen: (rec, m) => {
      const e = rec.epoch;
      if (e === 0) loss0 = rec.loss;
      if (regular.has(e)) stored.set(e, { dense: false, params: copyParams(m) });
      const d = c.dense;
      if (d && e % d.every === 0) {
        if (trigger === null) {
          ring.push({ epoch: e, params: copyParams(m) });
          if (ring.length > ringSize) ring.shift();
        } else if (e <= trigger + d.after && !stored.has(e)) {
          stored.set(e, { dense: true, params: copyParams(m) });
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
      return false;
    },
  });
  const trainMs = Date.now() - t0 - checkMs;

  const t1 = Date.now();
  const epochs = [...stored.keys()].sort((a, b) => a - b);
  const snapshots = epochs.map((e) => {
    const s = stored.get(e) as { dense: boolean; params: Record<string, Float64Array> };
    return analyseFig3Snapshot(withParams(model, s.params), e, config, grid, s.dense);
  });
  const analysisMs = Date.now() - t1 + checkMs;

  const n = history.epochsRun;
  const lossMax = maxOf(history.loss), gradMax = maxOf(history.gradNorm);
  const normalised = history.loss.map((v) => v / lossMax);
  const plateauEnd = firstEpochBelow(normalised, 0.9);
  const dropEnd = firstEpochBelow(normalised, 0.1);
  const width = plateauEnd !== null && dropEnd !== null ? dropEnd - plateauEnd : null;
  let firstAccurate: number | null = null;
  for (let e = 0; e < n; e++) if (history.accuracy[e] > 0.5) { firstAccurate = e; break; }
  const heights = snapshots.map((s) => s.ghost.height);
  const snapEpochs = snapshots.map((s) => s.epoch);
  return {
    config,
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
 * Runs the high-learning-rate experiment (Fig 3C–D): ghost analysis and sign-flip count after every epoch,
 * bifurcation events, the saddle-node event and the flows around it.
 * @param onProgress (epochs done, epoch budget), at most ~100 calls.
 * @param opts { cache, onCache }: see {@link Fig3RunOptions} (default: no cache).
 */
export function runFig3High(
  config: Fig3Config = fig3Config("paper"),
  onProgress?: (done: number, total: number) => void,
  opts: Fig3RunOptions = {},
): Fig3HighData {
  validateFig3Config(config);
  requireProgress(onProgress);
  return throughCache("fig3High", config, "low", config.high.epochs, opts, onProgress, () => computeFig3High(config, onProgress));
}

function computeFig3High(config: Fig3Config, onProgress?: (done: number, total: number) => void): Fig3HighData {
  const c = config.high;
  const grid = fig3KappaGrid(config);
  const task = delayedActivationTask(config.horizon);
  const model = newNetwork(config, c.seed);
  const initialSnapshot = analyseFig3Snapshot(model, -1, config, grid);
  const tol = 1e-12; // h ≤ tol counts as "f reaches zero" (analysis default)
  const per = { epoch: [] as number[], height: [] as number[], kappa0: [] as number[], kappaGhost: [] as number[], signFlips: [] as number[], fixedPointsInInterval: [] as number[] };
  const buffer = new Float64Array(grid.length);
  let online: number | null = null;
  let analysisMs = 0;
  // Parameter checkpoints (after the update of every CHECKPOINT_EVERY-th epoch) so that the flows around the event
  // can be recomputed by a short, bit-identical replay (plain SGD has no state besides the parameters).
  const checkpoints = new Map<number, Record<string, Float64Array>>();

  const t0 = Date.now();
  const history = trainRnn(model, {
    learningRate: c.learningRate, epochs: c.epochs, task, onProgress,
    stopWhen: (rec, m) => {
      if (rec.epoch % CHECKPOINT_EVERY === 0) checkpoints.set(rec.epoch, copyParams(m));
      if (rec.epoch < c.analysisStart) return false;
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
      return c.stopAfterEvent !== null && online !== null && rec.epoch >= online + c.stopAfterEvent;
    },
  });
  const trainMs = Date.now() - t0 - analysisMs;
  const n = history.epochsRun;
  const events = per.height.length > 1 ? bifurcationEvents(per.height, { epochs: per.epoch, zeroTolerance: tol }) : [];
  const at = (epoch: number) => epoch - c.analysisStart; // index into per-epoch arrays
  const traps = events.filter((ev) => ev.kind === "trap");
  const grown = traps.find((ev) => per.signFlips[at(ev.epoch)] > per.signFlips[at(ev.previousEpoch)]);
  const chosen = grown ?? (traps.length ? traps[traps.length - 1] : undefined);

  let saddleNode: Fig3SaddleNode | null = null;
  let eventFlows: Fig3FlowSnapshot[] = [];
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
    if (from >= 0) replay.params = copyParams(withParams(replay, checkpoints.get(from) as Record<string, Float64Array>)); // a private copy
    const h2 = trainRnn(replay, { learningRate: c.learningRate, epochs: hi - from, task, snapshotEpochs: wanted, startEpoch: from + 1 });
    for (let k = from + 1; k <= hi; k++) {
      if (h2.loss[k - from - 1] !== history.loss[k]) {
        throw new GhostError("replay", k, "a bit-identical replay of the training (the trainer must be deterministic)");
      }
    }
    eventFlows = h2.snapshots.map((s) => analyseFig3Snapshot(withParams(replay, s.params), s.epoch, config, grid));
  }
  analysisMs += Date.now() - t1;
  let firstAccurate: number | null = null;
  for (let e = 0; e < n; e++) if (history.accuracy[e] > 0.5) { firstAccurate = e; break; }
  return {
    config,
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

/** Options of {@link runFig3}. */
export interface Fig3Options {
  /** Progress over both runs: (epochs done, low.epochs + high.epochs). */
  onProgress?: (done: number, total: number) => void;
  /** Result cache of each half: see {@link Fig3RunOptions.cache} (default: no cache). */
  cache?: boolean | CacheOptions;
}

/** Runs both halves of Fig 3 (see {@link runFig3Low}, {@link runFig3High}), each cached if `opts.cache` says so. */
export function runFig3(config: Fig3Config = fig3Config("paper"), opts: Fig3Options = {}): Fig3Data {
  validateFig3Config(config);
  const o = requireOptions<Fig3Options>("opts", opts, ["onProgress", "cache"]);
  requireProgress(o.onProgress);
  const total = config.low.epochs + config.high.epochs;
  const cb = o.onProgress;
  const low = runFig3Low(config, cb ? (d) => cb(d, total) : undefined, { cache: o.cache });
  const high = runFig3High(config, cb ? (d) => cb(config.low.epochs + d, total) : undefined, { cache: o.cache });
  cb?.(total, total);
  return { config, low, high };
}
