// Executes every committed notebook through the real tslab kernel at the CI scale (scripts/run-notebooks.mjs),
// one test per notebook; and checks that the runner itself reports a failing cell and keeps going.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { notebookFiles, makeNotebook, runNotebooks, plotlyOutputs } from "./helpers";

const OUT = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-notebooks-"));
const files = notebookFiles();
let runLog = "";
let summary: { results: { name: string; ok: boolean; seconds: number; error: string | null; pngs: string[] }[] } | null = null;

beforeAll(() => {
  if (!fs.existsSync("/usr/bin/jupyter")) throw new Error("MISSING /usr/bin/jupyter: run bash scripts/ensure-env.sh");
  const run = runNotebooks(["--scale", "ci", "--out", OUT, "--timeout", "900"]);
  runLog = run.output;
  const summaryFile = path.join(OUT, "summary.json");
  if (!fs.existsSync(summaryFile)) throw new Error(`the notebook runner wrote no summary:\n${runLog}`);
  summary = JSON.parse(fs.readFileSync(summaryFile, "utf8"));
}, 80 * 60 * 1000);

const KEEP = Boolean(process.env.GHOST_KEEP_TEST_OUTPUT); // set it to inspect the executed notebooks
const tempDirs: string[] = [OUT];
afterAll(() => {
  if (!KEEP) for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  else console.log(`notebook test output kept in ${tempDirs.join(", ")}`);
});

/** The runner's report for one notebook (its section of the log). */
function sectionOf(name: string): string {
  const start = runLog.indexOf(`[notebooks] ${name} `);
  if (start < 0) return runLog;
  const next = runLog.indexOf("[notebooks] ", start + 1);
  return runLog.slice(start, next < 0 ? undefined : next);
}

describe("every notebook executes through the tslab kernel at CI scale", () => {
  test.each(files.map((f) => [path.basename(f, ".ipynb")]))("%s", (name) => {
    const r = summary?.results.find((x) => x.name === name);
    if (!r) throw new Error(`notebook ${name} was not run:\n${runLog}`);
    if (!r.ok) throw new Error(`notebook ${name} FAILED (${r.error}):\n${sectionOf(name)}`);
    const nb = JSON.parse(fs.readFileSync(path.join(OUT, `${name}.ipynb`), "utf8"));
    // every executed notebook draws at least one Plotly figure, and no cell left an error output
    expect(plotlyOutputs(nb).length).toBeGreaterThan(0);
    const errors = nb.cells.flatMap((c: { outputs?: { output_type: string }[] }) => c.outputs ?? []).filter((o: { output_type: string }) => o.output_type === "error");
    expect(errors).toEqual([]);
    const html = fs.readFileSync(path.join(OUT, `${name}.html`), "utf8");
    expect(html).toContain('<script src="mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe">'); // offline maths
    // one PNG per chart, in output order: png/<name>-01.png, -02.png, ... each a PNG of the figure's size
    const charts = plotlyOutputs(nb);
    expect(r.pngs).toEqual(charts.map((_, i) => `png/${name}-${String(i + 1).padStart(2, "0")}.png`));
    charts.forEach((fig, i) => {
      const buf = fs.readFileSync(path.join(OUT, r.pngs[i]));
      expect(buf.subarray(1, 4).toString("ascii")).toBe("PNG");
      const layout = ((fig["application/vnd.plotly.v1+json"] as { layout?: { width?: number; height?: number } }).layout ?? {});
      expect([buf.readUInt32BE(16), buf.readUInt32BE(20)]).toEqual([layout.width ?? 900, layout.height ?? 500]);
    });
  });
  test("the output folder carries its own MathJax (referenced relatively by every HTML export)", () => {
    expect(fs.existsSync(path.join(OUT, "mathjax", "MathJax.js"))).toBe(true);
    expect(fs.existsSync(path.join(OUT, "mathjax", "config", "TeX-AMS_CHTML-full.js"))).toBe(true);
    expect(fs.readdirSync(path.join(OUT, "mathjax", "fonts", "HTML-CSS", "TeX", "woff")).length).toBeGreaterThan(10);
  });
  test("the index page lists every notebook with its status and run time", () => {
    const index = fs.readFileSync(path.join(OUT, "index.html"), "utf8");
    for (const f of files) expect(index).toContain(`${path.basename(f, ".ipynb")}.html`);
    expect(index).toMatch(/<td>(ok|FAILED)<\/td><td>\d+\.\d s<\/td>/);
  });
});

describe("the runner", () => {
  test("reports the failing cell's source and the kernel's error, continues, and exits non-zero", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-runner-"));
    tempDirs.push(dir);
    fs.writeFileSync(path.join(dir, "a-bad.ipynb"), JSON.stringify(makeNotebook([
      'console.log("first cell ran");',
      'const answer: number = 41;\nconsole.log("about to fail");\nthrow new Error("boom-" + (answer + 1));',
      'console.log("must not run");',
    ], true)));
    fs.writeFileSync(path.join(dir, "b-typo.ipynb"), JSON.stringify(makeNotebook(['const label: string = 3;'])));
    fs.writeFileSync(path.join(dir, "c-good.ipynb"), JSON.stringify(makeNotebook(['console.log(`scale=${process.env.GHOST_SCALE}`);'])));
    const out = path.join(dir, "out");
    // two at a time (the default): the results and the index keep the notebooks' order whatever finishes first
    const run = runNotebooks(["--scale", "ci", "--out", out, "--jobs", "2", ...["a-bad", "b-typo", "c-good"].map((n) => path.join(dir, `${n}.ipynb`))]);
    expect(run.status).toBe(1);
    const log = run.output;
    expect(log).toMatch(/a-bad \(scale ci\) \.\.\. FAILED/);
    expect(log).toContain("failing cell #2"); // notebook cell index (the markdown cell is #0)
    expect(log).toContain("| throw new Error(\"boom-\" + (answer + 1));");
    expect(log).toContain("Error: boom-42"); // tslab's error text, from the cell's stderr stream
    expect(log).not.toContain("must not run");
    expect(log).toMatch(/b-typo \(scale ci\) \.\.\. FAILED/);
    expect(log).toContain("Type 'number' is not assignable to type 'string'");
    expect(log).toMatch(/c-good \(scale ci\) \.\.\. ok/);
    const s = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
    expect(s.results.map((r: { name: string; ok: boolean }) => [r.name, r.ok])).toEqual([["a-bad", false], ["b-typo", false], ["c-good", true]]);
    const good = JSON.parse(fs.readFileSync(path.join(out, "c-good.ipynb"), "utf8"));
    expect(JSON.stringify(good.cells[0].outputs)).toContain("scale=ci");
    expect(fs.readFileSync(path.join(out, "index.html"), "utf8")).toContain("FAILED");
  }, 5 * 60 * 1000);
  test("rejects an unknown scale or option with exit code 2", () => {
    expect(runNotebooks(["--scale", "huge"]).status).toBe(2);
    expect(runNotebooks(["--frobnicate"]).status).toBe(2);
    expect(runNotebooks(["--jobs", "0"]).status).toBe(2);
    expect(runNotebooks(["--jobs", "1.5"]).status).toBe(2);
  });
});
