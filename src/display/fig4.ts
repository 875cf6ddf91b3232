/**
 * Figure 4 builders (spec A7): mean accuracy / gradient norm of the stuck networks around the confidence switch,
 * one colour per confidence (viridis_r on log10 c), and the "why it works" panels of one stuck network.
 * Pure: Fig4Data → Plotly figures.
 */
import type { Fig4Data, Fig4Curve } from "../figures/fig4";
import { COLORS, colormap, hline, vline, PlotlyFigure, PlotlyTrace } from "./plotly";
import { requireFinite, requireNumber, requireNumbers, requireObject, requirePositive } from "../core/errors";
import { requireArray } from "./validate";

/** A flow of the "why" panels: kappa and dkappaDt of one length, kappa0 a number, fixedPoints numbers. */
function checkFlow(name: string, value: unknown): Record<string, unknown> {
  const f = requireObject(name, value, "a flow { kappa, dkappaDt, kappa0, fixedPoints, … }");
  const n = requireNumbers(`${name}.kappa`, f.kappa).length;
  requireNumbers(`${name}.dkappaDt`, f.dkappaDt, { length: n });
  requireNumber(`${name}.kappa0`, f.kappa0);
  requireNumbers(`${name}.fixedPoints`, f.fixedPoints);
  return f;
}

/**
 * Checks the fields of Fig4Data the builders read (GhostError naming the path): config { confidence: finite > 0,
 * epochs, ablationEpochs, plotFrom: finite }; counts.selected (a number); before and every curves[k] with epoch,
 * accuracyMean, accuracySem, gradNormMean, gradNormSem number arrays (NaN allowed; the means are empty when no
 * network was selected); curves[k].confidence finite > 0; example null or { seed, stuckFlow, rescuedFlow
 * (+ confidence), gradientVsConfidence { confidence, gradNorm } of equal lengths }.
 */
function checkFig4Data(value: unknown, name = "data"): asserts value is Fig4Data {
  const d = requireObject(name, value, "a Fig4Data object (see figures.runFig4)");
  const c = requireObject(`${name}.config`, d.config, "a Fig4Config");
  requirePositive(`${name}.config.confidence`, c.confidence);
  requireFinite(`${name}.config.epochs`, c.epochs);
  requireFinite(`${name}.config.ablationEpochs`, c.ablationEpochs);
  requireFinite(`${name}.config.plotFrom`, c.plotFrom);
  const counts = requireObject(`${name}.counts`, d.counts, "an object { total, learned, stuck, selected, diverged }");
  requireNumber(`${name}.counts.selected`, counts.selected);
  const curve = (path: string, v: unknown, what: string) => {
    const r = requireObject(path, v, what);
    requireNumbers(`${path}.epoch`, r.epoch);
    // (no length check: with no selected network the means are empty while the epochs are not)
    for (const k of ["accuracyMean", "accuracySem", "gradNormMean", "gradNormSem"]) requireNumbers(`${path}.${k}`, r[k]);
    return r;
  };
  curve(`${name}.before`, d.before, "an object { epoch, accuracyMean, accuracySem, gradNormMean, gradNormSem }");
  requireArray(`${name}.curves`, d.curves, "Fig4Curve objects").forEach((v, k) => {
    const r = curve(`${name}.curves[${k}]`, v, "a Fig4Curve { confidence, epoch, accuracyMean, accuracySem, gradNormMean, gradNormSem }");
    requirePositive(`${name}.curves[${k}].confidence`, r.confidence);
  });
  if (d.example !== null) {
    const ex = requireObject(`${name}.example`, d.example, "null or a Fig4Example { seed, stuckFlow, rescuedFlow, gradientVsConfidence }");
    requireNumber(`${name}.example.seed`, ex.seed);
    checkFlow(`${name}.example.stuckFlow`, ex.stuckFlow);
    const rescued = checkFlow(`${name}.example.rescuedFlow`, ex.rescuedFlow);
    requireNumber(`${name}.example.rescuedFlow.confidence`, rescued.confidence);
    const g = requireObject(`${name}.example.gradientVsConfidence`, ex.gradientVsConfidence, "an object { confidence: number[], gradNorm: number[] }");
    const n = requireNumbers(`${name}.example.gradientVsConfidence.confidence`, g.confidence).length;
    requireNumbers(`${name}.example.gradientVsConfidence.gradNorm`, g.gradNorm, { length: n });
  }
}

/**
 * The ten confidences the paper plots: logspace(−3, 1, 30)[2::3]. Accepts Fig4Data as produced by runFig4 (shape
 * checked, GhostError naming the field otherwise).
 */
export function fig4PlottedCurves(data: Fig4Data): Fig4Curve[] {
  checkFig4Data(data);
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

/** Accuracy panel (Fig 4 left). Accepts Fig4Data as produced by runFig4 (shape checked). */
export function fig4AccuracyFigure(data: Fig4Data): PlotlyFigure {
  checkFig4Data(data);
  return panel(data, "accuracy");
}

/** Gradient-norm panel (Fig 4 right, log y). Accepts Fig4Data as produced by runFig4 (shape checked). */
export function fig4GradientFigure(data: Fig4Data): PlotlyFigure {
  checkFig4Data(data);
  return panel(data, "gradNorm");
}

/**
 * Why it works: the stuck network's flow before and after rescue, and its gradient norm vs c ([] without an
 * example). Accepts Fig4Data as produced by runFig4 (shape checked).
 */
export function fig4WhyFigures(data: Fig4Data): PlotlyFigure[] {
  checkFig4Data(data);
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

/** Every Fig 4 figure, in order. Accepts Fig4Data as produced by runFig4 (shape checked). */
export function fig4Figures(data: Fig4Data): PlotlyFigure[] {
  checkFig4Data(data);
  return [fig4AccuracyFigure(data), fig4GradientFigure(data), ...fig4WhyFigures(data)];
}
