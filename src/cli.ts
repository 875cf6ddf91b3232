#!/usr/bin/env node
/**
 * `ghost`: the command line of ghost-mechanism (package.json "bin"; `npx ghost --help`).
 *
 *     ghost list                                   figures and sweep runners
 *     ghost run <figure> [--scale ci|paper|full] [--out DIR] [--check] [--no-cache]
 *     ghost sweep <runner> --grid FILE [--out FILE]
 *     ghost run|sweep … --shard i/n | --from-cache [--shards N] | --status [--shards N]
 *     ghost slurm <figure>|sweep <runner> --grid FILE [--array N] [--cpus-per-task C] … [--submit]
 *     ghost cache info|clear
 *     ghost bench
 *
 * Exit codes: 0 success; 1 the computation failed (or, with --check, a must-hold paper check failed); 2 bad command line (one-line message on stderr). Ctrl-C stops
 * at once; every finished sweep run is already cached, so the same command resumes where it stopped.
 * Progress bars go to stderr, only on a terminal and never when CI=true; a one-line summary is always printed.
 */
import * as fs from "fs";
import * as path from "path";
import { SingleBar } from "cli-progress";
import { GhostError } from "./core/errors";
import { canonicalJson, sha256Hex, writeCheckedJson, writeFileAtomic } from "./core/io";
import { toStandaloneHtml } from "./display/show";
import { checksText } from "./display/checks";
import { estimateSecondsLeft, formatDuration } from "./display/progress";
import { createCourse, installKernelSpec, KERNEL_NAME, tslabEntry } from "./course";
import { failedChecks } from "./figures/checks";
import { benchmarkSweep } from "./engine/benchmark";
import { CacheOptions, cacheInfo, clearCache, defaultCacheDir } from "./engine/cache";
import { collectProvenance } from "./engine/provenance";
import { kernelMode } from "./kernels";
import { getRunner, listRunners } from "./engine/runners";
import { expandGrid, runSweep, SweepProgress, SweepStats } from "./engine/sweep";
import { ClusterSweepOptions, formatIndexList, isSweepStopped, parseShard, ShardReport, SweepStopped } from "./engine/shard";
import { slurmScripts, SHARD_PLACEHOLDER, requireSlurmMem, requireSlurmPartition, requireSlurmTime } from "./engine/slurm";
import { FIGURE_SCALES, FigureScale, FigureSpec, getFigure, listFigures } from "./catalogue";
import { LIBRARY_VERSION } from "./version";

/** A command-line mistake: reported as one line, exit code 2. */
class UsageError extends Error {}

interface OptionSpec {
  name: string;
  /** Placeholder of the option's value (e.g. "DIR"); absent for boolean flags. */
  value?: string;
  choices?: readonly string[];
  description: string;
}

interface Parsed {
  positionals: string[];
  options: Map<string, string | true>;
}

interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  details?: string;
  options: OptionSpec[];
  /** Min and max number of positional arguments. */
  positionals: [number, number];
  run(args: Parsed): Promise<number>;
}

const out = (s: string): void => void process.stdout.write(s + "\n");
const err = (s: string): void => void process.stderr.write(s + "\n");

const CACHE_OPTIONS: OptionSpec[] = [
  { name: "no-cache", description: "neither read nor write the result cache" },
  { name: "refresh", description: "recompute every run and overwrite its cached result" },
  { name: "cache-dir", value: "DIR", description: "cache directory (default $GHOST_CACHE_DIR or .cache/ghost-mechanism)" },
  { name: "workers", value: "N", description: "worker threads (default $GHOST_WORKERS or all cores; 1 = serial)" },
];

function parse(cmd: CommandSpec, argv: string[]): Parsed {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith("-") && a !== "-") {
      const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(.*))?$/.exec(a);
      const spec = m ? cmd.options.find((o) => o.name === m[1]) : undefined;
      if (!m || !spec) throw new UsageError(`unknown option ${a}`);
      if (spec.value === undefined) {
        if (m[2] !== undefined) throw new UsageError(`option --${spec.name} takes no value`);
        options.set(spec.name, true);
        continue;
      }
      let v = m[2];
      if (v === undefined) {
        if (i + 1 >= argv.length) throw new UsageError(`option --${spec.name} needs a value ${spec.value}`);
        v = argv[++i];
      }
      if (spec.choices && !spec.choices.includes(v)) {
        throw new UsageError(`--${spec.name} ${JSON.stringify(v)} is not one of ${spec.choices.join(", ")}`);
      }
      options.set(spec.name, v);
    } else positionals.push(a);
  }
  const [min, max] = cmd.positionals;
  if (positionals.length < min) throw new UsageError(`missing argument (usage: ${cmd.usage})`);
  if (positionals.length > max) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[max])}`);
  return { positionals, options };
}

function stringOpt(p: Parsed, name: string): string | undefined {
  const v = p.options.get(name);
  return typeof v === "string" ? v : undefined;
}

function intOpt(p: Parsed, name: string, min: number, max: number): number | undefined {
  const v = stringOpt(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} ${JSON.stringify(v)} is not an integer in [${min}, ${max}]`);
  }
  return n;
}

