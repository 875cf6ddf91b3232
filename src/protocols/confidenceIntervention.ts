/**
 * The output-confidence intervention of v2 Fig 8C (spec B6.3) for one seed: a full-rank DCDT network (B1 preset
 * "fig8c-dcdt": ρ 0.1, σ_n 1e-3, tanh readout) trained by ONE Adam optimiser (lr 0.1 in the paper) for `epochs1`
 * epochs unmodified (phase 1), then, from that SAME state — parameters, Adam moments and step count, and the Rng of
 * the forward-pass randomness (training.trainTask's resume state) — one continuation of `epochs2` epochs per
 * confidence c (phase 2). In a continuation with finite c the readout is rescaled in place, without gradient, at the
 * start of every forward pass:
 *
 *     s = ‖W_out‖₁ / c;   W_out ← W_out / s;   b_out ← b_out / s        (so ‖W_out‖₁ = c; models.rescaleReadout)
 *
 * and c = ∞ (Infinity) means no rescaling: the c = ∞ continuation IS the uninterrupted 20 000-epoch run. The
 * authors train each (seed, c) from scratch with the seed reset; their phase 1 is the same for every c, which
 * resuming one phase 1 reproduces exactly and five times cheaper.
 *
 * Why it can help: with |r_i| < 1 the readout pre-activation of two trials differs by at most
 * |W_out(r_a − r_b)| ≤ ‖W_out‖₁·‖r_a − r_b‖_∞ < 2c, so c bounds how far apart (and how saturated) the outputs can
 * be: a small c pulls a network whose tanh output is saturated at the wrong sign back into the range where
 * tanh′ = 1 − ŷ² is not small, and the gradient returns. It can also hurt: for 2c < 2·atanh(0.33) = 0.686 the two
 * trial types can never be read out as +1 and −1 at the same step (see figures/v2fig8Check.ts).
 *
 * Recorded (plain data, JSON-serialisable): loss and accuracy (±0.33 binarisation, every (trial, step) entry) at the
 * run-global epochs 0, every, 2·every, … < epochs1 + epochs2 — phase-1 samples once, phase-2 samples per c — and,
 * per continuation, the smallest and largest ‖W_out‖₁ seen by a phase-2 forward pass (after the rescaling).
 */
import { GhostError, requireInteger, requireObject, requirePositive } from "../core/errors";
import { requireKnownKeys } from "../core/checks";
import { rescaleReadout, TaskRnn } from "../models/taskRnn";
import { experimentPreset } from "../tasks/task";
import { trainTask, TrainTaskState } from "../training/trainTask";
import { taskTrainCost, taskTrainModel, taskTrainTask, TaskTrainSpec } from "./taskTrain";

/** The B1 preset every run uses (full-rank DCDT, 10 copies per type, ρ 0.1, σ_n 1e-3). */
export const CONFIDENCE_INTERVENTION_PRESET = "fig8c-dcdt";

/** Config of one seed's run (plain data: it is the engine's cache key). */
export interface ConfidenceInterventionConfig {
  /** Seed of the network and of the forward-pass randomness (r₀, noise). */
  seed: number;
  /** Phase 1 epochs (unmodified training; paper 10 000). */
  epochs1: number;
  /** Phase 2 epochs per confidence (paper 10 000). */
  epochs2: number;
  /** Confidences c of phase 2: finite > 0 → ‖W_out‖₁ = c at every pass; Infinity → no rescaling (paper {0.1, 0.5, 1, 3, ∞}). */
  confidences: number[];
  /** Sample loss and accuracy every this many epochs (run-global epochs 0, every, …; paper 200). */
  every: number;
  /** Copies per trial type (default: the preset's 10). */
  copies?: number;
  /** Adam learning rate (paper 0.1). */
  learningRate: number;
}

/** One phase-2 continuation. */
export interface ConfidenceContinuation {
  /** c (Infinity = no rescaling). */
  confidence: number;
  /** Loss / accuracy at the phase-2 sample epochs (result.phase2Epochs); NaN after a divergence. */
  loss: number[];
  accuracy: number[];
  /** Smallest and largest ‖W_out‖₁ over the phase-2 forward passes (after the rescaling, when c is finite). */
  readoutL1: { min: number; max: number };
  /** Largest |‖W_out‖₁ − c| / c over the phase-2 passes (0 for c = ∞: nothing is imposed). */
  readoutL1RelativeError: number;
  diverged: { epoch: number; reason: string } | null;
}

/** Result of {@link runConfidenceIntervention} (plain, JSON-serialisable). */
export interface ConfidenceInterventionResult {
  config: ConfidenceInterventionConfig;
  /** Run-global sample epochs of phase 1 (0, every, … < epochs1) and of phase 2 (… < epochs1 + epochs2). */
  phase1Epochs: number[];
  phase2Epochs: number[];
  /** Phase 1 loss / accuracy at phase1Epochs. */
  phase1: { loss: number[]; accuracy: number[]; diverged: { epoch: number; reason: string } | null };
  /** ‖W_out‖₁ and b_out at the switch (after phase 1): the network's own "confidence" before the intervention. */
  switchReadoutL1: number;
  switchBias: number;
  continuations: ConfidenceContinuation[];
}

const TEMPLATE: Required<ConfidenceInterventionConfig> = { seed: 0, epochs1: 1, epochs2: 1, confidences: [], every: 1, copies: 10, learningRate: 1 };

