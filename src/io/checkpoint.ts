/**
 * Training checkpoints: save / load a trained RNN as versioned, checksummed JSON, continue training from it, and
 * train with periodic checkpoints so a killed run resumes where it stopped.
 *
 * Built on the safe-file helpers of core/io.ts (atomic temp-file + rename writes, SHA-256 envelope, exact
 * float64 round trip of every number including NaN/±Infinity/−0): a checkpoint file on disk is always either a
 * complete earlier version, a complete later version, or absent — never half written.
 *
 * File layout: a core/io checked-JSON envelope of kind {@link CHECKPOINT_KIND}, schemaVersion
 * {@link CHECKPOINT_SCHEMA_VERSION}, whose payload is
 *
 *     { modelKind: "lowRank" | "fullRank",
 *       model: { config: RnnConfig, params: { <group>: number[] }, trainable: { <group>: boolean } },
 *                (each group's ndarray flattened row-major, e.g. M [N, K] as N·K numbers; shapes follow from config)
 *       epoch:   epochs completed (the startEpoch of a continuation; integer >= 0),
 *       training: { learningRate, task: { name, steps, targets: number[], lossScale, horizon? } } | null,
 *       history:  History with arrays as number[] | null,
 *       rng: RngState | null,             (core.Rng state, when the caller's run draws random numbers)
 *       initialParamsSha256: string | null, (fingerprint of the run's initial parameters, trainWithCheckpoints)
 *       scale: string | null, meta: object | null, libraryVersion: string }
 *
 * Loading rebuilds the model (parameters as float64 ndarrays of their shapes, models.parameterShapes), its training settings and its History from the file
 * alone, validates every field (config ranges, parameter shapes, finite values, History consistency) and throws a
 * {@link GhostError} naming the file and the first problem found; nothing is returned (or copied into a model)
 * unless the whole file is valid. A file written with a newer schema is refused with a message saying so.
 *
 * Training is deterministic full-batch SGD, so a continuation from a checkpoint is bit-identical to an
 * uninterrupted run: train 200 epochs, save, load, train 200 more ≡ train 400 (loss, accuracy, gradient norm,
 * snapshots and parameters, bit for bit; see test/io/checkpoint.test.ts).
 */
import {
  GhostError,
  describeValue,
  requireBoolean,
  requireFiniteArray,
  requireInteger,
  requireObject,
  requireOptions,
  requirePositive,
} from "../core/errors";
import {
  CheckedJsonHeader,
  canonicalJson,
  fromJsonSafe,
  sha256Hex,
  toJsonSafe,
  tryReadCheckedJson,
  writeCheckedJson,
} from "../core/io";
import { F64Array, copyNd, isContiguous, isFloat64Nd, ndFloat64 } from "../core/nd";
import { Rng, RngState } from "../core/rng";
import {
  RnnConfig,
  RnnKind,
  RnnModel,
  RnnOptions,
  RnnParams,
  paramGroup,
  parameterGroups,
  parameterShapes,
  resolveRnnConfig,
  validateRnnModel,
} from "../models/rnn";
import { TrialTask, delayedActivationTask, validateTrialTask } from "../tasks/delayedActivation";
import { EpochRecord, History, TrainOptions, concatHistories, trainRnn } from "../training/trainRnn";
import { LIBRARY_VERSION } from "../version";

/** `kind` of a checkpoint's checked-JSON envelope. */
export const CHECKPOINT_KIND = "rnn-checkpoint";
/** Layout version of the checkpoint payload this library writes and reads (files of newer versions are refused). */
export const CHECKPOINT_SCHEMA_VERSION = 1;
/** `kind` of a saved History file ({@link saveHistory}). */
export const HISTORY_KIND = "training-history";
/** Layout version of a saved History file. */
export const HISTORY_SCHEMA_VERSION = 1;

const MODEL_KINDS: readonly RnnKind[] = ["lowRank", "fullRank"];

/** The training settings stored with a checkpoint (what a continuation needs besides the model). */
export interface CheckpointTraining {
  /** SGD learning rate, finite > 0. */
  learningRate: number;
  /** The task trained on (targets of shape [steps]). */
  task: TrialTask;
}

/** A loaded checkpoint: everything needed to rebuild the model and continue its run. */
export interface Checkpoint {
  /** The model, rebuilt with Float64Array parameters (validated: config in range, shapes, finite values). */
  model: RnnModel;
  /** Epochs completed (= History.startEpoch + History.epochsRun when a History is stored); integer >= 0. */
  epoch: number;
  /** Learning rate and task of the run, or null when the checkpoint was saved without them. */
  training: CheckpointTraining | null;
  /** The run's History so far (per-epoch arrays of length epochsRun), or null. */
  history: History | null;
  /** A random generator continuing exactly where the saved one stopped, or null. */
  rng: Rng | null;
  /** SHA-256 of the run's initial parameters (set by {@link trainWithCheckpoints}), or null. */
  initialParamsSha256: string | null;
  /** Scale the run belongs to ("ci", "paper", "full", …), or null. */
  scale: string | null;
  /** Free-form JSON metadata given at save time, or null. */
  meta: Record<string, unknown> | null;
  /** LIBRARY_VERSION of the library that wrote the file. */
  libraryVersion: string;
  /** Schema version of the file (<= CHECKPOINT_SCHEMA_VERSION). */
  schemaVersion: number;
  /** ISO time the file was written. */
  writtenAt: string;
}

