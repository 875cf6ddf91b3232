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
import { GhostError, requireBoolean, requireFinite, requireInteger, requireOneOf, requireOptions, requirePositive } from "../core/errors";
import { F64Array, copyNd, requireNd, shapeString } from "../core/nd";
import { Rng } from "../core/rng";
import { requireLeak } from "../tasks/delayedActivation";
import { initFullRank } from "./fullRankRnn";
import { initLowRank } from "./lowRankRnn";
import type { FullRankParams, LowRankParams, ReadoutKind, RnnConfig, RnnKind, RnnModel, RnnParams } from "./types";

export type { RnnKind, ReadoutKind, RnnConfig, RnnParams, RnnModel, ParamGroup, LowRankParams, FullRankParams } from "./types";

function requireConfigObject(config: unknown): RnnConfig {
  if (config === null || typeof config !== "object") throw new GhostError("config", config, "an RnnConfig object");
  return config as RnnConfig;
}

/** Names of the parameter groups of a config, in a fixed order. */
export function parameterGroups(config: RnnConfig): string[] {
  requireConfigObject(config);
  if (config.kind === "fullRank") return ["W", "b", "wOut", "bOut"];
  return config.readout === "latent" ? ["M", "P", "b"] : ["M", "P", "b", "wOut", "bOut"];
}

/** Shape of each parameter group: M [N, K], P [K, N], W [N, N], b [N], wOut [N], bOut [1] (the config's groups only). */
export function parameterShapes(config: RnnConfig): Record<string, number[]> {
  requireConfigObject(config);
  const N = requireInteger("config.size", config.size, 1), K = requireInteger("config.rank", config.rank, 1);
  const all: Record<string, number[]> = { M: [N, K], P: [K, N], b: [N], W: [N, N], wOut: [N], bOut: [1] };
  return Object.fromEntries(parameterGroups(config).map((g) => [g, all[g]]));
}

/** The option names of createRnn / createRnnFromRng (anything else is refused as a misspelling). */
export const RNN_OPTIONS: readonly string[] = ["kind", "size", "rank", "readout", "confidence", "leak", "initialState", "trainable"];

/** Options of {@link createRnn}; defaults are the paper's rank-one model (spec A5). */
export interface RnnOptions {
  /** "lowRank" (default) or "fullRank". */
  kind?: RnnKind;
  /** N, integer in [1, 100000] (full rank: [1, 4096]; low rank: N·K ≤ 4096², like full rank); default 100. */
  size?: number;
  /** K, integer in [1, N]; default 1 (ignored for full rank). */
  rank?: number;
  /** Default "latent" for rank 1, "linear" otherwise ("latent" needs rank 1). */
  readout?: ReadoutKind;
  /** c > 0, finite; default 10 (used by the latent readout only). */
  confidence?: number;
  /** α ∈ (0, 1]; default 0.5. */
  leak?: number;
  /** x_0 entry value, finite; default −0.3. */
  initialState?: number;
  /** Trainable flags per group name (e.g. { M: true, P: false }); default all true. */
  trainable?: Record<string, boolean>;
}

/** Largest matrix of a model (N×N of the largest full-rank model, 4096²): bounds N·K of the low-rank models. */
const MAX_MATRIX_ENTRIES = 4096 * 4096;

/** Validates and completes a config (throws GhostError naming the bad field). */
export function resolveRnnConfig(opts: RnnOptions, seed: number): RnnConfig {
  if (opts === null || typeof opts !== "object") throw new GhostError("options", opts, "an options object");
  const kind = requireOneOf("kind", opts.kind ?? "lowRank", ["lowRank", "fullRank"] as const);
  const size = requireInteger("size", opts.size ?? 100, 1, kind === "fullRank" ? 4096 : 100000);
  const rank = kind === "fullRank" ? size : requireInteger("rank", opts.rank ?? 1, 1, Math.min(size, Math.floor(MAX_MATRIX_ENTRIES / size)));
  const readout = kind === "fullRank" ? "linear" : requireOneOf("readout", opts.readout ?? (rank === 1 ? "latent" : "linear"), ["latent", "linear"] as const);
  if (readout === "latent" && rank !== 1) throw new GhostError("readout", readout, `"linear" when rank = ${rank} > 1 (the latent readout σ(c(κ − 1)) needs rank 1)`);
  const confidence = requirePositive("confidence", opts.confidence ?? 10);
  const leak = requireLeak(opts.leak ?? 0.5);
  const initialState = requireFinite("initialState", opts.initialState ?? -0.3);
  requireInteger("seed", seed, 0);
  return { kind, size, rank, readout, confidence, leak, initialState, seed };
}

