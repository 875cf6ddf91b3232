#!/usr/bin/env node
// Regenerates the README gallery: one chart per reproduced paper figure, as a small PNG in docs/gallery/.
//
//   npm run gallery                               # = bash scripts/ensure-env.sh && node scripts/gallery.mjs
//   node scripts/gallery.mjs [--scale paper|ci|full] [--reuse] [--out DIR]
//
// By default it first does what `npm run figures` does (scripts/run-notebooks.mjs on every notebook, scale "paper",
// output folder "output"; long runs are cached, so a second call is quick), then draws the chosen chart of each with scripts/plotly-png.mjs
// into docs/gallery/<key>.png and writes docs/gallery/checks.md: the output of every notebook's "Check against the
// paper" cell, i.e. the numbers the README's gallery lines quote. `--reuse` skips the execution and uses the executed
// notebooks already in the output folder (it refuses when they were run at another scale or failed).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createPngRenderer, notebookFigures, pngSize } from "./plotly-png.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const GALLERY_DIR = path.join(root, "docs", "gallery");
const MAX_BYTES = 150 * 1024;
const WIDTH = 900, HEIGHT = 500;

/** The chosen chart of each paper figure: notebook (by name prefix) and a pattern its chart title must match. */
export const GALLERY = [
  { key: "fig1", notebook: "01-", title: /^Fig 1:/ },
  { key: "fig2", notebook: "02-", title: /^Fig 2D/ },
  { key: "fig3", notebook: "03-", title: /^Fig 3A/ },
  { key: "fig4", notebook: "04-", title: /^Fig 4/ },
  { key: "figS1", notebook: "05-", title: /^Fig S1: rank-one RNN, loss vs learning rate/ },
  { key: "rank", notebook: "06-", title: /^Trainable rank: loss vs learning rate/ },
];

const args = process.argv.slice(2);
let scale = "paper", reuse = false, out = path.join(root, "output");
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--scale") scale = args[++i];
  else if (a === "--reuse") reuse = true;
  else if (a === "--out") out = path.resolve(args[++i]);
  else if (a === "--help" || a === "-h") {
    console.log("usage: node scripts/gallery.mjs [--scale paper|ci|full] [--reuse] [--out DIR]");
    process.exit(0);
  } else {
    console.error(`gallery: unknown argument ${a} (allowed: --scale, --reuse, --out, --help)`);
    process.exit(2);
  }
}
if (!["ci", "paper", "full"].includes(scale)) {
  console.error(`gallery: --scale = ${JSON.stringify(scale)} is not allowed: expected "ci", "paper" or "full"`);
  process.exit(2);
}

const notebookNames = fs.readdirSync(path.join(root, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort();
const chosen = GALLERY.map((g) => {
  const file = notebookNames.find((f) => f.startsWith(g.notebook));
  if (!file) {
    console.error(`gallery: no notebook notebooks/${g.notebook}*.ipynb for ${g.key}`);
    process.exit(1);
  }
  return { ...g, name: path.basename(file, ".ipynb") };
});

if (!reuse) {
  // every notebook, as `npm run figures` does, so that the output folder stays complete (index.html, png/)
  const run = spawnSync(process.execPath, [path.join(root, "scripts", "run-notebooks.mjs"), "--scale", scale, "--out", out],
    { stdio: "inherit", cwd: root });
  if (run.status !== 0) {
    console.error("gallery: a figure notebook failed (above); the gallery was not changed");
    process.exit(1);
  }
}
const summaryFile = path.join(out, "summary.json");
const summary = fs.existsSync(summaryFile) ? JSON.parse(fs.readFileSync(summaryFile, "utf8")) : null;
if (reuse && (!summary || summary.scale !== scale)) {
  console.error(`gallery: --reuse needs notebooks executed at scale ${scale} in ${out} (found: ${summary ? `scale ${summary.scale}` : "nothing"}); run npm run figures, or drop --reuse`);
  process.exit(1);
}

const text = (o) => [].concat(o.text ?? o.data?.["text/plain"] ?? []).join("");
/**
 * The paper-check table of a notebook: the text/plain of the outputs of its last code cell that calls
 * display.showChecks (the table is a display output), plus anything that cell printed.
 */
function checkOutput(nb) {
  const code = nb.cells.filter((c) => c.cell_type === "code");
  const check = [...code].reverse().find((c) => /showChecks\(/.test([].concat(c.source).join("")));
  if (!check) return "";
  return (check.outputs ?? [])
    .filter((o) => o.output_type === "stream" || o.output_type === "display_data" || o.output_type === "execute_result")
    .map(text)
    .join("\n")
    .replace(/\x1b\[[0-9;]*m/g, "");
}

fs.mkdirSync(GALLERY_DIR, { recursive: true });
const renderer = await createPngRenderer();
const written = [];
const checks = [];
try {
  for (const c of chosen) {
    const executed = path.join(out, `${c.name}.ipynb`);
    if (!fs.existsSync(executed)) throw new Error(`${executed} is missing (the notebook did not run)`);
    if (summary && !(summary.results ?? []).some((r) => r.name === c.name && r.ok)) {
      throw new Error(`${c.name} did not run cleanly according to ${summaryFile}`);
    }
    const nb = JSON.parse(fs.readFileSync(executed, "utf8"));
    const figures = notebookFigures(nb);
    const titles = figures.map((f) => { const t = f.layout?.title; return typeof t === "string" ? t : t?.text ?? ""; });
    const index = titles.findIndex((t) => c.title.test(t));
    if (index < 0) throw new Error(`${c.name}: no chart title matches ${c.title}; its charts: ${titles.map((t, i) => `#${i + 1} ${JSON.stringify(t)}`).join(", ")}`);
    const fig = figures[index];
    const height = typeof fig.layout?.height === "number" && fig.layout.height >= 200 && fig.layout.height <= 800 ? fig.layout.height : HEIGHT;
    const png = await renderer.render(fig, { width: WIDTH, height });
    if (png.length > MAX_BYTES) throw new Error(`${c.key}.png would be ${png.length} bytes (> ${MAX_BYTES}): choose a lighter chart`);
    fs.writeFileSync(path.join(GALLERY_DIR, `${c.key}.png`), png);
    const size = pngSize(png);
    written.push({ key: c.key, notebook: c.name, chart: index + 1, title: titles[index], ...size, bytes: png.length });
    console.log(`[gallery] docs/gallery/${c.key}.png  ${size.width}x${size.height}  ${(png.length / 1024).toFixed(0)} KB  ${c.name} chart #${index + 1}: ${titles[index]}`);
    checks.push(`## ${c.name}\n\n\`\`\`\n${checkOutput(nb).trim()}\n\`\`\`\n`);
  }
} catch (e) {
  console.error(`gallery: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
} finally {
  renderer.close();
}
fs.writeFileSync(path.join(GALLERY_DIR, "checks.md"), `# Checks behind the README gallery

Written by \`npm run gallery\` (scripts/gallery.mjs) at scale **${summary?.scale ?? scale}**: the output of each figure
notebook's "Check against the paper" cell, where the numbers quoted in the README's gallery come from.

| image | notebook | chart | title |
|---|---|---|---|
${written.map((w) => `| ${w.key}.png | ${w.notebook} | #${w.chart} | ${w.title.replace(/\|/g, "\\|")} |`).join("\n")}

${checks.join("\n")}`);
console.log(`[gallery] ${written.length} images and checks.md in docs/gallery/ (scale ${summary?.scale ?? scale})`);