/** Options of {@link saveCheckpoint}. All optional. */
export interface SaveCheckpointOptions {
  /** The run's History so far; it fixes `epoch` (= startEpoch + epochsRun). */
  history?: History | null;
  /** Learning rate and task (default task: the DA task with T = 20), so that the file alone can continue the run. */
  training?: { learningRate: number; task?: TrialTask } | null;
  /** Epochs completed, integer >= 0, when no History is given (default 0). Must agree with the History if both. */
  epoch?: number;
  /** A random generator whose current state is stored (restored as a new Rng by {@link loadCheckpoint}). */
  rng?: Rng | null;
  /** Fingerprint of the run's initial parameters (see {@link paramsFingerprint}); 64 hex digits. */
  initialParamsSha256?: string | null;
  /** Scale label (non-empty string, at most 64 characters). */
  scale?: string | null;
  /** Free-form JSON-serialisable metadata (a plain object). */
  meta?: Record<string, unknown> | null;
  /** Pretty-print with this many spaces (integer 0–8; default 0, compact). */
  indent?: number;
}

/** Options of {@link loadCheckpoint}. */
export interface LoadCheckpointOptions {
  /** Refuse a checkpoint of another model kind. */
  modelKind?: RnnKind;
}

// ------------------------------------------------------------------------------------------------------------
// Encoding (in memory → payload) and decoding (payload → validated objects)
// ------------------------------------------------------------------------------------------------------------

/**
 * The on-disk form of parameters (unchanged since schema 1): per group, the row-major data of its ndarray (a
 * Float64Array, written as a number array). Anything that is not a float64 ndarray is passed through as is, for
 * the decoder to name.
 */
function encodeParams(params: RnnParams | Record<string, unknown>, groups: string[]): Record<string, unknown> {
  const p = params as Record<string, unknown>;
  return Object.fromEntries(groups.map((g) => {
    const v = p[g];
    if (!isFloat64Nd(v)) return [g, v];
    return [g, isContiguous(v) ? v.data : copyNd(v).data];
  }));
}

function encodeTask(task: TrialTask): Record<string, unknown> {
  const t = task as TrialTask & { horizon?: number };
  return { name: String(t.name), steps: t.steps, targets: t.targets, lossScale: t.lossScale, ...(t.horizon !== undefined ? { horizon: t.horizon } : {}) };
}

/** A History as plain data (typed arrays stay typed here; the JSON encoder turns them into number arrays). */
function encodeHistory(h: History, groups: string[]): Record<string, unknown> {
  return {
    loss: h.loss, accuracy: h.accuracy, gradNorm: h.gradNorm, startEpoch: h.startEpoch, epochsRun: h.epochsRun,
    snapshots: h.snapshots.map((s) => ({ epoch: s.epoch, params: encodeParams(s.params, groups) })),
    flowGrid: h.flowGrid,
    flowSnapshots: h.flowSnapshots.map((s) => ({ epoch: s.epoch, kappa0: s.kappa0, flow: s.flow })),
    diverged: h.diverged === null ? null : { epoch: h.diverged.epoch, reason: h.diverged.reason },
    stoppedEarly: h.stoppedEarly, learningRate: h.learningRate,
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** A Float64Array copy of a number array (any number, checked later), of an exact length when given. */
function toF64(name: string, v: unknown, length?: number): Float64Array {
  if (!Array.isArray(v) && !(v instanceof Float64Array)) throw new GhostError(name, v, `an array of numbers${length !== undefined ? ` of length ${length}` : ""}`);
  if (length !== undefined && v.length !== length) throw new GhostError(`${name}.length`, v.length, `${length}`);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = (v as ArrayLike<unknown>)[i];
    if (typeof x !== "number") throw new GhostError(`${name}[${i}]`, x, "a number");
    out[i] = x;
  }
  return out;
}

function requireFiniteIn(name: string, arr: Float64Array, lo: number, hi: number, allowLastNonFinite: boolean): void {
  for (let i = 0; i < arr.length; i++) {
    const x = arr[i];
    if (!Number.isFinite(x)) {
      if (allowLastNonFinite && i === arr.length - 1) continue;
      throw new GhostError(`${name}[${i}]`, x, `a finite number in [${lo}, ${hi}]${allowLastNonFinite ? " (non-finite only at the diverged epoch)" : ""}`);
    }
    if (x < lo || x > hi) throw new GhostError(`${name}[${i}]`, x, `a finite number in [${lo}, ${hi}]`);
  }
}

/** Stored parameters (row-major number arrays per group) → float64 ndarrays of the config's shapes. */
function decodeParams(name: string, v: unknown, config: RnnConfig): RnnParams {
  const o = requireObject(name, v, "an object of parameter arrays per group");
  const shapes = parameterShapes(config);
  const out: Record<string, F64Array> = {};
  for (const [g, shape] of Object.entries(shapes)) {
    const arr = toF64(`${name}.${g}`, o[g], shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i])) throw new GhostError(`${name}.${g}[${i}]`, arr[i], "a finite number");
    out[g] = ndFloat64(shape, arr);
  }
  for (const k of Object.keys(o)) if (!(k in shapes)) throw new GhostError(`${name}.${k}`, o[k], `one of the groups ${Object.keys(shapes).join(", ")}`);
  return out as unknown as RnnParams;
}

