// Public API of the io layer: each module adds one 'export * from' line here.
export {};
export * from "./checkpoint";
export * from "./taskCheckpoint";
