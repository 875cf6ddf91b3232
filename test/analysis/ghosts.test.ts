import { Flow1D } from "../../src/analysis/flow";
import { analyseGhost, canonicalForm } from "../../src/analysis/ghosts";
import { GhostError } from "../../src/core/errors";
import { crossingTime, saddleNodeField, toyFixedPoints } from "../../src/models/saddleNode";

/** f(κ) = (κ − g)² + h: a ghost placed at g with height h (h ≤ 0: two fixed points g ± √−h). */
function placedGhost(g: number, h: number, withD2f = true): Flow1D {
  const flow: Flow1D = { f: (k) => (k - g) * (k - g) + h, df: (k) => 2 * (k - g) };
  if (withD2f) flow.d2f = () => 2;
  return flow;
}

describe("canonical form (spec A2)", () => {
  test("toy saddle-node dx/dt = x² + r: κ_g = 0, h = r, f″ = 2, r_eff = r, passage π/√r", () => {
    for (const r of [0.5, 0.01, 2.4674011e-4]) {
      for (const withD2f of [true, false]) {
        const flow: Flow1D = { f: (x) => x * x + r, df: (x) => 2 * x };
        if (withD2f) flow.d2f = () => 2;
        const a = analyseGhost(flow, -10, { threshold: 10 });
        expect(a.classification).toBe("ghost");
        expect(a.interior).toBe(true);
        expect(Math.abs(a.kappaGhost)).toBeLessThanOrEqual(1e-12);
        expect(a.height).toBeCloseTo(r, 15);
        // analytic f″ = 2; the finite-difference fallback is exact up to rounding for a quadratic
        expect(Math.abs(a.curvature - 2)).toBeLessThanOrEqual(withD2f ? 0 : 1e-9);
        const c = a.canonical!;
        expect(c.rEff / r).toBeCloseTo(1, 9);
        // full-line passage u: −∞ → ∞ is π/√r; from the ghost centre (the toy's x(0) = 0) it is π/(2√r)
        expect(c.passageTime / (Math.PI / Math.sqrt(r))).toBeCloseTo(1, 9);
        expect(c.halfPassageTime / (Math.PI / (2 * Math.sqrt(r)))).toBeCloseTo(1, 9);
        expect(c.passageSteps).toBeCloseTo(c.passageTime / 0.5, 9);
        expect(c.bottleneckWidth / Math.sqrt(r)).toBeCloseTo(1, 9);
        expect(a.fixedPoints).toEqual([]);
      }
    }
  });

  test("agrees with the toy model's own field and closed forms (models/saddleNode)", () => {
    for (const r of [0.3, 1e-3, 2.4674011e-4]) {
      const a = analyseGhost({ f: (x) => saddleNodeField(x, r), df: (x) => 2 * x }, -10, { threshold: 10 });
      // the toy's t*(r) = π/(2√r) starts at x(0) = 0, the ghost centre: the half passage
      expect(a.canonical!.halfPassageTime / crossingTime(r)).toBeCloseTo(1, 9);
    }
    for (const r of [-0.25, -1e-4, 0]) {
      const a = analyseGhost({ f: (x) => saddleNodeField(x, r), df: (x) => 2 * x }, -10, { threshold: 10 });
      expect(a.classification).toBe("bifurcated");
      const toy = toyFixedPoints(r);
      expect(a.fixedPoints.map((p) => p.stability)).toEqual(toy.map((p) => p.stability));
      a.fixedPoints.forEach((p, i) => expect(Math.abs(p.kappa - toy[i].x)).toBeLessThanOrEqual(1e-12));
    }
  });

  test("passage time is the full passage: f = h + 1 − cos(κ − g) over one period has exact time 2π/√(h(2+h))", () => {
    const g = 0.3;
    for (const h of [1e-2, 1e-4, 1e-6]) {
      const flow: Flow1D = { f: (k) => h + 1 - Math.cos(k - g), df: (k) => Math.sin(k - g), d2f: (k) => Math.cos(k - g) };
      const a = analyseGhost(flow, g - Math.PI, { threshold: g + Math.PI });
      expect(a.classification).toBe("ghost");
      expect(Math.abs(a.kappaGhost - g)).toBeLessThanOrEqual(1e-12);
      expect(a.curvature).toBeCloseTo(1, 12);
      const exact = (2 * Math.PI) / Math.sqrt(h * (2 + h));
      // canonical prediction π/√(h/2) = exact·√(1 + h/2): → exact as h ↓ 0
      expect(a.canonical!.passageTime / exact).toBeCloseTo(Math.sqrt(1 + h / 2), 9);
    }
  });

  test("passageSteps = time/α predicts the discrete map κ ← κ + α f(κ) within 2 %", () => {
    const g = 0.2;
    const h = 1e-4;
    const leak = 0.5;
    const flow = placedGhost(g, h);
    const d = 0.5; // interval g ± d; steps α f ≤ 0.125 stay small against d
    const a = analyseGhost(flow, g - d, { threshold: g + d, leak });
    let k = g - d;
    let steps = 0;
    while (k <= g + d && steps < 100000) {
      k += leak * flow.f(k);
      steps++;
    }
    // the finite interval cuts the passage by 2/d time units (2·atan(d/√h)/√h = π/√h − 2/d + O(h)):
    // 8 of ≈ 628 steps (1.3 %); Euler's error in the bottleneck is O(α√h) (0.5 %)
    expect(Math.abs(steps - a.canonical!.passageSteps) / a.canonical!.passageSteps).toBeLessThan(0.02);
  });

  test("canonicalForm validation", () => {
    expect(() => canonicalForm(0, 1)).toThrow(/curvature = 0/);
    expect(() => canonicalForm(2, -1)).toThrow(/height = -1/);
    expect(() => canonicalForm(2, 1, 0)).toThrow(/leak = 0/);
  });
});

