// The kernel bridge: show() outside a kernel is a no-op; inside (a fake tslab writer) it sends ONE output with the
// Plotly JSON, HTML and a text summary, inlining plotly.js in the first chart only; standalone pages.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { show, toStandaloneHtml, summarizeFigure, figureHtml, inKernel, kernelWriter, setKernelWriterForTesting, setServedPlotlyDirForTesting, plotlyJs, WriteDisplayData } from "../../src/display/show";
import { progress, progressLine } from "../../src/display/progress";
import { PlotlyFigure } from "../../src/display/plotly";
import { GhostError } from "../../src/core/errors";

const fig: PlotlyFigure = {
  data: [
    { type: "scatter", name: "loss", x: [1, 2, 3], y: [0.9, 0.5, 0.1] },
    { type: "scatter", name: "accuracy", x: [1, 2, 3], y: [0.1, 0.5, 0.9] },
  ],
  layout: { title: { text: "Training" }, xaxis: { title: { text: "epoch" }, type: "log" }, yaxis: { title: "value" } },
};
const PLOTLY_BANNER = "plotly.js v"; // the bundle's licence header, once per copy
const count = (s: string, needle: string) => s.split(needle).length - 1;

afterEach(() => setKernelWriterForTesting(undefined));
// show() puts its served copy of plotly.js in a scratch folder, not in the working directory
const SERVED = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-show-"));
beforeAll(() => setServedPlotlyDirForTesting(SERVED));
afterAll(() => {
  setServedPlotlyDirForTesting(undefined);
  fs.rmSync(SERVED, { recursive: true, force: true });
});

describe("outside a kernel", () => {
  test("no kernel is detected under jest", () => {
    expect(kernelWriter()).toBeNull();
    expect(inKernel()).toBe(false);
  });
  test("show() returns without output or error", () => {
    const out = jest.spyOn(process.stdout, "write");
    const err = jest.spyOn(process.stderr, "write");
    const log = jest.spyOn(console, "log");
    expect(show(fig)).toBeUndefined();
    expect(show(fig, { summary: "s", height: 300 })).toBeUndefined();
    expect(out).not.toHaveBeenCalled();
    expect(err).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    jest.restoreAllMocks();
  });
  test("show() still rejects something that is not a figure", () => {
    expect(() => show({} as PlotlyFigure)).toThrow(GhostError);
  });
  test("progress is silent, never throws, and logs one line at finish only with GHOST_PROGRESS_LOG", () => {
    const err = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    const out = jest.spyOn(process.stdout, "write");
    const saved = process.env.GHOST_PROGRESS_LOG;
    try {
      delete process.env.GHOST_PROGRESS_LOG;
      const p = progress("quiet", 10);
      p.update(3);
      p.callback(5, 10);
      p.update(NaN);
      p.update("x" as unknown as number);
      p.finish();
      p.finish();
      expect(err).not.toHaveBeenCalled();
      process.env.GHOST_PROGRESS_LOG = "1";
      const q = progress("logged", 4);
      q.update(4);
      q.finish("all good");
      q.finish();
      expect(err).toHaveBeenCalledTimes(1);
      expect(String(err.mock.calls[0][0])).toMatch(/^logged: done 4\/4 .*all good\n$/);
      expect(out).not.toHaveBeenCalled();
    } finally {
      if (saved === undefined) delete process.env.GHOST_PROGRESS_LOG;
      else process.env.GHOST_PROGRESS_LOG = saved;
      jest.restoreAllMocks();
    }
  });
  test("progress rejects a negative or non-finite total", () => {
    expect(() => progress("bad", -1)).toThrow(GhostError);
    expect(() => progress("bad", Infinity)).toThrow(/total/);
  });
});

