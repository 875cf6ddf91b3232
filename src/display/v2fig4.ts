/**
 * v2 Figure 4 builders (spec B2, D5): per task (DCDT or DMTS) the loss / gradient curves with the snapshot epochs,
 * the latent flow maps with a slider over the snapshots (log10 speed in viridis, unit arrows, decision-region lines,
 * trajectories, refined slow points with their eigenvectors), and the outputs per trial type against the targets.
 * Pure: V2Fig4Data → Plotly figures.
 */
import type { V2Fig4Data, V2Fig4Map, V2Fig4Snapshot, V2Fig4TaskData } from "../figures/v2fig4";
import { COLORS, PlotlyFigure, PlotlyTrace, sliderFigure, vline } from "./plotly";
import { GhostError, requireObject, requireOneOf } from "../core/errors";
import { requireArray, requireV2TaskData } from "./validate";

/** The two tasks of the figure. */
export type V2Fig4Task = "dcdt" | "dmts";

function taskData(data: V2Fig4Data, task: V2Fig4Task): V2Fig4TaskData {
  return requireV2TaskData(data, task, "a V2Fig4Data object (see figures.runV2Fig4)", "one task's data (V2Fig4TaskData)", "a V2Fig4Snapshot", (o, path) => {
    requireObject(`${path}.overview`, o.overview, "a flow map");
    requireArray(`${path}.outputs`, o.outputs, "outputs per trial type");
  }) as unknown as V2Fig4TaskData;
}

const TITLES: Record<V2Fig4Task, string> = { dcdt: "v2 Fig 4A–D · rank-2 RNN, DCDT", dmts: "v2 Fig 4E–H · rank-2 RNN, DMTS" };
const FLOOR = 1e-12;

/**
 * Loss / max and gradient metric (‖∇S_l‖ + ‖∇S_r‖) / max vs epoch + 1 (log–log), accuracy on the right axis, dashed
 * grey lines at the snapshot epochs + 1 (spec B2 loss panel).
 */
export function v2Fig4LossFigure(data: V2Fig4Data, task: V2Fig4Task): PlotlyFigure {
  const t = taskData(data, task);
  const c = t.curves;
  const x = c.epoch.map((e) => e + 1);
  const lmax = Math.max(...c.loss.filter(Number.isFinite)), gmax = Math.max(...c.gradMetric.filter(Number.isFinite));
  return {
    data: [
      { type: "scatter", mode: "lines", name: "loss / max", x, y: c.loss.map((v) => Math.max(v / lmax, FLOOR)), line: { color: COLORS[0], width: 1.5 } },
      { type: "scatter", mode: "lines", name: "‖∇S_l‖ + ‖∇S_r‖ / max", x, y: c.gradMetric.map((v) => Math.max(v / gmax, FLOOR)), line: { color: COLORS[1], width: 1 } },
      { type: "scatter", mode: "lines", name: "accuracy", x, y: c.accuracy, yaxis: "y2", line: { color: COLORS[2], width: 1, dash: "dot" } },
    ],
    layout: {
      title: { text: `${TITLES[task]}: loss and gradient (snapshots dashed)` },
      xaxis: { title: { text: "Epoch + 1" }, type: "log" },
      yaxis: { title: { text: "normalised" }, type: "log", exponentformat: "e" },
      yaxis2: { title: { text: "accuracy" }, overlaying: "y", side: "right", range: [0, 1.02], showgrid: false },
      shapes: t.snapshots.map((s) => vline(s.epoch + 1, { color: "grey", dash: "dash", width: 1 })),
      legend: { x: 0.01, y: 0.02 },
    },
  };
}

/** Arrow segments (tail → head, with two short barbs) as one line trace with gaps. */
function arrowTrace(m: V2Fig4Map, length: number): PlotlyTrace {
  const x: (number | null)[] = [], y: (number | null)[] = [];
  const a = m.arrows;
  for (let i = 0; i < a.x.length; i++) {
    const x0 = a.x[i], y0 = a.y[i], x1 = x0 + length * a.u[i], y1 = y0 + length * a.v[i];
    const bx = -0.35 * length * a.u[i], by = -0.35 * length * a.v[i];
    x.push(x0, x1, null, x1, x1 + bx - 0.5 * by, null, x1, x1 + bx + 0.5 * by, null);
    y.push(y0, y1, null, y1, y1 + by + 0.5 * bx, null, y1, y1 + by - 0.5 * bx, null);
  }
  return { type: "scatter", mode: "lines", name: "flow direction", x, y, line: { color: "black", width: 0.7 }, hoverinfo: "skip", showlegend: false };
}

