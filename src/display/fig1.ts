/**
 * Figure 1 builders (spec A1): the schematic flows f(x) = x² ± 0.5 and an interactive slider over r in which the
 * two fixed points ∓√(−r) merge at r = 0 and leave a ghost (bottleneck) whose passage time grows as r ↓ 0.
 * Pure: Fig1Data → Plotly figures.
 */
import type { Fig1Data, Fig1Frame, Fig1Panel } from "../figures/fig1";
import { COLORS, PlotlyFigure, PlotlyTrace, sliderFigure } from "./plotly";
import { requireFinite, requireNonNegative, requireNumber, requireNumbers, requireObject } from "../core/errors";
import { requireArray, requireString } from "./validate";

const FIG1_DATA = "a Fig1Data object (see figures.runFig1)";

function checkFig1Panel(name: string, value: unknown, points: number): void {
  const p = requireObject(name, value, "a Fig 1 flow panel { r, f, fixedPoints, ghost, regime }");
  requireFinite(`${name}.r`, p.r);
  requireNumbers(`${name}.f`, p.f, { length: points });
  requireArray(`${name}.fixedPoints`, p.fixedPoints, "fixed points { x, stability }").forEach((fp, i) => {
    const q = requireObject(`${name}.fixedPoints[${i}]`, fp, "a fixed point { x: number, stability: string }");
    requireNumber(`${name}.fixedPoints[${i}].x`, q.x);
    requireString(`${name}.fixedPoints[${i}].stability`, q.stability);
  });
  if (p.ghost !== null) {
    const g = requireObject(`${name}.ghost`, p.ghost, "null or a ghost { x: number, speed: number }");
    requireNumber(`${name}.ghost.x`, g.x);
    requireNumber(`${name}.ghost.speed`, g.speed);
  }
  requireString(`${name}.regime`, p.regime);
}

/**
 * Checks the fields of Fig1Data the builders read (GhostError naming the path): config.x.start/stop and
 * config.trajectory.duration finite; x an array of numbers; schematic panels and slider frames with f of x's
 * length, fixed points, ghost (or null), regime; frames with trajectory { t, x } of equal lengths and crossingTime
 * a number or null; passage r, analytic (numbers) and simulated (numbers or null) of equal lengths.
 */
function checkFig1Data(value: unknown, name = "data"): asserts value is Fig1Data {
  const d = requireObject(name, value, FIG1_DATA);
  const config = requireObject(`${name}.config`, d.config, "a Fig1Config");
  const x = requireObject(`${name}.config.x`, config.x, "an object { start, stop, points }");
  requireFinite(`${name}.config.x.start`, x.start);
  requireFinite(`${name}.config.x.stop`, x.stop);
  const trajectory = requireObject(`${name}.config.trajectory`, config.trajectory, "an object { dt, duration, escape, recordEvery }");
  requireNonNegative(`${name}.config.trajectory.duration`, trajectory.duration);
  const points = requireNumbers(`${name}.x`, d.x).length;
  requireArray(`${name}.schematic`, d.schematic, "flow panels").forEach((p, k) => checkFig1Panel(`${name}.schematic[${k}]`, p, points));
  requireArray(`${name}.frames`, d.frames, "slider frames", { minLength: 1 }).forEach((f, k) => {
    const path = `${name}.frames[${k}]`;
    checkFig1Panel(path, f, points);
    const frame = f as Record<string, unknown>;
    const tr = requireObject(`${path}.trajectory`, frame.trajectory, "a trajectory { t: number[], x: number[] }");
    const t = requireNumbers(`${path}.trajectory.t`, tr.t);
    requireNumbers(`${path}.trajectory.x`, tr.x, { length: t.length });
    if (frame.crossingTime !== null) requireNumber(`${path}.crossingTime`, frame.crossingTime);
  });
  const passage = requireObject(`${name}.passage`, d.passage, "an object { r, analytic, simulated }");
  const n = requireNumbers(`${name}.passage.r`, passage.r).length;
  requireNumbers(`${name}.passage.analytic`, passage.analytic, { length: n });
  requireNumbers(`${name}.passage.simulated`, passage.simulated, { length: n, nullable: true });
}

const STABLE = { color: "black", size: 11, symbol: "circle", line: { color: "black", width: 1.5 } };
const UNSTABLE = { color: "white", size: 11, symbol: "circle", line: { color: "black", width: 1.5 } };
const HALF = { color: "#7f7f7f", size: 12, symbol: "circle", line: { color: "black", width: 1.5 } };
const GHOST = { color: "rgba(0,0,0,0)", size: 18, symbol: "circle", line: { color: COLORS[3], width: 2, dash: "dot" } };

