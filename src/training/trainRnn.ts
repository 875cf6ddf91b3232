/**
 * The training loop: plain full-batch SGD, one step per epoch (spec A5), on one RNN and one task.
 * Per epoch it records the loss, accuracy and global gradient norm of that epoch's forward pass (BEFORE its
 * update); parameter snapshots are taken AFTER the update of the requested epochs (spec A9 #6).
 * A NaN/±Inf loss or gradient stops training and is reported as divergence (or throws, by option).
 */
import { GhostError, requireFiniteArray, requireInteger, requireOneOf, requirePositive } from "../core/errors";
import { RnnModel, parameterGroups, validateRnnModel } from "../models/rnn";
import { Task, delayedActivationTask } from "../tasks/delayedActivation";
import { createWorkspace, lossAndGradient, Workspace } from "./bptt";

/** Per-epoch record passed to `stopWhen`. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  gradNorm: number;
}

/** Options of {@link trainRnn}. */
export interface TrainOptions {
  /** SGD step size (> 0). */
  learningRate: number;
  /** Number of epochs (integer ≥ 0). */
  epochs: number;
  /** The task (default: the DA task with T = 20). */
  task?: Task;
  /** Epochs (0-based) after whose update a parameter snapshot is stored. */
  snapshotEpochs?: number[];
  /** Called at most ~100 times: (epochs done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Called after every update with the epoch's record and the (live) model; return true to stop. */
  stopWhen?: (record: EpochRecord, model: RnnModel) => boolean;
  /** What to do when the loss or gradient becomes NaN/±Inf: stop and report (default) or throw. */
  onDivergence?: "stop" | "throw";
  /** Epoch index the History starts counting from (for continued training; default 0). */
  startEpoch?: number;
}

/** A parameter snapshot after an epoch's update. */
export interface ParamSnapshot {
  /** 0-based epoch whose update produced these parameters (the paper's label is epoch + 1). */
  epoch: number;
  params: Record<string, Float64Array>;
}

/** What a training run returns. Arrays are per epoch, length = epochs actually run. */
export interface History {
  loss: Float64Array;
  accuracy: Float64Array;
  gradNorm: Float64Array;
  /** First epoch index of these arrays (startEpoch). */
  startEpoch: number;
  /** Epochs actually run (less than requested after divergence or an early stop). */
  epochsRun: number;
  snapshots: ParamSnapshot[];
  /** Set when the loss or gradient became non-finite; training stopped before that epoch's update. */
  diverged: { epoch: number; reason: string } | null;
  stoppedEarly: boolean;
  learningRate: number;
}

/**
 * Trains `model` IN PLACE with full-batch SGD and returns its History. Use models.cloneRnn first to keep the
 * original. Frozen groups (model.trainable[g] = false) are not updated and not counted in the gradient norm.
 */
