/**
 * Figure S1 builders (spec A8, D5): mean ± SEM loss vs learning rate at several epochs for the rank-one RNN, and
 * the outcome of every run per learning rate. Pure: FigS1Data → Plotly figures. The loss-vs-learning-rate panel
 * is generic over any learning-rate sweep (also used for the trainable-rank figure).
 */
import type { FigS1Data } from "../figures/figS1";
import type { LrSweepData } from "../protocols/lrSweep";
import { COLORS, colormapSamples, PlotlyFigure, PlotlyTrace } from "./plotly";
import { requireBoolean, requireObject, requireOptions } from "../core/errors";
import { checkLrSweep, requireOptionalString, requireString } from "./validate";

/** Checks the fields of FigS1Data the builders read: a record whose `sweep` is an LrSweepData (see checkLrSweep). */
function checkFigS1Data(value: unknown, name = "data"): asserts value is FigS1Data {
  const d = requireObject(name, value, "a FigS1Data object (see figures.runFigS1)");
  checkLrSweep(`${name}.sweep`, d.sweep);
}

/** Bottom of the log loss axis (the paper's ylim [1e-7, 3]); plotted means are clipped here. */
export const S1_LOSS_FLOOR = 1e-7;
/** Top of the log loss axis (the paper's ylim). */
export const S1_LOSS_CEILING = 3;

/** Plotly-safe number: finite values as they are (clipped at `floor`), anything else null (a gap). */
function finiteOrNull(v: number, floor = -Infinity): number | null {
  return Number.isFinite(v) ? Math.max(v, floor) : null;
}

/**
 * One error-bar trace per report epoch: mean loss vs learning rate with SEM bars, coloured `autumn` at
 * linspace(0.1, 0.9, n) (first epoch red … last yellow), named by the epoch (legend title "Epoch").
 * @param opts.xaxis / yaxis Plotly axis ids for subplots (default "x", "y"); showLegend default true.
 * Accepts: sweep an LrSweepData as produced by the learning-rate sweeps (shape checked, GhostError naming the
 * field otherwise); opts undefined or { xaxis?, yaxis?: strings, showLegend?: boolean }.
 */
export function lossVsLearningRateTraces(
  sweep: LrSweepData,
  opts: { xaxis?: string; yaxis?: string; showLegend?: boolean } = {},
): PlotlyTrace[] {
  checkLrSweep("sweep", sweep);
  opts = requireOptions<{ xaxis?: string; yaxis?: string; showLegend?: boolean }>("opts", opts);
  requireOptionalString("opts.xaxis", opts.xaxis);
  requireOptionalString("opts.yaxis", opts.yaxis);
  if (opts.showLegend !== undefined) requireBoolean("opts.showLegend", opts.showLegend);
  const colours = colormapSamples("autumn", sweep.reportEpochs.length, 0.1, 0.9);
  return sweep.reportEpochs.map((epoch, j) => ({
    type: "scatter",
    mode: "lines",
    name: String(epoch),
    legendgroup: String(epoch),
    showlegend: opts.showLegend ?? true,
    x: [...sweep.learningRates],
    y: sweep.meanLoss[j].map((v) => finiteOrNull(v, S1_LOSS_FLOOR)),
    error_y: { type: "data", array: sweep.semLoss[j].map((v) => finiteOrNull(v, 0)), visible: true, thickness: 1, width: 2, color: colours[j] },
    line: { color: colours[j], width: 1.5 },
    xaxis: opts.xaxis ?? "x",
    yaxis: opts.yaxis ?? "y",
    hovertemplate: `epoch ${epoch}<br>lr %{x:.3g}<br>loss %{y:.3g}<extra></extra>`,
  }));
}

/** Log–log axes of the paper's S1 plot: x "Learning rate", y "Loss value" with ylim [1e-7, 3]. */
export function lossVsLearningRateAxes(): { xaxis: Record<string, unknown>; yaxis: Record<string, unknown> } {
  return {
    xaxis: { title: { text: "Learning rate" }, type: "log", exponentformat: "e" },
    yaxis: { title: { text: "Loss value" }, type: "log", exponentformat: "e", range: [Math.log10(S1_LOSS_FLOOR), Math.log10(S1_LOSS_CEILING)] },
  };
}

/**
 * The S1 panel: mean ± SEM (population std/√n over seeds) of the loss at each report epoch vs learning rate,
 * autumn colours, log–log, ylim [1e-7, 3], legend title "Epoch". Accepts FigS1Data as produced by runFigS1
 * (shape checked).
 */
export function figS1Figure(data: FigS1Data): PlotlyFigure {
  checkFigS1Data(data);
  const s = data.sweep;
  return {
    data: lossVsLearningRateTraces(s),
    layout: {
      title: { text: `Fig S1: rank-one RNN, loss vs learning rate (${s.seeds.length} seeds, mean ± SEM)` },
      ...lossVsLearningRateAxes(),
      legend: { title: { text: "Epoch" } },
    },
  };
}

/** Colours of the run classes: learned C2 (green), other C7 (grey), stuck C3 (red), diverged black. */
export const RUN_STATUS_COLORS = { learned: COLORS[2], other: COLORS[7], stuck: COLORS[3], diverged: "#000000" } as const;

/**
 * Outcome of every run at the end of training, per learning rate: stacked bars of the number of seeds that
 * learned, are still elsewhere ("other": plateau or oscillating), are stuck in the no-learning zone, or diverged
 * (classes defined in protocols/lrSweep). Categorical x (learning rates, 3 significant digits). Accepts: sweep
 * an LrSweepData (shape checked); title a string.
 */
export function outcomeFigure(sweep: LrSweepData, title: string): PlotlyFigure {
  checkLrSweep("sweep", sweep);
  requireString("title", title);
  const labels = sweep.learningRates.map((lr) => lr.toPrecision(3));
  const classes = ["learned", "other", "stuck", "diverged"] as const;
  const names = { learned: "learned", other: "other (plateau / still learning)", stuck: "stuck (no-learning zone)", diverged: "diverged" };
  return {
    data: classes.map((c) => ({
      type: "bar", name: names[c], x: labels, y: [...sweep.counts[c]], marker: { color: RUN_STATUS_COLORS[c] },
    })),
    layout: {
      title: { text: title },
      barmode: "stack",
      xaxis: { title: { text: "Learning rate" }, type: "category" },
      yaxis: { title: { text: "Networks" }, range: [0, sweep.seeds.length] },
      legend: { title: { text: `At epoch ${sweep.spec.epochs}` } },
    },
  };
}

/** The outcome panel of Fig S1 (see {@link outcomeFigure}). Accepts FigS1Data as produced by runFigS1 (shape checked). */
export function figS1OutcomeFigure(data: FigS1Data): PlotlyFigure {
  checkFigS1Data(data);
  return outcomeFigure(data.sweep, `Fig S1: outcome of each network after ${data.sweep.spec.epochs} epochs`);
}

/** All Fig S1 figures: the S1 panel and the outcome panel. Accepts FigS1Data as produced by runFigS1 (shape checked). */
export function figS1Figures(data: FigS1Data): PlotlyFigure[] {
  checkFigS1Data(data);
  return [figS1Figure(data), figS1OutcomeFigure(data)];
}
