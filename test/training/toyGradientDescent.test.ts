import { toyGradientDescent, runToyGdInstance, toyLearningRateSweep } from "../../src/training/toyGradientDescent";
import { rStar, criticalLearningRate, plateauLength, toyGradient, toyLoss } from "../../src/models/saddleNode";
import { linspace, logspace } from "../../src/core/arrays";
import { GhostError } from "../../src/core/errors";

const rs = rStar(100);
const ac = criticalLearningRate(100);

describe("gradient descent on r (spec A4)", () => {
  test("each step is r ← r − η g(r); index 0 is the initial value", () => {
    const h = toyGradientDescent(10 * rs, 1e-10, 5);
    expect(h.r.length).toBe(6);
    expect(h.r[0]).toBe(10 * rs);
    for (let k = 0; k < 5; k++) expect(h.r[k + 1]).toBe(h.r[k] - 1e-10 * toyGradient(h.r[k]));
    // the fast kernels are bit-identical to the validated public functions, in every regime
    const g = toyGradientDescent(10 * rs, 1e-9, 400);
    for (let k = 0; k <= 400; k++) {
      expect(g.loss[k]).toBe(toyLoss(g.r[k]));
      if (k < 400) expect(g.r[k + 1]).toBe(g.r[k] - 1e-9 * toyGradient(g.r[k]));
    }
    for (const r of [-1, 0, rs / 4, rs / 4 * (1 + 1e-12), rs / 2, rs, rs * (1 + 1e-12), 10 * rs]) {
      expect(toyGradientDescent(r, 1e-10, 1).r[1]).toBe(r - 1e-10 * toyGradient(r));
      expect(toyGradientDescent(r, 1e-10, 0).loss[0]).toBe(toyLoss(r));
    }
  });

  /*
   * Plateau length, derived tolerance. With s = r^{5/2} and ε = ηg(r)/r = ηπ/(4s), one discrete step gives
   * s_{k+1} = s_k(1 − ε)^{5/2} = s_k − (5/8)πη·[1 − (3/4)ε + O(ε²)], i.e. the continuum rate (which gives
   * k* = 8(s₀ − s*)/(5πη)) minus a relative (3/4)ε. Summed along the orbit (dk = 8 ds/(5πη)) the extra epochs are
   * ∫(3/4)ε dk = (3/10)·ln(s₀/s*) = (3/4)·ln(r₀/r*) (1.73 for r₀ = 10r*); the O(ε²) terms add ≤ 0.4·ε(r*) ≤ 0.07
   * epochs for η ≤ 2e-10. The first index with r_k ≤ r* lies in [K, K + 1) of the continuous time K. So
   *   k_first − k* ∈ [(3/4)ln(r₀/r*) − 0.1, (3/4)ln(r₀/r*) + 1.1].
   */
  test.each([
    [10, 1e-10], [10, 2e-10], [5, 1e-10], [10, 5e-11], [20, 5e-11],
  ])("plateau: first epoch with r ≤ r* from r₀ = %d r*, η = %p vs k* within the derived correction", (f, lr) => {
    const kStar = plateauLength(f * rs, lr);
    const h = toyGradientDescent(f * rs, lr, Math.ceil(kStar) + 10);
    const k = h.r.findIndex((r) => r <= rs);
    const extra = 0.75 * Math.log(f);
    expect(k - kStar).toBeGreaterThanOrEqual(extra - 0.1);
    expect(k - kStar).toBeLessThanOrEqual(extra + 1.1);
  });

  test("η = 1e-10 from 10 r*: abrupt drop near k* = 1535.3 (paper: ~1500), r never changes sign", () => {
    const h = toyGradientDescent(10 * rs, 1e-10, 3000);
    const k = h.r.findIndex((r) => r <= rs);
    expect(Math.abs(k - 1535.3)).toBeLessThanOrEqual(3); // the derived correction above is 1.7–2.8 epochs
    expect(Math.min(...h.r)).toBeGreaterThan(0);
    // plateau: r(k)^{5/2} = r₀^{5/2} − (5/8)πηk ⇒ at 0.9 k*, r = (0.1 r₀^{5/2} + 0.9 r*^{5/2})^{2/5} ≈ 3.99 r*,
    // L = 1 − √(r*/r) ≈ 0.50; the loss is still ≥ 0.45 there and then collapses within ~20 epochs of k*.
    expect(h.loss[Math.floor(0.9 * k)]).toBeGreaterThan(0.45);
    expect(Math.min(...h.loss.slice(k, k + 20))).toBeLessThan(0.1);
    // afterwards r bounces around r*: a step from above lands ≥ r* − η|g(r*)| = r*(1 − 0.082), above r*/4
    expect(Math.min(...h.r.slice(k))).toBeGreaterThanOrEqual(rs - 1e-10 * Math.abs(toyGradient(rs)) - 1e-18);
    expect(Math.max(...h.r.slice(k))).toBeLessThan(1.2 * rs);
  });

  test("η = 1e-9 (> η_c) falls into the no-learning zone and stays (L = 1)", () => {
    const h = toyGradientDescent(10 * rs, 1e-9, 3000);
    expect(h.r[3000]).toBeLessThanOrEqual(rs / 4);
    expect(h.loss[3000]).toBe(1);
    const entered = h.r.findIndex((r) => r <= rs / 4);
    expect(entered).toBeGreaterThan(0);
    for (let k = entered; k <= 3000; k++) expect(h.r[k]).toBe(h.r[entered]); // zero gradient: frozen
  });

  test("η_c is the exact threshold for a single step from just above r*", () => {
    // the lowest landing point from r > r* is r* − η|g(r*)| (the map is increasing there); it equals r*/4 at η_c
    const r = rs * (1 + 1e-9);
    const below = r - ac * (1 - 1e-6) * toyGradient(r);
    const above = r - ac * (1 + 1e-6) * toyGradient(r);
    expect(below).toBeGreaterThan(rs / 4);
    expect(above).toBeLessThan(rs / 4);
    // the map r ↦ r − η g(r) is increasing on r > r* for η ≤ η_c: (1 + η·3π/(8 r^{5/2})) > 0 trivially, and
    // numerically on a grid its minimum over (r*, 20 r*] is at the left end
    const grid = Array.from(linspace(rs * (1 + 1e-9), 20 * rs, 2000));
    const landing = grid.map((x) => x - ac * 0.999 * toyGradient(x));
    for (let i = 1; i < landing.length; i++) expect(landing[i]).toBeGreaterThan(landing[i - 1]);
    expect(landing[0]).toBeGreaterThan(rs / 4);
  });

  test("η just below η_c never enters the zone from any r₀ in (r*, 20 r*]; just above does from 10 r*", () => {
    for (const r0 of linspace(rs * 1.001, 20 * rs, 60)) {
      const h = toyGradientDescent(r0, ac * 0.999, 4000);
      expect(Math.min(...h.r)).toBeGreaterThan(rs / 4);
    }
    // Just above η_c a landing within ~1.7 % above r* sends the iterate to r ≤ r*/4 (η = 1.05 η_c); the bouncing
    // orbit around r* hits that window — deterministic, and it stays there forever (g = 0).
    const above = toyGradientDescent(10 * rs, ac * 1.05, 20000);
    const entered = above.r.findIndex((r) => r <= rs / 4);
    expect(entered).toBeGreaterThan(0);
    expect(above.loss[20000]).toBe(1);
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

  test("stuck counts: none well below η_c, all at η = 1e-9", () => {
    expect(runToyGdInstance({ learningRate: 5e-10, seed: 1 }).stuck).toBe(0);
    expect(runToyGdInstance({ learningRate: 1e-9, seed: 2 }).stuck).toBe(10);
  });

  test("the mean ± SEM are the population statistics of the individual runs", () => {
    const res = runToyGdInstance({ learningRate: 3e-10, seed: 4, instances: 4, epochs: 1200, reportEpochs: [0, 600, 1200] });
    const runs = res.r0.map((r0) => toyGradientDescent(r0, 3e-10, 1200));
    res.reportEpochs.forEach((e, j) => {
      const v = runs.map((h) => h.loss[e]);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
      expect(res.meanLoss[j]).toBeCloseTo(m, 14);
      expect(res.semLoss[j]).toBeCloseTo(sd / 2, 14);
    });
  });

  test("bad configs are rejected", () => {
    expect(() => runToyGdInstance({ learningRate: 0, seed: 1 })).toThrow(GhostError);
    expect(() => runToyGdInstance({ learningRate: 1e-10, seed: -1 })).toThrow(/seed = -1/);
    expect(() => runToyGdInstance({ learningRate: 1e-10, seed: 1, epochs: 100, reportEpochs: [200] })).toThrow(/reportEpochs\[0\] = 200/);
    expect(() => toyGradientDescent(NaN, 1e-10, 10)).toThrow(/r0 = NaN/);
    expect(() => toyGradientDescent(1e-3, 0, 10)).toThrow(/learningRate = 0/);
    expect(() => toyGradientDescent(1e-3, -1e-10, 10)).toThrow(/learningRate/);
    expect(() => toyGradientDescent(1e-3, 1e-10, -1)).toThrow(/epochs = -1/);
    expect(() => toyGradientDescent(1e-3, 1e-10, 10, -100)).toThrow(/horizon = -100/);
  });
});

describe("Fig 2D sweep", () => {
  test("grid point i uses seed i and equals runToyGdInstance; stuck counts form the η_c cliff", () => {
    const lrs = [1e-10, 5e-10, 8.5e-10, 1e-9, 2e-9];
    const res = toyLearningRateSweep({ learningRates: lrs, epochs: 3000, reportEpochs: [1000, 3000] });
    expect(res.seeds).toEqual([0, 1, 2, 3, 4]);
    expect(res.meanLoss.length).toBe(2);
    expect(res.meanLoss[0].length).toBe(5);
    for (let i = 0; i < lrs.length; i++) {
      const one = runToyGdInstance({ learningRate: lrs[i], seed: i, epochs: 3000, reportEpochs: [1000, 3000] });
      expect(res.meanLoss[1][i]).toBe(one.meanLoss[1]);
      expect(res.semLoss[0][i]).toBe(one.semLoss[0]);
      expect(res.stuck[i]).toBe(one.stuck);
    }
    // below η_c: provably none; η ≥ 1e-9 from ≈10 r*: all (paper 10/10)
    expect(res.stuck.slice(0, 3)).toEqual([0, 0, 0]);
    expect(res.stuck.slice(3)).toEqual([10, 10]);
  });

  test("deterministic and reports progress at most once per grid point", () => {
    const calls: number[] = [];
    const cfg = { learningRates: Array.from(logspace(-11, -8, 7)), epochs: 500, reportEpochs: [500] };
    const a = toyLearningRateSweep(cfg, (done) => calls.push(done));
    const b = toyLearningRateSweep(cfg);
    expect(a).toEqual(b);
    expect(calls).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test("empty or bad grids are rejected", () => {
    expect(() => toyLearningRateSweep({ learningRates: [] })).toThrow(/learningRates/);
    expect(() => toyLearningRateSweep({ learningRates: [1e-10, -1] })).toThrow(/learningRates\[1\] = -1/);
    expect(() => toyLearningRateSweep({ learningRates: [1e-10], reportEpochs: [] })).toThrow(/reportEpochs/);
    expect(() => toyLearningRateSweep({ learningRates: [1e-10], instances: 0 })).toThrow(/instances = 0/);
  });
});
