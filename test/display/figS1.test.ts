import { figS1Config, FigS1Data, summariseLrSweep } from "../../src/figures/figS1";
import { figS1Figure, figS1Figures, figS1OutcomeFigure, RUN_STATUS_COLORS, S1_LOSS_FLOOR } from "../../src/display/figS1";
import { colormap } from "../../src/display/plotly";
import type { LrSweepData, RunStatus } from "../../src/protocols/lrSweep";

// Synthetic data: builders are pure functions of the data, so no training is needed. 3 report epochs, 4 rates,
// 2 seeds; one mean below the plot floor, one NaN (no finite seed).
function sweep(): LrSweepData {
  const learningRates = [1e-3, 1e-2, 3e-2, 1e-1];
  const reportEpochs = [1000, 2000, 3000];
  const meanLoss = [
    [1, 0.5, 1, 1],
    [1, 1e-9, 1, 1],
    [1, 0.02, 1, NaN],
  ];
  const semLoss = meanLoss.map((row) => row.map((v) => (Number.isFinite(v) ? v / 10 : NaN)));
  const status: RunStatus[][] = [["other", "other"], ["learned", "learned"], ["stuck", "learned"], ["stuck", "diverged"]];
  const count = (s: RunStatus) => status.map((r) => r.filter((x) => x === s).length);
  const spec = {
    model: "rankOne" as const, size: 100, confidence: 10, learningRates, seeds: [0, 1], epochs: 3000, reportEpochs,
    window: 50, gradFloor: 1e-8, learnedLevel: 0.05, curvePoints: 0,
  };
  return {
    spec, rank: 1, learningRates, seeds: [0, 1], reportEpochs,
    loss: meanLoss.map((row) => row.map((v) => [v, v])), meanLoss, semLoss,
    finiteCount: meanLoss.map((row) => row.map((v) => (Number.isFinite(v) ? 2 : 0))),
    initialLoss: status.map(() => [1, 1]), finalLoss: status.map(() => [1, 1]), normalisedFinalLoss: status.map(() => [1, 1]),
    finalGradNorm: status.map(() => [0, 0]), status,
    counts: { learned: count("learned"), stuck: count("stuck"), diverged: count("diverged"), other: count("other"), fellIn: [0, 0, 1, 1] },
    fractionLearned: count("learned").map((c) => c / 2), bestLearningRate: [1e-2, 1e-2, 1e-2],
    learningWindow: { low: 1e-2, high: 3e-2, decades: Math.log10(3) }, curves: null,
  };
}

const s = sweep();
const data: FigS1Data = {
  config: { ...figS1Config("ci"), learningRates: s.learningRates, seeds: s.seeds, epochs: 3000, reportEpochs: s.reportEpochs },
  sweep: s,
  summary: summariseLrSweep(s),
  run: { runs: 8, computed: 8, cached: 0, workers: 1, wallMs: 1, computeMs: 1 },
};

describe("Fig S1 builders", () => {
  test("one error-bar trace per report epoch, named by the epoch, autumn at linspace(0.1, 0.9, n)", () => {
    const fig = figS1Figure(data);
    expect(fig.data.map((t) => t.name)).toEqual(["1000", "2000", "3000"]);
    const colours = [0.1, 0.5, 0.9].map((t) => colormap("autumn", t));
    expect(fig.data.map((t) => (t.line as { color: string }).color)).toEqual(colours);
    expect(fig.data.map((t) => (t.error_y as { color: string }).color)).toEqual(colours);
    for (const t of fig.data) expect(t.x).toEqual(s.learningRates);
  });

  test("y = the mean (clipped at the 1e-7 floor, NaN → gap), error bars = the SEM", () => {
    const fig = figS1Figure(data);
    expect(fig.data[0].y).toEqual([1, 0.5, 1, 1]);
    expect(fig.data[1].y).toEqual([1, S1_LOSS_FLOOR, 1, 1]);
    expect(fig.data[2].y).toEqual([1, 0.02, 1, null]);
    expect((fig.data[0].error_y as { array: number[] }).array).toEqual([0.1, 0.05, 0.1, 0.1]);
    expect((fig.data[2].error_y as { array: (number | null)[] }).array[3]).toBeNull();
  });

  test("log–log axes, ylim [1e-7, 3], labels and the legend title of the paper", () => {
    const layout = figS1Figure(data).layout as Record<string, any>;
    expect(layout.xaxis.type).toBe("log");
    expect(layout.yaxis.type).toBe("log");
    expect(layout.yaxis.range[0]).toBeCloseTo(-7, 12);
    expect(layout.yaxis.range[1]).toBeCloseTo(Math.log10(3), 12);
    expect(layout.xaxis.title.text).toBe("Learning rate");
    expect(layout.yaxis.title.text).toBe("Loss value");
    expect(layout.legend.title.text).toBe("Epoch");
  });

  test("outcome panel: stacked bars of the four classes, summing to the seeds at every learning rate", () => {
    const fig = figS1OutcomeFigure(data);
    expect((fig.layout as Record<string, unknown>).barmode).toBe("stack");
    expect(fig.data.length).toBe(4);
    expect(fig.data.map((t) => (t.marker as { color: string }).color)).toEqual([
      RUN_STATUS_COLORS.learned, RUN_STATUS_COLORS.other, RUN_STATUS_COLORS.stuck, RUN_STATUS_COLORS.diverged,
    ]);
    for (let i = 0; i < 4; i++) expect(fig.data.reduce((a, t) => a + (t.y as number[])[i], 0)).toBe(2);
    expect(fig.data[2].y).toEqual([0, 0, 1, 1]); // stuck
    expect(fig.data[0].x).toEqual(["0.00100", "0.0100", "0.0300", "0.100"]);
  });

  test("figS1Figures returns both panels, all JSON-serialisable", () => {
    const figs = figS1Figures(data);
    expect(figs.length).toBe(2);
    for (const f of figs) expect(() => JSON.stringify(f)).not.toThrow();
  });
});
