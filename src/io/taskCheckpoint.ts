/**
 * Checkpoints of task-RNN training (training/trainTask.ts): the full resumable state — config, parameters,
 * optimiser state (Adam moments and step), the forward-pass Rng state, per-epoch records, the task fingerprint —
 * as a versioned, checksummed JSON file written atomically (core/io.ts: temp file + rename, exact float64 round
 * trip). {@link trainTaskWithCheckpoints} writes one every k epochs and, when the file already holds a checkpoint
 * of the same run, resumes from it: the result is bit-identical to an uninterrupted run (test/io/taskCheckpoint).
 *
 * Payload (kind {@link TASK_CHECKPOINT_KIND}, schema {@link TASK_CHECKPOINT_SCHEMA_VERSION}):
 *   { state: { epoch, model: { config, params: { <group>: number[] (row-major) } }, optimizer: OptimizerJson,
 *              rng: RngState | null, records: { loss, accuracy, gradMetric, gradNorm, weightNorm: number[] },
 *              taskSha256, diverged },
 *     initialParamsSha256: string | null, scale: string | null, meta: object | null }
 */
import { GhostError, requireBoolean, requireInteger, requireObject, requireOptions } from "../core/errors";
import { CheckedJsonHeader, canonicalJson, sha256Hex, tryReadCheckedJson, writeCheckedJson } from "../core/io";
import { F64Array, ndFloat64 } from "../core/nd";
import { TaskRnn, TaskRnnConfig, TaskRnnOptions, resolveTaskRnnConfig, taskRnnShapes, validateTaskRnn } from "../models/taskRnn";
import { Task, validateTask } from "../tasks/task";
import { TRAIN_TASK_OPTIONS, TrainTaskOptions, TrainTaskResult, TrainTaskState, taskFingerprint, trainTask, validateTrainTaskState } from "../training/trainTask";

/** `kind` of a task-RNN checkpoint envelope. */
export const TASK_CHECKPOINT_KIND = "task-rnn-checkpoint";
/** Payload layout version. */
export const TASK_CHECKPOINT_SCHEMA_VERSION = 1;

/** A loaded task checkpoint. */
export interface TaskCheckpoint {
  state: TrainTaskState;
  /** SHA-256 of the run's initial parameters (set by trainTaskWithCheckpoints), or null. */
  initialParamsSha256: string | null;
  scale: string | null;
  meta: Record<string, unknown> | null;
  libraryVersion: string;
  writtenAt: string;
}

/** SHA-256 of a task RNN's config and parameters (identifies a run's starting point). */
export function taskParamsFingerprint(model: TaskRnn): string {
  validateTaskRnn(model);
  const params = Object.fromEntries(Object.keys(taskRnnShapes(model.config)).map((g) => [g, Array.from((model.params as unknown as Record<string, F64Array>)[g].data)]));
  return sha256Hex(canonicalJson({ config: model.config, params }));
}

function requireFile(file: unknown): string {
  if (typeof file !== "string" || file.length === 0 || file.includes("\0")) throw new GhostError("file", file, "a non-empty path string");
  return file;
}

/**
 * Writes `state` atomically to `file` (validated first). Options: initialParamsSha256, scale (string ≤ 64 chars),
 * meta (plain JSON object). Returns the envelope header written.
 */
