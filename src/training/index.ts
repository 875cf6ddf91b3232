// Public API of the training layer: each module adds one 'export * from' line here.
export {};
export * from "./toyGradientDescent";
export * from "./bptt";
export * from "./trainRnn";
export * from "./learnableConfidence";
