// Static PNGs of Plotly figures without a browser: plotly.js runs inside jsdom (26.x: jsdom 29 breaks under jest on
// Node 20, 30+ needs Node 22), draws the figure to SVG (Plotly.toImage({format: "svg"})), and @resvg/resvg-js (a
// prebuilt native npm package, no system libraries) rasterises the SVG to PNG.
//
//   import { createPngRenderer } from "./plotly-png.mjs";
//   const r = await createPngRenderer();            // one jsdom window with plotly.js, reused for every figure
//   const png = await r.render(figure, { width: 900, height: 500 });   // Buffer (PNG), exactly width x height px
//   r.close();
//
// jsdom has no layout engine, so plotly.js cannot measure text: `measureText` below estimates string widths from
// per-character advance widths of DejaVu Sans / Liberation Sans-like fonts, enough for legends, tick labels and
// automargins to be placed sensibly. resvg draws the text with the fonts it finds: the system's fonts, plus any
// font files passed in `fontFiles` (default: Debian's DejaVu Sans, package fonts-dejavu-core, which scripts/ensure-env.sh
// installs).
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(root, "package.json"));

// Advance widths (em) of DejaVu Sans, the font resvg draws with (plotly.js asks for "Open Sans", verdana, arial,
// sans-serif; DejaVu Sans is the sans-serif we load explicitly): ASCII from the font's metrics, other characters by
// class. Over-estimating is harmless (a little more room); under-estimating clips legends at the right edge.
const WIDTHS = {
  " ": 0.318, "!": 0.401, "\"": 0.460, "#": 0.838, "$": 0.636, "%": 0.950, "&": 0.780, "'": 0.275, "(": 0.390, ")": 0.390,
  "*": 0.500, "+": 0.838, ",": 0.318, "-": 0.361, ".": 0.318, "/": 0.337, ":": 0.337, ";": 0.337, "<": 0.838, "=": 0.838,
  ">": 0.838, "?": 0.531, "@": 1.000, "[": 0.390, "\\": 0.337, "]": 0.390, "^": 0.838, "_": 0.500, "`": 0.500, "{": 0.636,
  "|": 0.337, "}": 0.636, "~": 0.838,
  A: 0.684, B: 0.686, C: 0.698, D: 0.770, E: 0.632, F: 0.575, G: 0.775, H: 0.752, I: 0.295, J: 0.295, K: 0.656,
  L: 0.557, M: 0.863, N: 0.748, O: 0.787, P: 0.603, Q: 0.787, R: 0.695, S: 0.635, T: 0.611, U: 0.732, V: 0.684,
  W: 0.989, X: 0.685, Y: 0.611, Z: 0.685,
  a: 0.613, b: 0.635, c: 0.550, d: 0.635, e: 0.615, f: 0.352, g: 0.635, h: 0.634, i: 0.278, j: 0.278, k: 0.579,
  l: 0.278, m: 0.974, n: 0.634, o: 0.612, p: 0.635, q: 0.635, r: 0.411, s: 0.521, t: 0.392, u: 0.634, v: 0.592,
  w: 0.818, x: 0.592, y: 0.592, z: 0.525,
};
function charWidth(ch) {
  if (ch in WIDTHS) return WIDTHS[ch];
  if (/[0-9]/.test(ch)) return 0.636;
  if (/[\u2212\u00b1\u2192\u2190\u2248\u2264\u2265\u00d7\u221e\u2260]/.test(ch)) return 0.838; // − ± → ← ≈ ≤ ≥ × ∞ ≠
  if (/[\u00b7\u2009\u202f]/.test(ch)) return 0.318;
  if (/[\u2014]/.test(ch)) return 1.0;
  if (/[\u2013]/.test(ch)) return 0.5;
  return 0.66; // Greek and other letters
}
export function textWidth(text, fontSize) {
  let w = 0;
  for (const ch of String(text)) w += charWidth(ch);
  return w * fontSize;
}

