// Live-UI test (issue 14): the notebooks used the way a class uses them, in the real front end. Debian's classic
// Jupyter Notebook server (6.4, tests/notebooks/jupyterServer.ts) on a free localhost port, driven by the system
// Chromium through puppeteer-core; every request that leaves 127.0.0.1 is blocked (and recorded), so nothing is
// rescued by a CDN. Notebooks 01, 02 and 04 (a rank-one RNN notebook) at GHOST_SCALE=ci, copied into a scratch
// server root under output/ (so `ghost-mechanism` resolves to this checkout), each in a fresh kernel:
//   - Run All, wait until every cell ran and the kernel is idle: no error output, nothing on stderr;
//   - every chart output drew a Plotly plot (gd.data with points), none says "plotly.js is not loaded";
//   - notebook 01: clicking a slider step changes the plotted data;
//   - notebook 01: after a page reload (the kernel keeps running, the page has no plotly.js any more), a re-run
//     chart cell draws, with plotly.js served by the Jupyter server (files/…/ghost-plotly.min.js);
//   - notebook 02: an edited parameter cell (horizon T = 50) changes the dependent output (η_c = 3π⁴/(32T⁵));
//   - notebook 02: a bad value (T = −100) shows the GhostError's message; and (a separate, marked test: issue 14
//     item 2, the short error display, is other work) in at most 4 lines — this one fails until that is merged.
// The server is stopped by its pid and the browser closed even when a test fails.
import * as fs from "fs";
import * as path from "path";
import type { Browser, HTTPRequest, Page } from "puppeteer-core";
import { ROOT, NOTEBOOK_DIR } from "./helpers";
import { hasNotebookServer, startNotebookServer, NotebookServer } from "./jupyterServer";

// The functions passed to page.evaluate run in the browser; the project compiles without the DOM lib, so the
// few browser globals they use are declared here (module scope only).
declare const window: any;
declare const document: any;
type HTMLElement = any;

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => fs.existsSync(p));
const SERVER = hasNotebookServer();
const NOTEBOOKS = ["01-saddle-node-ghost", "02-toy-loss-landscape-and-gd", "04-confidence-rescue"];
const MINUTE = 60 * 1000;

const skip = (!CHROMIUM || !SERVER) && process.env.CI !== "true";
if (skip) {
  console.warn("SKIPPED the live-UI test: it needs chromium and Debian's jupyter-notebook (bash scripts/ensure-env.sh --with-live-ui installs both)");
}

/** What the test reads of one cell in the page. */
interface CellState {
  index: number;
  type: string;
  source: string;
  prompt: number | string | null;
  outputTypes: string[];
  stderr: string;
  errors: string[];
  /** Outputs carrying a Plotly figure (the MIME bundle's JSON). */
  charts: number;
  /** Visible text of the cell's output area. */
  text: string;
}

/** The plots of one cell: per .ghost-plot div, whether Plotly drew it and how many points its traces hold. */
interface PlotState {
  drawn: boolean;
  traces: number;
  points: number;
  message: string;
}

