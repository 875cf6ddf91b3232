/**
 * Figure 3 builders (spec A6, D5): (A) normalised loss and gradient at the low learning rate, (B) flows before and
 * after abrupt learning, a slider over the stored flow snapshots, the ghost height and fixed-point count over
 * training; (C) normalised loss and gradient at the high learning rate with a zoom on the event, (D) flows just
 * before / at / after the saddle-node bifurcation, a slider through the event, h and the fixed-point count per
 * epoch. Pure: Fig3Data → Plotly figures.
 *
 * Conventions copied from the paper: loss and gradient norm divided by their maximum over the run and plotted at
 * x = epoch + 1, semilog-y with y ∈ [1e-6, 5], gradient drawn with opacity 0.5; flow plots with x "kappa",
 * y "dkappa/dt", κ ∈ [−9, 9] (the grid's display window), red markers at (κ₀, 0), a black dashed line at
 * dκ/dt = 0 and an orange dashed line at the threshold κ = 1; flows labelled by the number of updates applied
 * (snapshot epoch + 1, e.g. "200,001").
 */
import type { Fig3Data, Fig3FlowSnapshot, Fig3HighData, Fig3LowData, Fig3Series } from "../figures/fig3";
import { COLORS, hline, PlotlyFigure, PlotlyLayout, PlotlyTrace, sliderFigure, vline } from "./plotly";
import { GhostError, requireInteger, requireNumber, requireNumbers, requireObject, requireOptions } from "../core/errors";
import { requireArray, requireAxisRange, requireIntegerOrNull, requireOptionalString, requireString } from "./validate";

/** Matplotlib's named colour "orange" (the threshold line κ = 1). */
export const FIG3_ORANGE = "#ffa500";
/** y range of the normalised loss / gradient panels (spec A6: ylim [1e-6, 5]). */
export const FIG3_NORMALISED_RANGE: [number, number] = [1e-6, 5];
/** y range of Fig 3D (spec A6: ylim [−1, 3]). */
export const FIG3_EVENT_Y_RANGE: [number, number] = [-1, 3];

/**
 * The paper's label of a snapshot: the number of updates applied (epoch + 1), with thousands separators. Accepts
 * an integer epoch >= −1 (−1: the untrained network).
 */
export function fig3Label(epoch: number): string {
  requireInteger("epoch", epoch, -1);
  return (epoch + 1).toLocaleString("en-US");
}

/**
 * Rounds to `digits` significant digits (plot data only: keeps the figures small; non-finite values become null).
 * Accepts: values an array (or typed array) of numbers or nulls; digits an integer in [1, 100].
 */
