/**
 * One training run of a v2 task RNN (spec B1) on a preset of the B1 table, as plain, cacheable data: the per-epoch
 * records (loss, accuracy, gradient metric, weight norm) and parameter snapshots at chosen epochs. The figures of
 * v2 Fig 4 (rank 2, 2-D ghost maps) and Fig 5 (full rank, PCA and slow points) analyse these snapshots.
 *
 * Conventions (training/trainTask.ts): records[e] belong to epoch e's forward pass (before its update; weightNorm
 * after it); a snapshot at epoch e holds the parameters AFTER epoch e's update (the authors' checkpoint "after that
 * epoch") and the loss/accuracy of epoch e's forward pass.
 */
import { GhostError, requireInteger, requireObject, requireOneOf, requirePositive } from "../core/errors";
import { requireKnownKeys } from "../core/checks";
import { F64Array, ndFloat64 } from "../core/nd";
import { createTaskRnn, TaskRnn, TaskRnnParams, taskRnnOptionsFromPreset } from "../models/taskRnn";
import { experimentPreset, presetNames, presetTask, Task } from "../tasks/task";
import { trainTask } from "../training/trainTask";

/** What to train (plain data: it is the cache key). */
export interface TaskTrainSpec {
  /** B1 preset name, e.g. "fig4-dcdt" (tasks.presetNames()). */
  preset: string;
  /** Seed of the network and of the forward-pass randomness (r₀, noise). */
  seed: number;
  /** Copies per trial type (the batch is copies × types; paper 500 for v2 Fig 4, 1 for Fig 5). */
  copies: number;
  /** Epochs. */
  epochs: number;
  /** "sgd" or "adam" and the learning rate. */
  optimizer: "sgd" | "adam";
  learningRate: number;
  /** Epochs whose parameters (after the update) are kept. */
  snapshotEpochs: number[];
  /** Also keep each snapshot's rates r_0…r_S [B, S + 1, N] of epoch e's forward pass (v2 Fig 5; small batches only). */
  keepRates?: boolean;
  /**
   * Keep the per-epoch records only at epochs 0, k, 2k, … (k = recordEvery, integer ≥ 1; sweeps of many long runs,
   * v2 Fig 7). Absent: every epoch (the same result as before this field existed). The means over ALL epochs are
   * returned either way (result.means).
   */
  recordEvery?: number;
}

/** A parameter group as plain data (shape + row-major values): survives the cache's JSON round trip (which returns plain number arrays). */
export interface PlainArray {
  shape: number[];
  data: Float64Array | number[];
}

/** One snapshot: parameters after epoch `epoch`'s update, with that epoch's forward-pass loss and accuracy. */
export interface TaskTrainSnapshot {
  epoch: number;
  loss: number;
  accuracy: number;
  params: Record<string, PlainArray>;
  /** With spec.keepRates: the rates of epoch e's forward pass (parameters BEFORE its update), [B, S + 1, N]. */
  rates?: PlainArray;
}

/** Result of {@link runTaskTraining} (plain, JSON-serialisable; after a cache round trip the arrays are number[]). */
export interface TaskTrainResult {
  spec: TaskTrainSpec;
  /** Per-epoch records, length epochsRun. */
  loss: Float64Array | number[];
  accuracy: Float64Array | number[];
  gradMetric: Float64Array | number[];
  weightNorm: Float64Array | number[];
  epochsRun: number;
  /**
   * Epochs of the entries of loss / accuracy / gradMetric / weightNorm: absent when every epoch is kept (entry i =
   * epoch i); with spec.recordEvery = k the epochs 0, k, 2k, … < epochsRun.
   */
  recordEpochs?: number[];
  /**
   * Means over ALL epochs run (whatever recordEvery keeps) of the loss, accuracy, gradient metric (‖∇W_rec‖ for full
   * rank) and weight norm: spec B5's per-run summary statistic. A diverged run's means include its last (non-finite)
   * record, so they are not finite.
   */
  means: { loss: number; accuracy: number; gradMetric: number; weightNorm: number };
  snapshots: TaskTrainSnapshot[];
  diverged: { epoch: number; reason: string } | null;
}

