/**
 * Plotly figure types and plotting conventions (colours, colormaps, reference lines) shared by every figure
 * builder. Pure data: nothing here touches a kernel or a DOM.
 */
import { GhostError, requireFinite, requireInRange, requireInteger, requireNonNegative, requireNumbers, requireObject, requireOneOf, requireOptions } from "../core/errors";
import { requireArray, requireOptionalString, requireString } from "./validate";

/** A Plotly trace (scatter, heatmap, …): a plain JSON object. */
export type PlotlyTrace = Record<string, unknown>;
/** A Plotly layout: a plain JSON object. */
export type PlotlyLayout = Record<string, unknown>;

/** A Plotly figure: what every builder in `display` returns and what {@link show} draws. */
export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout: PlotlyLayout;
  config?: Record<string, unknown>;
  /** Optional animation frames (used by {@link sliderFigure}). */
  frames?: Record<string, unknown>[];
}

/** Matplotlib's default colour cycle C0…C9 (tab10), as the paper's figures use. */
export const COLORS = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
] as const;

/** Colormaps the paper uses (spec D5). */
export type ColormapName = "viridis" | "viridis_r" | "autumn" | "Reds" | "coolwarm";

// Anchor colours at t = 0, 0.125, …, 1 (matplotlib's maps sampled at 9 points).
const ANCHORS: Record<"viridis" | "autumn" | "Reds" | "coolwarm", string[]> = {
  viridis: ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"],
  autumn: ["#ff0000", "#ff2000", "#ff4000", "#ff6000", "#ff8000", "#ff9f00", "#ffbf00", "#ffdf00", "#ffff00"],
  Reds: ["#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d"],
  coolwarm: ["#3b4cc0", "#5977e3", "#7b9ff9", "#9ebeff", "#c0d4f5", "#dddcdc", "#f2cbb7", "#f7ac8e", "#b40426"],
};

function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

function rgbToHex(rgb: number[]): string {
  return "#" + rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("");
}

/** The colormap names {@link colormap} accepts. */
const COLORMAP_NAMES: readonly ColormapName[] = ["viridis", "viridis_r", "autumn", "Reds", "coolwarm"];

/**
 * Colour of colormap `name` at position t ∈ [0, 1], linearly interpolated between 9 anchors; a `#rrggbb`
 * string. `viridis_r` is viridis reversed. Accepts: name one of "viridis", "viridis_r", "autumn", "Reds",
 * "coolwarm"; t a finite number in [0, 1] (else a GhostError).
 */
export function colormap(name: ColormapName, t: number): string {
  requireInRange("t", t, 0, 1);
  requireOneOf("name", name, COLORMAP_NAMES);
  let key: keyof typeof ANCHORS;
  if (name === "viridis_r") {
    key = "viridis";
    t = 1 - t;
  } else {
    key = name as keyof typeof ANCHORS;
  }
  const anchors = ANCHORS[key];
  const x = t * (anchors.length - 1);
  const i = Math.min(Math.floor(x), anchors.length - 2);
  const f = x - i;
  const a = hexToRgb(anchors[i]);
  const b = hexToRgb(anchors[i + 1]);
  return rgbToHex(a.map((v, k) => v + f * (b[k] - v)));
}

/**
 * `n` colours sampled from a colormap at linspace(lo, hi, n) (the paper uses lo = 0.1, hi = 0.9). Accepts: name as
 * {@link colormap}; n an integer in [0, 100000]; lo, hi finite numbers in [0, 1].
 */
export function colormapSamples(name: ColormapName, n: number, lo = 0.1, hi = 0.9): string[] {
  requireOneOf("name", name, COLORMAP_NAMES);
  requireInteger("n", n, 0, 100000);
  requireInRange("lo", lo, 0, 1);
  requireInRange("hi", hi, 0, 1);
  // (clamped: lo + (hi − lo) may round a hair outside [0, 1])
  return Array.from({ length: n }, (_, i) => colormap(name, Math.min(1, Math.max(0, n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1)))));
}

/** Options of {@link hline} / {@link vline}. */
type LineOptions = { color?: string; dash?: string; width?: number; xref?: string; yref?: string };

function checkLineOptions(value: unknown): LineOptions {
  const opts = requireOptions<LineOptions>("opts", value);
  for (const k of ["color", "dash", "xref", "yref"] as const) requireOptionalString(`opts.${k}`, opts[k]);
  if (opts.width !== undefined) requireNonNegative("opts.width", opts.width);
  return opts;
}

/**
 * A horizontal reference line y = value across the plot (a Plotly layout shape). Accepts: y a finite number;
 * opts undefined or { color?, dash?, xref?, yref?: strings; width?: a finite number >= 0 }.
 */
