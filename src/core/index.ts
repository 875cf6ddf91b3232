export * from "./errors";
export * from "./rng";
export * from "./arrays";
export * from "./nd";
export * from "./stats";
export * from "./io";
export * from "./math";
