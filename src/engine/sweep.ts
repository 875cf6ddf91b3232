/**
 * The sweep engine: one named runner applied to a list (or grid) of configs, on all cores, with a result cache.
 *
 * - **Parallel and exact.** With `workers >= 2` the configs run in a pool of worker threads (`worker_threads`),
 *   each worker taking the next pending config when it finishes one. Runners are pure and each config carries its
 *   own seed, and every result (fresh, parallel, serial or cached) is normalised through the same exact JSON
 *   encoding (core/io), so results are bit-identical to a serial run whatever the scheduling.
 * - **Cached and resumable.** Each finished run is written at once, atomically, to the cache (cache.ts). Re-running
 *   a sweep reuses finished runs; a sweep killed at any instant (Ctrl-C, kill -9) resumes where it stopped and
 *   loses only the runs that were in flight. Corrupted cache files are detected by checksum and recomputed.
 * - **Compiled workers.** Worker threads run the compiled library (`dist/engine/sweepWorker.js`, found next
 *   to this module's compiled file). From TypeScript source (ts-jest) only serial sweeps (`workers: 1` or
 *   {@link runSweepSync}) work; parallel sweeps throw a GhostError asking for `npm run build`. Tests of the parallel
 *   engine therefore import the built `dist/` (see test/engine/sweep.test.ts).
 *
 * @example
 *   const configs = expandGrid({ seed: [0, 1, 2], learningRate: [0.003, 0.02] }, { epochs: 6000 });
 *   const results = await runSweep({ runner: "rankOneTrain", configs, onProgress: bar.callback });
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { Worker } from "worker_threads";
import { GhostError, requireInteger } from "../core/errors";
import { decodeJson, encodeJson } from "../core/io";
import { CacheMode, CacheOptions, cacheKey, readCacheEntry, resolveCacheOptions, writeCacheEntry } from "./cache";
import { getRunner, RunnerDefinition, runnerCacheVersion } from "./runners";
import { assignShards, ClusterSweepOptions, requireShardSpec, ShardReport, ShardState, SWEEP_ACTIONS, SweepAction, SweepStopped } from "./shard";

/** Progress of a running sweep, passed to `onProgress`. */
export interface SweepProgress {
  /** Runs finished (cached + computed, counting duplicate configs once each). */
  done: number;
  total: number;
  /** Runs taken from the cache. */
  cached: number;
  /** Runs computed in this call. */
  computed: number;
  /** Milliseconds since the sweep started. */
  elapsedMs: number;
  /** Computed runs per second so far (0 before the first one). */
  rate: number;
  /**
   * Estimated milliseconds left (NaN before the first computed run), runs weighted by the runner's cost estimate
   * (so a few long runs done first do not make the many short ones left look long): the work left, less what the
   * runs in flight have done, at the speed of one worker (work per ms of the computed runs' own times) times the
   * busy workers; never less than the longest run in flight still needs.
   */
  etaMs: number;
  /** Work done: the runner's cost estimates of the finished distinct runs (1 per run without a cost hook). */
  work: number;
  /** Work of the whole sweep (this shard's part of it when sharded). */
  workTotal: number;
  /** Part of `work` read from the cache (took no time; left out of the rate). */
  cachedWork: number;
}

/** Summary of a finished sweep, passed to `onFinish`. */
export interface SweepStats {
  runner: string;
  runnerVersion: string;
  /** Number of configs. */
  total: number;
  /** Distinct configs (identical configs are computed once). */
  unique: number;
  /** Distinct configs read from the cache. */
  cached: number;
  /** Distinct configs computed in this call. */
  computed: number;
  /** Cache files found corrupted/truncated/mismatched (recomputed and overwritten). */
  corrupt: number;
  /** Worker threads used (1 = serial in the calling thread). */
  workers: number;
  /** Wall time of the whole sweep, ms. */
  wallMs: number;
  /** Sum of the computed runs' own times, ms (wallMs × workers ≈ computeMs when the pool is busy). */
  computeMs: number;
  /** Cache directory, or null when the cache was bypassed. */
  cacheDir: string | null;
  cacheMode: CacheMode;
}

