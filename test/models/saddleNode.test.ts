import {
  saddleNodeField, simulateSaddleNode, simulatedLoss, rStar, crossingTime, toyError, toyLoss, toyGradient,
  criticalLearningRate, plateauLength, toyFixedPoints, toyRegime, sigmoid, TOY_CLAMP,
} from "../../src/models/saddleNode";
import { GhostError } from "../../src/core/errors";
import { Rng } from "../../src/core/rng";
import { linspace } from "../../src/core/arrays";

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("closed forms against the spec's Part C constants (1e-6 relative)", () => {
  const rs = rStar(100);
  // Tolerance: 1e-6 relative (spec Part C), or half a unit of the last printed digit when the spec prints fewer.
  test.each([
    ["r*", rs, 2.4674011e-4, 0.5e-11],
    ["r*/4", rs / 4, 6.1685028e-5, 0.5e-12],
    ["L(10 r*)", toyLoss(10 * rs), 0.683772, 0.5e-6],
    ["|g(r*)|", Math.abs(toyGradient(rs)), 2.026424e5, 0.05],
    ["alpha_c", criticalLearningRate(100), 9.132102e-10, 0.5e-16],
    ["k*(alpha = 1e-10, r0 = 10 r*)", plateauLength(10 * rs, 1e-10), 1535.3, 0.05],
  ])("%s", (_name, value, expected, halfDigit) => {
    expect(Math.abs(value - expected)).toBeLessThanOrEqual(Math.max(1e-6 * Math.abs(expected), halfDigit));
  });

  test("alpha_c values at other horizons follow 3π⁴/(32T⁵) (spec A2 table)", () => {
    for (const [T, v] of [[10, 9.13e-5], [20, 2.85e-6], [50, 2.92e-8], [200, 2.85e-11]] as const) {
      expect(rel(criticalLearningRate(T), v)).toBeLessThan(5e-3); // the spec prints 3 significant digits
    }
  });

  test("regimes of the loss: L = 1 at and below r*/4, 0 at r*, 1 − √(r*/r) above", () => {
    expect(toyLoss(-1e-3)).toBe(1);
    expect(toyLoss(0)).toBe(1);
    expect(toyLoss(rs / 4)).toBe(1);
    expect(toyLoss(rs)).toBeCloseTo(0, 12);
    for (const k of [1.5, 3, 10, 100]) expect(toyLoss(k * rs)).toBeCloseTo(1 - Math.sqrt(1 / k), 12);
    // between r*/4 and r*: L = (t* − T)/T, decreasing from 1 to 0
    const inside = Array.from(linspace(rs / 4 * 1.0001, rs * 0.9999, 50)).map((r) => toyLoss(r));
    for (let i = 1; i < inside.length; i++) expect(inside[i]).toBeLessThan(inside[i - 1]);
  });

  test("gradient signs, zero zone and magnitude 2T³/π² at r*", () => {
    expect(toyGradient(rs / 4 * 0.999)).toBe(0);
    expect(toyGradient(-1)).toBe(0);
    expect(toyGradient(rs / 2)).toBeLessThan(0);
    expect(toyGradient(2 * rs)).toBeGreaterThan(0);
    expect(rel(Math.abs(toyGradient(rs)), (2 * 100 ** 3) / Math.PI ** 2)).toBeLessThan(1e-12);
  });

  test("g(r) = dE/dr against central finite differences of E away from the kinks", () => {
    for (const r of [0.3 * rs, 0.5 * rs, 0.9 * rs, 1.1 * rs, 2 * rs, 10 * rs]) {
      const h = r * 1e-6;
      const fd = (toyError(r + h) - toyError(r - h)) / (2 * h);
      // central difference error is O(h²·E‴) ~ 1e-12 relative here; allow 1e-7 for rounding of E/h
      expect(rel(toyGradient(r), fd)).toBeLessThan(1e-7);
    }
  });

  test("regime classifier", () => {
    expect(toyRegime(rs / 8)).toBe("no-learning zone");
    expect(toyRegime(rs / 2)).toBe("below optimum");
    expect(toyRegime(rs)).toBe("oscillatory minimum");
    expect(toyRegime(3 * rs)).toBe("above optimum");
  });
});

