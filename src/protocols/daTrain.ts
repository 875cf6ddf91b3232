/**
 * One training run of any delayed-activation RNN as a pure function of a plain config, returning a compact
 * summary instead of per-epoch arrays (the `daTrain` sweep runner; Fig S1, the trainable-rank figure).
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
import { GhostError, requireFiniteArray, requireInteger, requireOneOf, requireOptions, requirePositive } from "../core/errors";
import { createRnn, RnnModel } from "../models/rnn";
import { delayedActivationTask, requireLeak } from "../tasks/delayedActivation";
import { trainRnn } from "../training/trainRnn";

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

/** Builds the network of a config (spec initialisation from `seed`). */
export function createDaModel(config: DaTrainConfig): RnnModel {
  validateDaTrainConfig(config);
  const common = { size: config.N ?? 100, leak: config.leak ?? 0.5 };
  switch (config.model) {
    case "rankOne":
      return createRnn(config.seed, { ...common, kind: "lowRank", rank: 1, readout: "latent", confidence: config.confidence ?? 10 });
    case "lowRank":
      return createRnn(config.seed, { ...common, kind: "lowRank", rank: config.rank ?? 1, readout: "linear" });
    case "fullRank":
      return createRnn(config.seed, { ...common, kind: "fullRank" });
    default:
      throw new GhostError("model", config.model, DA_MODEL_KINDS.join(", "));
  }
}

/**
 * Runs one training (pure: the result depends only on the config). Cost per epoch at N = 100 on one core:
 * rank one ≈ 85 µs, rank K linear ≈ 125 µs (K = 1) … 3.4 ms (K = 100), full rank ≈ 1.6 ms.
 */
export function runDaTrain(config: DaTrainConfig): DaTrainResult {
  validateDaTrainConfig(config);
  const model = createDaModel(config);
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