/**
 * Options of {@link runSweep} and {@link runSweepSync}. The cluster options (`shard`, `action`; see shard.ts) split
 * the sweep's distinct runs deterministically into shards by the runner's cost estimate: with `shard: { index,
 * count }` only that shard's runs are computed into the cache and the call then rejects with a SweepStopped
 * ("shard-done"); `action: "fromCache"` computes nothing and returns the results only when all are cached (else
 * SweepStopped "missing", naming the shards that hold the missing runs); `action: "status"` reports done / total
 * per shard (SweepStopped "status").
 */
export interface SweepOptions<C = unknown> extends ClusterSweepOptions {
  /** Name of a registered runner (see runners.ts, `listRunners()`). */
  runner: string;
  /** One config per run (plain JSON-serialisable objects, each carrying its own seed). Results come in this order. */
  configs: readonly C[];
  /**
   * Worker threads, integer in [1, 256]; default: `$GHOST_WORKERS` or the number of available cores. 1 runs
   * serially in the calling thread (no workers). Never more workers than configs to compute.
   */
  workers?: number;
  /** Cache settings; `false` = `{ mode: "bypass" }`. Default `{ dir: defaultCacheDir(), mode: "use" }`. */
  cache?: false | CacheOptions;
  /** Absolute paths of extra modules that register runners; loaded in the main thread and in every worker. */
  modules?: readonly string[];
  /** Called with (done, total, info) after the cache scan and as runs finish (at most ~10 times a second, plus the last). */
  onProgress?: (done: number, total: number, info: SweepProgress) => void;
  /** Called once with the sweep's statistics when it has finished successfully. */
  onFinish?: (stats: SweepStats) => void;
  /** Aborts the sweep (workers terminated, promise rejected with an AbortError); finished runs stay cached. */
  signal?: AbortSignal;
}

/** Default number of worker threads: `$GHOST_WORKERS` if set, else `os.availableParallelism()`. */
export function defaultWorkerCount(): number {
  const env = process.env.GHOST_WORKERS;
  if (env !== undefined && env !== "") return requireInteger("GHOST_WORKERS", Number(env), 1, 256);
  const n = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, n);
}

/**
 * Cartesian product of parameter lists, merged into `base`: `expandGrid({ a: [1, 2], b: ["x", "y"] }, { c: 0 })`
 * → `[{c:0,a:1,b:"x"}, {c:0,a:1,b:"y"}, {c:0,a:2,b:"x"}, {c:0,a:2,b:"y"}]` (last key varies fastest).
 * Each list must be a non-empty array; at most 1,000,000 configs.
 */
export function expandGrid<G extends Record<string, readonly unknown[]>, B extends object = {}>(
  grid: G,
  base?: B,
): Array<Omit<B, keyof G> & { [K in keyof G]: G[K][number] }> {
  type T = Omit<B, keyof G> & { [K in keyof G]: G[K][number] };
  if (grid === null || typeof grid !== "object" || Array.isArray(grid)) throw new GhostError("grid", grid, "an object { name: [values…] }");
  const keys = Object.keys(grid);
  const lists = grid as Record<string, readonly unknown[]>;
  let size = 1;
  for (const k of keys) {
    const values = lists[k];
    if (!Array.isArray(values) || values.length === 0) throw new GhostError(`grid.${k}`, values, "a non-empty array of values");
    size *= values.length;
    if (size > 1_000_000) throw new GhostError("grid", `${size}+ configs`, "at most 1,000,000 configs");
  }
  const out: T[] = [];
  const digits = new Array<number>(keys.length);
  for (let n = 0; n < size; n++) {
    let rest = n;
    for (let j = keys.length - 1; j >= 0; j--) {
      const len = lists[keys[j]].length;
      digits[j] = rest % len;
      rest = Math.floor(rest / len);
    }
    const config: Record<string, unknown> = { ...(base ?? {}) };
    keys.forEach((k, j) => (config[k] = lists[k][digits[j]]));
    out.push(config as T);
  }
  return out;
}