describe("fixed points and the vector field", () => {
  test("±√(−r) with stability from f′ = 2x; none for r > 0", () => {
    const fps = toyFixedPoints(-0.25);
    expect(fps.map((f) => f.x)).toEqual([-0.5, 0.5]);
    expect(fps.map((f) => f.stability)).toEqual(["stable", "unstable"]);
    for (const f of fps) expect(saddleNodeField(f.x, -0.25)).toBe(0);
    expect(toyFixedPoints(0.1)).toEqual([]);
    expect(toyFixedPoints(0)[0].stability).toBe("degenerate");
  });

  test("r < 0: the simulation relaxes to the stable fixed point −√(−r) and never reaches the threshold", () => {
    const r = -0.04;
    const tr = simulateSaddleNode(r, { horizon: 100, dt: 0.1 });
    expect(Math.abs(tr.x[tr.x.length - 1] - -0.2)).toBeLessThan(1e-9);
    expect(Math.max(...tr.x)).toBeLessThan(10);
  });

  test("Euler crossing time of x* = 10 matches π/(2√r) within O(dt) + O(1/x*)", () => {
    for (const r of [1e-3, 5e-4, rStar(100)]) {
      const dt = 0.01;
      const tr = simulateSaddleNode(r, { horizon: 200, dt });
      const i = tr.x.findIndex((x) => x > 10);
      const tCross = tr.time[i];
      // exact crossing = arctan(x*/√r)/√r = t* − (1/x*)(1 + O(r/x*²)); Euler on x² adds O(dt)·(#slow-phase) drift.
      // Bound: |Δ| ≤ 1/x* + 2·dt·t*·√r (relative phase error of Euler on a rotation-like passage) + dt.
      const bound = 1 / 10 + 2 * dt * crossingTime(r) * Math.sqrt(r) + dt;
      expect(Math.abs(tCross - crossingTime(r))).toBeLessThan(bound);
    }
  });

  test("the 1e6 clamp: the state never exceeds 1e6 and stays there", () => {
    const tr = simulateSaddleNode(1, { horizon: 100, dt: 0.1 });
    expect(Math.max(...tr.x)).toBe(TOY_CLAMP);
    expect(tr.x[tr.x.length - 1]).toBe(TOY_CLAMP);
    expect(tr.x.every((x) => Number.isFinite(x))).toBe(true);
  });

  test("stable sigmoid has no overflow at extreme arguments", () => {
    expect(sigmoid(-1e6)).toBe(0);
    expect(sigmoid(1e6)).toBe(1);
    expect(sigmoid(0)).toBe(0.5);
  });
});

describe("simulated loss (spec A3) against the analytic loss", () => {
  const rs = rStar(100);
  const grid = Array.from(linspace(-rs, 2 * rs, 100));

  test("c = 1 follows the analytic curve within 0.005 at every one of the 100 grid points (spec A3 / anchors §5.3)", () => {
    for (const r of grid) expect(Math.abs(simulatedLoss(r, { confidence: 1 }) - toyLoss(r))).toBeLessThan(0.005);
  });

  test("the discrepancy is discretisation + the finite threshold: it shrinks with a 10× smaller dt", () => {
    const err = (dt: number) => Math.max(...grid.map((r) => Math.abs(simulatedLoss(r, { confidence: 1, dt }) - toyLoss(r))));
    const coarse = err(0.1), fine = err(0.01);
    expect(fine).toBeLessThan(coarse);
    // With dt → 0 only the x* = 10 offset remains: |Δt| ≈ 1/x* → ΔL ≈ 0.1/T = 1e-3 (plus the sigmoid's width)
    expect(fine).toBeLessThan(0.002);
  });

  test("c = 0.1 is smooth: below 1 inside the zone and non-zero at r* (no flat zero-gradient region)", () => {
    const zone = simulatedLoss(rs / 8, { confidence: 0.1 });
    expect(zone).toBeLessThan(1);
    expect(simulatedLoss(rs, { confidence: 0.1 })).toBeGreaterThan(0.01);
    // inside the zone the c = 0.1 loss still depends on r (a gradient exists), unlike the analytic L ≡ 1
    expect(Math.abs(simulatedLoss(rs / 5, { confidence: 0.1 }) - simulatedLoss(-rs, { confidence: 0.1 }))).toBeGreaterThan(1e-4);
  });

  test("noise needs an Rng and is reproducible for a given seed", () => {
    expect(() => simulatedLoss(rs, { noise: 0.1 })).toThrow(/rng/);
    const a = simulatedLoss(rs, { noise: 0.01, rng: new Rng(3) });
    const b = simulatedLoss(rs, { noise: 0.01, rng: new Rng(3) });
    expect(a).toBe(b);
  });
});

describe("bad input gets a GhostError naming the parameter", () => {
  test.each([
    [() => simulatedLoss(NaN), /r = NaN/],
    [() => simulatedLoss(0, { horizon: -1 }), /horizon = -1/],
    [() => simulatedLoss(0, { dt: 0 }), /dt = 0/],
    [() => simulatedLoss(0, { confidence: 0 }), /confidence = 0/],
    [() => simulatedLoss(0, { confidence: Infinity }), /confidence = Infinity/],
    [() => rStar(0), /horizon = 0/],
    [() => plateauLength(1e-5, 1e-10), /r0 = 0.00001/],
    [() => plateauLength(1, -1), /learningRate = -1/],
  ])("%#", (fn, re) => {
    expect(fn).toThrow(GhostError);
    expect(fn).toThrow(re);
  });
});
