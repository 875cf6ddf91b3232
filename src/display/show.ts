/**
 * The kernel bridge: `show(figure)` draws a Plotly figure inline in a tslab notebook.
 *
 * One output carries three MIME types: `application/vnd.plotly.v1+json` (JupyterLab's Plotly renderer draws
 * it natively), `text/html` (a div + a `Plotly.newPlot` call, for classic Notebook, nbconvert's HTML export
 * and JupyterLab without the renderer) and `text/plain` (a summary). plotly.js (~4.7 MB) is inlined in the
 * HTML of the FIRST chart of a kernel session only (so an nbconvert HTML export or a saved notebook carries it);
 * later charts find `window.Plotly`. Where the page lost it (reloaded while the kernel runs, outputs cleared), a
 * chart loads it from the Jupyter server: the first chart of a session also puts a copy, `ghost-plotly.min.js`,
 * in the kernel's working folder (the notebook's folder), which every Jupyter server serves at `files/…`
 * (offline, classic Notebook and JupyterLab alike); then require.js, then the CDN (see {@link figureHtml}).
 * Outside a kernel (jest, scripts, the CLI) `show` does nothing.
 */
import * as fs from "fs";
import { GhostError, requireBoolean, requireOptions, requirePositive } from "../core/errors";
import { ensureServedPlotly, SERVED_PLOTLY_FILE } from "./plotlyAsset";
import { requireOptionalString } from "./validate";
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
/** The folder where this session's served copy of plotly.js is (null: none could be written), once looked up. */
let servedDir: string | null | undefined;
let servedDirOverride: string | undefined;

/**
 * Sets the folder in which `show` puts the served copy of plotly.js instead of the kernel's working folder (tests
 * only), and forgets the session's state (plotly.js inlined, copy written). Pass `undefined` to restore.
 * @internal
 */
export function setServedPlotlyDirForTesting(dir: string | undefined): void {
  if (dir !== undefined && typeof dir !== "string") throw new GhostError("dir", dir, "a folder path (string) or undefined");
  servedDirOverride = dir;
  servedDir = undefined;
  plotlyInlinedThisSession = false;
}

/** This session's served copy of plotly.js: written once, in the kernel's working folder; its folder or null. */
function servedPlotlyDir(): string | null {
  if (servedDir === undefined) {
    const dir = servedDirOverride ?? process.cwd();
    servedDir = ensureServedPlotly(dir) ? dir : null;
  }
  return servedDir;
}

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

/** Options of {@link figureHtml}. */
export interface FigureHtmlOptions {
  /** Inline plotly.js (~4.7 MB) before the chart (the first chart of a kernel session, a standalone page). */
  inlinePlotly: boolean;
  /** The id of the chart's `<div>` (default: a fresh one). */
  id?: string;
  /** The chart's height in pixels (default: the layout's height, else 450). */
  height?: number;
  /**
   * Absolute path of the folder that holds the served copy `ghost-plotly.min.js` (the kernel's working folder):
   * its last components give the `files/…` URLs a chart tries when plotly.js is not in the page.
   */
  servedDir?: string;
}

const FIGURE_HTML_KEYS = ["inlinePlotly", "id", "height", "servedDir"] as const;

/** The user-facing text in place of a chart whose plotly.js could not be loaded from anywhere. */
export const PLOTLY_NOT_LOADED =
  "plotly.js is not loaded: it is not in this page, not on the Jupyter server (" + SERVED_PLOTLY_FILE + " beside the " +
  "notebook, written at the first chart of a kernel session), not from require.js and not from the CDN (offline?). " +
  "Re-run the cell, or restart the kernel and run all cells.";

/**
 * The `<div>` + `<script>` HTML that draws `fig`. With `inlinePlotly` the page gets plotly.js inlined first.
 * Otherwise, when `window.Plotly` is missing (a page reloaded while the kernel runs, the output that carried
 * plotly.js cleared), the chart loads it once per page, first that succeeds: (1) from the Jupyter server, the copy
 * `ghost-plotly.min.js` beside the notebook at `<base url>files/<folder>/` (the base url from classic Notebook's
 * `<body data-base-url>` or JupyterLab's `#jupyter-config-data`; the folder from classic's `data-notebook-path`, else
 * each tail of `servedDir`, as the server's root is one of its ancestors); (2) an AMD module `plotly` through
 * require.js, where a page has one; (3) the CDN. Then it explains (see {@link PLOTLY_NOT_LOADED}).
 * Accepts: fig a JSON-serialisable Plotly figure; opts { inlinePlotly: boolean, id?: string, height?: a finite
 * number > 0, servedDir?: string } (no other keys).
 */
