/**
 * ndarray helpers: the shape-carrying data model of the library (design.md, "The data model").
 *
 * Parameters, gradients and parameter snapshots are `ndarray` views over a `Float64Array` ({@link F64Array}):
 * `M` is [N, K], `P` [K, N], `W` [N, N], `b` [N]. The public API takes and returns them and checks their shape at
 * the edges ({@link requireNd}); inside, hot loops index the underlying `.data` directly, which is valid because
 * every array made or accepted here is CONTIGUOUS: row-major strides, offset 0, and `data.length === size`
 * (so `.data[i0·s0 + i1·s1 + …]` is element (i0, i1, …) and `.data` holds nothing else).
 *
 * Elementwise work outside the innermost loops uses `ndarray-ops` (e.g. an SGD step p ← p − η·g as
 * `ops.muls(step, g, η); ops.subeq(p, step)`).
 */
import ndarray, { NdArray } from "ndarray";
import ops from "ndarray-ops";
import { GhostError, requireInteger } from "./errors";

/** A float64 ndarray view. */
export type F64Array = NdArray<Float64Array>;

/** Largest number of elements an array made here may have (1e8 doubles = 800 MB). */
const MAX_ND_SIZE = 100_000_000;

/** Throws unless `shape` is an array of dimensions: integers >= 0, or (when `named`) strings naming a dimension. */
function requireDims(name: string, shape: unknown, named: boolean): (number | string)[] {
  const ok = (d: unknown) => (typeof d === "number" && Number.isInteger(d) && d >= 0) || (named && typeof d === "string");
  if (!Array.isArray(shape) || !shape.every(ok)) {
    throw new GhostError(name, shape, `an array of dimensions (integers >= 0${named ? " or dimension names such as \"N\"" : ""})`);
  }
  return shape;
}

/** "[100, 1]": a shape as written in messages and docs (dimensions: integers >= 0 or names such as "N"). */
export function shapeString(shape: readonly (number | string)[]): string {
  return `[${requireDims("shape", shape, true).join(", ")}]`;
}

/** Number of elements of a shape (product of the dimensions, integers >= 0; 1 for the empty shape). */
export function shapeSize(shape: readonly number[]): number {
  let s = 1;
  for (const d of requireDims("shape", shape, false) as number[]) s *= d;
  return s;
}

function requireNdShape(name: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw new GhostError(name, shape, "an array of integer dimensions >= 0");
  shape.forEach((d, i) => requireInteger(`${name}[${i}]`, d, 0, MAX_ND_SIZE));
  if (shapeSize(shape) > MAX_ND_SIZE) throw new GhostError(name, shape, `a shape with at most ${MAX_ND_SIZE} elements`);
  return shape.slice() as number[];
}

/** Row-major (C-order) strides of a shape: stride[d] = Π_{e>d} shape[e]. */
function rowMajorStrides(shape: readonly number[]): number[] {
  const stride = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    stride[d] = s;
    s *= shape[d];
  }
  return stride;
}

/**
 * A contiguous row-major float64 ndarray of `shape`: zero-filled, or a view over `data` (NOT copied; its length
 * must equal the number of elements).
 * @param shape dimensions, integers >= 0 (at most 1e8 elements in all).
 * @param data optional Float64Array of length Π shape, used as the array's storage.
 */
export function ndFloat64(shape: number[], data?: Float64Array): F64Array {
  const sh = requireNdShape("shape", shape);
  const size = shapeSize(sh);
  if (data === undefined) return ndarray(new Float64Array(size), sh, rowMajorStrides(sh), 0);
  if (!(data instanceof Float64Array) || data.length !== size) throw new GhostError("data", data, `a Float64Array of length ${size} (shape ${shapeString(sh)})`);
  return ndarray(data, sh, rowMajorStrides(sh), 0);
}

/**
 * True when `v` is an ndarray whose data is a Float64Array: integer dimensions >= 0 in `shape`, one integer
 * stride per dimension, an integer offset.
 */
export function isFloat64Nd(v: unknown): v is F64Array {
  if (v === null || typeof v !== "object") return false;
  const a = v as Partial<F64Array>;
  const int = (x: unknown) => typeof x === "number" && Number.isInteger(x);
  return a.data instanceof Float64Array && Array.isArray(a.shape) && a.shape.every((d) => int(d) && d >= 0) &&
    Array.isArray(a.stride) && a.stride.length === a.shape.length && a.stride.every(int) && int(a.offset);
}

