// Public API of the analysis layer: each module adds one 'export * from' line here.
export {};
export * from "./flow";
export * from "./fixedPoints";
export * from "./ghosts";
export * from "./classify";
export * from "./snapshot";
export * from "./rankOne";
export * from "./linalg";
export * from "./planar";
export * from "./latent2d";
export * from "./slowPoints";
