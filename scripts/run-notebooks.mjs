#!/usr/bin/env node
// Executes figure notebooks through the real tslab kernel (Jupyter nbconvert), writing the executed notebooks,
// an HTML export of each (maths typeset offline by the MathJax copied to DIR/mathjax/), a PNG of every chart
// (DIR/png/<notebook>-<nn>.png, 900 x 500 unless the figure sets its size; scripts/plotly-png.mjs) and an index.html into an output folder.
//
//   node scripts/run-notebooks.mjs [--scale ci|paper|full] [--out DIR] [--timeout SECONDS] [--jobs N] [--no-png] [notebooks/NAME.ipynb ...]
//
// Default: every notebooks/*.ipynb in name order, scale "paper", out "output", two notebooks at a time (--jobs 2;
// each in its own kernel: a notebook's serial stretches (kernel start, compiling, analysis on one thread, the HTML
// export) overlap the other's parallel sweeps; results do not depend on it: every run is seeded and the sweep engine's
// results are the same for any number of workers). A failing cell does not stop the other notebooks; the failing
// cell's source and error are printed and the exit code is 1.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { MATHJAX_URL, installMathJax, checkExportedMath } from "./mathjax.mjs";
import { createPngRenderer, writeNotebookPngs } from "./plotly-png.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
let scale = "paper", out = path.join(root, "output"), timeout = 3600, png = true, jobs = 2;
const selected = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--scale") scale = args[++i];
  else if (a === "--out") out = path.resolve(args[++i]);
  else if (a === "--timeout") timeout = Number(args[++i]);
  else if (a === "--jobs") jobs = Number(args[++i]);
  else if (a === "--no-png") png = false;
  else if (a === "--help" || a === "-h") {
    console.log("usage: node scripts/run-notebooks.mjs [--scale ci|paper|full] [--out DIR] [--timeout SECONDS] [--jobs N] [--no-png] [notebook ...]");
    process.exit(0);
  } else if (a.startsWith("--")) {
    console.error(`run-notebooks: unknown option ${a} (allowed: --scale, --out, --timeout, --jobs, --no-png, --help)`);
    process.exit(2);
  } else selected.push(path.resolve(a));
}
if (!["ci", "paper", "full"].includes(scale)) {
  console.error(`run-notebooks: --scale = ${JSON.stringify(scale)} is not allowed: expected "ci", "paper" or "full"`);
  process.exit(2);
}
if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) {
  console.error(`run-notebooks: --jobs = ${jobs} is not allowed: expected an integer in [1, 16] (notebooks executed at once)`);
  process.exit(2);
}
if (!Number.isFinite(timeout) || timeout <= 0) {
  console.error(`run-notebooks: --timeout = ${timeout} is not allowed: expected seconds > 0`);
  process.exit(2);
}
const jupyter = "/usr/bin/jupyter";
if (!fs.existsSync(jupyter)) {
  console.error("run-notebooks: MISSING /usr/bin/jupyter. Run: bash scripts/ensure-env.sh (or apt-get install -y jupyter-nbconvert python3-nbclient python3-ipykernel)");
  process.exit(1);
}
if (!fs.existsSync(path.join(root, "dist", "index.js"))) {
  console.error("run-notebooks: dist/ is not built. Run: bash scripts/ensure-env.sh (or npm run build)");
  process.exit(1);
}
const notebooks = selected.length
  ? selected
  : fs.readdirSync(path.join(root, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort().map((f) => path.join(root, "notebooks", f));
for (const nb of notebooks) {
  if (!fs.existsSync(nb)) {
    console.error(`run-notebooks: notebook ${nb} does not exist`);
    process.exit(2);
  }
}
fs.mkdirSync(out, { recursive: true });
// MathJax for the HTML exports, referenced relatively (see scripts/mathjax.mjs): the folder works offline and moved
try {
  installMathJax(root, out);
} catch (e) {
  console.error(`run-notebooks: ${e.message}`);
  process.exit(1);
}
const env = {
  ...process.env,
  GHOST_SCALE: scale,
  JUPYTER_PATH: path.join(root, ".jupyter", "share", "jupyter"),
  PATH: `${path.join(root, "node_modules", ".bin")}:${process.env.PATH}`,
};

/** Details of the failing cell (from the partially executed notebook). */
function describeFailure(executedPath, report) {
  let info = { cell: -1, source: "", streams: "" };
  try { info = { ...info, ...JSON.parse(report.trim().split("\n").pop()) }; info.cell = info.failed_cell ?? -1; } catch { info.message = report.slice(-3000); }
  if (fs.existsSync(executedPath) && info.cell >= 0) {
    const nb = JSON.parse(fs.readFileSync(executedPath, "utf8"));
    const c = nb.cells[info.cell];
    info.source = [].concat(c.source).join("");
    info.streams = (c.outputs ?? []).map((o) => o.output_type === "stream" ? [].concat(o.text).join("") : o.output_type === "error" ? `${o.ename}: ${o.evalue}` : "").join("");
  }
  return info;
}

let renderer = null;
// One PNG renderer (a headless browser) for all notebooks; its jobs run one after another.
let pngQueue = Promise.resolve();
function writePngs(name, executedPath) {
  const job = pngQueue.then(async () => {
    renderer ??= await createPngRenderer();
    return (await writeNotebookPngs(renderer, executedPath, path.join(out, "png"), name)).map((f) => `png/${f}`);
  });
  pngQueue = job.catch(() => {});
  return job;
}

/** Runs a command without blocking the other notebooks; resolves to { status, stdout, stderr, error }. */
function run(command, argv) {
  return new Promise((resolve) => {
    const child = spawn(command, argv, { env, cwd: root });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => { stdout += d; });
    child.stderr.on("data", (d) => { stderr += d; });
    child.on("error", (error) => resolve({ status: null, stdout, stderr, error }));
    child.on("close", (status) => resolve({ status, stdout, stderr, error: null }));
  });
}

/** Executes one notebook, exports its HTML and PNGs; returns its result row. */
async function runNotebook(nb) {
  const name = path.basename(nb, ".ipynb");
  const executed = path.join(out, `${name}.ipynb`);
  const started = Date.now();
  console.log(`[notebooks] start ${name}`);
  const ran = await run("/usr/bin/python3", [path.join(root, "scripts", "execute_notebook.py"), nb, executed, String(timeout)]);
  const seconds = (Date.now() - started) / 1000;
  const error = ran.status === 0 ? null : describeFailure(executed, `${ran.stderr ?? ""}${ran.error ? String(ran.error) : ""}`);
  let html = null;
  if (fs.existsSync(executed)) {
    const h = await run(jupyter, ["nbconvert", "--to", "html", `--HTMLExporter.mathjax_url=${MATHJAX_URL}`, executed, "--output", path.join(out, `${name}.html`)]);
    if (h.status === 0) {
      html = `${name}.html`;
      const problems = checkExportedMath(fs.readFileSync(path.join(out, html), "utf8"));
      if (problems.length) console.warn(`[notebooks] WARNING ${html}: its maths will not typeset offline: ${problems.join("; ")}`);
    } else console.warn(`[notebooks] WARNING: the HTML export of ${name} failed:\n${(h.stderr ?? "").split("\n").slice(-10).join("\n")}`);
  }
  let pngs = [], pngError = null;
  if (png && fs.existsSync(executed)) {
    try {
      pngs = await writePngs(name, executed);
    } catch (e) {
      pngError = e instanceof Error ? e.stack ?? e.message : String(e);
      console.warn(`[notebooks] ERROR: the PNGs of ${name} failed: ${pngError.split("\n").slice(0, 6).join("\n")}`);
    }
  }
  const lines = [`[notebooks] ${name} (scale ${scale}) ... ${error ? `FAILED after ${seconds.toFixed(1)} s` : `ok in ${seconds.toFixed(1)} s${png ? `, ${pngs.length} PNG${pngs.length === 1 ? "" : "s"}` : ""}`}`];
  if (error) {
    lines.push(`  failing cell #${error.cell}:\n${error.source.split("\n").map((l) => "    | " + l).join("\n")}`);
    if (error.streams) lines.push(`  the cell's output (stdout/stderr, where tslab writes its errors):\n${error.streams.replace(/\x1b\[[0-9;]*m/g, "").split("\n").slice(0, 40).map((l) => "    > " + l).join("\n")}`);
    lines.push(`  ${error.error ?? "error"}: ${(error.message ?? "").replace(/\x1b\[[0-9;]*m/g, "").split("\n").slice(-15).join("\n    ")}`);
  }
  console.log(lines.join("\n"));
  return { name, seconds, ok: !error && !pngError, error: error ?? (pngError && { cell: -1, error: "PNG", message: pngError.split("\n")[0] }), html, pngs };
}

// `jobs` notebooks at a time, started in name order; the results keep that order.
const allStarted = Date.now();
const results = new Array(notebooks.length);
let next = 0;
await Promise.all(Array.from({ length: Math.min(jobs, notebooks.length) }, async () => {
  while (next < notebooks.length) {
    const i = next++;
    results[i] = await runNotebook(notebooks[i]);
  }
}));
const totalSeconds = (Date.now() - allStarted) / 1000;

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");
renderer?.close();
const thumbs = (r) => r.pngs.map((p) => `<a href="${esc(p)}"><img src="${esc(p)}" width="180" alt="${esc(p)}"></a>`).join(" ");
const rows = results.map((r) => `<tr><td>${r.html ? `<a href="${esc(r.html)}">${esc(r.name)}</a>` : esc(r.name)}</td><td>${r.ok ? "ok" : "FAILED"}</td><td>${r.seconds.toFixed(1)} s</td><td><a href="${esc(r.name)}.ipynb">ipynb</a></td><td>${thumbs(r)}</td></tr>`).join("\n");
fs.writeFileSync(path.join(out, "index.html"), `<!DOCTYPE html><html><head><meta charset="utf-8"><title>ghost-mechanism figures</title></head>
<body style="font-family:sans-serif"><h1>ghost-mechanism: executed figure notebooks</h1>
<p>Scale: <b>${esc(scale)}</b>. Generated ${esc(new Date().toISOString())} in ${totalSeconds.toFixed(0)} s, ${jobs} notebook${jobs === 1 ? "" : "s"} at a time.</p>
<table border="1" cellpadding="4"><tr><th>notebook</th><th>status</th><th>run time</th><th>executed notebook</th><th>charts (PNG)</th></tr>
${rows}
</table></body></html>\n`);
fs.writeFileSync(path.join(out, "summary.json"), JSON.stringify({ scale, jobs, totalSeconds, results: results.map(({ name, seconds, ok, error, pngs }) => ({ name, seconds, ok, error: error && `cell ${error.cell}: ${error.error ?? "error"}`, pngs })) }, null, 2));
const failed = results.filter((r) => !r.ok);
console.log(`[notebooks] ${results.length - failed.length}/${results.length} notebooks ok in ${totalSeconds.toFixed(1)} s (${jobs} at a time); output in ${out}`);
process.exit(failed.length ? 1 : 0);
