import { fig3Config, Fig3Config, Fig3Data, runFig3High, runFig3Low } from "../../src/figures/fig3";
import {
  fig3EventFlowEpochs, fig3EventFlowFigure, fig3EventSliderFigure, fig3Figures, fig3FlowFigure, fig3FlowSliderFigure,
  fig3GhostFigure, fig3HighGhostFigure, fig3HighLossFigure, fig3Label, fig3LossFigure, fig3LowSliderFigure, fig3Round,
  fig3SliderSnapshots, FIG3_ORANGE,
} from "../../src/display/fig3";
import { COLORS } from "../../src/display/plotly";
import { expectGhost } from "../property/helpers";

// Small but real data (builders do not depend on the sizes): a short low-lr run and the seed-40 high-lr run analysed
// from epoch 4800 and stopped 5 epochs after its saddle-node event (epoch 4868; 4870 with GHOST_KERNELS=js).
const paper = fig3Config("paper");
const config: Fig3Config = {
  ...paper,
  low: { ...paper.low, epochs: 1500, snapshotEvery: 500, flowPanelEpochs: [0, 500, 1000], plotBuckets: 50 },
  high: { ...paper.high, analysisStart: 4800, stopAfterEvent: 5 },
};
const data: Fig3Data = { config, low: runFig3Low(config), high: runFig3High(config) };
const noEvent = runFig3High({ ...config, high: { ...config.high, epochs: 20, analysisStart: 0 } });

type Shape = { type: string; x0: number; x1: number; y0: number; y1: number; xref: string; yref: string; line: { color: string; dash: string } };
const shapesOf = (fig: { layout: Record<string, unknown> }) => (fig.layout.shapes ?? []) as Shape[];
const zeroLines = (fig: { layout: Record<string, unknown> }) => shapesOf(fig).filter((s) => s.y0 === 0 && s.y1 === 0 && s.x0 === 0 && s.x1 === 1);
const thresholdLines = (fig: { layout: Record<string, unknown> }) => shapesOf(fig).filter((s) => s.x0 === 1 && s.x1 === 1 && s.y0 === 0 && s.y1 === 1);

