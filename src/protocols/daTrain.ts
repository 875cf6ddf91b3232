/**
 * Delayed-activation training runs as pure functions of a plain config: ONE way to build and train a DA network
 * ({@link createDaNetwork} + training/trainRnn), read out in two ways:
 *
 * - {@link runDaTrain} (the `daTrain` sweep runner; Fig S1, the trainable-rank figure): any model kind, a compact
 *   summary (report epochs, a log-spaced curve, the classification inputs) instead of per-epoch arrays;
 * - {@link runRankOneTrain} (the `rankOneTrain` sweep runner; Fig 4, benchmarks): the paper's rank-one network with
 *   per-epoch arrays, parameter snapshots and continued training of copies at other output confidences (spec A7).
 *
 *
 * Models (spec A5, A8, B4.2), all N = 100, α = 0.5, x_0 = −0.3·1, DA target with T = 20, loss Σ_t (o_t − y_t)²/T:
 *   "rankOne"  the paper's rank-one network, o = σ(c(n·x − 1)) with confidence c (default 10), m, n, b trainable;
 *   "lowRank"  rank K, linear readout o = σ(w_out·x + b_out) (spec B4.2), M, P, b, w_out, b_out trainable;
 *   "fullRank" full-rank W, linear readout (spec A8), W, b, w_out, b_out trainable.
 * Training: full-batch SGD, one step per epoch (training/trainRnn). A sweep of 300 runs × 200,001 epochs would
 * need gigabytes if every per-epoch array were cached, so a run returns only what the figures use: the loss,
 * accuracy and gradient norm at the requested report epochs, a log-spaced learning curve, and the quantities
 * that classify the run (see {@link DaTrainResult}).
 *
 * Epoch convention (spec A8, A9 #6): "the loss at epoch e" (e = 1, 2, …) is the loss computed in the e-th epoch
 * BEFORE its update, i.e. array index e − 1 of the trainer's History.
 */
import { GhostError, requireBoolean, requireFiniteArray, requireInteger, requireOneOf, requireOptions, requirePositive, requireObject } from "../core/errors";
import { createRnn, LowRankParams, RnnModel, RnnParams, withConfidence } from "../models/rnn";
import { delayedActivationTask, requireLeak } from "../tasks/delayedActivation";
import { History, trainRnn } from "../training/trainRnn";

/** Model kinds of the `daTrain` runner. */
export type DaModelKind = "rankOne" | "lowRank" | "fullRank";
/** Allowed model kinds. */
export const DA_MODEL_KINDS: readonly DaModelKind[] = ["rankOne", "lowRank", "fullRank"];

/** Config of one `daTrain` run. Defaults are the paper's (spec A5, A8, B4.2). */
export interface DaTrainConfig {
  /** "rankOne" (latent readout with confidence), "lowRank" (rank K, linear readout) or "fullRank". */
  model: DaModelKind;
  /** Seed of the initialisation (integer ≥ 0); the paper's sweeps use 0…9. */
  seed: number;
  /** SGD learning rate, finite > 0. */
  learningRate: number;
  /** Epochs (full-batch SGD steps), integer in [1, 1e8]. */
  epochs: number;
  /** Rank K of the "lowRank" model, integer in [1, N]; default 1. Ignored by the other kinds. */
  rank?: number;
  /** Units N, integer in [1, 4096]; default 100. */
  N?: number;
  /** Output confidence c > 0 of the "rankOne" readout σ(c(κ − 1)); default 10. Ignored by the other kinds. */
  confidence?: number;
  /** Leak α = dt/τ in (0, 1]; default 0.5. */
  leak?: number;
  /** Task horizon T in steps (trial 2T steps), integer ≥ 1; default 20. */
  horizon?: number;
  /** Epoch counts e (1-based, integers in [1, epochs]) at which loss/accuracy/gradNorm (index e − 1) are returned. */
  reportEpochs?: number[];
  /** Number of log-spaced epochs of the returned learning curve, integer in [0, 10000]; default 0 (no curve). */
  curvePoints?: number;
  /** Length of the final window used by the classification, integer in [1, epochs]; default min(50, epochs). */
  window?: number;
}

