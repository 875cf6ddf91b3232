import {
  DISPLAY_WINDOW_END,
  DISPLAY_WINDOW_START,
  Flow1D,
  defaultKappaGrid,
  evaluateFlow,
  flowDisplayWindow,
  secondDerivative,
} from "../../src/analysis/flow";
import { GhostError } from "../../src/core/errors";

const cubic: Flow1D = { f: (k) => k * k * k - k, df: (k) => 3 * k * k - 1 };

describe("evaluateFlow", () => {
  test("default grid is the spec's linspace(-15, 15, 1000)", () => {
    const g = defaultKappaGrid();
    expect(g.length).toBe(1000);
    expect(g[0]).toBe(-15);
    expect(g[999]).toBe(15);
    expect(g[1] - g[0]).toBeCloseTo(30 / 999, 14);
  });

  test("returns plain arrays holding exactly f on the grid", () => {
    const c = evaluateFlow(cubic);
    expect(Array.isArray(c.kappa)).toBe(true);
    expect(Array.isArray(c.dkappaDt)).toBe(true);
    expect(c.kappa.length).toBe(1000);
    for (let j = 0; j < 1000; j += 37) expect(c.dkappaDt[j]).toBe(cubic.f(c.kappa[j]));
  });

  test("custom grid (a single point is allowed)", () => {
    expect(evaluateFlow(cubic, [2])).toEqual({ kappa: [2], dkappaDt: [6] });
    expect(evaluateFlow(cubic, new Float64Array([-1, 0, 0.5])).dkappaDt).toEqual([0, 0, 0.125 - 0.5]);
  });

  test("display window = indices 200..799 (kappa about -9 .. 9)", () => {
    const c = evaluateFlow(cubic);
    const w = flowDisplayWindow(c);
    expect(DISPLAY_WINDOW_START).toBe(200);
    expect(DISPLAY_WINDOW_END).toBe(800);
    expect(w.kappa.length).toBe(600);
    expect(w.kappa[0]).toBe(c.kappa[200]);
    expect(w.kappa[599]).toBe(c.kappa[799]);
    expect(w.kappa[0]).toBeCloseTo(-15 + (200 * 30) / 999, 12); // -8.99099...
    expect(w.dkappaDt[10]).toBe(c.dkappaDt[210]);
  });

  test("validation: empty, non-increasing, NaN grids, bad flows, bad windows", () => {
    expect(() => evaluateFlow(cubic, [])).toThrow(GhostError);
    expect(() => evaluateFlow(cubic, [0, 1, 1])).toThrow(/kappaGrid\[2\] = 1 .*strictly increasing/);
    expect(() => evaluateFlow(cubic, [0, 2, 1])).toThrow(GhostError);
    expect(() => evaluateFlow(cubic, [0, NaN])).toThrow(/kappaGrid\[1\] = NaN/);
    expect(() => evaluateFlow({ f: (k: number) => k } as unknown as Flow1D)).toThrow(/flow.df/);
    expect(() => evaluateFlow(null as unknown as Flow1D)).toThrow(GhostError);
    expect(() => evaluateFlow({ f: (k) => (k > 3 ? NaN : k), df: () => 1 })).toThrow(/flow.f\(3.0\d*\) = NaN/);
    expect(() => evaluateFlow({ f: () => Infinity, df: () => 1 }, [0])).toThrow(GhostError);
    const c = evaluateFlow(cubic, [0, 1, 2]);
    expect(() => flowDisplayWindow(c)).toThrow(/start = 200/);
    expect(() => flowDisplayWindow(c, 1, 1)).toThrow(/end = 1/);
    expect(flowDisplayWindow(c, 1, 3).kappa).toEqual([1, 2]);
  });
});

describe("secondDerivative", () => {
  test("uses d2f when given", () => {
    expect(secondDerivative({ ...cubic, d2f: (k) => 6 * k }, 1.5)).toBe(9);
  });
  test("central difference of df otherwise: error O(cbrt(eps)^2) ~ 1e-10 for smooth flows", () => {
    const flow: Flow1D = { f: Math.sin, df: Math.cos };
    for (const k of [-7.3, -0.4, 0, 0.9, 12.5]) {
      // truncation delta^2/6*|f''''| + rounding of the df values (eps/delta) and of the abscissae
      // k ± delta (eps*|k|/delta), with delta = cbrt(eps)*max(1,|k|)
      const delta = Math.cbrt(Number.EPSILON) * Math.max(1, Math.abs(k));
      const bound = (delta * delta) / 6 + (4 * Number.EPSILON * Math.max(1, Math.abs(k))) / delta;
      expect(Math.abs(secondDerivative(flow, k) + Math.sin(k))).toBeLessThanOrEqual(bound);
    }
  });
});
