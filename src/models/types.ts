/**
 * The RNN data types shared by the model modules (rnn.ts, lowRankRnn.ts, fullRankRnn.ts): plain, serialisable
 * state. Kept apart so that the modules that build and use models import the types without importing each other.
 */

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

/**
 * Parameter groups (row-major Float64Arrays):
 *   low rank: M [N×K], P [K×N], b [N], and for the linear readout wOut [N], bOut [1];
 *   full rank: W [N×N] (u_j = Σ_i x_i W_ij + b_j), b [N], wOut [N], bOut [1].
 */
export type RnnParams = Record<string, Float64Array>;

/** A model: config, parameters and which parameter groups are trainable. Plain data (JSON-friendly). */
export interface RnnModel {
  config: RnnConfig;
  params: RnnParams;
  /** Trainable flag per parameter group; a frozen group is neither updated nor counted in the gradient norm. */
  trainable: Record<string, boolean>;
}
