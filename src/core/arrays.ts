/**
 * Float64 ndarray helpers. ndarray views are the public, shape-carrying type; hot loops index the
 * underlying Float64Array directly. Every constructor here builds a Float64Array.
 */
import ndarray, { NdArray } from "ndarray";
import { GhostError, requireFinite, requireInteger } from "./errors";

/** A float64 ndarray view. */
export type F64Array = NdArray<Float64Array>;

/** A zero-filled float64 ndarray of the given shape. */
export function zeros(shape: number[]): F64Array {
  shape.forEach((d, i) => requireInteger(`shape[${i}]`, d, 0));
  const size = shape.reduce((a, b) => a * b, 1);
  return ndarray(new Float64Array(size), shape);
}

/** Wrap (copy) numbers into a float64 ndarray of the given shape (default: 1-D). */
export function fromArray(values: ArrayLike<number>, shape?: number[]): F64Array {
  const data = Float64Array.from(values);
  const sh = shape ?? [data.length];
  const size = sh.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new GhostError("shape", sh, `a shape with ${data.length} elements`);
  return ndarray(data, sh);
}

/** `n` evenly spaced points from `start` to `stop` inclusive (numpy.linspace). */
export function linspace(start: number, stop: number, n: number): Float64Array {
  requireFinite("start", start);
  requireFinite("stop", stop);
  requireInteger("n", n, 1);
  const out = new Float64Array(n);
  if (n === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (n - 1);
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  out[n - 1] = stop;
  return out;
}

/** `n` points 10^e for e evenly spaced from `startExp` to `stopExp` (numpy.logspace). */
export function logspace(startExp: number, stopExp: number, n: number): Float64Array {
  const e = linspace(startExp, stopExp, n);
  return e.map((x) => Math.pow(10, x));
}

/** Dot product of two equal-length arrays. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new GhostError("b.length", b.length, `${a.length} (the length of a)`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Euclidean norm √Σ aᵢ². */
export function norm2(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** Plain number[] copy of any array-like (handy for JSON and Plotly). */
export function toNumbers(a: ArrayLike<number>): number[] {
  return Array.from(a);
}

/** True when every entry is finite. */
export function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}
