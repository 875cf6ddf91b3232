#!/usr/bin/env node
// Compares the figure results written by `ghost run <figure> --out DIR` in two folders, bit for bit:
//   node scripts/compare-results.mjs BEFORE_DIR AFTER_DIR
// For every <figure>-<scale>.json in BEFORE_DIR, the `data` and `config` of the payload in AFTER_DIR must be
// identical as stored (core/io's exact JSON: NaN, ±Infinity and −0 are encoded, so string equality is bit
// equality of every float64), apart from wall-clock measurements (fields named in TIMING_KEYS: how long a run
// took, never a result). Prints one line per file and exits 1 on any difference or missing file.
import fs from "fs";
import path from "path";

/** Wall-clock fields (milliseconds of this machine's run), left out of the comparison. */
const TIMING_KEYS = new Set(["timings", "wallMs", "computeMs", "elapsedMs", "trainMs", "analysisMs"]);
const withoutTimings = (value) => JSON.stringify(value, (k, v) => (TIMING_KEYS.has(k) ? undefined : v));

const [before, after] = process.argv.slice(2);
if (!before || !after) {
  console.error("usage: node scripts/compare-results.mjs BEFORE_DIR AFTER_DIR");
  process.exit(2);
}
const files = fs.readdirSync(before).filter((f) => f.endsWith(".json")).sort();
if (files.length === 0) {
  console.error(`no results (*.json) in ${before}`);
  process.exit(2);
}
let bad = 0;
for (const f of files) {
  const b = JSON.parse(fs.readFileSync(path.join(before, f), "utf8")).payload;
  const p = path.join(after, f);
  if (!fs.existsSync(p)) {
    console.log(`MISSING   ${f}`);
    bad++;
    continue;
  }
  const a = JSON.parse(fs.readFileSync(p, "utf8")).payload;
  const parts = ["data", "config"].map((k) => {
    const sb = withoutTimings(b[k]), sa = withoutTimings(a[k]);
    return { k, same: sb === sa, size: sb.length };
  });
  const same = parts.every((x) => x.same);
  if (!same) bad++;
  console.log(`${same ? "IDENTICAL" : "DIFFERENT"} ${f}  ${parts.map((x) => `${x.k}: ${x.same ? "same" : "differs"} (${x.size} chars)`).join(", ")}`);
}
console.log(`(wall-clock fields left out: ${[...TIMING_KEYS].join(", ")})`);
console.log(bad === 0 ? `all ${files.length} results identical` : `${bad} of ${files.length} results differ or are missing`);
process.exit(bad === 0 ? 0 : 1);