describe("analyseGhost classification", () => {
  test("a ghost placed between κ₀ and the threshold, in either order", () => {
    const h = 0.05;
    for (const [k0, g] of [[-0.3, 0.2345678], [1.7, 1.2345678]]) {
      const a = analyseGhost(placedGhost(g, h), k0);
      expect(a.interval).toEqual(k0 < 1 ? [k0, 1] : [1, k0]);
      expect(a.classification).toBe("ghost");
      expect(Math.abs(a.kappaGhost - g)).toBeLessThanOrEqual(1e-12);
      expect(a.height).toBeCloseTo(h, 15);
      expect(Math.abs(a.slope)).toBeLessThanOrEqual(1e-11);
      expect(a.curvature).toBe(2);
      expect(a.canonical!.rEff).toBeCloseTo(h, 14);
      expect(a.converged).toBe(true);
    }
  });

  test("minimum inside the first grid cell is still found as interior", () => {
    const g = -0.3 + 1e-5;
    const a = analyseGhost(placedGhost(g, 0.1, false), -0.3);
    expect(a.classification).toBe("ghost");
    expect(Math.abs(a.kappaGhost - g)).toBeLessThanOrEqual(1e-12);
  });

  test("bifurcated (h < 0): both fixed points below threshold reported with stability", () => {
    const g = 0.2;
    const a = analyseGhost(placedGhost(g, -0.01), -0.3);
    expect(a.classification).toBe("bifurcated");
    expect(a.height).toBeCloseTo(-0.01, 14);
    expect(a.canonical).toBeNull();
    expect(a.fixedPoints.map((p) => p.stability)).toEqual(["stable", "unstable"]);
    expect(Math.abs(a.fixedPoints[0].kappa - 0.1)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(a.fixedPoints[1].kappa - 0.3)).toBeLessThanOrEqual(1e-12);
    expect(a.fixedPoints[0].mapMultiplier).toBeCloseTo(1 + 0.5 * -0.2, 12);
  });

  test("tangency h = 0 exactly (the saddle-node itself) counts as bifurcated, one degenerate point", () => {
    const g = 0.2345678;
    const a = analyseGhost(placedGhost(g, 0), -0.3);
    expect(a.classification).toBe("bifurcated");
    expect(Math.abs(a.height)).toBeLessThanOrEqual(1e-12);
    expect(a.fixedPoints.length).toBe(1);
    expect(a.fixedPoints[0].stability).toBe("degenerate");
    expect(Math.abs(a.fixedPoints[0].kappa - g)).toBeLessThanOrEqual(1e-12);
  });

  test("f < 0 on the whole interval (κ₀ above a stable point): bifurcated/trapped, no fixed point inside", () => {
    const a = analyseGhost({ f: (k) => -k - 1, df: () => -1 }, -0.3);
    expect(a.classification).toBe("bifurcated");
    expect(a.fixedPoints).toEqual([]);
    expect(a.kappaGhost).toBe(1);
    expect(a.height).toBe(-2);
  });

  test("monotone positive flow: none, minimum at the end of the interval", () => {
    const up = analyseGhost({ f: (k) => 0.5 + k, df: () => 1, d2f: () => 0 }, -0.3);
    expect(up).toMatchObject({ classification: "none", kappaGhost: -0.3, interior: false, canonical: null });
    expect(up.height).toBeCloseTo(0.2, 15);
    const down = analyseGhost({ f: (k) => 2 - k, df: () => -1 }, -0.3);
    expect(down).toMatchObject({ classification: "none", kappaGhost: 1, height: 1, interior: false });
  });

  test("κ₀ = threshold: a one-point interval", () => {
    const a = analyseGhost(placedGhost(0.2, 0.05), 1);
    expect(a).toMatchObject({ classification: "none", interval: [1, 1], kappaGhost: 1, interior: false });
    const b = analyseGhost({ f: (k) => k - 1, df: () => 1 }, 1);
    expect(b.classification).toBe("bifurcated");
    expect(b.fixedPoints.map((p) => [p.kappa, p.stability])).toEqual([[1, "unstable"]]);
  });

  test("bounded iterations on pathological flows", () => {
    // kink (no f″), slope jumps −1 → +1 at 0.3: bisection on f′ still lands on the kink
    const kink = analyseGhost({ f: (k) => Math.abs(k - 0.3) + 0.1, df: (k) => (k < 0.3 ? -1 : 1) }, -0.3);
    expect(kink.classification).toBe("ghost");
    expect(Math.abs(kink.kappaGhost - 0.3)).toBeLessThanOrEqual(1e-12);
    // wiggly flow with a derivative that gives no bracket: falls back to golden section, returns
    const wiggly = analyseGhost({ f: (k) => 0.5 + 0.1 * Math.sin(1e5 * k), df: () => 1e-300 }, -0.3, { maxIterations: 20 });
    expect(wiggly.height).toBeGreaterThanOrEqual(0.4 - 1e-12);
    expect(wiggly.iterations).toBeLessThanOrEqual(20);
    // one iteration: not converged, but an answer
    const one = analyseGhost(placedGhost(0.2345678, 0.05), -0.3, { maxIterations: 1 });
    expect(one.converged).toBe(false);
    expect(one.classification).toBe("ghost");
  });

  test("validation errors", () => {
    const flow = placedGhost(0.2, 0.05);
    expect(() => analyseGhost(flow, NaN)).toThrow(/kappaStart = NaN/);
    expect(() => analyseGhost(flow, 0, { threshold: Infinity })).toThrow(/options.threshold = Infinity/);
    expect(() => analyseGhost(flow, 0, { gridPoints: 2 })).toThrow(/options.gridPoints = 2/);
    expect(() => analyseGhost(flow, 0, { leak: 0 })).toThrow(/options.leak = 0/);
    expect(() => analyseGhost(flow, 0, { tolerance: -1 })).toThrow(/tolerance = -1/);
    expect(() => analyseGhost({ f: (k) => (k > 0.5 ? NaN : 1), df: () => 0 }, 0)).toThrow(/flow.f\(.*\) = NaN/);
    expect(() => analyseGhost({} as Flow1D, 0)).toThrow(GhostError);
  });
});