/** Internal: one distinct run to compute (representative config index, all indexes with its key, its group). */
interface PendingRun {
  index: number;
  indexes: number[];
  group: { done: boolean; cost: number };
}

/** Internal: everything decided before any run starts. */
interface Plan<R> {
  def: RunnerDefinition;
  /** The version results are cached under ({@link runnerCacheVersion}: the runner's version plus its variant). */
  cacheVersion: string;
  configs: unknown[];
  results: (R | undefined)[];
  /** Distinct configs to compute: representative index → all indexes with that key. */
  pending: PendingRun[];
  cacheDir: string | null;
  mode: CacheMode;
  writeCache: boolean;
  stats: SweepStats;
  progress: ProgressTracker;
  started: number;
  action: SweepAction;
  /** Shard layout: index to compute (null: none / all), count (1 when not sharded). */
  shard: { index: number | null; count: number; sharded: boolean };
  /** Distinct runs: indexes of the configs sharing one key, the shard of the run, whether it is done. */
  groups: { indexes: number[]; shard: number; done: boolean; cost: number }[];
}

class ProgressTracker {
  done = 0;
  cached = 0;
  computed = 0;
  work = 0;
  workTotal = 0;
  cachedWork = 0;
  /** Threads computing runs (1 serial). */
  workers = 1;
  /** Sum of the computed runs' own times (ms) and their work: one worker's speed = computedWork / computeMs. */
  private computeMs = 0;
  private computedWork = 0;
  /** Runs being computed now: their cost and start time. */
  private readonly inflight = new Map<PendingRun, { cost: number; start: number }>();
  private lastCall = -Infinity;
  private reportedFinal = false;
  private computeStart = 0;
  constructor(
    readonly total: number,
    private readonly started: number,
    private readonly cb?: SweepOptions["onProgress"],
  ) {}
  startCompute(): void {
    this.computeStart = performance.now();
  }
  startRun(task: PendingRun, cost: number): void {
    this.inflight.set(task, { cost, start: performance.now() });
  }
  endRun(task: PendingRun, cost: number, elapsedMs: number): void {
    this.inflight.delete(task);
    this.computeMs += elapsedMs;
    this.computedWork += cost;
  }
  /**
   * Milliseconds left: one worker's speed s = computedWork / computeMs (work per ms of a run's own time); runs in
   * flight are credited with what they have done at that speed; the work left is shared by the busy workers, and no
   * sooner than the longest run in flight can finish. NaN before the first computed run.
   */
  private estimateMs(now: number): number {
    if (this.done === this.total) return 0;
    const speed = this.computeMs > 0 ? this.computedWork / this.computeMs : 0;
    if (!(speed > 0)) return NaN;
    let credit = 0;
    let longest = 0;
    for (const r of this.inflight.values()) {
      const doneThere = Math.min(r.cost, (now - r.start) * speed);
      credit += doneThere;
      longest = Math.max(longest, (r.cost - doneThere) / speed);
    }
    const runsLeft = this.total - this.done;
    const parallel = Math.max(1, Math.min(this.workers, runsLeft));
    const left = Math.max(0, this.workTotal - this.work - credit);
    return Math.max(left / (speed * parallel), longest);
  }
  report(force = false): void {
    if (!this.cb) return;
    const now = performance.now();
    if (this.reportedFinal) return;
    if (!force && this.done < this.total && now - this.lastCall < 100) return;
    this.lastCall = now;
    if (this.done === this.total) this.reportedFinal = true;
    const secs = (now - this.computeStart) / 1000;
    const rate = this.computed > 0 && secs > 0 ? this.computed / secs : 0;
    const etaMs = this.estimateMs(now);
    this.cb(this.done, this.total, {
      done: this.done,
      total: this.total,
      cached: this.cached,
      computed: this.computed,
      elapsedMs: now - this.started,
      rate,
      etaMs,
      work: this.work,
      workTotal: this.workTotal,
      cachedWork: this.cachedWork,
    });
  }
}