/** Trainable flags of every group of `config` (default true); rejects unknown group names and non-booleans. */
function resolveTrainable(config: RnnConfig, flags: Record<string, boolean> | undefined): Record<string, boolean> {
  if (flags !== undefined && (flags === null || typeof flags !== "object")) throw new GhostError("trainable", flags, "an object of booleans per parameter group");
  const trainable: Record<string, boolean> = {};
  for (const g of parameterGroups(config)) trainable[g] = flags?.[g] === undefined ? true : requireBoolean(`trainable.${g}`, flags[g]);
  for (const k of Object.keys(flags ?? {})) {
    if (!(k in trainable)) throw new GhostError(`trainable.${k}`, flags?.[k], `a flag for one of the groups ${parameterGroups(config).join(", ")}`);
  }
  return trainable;
}

/**
 * Builds a model with the spec's initialisation drawn from `new Rng(seed)` (see {@link createRnnFromRng}).
 * @param seed integer ≥ 0, stored in the config (provenance). @param opts defaults = the paper's rank-one model.
 */
export function createRnn(seed: number, opts: RnnOptions & { kind: "fullRank" }): RnnModel<FullRankParams>;
export function createRnn(seed: number, opts?: RnnOptions & { kind?: "lowRank" }): RnnModel<LowRankParams>;
export function createRnn(seed: number, opts?: RnnOptions): RnnModel;
export function createRnn(seed: number, opts: RnnOptions = {}): RnnModel {
  requireInteger("seed", seed, 0);
  return createRnnFromRng(new Rng(seed), opts, seed);
}

/**
 * Builds a model drawing its parameters from `rng` (the stream advances):
 * low rank: {@link initLowRank} — M then P ~ N(0, 1/N) (the paper draws m before n), b = 0, and for the linear
 * readout wOut, bOut ~ N(0, 1/N); full rank: {@link initFullRank} — W, wOut, bOut ~ N(0, 1/N), b = 0.
 * @param seed recorded in config.seed (default rng.seed).
 */
export function createRnnFromRng(rng: Rng, opts: RnnOptions & { kind: "fullRank" }, seed?: number): RnnModel<FullRankParams>;
export function createRnnFromRng(rng: Rng, opts?: RnnOptions & { kind?: "lowRank" }, seed?: number): RnnModel<LowRankParams>;
export function createRnnFromRng(rng: Rng, opts?: RnnOptions, seed?: number): RnnModel;
export function createRnnFromRng(rng: Rng, opts: RnnOptions = {}, seed?: number): RnnModel {
  if (!(rng instanceof Rng)) throw new GhostError("rng", rng, "an Rng (core.Rng) instance");
  requireOptions("options", opts, RNN_OPTIONS);
  const config = resolveRnnConfig(opts, seed ?? rng.seed);
  const trainable = resolveTrainable(config, opts.trainable);
  const N = config.size;
  let params: RnnParams;
  if (config.kind === "fullRank") {
    const p = initFullRank(N, rng);
    params = { W: p.W, b: p.b, wOut: p.wOut, bOut: p.bOut };
  } else {
    const p = initLowRank(N, config.rank, rng, config.readout);
    params = { M: p.M, P: p.P, b: p.b };
    if (p.wOut && p.bOut) {
      params.wOut = p.wOut;
      params.bOut = p.bOut;
    }
  }
  return { config, params, trainable };
}

/** The paper's rank-one DA network (spec A5): N = 100, c = 10, α = 0.5, x_0 = −0.3·1, all of m, n, b trainable. */
export function createRankOneRnn(seed: number, opts: Omit<RnnOptions, "kind" | "rank" | "readout"> = {}): RnnModel<LowRankParams> {
  return createRnn(seed, { ...opts, kind: "lowRank", rank: 1, readout: "latent" });
}

/**
 * The ndarray of parameter group `group` of `params` (e.g. "M"); throws a GhostError if `params` has no such group.
 * For generic code over the groups of {@link parameterGroups}.
 */
