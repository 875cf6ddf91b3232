import { fig1Config, runFig1 } from "../../src/figures/fig1";
import { fig1Figures, fig1SchematicFigure, fig1SliderFigure } from "../../src/display/fig1";
import { COLORS } from "../../src/display/plotly";

const data = runFig1(fig1Config("ci"));

describe("Fig 1 builders", () => {
  test("schematic: two panels, 5 traces each, C0 curves x² ± 0.5, y-range [−1, 2], thin black y = 0 line per panel", () => {
    const fig = fig1SchematicFigure(data);
    expect(fig.data.length).toBe(10);
    const curves = fig.data.filter((t) => t.mode === "lines");
    expect(curves.length).toBe(2);
    for (const c of curves) expect((c.line as { color: string }).color).toBe(COLORS[0]);
    const x = curves[0].x as number[];
    const y0 = curves[0].y as number[];
    const y1 = curves[1].y as number[];
    expect(x.length).toBe(100);
    x.forEach((v, j) => {
      expect(y0[j]).toBeCloseTo(v * v + 0.5, 14);
      expect(y1[j]).toBeCloseTo(v * v - 0.5, 14);
    });
    const layout = fig.layout as Record<string, any>;
    expect(layout.yaxis.range).toEqual([-1, 2]);
    expect(layout.yaxis2.range).toEqual([-1, 2]);
    const zero = (layout.shapes as any[]).filter((s) => s.y0 === 0 && s.y1 === 0 && s.line.color === "black");
    expect(zero.length).toBe(2);
    // r < 0 panel: stable −√0.5 and unstable +√0.5 on the y = 0 line; r > 0 panel: the ghost at (0, 0.5)
    const named = (name: string) => fig.data.filter((t) => t.name === name);
    expect(named("stable fixed point").flatMap((t) => t.x as number[])).toEqual([-Math.sqrt(0.5)]);
    expect(named("unstable fixed point").flatMap((t) => t.x as number[])).toEqual([Math.sqrt(0.5)]);
    expect(named("ghost (bottleneck)").flatMap((t) => t.y as number[])).toEqual([0.5]);
  });

  test("slider: one frame per r, 9 traces each, log–log passage panel, fixed points merge at r = 0", () => {
    const fig = fig1SliderFigure(data);
    expect(fig.frames!.length).toBe(data.config.sliderR.length);
    for (const f of fig.frames!) expect((f.data as unknown[]).length).toBe(9);
    expect(fig.data.length).toBe(9);
    const layout = fig.layout as Record<string, any>;
    expect(layout.xaxis3.type).toBe("log");
    expect(layout.yaxis3.type).toBe("log");
    expect(layout.sliders[0].steps.length).toBe(data.config.sliderR.length);
    const frameOf = (r: number) => fig.frames![data.config.sliderR.indexOf(r)].data as Record<string, any>[];
    const trace = (frame: Record<string, any>[], name: string) => frame.find((t) => t.name === name)!;
    expect(trace(frameOf(0.5), "ghost (bottleneck)").x).toEqual([0]);
    expect(trace(frameOf(0.5), "stable fixed point").x).toEqual([]);
    expect(trace(frameOf(0), "saddle-node (half-stable)").x).toEqual([0]);
    expect(trace(frameOf(-0.5), "stable fixed point").x).toEqual([-Math.sqrt(0.5)]);
    expect(trace(frameOf(-0.5), "current r").x).toEqual([]);
  });

  test("fig1Figures returns both", () => {
    expect(fig1Figures(data).length).toBe(2);
  });
});
