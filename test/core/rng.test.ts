import { Rng } from "../../src/core/rng";
import { GhostError } from "../../src/core/errors";

describe("Rng", () => {
  test("same seed gives the same stream; different seeds differ", () => {
    const a = new Rng(40), b = new Rng(40), c = new Rng(41);
    const xa = Array.from({ length: 100 }, () => a.uniform());
    const xb = Array.from({ length: 100 }, () => b.uniform());
    const xc = Array.from({ length: 100 }, () => c.uniform());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
  });

  test("state round trip continues the identical stream (including the Box–Muller spare)", () => {
    const a = new Rng(7);
    a.normal(); // leaves a spare
    const restored = Rng.fromState(JSON.parse(JSON.stringify(a.getState())));
    for (let i = 0; i < 50; i++) expect(restored.normal()).toBe(a.normal());
    expect(restored.uniform()).toBe(a.uniform());
  });

  test("uniform lies in [0, 1) and has mean 1/2, variance 1/12 within 5 standard errors", () => {
    const r = new Rng(1);
    const n = 200000;
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      s += u; s2 += u * u;
    }
    const m = s / n;
    const v = s2 / n - m * m;
    // SE of the mean of U(0,1) = sqrt(1/12/n); SE of the variance ≈ sqrt((1/80 - 1/144)/n)
    expect(Math.abs(m - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(v - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / n));
  });

  test("normal has mean 0, variance 1 and kurtosis 3 within 5 standard errors", () => {
    const r = new Rng(2);
    const n = 200000;
    let s = 0, s2 = 0, s4 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z; s2 += z * z; s4 += z ** 4;
    }
    expect(Math.abs(s / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(s4 / n - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
  });

  test("bad seeds and states are rejected with a GhostError naming the parameter", () => {
    expect(() => new Rng(-1)).toThrow(GhostError);
    expect(() => new Rng(1.5)).toThrow(/seed = 1.5/);
    expect(() => new Rng(NaN)).toThrow(/seed = NaN/);
    expect(() => Rng.fromState({} as never)).toThrow(/state/);
  });
});
