/**
 * RNN models on the delayed-activation task (spec A5, A8, B4.2), as plain, serialisable state.
 *
 * Low-rank, rank K:   κ_t = P x_t (K),  x_{t+1} = (1 − α) x_t + α tanh(M κ_t + b),
 *   with P (K×N, "n" in the paper's rank-one notation) and M (N×K, "m"). Rank one: κ = n·x,
 *   x_{t+1} = (1 − α)x_t + α tanh(m κ_t + b), and in the latent variable the model IS the 1-D map
 *   κ_{t+1} = (1 − α)κ_t + α F(κ_t), F(κ) = nᵀ tanh(mκ + b); its flow is f(κ) = −κ + F(κ) ({@link rankOneLatentFlow}).
 * Readouts: "latent" (the paper's rank-one model) o_{t+1} = σ(c(κ_{t+1} − 1)), threshold κ = 1, confidence c;
 *   "linear" (rank-K sweep, spec B4.2) o_{t+1} = σ(w_out·x_{t+1} + b_out).
 * Full rank (spec A8): x_{t+1} = (1 − α)x_t + α tanh(Wᵀx_t + b), o_{t+1} = σ(w_out·x_{t+1} + b_out).
 * x_0 = −0.3·1 (deterministic). Initialisation randn/√N for every matrix and readout weight, b = 0.
 */
import { GhostError, requireBoolean, requireFinite, requireInteger, requireOneOf, requirePositive } from "../core/errors";
import { Rng } from "../core/rng";
import { requireLeak } from "../tasks/delayedActivation";

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

/** Names of the parameter groups of a config, in a fixed order. */
export function parameterGroups(config: RnnConfig): string[] {
  if (config.kind === "fullRank") return ["W", "b", "wOut", "bOut"];
  return config.readout === "latent" ? ["M", "P", "b"] : ["M", "P", "b", "wOut", "bOut"];
}

/** Shape of each parameter group. */
export function parameterShapes(config: RnnConfig): Record<string, number[]> {
  const N = config.size, K = config.rank;
  const all: Record<string, number[]> = { M: [N, K], P: [K, N], b: [N], W: [N, N], wOut: [N], bOut: [1] };
  return Object.fromEntries(parameterGroups(config).map((g) => [g, all[g]]));
}

/** Options of {@link createRnn}; defaults are the paper's rank-one model (spec A5). */
export interface RnnOptions {
  kind?: RnnKind;
  size?: number;
  rank?: number;
  readout?: ReadoutKind;
  confidence?: number;
  leak?: number;
  initialState?: number;
  /** Trainable flags; default all true. */
  trainable?: Record<string, boolean>;
}

/** Validates and completes a config (throws GhostError naming the bad field). */
export function resolveRnnConfig(opts: RnnOptions, seed: number): RnnConfig {
  if (opts === null || typeof opts !== "object") throw new GhostError("options", opts, "an options object");
  const kind = requireOneOf("kind", opts.kind ?? "lowRank", ["lowRank", "fullRank"] as const);
  const size = requireInteger("size", opts.size ?? 100, 1, 100000);
  const rank = kind === "fullRank" ? size : requireInteger("rank", opts.rank ?? 1, 1, size);
  const readout = kind === "fullRank" ? "linear" : requireOneOf("readout", opts.readout ?? (rank === 1 ? "latent" : "linear"), ["latent", "linear"] as const);
  if (readout === "latent" && rank !== 1) throw new GhostError("readout", readout, `"linear" when rank = ${rank} > 1 (the latent readout σ(c(κ − 1)) needs rank 1)`);
  const confidence = requirePositive("confidence", opts.confidence ?? 10);
  const leak = requireLeak(opts.leak ?? 0.5);
  const initialState = requireFinite("initialState", opts.initialState ?? -0.3);
  requireInteger("seed", seed, 0);
  return { kind, size, rank, readout, confidence, leak, initialState, seed };
}

/**
 * Builds a model with the spec's initialisation from `Rng(seed)`:
 * low rank: M then P ~ N(0, 1/N) (the paper draws m before n), b = 0, wOut, bOut ~ N(0, 1/N);
 * full rank: W ~ N(0, 1/N), b = 0, wOut ~ N(0, 1/N), bOut ~ N(0, 1/N).
 */
export function createRnn(seed: number, opts: RnnOptions = {}): RnnModel {
  const config = resolveRnnConfig(opts, seed);
  const rng = new Rng(seed);
  const N = config.size;
  const std = 1 / Math.sqrt(N);
  const params: RnnParams = {};
  if (config.kind === "fullRank") {
    params.W = rng.normalArray(N * N, std);
    params.b = new Float64Array(N);
    params.wOut = rng.normalArray(N, std);
    params.bOut = rng.normalArray(1, std);
  } else {
    params.M = rng.normalArray(N * config.rank, std);
    params.P = rng.normalArray(config.rank * N, std);
    params.b = new Float64Array(N);
    if (config.readout === "linear") {
      params.wOut = rng.normalArray(N, std);
      params.bOut = rng.normalArray(1, std);
    }
  }
  const trainable: Record<string, boolean> = {};
  for (const g of parameterGroups(config)) trainable[g] = opts.trainable?.[g] === undefined ? true : requireBoolean(`trainable.${g}`, opts.trainable[g]);
  if (opts.trainable) {
    for (const k of Object.keys(opts.trainable)) {
      if (!(k in trainable)) throw new GhostError(`trainable.${k}`, opts.trainable[k], `a flag for one of the groups ${parameterGroups(config).join(", ")}`);
    }
  }
  return { config, params, trainable };
}