export function hline(y: number, opts: LineOptions = {}): Record<string, unknown> {
  requireFinite("y", y);
  opts = checkLineOptions(opts);
  return {
    type: "line", xref: opts.xref ?? "paper", yref: opts.yref ?? "y", x0: 0, x1: 1, y0: y, y1: y,
    line: { color: opts.color ?? "black", dash: opts.dash ?? "solid", width: opts.width ?? 1 },
  };
}

/**
 * A vertical reference line x = value across the plot (a Plotly layout shape). Accepts: x a finite number; opts
 * as {@link hline}.
 */
export function vline(x: number, opts: LineOptions = {}): Record<string, unknown> {
  requireFinite("x", x);
  opts = checkLineOptions(opts);
  return {
    type: "line", xref: opts.xref ?? "x", yref: opts.yref ?? "paper", x0: x, x1: x, y0: 0, y1: 1,
    line: { color: opts.color ?? "black", dash: opts.dash ?? "solid", width: opts.width ?? 1 },
  };
}

/**
 * Converts typed arrays to plain number arrays (Plotly JSON), leaving everything else as is. Accepts an array or a
 * numeric typed array of numbers (NaN/±Infinity allowed).
 */
export function plain(values: ArrayLike<number>): number[] {
  requireNumbers("values", values, { typed: true });
  return Array.from(values);
}

/**
 * A figure with a slider (and a play button) over precomputed frames; tslab has no widgets, so interactivity
 * lives in Plotly's own client-side controls. Every frame must have the same number of traces.
 *
 * @param frames one entry per slider position: its label and its traces.
 * @param layout the base layout (axes fixed across frames are recommended: set `range` explicitly).
 * @param opts prefix: a string; frameDurationMs: a finite number >= 0 (default 150).
 * Accepts: frames a non-empty array of { label: string, data: array of trace objects }, all with as many traces
 * as frames[0]; layout an object.
 */
export function sliderFigure(
  frames: { label: string; data: PlotlyTrace[] }[],
  layout: PlotlyLayout,
  opts: { prefix?: string; frameDurationMs?: number } = {},
): PlotlyFigure {
  if (!Array.isArray(frames) || frames.length === 0) throw new GhostError("frames", frames, "a non-empty array of { label, data }");
  // (indexed loops: holes in the arrays are checked too)
  for (let i = 0; i < frames.length; i++) {
    requireObject(`frames[${i}]`, frames[i], "an object { label: string, data: trace objects[] }");
    requireString(`frames[${i}].label`, frames[i].label);
  }
  const nTraces = requireArray("frames[0].data", frames[0].data, "Plotly traces (objects)").length;
  for (let i = 0; i < frames.length; i++) {
    const data = frames[i].data;
    if (!Array.isArray(data) || data.length !== nTraces) {
      throw new GhostError(`frames[${i}].data`, data, `an array of ${nTraces} traces (as frames[0])`);
    }
    for (let j = 0; j < data.length; j++) requireObject(`frames[${i}].data[${j}]`, data[j], "a Plotly trace (an object)");
  }
  requireObject("layout", layout, "a Plotly layout (an object)");
  opts = requireOptions<{ prefix?: string; frameDurationMs?: number }>("opts", opts);
  requireOptionalString("opts.prefix", opts.prefix);
  if (opts.frameDurationMs !== undefined) requireNonNegative("opts.frameDurationMs", opts.frameDurationMs);
  const duration = opts.frameDurationMs ?? 150;
  const names = frames.map((f, i) => `frame-${i}`);
  return {
    data: frames[0].data,
    frames: frames.map((f, i) => ({ name: names[i], data: f.data })),
    layout: {
      ...layout,
      sliders: [
        {
          active: 0,
          currentvalue: { prefix: opts.prefix ?? "", visible: true },
          pad: { t: 50 },
          steps: frames.map((f, i) => ({
            label: f.label,
            method: "animate",
            args: [[names[i]], { mode: "immediate", frame: { duration: 0, redraw: true }, transition: { duration: 0 } }],
          })),
        },
      ],
      updatemenus: [
        {
          type: "buttons", showactive: false, x: 0, y: 0, xanchor: "right", yanchor: "top", pad: { t: 60, r: 10 },
          buttons: [
            { label: "Play", method: "animate", args: [null, { fromcurrent: true, frame: { duration, redraw: true }, transition: { duration: 0 } }] },
            { label: "Pause", method: "animate", args: [[null], { mode: "immediate", frame: { duration: 0, redraw: false }, transition: { duration: 0 } }] },
          ],
        },
      ],
    },
  };
}
