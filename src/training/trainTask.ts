/**
 * The training loop of the task RNNs (spec B1): full-batch epochs, each one forward pass over the whole task
 * (fresh r_0 and noise from the run's Rng), hand-written BPTT (taskBptt.ts) and one optimiser update (SGD or
 * Adam, optimizers.ts). Per epoch it records, for that epoch's forward pass (BEFORE its update): loss, accuracy,
 * gradMetric (‖∇Sl‖ + ‖∇Sr‖ or ‖∇Wrec‖), gradNorm (global L2 norm over all groups); and weightNorm (‖Sl·Sr‖ or
 * ‖Wrec‖) AFTER the update, as the authors' scripts log it.
 *
 * Snapshots at requested epochs pair the FORWARD STATES OF EPOCH e (rates incl. r_0, outputs, loss, accuracy —
 * computed with the parameters before e's update) with the PARAMETERS AFTER EPOCH e's UPDATE (the authors' pairing,
 * spec B7). The parameters that produced those states are also stored (paramsBefore) so either pairing is possible.
 *
 * Kernels (kernels.taskKernelMode): the WebAssembly SIMD pass (training.taskRnnWasmPass) wherever SIMD exists, unless
 * GHOST_KERNELS / kernels.setKernelMode asks for "js"; the JS kernels otherwise. Both give the same bits.
 *
 * Resume: `state()` of a result (or the argument of onCheckpoint) holds parameters, optimiser state (Adam moments,
 * step), the Rng state, the epoch count and the per-epoch records; trainTask(model, task, { resume: state, … })
 * continues bit-identically to an uninterrupted run. A NaN/±Inf loss or gradient stops training cleanly before
 * that epoch's update (its record is kept; history.diverged says where and why), or throws, by option.
 */
import { GhostError, requireFiniteArray, requireInteger, requireObject, requireOneOf, requireOptions } from "../core/errors";
import { sha256Hex } from "../core/io";
import { F64Array, copyNd, ndFloat64, requireNd } from "../core/nd";
import { Rng, RngState } from "../core/rng";
import { TaskRnn, TaskRnnParams, copyTaskParams, frobenius, gradMetricGroups, gradMetricOf, requireRngFor, weightNormKernel, taskRnnForwardKernel, taskRnnShapes, validateTaskRnn } from "../models/taskRnn";
import { Task, validateTask } from "../tasks/task";
import { Optimizer, OptimizerJson, OptimizerSpec, createOptimizer, optimizerFromJson, optimizerStepKernel, optimizerToJson, requireOptimizer } from "./optimizers";
import { taskKernelMode } from "../kernels";
import { createTaskBpttWorkspace, taskRnnBackwardKernel, taskRnnWasmPass } from "./taskBptt";

/** Per-epoch record (passed to onEpoch / stopWhen). */
export interface TaskEpochRecord {
  /** Epoch index (0-based over the whole run, resumed runs included). */
  epoch: number;
  /** Loss of this epoch's forward pass (before its update). */
  loss: number;
  accuracy: number;
  /** ‖∇Sl‖_F + ‖∇Sr‖_F (low rank) or ‖∇Wrec‖_F (full rank) of this epoch's gradient. */
  gradMetric: number;
  /** √(Σ over all groups of ‖∇p‖²). */
  gradNorm: number;
  /** ‖Sl·Sr‖_F or ‖Wrec‖_F after this epoch's update (before it when the epoch diverged). */
  weightNorm: number;
}

/** A snapshot at epoch e: forward states of epoch e with the parameters after e's update (see the module doc). */
export interface TaskSnapshot {
  epoch: number;
  /** Parameters after epoch e's update. */
  params: TaskRnnParams;
  /** Parameters epoch e's forward pass ran with (before its update). */
  paramsBefore: TaskRnnParams;
  /** r_0…r_S of every trial of epoch e's forward pass, [B, S + 1, N]. */
  rates: F64Array;
  /** ŷ of epoch e's forward pass, [B, S, Dout]. */
  outputs: F64Array;
  loss: number;
  accuracy: number;
  /** Which pairing this is, in words. */
  pairing: "forward states of epoch e (parameters before its update) + params after epoch e's update";
}