export function trainRnn(model: RnnModel, options: TrainOptions): History {
  validateRnnModel(model);
  if (options === null || typeof options !== "object") throw new GhostError("options", options, "a TrainOptions object");
  const learningRate = requirePositive("learningRate", options.learningRate);
  const epochs = requireInteger("epochs", options.epochs, 0, 1e9);
  const startEpoch = requireInteger("startEpoch", options.startEpoch ?? 0, 0);
  const onDivergence = requireOneOf("onDivergence", options.onDivergence ?? "stop", ["stop", "throw"] as const);
  const task = options.task ?? delayedActivationTask(20);
  const snapshotEpochs = new Set<number>();
  if (options.snapshotEpochs !== undefined) {
    requireFiniteArray("snapshotEpochs", options.snapshotEpochs, { minLength: 0 });
    options.snapshotEpochs.forEach((e, i) => snapshotEpochs.add(requireInteger(`snapshotEpochs[${i}]`, e, 0)));
  }
  for (const [name, fn] of [["onProgress", options.onProgress], ["stopWhen", options.stopWhen]] as const) {
    if (fn !== undefined && typeof fn !== "function") throw new GhostError(name, fn, "a function or undefined");
  }

  const ws: Workspace = createWorkspace(model, task);
  const groups = parameterGroups(model.config).filter((g) => model.trainable[g]);
  const loss = new Float64Array(epochs), accuracy = new Float64Array(epochs), gradNorm = new Float64Array(epochs);
  const snapshots: ParamSnapshot[] = [];
  let diverged: History["diverged"] = null;
  let stoppedEarly = false;
  let run = 0;
  const progressEvery = Math.max(1, Math.floor(epochs / 100));

  for (let e = 0; e < epochs; e++) {
    const epoch = startEpoch + e;
    const r = lossAndGradient(model, task, ws, true);
    let sq = 0;
    for (const g of groups) {
      const gr = ws.grads[g];
      for (let i = 0; i < gr.length; i++) sq += gr[i] * gr[i];
    }
    const norm = Math.sqrt(sq);
    loss[e] = r.loss;
    accuracy[e] = r.accuracy;
    gradNorm[e] = norm;
    if (!Number.isFinite(r.loss) || !Number.isFinite(norm)) {
      diverged = { epoch, reason: !Number.isFinite(r.loss) ? `loss = ${r.loss}` : `gradient norm = ${norm}` };
      run = e + 1;
      if (onDivergence === "throw") {
        throw new GhostError("learningRate", learningRate, "a smaller learning rate", `training diverged at epoch ${epoch}: ${diverged.reason}`);
      }
      break;
    }
    // An update that would overflow a parameter is divergence too; detect it before touching the parameters.
    let overflow = "";
    for (const g of groups) {
      const p = model.params[g], gr = ws.grads[g];
      for (let i = 0; i < p.length && !overflow; i++) {
        if (!Number.isFinite(p[i] - learningRate * gr[i])) overflow = `${g}[${i}]`;
      }
    }
    if (overflow) {
      diverged = { epoch, reason: `update overflow: ${overflow} would become non-finite (learningRate × gradient norm = ${learningRate * norm})` };
      run = e + 1;
      if (onDivergence === "throw") {
        throw new GhostError("learningRate", learningRate, "a smaller learning rate", `training diverged at epoch ${epoch}: ${diverged.reason}`);
      }
      break;
    }
    for (const g of groups) {
      const p = model.params[g], gr = ws.grads[g];
      for (let i = 0; i < p.length; i++) p[i] -= learningRate * gr[i];
    }
    run = e + 1;
    if (snapshotEpochs.has(epoch)) {
      snapshots.push({ epoch, params: Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, Float64Array.from(v)])) });
    }
    if (options.onProgress && (run % progressEvery === 0 || run === epochs)) options.onProgress(run, epochs);
    if (options.stopWhen && options.stopWhen({ epoch, loss: r.loss, accuracy: r.accuracy, gradNorm: norm }, model)) {
      stoppedEarly = run < epochs;
      break;
    }
  }
  // Parameters that became non-finite after an update are caught at the next forward pass (loss NaN).
  return {
    loss: loss.slice(0, run), accuracy: accuracy.slice(0, run), gradNorm: gradNorm.slice(0, run),
    startEpoch, epochsRun: run, snapshots, diverged, stoppedEarly, learningRate,
  };
}

/** Concatenates two consecutive histories (e.g. before and after a confidence switch). */
export function concatHistories(a: History, b: History): History {
  const cat = (x: Float64Array, y: Float64Array) => {
    const out = new Float64Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return {
    loss: cat(a.loss, b.loss), accuracy: cat(a.accuracy, b.accuracy), gradNorm: cat(a.gradNorm, b.gradNorm),
    startEpoch: a.startEpoch, epochsRun: a.epochsRun + b.epochsRun, snapshots: [...a.snapshots, ...b.snapshots],
    diverged: a.diverged ?? b.diverged, stoppedEarly: b.stoppedEarly, learningRate: b.learningRate,
  };
}

