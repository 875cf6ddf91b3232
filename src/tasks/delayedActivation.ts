/**
 * The delayed-activation (DA) task (spec A1, A5): no input; the output must stay 0 for the first T steps and
 * switch to 1 for the next T steps. Trial length 2T steps (T = 20 steps = 100 ms at dt = 5 ms).
 */
import { requireInRange, requireInteger } from "../core/errors";

/** A task: per-step targets of one trial (and, for tasks with inputs, inputs). */
export interface Task {
  /** Task name. */
  name: string;
  /** Number of steps of a trial. */
  steps: number;
  /** Targets y_t for the outputs after steps t = 1…steps, shape [steps]. */
  targets: Float64Array;
  /** The loss normaliser: loss = Σ_t (o_t − y_t)² / lossScale. */
  lossScale: number;
}

/** The DA task with horizon T (default 20 steps): targets [0]×T ++ [1]×T, loss = Σ(o − y)²/T (spec A9 #3). */
export interface DelayedActivationTask extends Task {
  name: "delayed-activation";
  horizon: number;
}

/** Builds the DA task. @param horizon T, integer in [1, 100000] (default 20). */
export function delayedActivationTask(horizon = 20): DelayedActivationTask {
  requireInteger("horizon", horizon, 1, 100000);
  const targets = new Float64Array(2 * horizon);
  targets.fill(1, horizon);
  return { name: "delayed-activation", horizon, steps: 2 * horizon, targets, lossScale: horizon };
}

/** Validates a leak α = dt/τ ∈ (0, 1]. */
export function requireLeak(leak: unknown): number {
  return requireInRange("leak", leak, 0, 1, { minExclusive: true });
}
