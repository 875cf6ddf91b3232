/**
 * A rank-one DA network whose output confidence c is a trainable parameter (v2 Fig 8B, spec B6.2;
 * `Figure8/code/B - learnable confidence/run_with_learnable_confidence.py`).
 *
 * The model is the paper's rank-one RNN (spec A5): x_{t+1} = (1 − α)x_t + α tanh(m κ_t + b), κ_t = n·x_t,
 * o_{t+1} = σ(c(κ_{t+1} − 1)), loss L = Σ_t (o_t − y_t)² / T. Beside m, n, b, plain SGD also updates c with
 *
 *     ∂L/∂c = Σ_t (2/T)(o_t − y_t) · o_t(1 − o_t) · (κ_t − 1)
 *
 * (the readout pre-activation is z_t = c(κ_t − 1), so ∂z_t/∂c = κ_t − 1 while ∂z_t/∂κ_t = c is what the rank-one
 * kernel already folds into dz). The gradient norm recorded each epoch is the global norm over m, n, b AND c
 * (as the authors' loop sums the squared norms of every parameter, c included).
 *
 * Kernels: the pass follows the library's kernel selection as trainRnn does (kernels/index.ts {@link kernelMode}):
 * in "wasm" mode (the default wherever WebAssembly SIMD exists) each epoch is one WebAssembly rank-one pass
 * (kernels.wasmKernels().rankOnePass: fastTanh/fastSigmoid, the SIMD summation order; the fused multi-epoch trainer
 * cannot be used because c changes every epoch); GHOST_KERNELS=js runs the JS reference kernel
 * training/bptt.ts rankOneLatentKernel (Math.tanh), which reproduces the results of releases before this trainer
 * followed the kernel mode bit for bit. In BOTH modes ∂L/∂c is computed here, in the same JS loop, from the
 * quantities the chosen kernel wrote: its outputs o_t (ws.output) and latents κ_t (ws.kappa), by the formula above
 * (σ' = o(1 − o)). It is therefore the exact derivative of the loss that kernel computed (up to rounding), and
 * works for any c (not from ws.dz / c, which would divide by c). m, n, b get the kernel's BPTT gradients.
 *
 * c is not restricted to c > 0 here: gradient descent may move it anywhere (the kernel evaluates σ(c(κ − 1)) for any
 * real c); the history records c after every update so a reader can see where it went.
 */
import { GhostError, requireFinite, requireInteger, requireObject, requireOptions, requirePositive } from "../core/errors";
import { LowRankParams, RnnModel, cloneRnn, validateRnnModel } from "../models/rnn";
import { delayedActivationTask, DelayedActivationTask } from "../tasks/delayedActivation";
import { createWorkspace, rankOneLatentKernel } from "./bptt";
import { kernelMode, wasmKernels } from "../kernels";

/** Options of {@link trainLearnableConfidence}. */
export interface LearnableConfidenceOptions {
  /** SGD learning rate η > 0 (paper 0.02), the same for m, n, b and c. */
  learningRate: number;
  /** Number of epochs (integer ≥ 0; paper 10 000 per phase). */
  epochs: number;
  /** Initial confidence c₀ (finite; paper 10 in phase 1 and 1 in phase 2). Default: the model's config.confidence. */
  confidence?: number;
  /** DA horizon T in steps (default 20, the paper's 40-step trial). */
  horizon?: number;
  /** Progress callback (epochs done, epochs), called about 100 times. */
  onProgress?: (done: number, total: number) => void;
}

const OPTIONS = ["learningRate", "epochs", "confidence", "horizon", "onProgress"] as const;

/** Per-epoch records of a learnable-confidence run (index e = epoch e's forward pass, before its update). */
export interface LearnableConfidenceHistory {
  /** The trained network: a copy of the input model with the trained m, n, b, and config.confidence = the final c (when c > 0). */
  model: RnnModel<LowRankParams>;
  /** Loss L of epoch e. */
  loss: Float64Array;
  /** Accuracy (o > 0.5 vs target) of epoch e. */
  accuracy: Float64Array;
  /** Global gradient norm over m, n, b and c at epoch e. */
  gradNorm: Float64Array;
  /** ∂L/∂c at epoch e. */
  confidenceGradient: Float64Array;
  /** c used in epoch e's forward pass (c₀ at e = 0); length epochs + 1, the last entry is c after the last update. */
  confidence: Float64Array;
  /** Epochs run (< epochs when the run diverged). */
  epochsRun: number;
  /** Set when the loss, the gradient or a parameter became non-finite: the epoch and why (records kept up to it). */
  diverged: { epoch: number; reason: string } | null;
}

