/**
 * One vector field per model (design.md): each model exports its rule as one flow object, and the fixed-point and
 * ghost finders of the analysis layer, given that object, recover the model's closed forms.
 */
import { saddleNodeField, saddleNodeFlow, saddleNodeSlope, toyFixedPoints, toyGhost } from "../../src/models/saddleNode";
import { createRankOneRnn, rankOneLatentFlow, rankOneLatentRule, rankOneParams } from "../../src/models/rnn";
import { findFixedPoints } from "../../src/analysis/fixedPoints";
import { analyseGhost } from "../../src/analysis/ghosts";
import { rankOneFlow } from "../../src/analysis/rankOne";

describe("saddleNodeFlow: the toy model's rule f(x) = x² + r as one object", () => {
  test("value, slope and curvature are the field and its derivatives (central differences, exact for a quadratic up to rounding)", () => {
    for (const r of [-0.25, -1e-3, 0, 1e-3, 0.5]) {
      const flow = saddleNodeFlow(r);
      for (const x of [-3, -0.5, 0, 0.25, 2]) {
        expect(flow.f(x)).toBe(saddleNodeField(x, r));
        expect(flow.df(x)).toBe(saddleNodeSlope(x));
        const h = 1e-3;
        // For a quadratic the central difference is exact; only rounding of f (|f| ≤ 10, eps 2.2e-16) remains: ≤ 10·eps/h.
        expect(Math.abs((flow.f(x + h) - flow.f(x - h)) / (2 * h) - flow.df(x))).toBeLessThan((10 * 2.3e-16) / h);
        expect(Math.abs((flow.df(x + h) - flow.df(x - h)) / (2 * h) - (flow.d2f as (k: number) => number)(x))).toBeLessThan((10 * 2.3e-16) / h);
      }
    }
  });

  test("the analysis finders, fed the model's rule, find the closed-form fixed points ±√(−r) with their stability", () => {
    const r = -0.25;
    const report = findFixedPoints(saddleNodeFlow(r));
    const closed = toyFixedPoints(r);
    expect(report.fixedPoints.map((p) => p.kappa)).toHaveLength(2);
    report.fixedPoints.forEach((p, i) => {
      expect(Math.abs(p.kappa - closed[i].x)).toBeLessThan(1e-12);
      expect(p.stability).toBe(closed[i].stability);
    });
  });

  test("the ghost finder, fed the model's rule at r > 0, finds the bottleneck at x = 0 with height r and curvature 2", () => {
    const r = 0.01;
    const g = analyseGhost(saddleNodeFlow(r), -0.3, { threshold: 1 });
    const closed = toyGhost(r);
    expect(closed).not.toBeNull();
    expect(Math.abs(g.kappaGhost - (closed?.x ?? NaN))).toBeLessThan(1e-9);
    expect(Math.abs(g.height - (closed?.speed ?? NaN))).toBeLessThan(1e-15);
    expect(g.curvature).toBe(2);
    expect(g.classification).toBe("ghost");
  });
});

describe("rankOneLatentRule: the rank-one RNN's latent rule as one object", () => {
  test("equals the model's latent flow functions and analysis.rankOneFlow (its validated, copied twin) bit for bit", () => {
    const model = createRankOneRnn(3, { size: 20 });
    const rule = rankOneLatentRule(rankOneParams(model));
    const snapshot = rankOneFlow(rankOneParams(model));
    for (const k of [-5, -0.3, 0, 0.7, 1, 4]) {
      expect(rule.f(k)).toBe(rankOneLatentFlow(rankOneParams(model), k));
      expect(snapshot.f(k)).toBe(rule.f(k));
      expect(snapshot.df(k)).toBe(rule.df(k));
      expect((snapshot.d2f as (x: number) => number)(k)).toBe((rule.d2f as (x: number) => number)(k));
    }
  });
});
