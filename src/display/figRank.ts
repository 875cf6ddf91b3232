/**
 * Trainable-rank figure builders (spec A8, B4.2, D5): (a) the S1 plot for the rank-one and the full-rank network
 * side by side; (b) the fraction of learned networks vs rank K, one line per learning rate (viridis); learning
 * curves per learning rate (slider), coloured by K. Pure: FigRankData → Plotly figures.
 */
import type { FigRankData } from "../experiments/figRank";
import { colormap, colormapSamples, PlotlyFigure, PlotlyTrace, sliderFigure } from "./plotly";
import { lossVsLearningRateTraces, outcomeFigure, S1_LOSS_CEILING, S1_LOSS_FLOOR } from "./figS1";

/** Bottom and top of the normalised-loss axis of the learning curves (the paper's ylim [1e-7, 2.5]). */
export const RANK_CURVE_FLOOR = 1e-7;
export const RANK_CURVE_CEILING = 2.5;

/**
 * (a) Two panels sharing the loss axis: left the rank-one network (S1), right the full-rank network, each with
 * mean ± SEM loss vs learning rate at the report epochs (autumn colours), log–log, ylim [1e-7, 3]; one legend
 * ("Epoch") for both. The shaded band of each panel marks its learning window (learning rates where at least
 * half of the seeds learned), when there is one.
 */
export function figRankComparisonFigure(data: FigRankData): PlotlyFigure {
  const left = lossVsLearningRateTraces(data.rankOne, { xaxis: "x", yaxis: "y" });
  const right = lossVsLearningRateTraces(data.fullRank, { xaxis: "x2", yaxis: "y2", showLegend: false });
  const yRange = [Math.log10(S1_LOSS_FLOOR), Math.log10(S1_LOSS_CEILING)];
  // A window of one learning rate (low = high) is drawn as a wide translucent line so that it stays visible.
  const band = (w: FigRankData["rankOne"]["learningWindow"], xref: string) =>
    w === null ? [] : [{
      type: "rect", xref, yref: "paper", x0: w.low, x1: w.high, y0: 0, y1: 1, fillcolor: "#2ca02c", opacity: w.low === w.high ? 0.25 : 0.08,
      line: w.low === w.high ? { width: 8, color: "#2ca02c" } : { width: 0 }, layer: "below",
    }];
  const windowText = (w: FigRankData["rankOne"]["learningWindow"]) =>
    w === null ? "no learning window" : w.low === w.high ? `learns at lr ${w.low.toPrecision(3)} only` : `window ${w.decades.toFixed(1)} decades`;
  return {
    data: [...left, ...right],
    layout: {
      title: { text: `Trainable rank: loss vs learning rate after ${data.config.comparison.epochs} epochs (${data.config.comparison.seeds.length} seeds, mean ± SEM)` },
      xaxis: { title: { text: "Learning rate" }, type: "log", exponentformat: "e", domain: [0, 0.46], anchor: "y" },
      xaxis2: { title: { text: "Learning rate" }, type: "log", exponentformat: "e", domain: [0.54, 1], anchor: "y2" },
      yaxis: { title: { text: "Loss value" }, type: "log", exponentformat: "e", range: yRange },
      yaxis2: { type: "log", exponentformat: "e", range: yRange, matches: "y", anchor: "x2" },
      legend: { title: { text: "Epoch" } },
      shapes: [...band(data.rankOne.learningWindow, "x"), ...band(data.fullRank.learningWindow, "x2")],
      annotations: [
        { text: `rank one (m, n, b; c = ${data.config.comparison.confidence}) — ${windowText(data.rankOne.learningWindow)}`, x: 0.23, y: 1.0, xref: "paper", yref: "paper", xanchor: "center", yanchor: "bottom", showarrow: false },
        { text: `full rank (W, b, w_out, b_out) — ${windowText(data.fullRank.learningWindow)}`, x: 0.77, y: 1.0, xref: "paper", yref: "paper", xanchor: "center", yanchor: "bottom", showarrow: false },
      ],
      margin: { t: 90 },
    },
  };
}