/**
 * A complete, valid RnnConfig from stored data: every field must be present and already in its resolved form
 * (the model's own rules, models.resolveRnnConfig; nothing is filled in silently).
 */
function decodeConfig(name: string, v: unknown): RnnConfig {
  const cfg = requireObject(name, v, "an RnnConfig object");
  if (!MODEL_KINDS.includes(cfg.kind as RnnKind)) throw new GhostError(`${name}.kind`, cfg.kind, `one of ${MODEL_KINDS.map((k) => `"${k}"`).join(", ")}`);
  let resolved: RnnConfig;
  try {
    resolved = resolveRnnConfig(cfg as RnnOptions, cfg.seed as number);
  } catch (e) {
    if (e instanceof GhostError) throw new GhostError(`${name}.${e.parameter}`, e.value, e.allowed);
    throw e;
  }
  for (const k of Object.keys(resolved) as (keyof RnnConfig)[]) {
    if (!Object.is(cfg[k], resolved[k])) throw new GhostError(`${name}.${k}`, cfg[k], `${JSON.stringify(resolved[k])} (a complete, consistent RnnConfig)`);
  }
  return resolved;
}

function decodeModel(v: unknown, modelKind: unknown): RnnModel {
  const m = requireObject("model", v, "an object { config, params, trainable }");
  const config = decodeConfig("model.config", m.config);
  if (modelKind !== config.kind) throw new GhostError("modelKind", modelKind, `"${config.kind}" (the kind in model.config)`);
  const params = decodeParams("model.params", m.params, config);
  const tr = requireObject("model.trainable", m.trainable, "an object of booleans per parameter group");
  const trainable: Record<string, boolean> = {};
  for (const g of parameterGroups(config)) trainable[g] = requireBoolean(`model.trainable.${g}`, tr[g]);
  for (const k of Object.keys(tr)) if (!(k in trainable)) throw new GhostError(`model.trainable.${k}`, tr[k], `a flag of one of the groups ${parameterGroups(config).join(", ")}`);
  const model: RnnModel = { config, params, trainable };
  validateRnnModel(model);
  return model;
}

function decodeTask(v: unknown): TrialTask {
  const o = requireObject("training.task", v, "a TrialTask { name, steps, targets, lossScale }");
  if (typeof o.name !== "string") throw new GhostError("training.task.name", o.name, "a string");
  const steps = requireInteger("training.task.steps", o.steps, 1, 200000);
  const task: TrialTask & { horizon?: number } = {
    name: o.name, steps, targets: toF64("training.task.targets", o.targets, steps), lossScale: o.lossScale as number, inputs: null,
  };
  if (o.horizon !== undefined) task.horizon = requireInteger("training.task.horizon", o.horizon, 1, 100000);
  try {
    validateTrialTask(task);
  } catch (e) {
    if (e instanceof GhostError) throw new GhostError(`training.${e.parameter}`, e.value, e.allowed);
    throw e;
  }
  return task;
}

function decodeHistory(v: unknown, config: RnnConfig, name = "history"): History {
  const o = requireObject(name, v, "a History object");
  const startEpoch = requireInteger(`${name}.startEpoch`, o.startEpoch, 0);
  const epochsRun = requireInteger(`${name}.epochsRun`, o.epochsRun, 0, 1e9);
  let diverged: History["diverged"] = null;
  if (o.diverged !== null) {
    const d = requireObject(`${name}.diverged`, o.diverged, "null or { epoch, reason }");
    const last = startEpoch + epochsRun - 1;
    if (epochsRun < 1 || d.epoch !== last) throw new GhostError(`${name}.diverged.epoch`, d.epoch, `${last} (the last epoch run)`);
    if (typeof d.reason !== "string") throw new GhostError(`${name}.diverged.reason`, d.reason, "a string");
    diverged = { epoch: d.epoch as number, reason: d.reason };
  }
  const loss = toF64(`${name}.loss`, o.loss, epochsRun);
  const accuracy = toF64(`${name}.accuracy`, o.accuracy, epochsRun);
  const gradNorm = toF64(`${name}.gradNorm`, o.gradNorm, epochsRun);
  // Losses of the sigmoid-readout models lie in [0, S/lossScale]; stored values need only be finite and >= 0.
  requireFiniteIn(`${name}.loss`, loss, 0, Number.MAX_VALUE, diverged !== null);
  requireFiniteIn(`${name}.accuracy`, accuracy, 0, 1, false);
  requireFiniteIn(`${name}.gradNorm`, gradNorm, 0, Number.MAX_VALUE, diverged !== null);
  if (!Array.isArray(o.snapshots)) throw new GhostError(`${name}.snapshots`, o.snapshots, "an array of { epoch, params }");
  const end = startEpoch + epochsRun;
  const snapshots = o.snapshots.map((s, i) => {
    const so = requireObject(`${name}.snapshots[${i}]`, s, "{ epoch, params }");
    const epoch = requireInteger(`${name}.snapshots[${i}].epoch`, so.epoch, startEpoch, Math.max(startEpoch, end - 1));
    return { epoch, params: decodeParams(`${name}.snapshots[${i}].params`, so.params, config) };
  });
  const flowGrid = toF64(`${name}.flowGrid`, o.flowGrid);
  if (flowGrid.length > 0) requireFiniteArray(`${name}.flowGrid`, flowGrid);
  if (!Array.isArray(o.flowSnapshots)) throw new GhostError(`${name}.flowSnapshots`, o.flowSnapshots, "an array of { epoch, kappa0, flow }");
  const flowSnapshots = o.flowSnapshots.map((s, i) => {
    const so = requireObject(`${name}.flowSnapshots[${i}]`, s, "{ epoch, kappa0, flow }");
    const epoch = requireInteger(`${name}.flowSnapshots[${i}].epoch`, so.epoch, startEpoch, Math.max(startEpoch, end - 1));
    const kappa0 = so.kappa0;
    if (typeof kappa0 !== "number" || !Number.isFinite(kappa0)) throw new GhostError(`${name}.flowSnapshots[${i}].kappa0`, kappa0, "a finite number");
    const flow = toF64(`${name}.flowSnapshots[${i}].flow`, so.flow, flowGrid.length);
    requireFiniteArray(`${name}.flowSnapshots[${i}].flow`, flow, { minLength: 0 });
    return { epoch, kappa0, flow };
  });
  const stoppedEarly = requireBoolean(`${name}.stoppedEarly`, o.stoppedEarly);
  const learningRate = requirePositive(`${name}.learningRate`, o.learningRate);
  return { loss, accuracy, gradNorm, startEpoch, epochsRun, snapshots, flowGrid, flowSnapshots, diverged, stoppedEarly, learningRate };
}