export function saveTaskCheckpoint(file: string, state: TrainTaskState, options: { initialParamsSha256?: string | null; scale?: string | null; meta?: Record<string, unknown> | null } = {}): CheckedJsonHeader {
  requireFile(file);
  const o = requireOptions<{ initialParamsSha256?: string | null; scale?: string | null; meta?: Record<string, unknown> | null }>("options", options, ["initialParamsSha256", "scale", "meta"]);
  const s = requireObject("state", state, "a TrainTaskState") as unknown as TrainTaskState;
  const model = validateTaskRnn(s.model);
  if (s.diverged === null) validateTrainTaskState(s, model);
  if (o.initialParamsSha256 != null && (typeof o.initialParamsSha256 !== "string" || !/^[0-9a-f]{64}$/.test(o.initialParamsSha256))) throw new GhostError("options.initialParamsSha256", o.initialParamsSha256, "64 lowercase hex digits or null");
  if (o.scale != null && (typeof o.scale !== "string" || o.scale.length === 0 || o.scale.length > 64)) throw new GhostError("options.scale", o.scale, "a non-empty string of at most 64 characters, or null");
  if (o.meta != null) requireObject("options.meta", o.meta, "a plain object of JSON data");
  const params = Object.fromEntries(Object.keys(taskRnnShapes(model.config)).map((g) => [g, (model.params as unknown as Record<string, F64Array>)[g].data]));
  const payload = {
    state: { ...s, model: { config: model.config, params } },
    initialParamsSha256: o.initialParamsSha256 ?? null, scale: o.scale ?? null, meta: o.meta ?? null,
  };
  return writeCheckedJson(file, payload, { kind: TASK_CHECKPOINT_KIND, schemaVersion: TASK_CHECKPOINT_SCHEMA_VERSION });
}

/** Rebuilds a checkpoint from its payload (validated: config, parameter lengths and values, optimiser, records). */
function fromPayload(payload: unknown, header: CheckedJsonHeader): TaskCheckpoint {
  const p = requireObject("payload", payload, "a task checkpoint payload");
  const s = requireObject("payload.state", p.state, "a TrainTaskState");
  const m = requireObject("payload.state.model", s.model, "{ config, params }");
  const config: TaskRnnConfig = resolveTaskRnnConfig(requireObject("payload.state.model.config", m.config, "a TaskRnnConfig") as unknown as TaskRnnOptions);
  const raw = requireObject("payload.state.model.params", m.params, "parameter arrays per group");
  const params: Record<string, F64Array> = {};
  for (const [g, shape] of Object.entries(taskRnnShapes(config))) {
    const arr = raw[g];
    const n = shape.reduce((a, b) => a * b, 1);
    if (!Array.isArray(arr) || arr.length !== n) throw new GhostError(`payload.state.model.params.${g}`, arr, `an array of ${n} numbers (shape [${shape.join(", ")}])`);
    const a = ndFloat64(shape);
    for (let i = 0; i < n; i++) {
      if (typeof arr[i] !== "number" || !Number.isFinite(arr[i])) throw new GhostError(`payload.state.model.params.${g}[${i}]`, arr[i], "a finite number");
      a.data[i] = arr[i];
    }
    params[g] = a;
  }
  const model = validateTaskRnn({ config, params });
  const state = { ...(s as unknown as TrainTaskState), model };
  if (state.diverged === null) validateTrainTaskState(state, model);
  const sha = p.initialParamsSha256;
  if (sha !== null && (typeof sha !== "string" || !/^[0-9a-f]{64}$/.test(sha))) throw new GhostError("payload.initialParamsSha256", sha, "64 hex digits or null");
  return {
    state, initialParamsSha256: sha as string | null, scale: (p.scale as string | null) ?? null, meta: (p.meta as Record<string, unknown> | null) ?? null,
    libraryVersion: header.libraryVersion, writtenAt: header.writtenAt,
  };
}

/** Reads and validates a task checkpoint; throws a GhostError naming the file and the problem. */
export function loadTaskCheckpoint(file: string): TaskCheckpoint {
  requireFile(file);
  const r = tryReadCheckedJson(file, { kind: TASK_CHECKPOINT_KIND });
  if (!r.ok) throw new GhostError("file", file, "a readable task-RNN checkpoint (io.saveTaskCheckpoint)", `${r.reason}: ${r.message}`);
  if (r.header.schemaVersion > TASK_CHECKPOINT_SCHEMA_VERSION) throw new GhostError("file", file, `a checkpoint of schema version <= ${TASK_CHECKPOINT_SCHEMA_VERSION}`, `written by a newer library (schema ${r.header.schemaVersion})`);
  try {
    return fromPayload(r.payload, r.header);
  } catch (err) {
    if (err instanceof GhostError) throw new GhostError("file", file, "a task checkpoint with valid content", err.message);
    throw err;
  }
}

