import { mean, sem, std, meanSemColumns } from "../../src/core/stats";
import { GhostError, requirePositive, requireInteger, requireIncreasing, requireFiniteArray } from "../../src/core/errors";
import { linspace, logspace } from "../../src/core/arrays";

describe("stats", () => {
  test("mean, population std and SEM = std/√n on a hand-computed case", () => {
    const x = [2, 4, 4, 4, 5, 5, 7, 9]; // mean 5, population variance 4
    expect(mean(x)).toBe(5);
    expect(std(x)).toBe(2);
    expect(sem(x)).toBeCloseTo(2 / Math.sqrt(8), 15);
  });
  test("column statistics", () => {
    const { mean: m, sem: e } = meanSemColumns([[1, 10], [3, 10]]);
    expect(Array.from(m)).toEqual([2, 10]);
    expect(e[0]).toBeCloseTo(1 / Math.sqrt(2), 15);
    expect(e[1]).toBe(0);
  });
  test("empty and non-finite inputs are rejected", () => {
    expect(() => mean([])).toThrow(GhostError);
    expect(() => mean([1, NaN])).toThrow(/values\[1\] = NaN/);
  });
});

describe("validation messages name parameter, value and allowed range", () => {
  test.each([
    [() => requirePositive("learningRate", -0.1), /learningRate = -0.1 is not allowed: expected a finite number > 0/],
    [() => requirePositive("confidence", 0), /confidence = 0 .*> 0/],
    [() => requireInteger("epochs", 2.5, 1), /epochs = 2.5 .*integer >= 1/],
    [() => requireIncreasing("grid", [1, 1]), /grid\[1\] = 1 .*strictly increasing/],
    [() => requireFiniteArray("grid", []), /grid = Array\(length 0\)/],
  ])("%#", (fn, re) => {
    expect(fn).toThrow(GhostError);
    expect(fn).toThrow(re);
  });
});

describe("grids", () => {
  test("linspace and logspace match numpy's endpoints and spacing", () => {
    const l = linspace(-1, 2, 4);
    expect(Array.from(l)).toEqual([-1, 0, 1, 2]);
    const g = logspace(-11, -8, 100);
    expect(g[0]).toBeCloseTo(1e-11, 25);
    expect(g[99]).toBe(1e-8);
    expect(g[1] / g[0]).toBeCloseTo(Math.pow(10, 3 / 99), 12);
  });

  test("linspace stays monotone where start + i*step would overshoot stop, and where stop - start overflows", () => {
    // Found by the property suite (CI seed 873508796): spacing 2e-323/6 rounds up to one subnormal step (5e-324),
    // so start + 5*step = +5e-324 lay past stop = 0.
    const tiny = Array.from(linspace(-2e-323, 0, 7));
    expect(tiny[0]).toBe(-2e-323);
    expect(tiny[6]).toBe(0);
    for (let i = 1; i < 7; i++) expect(tiny[i]).toBeGreaterThanOrEqual(tiny[i - 1]);
    for (const x of tiny) expect(x).toBeLessThanOrEqual(0);
    const down = Array.from(linspace(2e-323, 0, 7));
    for (let i = 1; i < 7; i++) expect(down[i]).toBeLessThanOrEqual(down[i - 1]);
    for (const x of down) expect(x).toBeGreaterThanOrEqual(0);
    // Underflowing spacing in the decreasing direction (step = −0) still starts at start.
    expect(Array.from(linspace(5e-324, 0, 4))).toEqual([5e-324, 5e-324, 5e-324, 0]);
    // −1e308 … 1e308: stop − start = Infinity; the points must be finite, evenly spaced, symmetric.
    const wide = linspace(-1e308, 1e308, 5);
    expect(Array.from(wide)).toEqual([-1e308, -5e307, 0, 5e307, 1e308]);
  });
});
