import { figRankConfig, runFigRank, FigRankConfig, FigRankData } from "../../src/figures/figRank";
import {
  figRankComparisonFigure, figRankCurvesFigure, figRankFigures, figRankFractionFigure, figRankOutcomeFigure, RANK_CURVE_FLOOR,
} from "../../src/display/figRank";
import { colormap } from "../../src/display/plotly";

// A tiny real run (N = 12, a few hundred epochs, 16 runs ≈ 1 s): the builders only depend on the data's shape.
const tiny: FigRankConfig = {
  ...figRankConfig("ci"),
  size: 12,
  comparison: {
    ...figRankConfig("ci").comparison,
    epochs: 300, reportEpochs: [100, 200, 300], seeds: [0, 1], rankOneLearningRates: [0.01, 0.1], fullRankLearningRates: [0.01, 1],
  },
  rankK: { ranks: [1, 3, 6], learningRates: [0.05, 0.2], seeds: [0, 1], epochs: 200, learnedLevel: 1e-2, curvePoints: 12 },
};

let data: FigRankData;
beforeAll(async () => {
  data = await runFigRank(tiny, { workers: 1, cache: false });
}, 60000);

describe("trainable-rank builders", () => {
  test("(a) side by side: the S1 traces of each model on its own x axis, one shared legend, shared log y", () => {
    const fig = figRankComparisonFigure(data);
    expect(fig.data.length).toBe(6);
    const left = fig.data.slice(0, 3), right = fig.data.slice(3);
    for (const t of left) expect([t.xaxis, t.yaxis, t.showlegend]).toEqual(["x", "y", true]);
    for (const t of right) expect([t.xaxis, t.yaxis, t.showlegend]).toEqual(["x2", "y2", false]);
    expect(left.map((t) => t.name)).toEqual(["100", "200", "300"]);
    expect(left.map((t) => (t.line as { color: string }).color)).toEqual([0.1, 0.5, 0.9].map((x) => colormap("autumn", x)));
    expect(left[0].x).toEqual([0.01, 0.1]);
    expect(right[0].x).toEqual([0.01, 1]);
    const layout = fig.layout as Record<string, any>;
    for (const ax of [layout.xaxis, layout.xaxis2, layout.yaxis, layout.yaxis2]) expect(ax.type).toBe("log");
    expect(layout.yaxis2.matches).toBe("y");
    expect(layout.legend.title.text).toBe("Epoch");
    expect(layout.xaxis.domain[1]).toBeLessThan(layout.xaxis2.domain[0]);
  });

  test("(a) a learning-window band per panel exactly when that model has a window", () => {
    const layout = figRankComparisonFigure(data).layout as Record<string, any>;
    const bands = layout.shapes as { xref: string; x0: number; x1: number }[];
    const expected = [data.rankOne.learningWindow, data.fullRank.learningWindow].filter((w) => w !== null).length;
    expect(bands.length).toBe(expected);
    if (data.fullRank.learningWindow) {
      const b = bands.find((x) => x.xref === "x2");
      expect(b).toMatchObject({ x0: data.fullRank.learningWindow.low, x1: data.fullRank.learningWindow.high });
    }
  });

  test("(b) fraction learned vs K: one line per learning rate, viridis 0…1, log x at the ranks, y = the fractions", () => {
    const fig = figRankFractionFigure(data);
    expect(fig.data.length).toBe(2);
    expect(fig.data.map((t) => (t.line as { color: string }).color)).toEqual([colormap("viridis", 0), colormap("viridis", 1)]);
    fig.data.forEach((t, i) => {
      expect(t.x).toEqual([1, 3, 6]);
      expect(t.y).toEqual(data.summary.rankK.fractionLearned[i]);
    });
    const layout = fig.layout as Record<string, any>;
    expect(layout.xaxis.type).toBe("log");
    expect(layout.yaxis.title.text).toBe("Fraction of learned networks");
  });

  test("learning curves: one frame per learning rate, ranks × seeds traces coloured by K index, normalised by loss₀", () => {
    const fig = figRankCurvesFigure(data);
    expect(fig.frames?.length).toBe(2);
    expect(fig.data.length).toBe(3 * 2);
    const colours = fig.data.map((t) => (t.line as { color: string }).color);
    expect(colours).toEqual([0, 0, 0.5, 0.5, 1, 1].map((x) => colormap("viridis", x)));
    expect(fig.data.filter((t) => t.showlegend).map((t) => t.name)).toEqual(["K = 1", "K = 3", "K = 6"]);
    // frame 1 (lr 0.2), K = 3 (second sweep), seed 1: y = loss / loss₀, clipped at the floor
    const frame = fig.frames?.[1] as { data: Record<string, unknown>[] };
    const s = data.rankK[1];
    const y = frame.data[3].y as number[];
    const expected = (s.curves as NonNullable<typeof s.curves>).loss[1][1].map((v) => Math.max(v / s.initialLoss[1][1], RANK_CURVE_FLOOR));
    expect(y).toEqual(expected);
    expect(y[0]).toBe(1);
    const layout = fig.layout as Record<string, any>;
    expect(layout.sliders[0].steps.map((st: { label: string }) => st.label)).toEqual(["0.0500", "0.200"]);
    expect(layout.yaxis.range[1]).toBeCloseTo(Math.log10(2.5), 12);
  });

  test("outcome of the full-rank networks and the complete set of figures", () => {
    const out = figRankOutcomeFigure(data);
    for (let i = 0; i < 2; i++) expect(out.data.reduce((a, t) => a + (t.y as number[])[i], 0)).toBe(2);
    const figs = figRankFigures(data);
    expect(figs.length).toBe(4);
    for (const f of figs) expect(() => JSON.stringify(f)).not.toThrow();
  });
});