function wrapRunError(runner: string, index: number, config: unknown, name: string, message: string, stack?: string): Error {
  const err = new GhostError(`configs[${index}]`, config, `a config the runner "${runner}" completes`, `${name}: ${message}`);
  if (stack) err.stack = `${err.name}: ${err.message}\n--- runner stack ---\n${stack}`;
  return err;
}

function plan<C, R>(opts: SweepOptions<C>): Plan<R> {
  const started = performance.now();
  if (opts === null || typeof opts !== "object") throw new GhostError("options", opts, "an options object { runner, configs, … }");
  const modules = opts.modules ?? [];
  if (!Array.isArray(modules)) throw new GhostError("modules", modules, "an array of absolute module paths");
  modules.forEach((m, i) => {
    if (typeof m !== "string" || !path.isAbsolute(m)) throw new GhostError(`modules[${i}]`, m, "an absolute path");
    require(m);
  });
  const def = getRunner(opts.runner);
  if (!Array.isArray(opts.configs)) throw new GhostError("configs", opts.configs, "an array of config objects");
  // Normalise every config through the exact JSON encoding: the same plain data reaches serial runs, workers
  // and the cache key, and non-serialisable configs are refused before any work starts.
  const configs = opts.configs.map((c, i) => {
    let normal: unknown;
    try {
      normal = decodeJson(encodeJson(c));
    } catch (err) {
      throw new GhostError(`configs[${i}]`, c, "JSON-serialisable data", (err as Error).message);
    }
    if (def.validate) {
      try {
        def.validate(normal);
      } catch (err) {
        throw new GhostError(`configs[${i}]`, c, `a valid "${def.name}" config`, (err as Error).message);
      }
    }
    return normal;
  });
  const { mode, dir: cacheDir } = resolveCacheOptions(opts.cache);
  const action = requireOneOfAction(opts.action);
  const sharded = opts.shard !== undefined;
  const shard = sharded ? requireShardSpec("shard", opts.shard, action === "compute") : { index: null, count: 1 };
  if ((sharded || action !== "compute") && cacheDir === null) {
    throw new GhostError("cache", opts.cache, `a cache to ${action === "compute" ? "write the shard into" : "read"} (not bypassed) with ${sharded ? "shard" : `action "${action}"`}`);
  }
  if (action !== "compute" && mode === "refresh") throw new GhostError("cache.mode", mode, `"use" with action "${action}" (it computes nothing)`);
  const results: (R | undefined)[] = new Array(configs.length).fill(undefined);
  const byKey = new Map<string, number[]>();
  // The version results are cached under: the runner's version, plus its variant (e.g. the kernel mode).
  const cacheVersion = runnerCacheVersion(def);
  configs.forEach((c, i) => {
    const key = cacheKey(def.name, cacheVersion, c);
    const g = byKey.get(key);
    if (g) g.push(i);
    else byKey.set(key, [i]);
  });
  const distinct = [...byKey.values()];
  let shardOf: number[] = distinct.map(() => 0);
  if (shard.count > 1) {
    const costs = distinct.map((indexes) => runCost(def, configs[indexes[0]], indexes[0]));
    shardOf = assignShards(costs, shard.count);
  }
  // Progress weights: the runner's cost estimate of each distinct run (1 when it has none or it cannot tell)
  const weight = (indexes: number[]) => {
    try {
      return runCost(def, configs[indexes[0]], indexes[0]);
    } catch {
      return 1;
    }
  };
  const groups = distinct.map((indexes, k) => ({ indexes, shard: shardOf[k], done: false, cost: weight(indexes) }));
  const mine = (g: { shard: number }) => action !== "compute" || shard.index === null || g.shard === shard.index;
  const progressTotal = groups.reduce((s, g) => s + (mine(g) ? g.indexes.length : 0), 0);
  const progress = new ProgressTracker(progressTotal, started, opts.onProgress);
  progress.workTotal = groups.reduce((s, g) => s + (mine(g) ? g.cost : 0), 0);
  const stats: SweepStats = {
    runner: def.name,
    runnerVersion: def.version,
    total: configs.length,
    unique: distinct.length,
    cached: 0,
    computed: 0,
    corrupt: 0,
    workers: 1,
    wallMs: 0,
    computeMs: 0,
    cacheDir,
    cacheMode: mode,
  };
  const pending: Plan<R>["pending"] = [];
  for (const g of groups) {
    if (!mine(g)) continue;
    const indexes = g.indexes;
    const first = indexes[0];
    if (mode === "use" && cacheDir !== null) {
      const hit = readCacheEntry<R>(cacheDir, def.name, cacheVersion, configs[first]);
      if (hit.status === "hit") {
        indexes.forEach((i, j) => (results[i] = j === 0 ? hit.entry.result : structuredClone(hit.entry.result)));
        g.done = true;
        stats.cached++;
        progress.cached += indexes.length;
        progress.done += indexes.length;
        progress.work += g.cost;
        progress.cachedWork += g.cost;
        continue;
      }
      if (hit.status === "corrupt") stats.corrupt++;
    }
    if (action === "compute") pending.push({ index: first, indexes, group: g });
  }
  return {
    def, cacheVersion, configs, results, pending, cacheDir, mode, writeCache: cacheDir !== null, stats, progress, started, action,
    shard: { ...shard, sharded }, groups,
  };
}

