// Render check: executes the quick-start notebook, exports it to HTML (scripts/run-notebooks.mjs), opens the export
// in headless Chromium and checks that EVERY Plotly output was actually drawn (SVG with trace paths, not an empty
// div) — including the charts after the first, which rely on the plotly.js the first chart inlined. A control
// page with plotly.js removed must fail the same check. Network access is blocked for Chromium, so a chart can
// never be rescued by the CDN fallback.
//
// Offline maths: the export loads MathJax from the output folder by a RELATIVE url (scripts/mathjax.mjs). The output
// folder is moved elsewhere, opened with the network blocked, and every `$...$` of the notebook's markdown must be
// typeset by MathJax (none left raw); a control copy without the mathjax/ folder must leave them raw.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { NOTEBOOK_DIR, runNotebooks, plotlyOutputs, readNotebook, cellSource } from "./helpers";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => fs.existsSync(p));
const NOTEBOOK = "00-quickstart";

function renderedDom(htmlFile: string): string {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "chromium-"));
  try {
    return renderWith(profile, htmlFile);
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

function renderWith(profile: string, htmlFile: string): string {
  const run = spawnSync(CHROMIUM as string, [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND",
    `--user-data-dir=${profile}`, "--window-size=900,700",
    "--virtual-time-budget=20000", "--dump-dom", `file://${htmlFile}`,
  ], { encoding: "utf8", maxBuffer: 1 << 29, timeout: 180000 });
  if (!run.stdout) throw new Error(`chromium produced no DOM (status ${run.status}):\n${run.stderr}`);
  return run.stdout;
}

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

/** The TeX of every `$...$` / `$$...$$` in the notebook's markdown cells. */
function markdownMath(notebook: string): { inline: string[]; display: string[] } {
  const md = readNotebook(notebook).cells.filter((c) => c.cell_type === "markdown").map(cellSource).join("\n\n");
  const display = [...md.matchAll(/\$\$([\s\S]+?)\$\$/g)].map((m) => m[1]);
  const inline = [...md.replace(/\$\$[\s\S]+?\$\$/g, "").matchAll(/\$([^$\n]+?)\$/g)].map((m) => m[1]);
  return { inline, display };
}

/** `$tex$` as it appears in HTML text (nbconvert and Chromium escape &, < and >). */
const rawHtml = (tex: string) => `$${tex.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}$`;

/** MathJax 2 CommonHTML output elements (inline and display) in a rendered DOM. */
const typesetMath = (dom: string) => count(dom, /<span id="MathJax-Element-\d+-Frame" class="mjx-chtml MathJax_CHTML"/g);

/** How many ghost-plot divs Plotly turned into a chart with traces. */
function drawnCharts(dom: string): { divs: number; drawn: number; svgs: number; lines: number; points: number; cdn: boolean } {
  return {
    divs: count(dom, /<div id="[^"]*" class="ghost-plot/g),
    drawn: count(dom, /class="ghost-plot js-plotly-plot"/g),
    svgs: count(dom, /class="main-svg"/g),
    lines: count(dom, /<path class="js-line"/g),
    points: count(dom, /class="point"/g),
    cdn: /<script[^>]*\bid="ghost-plotly-cdn"/.test(dom),
  };
}

const skip = !CHROMIUM && process.env.CI !== "true";
if (skip) console.warn("SKIPPED the browser render check: chromium is not installed (bash scripts/ensure-env.sh --with-chromium installs it)");

