/**
 * Figure 2 builders (spec A3, A4, D5): (A) the toy loss landscape, (B) loss and (C) r during gradient descent at
 * two learning rates, (D) loss vs learning rate at several epochs. Pure: Fig2Data → Plotly figures.
 */
import type { Fig2Data } from "../figures/fig2";
import { COLORS, colormapSamples, hline, PlotlyFigure, PlotlyTrace, vline } from "./plotly";
import { requireFinite, requireNumber, requireNumberMatrix, requireNumbers, requireObject, requirePositive } from "../core/errors";
import { requireArray } from "./validate";

const FIG2_DATA = "a Fig2Data object (see figures.runFig2)";

/**
 * Checks the fields of Fig2Data the builders read (GhostError naming the path): constants.rStar and rStarQuarter
 * finite > 0, constants.criticalLearningRate finite > 0; landscape r, analytic and every simulated[k].loss number
 * arrays of one length (confidence a number); runs[k] with a number learningRate and number arrays r and loss;
 * sweep learningRates and reportEpochs number arrays, meanLoss and semLoss [reportEpochs][learningRates] number
 * matrices (NaN/±Infinity allowed inside data arrays).
 */
function checkFig2Data(value: unknown, name = "data"): asserts value is Fig2Data {
  const d = requireObject(name, value, FIG2_DATA);
  const c = requireObject(`${name}.constants`, d.constants, "a Fig2Constants object");
  requirePositive(`${name}.constants.rStar`, c.rStar);
  requirePositive(`${name}.constants.rStarQuarter`, c.rStarQuarter);
  requirePositive(`${name}.constants.criticalLearningRate`, c.criticalLearningRate);
  const land = requireObject(`${name}.landscape`, d.landscape, "an object { r, analytic, simulated }");
  const n = requireNumbers(`${name}.landscape.r`, land.r).length;
  requireNumbers(`${name}.landscape.analytic`, land.analytic, { length: n });
  requireArray(`${name}.landscape.simulated`, land.simulated, "{ confidence, loss } curves").forEach((sim, k) => {
    const sc = requireObject(`${name}.landscape.simulated[${k}]`, sim, "an object { confidence: number, loss: number[] }");
    requireNumber(`${name}.landscape.simulated[${k}].confidence`, sc.confidence);
    requireNumbers(`${name}.landscape.simulated[${k}].loss`, sc.loss, { length: n });
  });
  requireArray(`${name}.runs`, d.runs, "Fig2Run objects").forEach((run, k) => {
    const r = requireObject(`${name}.runs[${k}]`, run, "a Fig2Run { learningRate, r, loss, … }");
    requireNumber(`${name}.runs[${k}].learningRate`, r.learningRate);
    requireNumbers(`${name}.runs[${k}].r`, r.r);
    requireNumbers(`${name}.runs[${k}].loss`, r.loss);
  });
  const s = requireObject(`${name}.sweep`, d.sweep, "a learning-rate sweep { learningRates, reportEpochs, meanLoss, semLoss, … }");
  const lrs = requireNumbers(`${name}.sweep.learningRates`, s.learningRates).length;
  const epochs = requireNumbers(`${name}.sweep.reportEpochs`, s.reportEpochs, { finite: true }).length;
  requireNumberMatrix(`${name}.sweep.meanLoss`, s.meanLoss, epochs, lrs);
  requireNumberMatrix(`${name}.sweep.semLoss`, s.semLoss, epochs, lrs);
  requireFinite(`${name}.sweep.instances`, s.instances);
}

/** Matplotlib's named colour "orange" (the authors' r* line in panel A). */
const ORANGE = "#ffa500";

/** Floor used on log axes (spec D4: log axes need positive values; clip at the axis floor). */
export const FIG2_LOG_FLOOR = 1e-6;

function fmt(v: number): string {
  return v.toExponential(1).replace("e-", "e−");
}

/**
 * Panel A: analytic L(r) (black line) and the simulated loss as scatter, c = 0.1 in C0 and c = 1 in C1 (one trace
 * per confidence, colours cycling C0, C1, …), a dashed orange vertical line at r*; linear axes. Accepts Fig2Data
 * as produced by runFig2 (shape checked, GhostError naming the field otherwise).
 */
export function fig2LandscapeFigure(data: Fig2Data): PlotlyFigure {
  checkFig2Data(data);
  const { r, analytic, simulated } = data.landscape;
  const traces: PlotlyTrace[] = [
    { type: "scatter", mode: "lines", name: "analytic L(r) (c → ∞)", x: r, y: analytic, line: { color: "black", width: 1.5 } },
    ...simulated.map((s, k) => ({
      type: "scatter", mode: "markers", name: `simulated, c = ${s.confidence}`, x: r, y: s.loss,
      marker: { color: COLORS[k % COLORS.length], size: 5 },
    })),
  ];
  return {
    data: traces,
    layout: {
      title: { text: "Fig 2A: toy loss landscape — analytic vs simulated (dt = 0.1, x* = 10)" },
      xaxis: { title: { text: "r" }, exponentformat: "e" },
      yaxis: { title: { text: "Loss" } },
      shapes: [vline(data.constants.rStar, { color: ORANGE, dash: "dash", width: 1.5 })],
      annotations: [
        { x: data.constants.rStar, y: 1.04, xref: "x", yref: "paper", text: "r*", showarrow: false, font: { color: ORANGE } },
      ],
      legend: { x: 0.6, y: 0.95 },
    },
  };
}

