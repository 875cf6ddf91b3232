/**
 * The training loop: plain full-batch SGD, one step p ← p − learningRate·∇p per epoch (spec A5), on one RNN and
 * one task. Per epoch it records the loss, accuracy and global gradient norm of that epoch's forward pass
 * (BEFORE its update); parameter snapshots and rank-one flow snapshots are taken AFTER the update of the
 * requested epochs (spec A9 #6). A NaN/±Inf loss or gradient (or an update that would overflow a parameter)
 * stops training and is reported as divergence, or throws, by option.
 *
 * Frozen groups (model.trainable[g] = false) are excluded from BOTH the update and the gradient norm: the logged
 * norm is √(Σ over trainable groups of ‖∇g‖²) (spec A9 #7 for the all-trainable paper models).
 */
import ops from "ndarray-ops";
import { GhostError, requireFiniteArray, requireInteger, requireOneOf, requireOptions, requirePositive } from "../core/errors";
import { linspace } from "../core/arrays";
import { F64Array, ndFloat64 } from "../core/nd";
import {
  FullRankParams, LowRankParams, RnnModel, RnnParams, copyParams, paramGroup, parameterGroups, rankOneInitialKappa, rankOneLatentFlowOnGrid, rankOneParams, validateRnnModel,
} from "../models/rnn";
import { TrialTask, delayedActivationTask, validateTrialTask } from "../tasks/delayedActivation";
import { createWorkspace, forwardBackward, Workspace } from "./bptt";
import { kernelMode, wasmKernels, WasmKernels } from "../kernels";

/** Per-epoch record passed to `onEpoch` and `stopWhen`. */
export interface EpochRecord {
  /** Epoch index (startEpoch-based). */
  epoch: number;
  /** Loss of this epoch's forward pass (before its update). */
  loss: number;
  /** Accuracy of this epoch's forward pass. */
  accuracy: number;
  /** Global L2 norm of this epoch's gradient over the trainable groups. */
  gradNorm: number;
}

/** The option names of {@link trainRnn} (anything else is refused as a misspelling). */
export const TRAIN_OPTIONS: readonly string[] = [
  "learningRate", "epochs", "task", "snapshotEpochs", "flowSnapshotEpochs", "flowGrid", "onProgress", "onEpoch", "stopWhen", "onDivergence", "startEpoch",
];

/** Options of {@link trainRnn}. Unknown option names are refused (GhostError naming `options.<name>`). */
export interface TrainOptions {
  /** SGD step size, finite > 0. */
  learningRate: number;
  /** Number of epochs, integer in [0, 1e9]. */
  epochs: number;
  /** The task (default: the DA task with T = 20). */
  task?: TrialTask;
  /** Epochs (startEpoch-based, integers ≥ 0) after whose update a parameter snapshot is stored. */
  snapshotEpochs?: number[];
  /**
   * Epochs after whose update the rank-one latent flow f(κ) = −κ + nᵀtanh(mκ + b) is evaluated on `flowGrid`
   * and stored with κ_0 (rank-one models only).
   */
  flowSnapshotEpochs?: number[];
  /** κ grid of the flow snapshots, finite values (default linspace(−15, 15, 1000), spec A5). */
  flowGrid?: ArrayLike<number>;
  /** Called at most ~100 times (every ⌈epochs/100⌉ epochs and at the end): (epochs done, total). */
  onProgress?: (done: number, total: number) => void;
  /**
   * Observer: called after every update (before `stopWhen`) with the epoch's record and the live model, e.g. to
   * store snapshots or analyse the flow. It must not change the model; its return value is ignored.
   */
  onEpoch?: (record: EpochRecord, model: RnnModel) => void;
  /** Called after every update (after `onEpoch`) with the epoch's record and the (live) model; return true to stop. */
  stopWhen?: (record: EpochRecord, model: RnnModel) => boolean;
  /** What to do when the loss or gradient becomes NaN/±Inf: stop and report (default) or throw a GhostError. */
  onDivergence?: "stop" | "throw";
  /** Epoch index the History starts counting from (for continued training; integer ≥ 0, default 0). */
  startEpoch?: number;
}

/** A parameter snapshot after an epoch's update. */
export interface ParamSnapshot {
  /** Epoch whose update produced these parameters (the paper's plot label is epoch + 1). */
  epoch: number;
  /** Copies of every parameter group (frozen ones included), ndarrays of the model's shapes (models.copyParams). */
  params: RnnParams;
}