function requireScale(name: string, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== "string" || v.length === 0 || v.length > 64) throw new GhostError(name, v, "null or a non-empty string of at most 64 characters");
  return v;
}

function requireSha(name: string, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== "string" || !/^[0-9a-f]{64}$/.test(v)) throw new GhostError(name, v, "null or 64 lowercase hex digits (a SHA-256)");
  return v;
}

/**
 * SHA-256 (hex) of a model's config and parameters (canonical JSON; every bit of every parameter counts). Used to
 * recognise the run a checkpoint belongs to.
 */
export function paramsFingerprint(model: RnnModel): string {
  validateRnnModel(model);
  const groups = parameterGroups(model.config);
  return sha256Hex(canonicalJson({ config: model.config, params: encodeParams(model.params, groups) }));
}

/**
 * The checkpoint payload of a model (plain JSON-safe data, see the module doc), validated like
 * {@link saveCheckpoint}'s input. Exposed for callers that embed a checkpoint in a larger result file;
 * {@link checkpointFromPayload} is its inverse.
 */
export function checkpointPayload(model: RnnModel, options?: SaveCheckpointOptions): Record<string, unknown> {
  validateRnnModel(model);
  const o = requireOptions<SaveCheckpointOptions>("options", options);
  const groups = parameterGroups(model.config);
  let history: History | null = null;
  if (o.history !== undefined && o.history !== null) {
    // Round-trip the History through the decoder's checks so that a file we write is always loadable.
    history = decodeHistory(toJsonSafeHistory(o.history, groups), model.config, "options.history");
  }
  let epoch: number;
  if (history) {
    epoch = history.startEpoch + history.epochsRun;
    if (o.epoch !== undefined && o.epoch !== epoch) throw new GhostError("options.epoch", o.epoch, `${epoch} (history.startEpoch + history.epochsRun)`);
  } else epoch = o.epoch === undefined ? 0 : requireInteger("options.epoch", o.epoch, 0);
  let training: Record<string, unknown> | null = null;
  if (o.training !== undefined && o.training !== null) {
    const t = requireOptions<{ learningRate: number; task?: TrialTask }>("options.training", o.training);
    const learningRate = requirePositive("options.training.learningRate", t.learningRate);
    const task = t.task === undefined ? delayedActivationTask(20) : validateTrialTask(t.task);
    training = { learningRate, task: encodeTask(task) };
  }
  let rng: RngState | null = null;
  if (o.rng !== undefined && o.rng !== null) {
    if (!(o.rng instanceof Rng)) throw new GhostError("options.rng", o.rng, "a core.Rng or null");
    rng = o.rng.getState();
  }
  const meta = o.meta === undefined || o.meta === null ? null : requireObject("options.meta", o.meta, "null or a plain object of JSON data");
  return {
    modelKind: model.config.kind,
    model: { config: { ...model.config }, params: encodeParams(model.params, groups), trainable: { ...model.trainable } },
    epoch,
    training,
    history: history ? encodeHistory(history, groups) : null,
    rng,
    initialParamsSha256: requireSha("options.initialParamsSha256", o.initialParamsSha256),
    scale: requireScale("options.scale", o.scale),
    meta,
    libraryVersion: LIBRARY_VERSION,
  };
}

