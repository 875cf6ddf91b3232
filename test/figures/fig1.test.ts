import { fig1Config, runFig1 } from "../../src/figures/fig1";

const data = runFig1(fig1Config("ci"));

describe("Fig 1 data", () => {
  test("slider r runs from 0.5 down to −0.5 through 0; passage time grows as r ↓ 0 and is infinite for r ≤ 0", () => {
    const r = data.config.sliderR;
    expect(r[0]).toBe(0.5);
    expect(r[r.length - 1]).toBe(-0.5);
    expect(r).toContain(0);
    for (let i = 1; i < r.length; i++) expect(r[i]).toBeLessThan(r[i - 1]);
    const positive = data.frames.filter((f) => f.r > 0);
    for (let i = 1; i < positive.length; i++) expect(positive[i].crossingTime!).toBeGreaterThan(positive[i - 1].crossingTime!);
    for (const f of data.frames.filter((f) => f.r <= 0)) {
      expect(f.crossingTime).toBeNull();
      expect(f.simulatedCrossingTime).toBeNull();
    }
    // r < 0: the trajectory from x(0) = 0 ends at the stable fixed point −√(−r)
    const last = data.frames[data.frames.length - 1];
    expect(last.trajectory.x[last.trajectory.x.length - 1]).toBeCloseTo(-Math.sqrt(0.5), 6);
  });

  test("passage: the Euler time tracks π/(2√r) within the finite-threshold offset + Euler lag (see saddleNode tests)", () => {
    const { r, analytic, simulated } = data.passage;
    const dt = data.config.passage.dt;
    r.forEach((v, i) => {
      expect(analytic[i]).toBeCloseTo(Math.PI / (2 * Math.sqrt(v)), 10);
      const lag = dt * 0.5 * Math.log(1 + 100 / v);
      expect(Math.abs(simulated[i]! - analytic[i])).toBeLessThanOrEqual(lag + 0.1 + 1.5 * dt);
    });
  });

  test("data is JSON-serialisable (no Infinity/NaN) and deterministic", () => {
    const text = JSON.stringify(data);
    expect(JSON.parse(text)).toEqual(data);
    expect(runFig1(fig1Config("ci"))).toEqual(data);
  });

  test("bad configs are rejected", () => {
    expect(() => fig1Config("huge" as never)).toThrow(/scale/);
    expect(() => runFig1({ ...fig1Config("ci"), sliderR: [] })).toThrow(/sliderR/);
    expect(() => runFig1({ ...fig1Config("ci"), trajectory: { dt: 0, duration: 1, escape: 2, recordEvery: 1 } })).toThrow(/trajectory.dt/);
  });
});