export function fig3Round(values: ArrayLike<number>, digits = 5): (number | null)[] {
  requireNumbers("values", values, { nullable: true, typed: true });
  requireInteger("digits", digits, 1, 100);
  const out: (number | null)[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = typeof v === "number" && Number.isFinite(v) ? Number(v.toPrecision(digits)) : null;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Shape checks of the Fig 3 data (GhostError naming the path; NaN/±Infinity allowed inside plotted data arrays).

/** Checks the fields of a flow snapshot the builders read; `points` = length of the κ display window, if known. */
function checkSnapshot(name: string, value: unknown, points?: number): Fig3FlowSnapshot {
  const s = requireObject(name, value, "a Fig3FlowSnapshot { epoch, dense, kappa0, dkappaDt, fixedPoints, ghost, … }");
  requireInteger(`${name}.epoch`, s.epoch, -1);
  if (typeof s.dense !== "boolean") throw new GhostError(`${name}.dense`, s.dense, "true or false");
  requireNumber(`${name}.kappa0`, s.kappa0);
  requireNumbers(`${name}.dkappaDt`, s.dkappaDt, points === undefined ? {} : { length: points });
  requireArray(`${name}.fixedPoints`, s.fixedPoints, "fixed points { kappa, stability }").forEach((fp, i) => {
    const q = requireObject(`${name}.fixedPoints[${i}]`, fp, "a fixed point { kappa: number, stability: string }");
    requireNumber(`${name}.fixedPoints[${i}].kappa`, q.kappa);
    requireString(`${name}.fixedPoints[${i}].stability`, q.stability);
  });
  const g = requireObject(`${name}.ghost`, s.ghost, "a Fig3Ghost { height, kappaGhost, classification, … }");
  requireNumber(`${name}.ghost.height`, g.height);
  requireNumber(`${name}.ghost.kappaGhost`, g.kappaGhost);
  requireString(`${name}.ghost.classification`, g.classification);
  return value as Fig3FlowSnapshot;
}

function checkSnapshots(name: string, value: unknown, points?: number, minLength = 0): Fig3FlowSnapshot[] {
  return requireArray(name, value, "Fig3FlowSnapshot objects", { minLength }).map((s, i) => checkSnapshot(`${name}[${i}]`, s, points));
}

/** A downsampled series { epoch: integers, value: numbers } of equal lengths. */
function checkSeries(name: string, value: unknown): void {
  const s = requireObject(name, value, "a series { epoch: number[], value: number[] }");
  const n = requireNumbers(`${name}.epoch`, s.epoch, { integer: true }).length;
  requireNumbers(`${name}.value`, s.value, { length: n });
}

/** κ of the display window: at least one finite number. */
function checkKappa(name: string, value: unknown): number[] {
  return requireNumbers(name, value, { finite: true, minLength: 1 });
}

/**
 * Checks the fields of Fig3LowData the builders read: config.low { learningRate, seed, fixedPointCheckEvery:
 * numbers; flowPanelEpochs: integers }; kappa (finite numbers); lossMax, gradMax (numbers); loss, gradNorm series;
 * snapshots (each with dkappaDt of kappa's length); fixedPointChecks { epoch, signFlips } of equal lengths;
 * maxFixedPoints.signFlips; drop.dropEpoch (integer or null).
 */
function checkFig3Low(value: unknown, name = "low"): asserts value is Fig3LowData {
  const low = requireObject(name, value, "a Fig3LowData object (see figures.runFig3Low)");
  const config = requireObject(`${name}.config`, low.config, "a Fig3Config");
  const c = requireObject(`${name}.config.low`, config.low, "a Fig3LowConfig");
  requireNumber(`${name}.config.low.learningRate`, c.learningRate);
  requireNumber(`${name}.config.low.seed`, c.seed);
  requireNumber(`${name}.config.low.fixedPointCheckEvery`, c.fixedPointCheckEvery);
  requireNumbers(`${name}.config.low.flowPanelEpochs`, c.flowPanelEpochs, { integer: true });
  const points = checkKappa(`${name}.kappa`, low.kappa).length;
  requireNumber(`${name}.lossMax`, low.lossMax);
  requireNumber(`${name}.gradMax`, low.gradMax);
  checkSeries(`${name}.loss`, low.loss);
  checkSeries(`${name}.gradNorm`, low.gradNorm);
  checkSnapshots(`${name}.snapshots`, low.snapshots, points);
  const checks = requireObject(`${name}.fixedPointChecks`, low.fixedPointChecks, "an object { epoch: number[], signFlips: number[] }");
  const n = requireNumbers(`${name}.fixedPointChecks.epoch`, checks.epoch, { integer: true }).length;
  requireNumbers(`${name}.fixedPointChecks.signFlips`, checks.signFlips, { length: n });
  const max = requireObject(`${name}.maxFixedPoints`, low.maxFixedPoints, "an object { refined, signFlips }");
  requireNumber(`${name}.maxFixedPoints.signFlips`, max.signFlips);
  const drop = requireObject(`${name}.drop`, low.drop, "an object { dropEpoch, … }");
  requireIntegerOrNull(`${name}.drop.dropEpoch`, drop.dropEpoch);
}

/**
 * Checks the fields of Fig3HighData the builders read: config.high { learningRate, seed: numbers;
 * eventFlowOffsets: integers; zoom { before, after }: integers >= 0 }; kappa (finite numbers); epochsRun (an
 * integer >= 0); loss, gradNorm (numbers, length epochsRun); lossMax, gradMax; saddleNode (null or { epoch,
 * signFlipsBefore, signFlipsAfter }); eventFlows (snapshots, dkappaDt of kappa's length); perEpoch { epoch,
 * height, signFlips } of equal lengths; firstAccurate (integer or null).
 */
function checkFig3High(value: unknown, name = "high"): asserts value is Fig3HighData {
  const high = requireObject(name, value, "a Fig3HighData object (see figures.runFig3High)");
  const config = requireObject(`${name}.config`, high.config, "a Fig3Config");
  const c = requireObject(`${name}.config.high`, config.high, "a Fig3HighConfig");
  requireNumber(`${name}.config.high.learningRate`, c.learningRate);
  requireNumber(`${name}.config.high.seed`, c.seed);
  requireNumbers(`${name}.config.high.eventFlowOffsets`, c.eventFlowOffsets, { integer: true });
  const zoom = requireObject(`${name}.config.high.zoom`, c.zoom, "an object { before, after }");
  requireInteger(`${name}.config.high.zoom.before`, zoom.before, 0);
  requireInteger(`${name}.config.high.zoom.after`, zoom.after, 0);
  const points = checkKappa(`${name}.kappa`, high.kappa).length;
  const n = requireInteger(`${name}.epochsRun`, high.epochsRun, 0);
  requireNumbers(`${name}.loss`, high.loss, { length: n });
  requireNumbers(`${name}.gradNorm`, high.gradNorm, { length: n });
  requireNumber(`${name}.lossMax`, high.lossMax);
  requireNumber(`${name}.gradMax`, high.gradMax);
  if (high.saddleNode !== null) {
    const ev = requireObject(`${name}.saddleNode`, high.saddleNode, "null or a Fig3SaddleNode { epoch, signFlipsBefore, signFlipsAfter, … }");
    requireInteger(`${name}.saddleNode.epoch`, ev.epoch, -1);
    requireNumber(`${name}.saddleNode.signFlipsBefore`, ev.signFlipsBefore);
    requireNumber(`${name}.saddleNode.signFlipsAfter`, ev.signFlipsAfter);
  }
  checkSnapshots(`${name}.eventFlows`, high.eventFlows, points);
  const p = requireObject(`${name}.perEpoch`, high.perEpoch, "an object { epoch, height, signFlips, … }");
  const m = requireNumbers(`${name}.perEpoch.epoch`, p.epoch, { integer: true }).length;
  requireNumbers(`${name}.perEpoch.height`, p.height, { length: m });
  requireNumbers(`${name}.perEpoch.signFlips`, p.signFlips, { length: m });
  requireIntegerOrNull(`${name}.firstAccurate`, high.firstAccurate);
}

/** Options of the slider builders: undefined or { title?: string, xRange?, yRange?: [lo, hi], maxFrames?: integer >= 1 }. */
function checkSliderOptions(value: unknown): Fig3SliderOptions {
  const opts = requireOptions<Fig3SliderOptions>("opts", value);
  requireOptionalString("opts.title", opts.title);
  if (opts.xRange !== undefined) requireAxisRange("opts.xRange", opts.xRange);
  if (opts.yRange !== undefined) requireAxisRange("opts.yRange", opts.yRange);
  if (opts.maxFrames !== undefined) requireInteger("opts.maxFrames", opts.maxFrames, 1);
  return opts;
}

function logRange([lo, hi]: [number, number]): [number, number] {
  return [Math.log10(lo), Math.log10(hi)];
}

/** v / max, with non-positive or non-finite results mapped to null (a log axis cannot show them). */
function normalised(values: number[], max: number): (number | null)[] {
  return values.map((v) => {
    const r = v / max;
    return Number.isFinite(r) && r > 0 ? Number(r.toPrecision(5)) : null;
  });
}

function thresholdLines(axis = ""): Record<string, unknown>[] {
  const x = `x${axis}`, y = `y${axis}`;
  return [
    hline(0, { color: "black", dash: "dash", xref: `${x} domain`, yref: y }),
    vline(1, { color: FIG3_ORANGE, dash: "dash", xref: x, yref: `${y} domain` }),
  ];
}

function normalisedTraces(epochLoss: Fig3Series | { epoch: number[]; value: number[] }, lossMax: number, epochGrad: Fig3Series, gradMax: number, axes: Record<string, string> = {}): PlotlyTrace[] {
  return [
    {
      type: "scatter", mode: "lines", name: "loss / max loss", x: epochLoss.epoch.map((e) => e + 1), y: normalised(epochLoss.value, lossMax),
      line: { color: COLORS[0], width: 1.2 }, ...axes,
    },
    {
      type: "scatter", mode: "lines", name: "gradient norm / max", x: epochGrad.epoch.map((e) => e + 1), y: normalised(epochGrad.value, gradMax),
      line: { color: COLORS[1], width: 1.2 }, opacity: 0.5, ...axes,
    },
  ];
}

/**
 * Fig 3A: loss / max and gradient norm / max vs epoch + 1 at the low learning rate, semilog-y, y ∈ [1e-6, 5],
 * gradient with opacity 0.5 (2 traces; the curves are min/max-downsampled, so spikes and the period-2
 * oscillation band survive). A grey dotted line marks the abrupt drop (loss below half its maximum). Accepts
 * Fig3LowData as produced by runFig3Low (shape checked, GhostError naming the field otherwise).
 */
export function fig3LossFigure(low: Fig3LowData): PlotlyFigure {
  checkFig3Low(low);
  return fig3LossFigureChecked(low);
}

/** fig3LossFigure on data already checked (fig3Figures checks once for all builders). */
function fig3LossFigureChecked(low: Fig3LowData): PlotlyFigure {
  const shapes: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  if (low.drop.dropEpoch !== null) {
    shapes.push(vline(low.drop.dropEpoch + 1, { color: "#7f7f7f", dash: "dot" }));
    annotations.push({ x: low.drop.dropEpoch + 1, y: 1.02, xref: "x", yref: "paper", text: `abrupt drop (epoch ${fig3Label(low.drop.dropEpoch)})`, showarrow: false, xanchor: "left", font: { color: "#7f7f7f" } });
  }
  return {
    data: normalisedTraces(low.loss, low.lossMax, low.gradNorm, low.gradMax),
    layout: {
      title: { text: `Fig 3A: abrupt learning at a low learning rate (lr ${low.config.low.learningRate}, seed ${low.config.low.seed})` },
      xaxis: { title: { text: "Epoch" } },
      yaxis: { title: { text: "Normalised value" }, type: "log", range: logRange(FIG3_NORMALISED_RANGE), exponentformat: "power" },
      shapes,
      annotations,
      legend: { x: 0.65, y: 0.5 },
      height: 420,
    },
  };
}

function snapshotAt(snapshots: Fig3FlowSnapshot[], epoch: number, name: string, value: unknown = epoch): Fig3FlowSnapshot {
  const s = snapshots.find((x) => x.epoch === epoch);
  if (!s) throw new GhostError(name, value, `an epoch that has a flow snapshot (none at epoch ${epoch})`);
  return s;
}

function rangeOf(values: number[], pad: number, clip: [number, number]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!(hi >= lo)) return clip;
  return [Math.max(clip[0], lo - pad), Math.min(clip[1], hi + pad)];
}

/**
 * Fig 3B: the flow f(κ) at the snapshots of `low.config.low.flowPanelEpochs` (paper: "1", "200,001", "499,001";
 * C0, C1, C2), left over the display window (κ ≈ −9…9), right zoomed on [min κ₀ − 0.5, 1.5] where the ghost
 * lives; red markers at each shown network's (κ₀, 0); black dashed dκ/dt = 0, orange dashed κ = 1.
 * Traces: 2 per flow + one κ₀ trace per panel + the ghost minimum (κ_g, h) of the last flow in the zoom.
 * Accepts Fig3LowData as produced by runFig3Low (shape checked; flowPanelEpochs non-empty, each a snapshot epoch).
 */
export function fig3FlowFigure(low: Fig3LowData): PlotlyFigure {
  checkFig3Low(low);
  return fig3FlowFigureChecked(low);
}

/** fig3FlowFigure on data already checked (fig3Figures checks once for all builders). */
function fig3FlowFigureChecked(low: Fig3LowData): PlotlyFigure {
  requireArray("low.config.low.flowPanelEpochs", low.config.low.flowPanelEpochs, "snapshot epochs", { minLength: 1 });
  const shown = low.config.low.flowPanelEpochs.map((e, i) => snapshotAt(low.snapshots, e, `low.config.low.flowPanelEpochs[${i}]`));
  const kappa = low.kappa;
  const zoomX: [number, number] = [Math.min(...shown.map((s) => s.kappa0)) - 0.5, 1.5];
  const inZoom = (s: Fig3FlowSnapshot) => s.dkappaDt.filter((_, i) => kappa[i] >= zoomX[0] && kappa[i] <= zoomX[1]);
  const zoomY = rangeOf(shown.flatMap(inZoom), 0.1, [-1.5, 2]);
  const traces: PlotlyTrace[] = [];
  shown.forEach((s, k) => {
    const line = { color: COLORS[k % COLORS.length], width: 2 };
    traces.push({ type: "scatter", mode: "lines", name: fig3Label(s.epoch), legendgroup: `f${k}`, x: kappa, y: s.dkappaDt, line });
    traces.push({ type: "scatter", mode: "lines", name: fig3Label(s.epoch), legendgroup: `f${k}`, showlegend: false, x: kappa, y: s.dkappaDt, line, xaxis: "x2", yaxis: "y2" });
  });
  const k0 = { type: "scatter", mode: "markers", name: "κ₀ (start of every trial)", legendgroup: "k0", x: shown.map((s) => s.kappa0), y: shown.map(() => 0), marker: { color: "red", size: 9 } };
  traces.push(k0, { ...k0, showlegend: false, xaxis: "x2", yaxis: "y2" });
  const last = shown[shown.length - 1];
  traces.push({
    type: "scatter", mode: "lines+markers", name: `min f on [κ₀, 1]: h = ${last.ghost.height.toPrecision(3)} (${last.ghost.classification})`,
    x: [last.ghost.kappaGhost, last.ghost.kappaGhost], y: [0, last.ghost.height],
    line: { color: COLORS[3], width: 2, dash: "dot" }, marker: { color: COLORS[3], size: [0, 9] }, xaxis: "x2", yaxis: "y2",
  });
  return {
    data: traces,
    layout: {
      title: { text: "Fig 3B: the flow before and after learning — the fixed point moves past κ = 1 and leaves a ghost" },
      xaxis: { domain: [0, 0.55], title: { text: "kappa" }, range: [kappa[0], kappa[kappa.length - 1]], zeroline: false },
      yaxis: { title: { text: "dkappa/dt" }, zeroline: false },
      xaxis2: { domain: [0.65, 1], title: { text: "kappa (zoom near [κ₀, 1])" }, range: zoomX, anchor: "y2", zeroline: false },
      yaxis2: { range: zoomY, anchor: "x2", zeroline: false },
      shapes: [...thresholdLines(""), ...thresholdLines("2")],
      legend: { title: { text: "updates" }, orientation: "h", y: -0.2 },
      height: 440,
    },
  };
}

/** Options of {@link fig3FlowSliderFigure}. */
export interface Fig3SliderOptions {
  /** Title of the figure. */
  title?: string;
  /** x range (default: [min κ₀ − 1, 3] within the grid). */
  xRange?: [number, number];
  /** y range (default: from the flows inside xRange, clipped to [−2, 3]). */
  yRange?: [number, number];
  /** At most this many frames (default 120): every snapshot flagged dense is kept, the others evenly thinned. */
  maxFrames?: number;
}

/**
 * Picks ≤ maxFrames snapshots: all dense ones, the regular ones evenly thinned (first and last kept). Accepts:
 * snapshots an array of flow snapshots (epoch: an integer >= −1, dense: a boolean); maxFrames an integer >= 1.
 */
export function fig3SliderSnapshots(snapshots: Fig3FlowSnapshot[], maxFrames = 120): Fig3FlowSnapshot[] {
  requireArray("snapshots", snapshots, "Fig3FlowSnapshot objects").forEach((s, i) => {
    const r = requireObject(`snapshots[${i}]`, s, "a Fig3FlowSnapshot { epoch, dense, … }");
    requireInteger(`snapshots[${i}].epoch`, r.epoch, -1);
    if (typeof r.dense !== "boolean") throw new GhostError(`snapshots[${i}].dense`, r.dense, "true or false");
  });
  requireInteger("maxFrames", maxFrames, 1);
  const dense = snapshots.filter((s) => s.dense);
  const regular = snapshots.filter((s) => !s.dense);
  const room = Math.max(2, maxFrames - dense.length);
  let keep = regular;
  if (regular.length > room) {
    const idx = new Set<number>();
    for (let j = 0; j < room; j++) idx.add(Math.round((j * (regular.length - 1)) / (room - 1)));
    keep = regular.filter((_, i) => idx.has(i));
  }
  return [...keep, ...dense].sort((a, b) => a.epoch - b.epoch);
}

function frameTraces(kappa: number[], s: Fig3FlowSnapshot, keep: boolean[]): PlotlyTrace[] {
  const stable = s.fixedPoints.filter((p) => p.stability === "stable").map((p) => p.kappa);
  const unstable = s.fixedPoints.filter((p) => p.stability !== "stable").map((p) => p.kappa);
  const n = s.fixedPoints.length;
  return [
    {
      type: "scatter", mode: "lines", name: `f(κ) after ${fig3Label(s.epoch)} updates · ${n} fixed point${n === 1 ? "" : "s"}`,
      x: fig3Round(kappa.filter((_, i) => keep[i])), y: fig3Round(s.dkappaDt.filter((_, i) => keep[i]), 4), line: { color: COLORS[0], width: 2 },
    },
    { type: "scatter", mode: "markers", name: "κ₀", x: [s.kappa0], y: [0], marker: { color: "red", size: 10 } },
    { type: "scatter", mode: "markers", name: "stable fixed point", x: stable, y: stable.map(() => 0), marker: { color: "black", size: 10, line: { color: "black", width: 1.5 } } },
    { type: "scatter", mode: "markers", name: "unstable fixed point", x: unstable, y: unstable.map(() => 0), marker: { color: "white", size: 10, line: { color: "black", width: 1.5 } } },
    {
      type: "scatter", mode: "lines+markers", name: `h = min f on [κ₀, 1] = ${s.ghost.height.toPrecision(3)} (${s.ghost.classification})`,
      x: [s.ghost.kappaGhost, s.ghost.kappaGhost], y: [0, s.ghost.height],
      line: { color: COLORS[3], width: 2, dash: "dot" }, marker: { color: COLORS[3], size: [0, 9] },
    },
  ];
}

/**
 * A slider over analysed flow snapshots (5 traces per frame: the flow, κ₀, stable and unstable fixed points, the
 * segment from (κ_g, 0) to (κ_g, h)). Frame labels = number of updates. Used for the low-lr run (scrub through
 * learning and watch the fixed point leave [κ₀, 1] and the ghost form) and for the high-lr event.
 * Accepts: kappa a non-empty array of finite numbers; snapshots a non-empty array of flow snapshots with dkappaDt
 * of kappa's length; opts undefined or { title?: string, xRange?, yRange?: [lo, hi] finite with lo <= hi,
 * maxFrames?: an integer >= 1 }.
 */
export function fig3FlowSliderFigure(kappa: number[], snapshots: Fig3FlowSnapshot[], opts: Fig3SliderOptions = {}): PlotlyFigure {
  const points = checkKappa("kappa", kappa).length;
  checkSnapshots("snapshots", snapshots, points, 1);
  opts = checkSliderOptions(opts);
  const frames = fig3SliderSnapshots(snapshots, opts.maxFrames ?? 120);
  const xRange: [number, number] = opts.xRange ?? [Math.max(kappa[0], Math.floor(Math.min(...frames.map((s) => s.kappa0)) - 1)), Math.min(kappa[kappa.length - 1], 3)];
  const margin = 0.05 * (xRange[1] - xRange[0]);
  const keep = kappa.map((k) => k >= xRange[0] - margin && k <= xRange[1] + margin);
  const yRange = opts.yRange ?? rangeOf(frames.flatMap((s) => s.dkappaDt.filter((_, i) => keep[i])), 0.1, [-2, 3]);
  const layout: PlotlyLayout = {
    title: { text: opts.title ?? "The flow during training (drag the slider)" },
    xaxis: { title: { text: "kappa" }, range: xRange, zeroline: false },
    yaxis: { title: { text: "dkappa/dt" }, range: yRange, zeroline: false },
    shapes: thresholdLines(""),
    legend: { orientation: "h", x: 0, y: 1.0, yanchor: "bottom" },
    height: 560,
    margin: { t: 130, b: 120 },
  };
  return sliderFigure(frames.map((s) => ({ label: fig3Label(s.epoch), data: frameTraces(kappa, s, keep) })), layout, { prefix: "updates: ", frameDurationMs: 120 });
}

/**
 * Ghost height and fixed points over the low-lr run: h = min f on [κ₀, 1] at every snapshot (C0, left axis; h < 0
 * while a fixed point blocks [κ₀, 1], h > 0 once it has passed κ = 1), the sign-flip count every
 * fixedPointCheckEvery epochs (C3 steps, right axis) and the refined fixed-point count at the snapshots (C3
 * markers). 3 traces; black dashed h = 0. Accepts Fig3LowData as produced by runFig3Low (shape checked).
 */
export function fig3GhostFigure(low: Fig3LowData): PlotlyFigure {
  checkFig3Low(low);
  return fig3GhostFigureChecked(low);
}

/** fig3GhostFigure on data already checked (fig3Figures checks once for all builders). */
function fig3GhostFigureChecked(low: Fig3LowData): PlotlyFigure {
  const snaps = low.snapshots;
  return {
    data: [
      { type: "scatter", mode: "lines+markers", name: "ghost height h = min f on [κ₀, 1]", x: snaps.map((s) => s.epoch + 1), y: snaps.map((s) => s.ghost.height), line: { color: COLORS[0], width: 1.5 }, marker: { size: 4 } },
      { type: "scatter", mode: "lines", name: `sign flips of f (every ${low.config.low.fixedPointCheckEvery} epochs)`, x: low.fixedPointChecks.epoch.map((e) => e + 1), y: low.fixedPointChecks.signFlips, line: { color: COLORS[3], width: 1.5, shape: "hv" }, yaxis: "y2" },
      { type: "scatter", mode: "markers", name: "fixed points (refined, at snapshots)", x: snaps.map((s) => s.epoch + 1), y: snaps.map((s) => s.fixedPoints.length), marker: { color: COLORS[3], size: 5, symbol: "x" }, yaxis: "y2" },
    ],
    layout: {
      title: { text: `Ghost height and number of fixed points during low-lr training (max ${low.maxFixedPoints.signFlips}${low.maxFixedPoints.signFlips <= 1 ? ": no bifurcation" : ""})` },
      xaxis: { title: { text: "Epoch" } },
      yaxis: { title: { text: "h" }, zeroline: false },
      yaxis2: { title: { text: "fixed points" }, overlaying: "y", side: "right", range: [0, 4], dtick: 1, showgrid: false },
      shapes: [hline(0, { color: "black", dash: "dash" })],
      legend: { orientation: "h", y: -0.2 },
      height: 420,
    },
  };
}

/**
 * Epochs of the three Fig 3D flows (event + eventFlowOffsets, within the stored window). Accepts Fig3HighData as
 * produced by runFig3High (shape checked).
 */
export function fig3EventFlowEpochs(high: Fig3HighData): number[] {
  checkFig3High(high);
  return fig3EventFlowEpochsChecked(high);
}

/** fig3EventFlowEpochs on data already checked (fig3Figures checks once for all builders). */
function fig3EventFlowEpochsChecked(high: Fig3HighData): number[] {
  const ev = high.saddleNode;
  if (!ev) return [];
  const have = new Set(high.eventFlows.map((s) => s.epoch));
  return high.config.high.eventFlowOffsets.map((o) => ev.epoch + o).filter((e) => have.has(e));
}

/**
 * Fig 3C: loss / max and gradient / max vs epoch + 1 at the high learning rate (left, semilog-y, y ∈ [1e-6, 5],
 * gradient opacity 0.5) and a zoom on the event (right: raw loss, linear, epochs event − zoom.before … event +
 * zoom.after, grey dotted lines at the labels of the Fig 3D flows, as the paper's inset). 3 traces. Accepts
 * Fig3HighData as produced by runFig3High (shape checked).
 */
export function fig3HighLossFigure(high: Fig3HighData): PlotlyFigure {
  checkFig3High(high);
  return fig3HighLossFigureChecked(high);
}

/** fig3HighLossFigure on data already checked (fig3Figures checks once for all builders). */
function fig3HighLossFigureChecked(high: Fig3HighData): PlotlyFigure {
  const all = (values: number[]) => ({ epoch: values.map((_, i) => i), value: values });
  const traces = normalisedTraces(all(high.loss), high.lossMax, all(high.gradNorm), high.gradMax);
  const layout: PlotlyLayout = {
    title: { text: `Fig 3C: a high learning rate destabilises learning (lr ${high.config.high.learningRate}, seed ${high.config.high.seed})` },
    xaxis: { domain: [0, 0.6], title: { text: "Epoch" } },
    yaxis: { title: { text: "Normalised value" }, type: "log", range: logRange(FIG3_NORMALISED_RANGE), exponentformat: "power" },
    legend: { orientation: "h", y: -0.2 },
    height: 440,
  };
  const ev = high.saddleNode;
  if (ev) {
    const z = high.config.high.zoom;
    const lo = Math.max(0, ev.epoch - z.before), hi = Math.min(high.epochsRun - 1, ev.epoch + z.after);
    const ep: number[] = [];
    for (let e = lo; e <= hi; e++) ep.push(e);
    traces.push({ type: "scatter", mode: "lines", name: "loss (zoom on the event)", x: ep.map((e) => e + 1), y: ep.map((e) => high.loss[e]), line: { color: COLORS[0], width: 1.5 }, xaxis: "x2", yaxis: "y2" });
    layout.xaxis2 = { domain: [0.7, 1], title: { text: "Epoch (zoom)" }, range: [lo + 1, hi + 1], anchor: "y2" };
    layout.yaxis2 = { title: { text: "Loss" }, range: [-0.03, 1.08], anchor: "x2" };
    layout.shapes = fig3EventFlowEpochsChecked(high).map((e) => vline(e + 1, { color: "#7f7f7f", dash: "dot", xref: "x2", yref: "y2 domain" }));
  }
  return { data: traces, layout };
}

/**
 * Fig 3D: the flows just before, at and after the saddle-node event (labels = updates applied; C0, C1, C2), red
 * κ₀ markers (the third flow dashed: after the event it no longer changes), the fixed points of the flow at the event (black = stable, white = unstable), black dashed
 * dκ/dt = 0, orange dashed κ = 1, κ ∈ [−9, 9], y ∈ [−1, 3]. 6 traces (3 flows, κ₀, stable, unstable); a figure
 * with a note and no traces when the run had no event. Accepts Fig3HighData as produced by runFig3High (shape
 * checked; with an event, eventFlows must hold a snapshot at the event epoch).
 */
export function fig3EventFlowFigure(high: Fig3HighData): PlotlyFigure {
  checkFig3High(high);
  return fig3EventFlowFigureChecked(high);
}

/** fig3EventFlowFigure on data already checked (fig3Figures checks once for all builders). */
function fig3EventFlowFigureChecked(high: Fig3HighData): PlotlyFigure {
  const ev = high.saddleNode;
  const kappa = high.kappa;
  const layout: PlotlyLayout = {
    title: { text: ev ? `Fig 3D: a saddle-node bifurcation below threshold (epoch ${fig3Label(ev.epoch)}: ${ev.signFlipsBefore} → ${ev.signFlipsAfter} fixed points)` : "Fig 3D: no saddle-node event in this run" },
    xaxis: { title: { text: "kappa" }, range: [kappa[0], kappa[kappa.length - 1]], zeroline: false },
    yaxis: { title: { text: "dkappa/dt" }, range: FIG3_EVENT_Y_RANGE, zeroline: false },
    shapes: thresholdLines(""),
    legend: { title: { text: "updates" } },
    height: 440,
  };
  if (!ev) return { data: [], layout };
  const shown = fig3EventFlowEpochsChecked(high).map((e) => snapshotAt(high.eventFlows, e, "high.eventFlows", high.eventFlows));
  const atEvent = snapshotAt(high.eventFlows, ev.epoch, "high.eventFlows", high.eventFlows);
  const stable = atEvent.fixedPoints.filter((p) => p.stability === "stable").map((p) => p.kappa);
  const unstable = atEvent.fixedPoints.filter((p) => p.stability !== "stable").map((p) => p.kappa);
  const traces: PlotlyTrace[] = shown.map((s, k) => ({
    type: "scatter", mode: "lines", name: `${fig3Label(s.epoch)} (h = ${s.ghost.height.toPrecision(2)})`, x: kappa, y: s.dkappaDt,
    line: { color: COLORS[k % COLORS.length], width: 2, dash: k === 2 ? "dash" : "solid" },
  }));
  traces.push(
    { type: "scatter", mode: "markers", name: "κ₀", x: shown.map((s) => s.kappa0), y: shown.map(() => 0), marker: { color: "red", size: 9 } },
    { type: "scatter", mode: "markers", name: `stable fixed points (${fig3Label(ev.epoch)})`, x: stable, y: stable.map(() => 0), marker: { color: "black", size: 10 } },
    { type: "scatter", mode: "markers", name: `unstable fixed points (${fig3Label(ev.epoch)})`, x: unstable, y: unstable.map(() => 0), marker: { color: "white", size: 10, line: { color: "black", width: 1.5 } } },
  );
  return { data: traces, layout };
}

/**
 * h = min f on [κ₀, 1] (C0, left) and the sign-flip count of f (C3 steps, right) after every analysed epoch of the
 * high-lr run; black dashed h = 0. The x range starts 150 epochs before the first accurate epoch (zoom out in the
 * plot for the whole run). 2 traces. Accepts Fig3HighData as produced by runFig3High (shape checked).
 */
export function fig3HighGhostFigure(high: Fig3HighData): PlotlyFigure {
  checkFig3High(high);
  return fig3HighGhostFigureChecked(high);
}

/** fig3HighGhostFigure on data already checked (fig3Figures checks once for all builders). */
function fig3HighGhostFigureChecked(high: Fig3HighData): PlotlyFigure {
  const p = high.perEpoch;
  const start = high.firstAccurate !== null ? Math.max(p.epoch[0] ?? 0, high.firstAccurate - 150) : p.epoch[0] ?? 0;
  return {
    data: [
      { type: "scatter", mode: "lines", name: "h = min f on [κ₀, 1]", x: p.epoch.map((e) => e + 1), y: fig3Round(p.height), line: { color: COLORS[0], width: 1.2 } },
      { type: "scatter", mode: "lines", name: "sign flips of f (fixed points)", x: p.epoch.map((e) => e + 1), y: p.signFlips, line: { color: COLORS[3], width: 1.5, shape: "hv" }, yaxis: "y2" },
    ],
    layout: {
      title: { text: "High lr: h flips sign as the fixed point moves in and out of [κ₀, 1]; then a saddle-node pair is born and stays" },
      xaxis: { title: { text: "Epoch" }, range: [start + 1, high.epochsRun] },
      yaxis: { title: { text: "h" }, zeroline: false },
      yaxis2: { title: { text: "fixed points" }, overlaying: "y", side: "right", range: [0, 4], dtick: 1, showgrid: false },
      shapes: [hline(0, { color: "black", dash: "dash" })],
      legend: { orientation: "h", y: -0.2 },
      height: 420,
    },
  };
}

/**
 * The low-lr slider (flows every snapshotEvery epochs, dense around the drop). Accepts Fig3LowData as produced by
 * runFig3Low (shape checked; at least one snapshot) and opts as {@link fig3FlowSliderFigure}.
 */
export function fig3LowSliderFigure(low: Fig3LowData, opts: Fig3SliderOptions = {}): PlotlyFigure {
  checkFig3Low(low);
  return fig3LowSliderFigureChecked(low, opts);
}

/** fig3LowSliderFigure on data already checked (fig3Figures checks once for all builders). */
function fig3LowSliderFigureChecked(low: Fig3LowData, opts: Fig3SliderOptions = {}): PlotlyFigure {
  opts = checkSliderOptions(opts);
  requireArray("low.snapshots", low.snapshots, "Fig3FlowSnapshot objects", { minLength: 1 });
  return fig3FlowSliderFigure(low.kappa, low.snapshots, {
    title: "Scrub through low-lr learning: the fixed point leaves [κ₀, 1] and a ghost remains", ...opts,
  });
}

/**
 * The high-lr event slider (flows after every epoch around the saddle-node event), κ ∈ [−9, 9], y ∈ [−1, 3]; null
 * without event flows. Accepts Fig3HighData as produced by runFig3High (shape checked) and opts as
 * {@link fig3FlowSliderFigure}.
 */
export function fig3EventSliderFigure(high: Fig3HighData, opts: Fig3SliderOptions = {}): PlotlyFigure | null {
  checkFig3High(high);
  return fig3EventSliderFigureChecked(high, opts);
}

/** fig3EventSliderFigure on data already checked (fig3Figures checks once for all builders). */
function fig3EventSliderFigureChecked(high: Fig3HighData, opts: Fig3SliderOptions = {}): PlotlyFigure | null {
  opts = checkSliderOptions(opts);
  if (high.eventFlows.length === 0) return null;
  const k = high.kappa;
  return fig3FlowSliderFigure(k, high.eventFlows, {
    title: "Scrub through the high-lr event: the minimum of f drops below zero and two fixed points appear",
    xRange: [k[0], k[k.length - 1]], yRange: FIG3_EVENT_Y_RANGE, ...opts,
  });
}

/**
 * Every Fig 3 figure, in order: 3A, 3B, low slider, ghost panel, 3C, 3D, event slider (if any), high-lr h panel.
 * Accepts Fig3Data { low, high } as produced by runFig3 (shape checked).
 */
export function fig3Figures(data: Fig3Data): PlotlyFigure[] {
  const d = requireObject("data", data, "a Fig3Data object { config, low, high } (see figures.runFig3)");
  checkFig3Low(d.low, "data.low");
  checkFig3High(d.high, "data.high");
  const eventSlider = fig3EventSliderFigureChecked(data.high);
  return [
    fig3LossFigureChecked(data.low), fig3FlowFigureChecked(data.low), fig3LowSliderFigureChecked(data.low), fig3GhostFigureChecked(data.low),
    fig3HighLossFigureChecked(data.high), fig3EventFlowFigureChecked(data.high), ...(eventSlider ? [eventSlider] : []), fig3HighGhostFigureChecked(data.high),
  ];
}
