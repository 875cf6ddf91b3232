/**
 * v2 Figure 8 A–B builders (spec B6.1, B6.2, D5): (A) normalised |dE/dr| vs r per confidence (Reds) and the
 * analytic curve (black), log y; (B) learnable confidence: loss and gradient norm over both phases (semilog) and
 * the trajectory of c. Pure: V2Fig8Data → Plotly figures.
 */
import type { V2Fig8Data } from "../figures/v2fig8";
import { COLORS, colormapSamples, PlotlyFigure, PlotlyTrace, vline } from "./plotly";
import { GhostError, requireNumber, requireNumbers, requireObject, requirePositive } from "../core/errors";
import { requireArray } from "./validate";

const DATA = "a V2Fig8Data object (see figures.runV2Fig8)";

/** Checks the fields the builders read (GhostError naming the path). */
function checkData(value: unknown, name = "data"): asserts value is V2Fig8Data {
  const d = requireObject(name, value, DATA);
  const g = requireObject(`${name}.gradient`, d.gradient, "panel A's data { r, rStar, rStarQuarter, analytic, simulated }");
  const n = requireNumbers(`${name}.gradient.r`, g.r).length;
  requirePositive(`${name}.gradient.rStar`, g.rStar);
  requirePositive(`${name}.gradient.rStarQuarter`, g.rStarQuarter);
  const curve = (path: string, c: unknown) => {
    const o = requireObject(path, c, "a curve { confidence, slope }");
    requireNumbers(`${path}.slope`, o.slope, { length: n });
  };
  curve(`${name}.gradient.analytic`, g.analytic);
  requireArray(`${name}.gradient.simulated`, g.simulated, "curves { confidence, slope }").forEach((c, k) => {
    curve(`${name}.gradient.simulated[${k}]`, c);
    requireNumber(`${name}.gradient.simulated[${k}].confidence`, (c as { confidence: unknown }).confidence);
  });
  const l = requireObject(`${name}.learnable`, d.learnable, "panel B's data { phases }");
  const phases = requireArray(`${name}.learnable.phases`, l.phases, "two phases");
  if (phases.length !== 2) throw new GhostError(`${name}.learnable.phases.length`, phases.length, "2 (phase 1 and phase 2)");
  phases.forEach((p, k) => {
    const o = requireObject(`${name}.learnable.phases[${k}]`, p, "a phase { loss, gradNorm, confidence }");
    const e = requireNumbers(`${name}.learnable.phases[${k}].loss`, o.loss).length;
    requireNumbers(`${name}.learnable.phases[${k}].gradNorm`, o.gradNorm, { length: e });
    requireNumbers(`${name}.learnable.phases[${k}].confidence`, o.confidence, { length: e + 1 });
  });
}

/** Floor of the log axes (spec D4). */
const FLOOR = 1e-12;

/**
 * Panel A: |dE/dr| / max vs r, log y: one line per confidence coloured Reds at linspace(0.1, 0.9, n), the analytic
 * (c → ∞) curve in black (its zeros inside the zone r ≤ r* /4 are left out: a log axis cannot show 0), dashed lines
 * at r* /4 and r*.
 */
export function v2Fig8GradientFigure(data: V2Fig8Data): PlotlyFigure {
  checkData(data);
  const g = data.gradient;
  const colours = colormapSamples("Reds", g.simulated.length, 0.1, 0.9);
  const traces: PlotlyTrace[] = [
    { type: "scatter", mode: "lines", name: "analytic (c → ∞)", x: g.r, y: g.analytic.slope.map((v) => (v > 0 ? v : null)), line: { color: "black", width: 2 } },
    ...g.simulated.map((s, k) => ({
      type: "scatter", mode: "lines", name: `c = ${s.confidence}`, x: g.r, y: s.slope.map((v) => Math.max(v, FLOOR)), line: { color: colours[k], width: 1.5 },
    })),
  ];
  return {
    data: traces,
    layout: {
      title: { text: "v2 Fig 8A: |dE/dr| (each curve / its max) — the flat no-learning zone exists only at c → ∞" },
      xaxis: { title: { text: "r" }, exponentformat: "e" },
      yaxis: { title: { text: "|dE/dr| / max" }, type: "log", exponentformat: "e" },
      shapes: [vline(g.rStarQuarter, { color: "black", dash: "dash", width: 1 }), vline(g.rStar, { color: "black", dash: "solid", width: 1 })],
      annotations: [
        { x: g.rStarQuarter, y: 1.04, xref: "x", yref: "paper", text: "r*/4", showarrow: false },
        { x: g.rStar, y: 1.04, xref: "x", yref: "paper", text: "r*", showarrow: false },
      ],
      legend: { title: { text: "confidence" } },
    },
  };
}

/**
 * Panel B: loss (C0) and gradient norm (C1, alpha 0.5) over the concatenated 2 × epochs (semilog), a red dashed
 * line at the reset of c; a second y axis shows c (C2).
 */
export function v2Fig8LearnableFigure(data: V2Fig8Data): PlotlyFigure {
  checkData(data);
  const [p1, p2] = data.learnable.phases;
  const E1 = p1.loss.length;
  const loss = [...p1.loss, ...p2.loss], grad = [...p1.gradNorm, ...p2.gradNorm];
  const c = [...p1.confidence.slice(0, E1), ...p2.confidence.slice(0, p2.loss.length)];
  const x = loss.map((_, i) => i);
  const FLOOR = 1e-30; // a stuck network's gradient is ~1e-19: keep it visible (log axis, spec D4 floor)
  return {
    data: [
      { type: "scatter", mode: "lines", name: "loss", x, y: loss.map((v) => Math.max(v, FLOOR)), line: { color: COLORS[0], width: 1.2 } },
      { type: "scatter", mode: "lines", name: "gradient norm", x, y: grad.map((v) => Math.max(v, FLOOR)), line: { color: COLORS[1], width: 1 }, opacity: 0.5 },
      { type: "scatter", mode: "lines", name: "confidence c", x, y: c, yaxis: "y2", line: { color: COLORS[2], width: 1.5, dash: "dot" } },
    ],
    layout: {
      title: { text: `v2 Fig 8B: c learnable from ${p1.startConfidence} (stuck), then c := ${p2.startConfidence} (learns)` },
      xaxis: { title: { text: "Epoch" } },
      yaxis: { title: { text: "loss, gradient norm" }, type: "log", exponentformat: "e" },
      yaxis2: { title: { text: "c" }, overlaying: "y", side: "right", showgrid: false },
      shapes: [vline(E1, { color: "red", dash: "dash", width: 1.5 })],
      legend: { x: 0.02, y: 0.02 },
    },
  };
}

/** All v2 Fig 8 A–B figures: A (gradient vs r), B (learnable confidence). */
export function v2Fig8Figures(data: V2Fig8Data): PlotlyFigure[] {
  checkData(data);
  return [v2Fig8GradientFigure(data), v2Fig8LearnableFigure(data)];
}
