// Public API of the protocols layer: how a model is trained or swept, reused by several figures. Loading it
// registers the built-in sweep runners (toyGdInstance, rankOneTrain, daTrain) with the engine.
import "./runners";
export * from "./daTrain";
export * from "./lrSweep";
export { analyseWatchedSnapshot, runFastWatch, runSlowWatch, watchGrid } from "./rankOneWatch";
export type {
  FastRunConfig, FastRunData, FlowWatchSetup, FlowWatchSnapshot, GhostSummary, SaddleNodeEvent, SlowRunConfig, SlowRunData,
} from "./rankOneWatch";
export * from "./taskTrain";
export * from "./taskSweep";
export * from "./confidenceIntervention";
export * from "./confidenceSweep";
