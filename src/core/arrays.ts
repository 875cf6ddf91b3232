/**
 * Float64 ndarray helpers. ndarray views are the public, shape-carrying type; hot loops index the
 * underlying Float64Array directly. Every constructor here builds a Float64Array.
 */
import ndarray from "ndarray";
import { GhostError, requireFinite, requireInteger, requireNumbers } from "./errors";
import type { F64Array } from "./nd";

/**
 * Largest number of elements the array constructors here accept (1e8 doubles = 800 MB): larger requests are
 * refused with a GhostError instead of failing inside the JavaScript engine.
 */
export const MAX_ARRAY_LENGTH = 100_000_000;

/** Throws unless `value` is an Array or a typed array (not a DataView). */
function requireArrayLike(name: string, value: unknown): ArrayLike<number> {
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    throw new GhostError(name, value, "an array or typed array of numbers");
  }
  return value as ArrayLike<number>;
}

function requireShape(name: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw new GhostError(name, shape, "an array of integer dimensions >= 0");
  shape.forEach((d, i) => requireInteger(`${name}[${i}]`, d, 0, MAX_ARRAY_LENGTH));
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  if (size > MAX_ARRAY_LENGTH) throw new GhostError(name, shape, `a shape with at most ${MAX_ARRAY_LENGTH} elements`);
  return shape as number[];
}

/** A zero-filled float64 ndarray of the given shape. */
export function zeros(shape: number[]): F64Array {
  requireShape("shape", shape);
  const size = shape.reduce((a, b) => a * b, 1);
  return ndarray(new Float64Array(size), shape);
}

/** Wrap (copy) numbers into a float64 ndarray of the given shape (default: 1-D). */
export function fromArray(values: ArrayLike<number>, shape?: number[]): F64Array {
  const data = Float64Array.from(requireArrayLike("values", values));
  const sh = shape === undefined ? [data.length] : requireShape("shape", shape);
  const size = sh.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new GhostError("shape", sh, `a shape with ${data.length} elements`);
  return ndarray(data, sh);
}

/**
 * `n` evenly spaced points from `start` to `stop` inclusive (numpy.linspace); start, stop finite, n integer in
 * [1, MAX_ARRAY_LENGTH]. The first and last points are exactly `start` and `stop`, and the points are monotone
 * (non-decreasing when start <= stop, non-increasing otherwise) even where rounding of `start + i*step` would step
 * past `stop` (e.g. subnormal spacing) or `stop - start` overflows (start = -1e308, stop = 1e308).
 */
export function linspace(start: number, stop: number, n: number): Float64Array {
  requireFinite("start", start);
  requireFinite("stop", stop);
  requireInteger("n", n, 1, MAX_ARRAY_LENGTH);
  const out = new Float64Array(n);
  if (n === 1) {
    out[0] = start;
    return out;
  }
  let step = (stop - start) / (n - 1);
  if (!Number.isFinite(step)) step = stop / (n - 1) - start / (n - 1); // stop - start overflowed
  // start + i*step is monotone in i (rounding is monotone); only overshooting stop can break the order.
  if (start <= stop) for (let i = 0; i < n; i++) out[i] = Math.min(start + i * step, stop);
  else for (let i = 0; i < n; i++) out[i] = Math.max(start + i * step, stop);
  out[n - 1] = stop;
  return out;
}

/** `n` points 10^e for e evenly spaced from `startExp` to `stopExp` (numpy.logspace). */
export function logspace(startExp: number, stopExp: number, n: number): Float64Array {
  const e = linspace(startExp, stopExp, n);
  return e.map((x) => Math.pow(10, x));
}

/**
 * Derivative of samples on a uniform grid with spacing `spacing` (numpy.gradient with a scalar spacing): central
 * differences (f[i+1] − f[i−1])/(2h) inside, one-sided first differences at the two ends. Exact for quadratics
 * inside and for straight lines at the ends. `values` needs at least 2 finite-or-not numbers (NaN propagates);
 * `spacing` finite and non-zero.
 */
export function uniformGradient(values: ArrayLike<number>, spacing: number): Float64Array {
  requireArrayLike("values", values);
  requireFinite("spacing", spacing);
  if (spacing === 0) throw new GhostError("spacing", spacing, "a finite non-zero grid step");
  const n = values.length;
  if (n < 2) throw new GhostError("values.length", n, "at least 2 samples");
  const out = new Float64Array(n);
  out[0] = (values[1] - values[0]) / spacing;
  out[n - 1] = (values[n - 1] - values[n - 2]) / spacing;
  for (let i = 1; i < n - 1; i++) out[i] = (values[i + 1] - values[i - 1]) / (2 * spacing);
  return out;
}

/** Dot product of two equal-length arrays. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  requireArrayLike("a", a);
  requireArrayLike("b", b);
  if (a.length !== b.length) throw new GhostError("b.length", b.length, `${a.length} (the length of a)`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Euclidean norm √Σ aᵢ². */
export function norm2(a: ArrayLike<number>): number {
  requireArrayLike("a", a);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** Plain number[] copy of any array-like (handy for JSON and Plotly). */
export function toNumbers(a: ArrayLike<number>): number[] {
  return Array.from(requireArrayLike("a", a));
}

/** True when every entry is finite. */
export function allFinite(a: ArrayLike<number>): boolean {
  requireArrayLike("a", a);
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** A downsampled series: epochs (0-based indices into the original series) and values, in epoch order. */
export interface Series {
  epoch: number[];
  value: number[];
}

/**
 * Downsamples a long series for plotting: the range is cut into `buckets` consecutive buckets of ⌈n / buckets⌉
 * entries and each contributes its minimum and its maximum (once if they coincide), in epoch order; the first and
 * last entries are always kept. At most 2·buckets + 2 points; spikes and oscillation bands survive.
 *
 * @param values an Array or typed array of numbers, finite or not (NaN entries are skipped), shape [n],
 *   0 ≤ n ≤ 1e8.
 * @param buckets integer ≥ 1.
 */
export function downsampleMinMax(values: ArrayLike<number>, buckets: number): Series {
  requireNumbers("values", values, { typed: true, maxLength: MAX_ARRAY_LENGTH });
  requireInteger("buckets", buckets, 1);
  const n = values.length;
  const out: Series = { epoch: [], value: [] };
  if (n === 0) return out;
  const size = Math.max(1, Math.ceil(n / buckets));
  const push = (i: number) => {
    if (out.epoch.length > 0 && out.epoch[out.epoch.length - 1] >= i) return;
    out.epoch.push(i);
    out.value.push(values[i]);
  };
  push(0);
  for (let start = 0; start < n; start += size) {
    const stop = Math.min(n, start + size);
    let lo = -1, hi = -1;
    for (let i = start; i < stop; i++) {
      const v = values[i];
      if (Number.isNaN(v)) continue;
      if (lo < 0 || v < values[lo]) lo = i;
      if (hi < 0 || v > values[hi]) hi = i;
    }
    if (lo < 0) continue;
    if (lo === hi) push(lo);
    else if (lo < hi) { push(lo); push(hi); }
    else { push(hi); push(lo); }
  }
  push(n - 1);
  return out;
}