/** Result of one `daTrain` run. Values of epochs after a divergence are NaN. */
export interface DaTrainResult {
  model: DaModelKind;
  seed: number;
  learningRate: number;
  /** Rank of the model (1 for "rankOne", N for "fullRank"). */
  rank: number;
  /** Epochs requested. */
  epochs: number;
  /** Epochs actually run (fewer only after a divergence). */
  epochsRun: number;
  /** Non-null when the loss/gradient became NaN/Inf or an update overflowed: training stopped at that epoch (0-based). */
  diverged: { epoch: number; reason: string } | null;
  /** Loss of epoch 1 (index 0, the untrained network): the normaliser of "normalised loss". */
  initialLoss: number;
  /** Values at the report epochs (same order as config.reportEpochs; NaN after a divergence). */
  report: { epoch: number[]; loss: number[]; accuracy: number[]; gradNorm: number[] };
  /** Log-spaced learning curve: epoch counts 1 … epochs and the loss at each (index e − 1). Empty without curvePoints. */
  curve: { epoch: number[]; loss: number[] };
  /** Loss, accuracy, gradient norm of the last epoch (index epochs − 1); NaN when the run diverged. */
  final: { loss: number; accuracy: number; gradNorm: number };
  /** Max accuracy over every epoch run. */
  maxAccuracy: number;
  /** Max accuracy and max gradient norm over the last `window` epochs (NaN when the run diverged). */
  windowMaxAccuracy: number;
  windowMaxGradNorm: number;
  /** Window length used. */
  window: number;
}

/** Validates a {@link DaTrainConfig} (GhostError naming the field). */
export function validateDaTrainConfig(config: DaTrainConfig): void {
  const c = requireOptions<DaTrainConfig>("config", config);
  requireOneOf("model", c.model, DA_MODEL_KINDS);
  requireInteger("seed", c.seed, 0);
  requirePositive("learningRate", c.learningRate);
  const epochs = requireInteger("epochs", c.epochs, 1, 1e8);
  const N = c.N === undefined ? 100 : requireInteger("N", c.N, 1, 4096);
  if (c.rank !== undefined) requireInteger("rank", c.rank, 1, N);
  if (c.confidence !== undefined) requirePositive("confidence", c.confidence);
  if (c.leak !== undefined) requireLeak(c.leak);
  if (c.horizon !== undefined) requireInteger("horizon", c.horizon, 1, 100000);
  if (c.reportEpochs !== undefined) {
    requireFiniteArray("reportEpochs", c.reportEpochs, { minLength: 0 });
    c.reportEpochs.forEach((e, i) => requireInteger(`reportEpochs[${i}]`, e, 1, epochs));
  }
  if (c.curvePoints !== undefined) requireInteger("curvePoints", c.curvePoints, 0, 10000);
  if (c.window !== undefined) requireInteger("window", c.window, 1, epochs);
}

/**
 * Distinct integer epoch counts, roughly log-spaced from 1 to `epochs` inclusive (at most `points`, always
 * including 1 and `epochs` when points ≥ 2). @param epochs integer ≥ 1. @param points integer ≥ 0.
 */
export function logSpacedEpochs(epochs: number, points: number): number[] {
  requireInteger("epochs", epochs, 1);
  requireInteger("points", points, 0, 10000);
  if (points === 0) return [];
  if (points === 1 || epochs === 1) return [epochs];
  const out: number[] = [];
  const top = Math.log(epochs);
  for (let i = 0; i < points; i++) {
    const e = Math.min(epochs, Math.max(1, Math.round(Math.exp((top * i) / (points - 1)))));
    if (out.length === 0 || e > out[out.length - 1]) out.push(e);
  }
  if (out[out.length - 1] !== epochs) out.push(epochs);
  return out;
}

/**
 * The one DA network builder of both runners (spec initialisation from `seed`): "rankOne" = the paper's rank-one
 * network σ(c(κ − 1)) (spec A5), "lowRank" = rank K with a linear readout (B4.2), "fullRank" (A8). Defaults: N = 100,
 * α = 0.5, c = 10, K = 1. Arguments are validated by createRnn.
 */