(skip ? describe.skip : describe)("render check in headless Chromium", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-browser-"));
  let expected = 0;
  const scratch: string[] = [out];
  afterAll(() => {
    if (!process.env.GHOST_KEEP_TEST_OUTPUT) for (const d of scratch) fs.rmSync(d, { recursive: true, force: true });
  });
  beforeAll(() => {
    if (!CHROMIUM) throw new Error("chromium is missing and CI=true: run bash scripts/ensure-env.sh --with-chromium");
    const run = runNotebooks(["--scale", "ci", "--out", out, path.join(NOTEBOOK_DIR, `${NOTEBOOK}.ipynb`)]);
    if (run.status !== 0) throw new Error(`${NOTEBOOK} failed to execute:\n${run.output}`);
    expected = plotlyOutputs(JSON.parse(fs.readFileSync(path.join(out, `${NOTEBOOK}.ipynb`), "utf8"))).length;
  }, 10 * 60 * 1000);

  test(`every Plotly chart of the exported ${NOTEBOOK}.html is drawn`, () => {
    expect(expected).toBeGreaterThanOrEqual(2);
    const dom = renderedDom(path.join(out, `${NOTEBOOK}.html`));
    const c = drawnCharts(dom);
    expect(c.divs).toBe(expected);
    expect(c.drawn).toBe(expected);
    expect(c.svgs).toBeGreaterThanOrEqual(expected);
    expect(c.lines).toBeGreaterThan(0); // line traces
    expect(c.points).toBeGreaterThan(0); // histogram bars
    expect(dom).toContain('class="slider-container"'); // the slider figure's control
    expect(c.cdn).toBe(false); // drawn with the inlined plotly.js, not a CDN fallback
    expect(dom).not.toMatch(/>plotly\.js is not loaded/);
  }, 5 * 60 * 1000);

  test(`the maths of ${NOTEBOOK}.html is typeset offline by the MathJax copied beside it, after moving the folder`, () => {
    const math = markdownMath(path.join(NOTEBOOK_DIR, `${NOTEBOOK}.ipynb`));
    const all = [...math.inline, ...math.display];
    expect(all.length).toBeGreaterThanOrEqual(5);
    const html = fs.readFileSync(path.join(out, `${NOTEBOOK}.html`), "utf8");
    expect(html).toContain('<script src="mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe">');
    expect(html).not.toMatch(/<script src="(https?:|file:|\/)[^"]*MathJax/);
    for (const tex of math.inline) expect(html).toContain(rawHtml(tex)); // raw before MathJax runs

    // move the whole output folder: a relative url keeps working, an absolute one would not
    const moved = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-moved-"));
    scratch.push(moved);
    fs.cpSync(out, moved, { recursive: true });
    expect(fs.existsSync(path.join(moved, "mathjax", "MathJax.js"))).toBe(true);
    const dom = renderedDom(path.join(moved, `${NOTEBOOK}.html`));
    expect(typesetMath(dom)).toBe(all.length);
    for (const tex of math.inline) expect(dom).not.toContain(rawHtml(tex));
    expect(dom).not.toMatch(/File failed to load|Math Processing Error|Math input error/);
    expect(dom).toContain('<script type="math/tex" id="MathJax-Element-1">'); // MathJax 2 keeps the source TeX

    // control: the same moved page without the mathjax/ folder shows raw TeX and no typeset maths
    fs.rmSync(path.join(moved, "mathjax"), { recursive: true, force: true });
    const bare = renderedDom(path.join(moved, `${NOTEBOOK}.html`));
    expect(typesetMath(bare)).toBe(0);
    for (const tex of math.inline) expect(bare).toContain(rawHtml(tex));
  }, 5 * 60 * 1000);

  test("control: the same page without the inlined plotly.js draws nothing", () => {
    const html = fs.readFileSync(path.join(out, `${NOTEBOOK}.html`), "utf8");
    const banner = html.indexOf("* plotly.js v");
    expect(banner).toBeGreaterThan(0);
    const start = html.lastIndexOf("<script", banner);
    const end = html.indexOf("</script>", banner) + "</script>".length;
    const control = path.join(out, "control.html");
    fs.writeFileSync(control, html.slice(0, start) + "<script></script>" + html.slice(end));
    const dom = renderedDom(control);
    const c = drawnCharts(dom);
    expect(c.divs).toBe(expected);
    expect(c.drawn).toBe(0);
    // the fallback ran: a CDN attempt (blocked here), then the explanation in place of every chart
    expect(c.cdn).toBe(true);
    expect(count(dom, />plotly\.js is not loaded/g)).toBe(expected);
  }, 5 * 60 * 1000);
});