function mapTraces(s: V2Fig4Snapshot, m: V2Fig4Map, trajectories: number): PlotlyTrace[] {
  const step = m.kappa1.length > 1 ? m.kappa1[1] - m.kappa1[0] : 1;
  const stride = m.arrows.x.length > 1 ? Math.abs(m.arrows.x[1] - m.arrows.x[0]) || step * 10 : step * 10;
  const traces: PlotlyTrace[] = [
    { type: "heatmap", x: m.kappa1, y: m.kappa2, z: m.logSpeed, colorscale: "Viridis", zmin: -1, zmax: 1, opacity: 0.6, colorbar: { title: { text: "log₁₀ speed" } }, name: "log10 speed" },
    m.decision.length
      ? { type: "contour", x: m.kappa1, y: m.kappa2, z: m.decision, contours: { coloring: "lines", start: -0.55, end: 0.55, size: 0.55 }, line: { color: "#d62728", dash: "dot", width: 1.2 }, showscale: false, name: "readout Z = 0, ±0.55", hoverinfo: "skip" }
      : { type: "scatter", x: [], y: [], name: "", showlegend: false },
    arrowTrace(m, 0.7 * stride),
  ];
  for (let k = 0; k < trajectories; k++) {
    const tr = s.trajectories[k] ?? [];
    traces.push({
      type: "scatter", mode: "lines+markers", name: `trial ${k}`, x: tr.map((p) => p[0]), y: tr.map((p) => p[1]),
      line: { color: COLORS[(k === 1 && trajectories === 2 ? 3 : k) % COLORS.length], width: 2 }, marker: { size: 4 },
    });
  }
  const pts = (cls: string) => m.slowPoints.filter((p) => p.classification === cls);
  const marker = (cls: string, symbol: string, color: string, name: string): PlotlyTrace => {
    const p = pts(cls);
    return {
      type: "scatter", mode: "markers", name, x: p.map((q) => q.kappa[0]), y: p.map((q) => q.kappa[1]),
      marker: { symbol, size: 11, color, line: { color: "white", width: 1 } },
      text: p.map((q) => `${cls}: speed ${q.speed.toExponential(2)}, λ = ${q.eigenvalues.re.map((v) => v.toFixed(3)).join(", ")}`), hoverinfo: "text",
    };
  };
  // eigenvectors at every refined point: slow one red, the other black (length ±4 % of the window)
  const L = 0.04 * m.range;
  const ex: (number | null)[] = [], ey: (number | null)[] = [], sx: (number | null)[] = [], sy: (number | null)[] = [];
  for (const p of m.slowPoints) {
    if (p.classification !== "fixed point" && p.classification !== "ghost") continue;
    sx.push(p.kappa[0] - L * p.slowVector[0], p.kappa[0] + L * p.slowVector[0], null);
    sy.push(p.kappa[1] - L * p.slowVector[1], p.kappa[1] + L * p.slowVector[1], null);
    ex.push(p.kappa[0] - L * p.fastVector[0], p.kappa[0] + L * p.fastVector[0], null);
    ey.push(p.kappa[1] - L * p.fastVector[1], p.kappa[1] + L * p.fastVector[1], null);
  }
  traces.push(
    marker("fixed point", "circle", "black", "fixed point"),
    marker("ghost", "star", "#d62728", "ghost"),
    { type: "scatter", mode: "markers", name: "grid speed minima", x: m.minima.map((q) => q.kappa[0]), y: m.minima.map((q) => q.kappa[1]), marker: { symbol: "x", size: 7, color: "#9467bd" } },
    { type: "scatter", mode: "lines", name: "slow eigenvector", x: sx, y: sy, line: { color: "#d62728", width: 3 }, hoverinfo: "skip" },
    { type: "scatter", mode: "lines", name: "fast eigenvector", x: ex, y: ey, line: { color: "black", width: 2 }, hoverinfo: "skip" },
  );
  return traces;
}

