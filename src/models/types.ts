/**
 * The RNN data types shared by the model modules (rnn.ts, lowRankRnn.ts, fullRankRnn.ts): a config (plain data)
 * and parameters as named float64 ndarrays (core/nd.ts). Kept apart so that the modules that build and use models import the types without importing each other.
 */
import type { F64Array } from "../core/nd";

/** Model kinds. */
export type RnnKind = "lowRank" | "fullRank";
/** Readout kinds of the low-rank model. */
export type ReadoutKind = "latent" | "linear";

/** Configuration of an RNN (everything needed to rebuild it, together with its parameters). */
export interface RnnConfig {
  kind: RnnKind;
  /** Number of units N (integer ≥ 1). */
  size: number;
  /** Rank K of the low-rank model (integer in [1, N]); ignored for full rank. */
  rank: number;
  /** Readout of the low-rank model; full-rank models always use "linear". */
  readout: ReadoutKind;
  /** Output-sigmoid slope c > 0 of the latent readout (paper: 10). */
  confidence: number;
  /** Leak α = dt/τ ∈ (0, 1] (paper: 0.5). */
  leak: number;
  /** Every entry of x_0 (paper: −0.3). */
  initialState: number;
  /** Seed the parameters were drawn from (provenance). */
  seed: number;
}

/** Names of the parameter groups of the RNN models. */
export type ParamGroup = "M" | "P" | "W" | "b" | "wOut" | "bOut";

/**
 * Parameter groups of a low-rank model, contiguous row-major float64 ndarrays: M [N, K] ("m"), P [K, N] ("n"),
 * b [N]; the linear readout adds wOut [N] and bOut [1].
 */
export interface LowRankParams {
  M: F64Array;
  P: F64Array;
  b: F64Array;
  wOut?: F64Array;
  bOut?: F64Array;
}

/** Parameter groups of the full-rank model: contiguous row-major float64 ndarrays. */
export interface FullRankParams {
  /** Recurrent weights, shape [N, N]: u_j = Σ_i x_i W[i, j] + b_j (W.data[i·N + j]). */
  W: F64Array;
  /** Bias, shape [N]. */
  b: F64Array;
  /** Readout weights, shape [N]. */
  wOut: F64Array;
  /** Readout bias, shape [1]. */
  bOut: F64Array;
}

/**
 * A network's parameters: one object of named, contiguous row-major float64 ndarrays
 *   low rank ({@link LowRankParams}): M [N, K], P [K, N], b [N], and for the linear readout wOut [N], bOut [1];
 *   full rank ({@link FullRankParams}): W [N, N] (u_j = Σ_i x_i W[i, j] + b_j), b [N], wOut [N], bOut [1].
 * Narrow with models.lowRankParams / models.fullRankParams; iterate with models.paramGroup; copy with
 * models.copyParams. Gradients (training) and parameter snapshots have the same type and shapes.
 */
export type RnnParams = LowRankParams | FullRankParams;

/**
 * A model: config, parameters (named float64 ndarrays) and which parameter groups are trainable. `P` narrows the
 * parameter type: models.createRankOneRnn and a low-rank models.createRnn give `RnnModel<LowRankParams>` (so
 * `model.params.M` is the [N, K] ndarray), a full-rank one `RnnModel<FullRankParams>`.
 */
export interface RnnModel<P extends RnnParams = RnnParams> {
  config: RnnConfig;
  params: P;
  /** Trainable flag per parameter group; a frozen group is neither updated nor counted in the gradient norm. */
  trainable: Record<string, boolean>;
}