export function createDaNetwork(
  model: DaModelKind, seed: number, opts: { N?: number; rank?: number; confidence?: number; leak?: number } = {},
): RnnModel {
  // An object or undefined (the options are read below; createRnn validates their values). No key list: createDaModel
  // passes its whole config.
  opts = requireOptions<{ N?: number; rank?: number; confidence?: number; leak?: number }>("opts", opts);
  const common = { size: opts.N ?? 100, leak: opts.leak ?? 0.5 };
  switch (model) {
    case "rankOne":
      return createRnn(seed, { ...common, kind: "lowRank", rank: 1, readout: "latent", confidence: opts.confidence ?? 10 });
    case "lowRank":
      return createRnn(seed, { ...common, kind: "lowRank", rank: opts.rank ?? 1, readout: "linear" });
    case "fullRank":
      return createRnn(seed, { ...common, kind: "fullRank" });
    default:
      throw new GhostError("model", model, DA_MODEL_KINDS.join(", "));
  }
}

/** Builds the network of a `daTrain` config ({@link createDaNetwork}). */
export function createDaModel(config: DaTrainConfig): RnnModel {
  validateDaTrainConfig(config);
  return createDaNetwork(config.model, config.seed, config);
}

/**
 * Runs one training (pure: the result depends only on the config). Cost per epoch at N = 100 on one core with the
 * WebAssembly kernels (the default): rank one ≈ 21 µs, rank K linear ≈ 27 µs (K = 1) … 0.5 ms (K = 100), full rank
 * ≈ 0.3 ms; with GHOST_KERNELS=js: ≈ 85 µs, 125 µs … 3.4 ms, ≈ 1.6 ms.
 */
export function runDaTrain(config: DaTrainConfig): DaTrainResult {
  validateDaTrainConfig(config);
  const model = createDaNetwork(config.model, config.seed, config);
  const E = config.epochs;
  const window = config.window ?? Math.min(50, E);
  const h = trainRnn(model, { learningRate: config.learningRate, epochs: E, task: delayedActivationTask(config.horizon ?? 20) });
  const n = h.epochsRun;
  // After a divergence the trainer stops; every later epoch counts as NaN (as a float run would show NaN).
  const at = (arr: Float64Array, e: number): number => (h.diverged !== null && e - 1 >= h.diverged.epoch ? NaN : e - 1 < n ? arr[e - 1] : NaN);
  const reportEpochs = config.reportEpochs ?? [];
  const curveEpochs = logSpacedEpochs(E, config.curvePoints ?? 0);
  let maxAccuracy = -Infinity;
  for (let i = 0; i < n; i++) if (h.accuracy[i] > maxAccuracy) maxAccuracy = h.accuracy[i];
  let windowMaxAccuracy = NaN, windowMaxGradNorm = NaN;
  if (h.diverged === null) {
    windowMaxAccuracy = -Infinity;
    windowMaxGradNorm = -Infinity;
    for (let i = E - window; i < E; i++) {
      if (h.accuracy[i] > windowMaxAccuracy) windowMaxAccuracy = h.accuracy[i];
      if (h.gradNorm[i] > windowMaxGradNorm) windowMaxGradNorm = h.gradNorm[i];
    }
  }
  return {
    model: config.model,
    seed: config.seed,
    learningRate: config.learningRate,
    rank: model.config.rank,
    epochs: E,
    epochsRun: n,
    diverged: h.diverged,
    initialLoss: h.loss[0],
    report: {
      epoch: [...reportEpochs],
      loss: reportEpochs.map((e) => at(h.loss, e)),
      accuracy: reportEpochs.map((e) => at(h.accuracy, e)),
      gradNorm: reportEpochs.map((e) => at(h.gradNorm, e)),
    },
    curve: { epoch: curveEpochs, loss: curveEpochs.map((e) => at(h.loss, e)) },
    final: { loss: at(h.loss, E), accuracy: at(h.accuracy, E), gradNorm: at(h.gradNorm, E) },
    maxAccuracy,
    windowMaxAccuracy,
    windowMaxGradNorm,
    window,
  };
}

// ------------------------------------------------------------------------------------------------------------
// The rank-one view: per-epoch arrays, snapshots, continued training at other confidences (Fig 4, spec A7)
// ------------------------------------------------------------------------------------------------------------

/** Per-epoch arrays a run can record. */
export type RankOneRecord = "loss" | "accuracy" | "gradNorm";
const RECORDS: readonly RankOneRecord[] = ["loss", "accuracy", "gradNorm"];