/** A rank-one flow snapshot after an epoch's update. */
export interface FlowSnapshot {
  /** Epoch whose update produced this flow. */
  epoch: number;
  /** κ_0 = n·x_0 of the updated network. */
  kappa0: number;
  /** f(κ) on History.flowGrid, shape [G]. */
  flow: Float64Array;
}

/** What a training run returns. Per-epoch arrays have length epochsRun. */
export interface History {
  /** Loss of each epoch's forward pass (before its update). */
  loss: Float64Array;
  /** Accuracy of each epoch's forward pass. */
  accuracy: Float64Array;
  /** Global gradient L2 norm over the trainable groups, each epoch (before its update). */
  gradNorm: Float64Array;
  /** First epoch index of these arrays (startEpoch): entry i is epoch startEpoch + i. */
  startEpoch: number;
  /** Epochs actually run (less than requested after divergence or an early stop). */
  epochsRun: number;
  snapshots: ParamSnapshot[];
  /** κ grid of flowSnapshots (empty when none were requested). */
  flowGrid: Float64Array;
  flowSnapshots: FlowSnapshot[];
  /**
   * Set when the loss or gradient became non-finite, or an update would have overflowed: training stopped at
   * that epoch WITHOUT applying its update (its loss/accuracy/gradNorm are recorded, possibly NaN).
   */
  diverged: { epoch: number; reason: string } | null;
  /** True when stopWhen ended training before `epochs`. */
  stoppedEarly: boolean;
  learningRate: number;
}

function epochSet(name: string, list: number[] | undefined): Set<number> {
  const set = new Set<number>();
  if (list === undefined) return set;
  requireFiniteArray(name, list, { minLength: 0 });
  for (let i = 0; i < list.length; i++) set.add(requireInteger(`${name}[${i}]`, list[i], 0));
  return set;
}

/** The WebAssembly kernels with the rank-one latent model's parameter and gradient data (.data of the ndarrays). */
function rankOneWasm(model: RnnModel, ws: Workspace): { pass: WasmKernels; m: Float64Array; n: Float64Array; b: Float64Array; gm: Float64Array; gn: Float64Array; gb: Float64Array } {
  const p = model.params as LowRankParams, g = ws.grads as LowRankParams;
  return { pass: wasmKernels(), m: p.M.data, n: p.P.data, b: p.b.data, gm: g.M.data, gn: g.P.data, gb: g.b.data };
}

/**
 * The WebAssembly pass of a full-rank or linear-readout rank-K model (kernels.fullRankPass / lowRankLinearPass,
 * bit-identical to their JS twins fullRankTwinPass / lowRankLinearTwinPass), as a closure over the parameter and
 * gradient data (the update writes the parameters in place, so these stay the live arrays); null for other models.
 */
function daWasmPass(model: RnnModel, task: TrialTask, ws: Workspace): (() => number) | null {
  const cfg = model.config, k = wasmKernels();
  if (cfg.kind === "fullRank") {
    const p = model.params as FullRankParams, g = ws.grads as FullRankParams;
    return () => k.fullRankPass(p.W.data, p.b.data, p.wOut.data, p.bOut.data, cfg.leak, cfg.initialState, task.targets, task.lossScale, ws,
      g.W.data, g.b.data, g.wOut.data, g.bOut.data);
  }
  if (cfg.readout !== "linear") return null;
  const p = model.params as LowRankParams, g = ws.grads as LowRankParams;
  const wOut = (p.wOut as F64Array).data, bOut = (p.bOut as F64Array).data, gw = (g.wOut as F64Array).data, gbo = (g.bOut as F64Array).data;
  return () => k.lowRankLinearPass(p.M.data, p.P.data, p.b.data, wOut, bOut, cfg.leak, cfg.initialState, task.targets, task.lossScale, ws,
    g.M.data, g.P.data, g.b.data, gw, gbo);
}

/**
 * Trains `model` IN PLACE with full-batch SGD and returns its History (use models.cloneRnn first to keep the
 * original; models.withConfidence for a copy with another output confidence, e.g. Fig 4). The model and task are
 * validated once; each epoch then runs one allocation-free kernel call (training/bptt.ts) plus the update.
 */