/**
 * (b) Fraction of learned networks (final normalised loss < learnedLevel) vs K, log x, one line per learning rate
 * coloured viridis at linspace(0, 1, n) over the learning rates (the authors' plot), markers on the points.
 */
export function figRankFractionFigure(data: FigRankData): PlotlyFigure {
  const r = data.summary.rankK;
  const colours = colormapSamples("viridis", r.learningRates.length, 0, 1);
  const traces: PlotlyTrace[] = r.learningRates.map((lr, i) => ({
    type: "scatter", mode: "lines+markers", name: lr.toPrecision(3), x: [...r.ranks], y: [...r.fractionLearned[i]],
    line: { color: colours[i], width: 2 }, marker: { color: colours[i], size: 6 },
    hovertemplate: `lr ${lr.toPrecision(3)}<br>K %{x}<br>learned %{y:.2f}<extra></extra>`,
  }));
  return {
    data: traces,
    layout: {
      title: { text: `Rank K: fraction of ${data.config.rankK.seeds.length} networks with loss/loss₀ < ${data.config.rankK.learnedLevel} after ${data.config.rankK.epochs} epochs` },
      xaxis: { title: { text: "K" }, type: "log", tickvals: [...r.ranks], ticktext: r.ranks.map(String) },
      yaxis: { title: { text: "Fraction of learned networks" }, range: [-0.05, 1.05] },
      legend: { title: { text: "Learning rate" } },
    },
  };
}

/**
 * Learning curves of the rank-K sweep, loss/loss₀ vs epoch (log–log, ylim [1e-7, 2.5]), one line per network
 * coloured by K (viridis by K index, i/(n−1)), with a slider over the learning rates (one frame each). Normalised
 * values are clipped at the floor; NaN (after a divergence) leaves a gap.
 */
export function figRankCurvesFigure(data: FigRankData): PlotlyFigure {
  const sweeps = data.rankK;
  const nK = sweeps.length;
  const colourOf = (k: number) => colormap("viridis", nK > 1 ? k / (nK - 1) : 0);
  const frames = data.summary.rankK.learningRates.map((lr, i) => {
    const traces: PlotlyTrace[] = [];
    sweeps.forEach((s, k) => {
      const curves = s.curves;
      if (curves === null) return;
      s.seeds.forEach((seed, q) => {
        const l0 = s.initialLoss[i][q];
        traces.push({
          type: "scatter", mode: "lines", name: `K = ${s.rank}`, legendgroup: `K${s.rank}`, showlegend: q === 0,
          x: [...curves.epoch],
          y: curves.loss[i][q].map((v) => (Number.isFinite(v) ? Math.max(v / l0, RANK_CURVE_FLOOR) : null)),
          line: { color: colourOf(k), width: 1.2 },
          hovertemplate: `K ${s.rank}, seed ${seed}<br>epoch %{x}<br>loss/loss₀ %{y:.3g}<extra></extra>`,
        });
      });
    });
    return { label: lr.toPrecision(3), data: traces };
  });
  const E = data.config.rankK.epochs;
  return sliderFigure(
    frames,
    {
      title: { text: "Rank K: learning curves (loss / initial loss); slider = learning rate" },
      xaxis: { title: { text: "Epoch" }, type: "log", range: [1, Math.log10(E)], exponentformat: "e" },
      yaxis: { title: { text: "Loss / loss₀" }, type: "log", range: [Math.log10(RANK_CURVE_FLOOR), Math.log10(RANK_CURVE_CEILING)], exponentformat: "e" },
      legend: { title: { text: "Rank K" } },
    },
    { prefix: "learning rate: " },
  );
}

/** Outcome of each full-rank network per learning rate (see display.outcomeFigure). */
export function figRankOutcomeFigure(data: FigRankData): PlotlyFigure {
  return outcomeFigure(data.fullRank, `Full rank: outcome of each network after ${data.fullRank.spec.epochs} epochs`);
}

/** All figures: (a) side by side, (b) fraction learned vs K, learning curves, full-rank outcomes. */
export function figRankFigures(data: FigRankData): PlotlyFigure[] {
  return [figRankComparisonFigure(data), figRankFractionFigure(data), figRankCurvesFigure(data), figRankOutcomeFigure(data)];
}
