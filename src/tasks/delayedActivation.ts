/**
 * The delayed-activation (DA) task (spec A1, A5): no input; the output must stay 0 for the first T steps and
 * switch to 1 for the next T steps. Trial length 2T steps (T = 20 steps = 100 ms at dt = 5 ms).
 */
import { GhostError, requireInRange, requireInteger, requirePositive } from "../core/errors";

/**
 * A single-trial, input-free task of the delayed-activation models (models/rnn.ts, training/trainRnn.ts): per-step
 * targets of one trial. The batched tasks with inputs (DCDT, DMTS, custom) use {@link Task} (tasks/task.ts).
 */
export interface TrialTask {
  /** Task name. */
  name: string;
  /** Number of steps of a trial. */
  steps: number;
  /** Targets y_t for the outputs after steps t = 1…steps, shape [steps]. */
  targets: Float64Array;
  /** The loss normaliser: loss = Σ_t (o_t − y_t)² / lossScale (finite, > 0). */
  lossScale: number;
  /** Inputs per step, shape [steps × inputSize]; absent or null for input-free tasks such as DA. */
  inputs?: Float64Array | null;
}

/**
 * Checks a task object: steps integer ≥ 1, targets a Float64Array of length steps with finite entries,
 * lossScale finite > 0. Throws GhostError naming the bad field; returns the task.
 */
export function validateTrialTask(task: unknown): TrialTask {
  if (task === null || typeof task !== "object") throw new GhostError("task", task, "a TrialTask { name, steps, targets, lossScale }");
  const t = task as TrialTask;
  requireInteger("task.steps", t.steps, 1);
  if (!(t.targets instanceof Float64Array) || t.targets.length !== t.steps) {
    throw new GhostError("task.targets", t.targets, `a Float64Array of length task.steps = ${t.steps}`);
  }
  for (let i = 0; i < t.targets.length; i++) {
    if (!Number.isFinite(t.targets[i])) throw new GhostError(`task.targets[${i}]`, t.targets[i], "a finite number");
  }
  requirePositive("task.lossScale", t.lossScale);
  if (t.inputs !== undefined && t.inputs !== null) {
    throw new GhostError("task.inputs", t.inputs, "null or absent (the DA models take no input)");
  }
  return t;
}

/** The DA task with horizon T (default 20 steps): targets [0]×T ++ [1]×T, loss = Σ(o − y)²/T (spec A9 #3). */
export interface DelayedActivationTask extends TrialTask {
  name: "delayed-activation";
  horizon: number;
}

/**
 * Builds the DA task: targets y = [0]×T ++ [1]×T (Float64Array of length 2T), steps = 2T, lossScale = T,
 * no inputs. The leak α (default 0.5) belongs to the model (RnnConfig.leak), not to the task.
 * @param horizon T, integer in [1, 100000] (default 20 = 100 ms at dt = 5 ms).
 */
export function delayedActivationTask(horizon = 20): DelayedActivationTask {
  requireInteger("horizon", horizon, 1, 100000);
  const targets = new Float64Array(2 * horizon);
  targets.fill(1, horizon);
  return { name: "delayed-activation", horizon, steps: 2 * horizon, targets, lossScale: horizon, inputs: null };
}

/** Validates a leak α = dt/τ ∈ (0, 1]. */
export function requireLeak(leak: unknown): number {
  return requireInRange("leak", leak, 0, 1, { minExclusive: true });
}