/** The paper's rank-one DA network (spec A5): N = 100, c = 10, α = 0.5, x_0 = −0.3·1, all of m, n, b trainable. */
export function createRankOneRnn(seed: number, opts: Omit<RnnOptions, "kind" | "rank" | "readout"> = {}): RnnModel {
  return createRnn(seed, { ...opts, kind: "lowRank", rank: 1, readout: "latent" });
}

/** Deep copy of a model (parameters copied). */
export function cloneRnn(model: RnnModel): RnnModel {
  validateRnnModel(model);
  return {
    config: { ...model.config },
    params: Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, Float64Array.from(v)])),
    trainable: { ...model.trainable },
  };
}

/** A copy of `model` with a different output confidence c (the Fig 4 ablation). */
export function withConfidence(model: RnnModel, confidence: number): RnnModel {
  const copy = cloneRnn(model);
  copy.config.confidence = requirePositive("confidence", confidence);
  return copy;
}

/** Checks that a model is well formed: config valid, every group present with the right length and finite. */
export function validateRnnModel(model: unknown): RnnModel {
  if (model === null || typeof model !== "object") throw new GhostError("model", model, "an RnnModel { config, params, trainable }");
  const m = model as RnnModel;
  if (!m.config || typeof m.config !== "object") throw new GhostError("model.config", m.config, "an RnnConfig object");
  const c = resolveRnnConfig(m.config, m.config.seed);
  if (c.rank !== m.config.rank || c.readout !== m.config.readout) throw new GhostError("model.config", m.config, "a consistent RnnConfig");
  const shapes = parameterShapes(c);
  if (!m.params || typeof m.params !== "object") throw new GhostError("model.params", m.params, "an object of Float64Arrays");
  for (const [g, shape] of Object.entries(shapes)) {
    const arr = m.params[g];
    const len = shape.reduce((a, b) => a * b, 1);
    if (!(arr instanceof Float64Array) || arr.length !== len) throw new GhostError(`model.params.${g}`, arr, `a Float64Array of length ${len} (shape ${shape.join("×")})`);
    for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i])) throw new GhostError(`model.params.${g}[${i}]`, arr[i], "a finite number");
    if (typeof m.trainable?.[g] !== "boolean") throw new GhostError(`model.trainable.${g}`, m.trainable?.[g], "true or false");
  }
  return m;
}

// ------------------------------------------------------------------------------------------------------------
// The one vector field of the rank-one model
// ------------------------------------------------------------------------------------------------------------

/** The rank-one parameters in the paper's names: m = M[:,0], n = P[0,:], b. */
export interface RankOneParams {
  m: Float64Array;
  n: Float64Array;
  b: Float64Array;
}

/** The rank-one parameters of a rank-one model (views, not copies). */
export function rankOneParams(model: RnnModel): RankOneParams {
  if (model.config.kind !== "lowRank" || model.config.rank !== 1) {
    throw new GhostError("model.config.rank", model.config.rank, "1 (a rank-one low-rank model)");
  }
  return { m: model.params.M, n: model.params.P, b: model.params.b };
}

/**
 * F(κ) = Σ_i n_i tanh(m_i κ + b_i): the recurrent drive in the latent variable. The trainer's forward pass
 * computes exactly this sum (same loop order), so the κ map and the flow plots agree to rounding.
 */
export function rankOneDrive(p: RankOneParams, kappa: number): number {
  const { m, n, b } = p;
  let s = 0;
  for (let i = 0; i < m.length; i++) s += n[i] * Math.tanh(m[i] * kappa + b[i]);
  return s;
}

/** The latent flow f(κ) = dκ/dt = −κ + nᵀ tanh(mκ + b) (time in units of τ). */
export function rankOneLatentFlow(p: RankOneParams, kappa: number): number {
  return -kappa + rankOneDrive(p, kappa);
}

/** f′(κ) = −1 + Σ n_i m_i (1 − tanh²(m_i κ + b_i)). */
export function rankOneLatentFlowSlope(p: RankOneParams, kappa: number): number {
  const { m, n, b } = p;
  let s = -1;
  for (let i = 0; i < m.length; i++) {
    const t = Math.tanh(m[i] * kappa + b[i]);
    s += n[i] * m[i] * (1 - t * t);
  }
  return s;
}

/** f″(κ) = Σ n_i m_i² · (−2 tanh(u_i)(1 − tanh²(u_i))), u_i = m_i κ + b_i. */
export function rankOneLatentFlowCurvature(p: RankOneParams, kappa: number): number {
  const { m, n, b } = p;
  let s = 0;
  for (let i = 0; i < m.length; i++) {
    const t = Math.tanh(m[i] * kappa + b[i]);
    s += n[i] * m[i] * m[i] * (-2 * t * (1 - t * t));
  }
  return s;
}

/** One step of the exact 1-D latent map κ_{t+1} = (1 − α)κ_t + α F(κ_t). */
export function rankOneLatentStep(p: RankOneParams, kappa: number, leak: number): number {
  return (1 - leak) * kappa + leak * rankOneDrive(p, kappa);
}

/** κ_0 = n·x_0 = initialState · Σ n_i. */
export function rankOneInitialKappa(model: RnnModel): number {
  const n = rankOneParams(model).n;
  let s = 0;
  for (let i = 0; i < n.length; i++) s += n[i] * model.config.initialState;
  return s;
}
