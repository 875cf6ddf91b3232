import { fig2Config, runFig2, Fig2Config } from "../../src/figures/fig2";
import {
  fig2Figures, fig2LandscapeFigure, fig2LearningRateFigure, fig2LossFigure, fig2RFigure, FIG2_LOG_FLOOR,
} from "../../src/display/fig2";
import { COLORS, colormap } from "../../src/display/plotly";

// A reduced config keeps the builder tests quick; the builders do not depend on the sizes.
const base = fig2Config("paper");
const config: Fig2Config = {
  ...base,
  landscape: { points: 30, confidences: [0.1, 1] },
  sweep: { ...base.sweep, points: 12, epochs: 3000, reportEpochs: [1000, 2000, 3000] },
};
const data = runFig2(config);

describe("Fig 2 builders", () => {
  test("A: analytic black line + one scatter per confidence in C0, C1; dashed orange r* line; linear axes", () => {
    const fig = fig2LandscapeFigure(data);
    expect(fig.data.length).toBe(3);
    expect((fig.data[0].line as { color: string }).color).toBe("black");
    expect(fig.data.slice(1).map((t) => (t.marker as { color: string }).color)).toEqual([COLORS[0], COLORS[1]]);
    expect(fig.data.slice(1).map((t) => t.mode)).toEqual(["markers", "markers"]);
    const layout = fig.layout as Record<string, any>;
    expect(layout.xaxis.type).toBeUndefined();
    expect(layout.yaxis.type).toBeUndefined();
    const [rLine] = layout.shapes;
    expect(rLine.x0).toBe(data.constants.rStar);
    expect(rLine.line.dash).toBe("dash");
  });

  test("B: one loss curve per learning rate, C0 then C1, epochs 0…3000", () => {
    const fig = fig2LossFigure(data);
    expect(fig.data.length).toBe(2);
    expect(fig.data.map((t) => (t.line as { color: string }).color)).toEqual([COLORS[0], COLORS[1]]);
    expect((fig.data[0].x as number[]).length).toBe(3001);
  });

  test("C: r on a log axis with r* black solid and r*/4 black dashed", () => {
    const fig = fig2RFigure(data);
    expect(fig.data.length).toBe(2);
    const layout = fig.layout as Record<string, any>;
    expect(layout.yaxis.type).toBe("log");
    const shapes = layout.shapes as any[];
    const at = (y: number) => shapes.find((s) => s.y0 === y && s.y1 === y);
    expect(at(data.constants.rStar).line).toMatchObject({ color: "black", dash: "solid" });
    expect(at(data.constants.rStarQuarter).line).toMatchObject({ color: "black", dash: "dash" });
    // every plotted value is positive (log axis)
    for (const t of fig.data) for (const v of t.y as number[]) expect(v).toBeGreaterThan(0);
  });

  test("D: one error-bar trace per report epoch (viridis 0.1…0.9), log–log, legend title Epoch, η_c marked", () => {
    const fig = fig2LearningRateFigure(data);
    expect(fig.data.length).toBe(3);
    expect(fig.data.map((t) => t.name)).toEqual(["1000", "2000", "3000"]);
    expect(fig.data.map((t) => (t.line as { color: string }).color)).toEqual([colormap("viridis", 0.1), colormap("viridis", 0.5), colormap("viridis", 0.9)]);
    for (const t of fig.data) {
      expect((t.error_y as { array: number[] }).array.length).toBe(12);
      for (const v of t.y as number[]) expect(v).toBeGreaterThanOrEqual(FIG2_LOG_FLOOR);
    }
    const layout = fig.layout as Record<string, any>;
    expect(layout.xaxis.type).toBe("log");
    expect(layout.yaxis.type).toBe("log");
    expect(layout.xaxis.title.text).toBe("Learning rate");
    expect(layout.yaxis.title.text).toBe("Loss value");
    expect(layout.legend.title.text).toBe("Epoch");
    expect(layout.shapes.some((s: any) => s.x0 === data.constants.criticalLearningRate && s.x1 === s.x0)).toBe(true);
    // annotations on log axes take log10 coordinates (Plotly convention)
    expect(layout.annotations[0].x).toBeCloseTo(Math.log10(data.constants.criticalLearningRate), 12);
  });

  test("fig2Figures gives A, B, C, D and every figure is plain JSON", () => {
    const figs = fig2Figures(data);
    expect(figs.length).toBe(4);
    for (const f of figs) expect(JSON.parse(JSON.stringify(f))).toEqual(f);
  });
});