function requireOneOfAction(action: unknown): SweepAction {
  if (action === undefined) return "compute";
  if (typeof action !== "string" || !(SWEEP_ACTIONS as readonly string[]).includes(action)) {
    throw new GhostError("action", action, `one of ${SWEEP_ACTIONS.map((a) => JSON.stringify(a)).join(", ")}`);
  }
  return action as SweepAction;
}

/** The runner's cost estimate of one config (1 without a cost hook); GhostError unless finite and ≥ 0. */
function runCost(def: RunnerDefinition, config: unknown, index: number): number {
  if (!def.cost) return 1;
  const c = def.cost(config);
  if (typeof c !== "number" || !Number.isFinite(c) || c < 0) {
    throw new GhostError(`cost(configs[${index}])`, c, `a finite cost ≥ 0 from the "${def.name}" runner's cost hook`);
  }
  return c;
}

/** Where a sharded / from-cache / status sweep stands (see shard.ts). */
function shardReport<R>(p: Plan<R>): ShardReport {
  const states: ShardState[] = Array.from({ length: p.shard.count }, (_, index) => ({ index, total: 0, done: 0, cost: 0 }));
  const costs = p.shard.count > 1 ? p.groups.map((g) => runCost(p.def, p.configs[g.indexes[0]], g.indexes[0])) : p.groups.map(() => 1);
  p.groups.forEach((g, k) => {
    const s = states[g.shard];
    s.total++;
    s.cost += costs[k];
    if (g.done) s.done++;
  });
  const only = p.action === "compute" && p.shard.index !== null ? [states[p.shard.index]] : states;
  const missingShards = only.filter((s) => s.done < s.total).map((s) => s.index);
  return {
    runner: p.def.name,
    action: p.action,
    configs: p.configs.length,
    unique: p.groups.length,
    count: p.shard.count,
    index: p.action === "compute" ? p.shard.index : null,
    shards: only,
    missing: only.reduce((s, x) => s + x.total - x.done, 0),
    missingShards,
    computed: p.stats.computed,
    cacheDir: p.cacheDir,
    wallMs: performance.now() - p.started,
  };
}

