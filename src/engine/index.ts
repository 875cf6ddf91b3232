// Public API of the engine (sweeps, result cache, worker threads, provenance, benchmarks): the machinery. It
// imports no model, protocol or figure; runners are registered with it by the layers above.
export * from "./runners";
export * from "./cache";
export * from "./sweep";
export * from "./worker";
export * from "./shard";
export * from "./slurm";
export * from "./provenance";
export * from "./benchmark";