/** History → the exact tree the JSON file will hold, parsed back (checks that it is representable). */
function toJsonSafeHistory(h: unknown, groups: string[]): unknown {
  const hh = requireObject("options.history", h, "a History (from training.trainRnn)") as unknown as History;
  for (const k of ["loss", "accuracy", "gradNorm", "flowGrid"] as const) {
    const a = hh[k] as unknown;
    if (!(a instanceof Float64Array) && !Array.isArray(a)) throw new GhostError(`options.history.${k}`, a, "a Float64Array");
  }
  if (!Array.isArray(hh.snapshots)) throw new GhostError("options.history.snapshots", hh.snapshots, "an array");
  if (!Array.isArray(hh.flowSnapshots)) throw new GhostError("options.history.flowSnapshots", hh.flowSnapshots, "an array");
  for (let i = 0; i < hh.snapshots.length; i++) requireObject(`options.history.snapshots[${i}]`, hh.snapshots[i], "{ epoch, params }");
  for (let i = 0; i < hh.flowSnapshots.length; i++) requireObject(`options.history.flowSnapshots[${i}]`, hh.flowSnapshots[i], "{ epoch, kappa0, flow }");
  const snapshots = hh.snapshots.map((s) => ({ epoch: s.epoch, params: isPlainObject(s.params) ? encodeParams(s.params, groups) : s.params }));
  return fromJsonSafe(toJsonSafe({ ...encodeHistory({ ...hh, snapshots: [] }, groups), snapshots }));
}

/**
 * Rebuilds a {@link Checkpoint} from a payload (as written by {@link checkpointPayload} and read back by the
 * core/io decoder). Validates every field; throws a GhostError naming the first bad one.
 */
export function checkpointFromPayload(payload: unknown, header?: Pick<CheckedJsonHeader, "libraryVersion" | "schemaVersion" | "writtenAt">): Checkpoint {
  const p = requireObject("payload", payload, "a checkpoint payload object");
  const model = decodeModel(p.model, p.modelKind);
  const epoch = requireInteger("epoch", p.epoch, 0);
  let training: CheckpointTraining | null = null;
  if (p.training !== null) {
    const t = requireObject("training", p.training, "null or { learningRate, task }");
    training = { learningRate: requirePositive("training.learningRate", t.learningRate), task: decodeTask(t.task) };
  }
  const history = p.history === null ? null : decodeHistory(p.history, model.config);
  if (history && history.startEpoch + history.epochsRun !== epoch) {
    throw new GhostError("epoch", epoch, `${history.startEpoch + history.epochsRun} (history.startEpoch + history.epochsRun)`);
  }
  let rng: Rng | null = null;
  if (p.rng !== null && p.rng !== undefined) {
    try {
      rng = Rng.fromState(p.rng as RngState);
    } catch (e) {
      if (e instanceof GhostError) throw new GhostError(`rng.${e.parameter}`, e.value, e.allowed);
      throw new GhostError("rng", p.rng, "an RngState from Rng.getState()");
    }
  }
  const meta = p.meta === null || p.meta === undefined ? null : requireObject("meta", p.meta, "null or a plain object");
  if (typeof p.libraryVersion !== "string") throw new GhostError("libraryVersion", p.libraryVersion, "a string");
  return {
    model, epoch, training, history, rng,
    initialParamsSha256: requireSha("initialParamsSha256", p.initialParamsSha256),
    scale: requireScale("scale", p.scale),
    meta,
    libraryVersion: header?.libraryVersion ?? p.libraryVersion,
    schemaVersion: header?.schemaVersion ?? CHECKPOINT_SCHEMA_VERSION,
    writtenAt: header?.writtenAt ?? "",
  };
}

// ------------------------------------------------------------------------------------------------------------
// Files
// ------------------------------------------------------------------------------------------------------------

function requireFile(file: unknown): string {
  if (typeof file !== "string" || file.length === 0 || file.includes("\0")) throw new GhostError("file", file, "a non-empty path string");
  return file;
}

/**
 * Saves `model` (config, parameters, trainable flags) with optional History, training settings, RNG state, scale
 * and metadata to `file`, atomically (temp file + fsync + rename; see core/io.writeCheckedJson). Synchronous.
 *
 * @param file destination path (parent directories are created).
 * @param model a valid RnnModel (finite parameters).
 * @param options see {@link SaveCheckpointOptions}.
 * @returns the envelope header written (kind, schemaVersion, libraryVersion, sha256, writtenAt).
 * @throws GhostError for invalid input; `file` is then not touched.
 */
export function saveCheckpoint(file: string, model: RnnModel, options?: SaveCheckpointOptions): CheckedJsonHeader {
  requireFile(file);
  const o = requireOptions<SaveCheckpointOptions>("options", options);
  const indent = o.indent === undefined ? 0 : requireInteger("options.indent", o.indent, 0, 8);
  const payload = checkpointPayload(model, o);
  return writeCheckedJson(file, payload, { kind: CHECKPOINT_KIND, schemaVersion: CHECKPOINT_SCHEMA_VERSION, indent });
}

/** Why a checkpoint could not be loaded ({@link tryLoadCheckpoint}). */
export type CheckpointFailure = "missing" | "corrupt" | "schema" | "invalid";

/** Result of {@link tryLoadCheckpoint}. */
export type CheckpointResult = { ok: true; checkpoint: Checkpoint } | { ok: false; reason: CheckpointFailure; message: string };

/**
 * Loads and fully validates a checkpoint without throwing for bad content: `{ ok: true, checkpoint }`, or
 * `{ ok: false, reason, message }` with reason "missing" (no file), "corrupt" (truncated, damaged, checksum
 * mismatch, not an envelope), "schema" (another kind, a newer schema version or envelope format) or "invalid"
 * (a well-formed file whose content breaks the checkpoint rules: wrong model kind, non-finite parameters, bad
 * shapes, inconsistent History …). I/O errors other than "not found" are re-thrown.
 */