export function paramGroup(params: RnnParams, group: string): F64Array {
  if (typeof group !== "string") throw new GhostError("group", group, "a parameter group name (a string such as \"M\")");
  const arr = (params as unknown as Record<string, F64Array | undefined>)?.[group];
  if (arr === undefined) throw new GhostError(`params.${group}`, arr, "a parameter ndarray (a group of this model)");
  return arr;
}

/**
 * Deep copy of a parameter object (or of gradients, which have the same type): every group (the keys of `params`,
 * in their order) copied into a new contiguous float64 ndarray of the same shape. The copy shares no storage
 * with `params`: THE one parameter copy of the library (models.cloneRnn, the trainer's snapshots, Fig 3).
 */
export function copyParams<T extends RnnParams>(params: T): T {
  if (params === null || typeof params !== "object") throw new GhostError("params", params, "an object of parameter ndarrays");
  const out: Record<string, F64Array> = {};
  for (const [g, v] of Object.entries(params)) {
    if (v === undefined) continue;
    out[g] = copyNd(requireNd(`params.${g}`, v, v?.shape ?? ["?"]));
  }
  return out as unknown as T;
}

/** The low-rank parameters { M [N, K], P [K, N], b [N], wOut?, bOut? } of a low-rank model (throws otherwise). */
export function lowRankParams(model: RnnModel): LowRankParams {
  if (model === null || typeof model !== "object" || !model.config) throw new GhostError("model", model, "an RnnModel");
  if (model.config.kind !== "lowRank") throw new GhostError("model.config.kind", model.config.kind, `"lowRank"`);
  return model.params as LowRankParams;
}

/** The full-rank parameters { W [N, N], b [N], wOut [N], bOut [1] } of a full-rank model (throws otherwise). */
export function fullRankParams(model: RnnModel): FullRankParams {
  if (model === null || typeof model !== "object" || !model.config) throw new GhostError("model", model, "an RnnModel");
  if (model.config.kind !== "fullRank") throw new GhostError("model.config.kind", model.config.kind, `"fullRank"`);
  return model.params as FullRankParams;
}

/** Deep copy of a model: config and trainable flags copied, parameters by {@link copyParams}. */
export function cloneRnn<P extends RnnParams>(model: RnnModel<P>): RnnModel<P> {
  validateRnnModel(model);
  return { config: { ...model.config }, params: copyParams(model.params), trainable: { ...model.trainable } };
}

/** A copy of `model` with a different output confidence c (the Fig 4 ablation). */
export function withConfidence<P extends RnnParams>(model: RnnModel<P>, confidence: number): RnnModel<P> {
  const copy = cloneRnn(model);
  copy.config.confidence = requirePositive("confidence", confidence);
  return copy;
}

/**
 * Checks that a model is well formed: config valid, every group of {@link parameterShapes} present as a
 * contiguous float64 ndarray of its shape (the message names the expected shape, e.g.
 * `model.params.M = … is not allowed: expected a float64 ndarray of shape [100, 1]`), finite, with a trainable flag.
 */
export function validateRnnModel(model: unknown): RnnModel {
  if (model === null || typeof model !== "object") throw new GhostError("model", model, "an RnnModel { config, params, trainable }");
  const m = model as RnnModel;
  if (!m.config || typeof m.config !== "object") throw new GhostError("model.config", m.config, "an RnnConfig object");
  const c = resolveRnnConfig(m.config, m.config.seed);
  if (c.rank !== m.config.rank || c.readout !== m.config.readout) throw new GhostError("model.config", m.config, "a consistent RnnConfig");
  const shapes = parameterShapes(c);
  if (!m.params || typeof m.params !== "object") {
    throw new GhostError("model.params", m.params, `an object of float64 ndarrays { ${Object.entries(shapes).map(([g, s]) => `${g}: ${shapeString(s)}`).join(", ")} }`);
  }
  for (const [g, shape] of Object.entries(shapes)) {
    requireNd(`model.params.${g}`, (m.params as unknown as Record<string, unknown>)[g], shape, { finite: true });
    if (typeof m.trainable?.[g] !== "boolean") throw new GhostError(`model.trainable.${g}`, m.trainable?.[g], "true or false");
  }
  return m;
}

// The rank-one vector field (rankOneLatentFlow, …) and the initialisers live in lowRankRnn.ts / fullRankRnn.ts;
// they are re-exported here so `models.*` and "../models/rnn" expose the whole RNN API.
export * from "./lowRankRnn";
export * from "./fullRankRnn";