/** The y = 0 line of a flow panel (thin black, as the authors' axhline(0, lw = 0.5)). */
function zeroLine(axis: string): Record<string, unknown> {
  const suffix = axis === "x" ? "" : axis.slice(1);
  return {
    type: "line", xref: `x${suffix} domain`, yref: `y${suffix}`, x0: 0, x1: 1, y0: 0, y1: 0,
    line: { color: "black", width: 0.5 },
  };
}

/** Traces of one flow panel: the curve, stable / unstable / half-stable fixed points and the ghost (always 5). */
function flowTraces(x: number[], p: Fig1Panel, axes: { xaxis: string; yaxis: string }, showlegend: boolean): PlotlyTrace[] {
  const pick = (s: string) => p.fixedPoints.filter((f) => f.stability === s).map((f) => f.x);
  const stable = pick("stable"), unstable = pick("unstable"), half = pick("degenerate");
  return [
    { type: "scatter", mode: "lines", name: `f(x) = x² ${p.r >= 0 ? "+" : "−"} ${Math.abs(p.r).toPrecision(3)}`, x, y: p.f,
      line: { color: COLORS[0], width: 2 }, showlegend: false, ...axes },
    { type: "scatter", mode: "markers", name: "stable fixed point", x: stable, y: stable.map(() => 0), marker: STABLE, showlegend, legendgroup: "stable", ...axes },
    { type: "scatter", mode: "markers", name: "unstable fixed point", x: unstable, y: unstable.map(() => 0), marker: UNSTABLE, showlegend, legendgroup: "unstable", ...axes },
    { type: "scatter", mode: "markers", name: "saddle-node (half-stable)", x: half, y: half.map(() => 0), marker: HALF, showlegend, legendgroup: "half", ...axes },
    {
      type: "scatter", mode: "markers+text", name: "ghost (bottleneck)", x: p.ghost ? [p.ghost.x] : [], y: p.ghost ? [p.ghost.speed] : [],
      text: p.ghost ? ["ghost"] : [], textposition: "top center", textfont: { color: COLORS[3] }, marker: GHOST,
      showlegend, legendgroup: "ghost", ...axes,
    },
  ];
}

/**
 * The paper's Fig 1 schematic: two panels, f(x) = x² + 0.5 (r > 0: no fixed point, a ghost at x = 0) and
 * f(x) = x² − 0.5 (r < 0: stable −√0.5 and unstable +√0.5), x ∈ [−1, 1], y ∈ [−1, 2], thin black y = 0 line.
 * Traces: 5 per panel (curve, stable, unstable, half-stable, ghost). Accepts Fig1Data as produced by runFig1
 * (shape checked, GhostError naming the field otherwise).
 */
export function fig1SchematicFigure(data: Fig1Data): PlotlyFigure {
  checkFig1Data(data);
  const panels = data.schematic;
  const n = panels.length;
  const gap = 0.08;
  const width = (1 - gap * (n - 1)) / n;
  const layout: Record<string, unknown> = {
    title: { text: "Fig 1: ẋ = x² + r with r > 0 (ghost) and r < 0 (two fixed points)" },
    height: 380,
    legend: { orientation: "h", y: -0.2 },
    shapes: [] as Record<string, unknown>[],
    annotations: [] as Record<string, unknown>[],
    margin: { t: 70 },
  };
  const traces: PlotlyTrace[] = [];
  panels.forEach((p, k) => {
    const suffix = k === 0 ? "" : String(k + 1);
    const xa = `x${suffix}`, ya = `y${suffix}`;
    layout[`xaxis${suffix}`] = { domain: [k * (width + gap), k * (width + gap) + width], range: [data.config.x.start, data.config.x.stop], title: { text: "x" }, anchor: ya, zeroline: false };
    layout[`yaxis${suffix}`] = { range: [-1, 2], title: { text: k === 0 ? "dx/dt" : "" }, anchor: xa, zeroline: false };
    (layout.shapes as Record<string, unknown>[]).push(zeroLine(xa));
    (layout.annotations as Record<string, unknown>[]).push({
      text: `r = ${p.r > 0 ? "+" : ""}${p.r} (${p.regime})`, xref: `${xa} domain`, yref: `${ya} domain`, x: 0.5, y: 1.08,
      showarrow: false, font: { size: 13 },
    });
    traces.push(...flowTraces(data.x, p, { xaxis: xa, yaxis: ya }, true));
  });
  // legend entries: show each marker kind once (from whichever panel has it)
  const seen = new Set<string>();
  for (const t of traces) {
    const g = t.legendgroup as string | undefined;
    if (!g) continue;
    const has = (t.x as number[]).length > 0;
    t.showlegend = has && !seen.has(g);
    if (has) seen.add(g);
  }
  return { data: traces, layout };
}