/**
 * Trains a copy of a rank-one latent-readout model (models.createRankOneRnn) with c trainable (spec B6.2): plain
 * SGD on m, n, b and c with one learning rate. The input model is not modified.
 */
export function trainLearnableConfidence(model: RnnModel, options: LearnableConfidenceOptions): LearnableConfidenceHistory {
  validateRnnModel(model);
  const cfg0 = model.config;
  if (cfg0.kind !== "lowRank" || cfg0.rank !== 1 || cfg0.readout !== "latent") {
    throw new GhostError("model", `${cfg0.kind} rank ${cfg0.rank} ${cfg0.readout} readout`, "a rank-one model with the latent readout σ(c(κ − 1)) (models.createRankOneRnn)");
  }
  requireObject("options", options, "a LearnableConfidenceOptions object { learningRate, epochs, confidence?, horizon?, onProgress? }");
  requireOptions("options", options, OPTIONS);
  const lr = requirePositive("learningRate", options.learningRate);
  const epochs = requireInteger("epochs", options.epochs, 0, 1e9);
  let c = options.confidence === undefined ? cfg0.confidence : requireFinite("confidence", options.confidence);
  const task: DelayedActivationTask = delayedActivationTask(options.horizon ?? 20);
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") {
    throw new GhostError("onProgress", options.onProgress, "a function or undefined");
  }
  const net = cloneRnn(model) as RnnModel<LowRankParams>;
  if (!net.trainable.M || !net.trainable.P || !net.trainable.b) {
    throw new GhostError("model.trainable", JSON.stringify(net.trainable), "m, n and b all trainable (the B6.2 protocol trains every parameter)");
  }
  const ws = createWorkspace(net, task);
  const m = net.params.M.data, n = net.params.P.data, b = net.params.b.data;
  const gm = ws.grads.M.data, gn = ws.grads.P.data, gb = ws.grads.b.data;
  const N = ws.size, S = ws.steps, targets = task.targets, f = 2 / task.lossScale;
  const loss = new Float64Array(epochs), accuracy = new Float64Array(epochs), gradNorm = new Float64Array(epochs);
  const gcs = new Float64Array(epochs), cs = new Float64Array(epochs + 1);
  cs[0] = c;
  let run = 0;
  let diverged: LearnableConfidenceHistory["diverged"] = null;
  const every = Math.max(1, Math.ceil(epochs / 100));
  // The kernel mode is read once per run (as trainRnn does): "wasm" → the WebAssembly pass, "js" → Math.tanh.
  const wasm = kernelMode() === "wasm" ? wasmKernels() : null;
  for (let e = 0; e < epochs; e++) {
    const L = wasm
      ? wasm.rankOnePass(m, n, b, cfg0.leak, c, cfg0.initialState, targets, task.lossScale, ws, gm, gn, gb)
      : rankOneLatentKernel(m, n, b, cfg0.leak, c, cfg0.initialState, targets, task.lossScale, ws, gm, gn, gb, true);
    // ∂L/∂c from the outputs o_t (ws.output[t] = o_{t+1}) and latents κ_{t+1} (ws.kappa[t + 1]) the kernel wrote
    // (both kernels fill them; the same loop in both modes).
    let gc = 0;
    for (let t = 0; t < S; t++) {
      const o = ws.output[t];
      gc += f * (o - targets[t]) * o * (1 - o) * (ws.kappa[t + 1] - 1);
    }
    let sq = gc * gc;
    for (let i = 0; i < N; i++) sq += gm[i] * gm[i] + gn[i] * gn[i] + gb[i] * gb[i];
    const norm = Math.sqrt(sq);
    loss[e] = L; accuracy[e] = ws.accuracy; gradNorm[e] = norm; gcs[e] = gc;
    run = e + 1;
    if (!Number.isFinite(L) || !Number.isFinite(norm)) {
      diverged = { epoch: e, reason: !Number.isFinite(L) ? `loss = ${L}` : `gradient norm = ${norm}` };
      cs[e + 1] = c;
      break;
    }
    for (let i = 0; i < N; i++) {
      m[i] -= lr * gm[i];
      n[i] -= lr * gn[i];
      b[i] -= lr * gb[i];
    }
    c -= lr * gc;
    cs[e + 1] = c;
    if (options.onProgress && (run % every === 0 || run === epochs)) options.onProgress(run, epochs);
  }
  if (c > 0 && Number.isFinite(c)) net.config.confidence = c;
  return {
    model: net, loss: loss.slice(0, run), accuracy: accuracy.slice(0, run), gradNorm: gradNorm.slice(0, run),
    confidenceGradient: gcs.slice(0, run), confidence: cs.slice(0, run + 1), epochsRun: run, diverged,
  };
}
