/**
 * Trainable-rank figure builders (spec A8, B4.2, D5): (a) the S1 plot for the rank-one and the full-rank network
 * side by side; (b) the fraction of learned networks vs rank K, one line per learning rate (viridis); learning
 * curves per learning rate (slider), coloured by K. Pure: FigRankData → Plotly figures.
 */
import type { FigRankData } from "../figures/figRank";
import { colormap, colormapSamples, PlotlyFigure, PlotlyTrace, sliderFigure } from "./plotly";
import { lossVsLearningRateTraces, outcomeFigure, S1_LOSS_CEILING, S1_LOSS_FLOOR } from "./figS1";
import { requireFinite, requireNumber, requireNumberMatrix, requireNumbers, requireObject, requirePositive } from "../core/errors";
import { checkLrSweep, requireArray } from "./validate";

/** learningWindow of a sweep: null or { low, high, decades } finite numbers. */
function checkWindow(name: string, value: unknown): void {
  if (value === null) return;
  const w = requireObject(name, value, "null or a learning window { low, high, decades } (finite numbers)");
  requireFinite(`${name}.low`, w.low);
  requireFinite(`${name}.high`, w.high);
  requireFinite(`${name}.decades`, w.decades);
}

/**
 * Checks the fields of FigRankData the builders read (GhostError naming the path): config.comparison { epochs,
 * confidence: numbers; seeds: an array }, config.rankK { seeds: an array; learnedLevel: a number; epochs: finite
 * > 0 }; rankOne and fullRank LrSweepData (see checkLrSweep) with learningWindow null or finite { low, high,
 * decades }; summary.rankK { ranks, learningRates (at least one): numbers; fractionLearned [learningRates][ranks] };
 * every rankK[k] with rank a number, seeds an array of numbers, initialLoss [learningRates][seeds] numbers and curves null or
 * { epoch: numbers, loss [learningRates][seeds] number arrays of epoch's length }.
 */
function checkFigRankData(value: unknown, name = "data"): asserts value is FigRankData {
  const d = requireObject(name, value, "a FigRankData object (see figures.runFigRank)");
  const config = requireObject(`${name}.config`, d.config, "a FigRankConfig");
  const cmp = requireObject(`${name}.config.comparison`, config.comparison, "the comparison config { epochs, seeds, confidence, … }");
  requireNumber(`${name}.config.comparison.epochs`, cmp.epochs);
  requireNumber(`${name}.config.comparison.confidence`, cmp.confidence);
  requireArray(`${name}.config.comparison.seeds`, cmp.seeds, "seeds");
  const rk = requireObject(`${name}.config.rankK`, config.rankK, "the rank-K config { seeds, epochs, learnedLevel, … }");
  requireArray(`${name}.config.rankK.seeds`, rk.seeds, "seeds");
  requireNumber(`${name}.config.rankK.learnedLevel`, rk.learnedLevel);
  requirePositive(`${name}.config.rankK.epochs`, rk.epochs);
  for (const key of ["rankOne", "fullRank"] as const) {
    checkLrSweep(`${name}.${key}`, d[key]);
    checkWindow(`${name}.${key}.learningWindow`, (d[key] as { learningWindow?: unknown }).learningWindow);
  }
  const summary = requireObject(`${name}.summary`, d.summary, "a summary { rankOne, fullRank, rankK }");
  const sk = requireObject(`${name}.summary.rankK`, summary.rankK, "a RankKSummary { ranks, learningRates, fractionLearned, … }");
  const nK = requireNumbers(`${name}.summary.rankK.ranks`, sk.ranks).length;
  const nLr = requireNumbers(`${name}.summary.rankK.learningRates`, sk.learningRates, { minLength: 1 }).length;
  requireNumberMatrix(`${name}.summary.rankK.fractionLearned`, sk.fractionLearned, nLr, nK);
  requireArray(`${name}.rankK`, d.rankK, "LrSweepData objects (one per K)").forEach((v, k) => {
    const path = `${name}.rankK[${k}]`;
    const s = requireObject(path, v, "an LrSweepData object");
    requireNumber(`${path}.rank`, s.rank);
    const nSeeds = requireNumbers(`${path}.seeds`, s.seeds).length;
    requireNumberMatrix(`${path}.initialLoss`, s.initialLoss, nLr, nSeeds);
    if (s.curves !== null) {
      const c = requireObject(`${path}.curves`, s.curves, "null or learning curves { epoch: number[], loss: number[][][] }");
      const nPoints = requireNumbers(`${path}.curves.epoch`, c.epoch).length;
      requireArray(`${path}.curves.loss`, c.loss, "per-learning-rate arrays", { length: nLr }).forEach((row, i) =>
        requireArray(`${path}.curves.loss[${i}]`, row, "per-seed curves", { length: nSeeds }).forEach((curve, q) =>
          requireNumbers(`${path}.curves.loss[${i}][${q}]`, curve, { length: nPoints })));
    }
  });
}

/** Bottom and top of the normalised-loss axis of the learning curves (the paper's ylim [1e-7, 2.5]). */
export const RANK_CURVE_FLOOR = 1e-7;
export const RANK_CURVE_CEILING = 2.5;

/**
 * (a) Two panels sharing the loss axis: left the rank-one network (S1), right the full-rank network, each with
 * mean ± SEM loss vs learning rate at the report epochs (autumn colours), log–log, ylim [1e-7, 3]; one legend
 * ("Epoch") for both. The shaded band of each panel marks its learning window (learning rates where at least
 * half of the seeds learned), when there is one.
 * Accepts FigRankData as produced by runFigRank (shape checked, GhostError naming the field otherwise).
 */
export function figRankComparisonFigure(data: FigRankData): PlotlyFigure {
  checkFigRankData(data);
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
 * Accepts FigRankData as produced by runFigRank (shape checked, GhostError naming the field otherwise).
 */
export function figRankFractionFigure(data: FigRankData): PlotlyFigure {
  checkFigRankData(data);
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
 * Accepts FigRankData as produced by runFigRank (shape checked, GhostError naming the field otherwise).
 */
export function figRankCurvesFigure(data: FigRankData): PlotlyFigure {
  checkFigRankData(data);
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

/** Outcome of each full-rank network per learning rate (see display.outcomeFigure). Accepts FigRankData (shape checked). */
export function figRankOutcomeFigure(data: FigRankData): PlotlyFigure {
  checkFigRankData(data);
  return outcomeFigure(data.fullRank, `Full rank: outcome of each network after ${data.fullRank.spec.epochs} epochs`);
}

/**
 * All figures: (a) side by side, (b) fraction learned vs K, learning curves, full-rank outcomes. Accepts FigRankData
 * as produced by runFigRank (shape checked).
 */
export function figRankFigures(data: FigRankData): PlotlyFigure[] {
  checkFigRankData(data);
  return [figRankComparisonFigure(data), figRankFractionFigure(data), figRankCurvesFigure(data), figRankOutcomeFigure(data)];
}