/** Checks a {@link ConfidenceInterventionConfig} (GhostError naming the field; unknown keys refused) and returns it. */
export function validateConfidenceInterventionConfig(config: unknown, name = "config"): ConfidenceInterventionConfig {
  const c = requireObject(name, config, "a ConfidenceInterventionConfig { seed, epochs1, epochs2, confidences, every, copies?, learningRate }") as unknown as ConfidenceInterventionConfig;
  requireKnownKeys(name, c, TEMPLATE);
  requireInteger(`${name}.seed`, c.seed, 0);
  requireInteger(`${name}.epochs1`, c.epochs1, 1, 1e8);
  requireInteger(`${name}.epochs2`, c.epochs2, 1, 1e8);
  if (!Array.isArray(c.confidences) || c.confidences.length === 0 || c.confidences.length > 100) {
    throw new GhostError(`${name}.confidences`, c.confidences, "a non-empty array (at most 100) of confidences: finite numbers > 0 or Infinity");
  }
  c.confidences.forEach((v, i) => {
    if (v !== Infinity) requirePositive(`${name}.confidences[${i}]`, v);
  });
  requireInteger(`${name}.every`, c.every, 1, c.epochs1 + c.epochs2);
  if (c.copies !== undefined) requireInteger(`${name}.copies`, c.copies, 1, 100000);
  requirePositive(`${name}.learningRate`, c.learningRate);
  return c;
}

/** The phase-1 run as a task-training spec (same model, task and optimiser; epochs = epochs1). */
function phaseSpec(c: ConfidenceInterventionConfig, epochs: number): TaskTrainSpec {
  return {
    preset: CONFIDENCE_INTERVENTION_PRESET, seed: c.seed, copies: c.copies ?? experimentPreset(CONFIDENCE_INTERVENTION_PRESET).task.copies,
    epochs, optimizer: "adam", learningRate: c.learningRate, snapshotEpochs: [],
  };
}

/** Estimated cost (engine scheduling): the epochs of phase 1 plus every continuation, at the task RNN's per-epoch work. */
export function confidenceInterventionCost(config: ConfidenceInterventionConfig): number {
  const c = validateConfidenceInterventionConfig(config);
  return taskTrainCost(phaseSpec(c, c.epochs1 + c.confidences.length * c.epochs2));
}

/**
 * The phase-2 hook for trainTask's `beforeEpoch`: for finite c it rescales the readout in place so ‖W_out‖₁ = c
 * (models.rescaleReadout); for c = Infinity it does nothing. `observe` (optional) receives ‖W_out‖₁ after it.
 */
export function confidenceRescaleHook(confidence: number, observe?: (readoutL1: number) => void): (epoch: number, model: TaskRnn) => void {
  if (confidence !== Infinity) requirePositive("confidence", confidence);
  if (observe !== undefined && typeof observe !== "function") throw new GhostError("observe", observe, "a function (readoutL1) or undefined");
  return (_epoch: number, model: TaskRnn) => {
    if (confidence !== Infinity) rescaleReadout(model, confidence);
    if (observe) {
      let l1 = 0;
      for (const x of model.params.Wout.data) l1 += Math.abs(x);
      observe(l1);
    }
  };
}

/**
 * Runs one seed of the intervention (see the module comment). Deterministic given the config; each continuation
 * starts from an identical copy of the phase-1 state.
 */
export function runConfidenceIntervention(config: ConfidenceInterventionConfig): ConfidenceInterventionResult {
  const c = validateConfidenceInterventionConfig(config);
  const total = c.epochs1 + c.epochs2;
  const phase1Epochs: number[] = [], phase2Epochs: number[] = [];
  for (let e = 0; e < total; e += c.every) (e < c.epochs1 ? phase1Epochs : phase2Epochs).push(e);
  const spec = phaseSpec(c, c.epochs1);
  const task = taskTrainTask(spec);
  const model = taskTrainModel(spec);
  const first = trainTask(model, task, { epochs: c.epochs1, optimizer: { kind: "adam", learningRate: c.learningRate }, seed: c.seed });
  const h1 = first.history;
  const at = (xs: ArrayLike<number>, e: number) => (e < xs.length ? xs[e] : NaN);
  const phase1 = { loss: phase1Epochs.map((e) => at(h1.loss, e)), accuracy: phase1Epochs.map((e) => at(h1.accuracy, e)), diverged: h1.diverged };
  let l1 = 0;
  for (const x of model.params.Wout.data) l1 += Math.abs(x);
  const switchBias = model.params.bOut.data[0];
  const state: TrainTaskState | null = h1.diverged === null ? first.state() : null;

  const continuations: ConfidenceContinuation[] = c.confidences.map((conf) => {
    if (state === null) {
      return {
        confidence: conf, loss: phase2Epochs.map(() => NaN), accuracy: phase2Epochs.map(() => NaN), readoutL1: { min: NaN, max: NaN },
        readoutL1RelativeError: NaN, diverged: h1.diverged,
      };
    }
    let min = Infinity, max = -Infinity, rel = 0;
    const hook = confidenceRescaleHook(conf, (n) => {
      min = Math.min(min, n);
      max = Math.max(max, n);
      if (conf !== Infinity) rel = Math.max(rel, Math.abs(n - conf) / conf);
    });
    // Every continuation resumes the same phase-1 state: the state object is only read (trainTask copies what it uses).
    const h = trainTask(taskTrainModel(spec), task, { epochs: c.epochs2, resume: state, beforeEpoch: hook }).history;
    return {
      confidence: conf, loss: phase2Epochs.map((e) => at(h.loss, e)), accuracy: phase2Epochs.map((e) => at(h.accuracy, e)),
      readoutL1: { min, max }, readoutL1RelativeError: rel, diverged: h.diverged,
    };
  });
  return { config: c, phase1Epochs, phase2Epochs, phase1, switchReadoutL1: l1, switchBias, continuations };
}
