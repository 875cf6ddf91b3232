/**
 * Figure 4 builders (spec A7): mean accuracy / gradient norm of the stuck networks around the confidence switch,
 * one colour per confidence (viridis_r on log10 c), and the "why it works" panels of one stuck network.
 * Pure: Fig4Data → Plotly figures.
 */
import type { Fig4Data, Fig4Curve } from "../experiments/fig4";
import { COLORS, colormap, hline, vline, PlotlyFigure, PlotlyTrace } from "./plotly";

/** The ten confidences the paper plots: logspace(−3, 1, 30)[2::3]. */
export function fig4PlottedCurves(data: Fig4Data): Fig4Curve[] {
  return data.curves.filter((_, k) => k % 3 === 2);
}

function confidenceColour(c: number, curves: Fig4Curve[]): string {
  const logs = curves.map((x) => Math.log10(x.confidence));
  const lo = Math.min(...logs), hi = Math.max(...logs);
  return colormap("viridis_r", hi > lo ? (Math.log10(c) - lo) / (hi - lo) : 0);
}

function errorEvery(values: number[], every: number, offset: number): number[] {
  // SEM bars every `every` epochs (offset by the curve index, as the authors do), others hidden (NaN → no bar)
  return values.map((v, i) => ((i + offset) % every === 0 ? v : NaN));
}

function panel(data: Fig4Data, metric: "accuracy" | "gradNorm"): PlotlyFigure {
  const curves = fig4PlottedCurves(data);
  const before = data.before;
  const mean = metric === "accuracy" ? before.accuracyMean : before.gradNormMean;
  const sem = metric === "accuracy" ? before.accuracySem : before.gradNormSem;
  const traces: PlotlyTrace[] = [
    {
      type: "scatter", mode: "lines", name: `c = ${data.config.confidence} (training)`, x: before.epoch, y: mean,
      line: { color: "black", width: 1.5 }, opacity: 0.7,
      error_y: { type: "data", array: errorEvery(sem, 10, 0), visible: true, thickness: 0.8, width: 0, color: "black" },
    },
  ];
  curves.forEach((c, k) => {
    traces.push({
      type: "scatter", mode: "lines", name: c.confidence.toPrecision(3), x: c.epoch,
      y: metric === "accuracy" ? c.accuracyMean : c.gradNormMean,
      line: { color: confidenceColour(c.confidence, curves), width: 2 },
      error_y: { type: "data", array: errorEvery(metric === "accuracy" ? c.accuracySem : c.gradNormSem, 10, k), visible: true, thickness: 0.8, width: 0 },
    });
  });
  const E = data.config.epochs;
  return {
    data: traces,
    layout: {
      title: { text: metric === "accuracy"
        ? `Fig 4: lowering the confidence rescues stuck networks (${data.counts.selected} networks)`
        : "Fig 4: gradient norm before and after the switch" },
      xaxis: { title: { text: "Number of epochs" }, range: [data.config.plotFrom, E + data.config.ablationEpochs] },
      yaxis: metric === "accuracy" ? { title: { text: "Accuracy" }, range: [0.4, 1.02] } : { title: { text: "Gradient norm" }, type: "log", exponentformat: "power" },
      legend: { title: { text: "Confidence c" } },
      shapes: [vline(E, { color: "red", dash: "dash" })],
      height: 480,
    },
  };
}

/** Accuracy panel (Fig 4 left). */
export function fig4AccuracyFigure(data: Fig4Data): PlotlyFigure {
  return panel(data, "accuracy");
}

/** Gradient-norm panel (Fig 4 right, log y). */
export function fig4GradientFigure(data: Fig4Data): PlotlyFigure {
  return panel(data, "gradNorm");
}

/** Why it works: the stuck network's flow before and after rescue, and its gradient norm vs c. */
export function fig4WhyFigures(data: Fig4Data): PlotlyFigure[] {
  const ex = data.example;
  if (!ex) return [];
  const flow: PlotlyFigure = {
    data: [
      { type: "scatter", mode: "lines", name: `stuck (c = ${data.config.confidence}, ${ex.stuckFlow.fixedPoints.length} fixed points)`, x: ex.stuckFlow.kappa, y: ex.stuckFlow.dkappaDt, line: { color: COLORS[3] } },
      { type: "scatter", mode: "lines", name: `after ${data.config.ablationEpochs} epochs at c = ${ex.rescuedFlow.confidence.toPrecision(3)}`, x: ex.rescuedFlow.kappa, y: ex.rescuedFlow.dkappaDt, line: { color: COLORS[2] } },
      { type: "scatter", mode: "markers", name: "fixed points (stuck)", x: ex.stuckFlow.fixedPoints, y: ex.stuckFlow.fixedPoints.map(() => 0), marker: { color: COLORS[3], size: 9, symbol: "circle-open" } },
      { type: "scatter", mode: "markers", name: "κ₀", x: [ex.stuckFlow.kappa0, ex.rescuedFlow.kappa0], y: [0, 0], marker: { color: "red", size: 9 } },
    ],
    layout: {
      title: { text: `Network ${ex.seed}: fixed points below threshold trap it; retraining at low c removes them` },
      xaxis: { title: { text: "kappa" }, range: [-3, 3] }, yaxis: { title: { text: "dkappa/dt" }, range: [-1, 1.5] },
      shapes: [hline(0, { dash: "dash" }), vline(1, { color: COLORS[1], dash: "dash" })],
      height: 440,
    },
  };
  const grad: PlotlyFigure = {
    data: [{ type: "scatter", mode: "lines+markers", name: "‖∇‖ of the stuck network", x: ex.gradientVsConfidence.confidence, y: ex.gradientVsConfidence.gradNorm, line: { color: COLORS[0] } }],
    layout: {
      title: { text: "Same parameters, different confidence: the gradient grows by orders of magnitude as c falls" },
      xaxis: { title: { text: "Confidence c" }, type: "log", exponentformat: "power" },
      yaxis: { title: { text: "Gradient norm" }, type: "log", exponentformat: "power" },
      shapes: [vline(data.config.confidence, { color: "red", dash: "dash" })],
      height: 420,
    },
  };
  return [flow, grad];
}

/** Every Fig 4 figure, in order. */
export function fig4Figures(data: Fig4Data): PlotlyFigure[] {
  return [fig4AccuracyFigure(data), fig4GradientFigure(data), ...fig4WhyFigures(data)];
}
