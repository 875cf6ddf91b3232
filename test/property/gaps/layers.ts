/**
 * Exports of the engine, protocols and figures namespaces that do not yet validate their arguments (found by
 * hostileArguments.test.ts). Listed so the gap is explicit; remove a name as soon as its function validates its
 * input (a GhostError naming parameter, value and allowed range), and the hostile-argument fuzzing then covers it.
 * Empty: every export validates its input (or is excluded in hostileArguments.test.ts for writing files, running
 * long computations or touching process state).
 */
export const ENGINE_GAPS: readonly string[] = [];
export const PROTOCOLS_GAPS: readonly string[] = [];
export const FIGURES_GAPS: readonly string[] = [];
