/**
 * The library's built-in sweep runners (protocols): the Fig 2D toy grid point, rank-one and general
 * delayed-activation training. Registered with the engine's runner registry when this module is loaded; each
 * definition names this module (`module: __filename`), so the engine's worker threads load it too and a runner
 * name means the same code in every thread.
 */
import { requireInteger, requireOptions, requirePositive } from "../core/errors";
import { registerRunner } from "../engine/runners";
import { kernelMode } from "../kernels";
import { runToyGdInstance, ToyGdInstanceConfig, ToyGdInstanceResult } from "../training/toyGradientDescent";
import {
  DaTrainConfig, DaTrainResult, daTrainCost, RankOneTrainConfig, RankOneTrainResult, runDaTrain, runRankOneTrain, validateDaTrainConfig, validateRankOneTrainConfig,
} from "./daTrain";
import { runTaskTraining, TaskTrainResult, TaskTrainSpec, taskTrainCost, validateTaskTrainSpec } from "./taskTrain";

/**
 * Which kernels train the RNN runs (GHOST_KERNELS: "js", the reference with Math.tanh, or "wasm" with its own tanh):
 * it changes the last bits of a result, so it joins the runner version in the cache key ("1+js", "1+wasm").
 */
const kernelVariant = (): string => `kernels-${kernelMode()}`;

registerRunner<ToyGdInstanceConfig, ToyGdInstanceResult>({
  name: "toyGdInstance",
  version: "1",
  description: "Fig 2D grid point: GD on the toy r from r0 ~ N(10r*, (r*/10)^2), {learningRate, seed, instances?, epochs?} → mean ± SEM loss",
  module: __filename,
  run: runToyGdInstance,
  validate: (c) => {
    const o = requireOptions<ToyGdInstanceConfig>("config", c);
    requirePositive("learningRate", o.learningRate);
    requireInteger("seed", o.seed, 0);
    if (o.instances !== undefined) requireInteger("instances", o.instances, 1, 1e6);
    if (o.epochs !== undefined) requireInteger("epochs", o.epochs, 0, 1e8);
  },
});

registerRunner<RankOneTrainConfig, RankOneTrainResult>({
  name: "rankOneTrain",
  version: "1",
  description: "rank-one RNN on the DA task, SGD {seed, N?, learningRate, epochs, confidence?, record?, continuation?} → per-epoch arrays",
  module: __filename,
  variant: kernelVariant,
  run: runRankOneTrain,
  validate: validateRankOneTrainConfig,
  // epochs of the main training plus those of every continuation, × the network size
  cost: (c) => ((c.N ?? 100) / 100) * (c.epochs + (c.continuation ? c.continuation.confidences.length * c.continuation.epochs : 0)),
});

registerRunner<DaTrainConfig, DaTrainResult>({
  name: "daTrain",
  version: "1",
  description: "rank-one / rank-K / full-rank RNN on the DA task, SGD {model, seed, learningRate, epochs, rank?, reportEpochs?, curvePoints?} → report-epoch values + summary",
  module: __filename,
  variant: kernelVariant,
  run: runDaTrain,
  validate: validateDaTrainConfig,
  cost: daTrainCost,
});

registerRunner<TaskTrainSpec, TaskTrainResult>({
  name: "taskTrain",
  // 2: results carry `means` over all epochs (and recordEvery / recordEpochs); version-1 cache entries lack them
  version: "2",
  description: "v2 task RNN on a B1 preset {preset, seed, copies, epochs, optimizer, learningRate, snapshotEpochs, keepRates?, recordEvery?} → per-epoch records (every recordEvery-th) + means over all epochs + parameter snapshots",
  module: __filename,
  variant: kernelVariant,
  run: (c) => runTaskTraining(c),
  validate: (c) => void validateTaskTrainSpec(c, "config"),
  cost: taskTrainCost,
});

// v2 Fig 8C: one seed's confidence intervention (phase 1 once, one phase-2 continuation per c from the same state).
import {
  ConfidenceInterventionConfig, ConfidenceInterventionResult, confidenceInterventionCost, runConfidenceIntervention, validateConfidenceInterventionConfig,
} from "./confidenceIntervention";

registerRunner<ConfidenceInterventionConfig, ConfidenceInterventionResult>({
  name: "confidenceIntervention",
  version: "1",
  description: "v2 Fig 8C seed: full-rank DCDT, Adam; phase 1, then per c a phase 2 with ‖W_out‖₁ = c at every pass {seed, epochs1, epochs2, confidences, every, copies?, learningRate} → sampled loss/accuracy",
  module: __filename,
  variant: kernelVariant,
  run: (c) => runConfidenceIntervention(c),
  validate: (c) => void validateConfidenceInterventionConfig(c, "config"),
  cost: confidenceInterventionCost,
});

// Fig 3's two watched runs (protocols/rankOneWatch.ts), so that figures.runFig3Async can run them side by side on
// worker threads (engine.runInWorker) with their progress.
import { FastRunConfig, FastRunData, FlowWatchSetup, runFastWatch, runSlowWatch, SlowRunConfig, SlowRunData } from "./rankOneWatch";

/** Config of the "rankOneSlowWatch" / "rankOneFastWatch" runners: the shared setup and one run's config. */
export interface WatchRunConfig<R> {
  setup: FlowWatchSetup;
  run: R;
}

const requireWatchConfig = (c: unknown): void => {
  const o = requireOptions<WatchRunConfig<unknown>>("config", c, ["setup", "run"]);
  requireOptions("config.setup", o.setup);
  requireOptions("config.run", o.run);
};

registerRunner<WatchRunConfig<SlowRunConfig>, SlowRunData>({
  name: "rankOneSlowWatch",
  version: "1",
  description: "Fig 3A-B: rank-one RNN at a low lr, flow watched {setup: FlowWatchSetup, run: SlowRunConfig} → SlowRunData (validate with figures.validateFig3Config)",
  module: __filename,
  variant: kernelVariant,
  run: (c, ctx) => runSlowWatch(c.setup, c.run, ctx?.onProgress),
  validate: requireWatchConfig,
  cost: (c) => c.run.epochs,
});

registerRunner<WatchRunConfig<FastRunConfig>, FastRunData>({
  name: "rankOneFastWatch",
  version: "1",
  description: "Fig 3C-D: rank-one RNN at a high lr, ghost analysis after every epoch {setup: FlowWatchSetup, run: FastRunConfig} → FastRunData (validate with figures.validateFig3Config)",
  module: __filename,
  variant: kernelVariant,
  run: (c, ctx) => runFastWatch(c.setup, c.run, ctx?.onProgress),
  validate: requireWatchConfig,
  // the ghost analysis after every epoch costs about 30 epochs of training
  cost: (c) => 30 * c.run.epochs,
});
