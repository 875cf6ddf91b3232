import { Flow1D, defaultKappaGrid } from "../../src/analysis/flow";
import { countSignFlips, findFixedPoints, stabilityOf } from "../../src/analysis/fixedPoints";
import { GhostError } from "../../src/core/errors";

/** f(κ) = −(κ − a)(κ − b)(κ − c) expanded, with its derivatives. */
function negCubic(a: number, b: number, c: number): Flow1D {
  const s1 = a + b + c;
  const s2 = a * b + a * c + b * c;
  const s3 = a * b * c;
  return {
    f: (k) => -(k - a) * (k - b) * (k - c),
    df: (k) => -(3 * k * k - 2 * s1 * k + s2),
    d2f: (k) => -(6 * k - 2 * s1),
  };
}

describe("countSignFlips = count_flips(f > 0) of the authors' code", () => {
  test("hand cases, including zeros (0 counts as not positive)", () => {
    expect(countSignFlips([])).toBe(0);
    expect(countSignFlips([1])).toBe(0);
    expect(countSignFlips([-1, 1, -1])).toBe(2);
    expect(countSignFlips([1, 0, 1])).toBe(2);
    expect(countSignFlips([-1, 0, -1])).toBe(0);
    expect(countSignFlips([-1, 0, 1])).toBe(1);
    expect(countSignFlips([1, 0, 0, -1])).toBe(1);
    expect(() => countSignFlips([1, NaN])).toThrow(/values\[1\] = NaN/);
  });
});

