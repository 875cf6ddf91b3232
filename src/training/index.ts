// Public API of the training layer: each module adds one 'export * from' line here.
export {};
export * from "./toyGradientDescent";
export * from "./bptt";
export * from "./trainRnn";
export * from "./optimizers";
export * from "./taskBptt";
export * from "./trainTask";
export * from "./learnableConfidence";