export function tryLoadCheckpoint(file: string, options?: LoadCheckpointOptions): CheckpointResult {
  requireFile(file);
  const o = requireOptions<LoadCheckpointOptions>("options", options);
  if (o.modelKind !== undefined && !MODEL_KINDS.includes(o.modelKind)) {
    throw new GhostError("options.modelKind", o.modelKind, `one of ${MODEL_KINDS.map((k) => `"${k}"`).join(", ")} or undefined`);
  }
  const r = tryReadCheckedJson<unknown>(file);
  if (!r.ok) return r;
  const h = r.header;
  if (h.kind !== CHECKPOINT_KIND) {
    return { ok: false, reason: "schema", message: `${file}: a "${h.kind}" file, not a checkpoint (kind "${CHECKPOINT_KIND}")` };
  }
  if (!Number.isInteger(h.schemaVersion) || h.schemaVersion > CHECKPOINT_SCHEMA_VERSION || h.schemaVersion < 1) {
    return {
      ok: false,
      reason: "schema",
      message:
        `${file}: checkpoint schema version ${describeValue(h.schemaVersion)} written by ghost-mechanism ${h.libraryVersion}; ` +
        `this library (${LIBRARY_VERSION}) reads schema versions 1…${CHECKPOINT_SCHEMA_VERSION}` +
        (typeof h.schemaVersion === "number" && h.schemaVersion > CHECKPOINT_SCHEMA_VERSION ? " (the file is from a newer version: upgrade ghost-mechanism)" : ""),
    };
  }
  let checkpoint: Checkpoint;
  try {
    checkpoint = checkpointFromPayload(r.payload, h);
  } catch (e) {
    if (e instanceof GhostError) return { ok: false, reason: "invalid", message: `${file}: ${e.message}` };
    throw e;
  }
  if (o.modelKind !== undefined && checkpoint.model.config.kind !== o.modelKind) {
    return { ok: false, reason: "invalid", message: `${file}: a "${checkpoint.model.config.kind}" model, expected "${o.modelKind}"` };
  }
  return { ok: true, checkpoint };
}

/**
 * Loads a checkpoint written by {@link saveCheckpoint} / {@link trainWithCheckpoints}: the model is rebuilt from
 * the file alone (no other input), with its History, training settings and RNG state. Synchronous.
 *
 * @param file the checkpoint path.
 * @param options.modelKind optionally require "lowRank" or "fullRank".
 * @throws GhostError (parameter "file") when the file is missing, truncated or corrupted, of another kind, from a
 *   newer schema version, or its content is invalid (wrong model kind, non-finite or mis-shaped parameters,
 *   inconsistent History); the message says which. Nothing is returned in part.
 */
export function loadCheckpoint(file: string, options?: LoadCheckpointOptions): Checkpoint {
  const r = tryLoadCheckpoint(file, options);
  if (r.ok) return r.checkpoint;
  const allowed =
    r.reason === "missing"
      ? "an existing checkpoint file"
      : r.reason === "corrupt"
        ? "a complete, uncorrupted checkpoint file (written by io.saveCheckpoint)"
        : r.reason === "schema"
          ? `a checkpoint (kind "${CHECKPOINT_KIND}") of schema version <= ${CHECKPOINT_SCHEMA_VERSION}`
          : "a checkpoint with valid content";
  throw new GhostError("file", file, allowed, `${r.reason}: ${r.message}`);
}

// ------------------------------------------------------------------------------------------------------------
// Continuing and checkpointed training
// ------------------------------------------------------------------------------------------------------------

/** Options of {@link continueTraining}: trainRnn's options minus `startEpoch` (taken from the checkpoint). */
export interface ContinueOptions extends Omit<TrainOptions, "startEpoch" | "learningRate" | "task"> {
  /** Learning rate; default the checkpoint's. */
  learningRate?: number;
  /** Task; default the checkpoint's (the DA task with T = 20 if it has none). */
  task?: TrialTask;
}

/**
 * Continues training a loaded checkpoint: trains `checkpoint.model` (in place) for `options.epochs` more epochs
 * from `startEpoch = checkpoint.epoch`, with the checkpoint's learning rate and task unless given, and returns the
 * new History concatenated to the stored one. Deterministic: equal to an uninterrupted run bit for bit.
 */
export function continueTraining(checkpoint: Checkpoint, options: ContinueOptions): { model: RnnModel; history: History } {
  const c = requireObject("checkpoint", checkpoint, "a Checkpoint from io.loadCheckpoint") as unknown as Checkpoint;
  if (c.model === null || typeof c.model !== "object") throw new GhostError("checkpoint.model", c.model, "an RnnModel (a Checkpoint from io.loadCheckpoint)");
  validateRnnModel(c.model);
  const o = requireOptions<ContinueOptions>("options", options);
  if (options === undefined) throw new GhostError("options", options, "an options object with epochs");
  const learningRate = o.learningRate ?? c.training?.learningRate;
  if (learningRate === undefined) throw new GhostError("options.learningRate", learningRate, "a finite number > 0 (the checkpoint stores none)");
  if (c.history && c.history.diverged) {
    throw new GhostError("checkpoint.history.diverged", c.history.diverged, "null (this run diverged; it cannot be continued)");
  }
  const h = trainRnn(c.model, { ...o, epochs: o.epochs as number, learningRate, task: o.task ?? c.training?.task, startEpoch: requireInteger("checkpoint.epoch", c.epoch, 0) });
  return { model: c.model, history: c.history ? concatHistories(c.history, h) : h };
}

