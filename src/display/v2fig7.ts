/**
 * v2 Figure 7 builders (spec B5, D5). Pure: V2Fig7Data → Plotly figures.
 * - summary: per run the mean loss (C0), mean ‖∇W_rec‖ (C1) and, for DMTS, mean ‖W_rec‖ (C2) over all epochs vs the
 *   learning rate, jittered scatter (x = lr·(1 + z/20), z ~ N(0, 1) from a fixed seed) and box plots per rate, log–log;
 * - example runs: loss, ‖∇W_rec‖, ‖W_rec‖ vs epoch + 1, log–log;
 * - saturation: the norms around the found update (lines at the update's passes), the rate histograms of trial 0
 *   before / after, the output trace of trial 0 before / after vs the target (black dashed), and the saturated
 *   fractions of outputs, pre-activations and rates per pass.
 */
import type { V2Fig7Data, V2Fig7SweepData } from "../figures/v2fig7";
import { COLORS, PlotlyFigure, PlotlyTrace, vline } from "./plotly";
import { GhostError, requireObject, requireOneOf } from "../core/errors";
import { Rng } from "../core/rng";
import { requireArray } from "./validate";

const TITLES = { dcdt: "v2 Fig 7 · full-rank DCDT", dmts: "v2 Fig 7 · full-rank DMTS" } as const;
const FLOOR = 1e-12;

function sweep(data: V2Fig7Data, task: "dcdt" | "dmts"): V2Fig7SweepData {
  const d = requireObject("data", data, "a V2Fig7Data object (see figures.runV2Fig7)");
  requireOneOf("task", task, ["dcdt", "dmts"] as const);
  const t = requireObject(`data.${task}`, d[task], "one task's sweep data (V2Fig7SweepData)");
  requireArray(`data.${task}.runs`, t.runs, "runs", { minLength: 1 });
  requireArray(`data.${task}.examples`, t.examples, "example runs");
  return t as unknown as V2Fig7SweepData;
}

/** Jittered scatter + box plots of the per-run means vs the learning rate (log–log). */
export function v2Fig7SummaryFigure(data: V2Fig7Data, task: "dcdt" | "dmts"): PlotlyFigure {
  const t = sweep(data, task);
  const rng = new Rng(20);
  const x = t.runs.map((r) => r.learningRate * (1 + rng.normal() / 20));
  const series: [string, keyof V2Fig7SweepData["runs"][number], string, number][] = [["mean loss", "meanLoss", COLORS[0], 4], ["mean ‖∇W_rec‖", "meanGrad", COLORS[1], 4]];
  if (task === "dmts") series.push(["mean ‖W_rec‖", "meanWeight", COLORS[2], 7]);
  const traces: PlotlyTrace[] = [];
  for (const [name, key, color, size] of series) {
    const y = t.runs.map((r) => Math.max(Number(r[key]), FLOOR));
    traces.push({ type: "scatter", mode: "markers", name, legendgroup: name, x, y, marker: { color, size }, text: t.runs.map((r) => `seed ${r.seed}, lr ${r.learningRate.toPrecision(4)}`) });
    traces.push({ type: "box", name: `${name} (box)`, legendgroup: name, showlegend: false, x: t.runs.map((r) => r.learningRate), y, boxpoints: false, line: { color, width: 1 }, fillcolor: "rgba(0,0,0,0)" });
  }
  return {
    data: traces,
    layout: {
      title: { text: `${TITLES[task]}: per-run means over ${t.config.epochs} epochs vs learning rate` },
      xaxis: { title: { text: "learning rate" }, type: "log", exponentformat: "e" },
      yaxis: { title: { text: "mean over epochs" }, type: "log", exponentformat: "e", range: [-6, task === "dcdt" ? 1 : Math.log10(50)] },
      boxmode: "overlay",
      legend: { x: 0.01, y: 0.02 },
    },
  };
}

