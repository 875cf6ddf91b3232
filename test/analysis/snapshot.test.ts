import { Flow1D, evaluateFlow } from "../../src/analysis/flow";
import { findFixedPoints } from "../../src/analysis/fixedPoints";
import { analyseGhost } from "../../src/analysis/ghosts";
import { analyseFlowSnapshot } from "../../src/analysis/snapshot";

describe("analyseFlowSnapshot", () => {
  test("equals the three separate analyses", () => {
    // f = −(κ + 2)(κ − 0.1)(κ − 3): stable −2, unstable 0.1, stable 3 → trapped below 1 from κ₀ = −0.3
    const flow: Flow1D = {
      f: (k) => -(k + 2) * (k - 0.1) * (k - 3),
      df: (k) => -((k - 0.1) * (k - 3) + (k + 2) * (k - 3) + (k + 2) * (k - 0.1)),
    };
    const s = analyseFlowSnapshot(flow, -0.3, { fixedPoints: { leak: 0.5 }, ghost: { gridPoints: 501 } });
    expect(s.curve).toEqual(evaluateFlow(flow));
    expect(s.fixedPoints).toEqual(findFixedPoints(flow, { leak: 0.5 }));
    expect(s.ghost).toEqual(analyseGhost(flow, -0.3, { gridPoints: 501 }));
    expect(s.fixedPoints.fixedPoints.map((p) => p.stability)).toEqual(["stable", "unstable", "stable"]);
    expect(s.ghost.classification).toBe("bifurcated");
    expect(s.ghost.fixedPoints.map((p) => p.stability)).toEqual(["unstable"]);
  });
  test("validation", () => {
    const flow: Flow1D = { f: (k) => -k, df: () => -1 };
    expect(() => analyseFlowSnapshot(flow, NaN)).toThrow(/kappaStart = NaN/);
    expect(() => analyseFlowSnapshot(flow, 0, { kappaGrid: [0] })).toThrow(/options.kappaGrid/);
    expect(() => analyseFlowSnapshot(flow, 0, { fixedPoints: { tolerance: 2 } })).toThrow(/tolerance = 2/);
  });
});