function fontSizeOf(el, window) {
  for (let e = el; e && e.nodeType === 1; e = e.parentNode) {
    const style = e.getAttribute && e.getAttribute("style");
    const m = style && /font-size:\s*([\d.]+)px/.exec(style);
    if (m) return Number(m[1]);
    const fs_ = e.getAttribute && e.getAttribute("font-size");
    if (fs_) return parseFloat(fs_);
    const cs = window.getComputedStyle ? window.getComputedStyle(e).fontSize : "";
    if (cs && /px$/.test(cs) && parseFloat(cs) > 0) return parseFloat(cs);
  }
  return 12;
}

/** A jsdom window with plotly.js loaded and the few browser APIs plotly.js needs stubbed. */
async function makeWindow() {
  const { JSDOM, VirtualConsole } = require("jsdom");
  const virtualConsole = new VirtualConsole(); // silence "not implemented" noise (canvas, navigation)
  const dom = new JSDOM("<!DOCTYPE html><html><head></head><body></body></html>", {
    runScripts: "outside-only", pretendToBeVisual: true, virtualConsole,
  });
  const { window } = dom;
  // globals plotly.js 3+/4 expects that jsdom 26 lacks
  for (const k of ["TextDecoder", "TextEncoder"]) if (!window[k]) window[k] = globalThis[k];
  window.URL.createObjectURL = () => "blob:ghost";
  window.URL.revokeObjectURL = () => {};
  window.HTMLCanvasElement.prototype.getContext = () => null;
  // text measurement: plotly.js sizes legends, margins and labels from getBBox / getBoundingClientRect
  const proto = window.SVGElement.prototype;
  // A text's box: its estimated width, centred for text-anchor="middle" (plotly.js places centred annotations from
  // this box), one line of 1.2 em.
  const attr = (el, name) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentNode) {
      const v = e.getAttribute(name);
      if (v) return v;
      const m = new RegExp(`${name}:\\s*([a-z]+)`).exec(e.getAttribute("style") ?? "");
      if (m) return m[1];
      if (e.tagName === "svg") break;
    }
    return null;
  };
  const bbox = function () {
    const text = this.textContent ?? "";
    const size = fontSizeOf(this, window);
    const width = textWidth(text, size);
    const height = text ? size * 1.2 : 0;
    // (only the middle anchor shifts the box: tick labels, legends and "end" anchors are laid out from width alone,
    // and shifting them too made plotly.js drop the y tick labels)
    const left = attr(this, "text-anchor") === "middle" ? -width / 2 : 0;
    const top = -size;
    return { x: left, y: top, width, height, top, left, right: left + width, bottom: top + height };
  };
  proto.getBBox = bbox;
  proto.getComputedTextLength = function () { return textWidth(this.textContent ?? "", fontSizeOf(this, window)); };
  const origRect = window.Element.prototype.getBoundingClientRect;
  window.Element.prototype.getBoundingClientRect = function () {
    if (this instanceof window.SVGElement && this.tagName !== "svg") return bbox.call(this);
    return origRect.call(this);
  };
  window.eval(fs.readFileSync(require.resolve("plotly.js-dist-min"), "utf8"));
  if (!window.Plotly) throw new Error("plotly.js did not load inside jsdom");
  return dom;
}

/**
 * Creates a renderer (one jsdom window, reused). `render(figure, {width, height, scale})` resolves to a PNG Buffer
 * of exactly round(width*scale) x round(height*scale) pixels with a white background.
 */
const DEJAVU = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"];