/** Per-epoch records of a run (arrays of length epochsRun, entry i = epoch i). */
export interface TaskHistory {
  loss: Float64Array;
  accuracy: Float64Array;
  gradMetric: Float64Array;
  gradNorm: Float64Array;
  weightNorm: Float64Array;
  /** Epochs run in total (resumed runs included). */
  epochsRun: number;
  /** Snapshots taken in THIS call (a resumed call does not carry earlier snapshots). */
  snapshots: TaskSnapshot[];
  /** Set when the loss or gradient became NaN/±Inf: the epoch (its update NOT applied) and the reason. */
  diverged: { epoch: number; reason: string } | null;
  /** True when stopWhen ended the run early. */
  stoppedEarly: boolean;
}

/** Everything needed to continue a run bit-identically (plain JSON apart from the parameter ndarrays). */
export interface TrainTaskState {
  /** Epochs completed. */
  epoch: number;
  /** The model's config and parameters after `epoch` epochs. */
  model: TaskRnn;
  optimizer: OptimizerJson;
  /** State of the forward-pass Rng, or null when the model draws nothing. */
  rng: RngState | null;
  /** Per-epoch records so far (number[] of length epoch). */
  records: { loss: number[]; accuracy: number[]; gradMetric: number[]; gradNorm: number[]; weightNorm: number[] };
  /** SHA-256 of the task's arrays (a resumed run must use the same task). */
  taskSha256: string;
  diverged: { epoch: number; reason: string } | null;
}

/** Options of {@link trainTask}; unknown keys are refused. */
export interface TrainTaskOptions {
  /** Epochs to run in this call, integer in [0, 1e9]. */
  epochs: number;
  /** SGD or Adam (PyTorch semantics). Required unless `resume` is given (then the saved optimiser continues). */
  optimizer?: OptimizerSpec;
  /** Forward-pass randomness (r_0, noise): an Rng (advanced in place) … */
  rng?: Rng;
  /** … or a seed for new Rng(seed). One of rng/seed is required when the model draws (ρ > 0 or σ_n > 0), unless resuming. */
  seed?: number;
  /** Epochs (run-global, ≥ 0) at which to keep a {@link TaskSnapshot}. */
  snapshotEpochs?: number[];
  /** Called before every epoch's forward pass; MAY change the parameters in place (e.g. Fig 8C's readout rescaling). */
  beforeEpoch?: (epoch: number, model: TaskRnn) => void;
  /** Observer after every update: must not change the model. */
  onEpoch?: (record: TaskEpochRecord, model: TaskRnn) => void;
  /** After onEpoch: return true to stop. */
  stopWhen?: (record: TaskEpochRecord, model: TaskRnn) => boolean;
  /** Called about 100 times: (epochs done in this call, epochs of this call). */
  onProgress?: (done: number, total: number) => void;
  /** "stop" (default): keep the records and stop; "throw": GhostError. */
  onDivergence?: "stop" | "throw";
  /** Continue from a state (from result.state() or onCheckpoint); the model's parameters are replaced by its. */
  resume?: TrainTaskState;
  /** With onCheckpoint: call it every this many epochs (integer ≥ 1) and at the end. */
  checkpointEvery?: number;
  /** Receives the full state (for io.trainTaskWithCheckpoints to write it). */
  onCheckpoint?: (state: TrainTaskState) => void;
}

/** The option names of {@link trainTask}. */
export const TRAIN_TASK_OPTIONS: readonly string[] = [
  "epochs", "optimizer", "rng", "seed", "snapshotEpochs", "beforeEpoch", "onEpoch", "stopWhen", "onProgress", "onDivergence", "resume", "checkpointEvery", "onCheckpoint",
];

/** What {@link trainTask} returns. */
export interface TrainTaskResult {
  /** The model (trained in place). */
  model: TaskRnn;
  history: TaskHistory;
  optimizer: Optimizer;
  /** The forward-pass Rng after the run (null when the model draws nothing). */
  rng: Rng | null;
  /** The full resumable state after the run. */
  state: () => TrainTaskState;
}

/** SHA-256 of a task's inputs, targets, mask, trial types and accuracy rule (identifies it for resuming). */
export function taskFingerprint(task: Task): string {
  validateTask(task);
  const parts = [task.inputs, task.targets, task.mask].map((a) => (a === null ? "null" : `${a.shape.join("x")}:${Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString("base64")}`));
  return sha256Hex(`${parts.join("|")}|${Array.from(task.trialTypes).join(",")}|${JSON.stringify(task.accuracy)}`);
}