function frameTraces(data: Fig1Data, f: Fig1Frame): PlotlyTrace[] {
  const flow = flowTraces(data.x, f, { xaxis: "x", yaxis: "y" }, true);
  const sim = data.passage.simulated;
  return [
    ...flow,
    { type: "scatter", mode: "lines", name: "x(t) from x(0) = 0", x: f.trajectory.t, y: f.trajectory.x, line: { color: COLORS[1], width: 2 }, xaxis: "x2", yaxis: "y2" },
    { type: "scatter", mode: "lines", name: "t*(r) = π/(2√r)", x: data.passage.r, y: data.passage.analytic, line: { color: "black", width: 1.5 }, xaxis: "x3", yaxis: "y3" },
    {
      type: "scatter", mode: "markers", name: "Euler time to reach x* = 10",
      x: data.passage.r.filter((_, i) => sim[i] !== null), y: sim.filter((v) => v !== null),
      marker: { color: COLORS[2], size: 6, symbol: "circle-open" }, xaxis: "x3", yaxis: "y3",
    },
    {
      type: "scatter", mode: "markers", name: "current r",
      x: f.crossingTime !== null ? [f.r] : [], y: f.crossingTime !== null ? [f.crossingTime] : [],
      marker: { color: COLORS[3], size: 13, symbol: "diamond" }, xaxis: "x3", yaxis: "y3",
    },
  ];
}

/**
 * The interactive Fig 1: a slider over r (from 0.5 down to −0.5) with three panels — the flow ẋ = x² + r with its
 * fixed points or ghost; the trajectory x(t) from x(0) = 0 (a long plateau near x = 0 when r is small and
 * positive, relaxation to −√(−r) when r < 0); and the passage time t*(r) = π/(2√r) vs r (log–log, slope −1/2)
 * with the current r marked. 9 traces per frame. Accepts Fig1Data as produced by runFig1 (shape checked; at
 * least one frame).
 */
export function fig1SliderFigure(data: Fig1Data): PlotlyFigure {
  checkFig1Data(data);
  const tMax = data.config.trajectory.duration;
  const rs = data.passage.r;
  const ts = data.passage.analytic;
  const layout: Record<string, unknown> = {
    title: { text: "Fig 1 (interactive): as r ↓ 0 the fixed points merge and leave a ghost; passage time ∝ r^(−1/2)" },
    height: 480,
    margin: { t: 70, b: 60 },
    legend: { orientation: "h", y: -0.55 },
    xaxis: { domain: [0, 0.28], range: [data.config.x.start, data.config.x.stop], title: { text: "x" }, anchor: "y", zeroline: false },
    yaxis: { range: [-1, 2], title: { text: "dx/dt = x² + r" }, anchor: "x", zeroline: false },
    xaxis2: { domain: [0.36, 0.64], range: [0, tMax], title: { text: "t" }, anchor: "y2" },
    yaxis2: { range: [-1, 2], title: { text: "x(t)" }, anchor: "x2" },
    xaxis3: {
      domain: [0.72, 1], type: "log", title: { text: "r" }, anchor: "y3",
      range: [Math.log10(Math.min(...rs)) - 0.15, Math.log10(Math.max(...rs)) + 0.15],
    },
    yaxis3: {
      type: "log", title: { text: "passage time t*" }, anchor: "x3",
      range: [Math.log10(Math.min(...ts)) - 0.15, Math.log10(Math.max(...ts)) + 0.15],
    },
    shapes: [zeroLine("x"), zeroLine("x2")],
  };
  const frames = data.frames.map((f) => ({ label: `${f.r === 0 ? "0" : f.r.toPrecision(3)}`, data: frameTraces(data, f) }));
  return sliderFigure(frames, layout, { prefix: "r = ", frameDurationMs: 200 });
}

/** Both Fig 1 figures: the schematic and the slider. Accepts Fig1Data as produced by runFig1 (shape checked). */
export function fig1Figures(data: Fig1Data): PlotlyFigure[] {
  checkFig1Data(data);
  return [fig1SchematicFigure(data), fig1SliderFigure(data)];
}