/** The example runs: loss, ‖∇W_rec‖, ‖W_rec‖ vs epoch + 1 (log–log), one line style per run. */
export function v2Fig7ExamplesFigure(data: V2Fig7Data, task: "dcdt" | "dmts"): PlotlyFigure {
  const t = sweep(data, task);
  const dashes = ["solid", "dot", "dash", "dashdot"];
  const traces: PlotlyTrace[] = t.examples.flatMap((x, k) => {
    const ep = x.epoch.map((e) => e + 1);
    const label = `lr ${x.learningRate.toPrecision(4)}, seed ${x.seed}`;
    const dash = dashes[k % dashes.length];
    return [
      { type: "scatter", mode: "lines", name: `loss (${label})`, x: ep, y: x.loss.map((v) => Math.max(v, FLOOR)), line: { color: COLORS[0], dash, width: 1.5 } },
      { type: "scatter", mode: "lines", name: `‖∇W_rec‖ (${label})`, x: ep, y: x.gradMetric.map((v) => Math.max(v, FLOOR)), line: { color: COLORS[1], dash, width: 1 } },
      { type: "scatter", mode: "lines", name: `‖W_rec‖ (${label})`, x: ep, y: x.weightNorm, line: { color: COLORS[2], dash, width: 1 } },
    ];
  });
  return {
    data: traces,
    layout: {
      title: { text: `${TITLES[task]}: example runs` },
      xaxis: { title: { text: "Epoch + 1" }, type: "log" },
      yaxis: { title: { text: "loss, ‖∇W_rec‖, ‖W_rec‖" }, type: "log", exponentformat: "e" },
      legend: { font: { size: 10 } },
    },
  };
}

function saturation(data: V2Fig7Data) {
  const d = requireObject("data", data, "a V2Fig7Data object (see figures.runV2Fig7)");
  const s = requireObject("data.saturation", d.saturation, "the saturation analysis (V2Fig7SaturationData)");
  requireArray("data.saturation.passes", s.passes, "forward passes", { minLength: 1 });
  requireObject("data.saturation.trace", s.trace, "{ epoch, loss, gradMetric, weightNorm }");
  return (data as V2Fig7Data).saturation;
}

/** Loss, ‖∇W_rec‖ and ‖W_rec‖ around the saturating update (semilog y), lines at the passes before / after it. */
export function v2Fig7SaturationNormsFigure(data: V2Fig7Data): PlotlyFigure {
  const s = saturation(data);
  const x = s.trace.epoch;
  const e = s.update.epoch;
  return {
    data: [
      { type: "scatter", mode: "lines+markers", name: "loss", x, y: s.trace.loss.map((v) => Math.max(v, FLOOR)), line: { color: COLORS[0] } },
      { type: "scatter", mode: "lines+markers", name: "‖∇W_rec‖", x, y: s.trace.gradMetric.map((v) => Math.max(v, FLOOR)), line: { color: COLORS[1] } },
      { type: "scatter", mode: "lines+markers", name: "‖W_rec‖ (after the update)", x, y: s.trace.weightNorm, line: { color: COLORS[2] } },
    ],
    layout: {
      title: { text: `v2 Fig 7 · saturation (DMTS, lr ${s.config.learningRate.toPrecision(6)}, seed ${s.config.seed}): update ${e}` },
      xaxis: { title: { text: "Epoch" } },
      yaxis: { title: { text: "loss, ‖∇W_rec‖, ‖W_rec‖" }, type: "log", exponentformat: "e" },
      shapes: [e - 1, e, e + 1].filter((v) => v >= 0).map((v) => vline(v, { color: "grey", dash: "dash", width: 1 })),
    },
  };
}

function beforeAfter(data: V2Fig7Data) {
  const s = saturation(data);
  const b = s.passes[s.before], a = s.passes[s.after];
  if (!b || !a) throw new GhostError("data.saturation.after", s.after, "a pass after the update (the run ended at the update)");
  return { s, b, a };
}