(skip ? describe.skip : describe)("live UI: classic Jupyter Notebook driven in Chromium", () => {
  let scratch = "";
  let server: NotebookServer | null = null;
  let browser: Browser | null = null;
  let page: Page;
  /** Every URL the page requested, and the blocked (non-localhost) ones. */
  const requested: string[] = [];
  const blocked: string[] = [];
  const timings: Record<string, number> = {};
  const started = Date.now();

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error("chromium is missing and CI=true: run bash scripts/ensure-env.sh --with-live-ui");
    if (!SERVER) throw new Error("Debian's jupyter-notebook is missing and CI=true: run bash scripts/ensure-env.sh --with-live-ui");
    if (!fs.existsSync(path.join(ROOT, "dist", "index.js"))) throw new Error("dist/ is not built: run bash scripts/ensure-env.sh");
    fs.mkdirSync(path.join(ROOT, "output"), { recursive: true });
    scratch = fs.mkdtempSync(path.join(ROOT, "output", "live-ui-"));
    const root = path.join(scratch, "root");
    fs.mkdirSync(path.join(root, "notebooks"), { recursive: true });
    for (const nb of NOTEBOOKS) fs.copyFileSync(path.join(NOTEBOOK_DIR, `${nb}.ipynb`), path.join(root, "notebooks", `${nb}.ipynb`));
    server = await startNotebookServer(root, path.join(scratch, "server"), {
      GHOST_SCALE: "ci",
      GHOST_CACHE_DIR: path.join(scratch, "cache"), // computed here, not read from an earlier run's cache
    });
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const puppeteer = require("puppeteer-core") as typeof import("puppeteer-core");
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      defaultViewport: { width: 1280, height: 900 },
    });
    page = await browser.newPage();
    await page.setRequestInterception(true);
    page.on("request", (req: HTTPRequest) => {
      const url = req.url();
      requested.push(url);
      if (/^(https?|wss?):\/\/127\.0\.0\.1[:/]/.test(url) || url.startsWith("data:") || url.startsWith("blob:")) void req.continue();
      else {
        blocked.push(url);
        void req.abort();
      }
    });
    page.on("dialog", (d) => void d.accept()); // "leave this page?" on reload
  }, 3 * MINUTE);

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
      if (scratch && !process.env.GHOST_KEEP_TEST_OUTPUT) fs.rmSync(scratch, { recursive: true, force: true });
      timings.total = (Date.now() - started) / 1000;
      console.log(`live-UI test timings (s): ${JSON.stringify(timings)}`);
    }
  }, 2 * MINUTE);

  /** Fails with the server's log tail appended (a kernel that did not start, a 404, …). */
  function withLog(e: unknown): Error {
    const msg = e instanceof Error ? e.message : String(e);
    return new Error(`${msg}\n--- notebook server log (tail) ---\n${server?.log().split("\n").slice(-25).join("\n")}`);
  }

  async function open(name: string): Promise<void> {
    await page.goto(`${server!.url}notebooks/notebooks/${name}.ipynb`, { waitUntil: "load" });
    await connected();
    // the copies are scratch files: never autosave
    await page.evaluate(() => (window as any).Jupyter.notebook.set_autosave_interval(0));
  }

  async function connected(): Promise<void> {
    await page
      .waitForFunction(() => {
        const nb = (window as any).Jupyter?.notebook;
        return Boolean(nb?.kernel?.is_connected() && nb.kernel.name === "tslab");
      }, { timeout: 2 * MINUTE, polling: 200 })
      .catch((e) => {
        throw withLog(e);
      });
  }

  /** Waits until no code cell is queued or running ('*') and the kernel indicator says idle. */
  async function idle(timeoutMs: number): Promise<void> {
    await page
      .waitForFunction(() => {
        const nb = (window as any).Jupyter.notebook;
        const running = nb.get_cells().some((c: any) => c.cell_type === "code" && c.input_prompt_number === "*");
        return !running && document.querySelector("#kernel_indicator_icon")?.classList.contains("kernel_idle_icon");
      }, { timeout: timeoutMs, polling: 250 })
      .catch((e) => {
        throw withLog(e);
      });
    // tslab sends display_data from its own queue: under load an output can arrive just after the idle status.
    // Settle: wait until the number of outputs has not changed for 1.5 s (at most 20 s).
    const count = () => page.evaluate(() => (window as any).Jupyter.notebook.get_cells()
      .reduce((n: number, c: any) => n + (c.cell_type === "code" ? c.output_area.outputs.length : 0), 0) as number);
    let last = await count(), stableSince = Date.now();
    const until = Date.now() + 20_000;
    while (Date.now() - stableSince < 1500 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 250));
      const now = await count();
      if (now !== last) { last = now; stableSince = Date.now(); }
    }
  }

  /** Runs the given cells (or all) as the toolbar does, then waits for the kernel to go idle. */
  async function run(cells: number[] | "all", timeoutMs: number): Promise<void> {
    await page.evaluate((which) => {
      const nb = (window as any).Jupyter.notebook;
      if (which === "all") nb.execute_all_cells();
      else nb.execute_cells(which);
    }, cells);
    await idle(timeoutMs);
  }

  async function cells(): Promise<CellState[]> {
    return page.evaluate(() =>
      (window as any).Jupyter.notebook.get_cells().map((c: any, index: number) => {
        const outputs: any[] = c.cell_type === "code" ? c.output_area.outputs : [];
        const area = c.element[0].querySelector(".output_wrapper") as HTMLElement | null;
        return {
          index,
          type: c.cell_type,
          source: c.get_text(),
          prompt: c.cell_type === "code" ? (c.input_prompt_number ?? null) : null,
          outputTypes: outputs.map((o) => o.output_type),
          stderr: outputs.filter((o) => o.output_type === "stream" && o.name === "stderr").map((o) => String(o.text)).join(""),
          errors: outputs.filter((o) => o.output_type === "error").map((o) => `${o.ename}: ${o.evalue}`),
          charts: outputs.filter((o) => o.data && o.data["application/vnd.plotly.v1+json"]).length,
          text: area ? area.innerText : "",
        };
      }),
    );
  }

  /** The .ghost-plot divs of a cell, once each is drawn or has given up (or after the timeout). */
  async function plotsOf(index: number, count: number, timeoutMs = MINUTE): Promise<PlotState[]> {
    await page
      .waitForFunction((i: number, n: number) => {
        const el = (window as any).Jupyter.notebook.get_cell(i).element[0] as HTMLElement;
        const divs = Array.from(el.querySelectorAll(".ghost-plot")) as any[];
        return divs.length >= n && divs.every((d) => (d.classList.contains("js-plotly-plot") && Array.isArray(d.data)) || /plotly\.js is not loaded/.test(d.textContent));
      }, { timeout: timeoutMs, polling: 200 }, index, count)
      .catch(() => undefined); // reported by the assertions below
    return page.evaluate((i: number) => {
      const el = (window as any).Jupyter.notebook.get_cell(i).element[0] as HTMLElement;
      const size = (v: unknown): number => (Array.isArray(v) ? v.reduce((s: number, x: unknown) => s + (Array.isArray(x) ? x.length : 1), 0) : 0);
      return (Array.from(el.querySelectorAll(".ghost-plot")) as any[]).map((d) => {
        const data: any[] = Array.isArray(d.data) ? d.data : [];
        return {
          drawn: d.classList.contains("js-plotly-plot") && d.querySelector("svg.main-svg") !== null,
          traces: data.length,
          points: data.reduce((s, t) => s + Math.max(size(t.x), size(t.y), size(t.z), size(t.values)), 0),
          message: d.classList.contains("js-plotly-plot") ? "" : d.textContent,
        };
      });
    }, index);
  }

  /** Every chart output of the notebook is drawn with points; returns the indices of the chart cells. */
  async function expectAllChartsDrawn(state: CellState[]): Promise<number[]> {
    const chartCells = state.filter((c) => c.charts > 0);
    expect(chartCells.length).toBeGreaterThan(0);
    for (const c of chartCells) {
      const plots = await plotsOf(c.index, c.charts);
      expect({ cell: c.index, plots: plots.length }).toEqual({ cell: c.index, plots: c.charts });
      for (const p of plots) {
        expect({ cell: c.index, drawn: p.drawn, message: p.message }).toEqual({ cell: c.index, drawn: true, message: "" });
        expect(p.traces).toBeGreaterThan(0);
        expect(p.points).toBeGreaterThan(0);
      }
    }
    return chartCells.map((c) => c.index);
  }

  /** Run All in a fresh kernel: every code cell ran, no error output, nothing on stderr. */
  async function runAllClean(name: string, timeoutMs: number): Promise<CellState[]> {
    const t0 = Date.now();
    await open(name);
    await run("all", timeoutMs);
    timings[name] = (Date.now() - t0) / 1000;
    const state = await cells();
    const code = state.filter((c) => c.type === "code");
    expect(code.length).toBeGreaterThan(2);
    for (const c of code) {
      expect({ cell: c.index, ran: typeof c.prompt === "number", errors: c.errors, stderr: c.stderr })
        .toEqual({ cell: c.index, ran: true, errors: [], stderr: "" });
    }
    return state;
  }

  const cellWith = (state: CellState[], needle: string): CellState => {
    const c = state.find((x) => x.type === "code" && x.source.includes(needle));
    if (!c) throw new Error(`no code cell contains ${JSON.stringify(needle)}`);
    return c;
  };

  let nb01: CellState[] = [];
  test("01: Run All in the UI — no error, every chart drawn with traces", async () => {
    nb01 = await runAllClean("01-saddle-node-ghost", 5 * MINUTE);
    const charts = await expectAllChartsDrawn(nb01);
    expect(charts.length).toBeGreaterThanOrEqual(2);
  }, 8 * MINUTE);

  test("01: clicking a step of the r slider changes the plot", async () => {
    const cell = cellWith(nb01, "fig1SliderFigure").index;
    const before = await page.evaluate((i: number) => {
      const gd = (window as any).Jupyter.notebook.get_cell(i).element[0].querySelector(".ghost-plot.js-plotly-plot") as any;
      gd.scrollIntoView({ block: "center" });
      return { active: gd.layout.sliders[0].active, steps: gd.layout.sliders[0].steps.length, data: JSON.stringify(gd.data.map((t: any) => t.y)) };
    }, cell);
    expect(before.active).toBe(0);
    expect(before.steps).toBeGreaterThan(2);
    // a real mouse click on the last step's tick (the slider's rail at that label's x)
    const at = await page.evaluate((i: number) => {
      const gd = (window as any).Jupyter.notebook.get_cell(i).element[0].querySelector(".ghost-plot.js-plotly-plot") as HTMLElement;
      const rail = gd.querySelector(".slider-rail-rect")!.getBoundingClientRect();
      const labels: any[] = Array.from(gd.querySelectorAll(".slider-label-group"));
      const last = labels[labels.length - 1].getBoundingClientRect();
      return { x: last.x + last.width / 2, y: rail.y + rail.height / 2 };
    }, cell);
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction((i: number) => {
      const gd = (window as any).Jupyter.notebook.get_cell(i).element[0].querySelector(".ghost-plot.js-plotly-plot") as any;
      return gd.layout.sliders[0].active !== 0;
    }, { timeout: 20000, polling: 100 }, cell);
    const after = await page.evaluate((i: number) => {
      const gd = (window as any).Jupyter.notebook.get_cell(i).element[0].querySelector(".ghost-plot.js-plotly-plot") as any;
      return { active: gd.layout.sliders[0].active, data: JSON.stringify(gd.data.map((t: any) => t.y)) };
    }, cell);
    expect(after.active).toBe(before.steps - 1);
    expect(after.data).not.toBe(before.data);
  }, 2 * MINUTE);

  test("01: after a page reload (kernel still running, plotly.js gone from the page) a re-run chart cell draws", async () => {
    const cell = cellWith(nb01, "fig1SliderFigure").index;
    await page.evaluate(() => (window as any).Jupyter.notebook.set_dirty(false));
    await page.reload({ waitUntil: "load" });
    await connected();
    await page.evaluate(() => (window as any).Jupyter.notebook.set_autosave_interval(0));
    // the premise: no plotly.js and no outputs in the reloaded page (the notebook was never saved with outputs)
    expect(await page.evaluate(() => typeof (window as any).Plotly)).toBe("undefined");
    expect((await cells()).every((c) => c.outputTypes.length === 0)).toBe(true);
    const fromServer = requested.length;
    const t0 = Date.now();
    await run([cell], MINUTE); // `data` still lives in the kernel
    const plots = await plotsOf(cell, 1);
    timings.reloadRedraw = (Date.now() - t0) / 1000;
    expect(plots.map((p) => ({ drawn: p.drawn, message: p.message }))).toEqual([{ drawn: true, message: "" }]);
    expect(plots[0].points).toBeGreaterThan(0);
    // drawn with the copy the Jupyter server serves beside the notebook, not a CDN
    expect(requested.slice(fromServer).filter((u) => u.includes("/files/"))).toEqual([`${server!.url}files/notebooks/ghost-plotly.min.js`]);
    expect(blocked.filter((u) => /plot\.ly|plotly/.test(u))).toEqual([]);
  }, 3 * MINUTE);

  let nb02: CellState[] = [];
  const eta = (T: number) => ((3 * Math.PI ** 4) / (32 * T ** 5)).toExponential(6);
  test("02: Run All in the UI — no error, every chart drawn with traces", async () => {
    nb02 = await runAllClean("02-toy-loss-landscape-and-gd", 5 * MINUTE);
    await expectAllChartsDrawn(nb02);
    expect(cellWith(nb02, "figures.runFig2(").text).toContain(`η_c = ${eta(100)}`);
  }, 8 * MINUTE);

  test("02: an edited parameter cell (T = 50) changes the dependent output (η_c = 3π⁴/(32T⁵))", async () => {
    const params = cellWith(nb02, "figures.fig2Config(");
    const compute = cellWith(nb02, "figures.runFig2(");
    const landscape = cellWith(nb02, "fig2LandscapeFigure");
    await page.evaluate((i: number, text: string) => (window as any).Jupyter.notebook.get_cell(i).set_text(text), params.index, `${params.source}\nparams.horizon = 50;`);
    await run([params.index, compute.index, landscape.index], 3 * MINUTE);
    const after = await cells();
    expect(after[compute.index].errors).toEqual([]);
    expect(after[compute.index].stderr).toBe("");
    expect(after[compute.index].text).toContain(`η_c = ${eta(50)}`);
    expect(after[compute.index].text).not.toContain(`η_c = ${eta(100)}`);
    const plots = await plotsOf(landscape.index, 1);
    expect(plots.map((p) => p.drawn)).toEqual([true]);
  }, 5 * MINUTE);

  let badText = "";
  test("02: a bad value (T = −100) shows the GhostError's message", async () => {
    const params = cellWith(nb02, "figures.fig2Config(");
    const compute = cellWith(nb02, "figures.runFig2(");
    await page.evaluate((i: number, text: string) => (window as any).Jupyter.notebook.get_cell(i).set_text(text), params.index, `${params.source}\nparams.horizon = -100;`);
    await run([params.index, compute.index], 2 * MINUTE);
    badText = (await cells())[compute.index].text;
    // the GhostError's message names the parameter, the value and what is allowed (with or without "GhostError: ")
    expect(badText).toMatch(/config\.horizon = -100 is not allowed: expected a finite number > 0/);
  }, 3 * MINUTE);

  // ─── Needs issue 14 item 2 (short GhostError display, the classroom branch): fails until it is merged. ───
  test("02 [needs item 2, short errors]: the bad value's error takes at most 4 lines", () => {
    expect(badText).toMatch(/horizon = -100 is not allowed/);
    const lines = badText.split("\n").filter((l) => l.trim() !== "");
    if (lines.length > 4) throw new Error(`the error output has ${lines.length} lines, at most 4 wanted:\n${lines.slice(0, 30).join("\n")}`);
    expect(lines.length).toBeGreaterThanOrEqual(1);
  });

  test("04 (rank-one RNN): Run All in the UI — no error, every chart drawn with traces", async () => {
    const nb04 = await runAllClean("04-confidence-rescue", 10 * MINUTE);
    const charts = await expectAllChartsDrawn(nb04);
    expect(charts.length).toBeGreaterThanOrEqual(3);
    expect(blocked.filter((u) => /plot\.ly|plotly/.test(u))).toEqual([]); // never rescued by a CDN
  }, 12 * MINUTE);
});