describe("inside a kernel (fake tslab writer)", () => {
  type Msg = Parameters<WriteDisplayData>[0];
  test("one output with three MIME types; plotly.js inlined in the first chart only", () => {
    const sent: { msg: Msg; update: boolean }[] = [];
    setKernelWriterForTesting((msg, update) => sent.push({ msg, update }));
    expect(inKernel()).toBe(true);
    show(fig, { summary: "two curves" });
    show(fig);
    expect(sent.length).toBe(2);
    const [first, second] = sent.map((s) => s.msg.data as Record<string, string>);
    expect(Object.keys(first).sort()).toEqual(["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
    expect(sent.every((s) => s.update === false)).toBe(true);
    const json = first["application/vnd.plotly.v1+json"] as unknown as PlotlyFigure;
    expect(json.data).toEqual(fig.data);
    expect(json.layout).toEqual(fig.layout);
    expect(count(first["text/html"], PLOTLY_BANNER)).toBe(1);
    expect(count(second["text/html"], PLOTLY_BANNER)).toBe(0);
    expect(second["text/html"]).toContain("Plotly.newPlot");
    expect(first["text/plain"]).toMatch(/^two curves\n/);
    expect(first["text/plain"]).toMatch(/2 trace\(s\): loss, accuracy/);
    expect(first["text/plain"]).toMatch(/x: epoch \(log\); y: value/);
  });
  test("a writer that throws does not break show()", () => {
    setKernelWriterForTesting(() => {
      throw new Error("socket closed");
    });
    expect(() => show(fig)).not.toThrow();
  });
  test("progress updates ONE output in place (same display_id, update flag after the first), throttled", () => {
    const sent: { msg: Msg; update: boolean }[] = [];
    setKernelWriterForTesting((msg, update) => sent.push({ msg, update }));
    const p = progress("train", 1000);
    for (let i = 1; i <= 1000; i++) p.callback(i, 1000);
    p.finish("done");
    // 1000 updates within far less than 200 ms: the first draws, the rest are throttled, finish always draws
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.length).toBeLessThan(20);
    const ids = new Set(sent.map((s) => (s.msg.transient as { display_id: string }).display_id));
    expect(ids.size).toBe(1);
    expect(sent[0].update).toBe(false);
    expect(sent.slice(1).every((s) => s.update)).toBe(true);
    expect((sent[sent.length - 1].msg.data as Record<string, string>)["text/plain"]).toMatch(/^train: done 1000\/1000 in .*done$/);
  });
  test("a throwing writer never breaks progress", () => {
    setKernelWriterForTesting(() => {
      throw new Error("gone");
    });
    const p = progress("x", 2);
    expect(() => {
      p.update(1);
      p.callback(2, 2);
      p.finish();
    }).not.toThrow();
  });
});

describe("text and HTML", () => {
  test("progressLine shows done/total, percent, rate and time left", () => {
    const line = progressLine("sweep", 25, 100, 5);
    expect(line).toContain("25/100");
    expect(line).toContain("(25.0 %)");
    expect(line).toContain("5.00/s");
    expect(line).toContain("left 15.0 s");
  });
  test("summarizeFigure names title, axes and traces", () => {
    const s = summarizeFigure(fig);
    expect(s).toContain("Figure: Training");
    expect(s).toContain("2 trace(s)");
  });
  test("figure HTML escapes '</script' inside the figure JSON", () => {
    const html = figureHtml({ data: [{ name: "</script><b>x" }], layout: {} }, { inlinePlotly: false, id: "p" });
    expect(count(html, "</script>")).toBe(1);
    expect(html).toContain('id="p"');
  });
  test("standalone page: full HTML, every figure's JSON, plotly.js exactly once", () => {
    const other: PlotlyFigure = { data: [{ type: "bar", name: "second-figure-trace", x: [1], y: [2] }], layout: {} };
    const page = toStandaloneHtml([fig, other], "Two <figures>");
    expect(page.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(page).toContain("<title>Two &lt;figures></title>");
    expect(page).toContain(JSON.stringify(fig.data));
    expect(page).toContain("second-figure-trace");
    expect(count(page, PLOTLY_BANNER)).toBe(1);
    expect(plotlyJs().length).toBeGreaterThan(1e6);
    expect(page.length).toBeGreaterThan(plotlyJs().length);
    expect(count(page, 'class="ghost-plot"')).toBe(2);
    expect(() => toStandaloneHtml([], "x")).toThrow(GhostError);
  });
});