/**
 * The latent flow map at every snapshot, one slider step per snapshot: log10 speed (viridis, colour range [−1, 1],
 * alpha 0.6), unit arrows, the readout's decision lines (Z = 0, ±0.55), the trajectories of the first trials, grid
 * speed minima (purple ×), refined fixed points (black) and ghosts (red stars) with their slow (red) and fast
 * (black) eigenvectors. `view` "overview" ([−5, 5]) or "closeUp" (DCDT's [−1, 1]).
 */
export function v2Fig4MapFigure(data: V2Fig4Data, task: V2Fig4Task, view: "overview" | "closeUp" = "overview"): PlotlyFigure {
  const t = taskData(data, task);
  requireOneOf("view", view, ["overview", "closeUp"] as const);
  if (view === "closeUp" && t.snapshots.some((s) => s.closeUp === null)) throw new GhostError("view", view, `"overview" (this task has no close-up maps)`);
  const nTraj = Math.min(...t.snapshots.map((s) => s.trajectories.length));
  const frames = t.snapshots.map((s) => ({
    label: `epoch ${s.epoch + 1} · acc ${s.accuracy.toFixed(2)}`,
    data: mapTraces(s, (view === "overview" ? s.overview : s.closeUp) as V2Fig4Map, nTraj),
  }));
  const m0 = (view === "overview" ? t.snapshots[0].overview : t.snapshots[0].closeUp) as V2Fig4Map;
  return sliderFigure(frames, {
    title: { text: `${TITLES[task]}: latent flow ${view === "closeUp" ? "(close-up)" : ""} — slide through training` },
    xaxis: { title: { text: "κ₁" }, range: [-m0.range, m0.range], constrain: "domain" },
    yaxis: { title: { text: "κ₂" }, range: [-m0.range, m0.range], scaleanchor: "x" },
    height: 620,
    legend: { x: 1.12, y: 1 },
  }, { prefix: "snapshot: " });
}

/**
 * Outputs per trial type at every snapshot (slider): targets solid, mean ± SEM of the replayed outputs dashed
 * (spec B2 lower panel).
 */
export function v2Fig4OutputsFigure(data: V2Fig4Data, task: V2Fig4Task): PlotlyFigure {
  const t = taskData(data, task);
  const frames = t.snapshots.map((s) => ({
    label: `epoch ${s.epoch + 1}`,
    data: s.outputs.flatMap((o, k): PlotlyTrace[] => {
      const x = o.mean.map((_, i) => i);
      const color = COLORS[k % COLORS.length];
      return [
        { type: "scatter", mode: "lines", name: `${o.label} target`, x, y: o.target, line: { color, width: 2 } },
        { type: "scatter", mode: "lines", name: `${o.label} output`, x, y: o.mean, error_y: { type: "data", array: o.sem, visible: true, thickness: 1, color }, line: { color, width: 1.5, dash: "dash" } },
      ];
    }),
  }));
  return sliderFigure(frames, {
    title: { text: `${TITLES[task]}: outputs per trial type (mean ± SEM) vs targets` },
    xaxis: { title: { text: "step (5 ms)" } },
    yaxis: { title: { text: "output" } },
  }, { prefix: "snapshot: " });
}

/** Every v2 Fig 4 figure: per task the loss curves, the overview maps, (DCDT) the close-up maps, the outputs. */
export function v2Fig4Figures(data: V2Fig4Data): PlotlyFigure[] {
  const out: PlotlyFigure[] = [];
  for (const task of ["dcdt", "dmts"] as const) {
    const t = taskData(data, task);
    out.push(v2Fig4LossFigure(data, task), v2Fig4MapFigure(data, task, "overview"));
    if (t.snapshots.every((s) => s.closeUp !== null)) out.push(v2Fig4MapFigure(data, task, "closeUp"));
    out.push(v2Fig4OutputsFigure(data, task));
  }
  return out;
}