describe("Fig 3 builders", () => {
  test("labels count updates: epoch e → e + 1 with thousands separators", () => {
    expect(fig3Label(0)).toBe("1");
    expect(fig3Label(200_000)).toBe("200,001");
    expect(fig3Label(5162)).toBe("5,163");
    expect(fig3Round([1.234567, NaN, 1e-20 / 3])).toEqual([1.2346, null, 3.3333e-21]);
  });

  test("3A: loss/max (C0) and grad/max (C1, opacity 0.5) at x = epoch + 1, semilog-y with y ∈ [1e-6, 5]", () => {
    const fig = fig3LossFigure(data.low);
    expect(fig.data.length).toBe(2);
    const [loss, grad] = fig.data as Record<string, any>[];
    expect(loss.line.color).toBe(COLORS[0]);
    expect(grad.line.color).toBe(COLORS[1]);
    expect(grad.opacity).toBe(0.5);
    expect(loss.opacity).toBeUndefined();
    expect(loss.x[0]).toBe(1);
    expect(loss.y[0]).toBeCloseTo(data.low.loss.value[0] / data.low.lossMax, 4);
    for (const t of [loss, grad]) for (const v of t.y) expect(v === null || (v > 0 && v <= 1)).toBe(true);
    const y = fig.layout.yaxis as Record<string, any>;
    expect(y.type).toBe("log");
    expect(y.range[0]).toBeCloseTo(-6, 12);
    expect(y.range[1]).toBeCloseTo(Math.log10(5), 12);
  });

  test("3B: 3 flows (C0, C1, C2) in two panels, red κ₀ markers, black dashed y = 0 and orange dashed κ = 1 in each panel", () => {
    const fig = fig3FlowFigure(data.low);
    expect(fig.data.length).toBe(2 * 3 + 2 + 1);
    const flows = fig.data.filter((t) => t.mode === "lines" && !t.xaxis) as Record<string, any>[];
    expect(flows.map((t) => t.name)).toEqual(["1", "501", "1,001"]);
    expect(flows.map((t) => t.line.color)).toEqual([COLORS[0], COLORS[1], COLORS[2]]);
    expect(flows[0].x.length).toBe(600);
    const k0 = fig.data.filter((t) => t.mode === "markers") as Record<string, any>[];
    expect(k0.length).toBe(2);
    for (const t of k0) {
      expect(t.marker.color).toBe("red");
      expect(t.y).toEqual([0, 0, 0]);
    }
    const layout = fig.layout as Record<string, any>;
    expect(layout.xaxis.title.text).toBe("kappa");
    expect(layout.yaxis.title.text).toBe("dkappa/dt");
    expect(layout.xaxis.range[0]).toBeCloseTo(-9, 1);
    expect(layout.xaxis.range[1]).toBeCloseTo(9, 1);
    expect(zeroLines(fig).length).toBe(2);
    for (const s of zeroLines(fig)) expect(s.line).toMatchObject({ color: "black", dash: "dash" });
    expect(thresholdLines(fig).length).toBe(2);
    for (const s of thresholdLines(fig)) expect(s.line).toMatchObject({ color: FIG3_ORANGE, dash: "dash" });
    expect(thresholdLines(fig).map((s) => s.xref).sort()).toEqual(["x", "x2"]);
  });

  test("slider over the low-lr snapshots: one frame per snapshot, 5 traces each, labels = updates, threshold lines", () => {
    const fig = fig3LowSliderFigure(data.low);
    expect(fig.frames?.length).toBe(data.low.snapshots.length);
    for (const f of fig.frames ?? []) expect((f.data as unknown[]).length).toBe(5);
    const steps = ((fig.layout.sliders as any[])[0].steps as { label: string }[]).map((s) => s.label);
    expect(steps).toEqual(data.low.snapshots.map((s) => fig3Label(s.epoch)));
    expect(zeroLines(fig).length).toBe(1);
    expect(thresholdLines(fig).length).toBe(1);
  });

  test("slider frame selection keeps every dense snapshot and thins the regular ones to the budget", () => {
    const s = data.low.snapshots[0];
    const snaps = [
      ...Array.from({ length: 500 }, (_, i) => ({ ...s, epoch: i * 1000, dense: false })),
      ...Array.from({ length: 30 }, (_, i) => ({ ...s, epoch: 31_000 + 20 * i + 10, dense: true })),
    ];
    const kept = fig3SliderSnapshots(snaps, 100);
    expect(kept.length).toBeLessThanOrEqual(100);
    expect(kept.filter((x) => x.dense).length).toBe(30);
    expect(kept[0].epoch).toBe(0);
    expect(kept[kept.length - 1].epoch).toBe(499_000);
    for (let i = 1; i < kept.length; i++) expect(kept[i].epoch).toBeGreaterThan(kept[i - 1].epoch);
    expect(fig3FlowSliderFigure(data.low.kappa, snaps, { maxFrames: 100 }).frames?.length).toBe(kept.length);
  });

  test("ghost panel: h (left) and fixed-point counts (right axis), dashed h = 0", () => {
    const fig = fig3GhostFigure(data.low);
    expect(fig.data.length).toBe(3);
    expect(fig.data.slice(1).map((t) => t.yaxis)).toEqual(["y2", "y2"]);
    expect((fig.layout.yaxis2 as Record<string, unknown>).overlaying).toBe("y");
    expect(shapesOf(fig)[0]).toMatchObject({ y0: 0, y1: 0, line: { dash: "dash" } });
  });

  test("3C: normalised loss and gradient (log y, [1e-6, 5], gradient opacity 0.5) plus a linear zoom with lines at the 3D epochs", () => {
    const fig = fig3HighLossFigure(data.high);
    expect(fig.data.length).toBe(3);
    const layout = fig.layout as Record<string, any>;
    expect(layout.yaxis.type).toBe("log");
    expect(layout.yaxis.range[0]).toBeCloseTo(-6, 12);
    expect((fig.data[1] as Record<string, unknown>).opacity).toBe(0.5);
    expect(layout.yaxis2.type).toBeUndefined();
    const ev = data.high.saddleNode!;
    expect(layout.xaxis2.range).toEqual([ev.epoch - 200 + 1, data.high.epochsRun]);
    const lines = shapesOf(fig);
    expect(lines.map((s) => s.x0)).toEqual([ev.epoch - 1 + 1, ev.epoch + 1, ev.epoch + 3 + 1]);
    for (const s of lines) expect(s).toMatchObject({ xref: "x2", yref: "y2 domain" });
  });

  test("3D: flows just before / at / after the event, y ∈ [−1, 3], κ₀ in red, the event's fixed points (2 stable, 1 unstable)", () => {
    const fig = fig3EventFlowFigure(data.high);
    expect(fig.data.length).toBe(6);
    const ev = data.high.saddleNode!;
    expect(fig3EventFlowEpochs(data.high)).toEqual([ev.epoch - 1, ev.epoch, ev.epoch + 3]);
    expect(fig.data.slice(0, 3).map((t) => (t.name as string).split(" ")[0])).toEqual([fig3Label(ev.epoch - 1), fig3Label(ev.epoch), fig3Label(ev.epoch + 3)]);
    const layout = fig.layout as Record<string, any>;
    expect(layout.yaxis.range).toEqual([-1, 3]);
    expect((fig.data[3] as Record<string, any>).marker.color).toBe("red");
    expect(((fig.data[4] as Record<string, any>).x as number[]).length).toBe(2);
    expect(((fig.data[5] as Record<string, any>).x as number[]).length).toBe(1);
    expect(zeroLines(fig).length).toBe(1);
    expect(thresholdLines(fig)[0].line).toMatchObject({ color: FIG3_ORANGE, dash: "dash" });
  });

  test("event slider and per-epoch panel of the high-lr run", () => {
    const slider = fig3EventSliderFigure(data.high);
    expect(slider).not.toBeNull();
    expect(slider!.frames?.length).toBe(data.high.eventFlows.length);
    expect((slider!.layout.yaxis as Record<string, unknown>).range).toEqual([-1, 3]);
    const fig = fig3HighGhostFigure(data.high);
    expect(fig.data.length).toBe(2);
    expect((fig.data[0].x as number[])[0]).toBe(config.high.analysisStart + 1); // plotted at the paper's label e + 1
  });

  test("fig3Figures: 8 figures with an event; without one, 3D has no traces and the event slider is left out", () => {
    expect(fig3Figures(data).length).toBe(8);
    expect(noEvent.saddleNode).toBeNull();
    expect(fig3EventFlowFigure(noEvent).data.length).toBe(0);
    expect(fig3EventSliderFigure(noEvent)).toBeNull();
    expect(fig3HighLossFigure(noEvent).data.length).toBe(2);
    expect(fig3Figures({ ...data, high: noEvent }).length).toBe(7);
    // every figure is plain JSON
    for (const f of fig3Figures(data)) expect(JSON.parse(JSON.stringify(f))).toEqual(f);
  });

  test("bad input: a GhostError naming the field (missing loss, a flow-panel epoch without snapshot, short loss, bad options)", () => {
    const noLoss = { ...data.low, loss: undefined } as unknown as typeof data.low;
    const e = expectGhost(() => fig3LossFigure(noLoss), "low.loss", "3A without loss");
    expect(e.parameter).toBe("low.loss");
    expect(e.message).toMatch(/^low\.loss = undefined is not allowed: expected a series \{ epoch: number\[\], value: number\[\] \}/);
    expectGhost(() => fig3Figures({ ...data, low: noLoss }), "data.low.loss", "fig3Figures without low.loss");
    const badPanel = { ...data.low, config: { ...data.low.config, low: { ...data.low.config.low, flowPanelEpochs: [0, 123] } } };
    expectGhost(() => fig3FlowFigure(badPanel), "low.config.low.flowPanelEpochs[1]", "3B at an epoch with no snapshot");
    expectGhost(() => fig3HighLossFigure({ ...data.high, loss: data.high.loss.slice(1) }), "high.loss", "3C with a short loss array");
    const brokenSnapshot = { ...data.low.snapshots[1], dkappaDt: data.low.snapshots[1].dkappaDt.slice(1) };
    expectGhost(() => fig3GhostFigure({ ...data.low, snapshots: [data.low.snapshots[0], brokenSnapshot] }), "low.snapshots[1].dkappaDt", "ghost panel");
    expectGhost(() => fig3LowSliderFigure(data.low, { maxFrames: 0 }), "opts.maxFrames", "slider with maxFrames 0");
    expectGhost(() => fig3FlowSliderFigure(data.low.kappa, []), "snapshots", "slider without snapshots");
    expectGhost(() => fig3Label(0.5), "epoch", "fractional epoch label");
    // NaN inside plotted data is legitimate (a diverged run): no error, a gap in the plot
    const nanLoss = { ...data.low, loss: { ...data.low.loss, value: data.low.loss.value.map((v, i) => (i === 3 ? NaN : v)) } };
    expect(fig3LossFigure(nanLoss).data[0].y).toContain(null);
  });
});