describe("findFixedPoints", () => {
  test("three roots of −(κ−a)(κ−b)(κ−c) with alternating stability, slopes = analytic", () => {
    const [a, b, c] = [-2.3, 0.37, 4.1];
    const flow = negCubic(a, b, c);
    const r = findFixedPoints(flow);
    expect(r.signFlipCount).toBe(3);
    expect(r.gridPoints).toBe(1000);
    expect(r.fixedPoints.map((p) => p.stability)).toEqual(["stable", "unstable", "stable"]);
    const roots = [a, b, c];
    const slopes = [-(a - b) * (a - c), -(b - a) * (b - c), -(c - a) * (c - b)];
    r.fixedPoints.forEach((p, i) => {
      // simple root, |f'| >= 2.7: location error ≈ rounding of f (~1e-14) / |f'|
      expect(Math.abs(p.kappa - roots[i])).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(p.slope - slopes[i])).toBeLessThanOrEqual(1e-11);
      expect(p.origin).toBe("sign-change");
      expect(p.converged).toBe(true);
      expect(Math.abs(p.residual)).toBeLessThanOrEqual(1e-13);
      expect(p.iterations).toBeLessThanOrEqual(200);
      expect(p.mapMultiplier).toBeNull();
      expect(p.bracket[0]).toBeLessThanOrEqual(p.kappa);
      expect(p.bracket[1]).toBeGreaterThanOrEqual(p.kappa);
    });
  });

  test("discrete-map multiplier 1 + α f′ with a leak", () => {
    const r = findFixedPoints(negCubic(-1, 0, 2), { leak: 0.5 });
    // slopes: −(−1)(−3) = −3, −(1)(−2) = 2, −(3)(2) = −6
    expect(r.fixedPoints.map((p) => p.mapMultiplier)).toEqual([1 - 1.5, 1 + 1, 1 - 3].map((x) => expect.closeTo(x, 12)));
  });

  test("exact zeros on grid points are reported once, at the grid point", () => {
    const flow: Flow1D = { f: (k) => 1 - k * k, df: (k) => -2 * k };
    const r = findFixedPoints(flow, { kappaGrid: [-3, -2, -1, 0, 1, 2, 3] });
    expect(r.fixedPoints.map((p) => [p.kappa, p.origin, p.stability, p.residual])).toEqual([
      [-1, "grid-zero", "unstable", 0],
      [1, "grid-zero", "stable", 0],
    ]);
    expect(r.signFlipCount).toBe(2);
  });

  test("tangency with h = 0 exactly at a grid point: one degenerate point (raw flips count it twice)", () => {
    const grid = defaultKappaGrid();
    const g = grid[612];
    const flow: Flow1D = { f: (k) => (k - g) * (k - g), df: (k) => 2 * (k - g), d2f: () => 2 };
    const r = findFixedPoints(flow);
    expect(r.fixedPoints.length).toBe(1);
    expect(r.fixedPoints[0]).toMatchObject({ kappa: g, origin: "grid-zero", stability: "degenerate", slope: 0 });
    expect(r.signFlipCount).toBe(2); // +,0,+ : the spec's raw count sees two flips
  });

  test("tangency between grid points (f = −(κ−g)², g off-grid): one degenerate point at g", () => {
    const g = 0.1234567;
    for (const withD2f of [true, false]) {
      const flow: Flow1D = { f: (k) => -(k - g) * (k - g), df: (k) => -2 * (k - g) };
      if (withD2f) flow.d2f = () => -2;
      const r = findFixedPoints(flow);
      expect(r.signFlipCount).toBe(0);
      expect(r.fixedPoints.length).toBe(1);
      const p = r.fixedPoints[0];
      expect(p.origin).toBe("tangency");
      expect(p.stability).toBe("degenerate");
      // df is linear: its root is found to the refinement tolerance
      expect(Math.abs(p.kappa - g)).toBeLessThanOrEqual(1e-12);
    }
  });

  test("a near miss (min |f| = 1e-6 > zeroTolerance) is not a fixed point", () => {
    const g = 0.1234567;
    const flow: Flow1D = { f: (k) => (k - g) * (k - g) + 1e-6, df: (k) => 2 * (k - g) };
    expect(findFixedPoints(flow).fixedPoints).toEqual([]);
  });

  test("a pair of roots hidden inside one grid cell is found (raw flips miss it)", () => {
    const grid = defaultKappaGrid();
    const g = 0.5 * (grid[600] + grid[601]);
    const d = 0.005; // cell width 0.03: both roots g ± d inside the cell
    const flow: Flow1D = { f: (k) => (k - g) * (k - g) - d * d, df: (k) => 2 * (k - g) };
    const r = findFixedPoints(flow);
    expect(r.signFlipCount).toBe(0);
    expect(r.fixedPoints.length).toBe(2);
    const [p, q] = r.fixedPoints;
    expect(p.origin).toBe("hidden-pair");
    expect(Math.abs(p.kappa - (g - d))).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(q.kappa - (g + d))).toBeLessThanOrEqual(1e-12);
    expect(p.stability).toBe("stable");
    expect(q.stability).toBe("unstable");
    expect(p.slope).toBeCloseTo(-2 * d, 10);
  });

  test("stability thresholds", () => {
    expect(stabilityOf(-1)).toBe("stable");
    expect(stabilityOf(1e-3)).toBe("unstable");
    expect(stabilityOf(1e-10)).toBe("degenerate");
    expect(stabilityOf(-0.01, 0.1)).toBe("degenerate");
  });

  test("bounded iterations: pathological flows return, never hang", () => {
    // discontinuous f (jump through zero, slope 0 everywhere): bisection converges to the jump
    const jump: Flow1D = { f: (k) => (k < 0.3 ? -1 : 1), df: () => 0 };
    const rj = findFixedPoints(jump);
    expect(rj.fixedPoints.length).toBe(1);
    expect(Math.abs(rj.fixedPoints[0].kappa - 0.3)).toBeLessThanOrEqual(1e-12);
    expect(rj.fixedPoints[0].stability).toBe("degenerate");

    // wildly oscillating f with a lying derivative: every cell is refined within the cap
    let evaluations = 0;
    const wild: Flow1D = {
      f: (k) => {
        evaluations++;
        return Math.sin(1e4 * k) + 1e-3;
      },
      df: () => 1e-300,
    };
    const maxIterations = 30;
    const rw = findFixedPoints(wild, { maxIterations });
    expect(rw.fixedPoints.length).toBeGreaterThan(0);
    // grid values + at most (maxIterations + 2) evaluations per root search, ≤ 2 searches per cell
    expect(evaluations).toBeLessThanOrEqual(1000 + 999 * 2 * (maxIterations + 3));

    // one iteration allowed: returns with converged = false and a point inside the bracket
    const r1 = findFixedPoints(negCubic(-2.3, 0.37, 4.1), { maxIterations: 1 });
    expect(r1.fixedPoints.length).toBe(3);
    for (const p of r1.fixedPoints) {
      expect(p.converged).toBe(false);
      expect(p.kappa).toBeGreaterThanOrEqual(p.bracket[0]);
      expect(p.kappa).toBeLessThanOrEqual(p.bracket[1]);
    }

    // f ≡ 0: every grid point is a (degenerate) fixed point; finite output
    const zero = findFixedPoints({ f: () => 0, df: () => 0 }, { kappaGrid: [0, 1, 2] });
    expect(zero.fixedPoints.map((p) => p.stability)).toEqual(["degenerate", "degenerate", "degenerate"]);
  });

  test("roots outside the grid are not seen", () => {
    const r = findFixedPoints(negCubic(-20, 0, 20));
    expect(r.fixedPoints.map((p) => p.kappa)).toEqual([expect.closeTo(0, 14)]);
  });

  test("validation errors name the parameter", () => {
    const flow = negCubic(-1, 0, 2);
    expect(() => findFixedPoints(flow, { kappaGrid: [] })).toThrow(GhostError);
    expect(() => findFixedPoints(flow, { kappaGrid: [1] })).toThrow(/options.kappaGrid/);
    expect(() => findFixedPoints(flow, { kappaGrid: [0, 0] })).toThrow(/strictly increasing/);
    expect(() => findFixedPoints(flow, { kappaGrid: [0, NaN, 1] })).toThrow(/kappaGrid\[1\] = NaN/);
    expect(() => findFixedPoints(flow, { tolerance: 0 })).toThrow(/tolerance = 0/);
    expect(() => findFixedPoints(flow, { maxIterations: 0 })).toThrow(/maxIterations = 0/);
    expect(() => findFixedPoints(flow, { leak: 1.5 })).toThrow(/leak = 1.5/);
    expect(() => findFixedPoints(flow, { degenerateSlope: -1 })).toThrow(/degenerateSlope/);
    expect(() => findFixedPoints({ f: (k) => (k > 1 ? NaN : -k), df: () => -1 })).toThrow(/flow.f\(.*\) = NaN/);
    expect(() => findFixedPoints({ f: (k) => -k, df: () => NaN })).toThrow(/flow.df\(.*\) = NaN/);
    expect(() => findFixedPoints({ f: (k: number) => k } as unknown as Flow1D)).toThrow(/flow.df/);
    expect(() => findFixedPoints(flow, 3 as unknown as object)).toThrow(/options = 3/);
  });
});
