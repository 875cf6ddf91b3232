import { runFig4, fig4Config } from "../../src/figures/fig4";
import { fig4Figures } from "../../src/display/fig4";
import { GhostError } from "../../src/core/errors";

describe("Fig 4 experiment (small: 6 networks, the paper's protocol otherwise)", () => {
  const config = { ...fig4Config("ci"), seeds: [0, 1, 2, 3, 4, 5] };
  let data: Awaited<ReturnType<typeof runFig4>>;
  beforeAll(async () => {
    data = await runFig4(config, { cache: false, workers: 1 });
  }, 120000);

  test("counts are consistent: selected = learned ∧ stuck", () => {
    const c = data.counts;
    expect(c.total).toBe(6);
    expect(c.selected).toBeLessThanOrEqual(Math.min(c.learned, c.stuck));
    expect(data.selectedSeeds.length).toBe(c.selected);
    expect(c.selected).toBeGreaterThan(0); // otherwise the rest of this test says nothing
  });

  test("the selected networks are at accuracy 0.5 before the switch (stuck rule: max over the last 50 epochs ≤ 0.5)", () => {
    const last50 = data.before.accuracyMean.slice(-50);
    for (const a of last50) expect(a).toBeLessThanOrEqual(0.5);
  });

  test("c = 10 (no change) does not move: accuracy stays 0.5 and the gradient stays tiny", () => {
    const c10 = data.curves[data.curves.length - 1];
    expect(c10.confidence).toBeCloseTo(10, 12);
    for (const a of c10.accuracyMean) expect(a).toBe(0.5);
    // stuck networks have σ′ saturated: ‖∇‖ ≪ the rescued networks' gradients
    const rescue = data.curves.find((c) => Math.abs(c.confidence - 0.2212) < 1e-3) as (typeof data.curves)[number];
    expect(c10.gradNormMean[0]).toBeLessThan(rescue.gradNormMean[0] / 100);
  });

  test("a moderate confidence rescues them: mean accuracy rises well above 0.5 within 100 epochs", () => {
    const rescue = data.curves.filter((c) => c.confidence > 0.05 && c.confidence < 1);
    const best = Math.max(...rescue.map((c) => Math.max(...c.accuracyMean)));
    expect(best).toBeGreaterThan(0.7);
  });

  test("the example stuck network has three fixed points (saddle-node pair below threshold) and a larger gradient at low c", () => {
    const ex = data.example;
    expect(ex).not.toBeNull();
    if (!ex) return;
    expect(ex.stuckFlow.fixedPoints.length).toBe(3);
    const g = ex.gradientVsConfidence;
    const at10 = g.gradNorm[g.confidence.length - 1];
    const at02 = g.gradNorm[g.confidence.findIndex((c) => c > 0.2)];
    expect(at02).toBeGreaterThan(100 * at10);
  });

  test("builders: 4 figures, accuracy has 1 + 10 traces (the paper's ten plotted c values), gradient panel is log-y", () => {
    const figs = fig4Figures(data);
    expect(figs.length).toBe(4);
    expect(figs[0].data.length).toBe(11);
    expect((figs[1].layout.yaxis as { type: string }).type).toBe("log");
    const switchLine = (figs[0].layout.shapes as { x0: number }[])[0];
    expect(switchLine.x0).toBe(6000);
  });

  test("bad configs are rejected", async () => {
    await expect(runFig4({ ...config, plotFrom: 7000 })).rejects.toThrow(GhostError);
    expect(() => fig4Config("huge" as never)).toThrow(/scale/);
  });
});
