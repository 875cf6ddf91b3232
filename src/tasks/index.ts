// Public API of the tasks layer: each module adds one 'export * from' line here.
export {};
export * from "./delayedActivation";
export * from "./task";