/** Options of {@link trainTaskWithCheckpoints}: trainTask's options (epochs = the run's TOTAL) plus the file. */
export interface CheckpointedTaskOptions extends Omit<TrainTaskOptions, "resume" | "onCheckpoint" | "checkpointEvery"> {
  /** Checkpoint file. */
  file: string;
  /** Epochs between checkpoints, integer ≥ 1. */
  checkpointEvery: number;
  /** Resume from an existing checkpoint of the same run (default true); false starts over and overwrites it. */
  resume?: boolean;
  scale?: string;
  meta?: Record<string, unknown>;
}

/**
 * Trains `model` in place on `task` up to `options.epochs` epochs IN TOTAL, writing a checkpoint every
 * `checkpointEvery` epochs and at the end. When `file` holds a checkpoint of the same run (same config, same
 * initial parameters, same task), the run continues from it (its parameters, optimiser and Rng state), so a
 * killed run resumes and ends bit-identical to an uninterrupted one. Returns trainTask's result plus the epoch it
 * resumed from. A checkpoint of another run, or an unreadable one, is a GhostError (delete it or pass resume: false).
 */
export function trainTaskWithCheckpoints(model: TaskRnn, task: Task, options: CheckpointedTaskOptions): TrainTaskResult & { resumedFromEpoch: number } {
  validateTaskRnn(model);
  validateTask(task, model);
  const o = requireOptions<CheckpointedTaskOptions>("options", options, [...TRAIN_TASK_OPTIONS.filter((k) => k !== "resume" && k !== "onCheckpoint" && k !== "checkpointEvery"), "file", "checkpointEvery", "resume", "scale", "meta"]);
  if (options === undefined) throw new GhostError("options", options, "CheckpointedTaskOptions { file, checkpointEvery, epochs, optimizer, … }");
  const file = requireFile(o.file);
  const every = requireInteger("options.checkpointEvery", o.checkpointEvery, 1, 1e9);
  const total = requireInteger("options.epochs", o.epochs, 0, 1e9);
  const resume = o.resume === undefined ? true : requireBoolean("options.resume", o.resume);
  const origin = taskParamsFingerprint(model);
  const { file: _f, checkpointEvery: _c, resume: _r, scale, meta, ...trainOpts } = o;
  let resumedFromEpoch = 0;
  let state: TrainTaskState | undefined;
  if (resume) {
    const r = tryReadCheckedJson(file, { kind: TASK_CHECKPOINT_KIND });
    if (!r.ok && r.reason !== "missing") throw new GhostError("file", file, "absent, or a valid checkpoint of this run (delete it or pass resume: false)", `${r.reason}: ${r.message}`);
    if (r.ok) {
      const c = loadTaskCheckpoint(file);
      const problems: string[] = [];
      if (canonicalJson(c.state.model.config) !== canonicalJson(model.config)) problems.push("another model config");
      if (c.initialParamsSha256 !== origin) problems.push("other initial parameters");
      if (c.state.taskSha256 !== taskFingerprint(task)) problems.push("another task");
      if (c.state.diverged !== null) problems.push(`a run that diverged at epoch ${c.state.diverged.epoch}`);
      if (c.state.epoch > total) problems.push(`more epochs (${c.state.epoch}) than requested (${total})`);
      if (problems.length > 0) throw new GhostError("file", file, "absent, or a checkpoint of this run (delete it or pass resume: false)", `it holds ${problems.join(", ")}`);
      state = c.state;
      resumedFromEpoch = c.state.epoch;
    }
  }
  const save = (s: TrainTaskState) => { saveTaskCheckpoint(file, s, { initialParamsSha256: origin, scale: scale ?? null, meta: meta ?? null }); };
  const result = state === undefined
    ? trainTask(model, task, { ...trainOpts, epochs: total, checkpointEvery: every, onCheckpoint: save })
    : trainTask(model, task, { ...trainOpts, optimizer: undefined, rng: undefined, seed: undefined, epochs: total - resumedFromEpoch, resume: state, checkpointEvery: every, onCheckpoint: save });
  return { ...result, resumedFromEpoch };
}
