/**
 * The kernel bridge: `show(figure)` draws a Plotly figure inline in a tslab notebook.
 *
 * One output carries three MIME types: `application/vnd.plotly.v1+json` (JupyterLab's Plotly renderer draws
 * it natively), `text/html` (a div + a `Plotly.newPlot` call, for classic Notebook, nbconvert's HTML export
 * and JupyterLab without the renderer) and `text/plain` (a summary). plotly.js (~4.7 MB) is inlined in the
 * HTML of the FIRST chart of a kernel session only; later charts find `window.Plotly` (waiting for it briefly).
 * Outside a kernel (jest, scripts, the CLI) `show` does nothing.
 */
import * as fs from "fs";
import { GhostError } from "../core/errors";
import type { PlotlyFigure } from "./plotly";

/** tslab's display_data writer: `update` = true replaces the output with the same `transient.display_id`. */
export type WriteDisplayData = (msg: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void;

let writerOverride: WriteDisplayData | null | undefined;

/**
 * Replaces the kernel writer (tests only: lets unit tests see the display_data messages `show` and `progress`
 * would send). Pass `undefined` to restore the real lookup.
 * @internal
 */
export function setKernelWriterForTesting(writer: WriteDisplayData | null | undefined): void {
  writerOverride = writer;
}

const TSLAB_JUPYTER = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

/**
 * tslab's internal writer of display_data messages, if this process is a tslab kernel that has executed a cell
 * (`lastWriteDisplayData` is set by tslab when a cell starts). Looked up in the module cache only, never loaded:
 * outside a kernel tslab is not in the cache and this returns null. The project's own tslab is tried first, then
 * any tslab in the cache (a globally installed kernel running this package).
 */
export function kernelWriter(): WriteDisplayData | null {
  if (writerOverride !== undefined) return writerOverride;
  try {
    const candidates: unknown[] = [];
    try {
      candidates.push(require.cache[require.resolve("tslab/dist/jupyter")]?.exports);
    } catch {
      /* tslab not resolvable from here */
    }
    for (const key of Object.keys(require.cache ?? {})) {
      if (TSLAB_JUPYTER.test(key)) candidates.push(require.cache[key]?.exports);
    }
    for (const mod of candidates) {
      const fn = (mod as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
      if (typeof fn === "function") return fn as WriteDisplayData;
    }
    return null;
  } catch {
    return null;
  }
}

/** True when running inside a tslab kernel (so `show` and `progress` produce outputs). */
export function inKernel(): boolean {
  return kernelWriter() !== null;
}

let plotlySource: string | null = null;
/** The plotly.js bundle's source text (read once). */
export function plotlyJs(): string {
  if (plotlySource === null) plotlySource = fs.readFileSync(require.resolve("plotly.js-dist-min"), "utf8");
  return plotlySource;
}

let plotlyVersionText: string | null = null;
/** The version of the inlined plotly.js bundle (from its package.json), e.g. "3.0.1". */
export function plotlyVersion(): string {
  if (plotlyVersionText === null) {
    try {
      plotlyVersionText = String(JSON.parse(fs.readFileSync(require.resolve("plotly.js-dist-min/package.json"), "utf8")).version);
    } catch {
      plotlyVersionText = "latest";
    }
  }
  return plotlyVersionText;
}

let plotlyInlinedThisSession = false;
let chartCounter = 0;

/** JSON that is safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function checkFigure(fig: PlotlyFigure): void {
  if (!fig || typeof fig !== "object" || !Array.isArray(fig.data) || typeof fig.layout !== "object" || fig.layout === null) {
    throw new GhostError("figure", fig, "a Plotly figure { data: object[], layout: object }");
  }
}

/** One-paragraph plain-text description of a figure: title, axes, traces. */
export function summarizeFigure(fig: PlotlyFigure): string {
  checkFigure(fig);
  const layout = fig.layout as Record<string, any>;
  const title = typeof layout.title === "string" ? layout.title : layout.title?.text;
  const axis = (k: string) => {
    const a = layout[k];
    const t = typeof a?.title === "string" ? a.title : a?.title?.text;
    return t ? `${t}${a?.type === "log" ? " (log)" : ""}` : undefined;
  };
  const names = fig.data.map((t, i) => String((t as Record<string, unknown>).name ?? `trace ${i}`));
  const lines = [
    `Figure${title ? `: ${title}` : ""}`,
    `  x: ${axis("xaxis") ?? "-"}; y: ${axis("yaxis") ?? "-"}`,
    `  ${fig.data.length} trace(s): ${names.slice(0, 12).join(", ")}${names.length > 12 ? ", …" : ""}`,
  ];
  if (fig.frames?.length) lines.push(`  ${fig.frames.length} slider/animation frames`);
  return lines.join("\n");
}

/** The `<div>` + `<script>` HTML that draws `fig`; inlines plotly.js when `inlinePlotly` is true. */
export function figureHtml(fig: PlotlyFigure, opts: { inlinePlotly: boolean; id?: string; height?: number }): string {
  checkFigure(fig);
  const id = opts.id ?? `ghost-plot-${Date.now().toString(36)}-${chartCounter++}`;
  const height = opts.height ?? ((fig.layout as Record<string, unknown>).height as number | undefined) ?? 450;
  const spec = { data: fig.data, layout: fig.layout, config: { responsive: true, ...(fig.config ?? {}) }, frames: fig.frames };
  let specJson: string;
  try {
    specJson = scriptJson(spec);
  } catch (e) {
    // BigInt values, cycles, throwing toJSON: not a figure Plotly could draw
    throw new GhostError("figure", fig, "a JSON-serialisable Plotly figure", e instanceof Error ? e.message : undefined);
  }
  // plotly.js is a UMD bundle: where require.js is present (classic Notebook, nbconvert HTML) it would register as
  // an AMD module instead of setting window.Plotly, so `define` is hidden while it loads.
  const lib = opts.inlinePlotly
    ? `<script type="text/javascript">window.__ghostDefine = window.define; window.define = undefined;</script>\n` +
      `<script type="text/javascript">${plotlyJs().replace(/<\/script/gi, "<\\/script")}</script>\n` +
      `<script type="text/javascript">window.define = window.__ghostDefine;</script>\n`
    : "";
  // Later charts wait for window.Plotly (the first chart's script may run after theirs, or load slowly). When it
  // never appears (the output that carried plotly.js was cleared), try the CDN once, then explain.
  const cdn = `https://cdn.plot.ly/plotly-${plotlyVersion()}.min.js`;
  return (
    lib +
    `<div id="${id}" class="ghost-plot" style="width:100%;height:${height}px;"></div>\n` +
    `<script type="text/javascript">(function(){var spec=${specJson};var tries=0;` +
    `function cdn(){if(document.getElementById("ghost-plotly-cdn"))return;var d=window.define;window.define=undefined;` +
    `var s=document.createElement("script");s.id="ghost-plotly-cdn";s.src=${JSON.stringify(cdn)};` +
    `s.onload=s.onerror=function(){window.define=d;};document.head.appendChild(s);}` +
    `function draw(){var el=document.getElementById(${JSON.stringify(id)});` +
    `if(window.Plotly&&el){window.Plotly.newPlot(el,spec.data,spec.layout,spec.config).then(function(){if(spec.frames&&spec.frames.length){window.Plotly.addFrames(el,spec.frames);}});return;}` +
    `if(++tries===30){cdn();}` +
    `if(tries<150){setTimeout(draw,100);}else if(el){el.textContent="plotly.js is not loaded: restart the kernel and run all cells (the first chart of a kernel session carries plotly.js).";}}draw();})();</script>`
  );
}

/**
 * Draws `fig` inline in a tslab notebook (see the module comment for the output format). Outside a kernel it
 * draws nothing (use {@link summarizeFigure} for the text).
 */
export function show(fig: PlotlyFigure, opts: { summary?: string; height?: number } = {}): void {
  checkFigure(fig);
  const summary = opts.summary ? `${opts.summary}\n${summarizeFigure(fig)}` : summarizeFigure(fig);
  const write = kernelWriter();
  if (!write) return;
  const html = figureHtml(fig, { inlinePlotly: !plotlyInlinedThisSession, height: opts.height });
  const bundle = {
    "application/vnd.plotly.v1+json": JSON.parse(JSON.stringify({ data: fig.data, layout: fig.layout, frames: fig.frames ?? [] })),
    "text/html": html,
    "text/plain": summary,
  };
  try {
    write({ data: bundle, metadata: {}, transient: {} }, false);
    plotlyInlinedThisSession = true;
  } catch {
    // Fall back to tslab's public, single-MIME display.
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const tslab = require("tslab");
      tslab.display.html(html);
      plotlyInlinedThisSession = true;
    } catch {
      /* nothing else we can do */
    }
  }
}

/**
 * A complete, self-contained HTML page with the given figures (plotly.js inlined once), for files written by
 * the CLI and for browser checks. Accepts: figs a non-empty array of JSON-serialisable Plotly figures
 * { data: object[], layout: object }; title a string.
 */
export function toStandaloneHtml(figs: PlotlyFigure[], title: string): string {
  if (!Array.isArray(figs) || figs.length === 0) throw new GhostError("figs", figs, "a non-empty array of Plotly figures");
  figs.forEach((f, i) => {
    if (!f || typeof f !== "object" || !Array.isArray(f.data) || typeof f.layout !== "object" || f.layout === null) {
      throw new GhostError(`figs[${i}]`, f, "a Plotly figure { data: object[], layout: object }");
    }
  });
  if (typeof title !== "string") throw new GhostError("title", title, "a string");
  const esc = title.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const body = figs.map((f, i) => figureHtml(f, { inlinePlotly: i === 0, id: `figure-${i}` })).join("\n");
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${esc}</title></head>\n<body style="font-family:sans-serif">\n<h1>${esc}</h1>\n${body}\n</body></html>\n`;
}