/** Config of one rank-one training run (all numbers plain; defaults = the paper's, spec A5). */
export interface RankOneTrainConfig {
  /** Seed of the network's initialisation (integer >= 0); Fig 4 uses 0…99, Fig 3 uses 40. */
  seed: number;
  /** Number of units N, integer in [1, 10000]; default 100. */
  N?: number;
  /** SGD learning rate > 0. */
  learningRate: number;
  /** Epochs (full-batch SGD steps), integer in [0, 1e8]. */
  epochs: number;
  /** Output confidence c > 0 (the readout is σ(c(κ − 1))); default 10. */
  confidence?: number;
  /** Leak α = dt/τ in (0, 1]; default 0.5. */
  leak?: number;
  /** Task horizon T in steps (trial = 2T steps), integer >= 1; default 20. */
  horizon?: number;
  /** Per-epoch arrays to return; default all three. Each value is that epoch's forward pass, before its update. */
  record?: RankOneRecord[];
  /** Keep every k-th epoch of the recorded arrays (epochs 0, k, 2k, …), integer >= 1; default 1. */
  recordEvery?: number;
  /** Epochs (0-based) after whose update the parameters (m, n, b) are returned, e.g. for flow curves. */
  snapshotEpochs?: number[];
  /** Return the final parameters (m, n, b); default false. */
  returnParams?: boolean;
  /**
   * Fig 4: after the main training, for each confidence c_k train a COPY of the trained network (readout slope set
   * to c_k) for `epochs` more epochs at `learningRate` (default: the main one), recording the same arrays.
   * Skipped (empty list) when the main training diverged.
   */
  continuation?: { confidences: number[]; epochs: number; learningRate?: number };
}

/** Recorded arrays and summary of one training phase. */
export interface RankOnePhaseResult {
  /** Epochs actually run (fewer than requested only after divergence). */
  epochsRun: number;
  /** Non-null when the loss/gradient became NaN/Inf: training stopped at that epoch. */
  diverged: { epoch: number; reason: string } | null;
  loss?: number[];
  accuracy?: number[];
  gradNorm?: number[];
  /** Loss, accuracy and gradient norm of the last epoch run; null when no epoch ran. */
  final: { loss: number; accuracy: number; gradNorm: number } | null;
}

/** Result of the `rankOneTrain` runner. */
export interface RankOneTrainResult extends RankOnePhaseResult {
  seed: number;
  recordEvery: number;
  /** Max accuracy over every epoch of the main training (−Infinity when no epoch ran). */
  maxAccuracy: number;
  /** Final parameters, when `returnParams`: m, n, b of length N. */
  params?: { m: number[]; n: number[]; b: number[] };
  /** Parameters after the requested epochs' updates. */
  snapshots?: { epoch: number; m: number[]; n: number[]; b: number[] }[];
  /** One entry per continuation confidence, in the given order. */
  continuation?: (RankOnePhaseResult & { confidence: number })[];
}

/** Validates a {@link RankOneTrainConfig} (GhostError naming the field). */
export function validateRankOneTrainConfig(config: RankOneTrainConfig): void {
  const c = requireOptions<RankOneTrainConfig>("config", config);
  requireInteger("seed", c.seed, 0);
  if (c.N !== undefined) requireInteger("N", c.N, 1, 10000);
  requirePositive("learningRate", c.learningRate);
  requireInteger("epochs", c.epochs, 0, 1e8);
  if (c.confidence !== undefined) requirePositive("confidence", c.confidence);
  if (c.horizon !== undefined) requireInteger("horizon", c.horizon, 1, 100000);
  if (c.recordEvery !== undefined) requireInteger("recordEvery", c.recordEvery, 1);
  if (c.record !== undefined) {
    if (!Array.isArray(c.record)) throw new GhostError("record", c.record, `an array of ${RECORDS.join(", ")}`);
    c.record.forEach((r, i) => {
      if (!RECORDS.includes(r)) throw new GhostError(`record[${i}]`, r, `one of ${RECORDS.map((x) => `"${x}"`).join(", ")}`);
    });
  }
  if (c.snapshotEpochs !== undefined) {
    requireFiniteArray("snapshotEpochs", c.snapshotEpochs, { minLength: 0 });
    c.snapshotEpochs.forEach((e, i) => requireInteger(`snapshotEpochs[${i}]`, e, 0));
  }
  if (c.returnParams !== undefined) requireBoolean("returnParams", c.returnParams);
  if (c.continuation !== undefined) {
    const k = requireOptions<NonNullable<RankOneTrainConfig["continuation"]>>("continuation", c.continuation);
    requireFiniteArray("continuation.confidences", k.confidences, { minLength: 1 });
    (k.confidences as number[]).forEach((x, i) => requirePositive(`continuation.confidences[${i}]`, x));
    requireInteger("continuation.epochs", k.epochs, 0, 1e8);
    if (k.learningRate !== undefined) requirePositive("continuation.learningRate", k.learningRate);
  }
}