/**
 * After the computing phase: a status query or a shard stops with its report; a from-cache assembly with runs
 * missing stops naming them; otherwise the sweep finishes with its results.
 */
function conclude<R>(p: Plan<R>, opts: SweepOptions<unknown>): R[] {
  if (p.action === "status") throw new SweepStopped("status", shardReport(p));
  if (p.action === "fromCache" && p.groups.some((g) => !g.done)) throw new SweepStopped("missing", shardReport(p));
  if (p.action === "compute" && p.shard.sharded) {
    p.stats.wallMs = performance.now() - p.started;
    p.progress.report(true);
    throw new SweepStopped("shard-done", shardReport(p));
  }
  return finish(p, opts);
}

/** Records one computed run: decode (fresh copy per duplicate index), cache write, progress. */
function accept<R>(p: Plan<R>, task: PendingRun, json: string, elapsedMs: number): void {
  for (const i of task.indexes) p.results[i] = decodeJson<R>(json);
  if (p.writeCache && p.cacheDir !== null) {
    writeCacheEntry(p.cacheDir, p.def.name, p.cacheVersion, p.configs[task.index], p.results[task.index], elapsedMs);
  }
  task.group.done = true;
  p.progress.endRun(task, task.group.cost, elapsedMs);
  p.stats.computed++;
  p.stats.computeMs += elapsedMs;
  p.progress.computed += task.indexes.length;
  p.progress.done += task.indexes.length;
  p.progress.work += task.group.cost;
  p.progress.report();
}

function finish<R>(p: Plan<R>, opts: SweepOptions<unknown>): R[] {
  p.stats.wallMs = performance.now() - p.started;
  p.progress.report(true);
  opts.onFinish?.(p.stats);
  return p.results as R[];
}

function abortError(p: Plan<unknown>): Error {
  const err = new Error(
    `sweep "${p.def.name}" aborted after ${p.progress.done} of ${p.progress.total} runs` +
      (p.writeCache ? "; finished runs are cached, run it again to resume" : ""),
  );
  err.name = "AbortError";
  return err;
}

/**
 * Runs every config through the named runner and resolves to the results in config order. Parallel on
 * `workers` threads (default: all cores), cached on disk (default on), resumable. See the module doc.
 *
 * @throws (rejects with) GhostError for a bad runner name, option or config (before any work), or naming the
 *   config whose run threw; AbortError when `signal` aborts; SweepStopped (shard.ts) when a shard has computed its
 *   slice, a from-cache assembly finds runs missing, or for a status query. Runs finished before a failure stay cached.
 */