/** True when `a` is contiguous: row-major strides, offset 0 and a data buffer of exactly `size` elements. */
export function isContiguous(a: F64Array): boolean {
  if (!isFloat64Nd(a)) throw new GhostError("a", a, "a float64 ndarray");
  if (a.offset !== 0 || a.data.length !== shapeSize(a.shape) || a.stride.length !== a.shape.length) return false;
  let s = 1;
  for (let d = a.shape.length - 1; d >= 0; d--) {
    // A dimension of length 1 may carry any stride (it is never stepped along).
    if (a.shape[d] !== 1 && a.stride[d] !== s) return false;
    s *= a.shape[d];
  }
  return true;
}

/** Options of {@link requireNd}. */
export interface RequireNdOptions {
  /** Also require every entry to be finite (the first bad entry is named, e.g. `model.params.M[3]`). */
  finite?: boolean;
}

/**
 * Checks an ndarray at a public edge: a float64 ndarray of exactly `shape`, contiguous (see the module doc) and,
 * with `finite`, free of NaN/±Inf. Throws a GhostError naming the parameter and the expected shape, e.g.
 * `model.params.M = … is not allowed: expected a float64 ndarray of shape [100, 1]`.
 * @param shape the expected dimensions; a string entry (e.g. "N") is a named dimension that matches any length.
 * @returns the array, narrowed.
 */
export function requireNd(name: string, value: unknown, shape: readonly (number | string)[], options: RequireNdOptions = {}): F64Array {
  if (options === null || typeof options !== "object") throw new GhostError("options", options, "an options object { finite? } or undefined");
  const expected = `a float64 ndarray of shape ${shapeString(shape)}`;
  if (!isFloat64Nd(value)) throw new GhostError(name, value, expected);
  const a = value;
  if (a.shape.length !== shape.length || a.shape.some((d, i) => typeof shape[i] === "number" && d !== shape[i])) {
    throw new GhostError(name, a, expected, `got shape ${shapeString(a.shape)}`);
  }
  if (!isContiguous(a)) throw new GhostError(name, a, `${expected}, contiguous (row-major, offset 0, data of its size)`, "got a strided or offset view; copy it with core.copyNd");
  if (options.finite) {
    const d = a.data;
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i])) throw new GhostError(`${name}[${flatIndexString(a.shape, i)}]`, d[i], "a finite number");
    }
  }
  return a;
}

/** "3" for a 1-D index, "3, 0" for an [N, 1] array: the multi-index of flat position `i` in row-major order. */
function flatIndexString(shape: readonly number[], i: number): string {
  const idx: number[] = new Array(shape.length);
  let r = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d] || 1;
    idx[d] = r % n;
    r = Math.floor(r / n);
  }
  return idx.join(", ");
}

/**
 * Deep copy of a float64 ndarray into a new contiguous row-major array of the same shape (any view accepted:
 * strided or offset views are gathered by `ndarray-ops.assign`). The copy shares nothing with `a`.
 */
export function copyNd(a: F64Array): F64Array {
  if (!isFloat64Nd(a)) throw new GhostError("a", a, "a float64 ndarray");
  if (isContiguous(a)) return ndarray(Float64Array.from(a.data), a.shape.slice(), rowMajorStrides(a.shape), 0);
  const out = ndFloat64(a.shape.slice());
  ops.assign(out, a);
  return out;
}

/** A new contiguous float64 ndarray holding a copy of `values` with `shape` (default 1-D, [values.length]). */
export function ndFrom(values: ArrayLike<number>, shape?: number[]): F64Array {
  if (!Array.isArray(values) && !(ArrayBuffer.isView(values) && !(values instanceof DataView))) {
    throw new GhostError("values", values, "an array or typed array of numbers");
  }
  const data = Float64Array.from(values);
  const sh = shape === undefined ? [data.length] : requireNdShape("shape", shape);
  if (shapeSize(sh) !== data.length) throw new GhostError("shape", sh, `a shape with ${data.length} elements (the number of values)`);
  return ndarray(data, sh, rowMajorStrides(sh), 0);
}

/** Nested number arrays of a float64 ndarray (row-major; a 1-D array gives number[]), e.g. for display. */
export function ndToNested(a: F64Array): unknown[] {
  if (!isFloat64Nd(a)) throw new GhostError("a", a, "a float64 ndarray");
  const rec = (d: number, off: number): unknown[] => {
    const n = a.shape[d], st = a.stride[d];
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = d === a.shape.length - 1 ? a.data[off + i * st] : rec(d + 1, off + i * st);
    return out;
  };
  return a.shape.length === 0 ? [] : rec(0, a.offset);
}