function cacheFromArgs(p: Parsed): false | CacheOptions {
  if (p.options.has("no-cache") && p.options.has("refresh")) throw new UsageError("--no-cache and --refresh exclude each other");
  if (p.options.has("no-cache")) return false;
  const dir = stringOpt(p, "cache-dir");
  return { dir: dir === undefined ? undefined : path.resolve(dir), mode: p.options.has("refresh") ? "refresh" : "use" };
}

const CLUSTER_OPTIONS: OptionSpec[] = [
  { name: "shard", value: "i/n", description: "compute only shard i of n (0 ≤ i < n) into the cache, then stop" },
  { name: "from-cache", description: "assemble from cached runs only; exit 1 naming the shards whose runs are missing" },
  { name: "status", description: "print done/total per shard and exit (computes nothing)" },
  { name: "shards", value: "N", description: "shard count for --from-cache / --status reports (default 1)" },
];

/** The cluster options of `run` / `sweep` (engine/shard.ts), or undefined when none is given. */
function clusterFromArgs(p: Parsed, cache: false | CacheOptions): ClusterSweepOptions | undefined {
  const shardText = stringOpt(p, "shard");
  const fromCache = p.options.has("from-cache");
  const status = p.options.has("status");
  const shards = intOpt(p, "shards", 1, 100000);
  const given = [shardText !== undefined && "--shard", fromCache && "--from-cache", status && "--status"].filter(Boolean);
  if (given.length > 1) throw new UsageError(`${given.join(" and ")} exclude each other`);
  if (shards !== undefined && !fromCache && !status) throw new UsageError("--shards N goes with --from-cache or --status (to compute a shard: --shard i/n)");
  if (given.length === 0) return undefined;
  if (cache === false) throw new UsageError(`${given[0]} needs the result cache: leave off --no-cache`);
  if (shardText !== undefined) {
    try {
      return { shard: parseShard("--shard", shardText) };
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if (cache.mode === "refresh") throw new UsageError(`--refresh and ${given[0]} exclude each other (it computes nothing)`);
  return { action: fromCache ? "fromCache" : "status", shard: { count: shards ?? 1 } };
}

/**
 * Prints what a stopped sweep reports: a shard's summary, a status table (stdout; exit 0) or the missing runs
 * (stderr; exit 1).
 */
function reportStopped(label: string, e: SweepStopped, wallMs: number): number {
  const r: ShardReport = e.report;
  if (e.reason === "shard-done") {
    const s = r.shards[0];
    out(`${label}: shard ${r.index}/${r.count} done: ${s ? s.done : 0}/${s ? s.total : 0} runs (${r.computed} computed, ${(s ? s.done : 0) - r.computed} cached) in ${formatMs(wallMs)}; cache ${r.cacheDir}`);
    return 0;
  }
  if (e.reason === "status") {
    const done = r.shards.reduce((a, x) => a + x.done, 0);
    out(`${label}: ${done}/${r.unique} runs done (${r.runner}; cache ${r.cacheDir})`);
    for (const s of r.shards) out(`  shard ${String(s.index).padStart(4)}/${r.count}  ${String(s.done).padStart(6)}/${String(s.total).padEnd(6)}${s.done === s.total ? " done" : ""}`);
    return 0;
  }
  err(
    `${label}: ${r.missing} of ${r.unique} runs are not in the cache ${r.cacheDir}; they belong to shard${r.missingShards.length === 1 ? "" : "s"} ` +
      `${formatIndexList(r.missingShards)} of ${r.count} (compute them with --shard i/${r.count}, or run without --from-cache)`,
  );
  return 1;
}

function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : formatDuration(ms / 1000); // rounded once: never "6 min 60 s"
}

/** A progress bar on stderr (terminal only, never with CI=true): done/total, rate, time left. */
function progressBar(label: string): { onProgress: (done: number, total: number, info?: SweepProgress) => void; stop: () => void } {
  const quiet = process.env.CI === "true" || !process.stderr.isTTY;
  if (quiet) return { onProgress: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} | {rate}/s | left {left}`,
    stream: process.stderr,
    barsize: 30,
    hideCursor: false,
    clearOnComplete: true,
  });
  let started = false;
  let t0 = 0;
  let first = 0;
  return {
    onProgress(done, total, info) {
      const now = Date.now();
      if (!started) {
        started = true;
        t0 = now;
        first = done;
        bar.start(total, done, { rate: "-", left: "?" });
        return;
      }
      const rate = (done - first) / Math.max(1e-3, (now - t0) / 1000);
      // time left from the work done (runs weighted by their cost) when the sweep reports it
      const left = info && info.workTotal >= info.work && info.work >= info.cachedWork
        ? (info.etaMs ?? NaN) / 1000
        : rate > 0 ? estimateSecondsLeft(done - first, total - first, (now - t0) / 1000) : NaN;
      bar.update(done, { rate: rate > 0 ? rate.toFixed(rate < 10 ? 2 : 1) : "-", left: formatMs(left * 1000) });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function summaryLine(s: SweepStats): string {
  return (
    `${s.runner}: ${s.total} runs (${s.cached} cached, ${s.computed} computed` +
    (s.corrupt ? `, ${s.corrupt} corrupt cache files recomputed` : "") +
    `) in ${formatMs(s.wallMs)} on ${s.workers} worker${s.workers === 1 ? "" : "s"}` +
    (s.cacheDir ? `; cache ${s.cacheDir}` : "; cache bypassed")
  );
}

// ------------------------------------------------------------------------------------------------------------
// Commands
// ------------------------------------------------------------------------------------------------------------

const listCommand: CommandSpec = {
  name: "list",
  summary: "list the figures and the sweep runners",
  usage: "ghost list [--json]",
  options: [{ name: "json", description: "print JSON instead of a table" }],
  positionals: [0, 0],
  async run(p) {
    const figures = listFigures().map((f) => ({ id: f.id, title: f.title, paperRef: f.paperRef, notebook: f.notebook ?? null }));
    const runners = listRunners();
    if (p.options.has("json")) {
      out(JSON.stringify({ figures, runners }, null, 2));
      return 0;
    }
    out("Figures (ghost run <figure>):");
    if (figures.length === 0) out("  (none registered yet)");
    for (const f of figures) out(`  ${f.id.padEnd(8)} ${f.title}  [${f.paperRef}]`);
    out("Sweep runners (ghost sweep <runner>):");
    for (const r of runners) out(`  ${r.name.padEnd(16)} v${r.version}  ${r.description}`);
    return 0;
  },
};

const runCommand: CommandSpec = {
  name: "run",
  summary: "compute one figure at a scale; write its results (JSON) and a standalone HTML figure",
  usage: "ghost run <figure> [--scale ci|paper|full] [--out DIR] [--check] [--no-cache] [--refresh] [--cache-dir DIR] [--workers N] [--shard i/n | --from-cache | --status]",
  details:
    "Writes <out>/<figure>-<scale>.json (checked JSON: the figure's data, its full config and provenance: library\n" +
    "version, git commit, scale, timestamps, node version) and <out>/<figure>-<scale>.html (open in a browser).\n" +
    "--check then prints the paper check (the table of the notebook's last cell: quantity, paper, ours, whether it\n" +
    "holds and why) and exits 1 when a must-hold row fails.\n" +
    "Figures that sweep (fig4, figS1, figRank) also run in shards: --shard i/n computes a deterministic, cost-balanced\n" +
    "slice of the runs into the cache; --from-cache then assembles the figure without computing (see ghost slurm).",
  options: [
    { name: "scale", value: "SCALE", choices: FIGURE_SCALES, description: "ci (small, fast), paper (the paper's parameters or a stated reduction; default) or full (the paper's exact protocol; may take core-hours)" },
    { name: "out", value: "DIR", description: "output directory (default output/)" },
    { name: "check", description: "print the paper check after computing; exit 1 when a must-hold row fails" },
    ...CACHE_OPTIONS,
    ...CLUSTER_OPTIONS,
  ],
  positionals: [1, 1],
  async run(p) {
    const id = p.positionals[0];
    const known = listFigures().map((f) => f.id);
    if (!known.includes(id)) {
      throw new UsageError(`unknown figure ${JSON.stringify(id)}; known: ${known.length ? known.join(", ") : "(none yet)"}`);
    }
    const fig = getFigure(id);
    const scale = (stringOpt(p, "scale") ?? "paper") as FigureScale;
    const outDir = path.resolve(stringOpt(p, "out") ?? "output");
    const cache = cacheFromArgs(p);
    const workers = intOpt(p, "workers", 1, 256);
    const cluster = clusterFromArgs(p, cache);
    if (cluster && !fig.sweeps) {
      const sweeping = listFigures().filter((f) => f.sweeps).map((f) => f.id);
      throw new UsageError(`${id} does not run as one sweep, so it takes no --shard/--from-cache/--status (figures that do: ${sweeping.join(", ")}); run it whole`);
    }
    const startedAt = new Date();
    const bar = progressBar(`${id} (${scale})`);
    let data: unknown;
    try {
      data = await fig.run(scale, { cache, workers, onProgress: bar.onProgress, cluster });
    } catch (e) {
      if (isSweepStopped(e)) return reportStopped(`${id} (${scale})`, e, Date.now() - startedAt.getTime());
      throw e;
    } finally {
      bar.stop();
    }
    const figures: FigureSpec[] = fig.build(data);
    const provenance = collectProvenance(startedAt, { scale, command: process.argv.slice(2), kernels: kernelMode() });
    const jsonFile = path.join(outDir, `${id}-${scale}.json`);
    writeCheckedJson(
      jsonFile,
      { figure: { id: fig.id, title: fig.title, paperRef: fig.paperRef }, scale, config: fig.config(scale), provenance, data },
      { kind: "figure-result", schemaVersion: 1 },
    );
    const htmlFile = path.join(outDir, `${id}-${scale}.html`);
    writeFileAtomic(htmlFile, toStandaloneHtml(figures, `${fig.title} (${scale} scale)`));
    out(`${id} (${scale}): ${figures.length} figure${figures.length === 1 ? "" : "s"} in ${formatMs(provenance.wallMs)}`);
    out(`  results ${jsonFile}`);
    out(`  figure  ${htmlFile}`);
    if (p.options.has("check")) {
      const rows = fig.check(data);
      out(`paper check, ${id} (${scale}):`);
      out(checksText(rows));
      const failed = failedChecks(rows);
      if (failed.length) {
        err(`ghost run: ${id} (${scale}): paper check failed: ${failed.map((r) => r.quantity).join("; ")}`);
        return 1;
      }
    }
    return 0;
  },
};

/** Reads a grid file: an array of configs, {"configs": [...]}, or {"grid": {key: [values]}, "base": {...}}. */
function readGrid(file: string): unknown[] {
  let text: string;
  try {
    if (!fs.statSync(file).isFile()) throw new Error("not a regular file");
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read grid file ${file}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`grid file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (Array.isArray(doc)) return doc;
  if (doc && typeof doc === "object") {
    const d = doc as { configs?: unknown; grid?: unknown; base?: unknown };
    if (Array.isArray(d.configs)) return d.configs;
    if (d.grid && typeof d.grid === "object") {
      try {
        return expandGrid(d.grid as Record<string, unknown[]>, (d.base ?? {}) as object);
      } catch (e) {
        throw new UsageError(`grid file ${file}: ${(e as Error).message}`);
      }
    }
  }
  throw new UsageError(`grid file ${file} must hold an array of configs, {"configs": [...]} or {"grid": {...}, "base": {...}}`);
}

const sweepCommand: CommandSpec = {
  name: "sweep",
  summary: "run a named runner over a grid of configs (parallel, cached, resumable)",
  usage: "ghost sweep <runner> --grid FILE [--out FILE] [--no-cache] [--refresh] [--cache-dir DIR] [--workers N] [--shard i/n | --from-cache | --status]",
  details:
    'FILE holds an array of configs, {"configs": [...]}, or {"grid": {"seed": [0, 1], "learningRate": [0.003, 0.02]},\n' +
    '"base": {...}} (Cartesian product, last key fastest). Writes the results in config order with stats and provenance\n' +
    "to --out (default output/sweep-<runner>-<hash>.json). Ctrl-C or kill stops it; rerun the command to resume.",
  options: [
    { name: "grid", value: "FILE", description: "JSON file with the configs (required)" },
    { name: "out", value: "FILE", description: "output file (default output/sweep-<runner>-<hash of configs>.json)" },
    ...CACHE_OPTIONS,
    ...CLUSTER_OPTIONS,
  ],
  positionals: [1, 1],
  async run(p) {
    const runner = p.positionals[0];
    if (!listRunners().some((r) => r.name === runner)) {
      throw new UsageError(`unknown runner ${JSON.stringify(runner)}; known: ${listRunners().map((r) => r.name).join(", ")}`);
    }
    const gridFile = stringOpt(p, "grid");
    if (gridFile === undefined) throw new UsageError("--grid FILE is required");
    const configs = readGrid(gridFile);
    const def = getRunner(runner);
    configs.forEach((c, i) => {
      try {
        def.validate?.(c);
      } catch (e) {
        throw new UsageError(`grid file config ${i}: ${(e as Error).message}`);
      }
    });
    const cache = cacheFromArgs(p);
    const workers = intOpt(p, "workers", 1, 256);
    const cluster = clusterFromArgs(p, cache);
    const outFile = path.resolve(
      stringOpt(p, "out") ?? path.join("output", `sweep-${runner}-${sha256Hex(canonicalJson(configs)).slice(0, 12)}.json`),
    );
    const startedAt = new Date();
    const bar = progressBar(runner);
    let stats: SweepStats | undefined;
    let results: unknown[];
    try {
      results = await runSweep({ runner, configs, workers, cache, ...cluster, onProgress: bar.onProgress, onFinish: (s) => (stats = s) });
    } catch (e) {
      if (isSweepStopped(e)) return reportStopped(runner, e, Date.now() - startedAt.getTime());
      throw e;
    } finally {
      bar.stop();
    }
    writeCheckedJson(
      outFile,
      { runner, runnerVersion: def.version, configs, results, stats, provenance: collectProvenance(startedAt, { command: process.argv.slice(2), kernels: kernelMode() }) },
      { kind: "sweep-output", schemaVersion: 1 },
    );
    if (stats) out(summaryLine(stats));
    out(`  results ${outFile}`);
    return 0;
  },
};

const cacheCommand: CommandSpec = {
  name: "cache",
  summary: "show (info) or delete (clear) cached sweep results",
  usage: "ghost cache info|clear [--runner NAME] [--cache-dir DIR] [--json]",
  details: "clear removes only the cache's own files (all runners, or --runner NAME).",
  options: [
    { name: "runner", value: "NAME", description: "only this runner's results (clear)" },
    { name: "cache-dir", value: "DIR", description: "cache directory (default $GHOST_CACHE_DIR or .cache/ghost-mechanism)" },
    { name: "json", description: "print JSON (info)" },
  ],
  positionals: [1, 1],
  async run(p) {
    const action = p.positionals[0];
    const dir = path.resolve(stringOpt(p, "cache-dir") ?? defaultCacheDir());
    if (action === "info") {
      const info = cacheInfo({ dir });
      if (p.options.has("json")) {
        out(JSON.stringify(info, null, 2));
        return 0;
      }
      out(`cache ${info.dir}${info.exists ? "" : " (does not exist yet)"}`);
      for (const r of info.runners) {
        out(`  ${r.runner.padEnd(16)} ${String(r.entries).padStart(7)} results  ${(r.bytes / 1e6).toFixed(2).padStart(9)} MB` + (r.tempFiles ? `  (${r.tempFiles} stray temp files)` : ""));
      }
      out(`  total ${info.totalEntries} results, ${(info.totalBytes / 1e6).toFixed(2)} MB`);
      return 0;
    }
    if (action === "clear") {
      const runner = stringOpt(p, "runner");
      const r = clearCache({ dir, runner });
      out(`removed ${r.filesRemoved} files (${(r.bytesRemoved / 1e6).toFixed(2)} MB) from ${dir}${runner ? ` for runner ${runner}` : ""}`);
      return 0;
    }
    throw new UsageError(`unknown action ${JSON.stringify(action)}; use info or clear`);
  },
};

const benchCommand: CommandSpec = {
  name: "bench",
  summary: "time a sweep serially and on all cores (speed-up, bit-identity check)",
  usage: "ghost bench [--runner NAME] [--runs N] [--epochs E] [--workers N] [--json]",
  details:
    "Default runner: rankOneTrain (N = 100 rank-one RNNs, lr 0.02, c = 10, seeds 0…runs-1) when available, else\n" +
    "selfTest. The cache is bypassed. Other processes on the machine slow it down: report the numbers with that.",
  options: [
    { name: "runner", value: "NAME", description: "runner to time (rankOneTrain or selfTest)" },
    { name: "runs", value: "N", description: "number of runs (default 100 for rankOneTrain, 40 for selfTest)" },
    { name: "epochs", value: "E", description: "epochs per rankOneTrain run (default 2000)" },
    { name: "workers", value: "N", description: "worker threads for the parallel phase (default all cores)" },
    { name: "json", description: "print the result as JSON" },
  ],
  positionals: [0, 0],
  async run(p) {
    const names = listRunners().map((r) => r.name);
    const runner = stringOpt(p, "runner") ?? (names.includes("rankOneTrain") ? "rankOneTrain" : "selfTest");
    if (!["rankOneTrain", "selfTest"].includes(runner) || !names.includes(runner)) {
      throw new UsageError(`--runner ${JSON.stringify(runner)} is not one of ${["rankOneTrain", "selfTest"].filter((n) => names.includes(n)).join(", ")}`);
    }
    const runs = intOpt(p, "runs", 1, 100000) ?? (runner === "rankOneTrain" ? 100 : 40);
    const epochs = intOpt(p, "epochs", 1, 10_000_000) ?? 2000;
    const workers = intOpt(p, "workers", 1, 256);
    const configs = Array.from({ length: runs }, (_, seed) =>
      runner === "rankOneTrain"
        ? { seed, N: 100, learningRate: 0.02, epochs, confidence: 10, record: [] }
        : { seed, count: 200, iterations: 5000 },
    );
    let bar = progressBar("serial");
    const r = await benchmarkSweep({
      runner,
      configs,
      workers,
      onPhase: (phase) => {
        bar.stop();
        bar = progressBar(phase);
      },
      onProgress: (d, t) => bar.onProgress(d, t),
    });
    bar.stop();
    if (p.options.has("json")) out(JSON.stringify(r, null, 2));
    else {
      out(`${r.runner}: ${r.runs} runs` + (runner === "rankOneTrain" ? ` × ${epochs} epochs` : ""));
      out(`  serial (1 thread)   ${formatMs(r.serialMs)}  (CPU ${(r.serialCpuMs / r.serialMs).toFixed(2)} cores)`);
      out(`  parallel (${r.workers} workers) ${formatMs(r.parallelMs)}  (CPU ${(r.parallelCpuMs / r.parallelMs).toFixed(2)} cores; less than ${r.workers} = other processes competed)`);
      out(`  speed-up ${r.speedup.toFixed(2)}×; results identical: ${r.identical ? "yes" : "NO"}`);
    }
    return r.identical ? 0 : 1;
  },
};

/** True when an executable `name` is on PATH. */
function onPath(name: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

/** Wraps a GhostError from an option check as a usage error naming the option. */
function checked<T>(option: string, value: string | undefined, check: (name: string, v: unknown) => T): T | undefined {
  if (value === undefined) return undefined;
  try {
    return check(`--${option}`, value);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

const slurmCommand: CommandSpec = {
  name: "slurm",
  summary: "write (and with --submit, submit) Slurm array + collect jobs for a figure or a sweep",
  usage:
    "ghost slurm <figure>|sweep <runner> [--grid FILE] [--scale S] [--array N] [--cpus-per-task C] [--time T] [--partition P] [--mem M] [--cache-dir DIR] [--out DIR] [--submit]",
  details:
    "Writes <out>/array.sbatch (array job: task i runs `ghost run <figure> --shard i/N` or `ghost sweep … --shard i/N`\n" +
    "on its CPUs), <out>/collect.sbatch (depends on the array, afterok; assembles with --from-cache into\n" +
    "<out>/results/: results JSON + HTML) and <out>/submit.sh. The cache directory must be on a file system every node\n" +
    "sees. Tasks killed, timed out or requeued resume from the cache; resubmitting recomputes only unfinished runs.",
  options: [
    { name: "scale", value: "SCALE", choices: FIGURE_SCALES, description: "figure scale (default paper)" },
    { name: "grid", value: "FILE", description: "the configs of a sweep (ghost slurm sweep <runner> --grid FILE)" },
    { name: "array", value: "N", description: "array tasks = shards (default 8)" },
    { name: "cpus-per-task", value: "C", description: "CPUs (worker threads) per task (default 4)" },
    { name: "time", value: "T", description: "wall-time limit per task, Slurm format (e.g. 4:00:00; default: the partition's)" },
    { name: "partition", value: "P", description: "partition (default: the cluster's default)" },
    { name: "mem", value: "M", description: "memory per task, e.g. 4G (default: the partition's)" },
    { name: "cache-dir", value: "DIR", description: "shared cache directory (default $GHOST_CACHE_DIR or .cache/ghost-mechanism)" },
    { name: "out", value: "DIR", description: "folder of the scripts, logs and results (default slurm/<name>-<scale>)" },
    { name: "submit", description: "submit with sbatch and print the job ids (default: only write the scripts)" },
  ],
  positionals: [1, 2],
  async run(p) {
    const [target, runnerName] = p.positionals;
    const scale = (stringOpt(p, "scale") ?? "paper") as FigureScale;
    const tasks = intOpt(p, "array", 1, 10000) ?? 8;
    const cpus = intOpt(p, "cpus-per-task", 1, 1024) ?? 4;
    const time = checked("time", stringOpt(p, "time"), requireSlurmTime);
    const partition = checked("partition", stringOpt(p, "partition"), requireSlurmPartition);
    const mem = checked("mem", stringOpt(p, "mem"), requireSlurmMem);
    const cacheDir = path.resolve(stringOpt(p, "cache-dir") ?? defaultCacheDir());
    const cli = path.resolve(__dirname, "..", "dist", "cli.js");
    if (!fs.existsSync(cli)) throw new UsageError(`the jobs run the built command line ${cli}, which does not exist: run npm run build first`);
    let name: string;
    let outDir: string;
    let shardArgs: string[];
    let collectArgs: string[];
    if (target === "sweep") {
      if (runnerName === undefined) throw new UsageError("missing runner (usage: ghost slurm sweep <runner> --grid FILE …)");
      if (!listRunners().some((r) => r.name === runnerName)) {
        throw new UsageError(`unknown runner ${JSON.stringify(runnerName)}; known: ${listRunners().map((r) => r.name).join(", ")}`);
      }
      if (p.options.has("scale")) throw new UsageError("--scale is for figures; a sweep's configs come from --grid");
      const gridFile = stringOpt(p, "grid");
      if (gridFile === undefined) throw new UsageError("--grid FILE is required for a sweep");
      const configs = readGrid(gridFile);
      const def = getRunner(runnerName);
      configs.forEach((c, i) => {
        try {
          def.validate?.(c);
        } catch (e) {
          throw new UsageError(`grid file config ${i}: ${(e as Error).message}`);
        }
      });
      name = `ghost-${runnerName}-${sha256Hex(canonicalJson(configs)).slice(0, 8)}`;
      outDir = path.resolve(stringOpt(p, "out") ?? path.join("slurm", name.slice(6)));
      // The jobs read a copy of the grid: editing the original later cannot change what the shards compute.
      const grid = path.join(outDir, "grid.json");
      writeFileAtomic(grid, JSON.stringify({ configs }) + "\n");
      const common = ["--grid", grid, "--cache-dir", cacheDir];
      shardArgs = ["sweep", runnerName, ...common, "--shard", SHARD_PLACEHOLDER];
      collectArgs = ["sweep", runnerName, ...common, "--from-cache", "--shards", String(tasks), "--out", path.join(outDir, "results", `sweep-${runnerName}.json`)];
    } else {
      if (runnerName !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(runnerName)} (a runner goes after: ghost slurm sweep <runner>)`);
      if (p.options.has("grid")) throw new UsageError("--grid is for sweeps (ghost slurm sweep <runner> --grid FILE)");
      const fig = listFigures().find((f) => f.id === target);
      const sweeping = listFigures().filter((f) => f.sweeps).map((f) => f.id);
      if (!fig) throw new UsageError(`unknown figure ${JSON.stringify(target)}; figures that run as Slurm jobs: ${sweeping.join(", ")} (or: sweep <runner>)`);
      if (!fig.sweeps) throw new UsageError(`${target} does not run as one sweep and needs no cluster (figures that do: ${sweeping.join(", ")}); run ghost run ${target}`);
      name = `ghost-${target}-${scale}`;
      outDir = path.resolve(stringOpt(p, "out") ?? path.join("slurm", `${target}-${scale}`));
      const common = ["run", target, "--scale", scale, "--cache-dir", cacheDir];
      shardArgs = [...common, "--shard", SHARD_PLACEHOLDER];
      collectArgs = [...common, "--from-cache", "--shards", String(tasks), "--out", path.join(outDir, "results")];
    }
    const node = process.execPath;
    const scripts = slurmScripts({
      name, tasks, cpusPerTask: cpus, time, partition, mem, dir: outDir, workdir: process.cwd(),
      shardCommand: [node, cli, ...shardArgs], collectCommand: [node, cli, ...collectArgs],
      comment: `written by ghost ${LIBRARY_VERSION} (ghost slurm ${process.argv.slice(3).join(" ")}) on ${new Date().toISOString()}`,
    });
    fs.mkdirSync(path.join(outDir, "logs"), { recursive: true });
    writeFileAtomic(path.join(outDir, "array.sbatch"), scripts.array);
    writeFileAtomic(path.join(outDir, "collect.sbatch"), scripts.collect);
    writeFileAtomic(path.join(outDir, "submit.sh"), scripts.submit);
    fs.chmodSync(path.join(outDir, "submit.sh"), 0o755);
    out(`${name}: ${tasks} array task${tasks === 1 ? "" : "s"} × ${cpus} CPU${cpus === 1 ? "" : "s"} + a collect job; cache ${cacheDir}`);
    out(`  scripts ${path.join(outDir, "array.sbatch")}, collect.sbatch, submit.sh (logs in ${path.join(outDir, "logs")})`);
    if (!p.options.has("submit")) {
      out(`  submit with: bash ${path.join(outDir, "submit.sh")}   (or ghost slurm … --submit)`);
      return 0;
    }
    if (!onPath("sbatch")) {
      err(`ghost slurm: sbatch not found on PATH (Slurm is not installed here): leave off --submit to only write the scripts, then run ${path.join(outDir, "submit.sh")} where Slurm is`);
      return 1;
    }
    const { execFileSync } = await import("child_process");
    const sbatch = (args: string[]): string => {
      try {
        return execFileSync("sbatch", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split(";")[0];
      } catch (e) {
        const stderr = String((e as { stderr?: string }).stderr ?? "").trim().split("\n")[0];
        throw new GhostError("sbatch", args.join(" "), "a job Slurm accepts", stderr || (e as Error).message);
      }
    };
    const arrayId = sbatch(["--parsable", path.join(outDir, "array.sbatch")]);
    const collectId = sbatch(["--parsable", `--dependency=afterok:${arrayId}`, path.join(outDir, "collect.sbatch")]);
    out(`submitted: array job ${arrayId} (tasks 0-${tasks - 1}), collect job ${collectId} (afterok:${arrayId})`);
    out(`  results will be in ${collectArgs[collectArgs.length - 1]}; progress: ghost ${target === "sweep" ? `sweep ${runnerName} --grid ${path.join(outDir, "grid.json")}` : `run ${target} --scale ${scale}`} --status --shards ${tasks} --cache-dir ${cacheDir}`);
    return 0;
  },
};

const courseCommand: CommandSpec = {
  name: "course",
  summary: "make a course folder: the notebooks, the package installed from this checkout, a working kernel",
  usage: "ghost course <dir> [--link] [--force] [--overwrite]",
  details:
    "Copies the figure notebooks into <dir>, installs this checkout into <dir>/node_modules (npm pack + npm install:\n" +
    "dependencies from the npm registry or npm's cache; --link links the checkout instead, offline, but the folder\n" +
    "then depends on it), writes a tslab kernelspec into <dir>/.jupyter/share/jupyter and <dir>/start-jupyter.sh,\n" +
    "which opens Jupyter with it (JUPYTER_PATH). Or make the kernel known to every Jupyter of the user once:\n" +
    "ghost kernel install --user.",
  options: [
    { name: "link", description: "link this checkout instead of installing a packed copy" },
    { name: "force", description: "add to a folder that already has files" },
    { name: "overwrite", description: "replace notebooks already in the folder (with --force)" },
  ],
  positionals: [1, 1],
  async run(p) {
    const report = createCourse(p.positionals[0], {
      link: p.options.has("link"), force: p.options.has("force"), overwrite: p.options.has("overwrite"), log: (l) => out(`  ${l}`),
    });
    out(`course folder ready: ${report.dir} (${report.notebooks.length} notebooks${report.tarball ? `, ${path.basename(report.tarball)}` : ", linked to this checkout"})`);
    out(`open it:  ${report.start}        (or: JUPYTER_PATH=${report.jupyterPath} jupyter notebook)`);
    out("or once for every Jupyter of this user:  npx ghost kernel install --user   (run inside the folder)");
    return 0;
  },
};

const kernelCommand: CommandSpec = {
  name: "kernel",
  summary: "install the TypeScript (tslab) kernelspec for Jupyter: --user, or --prefix DIR",
  usage: "ghost kernel install [--user | --prefix DIR] [--tslab PATH]",
  details:
    "Writes kernels/tslab/kernel.json (Node and tslab by absolute path) like `ipykernel install`: --user into the\n" +
    "user's Jupyter data directory (default; $JUPYTER_DATA_DIR, else ~/.local/share/jupyter on Linux), --prefix DIR\n" +
    "into DIR/share/jupyter (a Python environment's prefix, or any folder given to Jupyter on JUPYTER_PATH).\n" +
    "The tslab used is the one installed beside this package, or --tslab PATH (its bin/tslab script).",
  options: [
    { name: "user", description: "the user's Jupyter data directory (default)" },
    { name: "prefix", value: "DIR", description: "DIR/share/jupyter" },
    { name: "tslab", value: "PATH", description: "tslab's entry script (default: the tslab beside this package)" },
  ],
  positionals: [1, 1],
  async run(p) {
    if (p.positionals[0] !== "install") throw new UsageError(`unknown action ${JSON.stringify(p.positionals[0])}; use install`);
    const prefix = stringOpt(p, "prefix");
    if (prefix !== undefined && p.options.has("user")) throw new UsageError("--user and --prefix exclude each other");
    const tslab = stringOpt(p, "tslab");
    const r = installKernelSpec(prefix !== undefined ? { prefix } : { user: true }, tslab !== undefined ? path.resolve(tslab) : tslabEntry());
    out(`${r.replaced ? "replaced" : "installed"} kernelspec ${KERNEL_NAME} ("TypeScript") in ${r.dir}`);
    if (prefix !== undefined) out(`Jupyter finds it when ${r.dataDir} is on JUPYTER_PATH or ${path.resolve(prefix)} is its Python prefix`);
    return 0;
  },
};

const COMMANDS: CommandSpec[] = [listCommand, runCommand, sweepCommand, slurmCommand, cacheCommand, benchCommand, courseCommand, kernelCommand];

function commandHelp(c: CommandSpec): string {
  const lines = [`usage: ${c.usage}`, "", c.summary + "."];
  if (c.details) lines.push("", c.details);
  if (c.options.length) {
    lines.push("", "options:");
    for (const o of c.options) lines.push(`  --${o.name}${o.value ? " " + o.value : ""}`.padEnd(26) + o.description);
  }
  lines.push("  --help".padEnd(26) + "show this help");
  return lines.join("\n");
}

function mainHelp(): string {
  const figs = listFigures();
  return [
    `ghost ${LIBRARY_VERSION}: figures and sweeps of "A ghost mechanism: An analytical model of abrupt learning"`,
    "",
    "usage: ghost <command> [options]   (ghost <command> --help for details)",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(8)}${c.summary}`),
    "",
    "figures:",
    ...(figs.length ? figs.map((f) => `  ${f.id.padEnd(8)}${f.title}`) : ["  (none registered yet)"]),
    "",
    "exit codes: 0 ok, 1 computation failed, 2 bad command line. CI=true silences progress bars.",
  ].join("\n");
}

/** Runs the command line `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    err("ghost: missing command (try 'ghost --help')");
    return 2;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    const topic = rest[0];
    if (topic === undefined) {
      out(mainHelp());
      return 0;
    }
    const c = COMMANDS.find((k) => k.name === topic);
    if (!c) {
      err(`ghost: unknown command ${JSON.stringify(topic)} (try 'ghost --help')`);
      return 2;
    }
    out(commandHelp(c));
    return 0;
  }
  if (name === "--version" || name === "-v") {
    out(LIBRARY_VERSION);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    err(`ghost: unknown ${name.startsWith("-") ? "option" : "command"} ${JSON.stringify(name)} (try 'ghost --help')`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    out(commandHelp(cmd));
    return 0;
  }
  try {
    return await cmd.run(parse(cmd, rest));
  } catch (e) {
    const error = e as Error;
    if (e instanceof UsageError) {
      err(`ghost ${cmd.name}: ${error.message} (try 'ghost ${cmd.name} --help')`);
      return 2;
    }
    if (process.env.GHOST_DEBUG) err(error.stack ?? String(e));
    const message = (error?.message ?? String(e)).split("\n")[0];
    err(`ghost ${cmd.name}: ${e instanceof GhostError ? "" : (error?.name ?? "Error") + ": "}${message}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      err(`ghost: ${(e as Error)?.message ?? String(e)}`);
      process.exitCode = 1;
    },
  );
}