export function trainRnn(model: RnnModel, options: TrainOptions): History {
  validateRnnModel(model);
  if (options === null || typeof options !== "object") throw new GhostError("options", options, "a TrainOptions object");
  requireOptions("options", options, TRAIN_OPTIONS);
  const learningRate = requirePositive("learningRate", options.learningRate);
  const epochs = requireInteger("epochs", options.epochs, 0, 1e9);
  const startEpoch = requireInteger("startEpoch", options.startEpoch ?? 0, 0);
  const onDivergence = requireOneOf("onDivergence", options.onDivergence ?? "stop", ["stop", "throw"] as const);
  const task = validateTrialTask(options.task ?? delayedActivationTask(20));
  const snapshotEpochs = epochSet("snapshotEpochs", options.snapshotEpochs);
  const flowEpochs = epochSet("flowSnapshotEpochs", options.flowSnapshotEpochs);
  let flowGrid: Float64Array = new Float64Array(0);
  if (flowEpochs.size > 0) {
    rankOneParams(model); // throws for models without a rank-one latent flow
    flowGrid = options.flowGrid === undefined ? linspace(-15, 15, 1000) : Float64Array.from(requireFiniteArray("flowGrid", options.flowGrid));
  } else if (options.flowGrid !== undefined) requireFiniteArray("flowGrid", options.flowGrid);
  for (const [name, fn] of [["onProgress", options.onProgress], ["onEpoch", options.onEpoch], ["stopWhen", options.stopWhen]] as const) {
    if (fn !== undefined && typeof fn !== "function") throw new GhostError(name, fn, "a function or undefined");
  }

  const ws: Workspace = createWorkspace(model, task);
  // Kernel choice (kernels/index.ts): in "wasm" mode (the default where WebAssembly SIMD exists) the rank-one latent
  // pass runs in WebAssembly; GHOST_KERNELS=js runs forwardBackward, the JS reference kernels (Math.tanh).
  const cfg = model.config;
  // Full-rank and linear-readout rank-K models run through the WebAssembly DA kernels: the fused loop below when every
  // group is trainable, else the pass (daWasmPass) with the norm and update in JS; GHOST_KERNELS=js keeps
  // forwardBackward for them too.
  const wasmMode = kernelMode() === "wasm";
  const wasm = cfg.kind === "lowRank" && cfg.rank === 1 && cfg.readout === "latent" && wasmMode ? rankOneWasm(model, ws) : null;
  const daPass = wasm === null && wasmMode ? daWasmPass(model, task, ws) : null;
  const daData = {
    params: Object.fromEntries(parameterGroups(cfg).map((g) => [g, paramGroup(model.params, g).data])),
    grads: Object.fromEntries(parameterGroups(cfg).map((g) => [g, paramGroup(ws.grads, g).data])),
  };
  const allGroups = parameterGroups(model.config);
  const groups = allGroups.filter((g) => model.trainable[g]);
  // With every group trainable, the wasm kernel runs whole stretches of epochs (pass, norm, update) in one call
  // (kernels.rankOneTrainInto: the same operations as the loop below, bit for bit), from one epoch that needs JS
  // (a snapshot, a flow snapshot, a progress report, a hook, the last) to the next.
  // The full-rank and linear rank-K models do the same with kernels.daTrainInto (pass, norm, update in WebAssembly).
  const fused = (wasm !== null || daPass !== null) && groups.length === allGroups.length;
  const everyEpoch = options.onEpoch !== undefined || options.stopWhen !== undefined;
  const snapList = [...snapshotEpochs].sort((x, y) => x - y), flowList = [...flowEpochs].sort((x, y) => x - y);
  let snapAt = 0, flowAt = 0;
  /** The last epoch index (0-based, ≥ e) of a fused stretch starting at e. */
  const stretchEnd = (e: number): number => {
    if (everyEpoch) return e;
    let end = options.onProgress ? Math.min(epochs - 1, Math.ceil((e + 1) / progressEvery) * progressEvery - 1) : epochs - 1;
    while (snapAt < snapList.length && snapList[snapAt] < startEpoch + e) snapAt++;
    while (flowAt < flowList.length && flowList[flowAt] < startEpoch + e) flowAt++;
    if (snapAt < snapList.length) end = Math.min(end, snapList[snapAt] - startEpoch);
    if (flowAt < flowList.length) end = Math.min(end, flowList[flowAt] - startEpoch);
    return end;
  };
  let fusedUntil = 0; // epochs [0, fusedUntil) have records from the fused kernel
  let fusedApplied = 0; // of which [0, fusedApplied) had their update applied there
  // Trainable parameter groups and their gradients (ndarrays of one shape per group), their contiguous .data for
  // the loops below, and one preallocated step buffer per group for the update p ← p − η·g.
  const P: F64Array[] = groups.map((g) => paramGroup(model.params, g));
  const G: F64Array[] = groups.map((g) => paramGroup(ws.grads, g));
  const Pd = P.map((p) => p.data), Gd = G.map((g) => g.data);
  const step: F64Array[] = G.map((g) => ndFloat64(g.shape.slice()));
  const nGroups = P.length;
  const loss = new Float64Array(epochs), accuracy = new Float64Array(epochs), gradNorm = new Float64Array(epochs);
  const snapshots: ParamSnapshot[] = [];
  const flowSnapshots: FlowSnapshot[] = [];
  let diverged: History["diverged"] = null;
  let stoppedEarly = false;
  let run = 0;
  const progressEvery = Math.max(1, Math.ceil(epochs / 100));
  // Bound on max |p| over the trainable parameters: while bound + learningRate·‖∇‖ ≤ 1e300 no update can overflow,
  // so the per-entry overflow check below is skipped (it only runs near overflow).
  let paramBound = 0;
  for (let q = 0; q < nGroups; q++) paramBound = Math.max(paramBound, ops.norminf(P[q]));
  const divergence = (epoch: number, reason: string): void => {
    diverged = { epoch, reason };
    if (onDivergence === "throw") {
      throw new GhostError("learningRate", learningRate, "a smaller learning rate", `training diverged at epoch ${epoch}: ${reason}`);
    }
  };

  /**
   * The end of an epoch in JS: divergence (non-finite loss or norm) and the overflow guard, then the SGD step.
   * Returns false when training must stop (diverged, nothing applied).
   */
  const checkAndUpdate = (epoch: number, L: number, norm: number): boolean => {
    if (!Number.isFinite(L) || !Number.isFinite(norm)) {
      divergence(epoch, !Number.isFinite(L) ? `loss = ${L}` : `gradient norm = ${norm}`);
      return false;
    }
    if (!(paramBound + learningRate * norm <= 1e300)) {
      // Near overflow: an update that would make a parameter non-finite is divergence; detect it before touching them.
      let overflow = "";
      for (let q = 0; q < nGroups && !overflow; q++) {
        const p = Pd[q], gr = Gd[q];
        for (let i = 0; i < p.length; i++) {
          if (!Number.isFinite(p[i] - learningRate * gr[i])) { overflow = `${groups[q]}[${i}]`; break; }
        }
      }
      if (overflow) {
        divergence(epoch, `update overflow: ${overflow} would become non-finite (learningRate × gradient norm = ${learningRate * norm})`);
        return false;
      }
    }
    // SGD step p ← p − η·∇p per trainable group: step = η·g (ops.muls), p −= step (ops.subeq); the same two
    // roundings per entry as p[i] − η·g[i]. Then the bound max |p| for the next epoch's overflow test (ops.norminf).
    let bound = 0;
    for (let q = 0; q < nGroups; q++) {
      ops.muls(step[q], G[q], learningRate);
      ops.subeq(P[q], step[q]);
      const nq = ops.norminf(P[q]);
      if (nq > bound) bound = nq;
    }
    paramBound = bound;
    return true;
  };

  for (let e = 0; e < epochs; e++) {
    const epoch = startEpoch + e;
    if (fused && e >= fusedUntil) {
      const count = stretchEnd(e) - e + 1;
      const r = wasm !== null
        ? wasm.pass.rankOneTrainInto(wasm.m, wasm.n, wasm.b, cfg.leak, cfg.confidence, cfg.initialState, task.targets, task.lossScale,
          learningRate, count, paramBound, loss, accuracy, gradNorm, e, wasm)
        // chunks of at most 65,536 epochs (the per-epoch records live in WebAssembly memory until the chunk ends)
        : wasmKernels().daTrainInto(daData.params, daData.grads, cfg.leak, cfg.initialState, task.targets, task.lossScale, ws,
          learningRate, Math.min(count, 65536), paramBound, loss, accuracy, gradNorm, e);
      fusedUntil = e + r.epochsRun;
      fusedApplied = r.status === "done" ? fusedUntil : fusedUntil - 1;
      paramBound = r.bound;
    }
    if (e < fusedApplied) {
      // pass, record and update done by the fused kernel; only the end of its stretch needs the JS below
      run = e + 1;
      if (e + 1 < fusedApplied) continue;
    }
    let L: number, norm: number;
    if (e < fusedUntil) {
      L = loss[e]; norm = gradNorm[e];
      run = e + 1;
    } else {
      L = wasm
        ? wasm.pass.rankOnePass(wasm.m, wasm.n, wasm.b, cfg.leak, cfg.confidence, cfg.initialState, task.targets, task.lossScale, ws, wasm.gm, wasm.gn, wasm.gb)
        : daPass !== null ? daPass() : forwardBackward(model, task, ws, true);
      // Global norm √(Σ_groups Σ_i g_i²) as ONE running sum over the groups in order. Not ops.norm2: summing
      // per-group norm2squared results rounds differently, and this sum order is part of the recorded results.
      let sq = 0;
      for (let q = 0; q < nGroups; q++) {
        const gr = Gd[q];
        for (let i = 0; i < gr.length; i++) sq += gr[i] * gr[i];
      }
      norm = Math.sqrt(sq);
      loss[e] = L;
      accuracy[e] = ws.accuracy;
      gradNorm[e] = norm;
      run = e + 1;
    }
    if (e >= fusedApplied && !checkAndUpdate(epoch, L, norm)) break;
    if (snapshotEpochs.has(epoch)) snapshots.push({ epoch, params: copyParams(model.params) });
    if (flowEpochs.has(epoch)) {
      flowSnapshots.push({ epoch, kappa0: rankOneInitialKappa(model), flow: rankOneLatentFlowOnGrid(rankOneParams(model), flowGrid) });
    }
    if (options.onProgress && (run % progressEvery === 0 || run === epochs)) options.onProgress(run, epochs);
    if (options.onEpoch || options.stopWhen) {
      const record: EpochRecord = { epoch, loss: L, accuracy: accuracy[e], gradNorm: norm };
      options.onEpoch?.(record, model);
      if (options.stopWhen?.(record, model)) {
        stoppedEarly = run < epochs;
        break;
      }
    }
  }
  // Parameters that became non-finite after an update are caught at the next forward pass (loss NaN).
  return {
    loss: loss.slice(0, run), accuracy: accuracy.slice(0, run), gradNorm: gradNorm.slice(0, run),
    startEpoch, epochsRun: run, snapshots, flowGrid, flowSnapshots, diverged, stoppedEarly, learningRate,
  };
}