/**
 * Panel B: loss L(r_k) vs epoch for each run (C0 for the first η, C1 for the second, …), linear axes. Accepts
 * Fig2Data as produced by runFig2 (shape checked).
 */
export function fig2LossFigure(data: Fig2Data): PlotlyFigure {
  checkFig2Data(data);
  const traces: PlotlyTrace[] = data.runs.map((run, k) => ({
    type: "scatter", mode: "lines", name: `η = ${fmt(run.learningRate)}`, x: run.loss.map((_, i) => i), y: run.loss,
    line: { color: COLORS[k % COLORS.length], width: 1.5 },
  }));
  return {
    data: traces,
    layout: {
      title: { text: "Fig 2B: loss during gradient descent on r (r₀ = 10 r*)" },
      xaxis: { title: { text: "Epoch" } },
      yaxis: { title: { text: "Loss" }, range: [-0.03, 1.05] },
    },
  };
}

/**
 * Panel C: r_k vs epoch (log y) for each run, with r* as a black solid and r* /4 as a black dashed horizontal
 * line. Values ≤ 0 (never produced by these runs) would be clipped at the floor. Accepts Fig2Data as produced
 * by runFig2 (shape checked).
 */
export function fig2RFigure(data: Fig2Data): PlotlyFigure {
  checkFig2Data(data);
  const { rStar, rStarQuarter } = data.constants;
  const traces: PlotlyTrace[] = data.runs.map((run, k) => ({
    type: "scatter", mode: "lines", name: `η = ${fmt(run.learningRate)}`, x: run.r.map((_, i) => i),
    y: run.r.map((v) => Math.max(v, rStar * 1e-3)), line: { color: COLORS[k % COLORS.length], width: 1.5 },
  }));
  return {
    data: traces,
    layout: {
      title: { text: "Fig 2C: r during gradient descent (r* solid, r*/4 dashed)" },
      xaxis: { title: { text: "Epoch" } },
      yaxis: { title: { text: "r" }, type: "log", exponentformat: "e" },
      shapes: [hline(rStar, { color: "black", dash: "solid" }), hline(rStarQuarter, { color: "black", dash: "dash" })],
      annotations: [
        { x: 1.0, xref: "paper", y: Math.log10(rStar), yref: "y", text: "r*", showarrow: false, xanchor: "left" },
        { x: 1.0, xref: "paper", y: Math.log10(rStarQuarter), yref: "y", text: "r*/4", showarrow: false, xanchor: "left" },
      ],
    },
  };
}

/**
 * Panel D: mean ± SEM loss vs learning rate, one error-bar trace per report epoch coloured viridis at
 * linspace(0.1, 0.9, n) (1000 dark purple … 10000 yellow), log–log, legend title "Epoch", with the critical
 * learning rate η_c marked by a dotted vertical line. Means are clipped at {@link FIG2_LOG_FLOOR} for the log axis.
 * Accepts Fig2Data as produced by runFig2 (shape checked; at most 100000 report epochs).
 */
export function fig2LearningRateFigure(data: Fig2Data): PlotlyFigure {
  checkFig2Data(data);
  const s = data.sweep;
  const colours = colormapSamples("viridis", s.reportEpochs.length, 0.1, 0.9);
  const traces: PlotlyTrace[] = s.reportEpochs.map((epoch, j) => ({
    type: "scatter", mode: "lines", name: String(epoch), x: s.learningRates,
    y: s.meanLoss[j].map((v) => Math.max(v, FIG2_LOG_FLOOR)),
    error_y: { type: "data", array: s.semLoss[j], visible: true, thickness: 1, width: 2, color: colours[j] },
    line: { color: colours[j], width: 1.5 },
  }));
  const ac = data.constants.criticalLearningRate;
  return {
    data: traces,
    layout: {
      title: { text: `Fig 2D: loss vs learning rate (${s.instances} instances per η, mean ± SEM)` },
      xaxis: { title: { text: "Learning rate" }, type: "log", exponentformat: "e" },
      yaxis: { title: { text: "Loss value" }, type: "log", exponentformat: "e" },
      legend: { title: { text: "Epoch" } },
      shapes: [vline(ac, { color: "black", dash: "dot", width: 1.5 })],
      annotations: [{ x: Math.log10(ac), xref: "x", y: 1.04, yref: "paper", text: `η_c = ${fmt(ac)}`, showarrow: false }],
    },
  };
}

/** All Fig 2 panels: A (landscape), B (loss), C (r), D (loss vs learning rate). Accepts Fig2Data (shape checked). */
export function fig2Figures(data: Fig2Data): PlotlyFigure[] {
  checkFig2Data(data);
  return [fig2LandscapeFigure(data), fig2LossFigure(data), fig2RFigure(data), fig2LearningRateFigure(data)];
}
