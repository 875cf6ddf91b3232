/**
 * One rank-one RNN training run as a pure function of a plain config (the `rankOneTrain` sweep runner; Fig 3, 4,
 * S1). Builds the paper's rank-one network from its seed (spec A5), trains it with full-batch SGD (trainRnn), and
 * optionally continues training copies of the trained network at other output confidences (Fig 4, spec A7).
 * Returns plain arrays (number[]) so results cache and cross threads exactly.
 */
import { GhostError, requireBoolean, requireFiniteArray, requireInteger, requireOptions, requirePositive } from "../core/errors";
import { createRankOneRnn, RnnModel, withConfidence } from "../models/rnn";
import { delayedActivationTask } from "../tasks/delayedActivation";
import { History, trainRnn } from "../training/trainRnn";

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

function mnb(params: Record<string, Float64Array>): { m: number[]; n: number[]; b: number[] } {
  return { m: Array.from(params.M), n: Array.from(params.P), b: Array.from(params.b) };
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
  const model: RnnModel = createRankOneRnn(config.seed, {
    size: config.N ?? 100,
    confidence: config.confidence ?? 10,
    leak: config.leak ?? 0.5,
  });
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