/** Concatenates two consecutive histories (e.g. before and after a confidence switch); b's flow grid wins if set. */
export function concatHistories(a: History, b: History): History {
  for (const [name, h] of [["a", a], ["b", b]] as const) {
    if (h === null || typeof h !== "object") throw new GhostError(name, h, "a History (from trainRnn)");
    for (const k of ["loss", "accuracy", "gradNorm", "flowGrid"] as const) {
      if (!(h[k] instanceof Float64Array)) throw new GhostError(`${name}.${k}`, h[k], "a Float64Array");
    }
    if (!Array.isArray(h.snapshots) || !Array.isArray(h.flowSnapshots)) throw new GhostError(`${name}.snapshots`, h.snapshots, "arrays snapshots and flowSnapshots");
    requireInteger(`${name}.epochsRun`, h.epochsRun, 0);
  }
  const cat = (x: Float64Array, y: Float64Array) => {
    const out = new Float64Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return {
    loss: cat(a.loss, b.loss), accuracy: cat(a.accuracy, b.accuracy), gradNorm: cat(a.gradNorm, b.gradNorm),
    startEpoch: a.startEpoch, epochsRun: a.epochsRun + b.epochsRun, snapshots: [...a.snapshots, ...b.snapshots],
    flowGrid: b.flowGrid.length > 0 ? b.flowGrid : a.flowGrid, flowSnapshots: [...a.flowSnapshots, ...b.flowSnapshots],
    diverged: a.diverged ?? b.diverged, stoppedEarly: b.stoppedEarly, learningRate: b.learningRate,
  };
}
