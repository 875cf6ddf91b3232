// Charts survive a page reload (issue 14, item 3): a chart whose page has no window.Plotly loads plotly.js once
// per page, from the Jupyter server's files/… copy beside the notebook, then require.js, then the CDN; and show()
// writes that copy in the kernel's working folder at the first chart of a session. The chart script runs in jsdom
// against a fake Jupyter page; script loads are simulated (the test decides which URL "exists").
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { figureHtml, show, setKernelWriterForTesting, setServedPlotlyDirForTesting, PLOTLY_NOT_LOADED, WriteDisplayData } from "../../src/display/show";
import { ensureServedPlotly, plotlyBundlePath, SERVED_PLOTLY_FILE } from "../../src/display/plotlyAsset";
import { PlotlyFigure } from "../../src/display/plotly";
import { GhostError } from "../../src/core/errors";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { JSDOM } = require("jsdom") as { JSDOM: new (html: string, opts: Record<string, unknown>) => { window: any } };

const fig: PlotlyFigure = { data: [{ type: "scatter", x: [1, 2], y: [3, 4] }], layout: {} };

// every page's window is closed after its test (stops its pending timers)
const windows: any[] = [];
afterEach(() => windows.splice(0).forEach((w) => w.close()));

interface Page {
  window: any;
  /** src of every script element the charts appended, in order. */
  requested: string[];
  /** the figures newPlot drew, by div id. */
  drawn: string[];
}

/**
 * A page with `body` attributes (a Jupyter front end or none) and the given chart HTML. Appended <script src>
 * elements are answered asynchronously: `serve(src)` true → plotly.js "loads" (window.Plotly appears), else 404.
 */
function page(bodyAttrs: string, headExtra: string, charts: string[], serve: (src: string) => boolean, setup?: (w: any) => void): Page {
  const requested: string[] = [];
  const drawn: string[] = [];
  const dom = new JSDOM(`<!DOCTYPE html><html><head>${headExtra}</head><body ${bodyAttrs}></body></html>`, { runScripts: "outside-only" });
  const w = dom.window;
  windows.push(w);
  setup?.(w);
  const fakePlotly = {
    newPlot: (el: { id: string }) => {
      drawn.push(el.id);
      return Promise.resolve();
    },
    addFrames: () => Promise.resolve(),
  };
  const append = w.document.head.appendChild.bind(w.document.head);
  w.document.head.appendChild = (node: any) => {
    if (node.tagName === "SCRIPT" && node.src) {
      const src = node.getAttribute("src");
      requested.push(src);
      setTimeout(() => {
        if (serve(src)) {
          // what plotly.js's UMD wrapper does when `define` is hidden: set the global
          if (w.define === undefined) w.Plotly = fakePlotly;
          node.onload?.();
        } else node.onerror?.();
      }, 5);
      return append(node); // (jsdom fetches no resources: the element is only recorded in the DOM)
    }
    return append(node);
  };
  const p = { window: w, requested, drawn };
  for (const html of charts) addOutput(p, html);
  return p;
}

/** One output: its HTML in the body, then its scripts run (as classic Notebook and JupyterLab do). */
function addOutput(p: Page, html: string): void {
  const holder = p.window.document.createElement("div");
  holder.innerHTML = html.replace(/<script[\s\S]*?<\/script>/g, "");
  p.window.document.body.appendChild(holder);
  for (const m of html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)) p.window.eval(m[1]);
}

async function settle(p: Page, until: () => boolean, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!until() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 20));
}

const text = (p: Page, id: string) => p.window.document.getElementById(id)?.textContent ?? "";

