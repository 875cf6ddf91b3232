/**
 * v2 Figure 5 builders (spec B3, D5): per task the loss and gradient norm ‖∇W_rec‖ (log–log, snapshot lines), the
 * accuracy (log x), and the PCA view: trajectories on PC1–3 in 3-D (Plotly scatter3d) with the fixed / slow points
 * coloured by log10 speed (coolwarm, [−6, 0]), one slider step per snapshot. Pure: V2Fig5Data → Plotly figures.
 */
import type { V2Fig5Data, V2Fig5TaskData } from "../figures/v2fig5";
import { COLORS, PlotlyFigure, PlotlyTrace, sliderFigure, vline } from "./plotly";
import { requireArray, requireV2TaskData } from "./validate";

/** The two tasks of the figure. */
export type V2Fig5Task = "dcdt" | "dmts";

const TITLES: Record<V2Fig5Task, string> = { dcdt: "v2 Fig 5A–C · full-rank RNN, DCDT", dmts: "v2 Fig 5D–F · full-rank RNN, DMTS" };
const FLOOR = 1e-12;

function taskData(data: V2Fig5Data, task: V2Fig5Task): V2Fig5TaskData {
  return requireV2TaskData(data, task, "a V2Fig5Data object (see figures.runV2Fig5)", "one task's data (V2Fig5TaskData)", "a V2Fig5Snapshot", (o, path) => {
    requireArray(`${path}.trajectories`, o.trajectories, "trajectories");
    requireArray(`${path}.points`, o.points, "slow points");
  }) as unknown as V2Fig5TaskData;
}

/** Loss and ‖∇W_rec‖ vs epoch + 1 (log–log), ‖W_rec‖ on the right axis, snapshot epochs + 1 dashed (B3 A/D). */
export function v2Fig5LossFigure(data: V2Fig5Data, task: V2Fig5Task): PlotlyFigure {
  const t = taskData(data, task);
  const x = t.curves.epoch.map((e) => e + 1);
  return {
    data: [
      { type: "scatter", mode: "lines", name: "loss", x, y: t.curves.loss.map((v) => Math.max(v, FLOOR)), line: { color: COLORS[0], width: 1.5 } },
      { type: "scatter", mode: "lines", name: "‖∇W_rec‖", x, y: t.curves.gradMetric.map((v) => Math.max(v, FLOOR)), line: { color: COLORS[1], width: 1 } },
      { type: "scatter", mode: "lines", name: "‖W_rec‖", x, y: t.curves.weightNorm, yaxis: "y2", line: { color: COLORS[2], width: 1, dash: "dot" } },
    ],
    layout: {
      title: { text: `${TITLES[task]}: loss and gradient norm` },
      xaxis: { title: { text: "Epoch + 1" }, type: "log" },
      yaxis: { title: { text: "loss, ‖∇W_rec‖" }, type: "log", exponentformat: "e" },
      yaxis2: { title: { text: "‖W_rec‖" }, overlaying: "y", side: "right", showgrid: false },
      shapes: t.snapshots.map((s) => vline(s.epoch + 1, { color: "grey", dash: "dash", width: 1 })),
      legend: { x: 0.01, y: 0.02 },
    },
  };
}

/** Accuracy vs epoch + 1 (log x, y in [−0.01, 1.01]) with the snapshot lines (B3 B/E). */
export function v2Fig5AccuracyFigure(data: V2Fig5Data, task: V2Fig5Task): PlotlyFigure {
  const t = taskData(data, task);
  return {
    data: [{ type: "scatter", mode: "lines", name: "accuracy", x: t.curves.epoch.map((e) => e + 1), y: t.curves.accuracy, line: { color: COLORS[0], width: 1.5 } }],
    layout: {
      title: { text: `${TITLES[task]}: accuracy` },
      xaxis: { title: { text: "Epoch + 1" }, type: "log" },
      yaxis: { title: { text: "accuracy" }, range: [-0.01, 1.01] },
      shapes: t.snapshots.map((s) => vline(s.epoch + 1, { color: "grey", dash: "dash", width: 1 })),
    },
  };
}

/** Matplotlib's coolwarm at 5 stops (spec D5). */
const COOLWARM: [number, string][] = [[0, "#3b4cc0"], [0.25, "#7b9ff9"], [0.5, "#dddddd"], [0.75, "#f6a385"], [1, "#b40426"]];

/**
 * Trajectories on PC1–3 (one line per trial, colour per trial type) and the fixed / slow points (diamonds coloured
 * by log10 speed, coolwarm on [−6, 0], hover: speed, distance to the nearest visited state, kind), the point nearest
 * the trajectories ringed; one slider step per snapshot, titled with epoch + 1 and accuracy.
 */
export function v2Fig5PcaFigure(data: V2Fig5Data, task: V2Fig5Task): PlotlyFigure {
  const t = taskData(data, task);
  const nTraj = Math.min(...t.snapshots.map((s) => s.trajectories.length));
  const frames = t.snapshots.map((s) => {
    const traces: PlotlyTrace[] = [];
    for (let b = 0; b < nTraj; b++) {
      const tr = s.trajectories[b];
      const type = t.trialTypes[b] ?? b;
      traces.push({
        type: "scatter3d", mode: "lines+markers", name: `${t.typeLabels[type] ?? `type ${type + 1}`} (trial ${b})`,
        x: tr.map((p) => p[0]), y: tr.map((p) => p[1]), z: tr.map((p) => p[2]),
        line: { color: COLORS[b % COLORS.length], width: 4 }, marker: { size: 2, color: COLORS[b % COLORS.length] },
      });
    }
    traces.push({
      type: "scatter3d", mode: "markers", name: "fixed / slow points",
      x: s.points.map((p) => p.pc[0]), y: s.points.map((p) => p.pc[1]), z: s.points.map((p) => p.pc[2]),
      marker: { symbol: "diamond", size: 6, color: s.points.map((p) => Math.max(-6, Math.min(0, p.logSpeed))), cmin: -6, cmax: 0, colorscale: COOLWARM, colorbar: { title: { text: "log₁₀ speed" } } },
      text: s.points.map((p) => `${p.kind}: speed ${p.speed.toExponential(2)}, distance to the trajectories ${p.distance.toFixed(2)}`), hoverinfo: "text",
    });
    const near = s.points[s.nearest];
    traces.push({
      type: "scatter3d", mode: "markers", name: "nearest to the trajectories",
      x: near ? [near.pc[0]] : [], y: near ? [near.pc[1]] : [], z: near ? [near.pc[2]] : [],
      marker: { symbol: "circle-open", size: 12, color: "black" },
    });
    return { label: `epoch ${s.epoch + 1} · acc ${s.accuracy.toFixed(3)}`, data: traces };
  });
  return sliderFigure(frames, {
    title: { text: `${TITLES[task]}: PCA of the trajectories with fixed / slow points` },
    scene: { xaxis: { title: { text: "PC1" } }, yaxis: { title: { text: "PC2" } }, zaxis: { title: { text: "PC3" } } },
    height: 620,
  }, { prefix: "snapshot: " });
}

/** Every v2 Fig 5 figure: per task loss, accuracy and the PCA view. */
export function v2Fig5Figures(data: V2Fig5Data): PlotlyFigure[] {
  return (["dcdt", "dmts"] as const).flatMap((t) => [v2Fig5LossFigure(data, t), v2Fig5AccuracyFigure(data, t), v2Fig5PcaFigure(data, t)]);
}
