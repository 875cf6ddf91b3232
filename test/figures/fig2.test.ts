import { bestLearningRates, fig2Config, runFig2 } from "../../src/figures/fig2";
import { criticalLearningRate, plateauLength, rStar } from "../../src/models/saddleNode";

const config = fig2Config("paper");
const data = runFig2(config);
const rs = rStar(100);

describe("Fig 2 data at the paper's parameters (spec A3, A4, Part C)", () => {
  test("ci scale is the paper scale (the figure costs about a second)", () => {
    expect({ ...fig2Config("ci"), scale: "paper" }).toEqual(config);
    expect(config.sweep).toEqual({ exponentStart: -11, exponentStop: -8, points: 100, instances: 10, epochs: 10000, reportEpochs: [1000, 2000, 3000, 5000, 10000] });
  });

  test("constants equal the Part C values to 1e-6 relative", () => {
    const c = data.constants;
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    expect(rel(c.rStar, 2.4674011e-4)).toBeLessThan(1e-6);
    expect(rel(c.rStarQuarter, 6.1685028e-5)).toBeLessThan(1e-6);
    expect(rel(c.lossAt10RStar, 0.683772)).toBeLessThan(1e-6);
    expect(rel(c.gradientAtRStar, 2.026424e5)).toBeLessThan(1e-6);
    expect(rel(c.criticalLearningRate, 9.132102e-10)).toBeLessThan(1e-6);
    expect(Math.abs(c.plateauLength - 1535.3)).toBeLessThan(0.05); // printed to 0.1
  });

  test("panel A: 100 r values on [−r*, 2r*], simulated curves for c = 0.1 and 1; c = 0.1 removes the flat zone", () => {
    const { r, analytic, simulated } = data.landscape;
    expect(r.length).toBe(100);
    expect(r[0]).toBeCloseTo(-rs, 18);
    expect(r[99]).toBeCloseTo(2 * rs, 18);
    expect(simulated.map((s) => s.confidence)).toEqual([0.1, 1]);
    // c = 0.1: below 1 inside the zone (a plateau, spec A3) and a non-zero minimum near r*
    const zone = r.map((v, i) => [v, i] as const).filter(([v]) => v <= rs / 4).map(([, i]) => simulated[0].loss[i]);
    expect(Math.max(...zone)).toBeLessThan(0.9);
    expect(Math.min(...simulated[0].loss)).toBeGreaterThan(0.01);
    // c = 1 follows the analytic curve (the derived per-point tolerance is tested in test/models/saddleNode)
    const worst = Math.max(...analytic.map((a, i) => Math.abs(a - simulated[1].loss[i])));
    expect(worst).toBeLessThan(0.0105);
  });

  test("panels B, C: η = 1e-10 drops at ≈ k* and never changes sign; η = 1e-9 ends stuck in the no-learning zone", () => {
    const [slow, fast] = data.runs;
    expect(slow.r.length).toBe(3001);
    expect(slow.dropEpoch! - plateauLength(10 * rs, 1e-10)).toBeGreaterThanOrEqual(0.75 * Math.log(10) - 0.1);
    expect(slow.dropEpoch! - plateauLength(10 * rs, 1e-10)).toBeLessThanOrEqual(0.75 * Math.log(10) + 1.1);
    expect(slow.minR).toBeGreaterThan(0);
    expect(slow.enteredZoneEpoch).toBeNull();
    expect(slow.endsStuck).toBe(false);
    expect(fast.endsStuck).toBe(true);
    expect(fast.enteredZoneEpoch).not.toBeNull();
    expect(fast.loss[3000]).toBe(1);
  });

  test("panel D: the η_c cliff — no instance stuck below η_c, 10/10 for every η ≥ 1e-9", () => {
    const { learningRates, stuck } = data.sweep;
    const ac = criticalLearningRate(100);
    learningRates.forEach((lr, i) => {
      if (lr < ac) expect(stuck[i]).toBe(0); // theorem (spec A2): η < η_c never enters the zone from r₀ > r*
      if (lr >= 1e-9) expect(stuck[i]).toBe(10); // paper: 10/10
    });
  });

  test("panel D: the best η at epoch E lies in [η_E, 2η_E], η_E = the η whose continuum plateau k* equals E", () => {
    // Below η_E the mean run has not dropped yet (L ≈ 0.5–0.68); above, it oscillates around r* with an amplitude
    // ∝ η. r₀ scatter (std r*/10 → ±2.5 % in k*) makes the best grid point slightly larger than η_E.
    for (const b of data.sweep.best) {
      const alphaE = plateauLength(10 * rs, 1, 100) / b.epoch;
      expect(b.learningRate).toBeGreaterThanOrEqual(alphaE);
      expect(b.learningRate).toBeLessThanOrEqual(2 * alphaE);
    }
    expect(bestLearningRates(data.sweep)).toEqual(data.sweep.best);
  });

  test("JSON-serialisable and deterministic", () => {
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });

  test("bad configs are rejected", () => {
    expect(() => fig2Config("full" as never)).toThrow(/scale/);
    expect(() => runFig2({ ...config, landscape: { points: 10, confidences: [0] } })).toThrow(/confidences\[0\] = 0/);
    expect(() => runFig2({ ...config, runs: { ...config.runs, learningRates: [] } })).toThrow(/learningRates/);
    expect(() => runFig2({ ...config, sweep: { ...config.sweep, reportEpochs: [20000] } })).toThrow(/reportEpochs\[0\] = 20000/);
    expect(() => runFig2({ ...config, horizon: -1 })).toThrow(/horizon = -1/);
  });
});
