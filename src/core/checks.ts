/**
 * Argument checks for plain data (sweep results, histories, reduced sweeps) shared by the protocols and figures
 * layers (not re-exported from the core index).
 *
 * The helpers take plain data produced by the library (sweep results, histories, reduced sweeps). Data values
 * may legitimately be NaN or ±Infinity (a diverged run is NaN from its divergence on), so the checks below
 * insist on types and shapes (numbers, array lengths, objects) and leave non-finite data values to the
 * callers' own rules. Every failure is a GhostError naming the path of the offending field (e.g.
 * `sweeps[2].meanLoss[0][3]`) and the allowed form in words.
 */
import { MAX_ARRAY_LENGTH } from "./arrays";
import {
  GhostError,
  requireFiniteArray,
  requireIncreasing,
  requireInteger,
  requireNumberMatrix as coreNumberMatrix,
  requireNumbers,
  requirePositive,
} from "./errors";

/** Throws unless `value` is a non-empty string (a parameter name or path used in messages). */
export function requireName(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) throw new GhostError(name, value, "a non-empty string");
  return value;
}

/**
 * Throws unless `value` is an Array or typed array (not a DataView) of numbers — NaN and ±Infinity allowed — of
 * the given length (or at least `minLength`, default 0), with at most {@link MAX_ARRAY_LENGTH} entries: the
 * library's policy for data arrays, on core's {@link requireNumbers}.
 */
export function requireNumberArray(name: string, value: unknown, opts: { length?: number; minLength?: number } = {}): ArrayLike<number> {
  return requireNumbers(name, value, { ...opts, typed: true, maxLength: MAX_ARRAY_LENGTH });
}

/** Throws unless `value` is an array of `rows` arrays (or typed arrays) of `cols` numbers each (NaN allowed). */
export function requireNumberMatrix(name: string, value: unknown, rows: number, cols: number): ArrayLike<ArrayLike<number>> {
  return coreNumberMatrix(name, value, rows, cols, { typed: true, maxLength: MAX_ARRAY_LENGTH });
}

/** Throws unless `value` is a non-empty array of finite learning rates > 0. */
export function requireLearningRates(name: string, value: unknown): ArrayLike<number> {
  const arr = requireFiniteArray(name, value);
  for (let i = 0; i < arr.length; i++) requirePositive(`${name}[${i}]`, arr[i]);
  return arr;
}

/** Throws unless `value` is a non-empty array of integer seeds ≥ 0. */
export function requireSeeds(name: string, value: unknown): ArrayLike<number> {
  const arr = requireFiniteArray(name, value);
  for (let i = 0; i < arr.length; i++) requireInteger(`${name}[${i}]`, arr[i], 0);
  return arr;
}

/** Throws unless `value` is a non-empty, strictly increasing array of integer epoch counts in [1, epochs]. */
export function requireReportEpochs(name: string, value: unknown, epochs: number): ArrayLike<number> {
  const arr = requireIncreasing(name, value, 1);
  for (let j = 0; j < arr.length; j++) requireInteger(`${name}[${j}]`, arr[j], 1, epochs);
  return arr;
}

/**
 * Refuses keys of a plain config object that its template does not have, at any depth: a misspelled field
 * (`config.sweep.epochz`) would otherwise be ignored silently and the run would use the default. The template is
 * the complete config a builder returns (e.g. figures.fig4Config(scale)); nested plain objects are compared with
 * the template's object at the same key; arrays, null and other values are not descended into. The error names
 * the full path and lists the known keys at that level.
 * @param name path of `value` in messages, e.g. "config". @param value the config (anything; only plain objects
 * are checked). @param template the complete config with every known key.
 */
export function requireKnownKeys(name: string, value: unknown, template: unknown): void {
  requireName("name", name);
  const isPlain = (x: unknown): x is Record<string, unknown> =>
    x !== null && typeof x === "object" && !Array.isArray(x) && !ArrayBuffer.isView(x);
  if (!isPlain(value) || !isPlain(template)) return;
  const known = Object.keys(template);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new GhostError(`${name}.${key}`, value[key], `a known field name (${known.join(", ")}); "${key}" is not one`);
    }
    requireKnownKeys(`${name}.${key}`, value[key], template[key]);
  }
}

/**
 * The template scale of a figure config for {@link requireKnownKeys}: "ci" when `config.scale` is "ci", else
 * "paper" (every scale of a figure has the same keys; a bad scale itself is reported by the figure's validation).
 */
export function knownScale(config: unknown): "ci" | "paper" {
  const s = config !== null && typeof config === "object" ? (config as { scale?: unknown }).scale : undefined;
  return s === "ci" ? "ci" : "paper";
}
