/**
 * ghost-mechanism: models, training, analysis and figures for "A ghost mechanism: An analytical model
 * of abrupt learning" (Dinc et al., arXiv 2501.02378).
 *
 * Data flows one way: tasks → models → training → analysis → protocols → figures → display → notebooks / CLI;
 * the engine (sweeps, cache, workers, provenance) is the machinery under protocols and figures and imports none of
 * them. The figure catalogue (catalogue.ts: each figure's data joined with its Plotly builders) sits beside the CLI.
 */
export * as core from "./core";
export * as tasks from "./tasks";
export * as models from "./models";
export * as training from "./training";
export * as analysis from "./analysis";
export * as protocols from "./protocols";
export * as figures from "./figures";
export * as engine from "./engine";
export * as kernels from "./kernels";
export * as io from "./io";
export * as display from "./display";
export * as catalogue from "./catalogue";
export { LIBRARY_VERSION } from "./version";