const SPEC_TEMPLATE: TaskTrainSpec = { preset: "", seed: 0, copies: 1, epochs: 0, optimizer: "sgd", learningRate: 1, snapshotEpochs: [], keepRates: false, recordEvery: 1 };

/** Checks a {@link TaskTrainSpec} (GhostError naming the field) and returns it. */
export function validateTaskTrainSpec(spec: unknown, name = "spec"): TaskTrainSpec {
  const s = requireObject(name, spec, "a TaskTrainSpec { preset, seed, copies, epochs, optimizer, learningRate, snapshotEpochs }") as unknown as TaskTrainSpec;
  requireKnownKeys(name, s, SPEC_TEMPLATE);
  requireOneOf(`${name}.preset`, s.preset, presetNames());
  requireInteger(`${name}.seed`, s.seed, 0);
  requireInteger(`${name}.copies`, s.copies, 1, 100000);
  requireInteger(`${name}.epochs`, s.epochs, 1, 1e9);
  requireOneOf(`${name}.optimizer`, s.optimizer, ["sgd", "adam"] as const);
  requirePositive(`${name}.learningRate`, s.learningRate);
  if (!Array.isArray(s.snapshotEpochs)) throw new GhostError(`${name}.snapshotEpochs`, s.snapshotEpochs, "an array of epochs");
  s.snapshotEpochs.forEach((e, i) => requireInteger(`${name}.snapshotEpochs[${i}]`, e, 0, s.epochs - 1));
  if (s.keepRates !== undefined && typeof s.keepRates !== "boolean") throw new GhostError(`${name}.keepRates`, s.keepRates, "true, false or absent");
  if (s.recordEvery !== undefined) requireInteger(`${name}.recordEvery`, s.recordEvery, 1, 1e9);
  return s;
}

/**
 * Estimated cost of a run for the engine's scheduling and time-left estimates: epochs × trials × steps × the work of
 * one unit-step (N·(2K + 4) for rank K, N·(2N + 4) for full rank; N = 100).
 */
export function taskTrainCost(spec: TaskTrainSpec): number {
  validateTaskTrainSpec(spec);
  const p = experimentPreset(spec.preset);
  const types = p.task.kind === "dcdt" ? 2 : 4;
  const ms = p.task.kind === "dcdt" ? p.task.inputMs + p.task.delayMs + p.task.reactMs : 2 * p.task.inputMs + p.task.delayMs + p.task.reactMs;
  const steps = Math.max(1, Math.round(ms / p.task.dt));
  const perUnit = p.model.kind === "fullRank" ? 2 * 100 + 4 : 2 * (p.model.rank ?? 1) + 4;
  return spec.epochs * spec.copies * types * steps * 100 * perUnit;
}

/** The model of a spec (initialised from spec.seed exactly as the run starts). */
export function taskTrainModel(spec: TaskTrainSpec): TaskRnn {
  validateTaskTrainSpec(spec);
  return createTaskRnn(taskRnnOptionsFromPreset(experimentPreset(spec.preset), spec.seed));
}

/** The task of a spec (the preset's intervals with spec.copies per trial type). */
export function taskTrainTask(spec: TaskTrainSpec): Task {
  validateTaskTrainSpec(spec);
  return presetTask(spec.preset, { copies: spec.copies });
}

/** Parameters of a snapshot as ndarrays (the model's parameter type). */
export function snapshotParams(snapshot: TaskTrainSnapshot): TaskRnnParams {
  const s = requireObject("snapshot", snapshot, "a TaskTrainSnapshot { epoch, loss, accuracy, params }");
  const p = requireObject("snapshot.params", s.params, "parameter groups { shape, data }");
  const out: Record<string, F64Array> = {};
  for (const [g, v] of Object.entries(p)) {
    const a = requireObject(`snapshot.params.${g}`, v, "{ shape, data }") as unknown as PlainArray;
    const isData = a.data instanceof Float64Array || (Array.isArray(a.data) && (a.data as unknown[]).every((x) => typeof x === "number"));
    if (!isData || !Array.isArray(a.shape) || a.shape.reduce((x, y) => x * y, 1) !== a.data.length) {
      throw new GhostError(`snapshot.params.${g}`, v, "{ shape: number[], data: numbers (Float64Array or array) of that many values }");
    }
    out[g] = ndFloat64(a.shape.slice(), Float64Array.from(a.data));
  }
  return out as unknown as TaskRnnParams;
}

