/**
 * Figure 2 builders (spec A3, A4, D5): (A) the toy loss landscape, (B) loss and (C) r during gradient descent at
 * two learning rates, (D) loss vs learning rate at several epochs. Pure: Fig2Data → Plotly figures.
 */
import type { Fig2Data } from "../experiments/fig2";
import { COLORS, colormapSamples, hline, PlotlyFigure, PlotlyTrace, vline } from "./plotly";

/** Matplotlib's named colour "orange" (the authors' r* line in panel A). */
const ORANGE = "#ffa500";

/** Floor used on log axes (spec D4: log axes need positive values; clip at the axis floor). */
export const FIG2_LOG_FLOOR = 1e-6;

function fmt(v: number): string {
  return v.toExponential(1).replace("e-", "e−");
}

/**
 * Panel A: analytic L(r) (black line) and the simulated loss as scatter, c = 0.1 in C0 and c = 1 in C1 (one trace
 * per confidence, colours cycling C0, C1, …), a dashed orange vertical line at r*; linear axes.
 */
export function fig2LandscapeFigure(data: Fig2Data): PlotlyFigure {
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

/** Panel B: loss L(r_k) vs epoch for each run (C0 for the first α, C1 for the second, …), linear axes. */
export function fig2LossFigure(data: Fig2Data): PlotlyFigure {
  const traces: PlotlyTrace[] = data.runs.map((run, k) => ({
    type: "scatter", mode: "lines", name: `α = ${fmt(run.learningRate)}`, x: run.loss.map((_, i) => i), y: run.loss,
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
 * line. Values ≤ 0 (never produced by these runs) would be clipped at the floor.
 */
export function fig2RFigure(data: Fig2Data): PlotlyFigure {
  const { rStar, rStarQuarter } = data.constants;
  const traces: PlotlyTrace[] = data.runs.map((run, k) => ({
    type: "scatter", mode: "lines", name: `α = ${fmt(run.learningRate)}`, x: run.r.map((_, i) => i),
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
 * learning rate α_c marked by a dotted vertical line. Means are clipped at {@link FIG2_LOG_FLOOR} for the log axis.
 */
export function fig2LearningRateFigure(data: Fig2Data): PlotlyFigure {
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
      title: { text: `Fig 2D: loss vs learning rate (${s.instances} instances per α, mean ± SEM)` },
      xaxis: { title: { text: "Learning rate" }, type: "log", exponentformat: "e" },
      yaxis: { title: { text: "Loss value" }, type: "log", exponentformat: "e" },
      legend: { title: { text: "Epoch" } },
      shapes: [vline(ac, { color: "black", dash: "dot", width: 1.5 })],
      annotations: [{ x: Math.log10(ac), xref: "x", y: 1.04, yref: "paper", text: `α_c = ${fmt(ac)}`, showarrow: false }],
    },
  };
}

/** All Fig 2 panels: A (landscape), B (loss), C (r), D (loss vs learning rate). */
export function fig2Figures(data: Fig2Data): PlotlyFigure[] {
  return [fig2LandscapeFigure(data), fig2LossFigure(data), fig2RFigure(data), fig2LearningRateFigure(data)];
}