function requireFn(name: string, fn: unknown): void {
  if (fn !== undefined && typeof fn !== "function") throw new GhostError(name, fn, "a function or undefined");
}

/** Checks a TrainTaskState against a model config and task (shapes, lengths) and returns it. */
export function validateTrainTaskState(state: unknown, model: TaskRnn): TrainTaskState {
  const s = requireObject("resume", state, "a TrainTaskState (result.state() or a loaded checkpoint)") as unknown as TrainTaskState;
  const epoch = requireInteger("resume.epoch", s.epoch, 0);
  const m = validateTaskRnn(s.model);
  const a = m.config, b = model.config;
  for (const k of Object.keys(a) as (keyof typeof a)[]) {
    if (a[k] !== b[k]) throw new GhostError(`resume.model.config.${k}`, a[k], `the model's value ${JSON.stringify(b[k])} (resume the same model)`);
  }
  requireOptimizer(optimizerFromJson(s.optimizer));
  if (s.rng !== null) Rng.fromState(s.rng);
  const r = requireObject("resume.records", s.records, "per-epoch record arrays");
  for (const k of ["loss", "accuracy", "gradMetric", "gradNorm", "weightNorm"]) {
    const arr = r[k];
    if (!Array.isArray(arr) || arr.length !== epoch || !arr.every((x) => typeof x === "number")) throw new GhostError(`resume.records.${k}`, arr, `an array of ${epoch} numbers (one per completed epoch)`);
  }
  if (typeof s.taskSha256 !== "string") throw new GhostError("resume.taskSha256", s.taskSha256, "the task fingerprint (a hex string)");
  if (s.diverged !== null) throw new GhostError("resume.diverged", s.diverged, "null (a diverged run cannot be continued)");
  return s;
}

/**
 * Trains `model` IN PLACE on `task` for `options.epochs` full-batch epochs (see the module doc) and returns the
 * history, the optimiser, the Rng and a resumable state. Validates the model, the task (its Din/Dout must match
 * the model) and every option once; each epoch then runs allocation-free kernels over `.data`.
 */