/** Options of {@link trainWithCheckpoints}. */
export interface CheckpointedTrainOptions extends Omit<TrainOptions, "startEpoch"> {
  /** Checkpoint file (written atomically after every `checkpointEvery` epochs, at the end, and on divergence). */
  file: string;
  /** Epochs between checkpoints, integer in [1, 1e9]. */
  checkpointEvery: number;
  /** Resume from an existing checkpoint of the same run (default true); false starts over and overwrites it. */
  resume?: boolean;
  /** Scale label stored in the checkpoint. */
  scale?: string;
  /** Metadata stored in the checkpoint (plain JSON object). */
  meta?: Record<string, unknown>;
  /** Called after each checkpoint is written, with the epochs completed so far. */
  onCheckpoint?: (epoch: number, file: string) => void;
}

/** Result of {@link trainWithCheckpoints}. */
export interface CheckpointedTrainResult {
  /** The trained model (the same object that was passed in). */
  model: RnnModel;
  /** History of the whole run, epochs 0 … epochsRun − 1 (including those done before a resume). */
  history: History;
  /** Epochs already done when this call started (0 for a fresh run). */
  resumedFromEpoch: number;
  /** Checkpoints written by this call. */
  checkpointsWritten: number;
}

function sameNumbers(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * Trains `model` in place for `options.epochs` epochs of full-batch SGD (as {@link trainRnn}), writing a
 * checkpoint to `options.file` every `checkpointEvery` epochs. If the file already holds a checkpoint of the same
 * run (same config, same initial parameters, learning rate and task), training resumes from it: the model's
 * parameters are replaced by the checkpoint's and only the remaining epochs run. The result is bit-identical to
 * one uninterrupted `trainRnn` call, however often the process was killed (a kill loses at most the epochs since
 * the last checkpoint). A divergence is saved in the checkpoint and ends the run (or throws, with
 * `onDivergence: "throw"`, leaving the last good checkpoint on disk).
 *
 * Cost: each checkpoint rewrites the whole History (O(epochs) bytes), so choose checkpointEvery ≳ epochs / 100.
 *
 * @throws GhostError on invalid options, or when the file holds a checkpoint of another run or an unreadable one
 *   (delete it, or pass resume: false).
 */
export function trainWithCheckpoints(model: RnnModel, options: CheckpointedTrainOptions): CheckpointedTrainResult {
  validateRnnModel(model);
  if (options === null || typeof options !== "object") throw new GhostError("options", options, "a CheckpointedTrainOptions object");
  const file = requireFile(options.file);
  const every = requireInteger("checkpointEvery", options.checkpointEvery, 1, 1e9);
  const epochs = requireInteger("epochs", options.epochs, 0, 1e9);
  const learningRate = requirePositive("learningRate", options.learningRate);
  const resume = options.resume === undefined ? true : requireBoolean("resume", options.resume);
  const task = validateTrialTask(options.task ?? delayedActivationTask(20));
  for (const [name, fn] of [["onProgress", options.onProgress], ["stopWhen", options.stopWhen], ["onCheckpoint", options.onCheckpoint]] as const) {
    if (fn !== undefined && typeof fn !== "function") throw new GhostError(name, fn, "a function or undefined");
  }
  const scale = requireScale("scale", options.scale);
  if (options.meta !== undefined) requireObject("meta", options.meta, "a plain object of JSON data");
  const origin = paramsFingerprint(model);

  let history: History | null = null;
  let resumedFromEpoch = 0;
  if (resume) {
    const r = tryLoadCheckpoint(file);
    if (!r.ok && r.reason !== "missing") {
      throw new GhostError("file", file, "absent, or a valid checkpoint of this run (delete it or pass resume: false)", `${r.reason}: ${r.message}`);
    }
    if (r.ok) {
      const c = r.checkpoint;
      const problems: string[] = [];
      if (canonicalJson(c.model.config) !== canonicalJson(model.config)) problems.push("another model config");
      if (canonicalJson(c.model.trainable) !== canonicalJson(model.trainable)) problems.push("other trainable flags");
      if (c.initialParamsSha256 !== origin) problems.push("other initial parameters");
      if (!c.training || !Object.is(c.training.learningRate, learningRate)) problems.push("another learning rate");
      if (c.training && (c.training.task.steps !== task.steps || !Object.is(c.training.task.lossScale, task.lossScale) || !sameNumbers(c.training.task.targets, task.targets))) {
        problems.push("another task");
      }
      if (!c.history || c.history.startEpoch !== 0) problems.push("no History from epoch 0");
      if (problems.length > 0) {
        throw new GhostError("file", file, "a checkpoint of this run, or resume: false", `the checkpoint belongs to a run with ${problems.join(", ")}`);
      }
      if (c.epoch > epochs) {
        throw new GhostError("epochs", epochs, `an integer >= ${c.epoch} (the checkpoint in ${file} already holds ${c.epoch} epochs)`);
      }
      // The whole checkpoint is valid and belongs to this run: only now touch the model.
      for (const g of parameterGroups(model.config)) paramGroup(model.params, g).data.set(paramGroup(c.model.params, g).data);
      history = c.history;
      resumedFromEpoch = c.epoch;
    }
  }

  const total = epochs;
  const progressEvery = Math.max(1, Math.ceil(total / 100));
  let done = history ? history.epochsRun : 0;
  let stopped = history ? history.stoppedEarly : false;
  let lastProgress = -1;
  let checkpointsWritten = 0;
  const progress = (d: number): void => {
    if (options.onProgress && d !== lastProgress) {
      lastProgress = d;
      options.onProgress(d, total);
    }
  };
  const save = (): void => {
    saveCheckpoint(file, model, {
      history, training: { learningRate, task }, initialParamsSha256: origin, scale, meta: options.meta ?? null,
    });
    checkpointsWritten++;
    if (options.onCheckpoint) options.onCheckpoint(history ? history.epochsRun : 0, file);
  };

  while (done < total && !stopped && !(history && history.diverged)) {
    const n = Math.min(every, total - done);
    let stopRequested = false;
    const h = trainRnn(model, {
      learningRate, epochs: n, task, startEpoch: done,
      snapshotEpochs: options.snapshotEpochs, flowSnapshotEpochs: options.flowSnapshotEpochs, flowGrid: options.flowGrid,
      onDivergence: options.onDivergence,
      stopWhen: (record: EpochRecord, live: RnnModel) => {
        const d = record.epoch + 1;
        if (d % progressEvery === 0 || d === total) progress(d);
        if (options.stopWhen && options.stopWhen(record, live)) {
          stopRequested = true;
          return true;
        }
        return false;
      },
    });
    history = history ? concatHistories(history, h) : h;
    done = history.epochsRun;
    if (stopRequested) {
      stopped = true;
      history.stoppedEarly = done < total;
    } else history.stoppedEarly = false;
    save();
  }
  if (history === null) {
    // epochs = 0: record the untrained state so the file exists.
    history = trainRnn(model, { learningRate, epochs: 0, task });
    save();
  }
  progress(done);
  return { model, history, resumedFromEpoch, checkpointsWritten };
}

// ------------------------------------------------------------------------------------------------------------
// History files
// ------------------------------------------------------------------------------------------------------------

/** A History file's content ({@link loadHistory}). */
export interface SavedHistory {
  history: History;
  /** Config of the model trained (needed to rebuild snapshot shapes). */
  config: RnnConfig;
  scale: string | null;
  meta: Record<string, unknown> | null;
  libraryVersion: string;
}

/**
 * Saves a training History with the config of its model (provenance; snapshot shapes) atomically as checked JSON
 * (kind {@link HISTORY_KIND}). Every number, including NaN at a diverged epoch, survives bit for bit.
 * @throws GhostError for an invalid History or config; the file is then not touched.
 */
export function saveHistory(
  file: string,
  history: History,
  config: RnnConfig,
  options?: { scale?: string; meta?: Record<string, unknown>; indent?: number },
): CheckedJsonHeader {
  requireFile(file);
  const o = requireOptions<{ scale?: string; meta?: Record<string, unknown>; indent?: number }>("options", options);
  const cfg = decodeConfig("config", config);
  const groups = parameterGroups(cfg);
  const checked = decodeHistory(toJsonSafeHistory(history, groups), cfg, "history");
  const payload = {
    config: { ...cfg }, history: encodeHistory(checked, groups),
    scale: requireScale("options.scale", o.scale),
    meta: o.meta === undefined ? null : requireObject("options.meta", o.meta, "a plain object"),
    libraryVersion: LIBRARY_VERSION,
  };
  return writeCheckedJson(file, payload, { kind: HISTORY_KIND, schemaVersion: HISTORY_SCHEMA_VERSION, indent: o.indent === undefined ? 0 : requireInteger("options.indent", o.indent, 0, 8) });
}

/** Loads a History file written by {@link saveHistory}. @throws GhostError as {@link loadCheckpoint}. */
export function loadHistory(file: string): SavedHistory {
  requireFile(file);
  const r = tryReadCheckedJson<unknown>(file);
  let problem: string | null = null;
  if (!r.ok) problem = `${r.reason}: ${r.message}`;
  else if (r.header.kind !== HISTORY_KIND) problem = `schema: a "${r.header.kind}" file, not a History (kind "${HISTORY_KIND}")`;
  else if (r.header.schemaVersion > HISTORY_SCHEMA_VERSION) {
    problem = `schema: History schema version ${r.header.schemaVersion} written by ghost-mechanism ${r.header.libraryVersion}; this library reads <= ${HISTORY_SCHEMA_VERSION} (upgrade ghost-mechanism)`;
  }
  if (r.ok && problem === null) {
    try {
      const p = requireObject("payload", r.payload, "a History payload");
      const config = decodeConfig("config", p.config);
      if (typeof p.libraryVersion !== "string") throw new GhostError("libraryVersion", p.libraryVersion, "a string");
      return {
        history: decodeHistory(p.history, config),
        config,
        scale: requireScale("scale", p.scale),
        meta: p.meta === null || p.meta === undefined ? null : requireObject("meta", p.meta, "null or a plain object"),
        libraryVersion: r.header.libraryVersion,
      };
    } catch (e) {
      if (!(e instanceof GhostError)) throw e;
      problem = `invalid: ${file}: ${e.message}`;
    }
  }
  throw new GhostError("file", file, `a valid History file (kind "${HISTORY_KIND}", schema <= ${HISTORY_SCHEMA_VERSION})`, problem ?? "unknown");
}
