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
  requireNumber,
  requireNumberMatrix as coreNumberMatrix,
  requireNumbers,
  requireObject,
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