export function figureHtml(fig: PlotlyFigure, opts: FigureHtmlOptions): string {
  checkFigure(fig);
  if (opts === undefined) throw new GhostError("opts", opts, "an options object { inlinePlotly: boolean, id?, height?, servedDir? }");
  const o = requireOptions<FigureHtmlOptions>("opts", opts, FIGURE_HTML_KEYS);
  requireBoolean("opts.inlinePlotly", o.inlinePlotly);
  requireOptionalString("opts.id", o.id);
  if (o.height !== undefined) requirePositive("opts.height", o.height);
  requireOptionalString("opts.servedDir", o.servedDir);
  const id = o.id ?? `ghost-plot-${Date.now().toString(36)}-${chartCounter++}`;
  const height = o.height ?? ((fig.layout as Record<string, unknown>).height as number | undefined) ?? 450;
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
  const lib = o.inlinePlotly
    ? `<script type="text/javascript">window.__ghostDefine = window.define; window.define = undefined;</script>\n` +
      `<script type="text/javascript">${plotlyJs().replace(/<\/script/gi, "<\\/script")}</script>\n` +
      `<script type="text/javascript">window.define = window.__ghostDefine;</script>\n`
    : "";
  // The folders the server's root may be: the last components of the kernel's working folder (at most 12).
  const dirs = o.servedDir ? o.servedDir.split(/[\\/]+/).filter((p) => p !== "").slice(-12) : [];
  const cdn = `https://cdn.plot.ly/plotly-${plotlyVersion()}.min.js`;
  const escId = id.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return (
    lib +
    `<div id="${escId}" class="ghost-plot" style="width:100%;height:${height}px;"></div>\n` +
    `<script type="text/javascript">(function(){var spec=${specJson},id=${scriptJson(id)},dirs=${scriptJson(dirs)},` +
    `file=${scriptJson(SERVED_PLOTLY_FILE)},cdnUrl=${scriptJson(cdn)},failed=${scriptJson(PLOTLY_NOT_LOADED)};\n` +
    LOADER_JS +
    `})();</script>`
  );
}

/**
 * The chart's script after its constants (spec, id, dirs, file, cdnUrl, failed): draw now if `window.Plotly` is
 * there, else (after 200 ms, in case an earlier output's inline copy is still running) join the page's one loader.
 */
const LOADER_JS = [
  `function el(){return document.getElementById(id);}`,
  `function draw(){var e=el();if(!e)return;e.textContent="";window.Plotly.newPlot(e,spec.data,spec.layout,spec.config).then(function(){if(spec.frames&&spec.frames.length){window.Plotly.addFrames(e,spec.frames);}});}`,
  // the Jupyter server's base url, or null outside a Jupyter page (nbconvert HTML, a standalone page)
  `function base(){var b=document.body&&document.body.getAttribute("data-base-url");if(b){return decodeURIComponent(b);}` +
    `var c=document.getElementById("jupyter-config-data");if(c){try{return JSON.parse(c.textContent||"{}").baseUrl||"/";}catch(x){return "/";}}return null;}`,
  `function urls(b){var out=[];function add(parts){var u=(b.charAt(b.length-1)==="/"?b:b+"/")+"files/"+parts.concat([file]).map(encodeURIComponent).join("/");if(out.indexOf(u)<0)out.push(u);}` +
    `var nb=document.body&&document.body.getAttribute("data-notebook-path");if(nb){var p=decodeURIComponent(nb).split("/").filter(Boolean);p.pop();add(p);}` +
    `for(var k=0;k<=dirs.length;k++){add(dirs.slice(dirs.length-k));}return out;}`,
  `function script(src,sid,done){var d=window.define,end=false;window.define=undefined;var s=document.createElement("script");if(sid){s.id=sid;}s.src=src;` +
    `function fin(){if(end)return;end=true;window.define=d;done(!!window.Plotly);}s.onload=fin;s.onerror=fin;setTimeout(fin,15000);document.head.appendChild(s);}`,
  `function loader(){var L=window.__ghostPlotlyLoader;if(L)return L;L=window.__ghostPlotlyLoader={state:"loading",waiters:[]};var steps=[],b=base();` +
    `if(b!==null){urls(b).forEach(function(u){steps.push(function(next){script(u,null,next);});});}` +
    `var rq=window.requirejs;if(typeof rq==="function"&&window.define&&window.define.amd){steps.push(function(next){try{rq(["plotly"],function(P){if(!window.Plotly&&P&&P.newPlot){window.Plotly=P;}next(!!window.Plotly);},function(){try{rq.undef("plotly");}catch(x){}next(false);});}catch(x){next(false);}});}` +
    `steps.push(function(next){script(cdnUrl,"ghost-plotly-cdn",next);});var i=0;` +
    `function finish(state){L.state=state;if(state!=="ok"&&window.__ghostPlotlyLoader===L){window.__ghostPlotlyLoader=null;}var w=L.waiters;L.waiters=[];w.forEach(function(f){f();});}` +
    `function step(ok){if(ok||window.Plotly){finish("ok");}else if(i<steps.length){steps[i++](step);}else{finish("failed");}}setTimeout(function(){step(false);},0);return L;}`,
  `if(window.Plotly){draw();}else{var e0=el();if(e0){e0.textContent="loading plotly.js …";}` +
    `setTimeout(function(){if(window.Plotly){draw();return;}loader().waiters.push(function(){if(window.Plotly){draw();}else{var e=el();if(e){e.textContent=failed;}}});},200);}`,
].join("\n");

/**
 * Draws `fig` inline in a tslab notebook (see the module comment for the output format). Outside a kernel it
 * draws nothing (use {@link summarizeFigure} for the text).
 */
export function show(fig: PlotlyFigure, opts: { summary?: string; height?: number } = {}): void {
  checkFigure(fig);
  const summary = opts.summary ? `${opts.summary}\n${summarizeFigure(fig)}` : summarizeFigure(fig);
  const write = kernelWriter();
  if (!write) return;
  const dir = servedPlotlyDir();
  const html = figureHtml(fig, { inlinePlotly: !plotlyInlinedThisSession, height: opts.height, ...(dir === null ? {} : { servedDir: dir }) });
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