/** A snapshot's rates as an ndarray [B, S + 1, N] (GhostError when the run did not keep them). */
export function snapshotRates(snapshot: TaskTrainSnapshot): F64Array {
  const s = requireObject("snapshot", snapshot, "a TaskTrainSnapshot");
  const r = s.rates as PlainArray | undefined;
  if (r === undefined || r === null || !Array.isArray(r.shape) || r.shape.length !== 3) throw new GhostError("snapshot.rates", r, "the rates [B, S + 1, N] (train with spec.keepRates = true)");
  return ndFloat64(r.shape.slice(), Float64Array.from(r.data));
}

/** A model with a snapshot's parameters (config from the spec). */
export function snapshotModel(spec: TaskTrainSpec, snapshot: TaskTrainSnapshot): TaskRnn {
  const m = taskTrainModel(spec);
  return { ...m, params: snapshotParams(snapshot) };
}

/**
 * Trains the spec's network (see the module comment). Deterministic given the spec.
 * @param onProgress (epochs done, epochs), about 100 calls.
 */
export function runTaskTraining(spec: TaskTrainSpec, onProgress?: (done: number, total: number) => void): TaskTrainResult {
  validateTaskTrainSpec(spec);
  if (onProgress !== undefined && typeof onProgress !== "function") throw new GhostError("onProgress", onProgress, "a function (done, total) or undefined");
  const model = taskTrainModel(spec);
  const task = taskTrainTask(spec);
  const res = trainTask(model, task, {
    epochs: spec.epochs, optimizer: { kind: spec.optimizer, learningRate: spec.learningRate }, seed: spec.seed,
    snapshotEpochs: spec.snapshotEpochs, onProgress,
  });
  const h = res.history;
  const mean = (x: Float64Array): number => {
    let sum = 0;
    for (let i = 0; i < x.length; i++) sum += x[i];
    return x.length > 0 ? sum / x.length : NaN;
  };
  const means = { loss: mean(h.loss), accuracy: mean(h.accuracy), gradMetric: mean(h.gradMetric), weightNorm: mean(h.weightNorm) };
  const snapshots: TaskTrainSnapshot[] = h.snapshots.map((s) => {
    const params: Record<string, PlainArray> = {};
    for (const [g, a] of Object.entries(s.params as unknown as Record<string, F64Array>)) params[g] = { shape: a.shape.slice(), data: Float64Array.from(a.data) };
    const snap: TaskTrainSnapshot = { epoch: s.epoch, loss: s.loss, accuracy: s.accuracy, params };
    if (spec.keepRates) snap.rates = { shape: s.rates.shape.slice(), data: Float64Array.from(s.rates.data) };
    return snap;
  });
  if (spec.recordEvery === undefined) {
    return {
      spec, loss: h.loss, accuracy: h.accuracy, gradMetric: h.gradMetric, weightNorm: h.weightNorm, epochsRun: h.epochsRun,
      means, snapshots, diverged: h.diverged,
    };
  }
  const k = spec.recordEvery;
  const recordEpochs: number[] = [];
  for (let e = 0; e < h.epochsRun; e += k) recordEpochs.push(e);
  const thin = (x: Float64Array): Float64Array => Float64Array.from(recordEpochs, (e) => x[e]);
  return {
    spec, loss: thin(h.loss), accuracy: thin(h.accuracy), gradMetric: thin(h.gradMetric), weightNorm: thin(h.weightNorm), epochsRun: h.epochsRun,
    recordEpochs, means, snapshots, diverged: h.diverged,
  };
}