export async function createPngRenderer({ fontFiles = DEJAVU.filter((f) => fs.existsSync(f)) } = {}) {
  const { Resvg } = require("@resvg/resvg-js");
  const dom = await makeWindow();
  const { window } = dom;
  const Plotly = window.Plotly;
  return {
    async svg(figure, { width = 900, height = 500 } = {}) {
      const fig = JSON.parse(JSON.stringify(figure));
      // Heatmaps draw through a <canvas> (createImageData), which jsdom lacks: in a still, draw them as filled
      // contours (pure SVG paths) with the same z, colours and range — 24 levels, no lines.
      fig.data = (fig.data ?? []).map((t) => (t && t.type === "heatmap"
        ? { ...t, type: "contour", contours: { coloring: "fill", showlines: false }, ncontours: 24, line: { width: 0 } }
        : t));
      // 3-D scenes need WebGL, which jsdom lacks: a still shows their projection on the first two axes.
      const has3d = fig.data.some((t) => t && t.type === "scatter3d");
      if (has3d) fig.data = fig.data.map((t) => {
        if (!t || t.type !== "scatter3d") return t;
        const { z, ...rest } = t;
        const line = rest.line ? { color: rest.line.color, width: Math.min(2, rest.line.width ?? 2) } : undefined;
        return { ...rest, type: "scatter", line };
      });
      const layout = { ...(fig.layout ?? {}), width, height };
      if (has3d) {
        const sc = layout.scene ?? {};
        delete layout.scene;
        layout.xaxis = { title: { text: `${sc.xaxis?.title?.text ?? "x"} (still: projection of the 3-D view)` } };
        layout.yaxis = { title: { text: sc.yaxis?.title?.text ?? "y" } };
      }
      delete layout.sliders; // interactive controls have no meaning in a still (the first frame's data is shown)
      delete layout.updatemenus;
      layout.paper_bgcolor = layout.paper_bgcolor ?? "white";
      const div = window.document.createElement("div");
      window.document.body.appendChild(div);
      try {
        await Plotly.newPlot(div, fig.data ?? [], layout, { staticPlot: true, displayModeBar: false });
        const url = await Plotly.toImage(div, { format: "svg", width, height });
        return decodeURIComponent(url.replace(/^data:image\/svg\+xml,/, ""));
      } finally {
        Plotly.purge(div);
        div.remove();
      }
    },
    async render(figure, { width = 900, height = 500, scale = 1 } = {}) {
      const svg = await this.svg(figure, { width, height });
      const resvg = new Resvg(svg, {
        fitTo: { mode: "width", value: Math.round(width * scale) },
        background: "white",
        font: { loadSystemFonts: true, fontFiles, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
      });
      return resvg.render().asPng();
    },
    close() { window.close(); },
  };
}

/** Width and height of a PNG from its IHDR chunk (throws when the buffer is not a PNG). */
export function pngSize(buf) {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (buf.length < 24 || sig.some((b, i) => buf[i] !== b) || buf.toString("ascii", 12, 16) !== "IHDR") {
    throw new Error("not a PNG");
  }
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** The Plotly figures among a notebook's outputs, in order (`application/vnd.plotly.v1+json`). */
export function notebookFigures(nb) {
  const figs = [];
  for (const cell of nb.cells ?? []) {
    for (const o of cell.outputs ?? []) {
      const fig = o.data?.["application/vnd.plotly.v1+json"];
      if (fig) figs.push(typeof fig === "string" ? JSON.parse(fig) : fig);
    }
  }
  return figs;
}

/** The figure's own size where its layout sets one, else 900 x 500 (a wide chart that stays readable when shrunk). */
export function figureSize(figure, fallback = { width: 900, height: 500 }) {
  const l = figure.layout ?? {};
  const ok = (v) => typeof v === "number" && Number.isFinite(v) && v >= 100 && v <= 3000;
  return { width: ok(l.width) ? l.width : fallback.width, height: ok(l.height) ? l.height : fallback.height };
}

/**
 * Writes `<dir>/<name>-<nn>.png` (nn = 01, 02, ... in output order) for every chart of an executed notebook, removing
 * stale PNGs of that notebook first; returns the file names.
 */
export async function writeNotebookPngs(renderer, executedPath, dir, name) {
  const figures = notebookFigures(JSON.parse(fs.readFileSync(executedPath, "utf8")));
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(dir)) if (f.startsWith(`${name}-`) && /^.+-\d+\.png$/.test(f)) fs.rmSync(path.join(dir, f));
  const files = [];
  for (let i = 0; i < figures.length; i++) {
    const file = `${name}-${String(i + 1).padStart(2, "0")}.png`;
    fs.writeFileSync(path.join(dir, file), await renderer.render(figures[i], figureSize(figures[i])));
    files.push(file);
  }
  return files;
}
