// Public API of the protocols layer: how a model is trained or swept, reused by several figures. Loading it
// registers the built-in sweep runners (toyGdInstance, rankOneTrain, daTrain) with the engine.
import "./runners";
export * from "./daTrain";
export * from "./lrSweep";