function pick(values: Float64Array, every: number): number[] {
  if (every === 1) return Array.from(values);
  const out: number[] = [];
  for (let i = 0; i < values.length; i += every) out.push(values[i]);
  return out;
}

function phase(h: History, record: readonly RankOneRecord[], every: number): RankOnePhaseResult {
  const n = h.epochsRun;
  const r: RankOnePhaseResult = {
    epochsRun: n,
    diverged: h.diverged,
    final: n > 0 ? { loss: h.loss[n - 1], accuracy: h.accuracy[n - 1], gradNorm: h.gradNorm[n - 1] } : null,
  };
  for (const key of record) r[key] = pick(h[key], every);
  return r;
}

function mnb(params: RnnParams): { m: number[]; n: number[]; b: number[] } {
  const p = params as LowRankParams;
  return { m: Array.from(p.M.data), n: Array.from(p.P.data), b: Array.from(p.b.data) };
}

/**
 * Runs one rank-one training (pure: the result depends only on the config). See {@link RankOneTrainConfig}.
 * Cost ≈ 125 µs per epoch at N = 100 on one core (toolchain.md).
 */
export function runRankOneTrain(config: RankOneTrainConfig): RankOneTrainResult {
  validateRankOneTrainConfig(config);
  const record = config.record ?? [...RECORDS];
  const every = config.recordEvery ?? 1;
  const task = delayedActivationTask(config.horizon ?? 20);
  const model: RnnModel = createDaNetwork("rankOne", config.seed, config);
  const h = trainRnn(model, {
    learningRate: config.learningRate,
    epochs: config.epochs,
    task,
    snapshotEpochs: config.snapshotEpochs,
  });
  let maxAccuracy = -Infinity;
  for (let i = 0; i < h.epochsRun; i++) if (h.accuracy[i] > maxAccuracy) maxAccuracy = h.accuracy[i];
  const result: RankOneTrainResult = { seed: config.seed, recordEvery: every, maxAccuracy, ...phase(h, record, every) };
  if (config.returnParams) result.params = mnb(model.params);
  if (config.snapshotEpochs !== undefined) result.snapshots = h.snapshots.map((s) => ({ epoch: s.epoch, ...mnb(s.params) }));
  if (config.continuation) {
    const k = config.continuation;
    result.continuation =
      h.diverged !== null
        ? []
        : k.confidences.map((c) => {
            const copy = withConfidence(model, c); // a copy: the trained model is reused for every c
            const hc = trainRnn(copy, { learningRate: k.learningRate ?? config.learningRate, epochs: k.epochs, task, startEpoch: config.epochs });
            return { confidence: c, ...phase(hc, record, every) };
          });
  }
  return result;
}

/**
 * Relative cost of one epoch (rank-one latent = 1), measured at N = 100 on one core; used to order the work.
 * @param model one of DA_MODEL_KINDS. @param rank integer in [1, size] (used by "lowRank"; default 1).
 * @param size units N, integer in [1, 4096] (default 100).
 */
export function epochCost(model: DaModelKind, rank = 1, size = 100): number {
  requireOneOf("model", model, DA_MODEL_KINDS);
  requireInteger("size", size, 1, 4096);
  requireInteger("rank", rank, 1, size);
  const s = size / 100;
  if (model === "rankOne") return s;
  if (model === "fullRank") return 20 * s * s;
  return s * (1.5 + 0.4 * (rank - 1));
}

/** Estimated cost of one daTrain run (epochs × {@link epochCost}); the sweep engine balances shards by it. */
export function daTrainCost(config: DaTrainConfig): number {
  const c = requireObject("config", config, "a DaTrainConfig") as Partial<DaTrainConfig>;
  return requireInteger("config.epochs", c.epochs, 1, 1e8) * epochCost(c.model as DaModelKind, c.rank ?? 1, c.N ?? 100);
}