export function trainTask(model: TaskRnn, task: Task, options: TrainTaskOptions): TrainTaskResult {
  validateTaskRnn(model);
  validateTask(task, model);
  const o = requireOptions<TrainTaskOptions>("options", options, TRAIN_TASK_OPTIONS);
  if (options === undefined) throw new GhostError("options", options, "TrainTaskOptions { epochs, optimizer, rng | seed, … }");
  const epochs = requireInteger("options.epochs", o.epochs, 0, 1e9);
  const onDivergence = requireOneOf("options.onDivergence", o.onDivergence ?? "stop", ["stop", "throw"] as const);
  for (const k of ["beforeEpoch", "onEpoch", "stopWhen", "onProgress", "onCheckpoint"] as const) requireFn(`options.${k}`, o[k]);
  const every = o.checkpointEvery === undefined ? 0 : requireInteger("options.checkpointEvery", o.checkpointEvery, 1);
  if (every > 0 && o.onCheckpoint === undefined) throw new GhostError("options.onCheckpoint", o.onCheckpoint, "a function when checkpointEvery is set");
  const snapshotSet = new Set<number>();
  if (o.snapshotEpochs !== undefined) {
    requireFiniteArray("options.snapshotEpochs", o.snapshotEpochs, { minLength: 0 });
    o.snapshotEpochs.forEach((e, i) => snapshotSet.add(requireInteger(`options.snapshotEpochs[${i}]`, e, 0)));
  }
  const fingerprint = taskFingerprint(task);

  // Starting point: fresh, or a resumed state.
  let startEpoch = 0;
  let opt: Optimizer;
  let rng: Rng | null;
  const prev = { loss: [] as number[], accuracy: [] as number[], gradMetric: [] as number[], gradNorm: [] as number[], weightNorm: [] as number[] };
  if (o.resume !== undefined) {
    const s = validateTrainTaskState(o.resume, model);
    if (s.taskSha256 !== fingerprint) throw new GhostError("task", task, "the task the resumed run was trained on (its fingerprint differs)");
    if (o.optimizer !== undefined || o.rng !== undefined || o.seed !== undefined) {
      throw new GhostError("options.resume", "(state)", "a resume without optimizer, rng or seed options (the state carries them)");
    }
    startEpoch = s.epoch;
    for (const [g, a] of Object.entries(s.model.params)) model.params[g as keyof TaskRnnParams] = copyNd(a as F64Array) as never;
    opt = optimizerFromJson(s.optimizer);
    rng = s.rng === null ? null : Rng.fromState(s.rng);
    for (const k of Object.keys(prev) as (keyof typeof prev)[]) prev[k] = s.records[k].slice();
  } else {
    if (o.optimizer === undefined) throw new GhostError("options.optimizer", o.optimizer, '{ kind: "sgd" | "adam", learningRate, … }');
    opt = createOptimizer(o.optimizer, model.params);
    if (o.rng !== undefined && o.seed !== undefined) throw new GhostError("options.seed", o.seed, "absent when options.rng is given (one source of randomness)");
    rng = o.rng !== undefined ? o.rng : o.seed !== undefined ? new Rng(requireInteger("options.seed", o.seed, 0)) : null;
  }
  rng = requireRngFor(model, rng);
  // The optimiser must cover exactly the model's groups.
  const groups = Object.keys(taskRnnShapes(model.config));
  if (opt.groups.length !== groups.length || !groups.every((g) => opt.groups.includes(g))) throw new GhostError("optimizer.groups", opt.groups, `the model's groups ${groups.join(", ")}`);

  const ws = createTaskBpttWorkspace(model, task);
  // Kernels: kernels.taskKernelMode() at the start of the call ("wasm": WebAssembly SIMD — the default where SIMD
  // exists — else the JS kernels). The two are bit-identical (same tanh, same summation order), so results,
  // snapshots and resumes do not depend on it.
  const useWasm = taskKernelMode() === "wasm";
  // The WebAssembly pass keeps z_t in its own (chunk) buffers: drop the JS copy (B·S·N doubles, 61 MB for Fig 4 DMTS).
  if (useWasm) ws.z = new Float64Array(0);
  const params = model.params as unknown as Record<string, F64Array>;
  const grads = ws.grads as unknown as Record<string, F64Array>;
  const total = startEpoch + epochs;
  const rec = { loss: new Float64Array(total), accuracy: new Float64Array(total), gradMetric: new Float64Array(total), gradNorm: new Float64Array(total), weightNorm: new Float64Array(total) };
  for (const k of Object.keys(prev) as (keyof typeof prev)[]) rec[k].set(prev[k]);
  const snapshots: TaskSnapshot[] = [];
  let diverged: TaskHistory["diverged"] = null;
  let stoppedEarly = false;
  let run = startEpoch;
  const progressEvery = Math.max(1, Math.ceil(epochs / 100));
  const metricGroups = gradMetricGroups(model), metricNorms = new Array<number>(metricGroups.length).fill(NaN);

  const makeState = (): TrainTaskState => ({
    epoch: run,
    model: { config: { ...model.config }, params: copyTaskParams(model.params) },
    optimizer: optimizerToJson(opt),
    rng: rng === null ? null : rng.getState(),
    records: {
      loss: Array.from(rec.loss.subarray(0, run)), accuracy: Array.from(rec.accuracy.subarray(0, run)), gradMetric: Array.from(rec.gradMetric.subarray(0, run)),
      gradNorm: Array.from(rec.gradNorm.subarray(0, run)), weightNorm: Array.from(rec.weightNorm.subarray(0, run)),
    },
    taskSha256: fingerprint,
    diverged,
  });

  for (let e = 0; e < epochs; e++) {
    const epoch = startEpoch + e;
    if (o.beforeEpoch) o.beforeEpoch(epoch, model);
    const snap = snapshotSet.has(epoch);
    const before = snap ? copyTaskParams(model.params) : null;
    let L: number;
    if (useWasm) L = taskRnnWasmPass(model, task, rng, ws, true, snap);
    else {
      L = taskRnnForwardKernel(model, task, rng, ws);
      taskRnnBackwardKernel(model, task, ws);
    }
    // The global norm √(Σ over the trained groups in order) and gradMetric's norms (taskRnnMetrics) in ONE pass: in a
    // metric group each square feeds both sums, two independent chains, each in its own order (the same bits as
    // separate loops, less time: these sums are a tenth of a full-rank epoch at small batches).
    let sq = 0;
    metricNorms.fill(NaN);
    for (const g of opt.groups) {
      const d = grads[g].data;
      const k = metricGroups.indexOf(g);
      if (k < 0) {
        for (let i = 0; i < d.length; i++) sq += d[i] * d[i];
      } else {
        let s = 0;
        for (let i = 0; i < d.length; i++) {
          const p = d[i] * d[i];
          sq += p;
          s += p;
        }
        metricNorms[k] = Math.sqrt(s);
      }
    }
    for (let k = 0; k < metricGroups.length; k++) if (Number.isNaN(metricNorms[k])) metricNorms[k] = frobenius(grads[metricGroups[k]].data); // a frozen group
    const gradNorm = Math.sqrt(sq);
    const gradMetric = gradMetricOf(model, metricNorms);
    rec.loss[epoch] = L;
    rec.accuracy[epoch] = ws.accuracy;
    rec.gradMetric[epoch] = gradMetric;
    rec.gradNorm[epoch] = gradNorm;
    run = epoch + 1;
    if (!Number.isFinite(L) || !Number.isFinite(gradNorm)) {
      rec.weightNorm[epoch] = weightNormKernel(model);
      diverged = { epoch, reason: !Number.isFinite(L) ? `loss = ${L}` : `gradient norm = ${gradNorm}` };
      if (onDivergence === "throw") throw new GhostError("optimizer.learningRate", opt.learningRate, "a smaller learning rate", `training diverged at epoch ${epoch}: ${diverged.reason}`);
      break;
    }
    optimizerStepKernel(opt, params, grads);
    const weightNorm = weightNormKernel(model);
    rec.weightNorm[epoch] = weightNorm;
    if (snap) {
      snapshots.push({
        epoch, params: copyTaskParams(model.params), paramsBefore: before!, rates: copyNd(ws.rates), outputs: copyNd(ws.outputs), loss: L, accuracy: ws.accuracy,
        pairing: "forward states of epoch e (parameters before its update) + params after epoch e's update",
      });
    }
    if (o.onProgress && ((e + 1) % progressEvery === 0 || e + 1 === epochs)) o.onProgress(e + 1, epochs);
    let stop = false;
    if (o.onEpoch || o.stopWhen) {
      const record: TaskEpochRecord = { epoch, loss: L, accuracy: ws.accuracy, gradMetric, gradNorm, weightNorm };
      o.onEpoch?.(record, model);
      stop = o.stopWhen?.(record, model) === true;
    }
    if (every > 0 && (e + 1) % every === 0 && e + 1 < epochs && !stop) o.onCheckpoint!(makeState());
    if (stop) {
      stoppedEarly = e + 1 < epochs;
      break;
    }
  }
  if (every > 0) o.onCheckpoint!(makeState());
  const history: TaskHistory = {
    loss: rec.loss.slice(0, run), accuracy: rec.accuracy.slice(0, run), gradMetric: rec.gradMetric.slice(0, run), gradNorm: rec.gradNorm.slice(0, run),
    weightNorm: rec.weightNorm.slice(0, run), epochsRun: run, snapshots, diverged, stoppedEarly,
  };
  return { model, history, optimizer: opt, rng, state: makeState };
}

/** A [B, S + 1, N] rates array without r_0 ([B, S, N], the Fig 4/7/8C convention), copied. */
export function ratesWithoutInitial(rates: F64Array): F64Array {
  if (rates === null || typeof rates !== "object" || !Array.isArray((rates as F64Array).shape) || (rates as F64Array).shape.length !== 3) throw new GhostError("rates", rates, "a float64 ndarray [B, S + 1, N]");
  const [B, S1, N] = rates.shape;
  requireNd("rates", rates, [B, S1, N]);
  if (S1 < 2) throw new GhostError("rates", rates, "at least two states per trial (S + 1 >= 2)");
  const out = ndFloat64([B, S1 - 1, N]);
  for (let b = 0; b < B; b++) out.data.set(rates.data.subarray((b * S1 + 1) * N, (b + 1) * S1 * N), b * (S1 - 1) * N);
  return out;
}