describe("a chart without plotly.js in the page loads it", () => {
  const chart = (id: string, servedDir?: string) => figureHtml(fig, { inlinePlotly: false, id, ...(servedDir ? { servedDir } : {}) });

  test("classic Notebook: from the server's files/ copy beside the notebook (data-notebook-path), once for all charts", async () => {
    const p = page('data-base-url="/base/" data-notebook-path="course%20a/nb%201.ipynb"', "", [chart("a", "/home/u/course a"), chart("b", "/home/u/course a")],
      (src) => src === "/base/files/course%20a/ghost-plotly.min.js");
    expect(text(p, "a")).toBe("loading plotly.js …");
    await settle(p, () => p.drawn.length === 2);
    expect(p.drawn).toEqual(["a", "b"]);
    expect(p.requested).toEqual(["/base/files/course%20a/ghost-plotly.min.js"]);
  });

  test("JupyterLab: base url from #jupyter-config-data, the folder found among the tails of the kernel's folder", async () => {
    const config = '<script id="jupyter-config-data" type="application/json">{"baseUrl": "/lab-base/"}</script>';
    const p = page("", config, [chart("c", "/srv/classes/ghost/notebooks")], (src) => src === "/lab-base/files/ghost/notebooks/ghost-plotly.min.js");
    await settle(p, () => p.drawn.length === 1);
    expect(p.drawn).toEqual(["c"]);
    // shortest tail first (server started in the notebook folder), then longer ones; stops at the first that loads
    expect(p.requested).toEqual([
      "/lab-base/files/ghost-plotly.min.js",
      "/lab-base/files/notebooks/ghost-plotly.min.js",
      "/lab-base/files/ghost/notebooks/ghost-plotly.min.js",
    ]);
  });

  test("then an AMD module 'plotly' through require.js, with `define` restored after each script", async () => {
    const amd = { newPlot: (el: { id: string }) => { amdDrawn.push(el.id); return Promise.resolve(); }, addFrames: () => Promise.resolve() };
    const amdDrawn: string[] = [];
    const asked: string[][] = [];
    const p = page('data-base-url="/" data-notebook-path="nb.ipynb"', "", [chart("d")], () => false, (w) => {
      const define = () => undefined;
      (define as unknown as { amd: object }).amd = {};
      w.define = define;
      w.requirejs = (mods: string[], ok: (m: unknown) => void) => {
        asked.push(mods);
        setTimeout(() => ok(amd), 5);
      };
    });
    await settle(p, () => amdDrawn.length === 1);
    expect(p.requested).toEqual(["/files/ghost-plotly.min.js"]); // the server copy first (missing here)
    expect(asked).toEqual([["plotly"]]);
    expect(amdDrawn).toEqual(["d"]);
    expect(typeof p.window.define).toBe("function");
  });

  test("then the CDN; when nothing loads, every chart says why (and a later chart tries again)", async () => {
    let online = false;
    const p = page('data-base-url="/" data-notebook-path="x/nb.ipynb"', "", [chart("e", "/a/x"), chart("f", "/a/x")], (src) => online && src.startsWith("https://"));
    await settle(p, () => text(p, "f") === PLOTLY_NOT_LOADED);
    expect(text(p, "e")).toBe(PLOTLY_NOT_LOADED);
    expect(p.requested).toEqual(["/files/x/ghost-plotly.min.js", "/files/ghost-plotly.min.js", "/files/a/x/ghost-plotly.min.js", expect.stringMatching(/^https:\/\/cdn\.plot\.ly\/plotly-[\d.]+\.min\.js$/)]);
    expect(p.window.document.getElementById("ghost-plotly-cdn")).not.toBeNull();
    expect(p.drawn).toEqual([]);
    online = true;
    addOutput(p, chart("f2", "/a/x"));
    await settle(p, () => p.drawn.length === 1);
    expect(p.drawn).toEqual(["f2"]);
    expect(p.requested.length).toBe(8); // the whole chain again: three files/ URLs, then the CDN
  });

  test("outside a Jupyter page (nbconvert HTML, a standalone page) no files/ URL is tried: straight to the CDN", async () => {
    const p = page("", "", [chart("g", "/a/b")], (src) => src.startsWith("https://cdn.plot.ly/"));
    await settle(p, () => p.drawn.length === 1);
    expect(p.requested).toEqual([expect.stringMatching(/^https:\/\/cdn\.plot\.ly\//)]);
  });

  test("a page that has window.Plotly draws at once and loads nothing", async () => {
    const p = page('data-base-url="/"', "", [], () => true);
    const drawn: string[] = [];
    p.window.Plotly = { newPlot: (el: { id: string }) => { drawn.push(el.id); return Promise.resolve(); }, addFrames: () => Promise.resolve() };
    addOutput(p, chart("h"));
    expect(drawn).toEqual(["h"]);
    await new Promise((r) => setTimeout(r, 300));
    expect(p.requested).toEqual([]);
  });
});

describe("figureHtml options", () => {
  test("unknown keys and wrong types are refused with a GhostError", () => {
    expect(() => figureHtml(fig, { inlinePlotly: false, servdDir: "/x" } as never)).toThrow(/servdDir/);
    expect(() => figureHtml(fig, { inlinePlotly: "no" } as never)).toThrow(GhostError);
    expect(() => figureHtml(fig, undefined as never)).toThrow(GhostError);
    expect(() => figureHtml(fig, { inlinePlotly: false, height: -1 })).toThrow(/opts\.height/);
    expect(() => figureHtml(fig, { inlinePlotly: false, servedDir: 3 } as never)).toThrow(/opts\.servedDir/);
  });
  test("the kernel's folder travels as its last 12 components", () => {
    const deep = "/" + Array.from({ length: 15 }, (_, i) => `d${i}`).join("/");
    const html = figureHtml(fig, { inlinePlotly: false, id: "z", servedDir: deep });
    expect(html).toContain(`dirs=${JSON.stringify(Array.from({ length: 12 }, (_, i) => `d${i + 3}`))}`);
  });
});

describe("the served copy of plotly.js", () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-served-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    setKernelWriterForTesting(undefined);
    setServedPlotlyDirForTesting(undefined);
  });
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  test("ensureServedPlotly writes an identical copy, replaces a stale one, and says false where it cannot write", () => {
    const d = tmp();
    const target = path.join(d, SERVED_PLOTLY_FILE);
    expect(ensureServedPlotly(d)).toBe(true);
    expect(fs.readFileSync(target).equals(fs.readFileSync(plotlyBundlePath()))).toBe(true);
    fs.writeFileSync(target, "stale");
    expect(ensureServedPlotly(d)).toBe(true);
    expect(fs.statSync(target).size).toBe(fs.statSync(plotlyBundlePath()).size);
    expect(fs.readdirSync(d)).toEqual([SERVED_PLOTLY_FILE]); // no temporary file left
    expect(ensureServedPlotly(path.join(d, "missing", "folder"))).toBe(false);
    expect(ensureServedPlotly("")).toBe(false);
  });

  test("show() writes the copy at the first chart of a session and tells every chart where it is", () => {
    const d = tmp();
    const sent: Record<string, string>[] = [];
    const writer: WriteDisplayData = (msg) => sent.push(msg.data as Record<string, string>);
    setKernelWriterForTesting(writer);
    setServedPlotlyDirForTesting(d);
    show(fig);
    show(fig);
    expect(fs.existsSync(path.join(d, SERVED_PLOTLY_FILE))).toBe(true);
    const tail = JSON.stringify(d.split(path.sep).filter(Boolean).slice(-12));
    expect(sent.length).toBe(2);
    for (const out of sent) expect(out["text/html"]).toContain(`dirs=${tail}`);
    expect(sent[0]["text/html"].length).toBeGreaterThan(1e6); // first: plotly.js inlined
    expect(sent[1]["text/html"].length).toBeLessThan(1e5);
  });

  test("show() still draws when the copy cannot be written (no files/ tails then)", () => {
    const sent: Record<string, string>[] = [];
    setKernelWriterForTesting((msg) => sent.push(msg.data as Record<string, string>));
    setServedPlotlyDirForTesting(path.join(tmp(), "does-not-exist"));
    expect(() => show(fig)).not.toThrow();
    expect(sent.length).toBe(1);
    expect(sent[0]["text/html"]).toContain("dirs=[]");
  });
});