export async function runSweep<C = unknown, R = unknown>(opts: SweepOptions<C>): Promise<R[]> {
  const p = plan<C, R>(opts);
  const requested = opts.workers === undefined ? defaultWorkerCount() : requireInteger("workers", opts.workers, 1, 256);
  const workers = Math.max(1, Math.min(requested, p.pending.length));
  p.stats.workers = workers;
  p.progress.workers = workers;
  if (opts.signal?.aborted) throw abortError(p as Plan<unknown>);
  p.progress.report(true);
  p.progress.startCompute();
  if (p.pending.length > 0) {
    if (workers === 1) {
      for (const task of p.pending) {
        if (opts.signal?.aborted) throw abortError(p as Plan<unknown>);
        const t0 = performance.now();
        let result: unknown;
        try {
          result = await p.def.run(p.configs[task.index]);
        } catch (err) {
          const e = err as Error;
          throw wrapRunError(p.def.name, task.index, p.configs[task.index], e?.name ?? "Error", e?.message ?? String(err), e?.stack);
        }
        accept(p, task, encodeJson(result), performance.now() - t0);
        // Let timers, signals and progress displays run between configs.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } else {
      await runPool(p, workers, opts);
    }
  }
  return conclude(p, opts as SweepOptions<unknown>);
}

/**
 * Serial, synchronous sweep in the calling thread: same configs, cache and results as {@link runSweep} (bit for
 * bit), for code that cannot await. `workers` and `signal` are ignored; runners returning a Promise are refused.
 */
export function runSweepSync<C = unknown, R = unknown>(opts: SweepOptions<C>): R[] {
  const p = plan<C, R>(opts);
  p.progress.report(true);
  p.progress.startCompute();
  for (const task of p.pending) {
    const t0 = performance.now();
    let result: unknown;
    try {
      result = p.def.run(p.configs[task.index]);
    } catch (err) {
      const e = err as Error;
      throw wrapRunError(p.def.name, task.index, p.configs[task.index], e?.name ?? "Error", e?.message ?? String(err), e?.stack);
    }
    if (result instanceof Promise) {
      throw new GhostError("runner", p.def.name, "a synchronous runner for runSweepSync (use runSweep for async runners)");
    }
    accept(p, task, encodeJson(result), performance.now() - t0);
  }
  return conclude(p, opts as SweepOptions<unknown>);
}

/** Path of the compiled worker entry next to this module's compiled file; GhostError when running from source. */
export function sweepWorkerScript(): string {
  const script = path.join(__dirname, "sweepWorker.js");
  if (!fs.existsSync(script)) {
    throw new GhostError(
      "workers",
      "> 1",
      "1 when the library runs from TypeScript source",
      `parallel sweeps run the compiled library in worker threads and ${script} does not exist: ` +
        "build with `npm run build` and import the package (dist/), or pass workers: 1",
    );
  }
  return script;
}

interface WorkerReply {
  type: "result" | "error" | "fatal" | "progress";
  index: number;
  json: string;
  elapsedMs: number;
  name: string;
  message: string;
  stack?: string;
}

function runPool<R>(p: Plan<R>, count: number, opts: SweepOptions<unknown>): Promise<void> {
  const script = sweepWorkerScript();
  // The module that registered the runner first (workers load it before looking the name up), then the caller's.
  const modules = [...new Set([...(p.def.module ? [p.def.module] : []), ...(opts.modules ?? [])])];
  return new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    const busy = new Map<Worker, PendingRun>();
    let next = 0;
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener("abort", onAbort);
      void Promise.all(workers.map((w) => w.terminate())).then(
        () => (err ? reject(err) : resolve()),
        () => (err ? reject(err) : resolve()),
      );
    };
    const onAbort = (): void => settle(abortError(p as Plan<unknown>));
    const dispatch = (w: Worker): void => {
      if (settled) return;
      if (next < p.pending.length) {
        const task = p.pending[next++];
        busy.set(w, task);
        p.progress.startRun(task, task.group.cost);
        w.postMessage({ type: "run", index: task.index, config: p.configs[task.index] });
      } else if (busy.size === 0) {
        settle();
      }
    };
    opts.signal?.addEventListener("abort", onAbort);
    for (let k = 0; k < count; k++) {
      const w = new Worker(script, { workerData: { runner: p.def.name, modules } });
      workers.push(w);
      w.on("message", (m: WorkerReply) => {
        if (settled || m.type === "progress") return; // a sweep reports whole runs
        if (m.type === "result") {
          const task = busy.get(w);
          busy.delete(w);
          if (!task || task.index !== m.index) return settle(new Error(`sweep worker answered config ${m.index} it was not given`));
          try {
            accept(p, task, m.json, m.elapsedMs);
          } catch (err) {
            return settle(err as Error);
          }
          dispatch(w);
        } else if (m.type === "error") {
          settle(wrapRunError(p.def.name, m.index, p.configs[m.index], m.name, m.message, m.stack));
        } else {
          settle(new GhostError("runner", p.def.name, "a runner the worker threads can load", `${m.name}: ${m.message}`));
        }
      });
      w.on("error", (err) => settle(err));
      w.on("exit", (code) => {
        if (!settled) settle(new Error(`sweep worker exited unexpectedly with code ${code}`));
      });
      dispatch(w);
    }
  });
}
