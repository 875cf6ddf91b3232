/** Summary statistics as the authors plot them. */
import { MAX_ARRAY_LENGTH } from "./arrays";
import { GhostError, requireFiniteArray, requireNumbers } from "./errors";

/** Arithmetic mean of a non-empty array. */
export function mean(values: ArrayLike<number>): number {
  requireFiniteArray("values", values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

/** Population standard deviation √(Σ(x − x̄)²/n) (numpy `std`, ddof = 0). */
export function std(values: ArrayLike<number>): number {
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i] - m) ** 2;
  return Math.sqrt(s / values.length);
}

/** Standard error of the mean as the authors plot it: SEM = population std / √n. */
export function sem(values: ArrayLike<number>): number {
  return std(values) / Math.sqrt(values.length);
}

/** Mean and SEM together. */
export function meanSem(values: ArrayLike<number>): { mean: number; sem: number } {
  return { mean: mean(values), sem: sem(values) };
}

/**
 * Column-wise mean and SEM of equal-length rows (e.g. instances × epochs), returning two arrays of
 * the row length. Non-finite entries are rejected.
 */
export function meanSemColumns(rows: ArrayLike<number>[]): { mean: Float64Array; sem: Float64Array } {
  if (!Array.isArray(rows) || rows.length === 0) throw new GhostError("rows", rows, "a non-empty array of equal-length rows");
  const len = requireFiniteArray("rows[0]", rows[0]).length;
  rows.forEach((r, i) => requireFiniteArray(`rows[${i}]`, r, { length: len }));
  const n = rows.length;
  const m = new Float64Array(len);
  const e = new Float64Array(len);
  for (let j = 0; j < len; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += rows[i][j];
    const mu = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (rows[i][j] - mu) ** 2;
    m[j] = mu;
    e[j] = Math.sqrt(v / n) / Math.sqrt(n);
  }
  return { mean: m, sem: e };
}

/**
 * The largest entry of `values` (−Infinity for an empty series; NaN entries are skipped).
 * @param values an Array or typed array of numbers (NaN and ±Infinity allowed), shape [n].
 */
export function maxOf(values: ArrayLike<number>): number {
  requireNumbers("values", values, { typed: true, maxLength: MAX_ARRAY_LENGTH });
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > m) m = values[i];
  return m;
}
