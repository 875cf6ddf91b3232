import { toyGradientDescent, runToyGdInstance } from "../../src/training/toyGradientDescent";
import { rStar, criticalLearningRate, plateauLength, toyGradient } from "../../src/models/saddleNode";
import { linspace } from "../../src/core/arrays";
import { GhostError } from "../../src/core/errors";

const rs = rStar(100);
const ac = criticalLearningRate(100);

describe("gradient descent on r (spec A4)", () => {
  test("each step is r ← r − α g(r); index 0 is the initial value", () => {
    const h = toyGradientDescent(10 * rs, 1e-10, 5);
    expect(h.r.length).toBe(6);
    expect(h.r[0]).toBe(10 * rs);
    for (let k = 0; k < 5; k++) expect(h.r[k + 1]).toBe(h.r[k] - 1e-10 * toyGradient(h.r[k]));
  });

  test("α = 1e-10: plateau then abrupt drop; r reaches r* at epoch ≈ k* = 1535.3 and never changes sign", () => {
    const h = toyGradientDescent(10 * rs, 1e-10, 3000);
    const k = h.r.findIndex((r) => r <= rs);
    // The continuum formula integrates dr/dk = −α g(r); the discrete map differs by O(1) epochs plus the
    // relative step size α g/r, which is < 1 % near r* (α|g(r*)|/r* = 0.082 / ... ); allow 1 %.
    expect(Math.abs(k - plateauLength(10 * rs, 1e-10)) / 1535.3).toBeLessThan(0.01);
    expect(Math.min(...h.r)).toBeGreaterThan(0);
    // 90 % of the plateau the loss is still above 0.5, then it collapses
    expect(h.loss[Math.floor(0.9 * k)]).toBeGreaterThan(0.4);
    expect(Math.min(...h.loss.slice(k, k + 20))).toBeLessThan(0.1);
    // after the drop r stays in the oscillatory band, above r*/4
    expect(Math.min(...h.r.slice(k))).toBeGreaterThan(rs / 4);
  });

  test("α = 1e-9 (> α_c) falls into the no-learning zone and stays (L = 1)", () => {
    const h = toyGradientDescent(10 * rs, 1e-9, 3000);
    expect(h.r[3000]).toBeLessThanOrEqual(rs / 4);
    expect(h.loss[3000]).toBe(1);
    const entered = h.r.findIndex((r) => r <= rs / 4);
    expect(entered).toBeGreaterThan(0);
    for (let k = entered; k <= 3000; k++) expect(h.r[k]).toBe(h.r[entered]); // zero gradient: frozen
  });

  test("α just below α_c never enters the zone from any r₀ in (r*, 20 r*]; just above does from 10 r*", () => {
    for (const r0 of linspace(rs * 1.001, 20 * rs, 60)) {
      const h = toyGradientDescent(r0, ac * 0.999, 4000);
      expect(Math.min(...h.r)).toBeGreaterThan(rs / 4);
    }
    const above = toyGradientDescent(10 * rs, ac * 1.05, 20000);
    expect(Math.min(...above.r)).toBeLessThanOrEqual(rs / 4);
  });
});

describe("Fig 2D grid point", () => {
  test("deterministic for a seed; different seeds draw different r₀ ~ N(10 r*, (r*/10)²)", () => {
    const a = runToyGdInstance({ learningRate: 2e-10, seed: 5, epochs: 2000 });
    const b = runToyGdInstance({ learningRate: 2e-10, seed: 5, epochs: 2000 });
    const c = runToyGdInstance({ learningRate: 2e-10, seed: 6, epochs: 2000 });
    expect(a).toEqual(b);
    expect(a.r0).not.toEqual(c.r0);
    for (const r0 of a.r0) expect(Math.abs(r0 - 10 * rs)).toBeLessThan(5 * rs / 10);
  });

  test("stuck counts: none well below α_c, all at α = 1e-9", () => {
    expect(runToyGdInstance({ learningRate: 5e-10, seed: 1 }).stuck).toBe(0);
    expect(runToyGdInstance({ learningRate: 1e-9, seed: 2 }).stuck).toBe(10);
  });

  test("bad configs are rejected", () => {
    expect(() => runToyGdInstance({ learningRate: 0, seed: 1 })).toThrow(GhostError);
    expect(() => runToyGdInstance({ learningRate: 1e-10, seed: -1 })).toThrow(/seed = -1/);
    expect(() => runToyGdInstance({ learningRate: 1e-10, seed: 1, epochs: 100, reportEpochs: [200] })).toThrow(/reportEpochs\[0\] = 200/);
    expect(() => toyGradientDescent(NaN, 1e-10, 10)).toThrow(/r0 = NaN/);
  });
});