/** Histogram of trial 0's rates (all steps, all units) in the pass before and after the update (bins linspace(−1, 1, 30)). */
export function v2Fig7RateHistogramFigure(data: V2Fig7Data): PlotlyFigure {
  const { s, b, a } = beforeAfter(data);
  const centres = s.binEdges.slice(0, -1).map((lo, k) => (lo + s.binEdges[k + 1]) / 2);
  const width = s.binEdges[1] - s.binEdges[0];
  return {
    data: [
      { type: "bar", name: `before (pass ${b.epoch})`, x: centres, y: b.trial0RateCounts, width, marker: { color: COLORS[0], opacity: 0.5 } },
      { type: "bar", name: `after (pass ${a.epoch})`, x: centres, y: a.trial0RateCounts, width, marker: { color: COLORS[1], opacity: 0.4 } },
    ],
    layout: { title: { text: "v2 Fig 7 · trial-0 firing rates before and after the saturating update" }, barmode: "overlay", xaxis: { title: { text: "r" }, range: [-1, 1] }, yaxis: { title: { text: "count" } } },
  };
}

/** Trial 0's output before / after the update against its target (black dashed). */
export function v2Fig7OutputFigure(data: V2Fig7Data): PlotlyFigure {
  const { s, b, a } = beforeAfter(data);
  const t = s.trial0Target.map((_, k) => k);
  return {
    data: [
      { type: "scatter", mode: "lines", name: "target", x: t, y: s.trial0Target, line: { color: "black", dash: "dash" } },
      { type: "scatter", mode: "lines", name: `before (pass ${b.epoch})`, x: t, y: b.trial0Output, line: { color: COLORS[0] } },
      { type: "scatter", mode: "lines", name: `after (pass ${a.epoch})`, x: t, y: a.trial0Output, line: { color: COLORS[1] } },
    ],
    layout: { title: { text: "v2 Fig 7 · trial-0 output before and after the saturating update" }, xaxis: { title: { text: "time step" } }, yaxis: { title: { text: "ŷ" }, range: [-0.05, 1.05] } },
  };
}

/** Saturated fractions (outputs, pre-activations, rates) and ‖∇W_rec‖ per forward pass around the update. */
export function v2Fig7SaturationFractionsFigure(data: V2Fig7Data): PlotlyFigure {
  const s = saturation(data);
  const x = s.passes.map((p) => p.epoch);
  return {
    data: [
      { type: "scatter", mode: "lines+markers", name: "outputs saturated", x, y: s.passes.map((p) => p.outputSaturated), line: { color: COLORS[0] } },
      { type: "scatter", mode: "lines+markers", name: "pre-activations |h| > 2.99", x, y: s.passes.map((p) => p.preActivationSaturated), line: { color: COLORS[3] } },
      { type: "scatter", mode: "lines+markers", name: "rates |r| > 0.99", x, y: s.passes.map((p) => p.rateSaturated), line: { color: COLORS[4] } },
      { type: "scatter", mode: "lines+markers", name: "‖∇W_rec‖", x, y: s.passes.map((p) => Math.max(p.gradMetric, FLOOR)), yaxis: "y2", line: { color: COLORS[1], dash: "dot" } },
    ],
    layout: {
      title: { text: "v2 Fig 7 · saturation per forward pass around the update" },
      xaxis: { title: { text: "forward pass (epoch)" }, dtick: 1 },
      yaxis: { title: { text: "fraction saturated" }, range: [0, 1.02] },
      yaxis2: { title: { text: "‖∇W_rec‖" }, overlaying: "y", side: "right", type: "log", exponentformat: "e", showgrid: false },
      shapes: [vline(s.update.epoch + 0.5, { color: "grey", dash: "dash", width: 1 })],
      legend: { x: 0.01, y: 0.5 },
    },
  };
}

/** Every v2 Fig 7 figure. */
export function v2Fig7Figures(data: V2Fig7Data): PlotlyFigure[] {
  const out = (["dcdt", "dmts"] as const).flatMap((t) => [v2Fig7SummaryFigure(data, t), v2Fig7ExamplesFigure(data, t)]);
  out.push(v2Fig7SaturationNormsFigure(data), v2Fig7SaturationFractionsFigure(data));
  const s = data.saturation;
  if (s.passes[s.before] && s.passes[s.after]) out.push(v2Fig7RateHistogramFigure(data), v2Fig7OutputFigure(data));
  return out;
}
