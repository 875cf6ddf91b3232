/**
 * ghost-mechanism: models, training, analysis and figures for "A ghost mechanism: An analytical model
 * of abrupt learning" (Dinc et al., arXiv 2501.02378).
 *
 * Data flows one way: tasks → models → training → analysis → experiments → display → notebooks / CLI.
 */
export * as core from "./core";
export * as tasks from "./tasks";
export * as models from "./models";
export * as training from "./training";
export * as analysis from "./analysis";
export * as experiments from "./experiments";
export * as io from "./io";
export * as display from "./display";
export * as figures from "./figures";
export { LIBRARY_VERSION } from "./version";
