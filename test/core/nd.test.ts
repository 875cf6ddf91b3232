import ndarray from "ndarray";
import { GhostError } from "../../src/core/errors";
import * as core from "../../src/core";
import { copyNd, isContiguous, ndFloat64, ndFrom, ndToNested, requireNd, shapeString } from "../../src/core/nd";

describe("core/nd: shaped float64 arrays, checks at the edges, copies", () => {
  test("ndFloat64 makes a zero-filled contiguous row-major array, or wraps (does not copy) a Float64Array of the right length", () => {
    const z = ndFloat64([2, 3]);
    expect(z.shape).toEqual([2, 3]);
    expect(z.stride).toEqual([3, 1]);
    expect(z.offset).toBe(0);
    expect(Array.from(z.data)).toEqual([0, 0, 0, 0, 0, 0]);
    const data = Float64Array.of(1, 2, 3, 4, 5, 6);
    const a = ndFloat64([2, 3], data);
    expect(a.data).toBe(data);
    expect(a.get(1, 0)).toBe(4);
    expect(() => ndFloat64([2, 3], new Float64Array(5))).toThrow("data = Float64Array(length 5) is not allowed: expected a Float64Array of length 6 (shape [2, 3])");
    expect(() => ndFloat64([2, -1])).toThrow(/shape\[1\] = -1/);
    expect(() => ndFrom([1, 2, 3], [2, 2])).toThrow(/shape = .* expected a shape with 3 elements/);
    expect(ndToNested(ndFrom([1, 2, 3, 4, 5, 6], [3, 2]))).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(core.ndFloat64).toBe(ndFloat64); // exported by the core namespace
  });

  test("requireNd names the parameter and the expected shape; a named dimension matches any length", () => {
    const a = ndFloat64([4, 2]);
    expect(requireNd("x", a, [4, 2])).toBe(a);
    expect(requireNd("x", a, ["N", 2])).toBe(a);
    expect(() => requireNd("x", a, [2, 4])).toThrow("x = ndarray(Float64Array, shape [4, 2]) is not allowed: expected a float64 ndarray of shape [2, 4] (got shape [4, 2])");
    expect(() => requireNd("x", a, [8])).toThrow(/expected a float64 ndarray of shape \[8\]/);
    expect(() => requireNd("x", [1, 2], ["N"])).toThrow("x = Array(length 2) is not allowed: expected a float64 ndarray of shape [N]");
    expect(() => requireNd("x", null, [1])).toThrow(GhostError);
    // offset views and strided views are refused (hot loops read .data directly)
    const base = ndFrom([0, 1, 2, 3, 4, 5]);
    expect(() => requireNd("x", base.lo(2), [4])).toThrow(/contiguous/);
    expect(() => requireNd("x", base.step(2), [3])).toThrow(/contiguous/);
    const nan = ndFrom([0, 1, NaN, 3], [2, 2]);
    expect(requireNd("x", nan, [2, 2])).toBe(nan); // finite only on request
    expect(() => requireNd("x", nan, [2, 2], { finite: true })).toThrow("x[1, 0] = NaN is not allowed: expected a finite number");
    expect(shapeString([100, 1])).toBe("[100, 1]");
  });

  test("copyNd is deep and contiguous, for contiguous arrays and for views", () => {
    const a = ndFrom([1, 2, 3, 4], [2, 2]);
    const c = copyNd(a);
    expect(c.data).not.toBe(a.data);
    expect(Array.from(c.data)).toEqual([1, 2, 3, 4]);
    c.set(0, 0, 9);
    expect(a.get(0, 0)).toBe(1);
    const v = copyNd(ndFrom([0, 1, 2, 3, 4, 5]).lo(1).step(2)); // elements 1, 3, 5
    expect(isContiguous(v)).toBe(true);
    expect(Array.from(v.data)).toEqual([1, 3, 5]);
    expect(isContiguous(ndarray(new Float64Array(3), [3, 1]))).toBe(true); // a length-1 axis may carry any stride
  });
});
