/**
 * Sharding a sweep across processes, nodes or Slurm array tasks, all writing one shared result cache.
 *
 * A sweep's distinct runs (configs with distinct cache keys) are split into `count` shards by
 * {@link assignShards}: longest-processing-time-first over each run's estimated cost (the runner's `cost(config)`
 * hook, 1 when it has none), ties broken by the run's position, so the split is **deterministic** — it depends only
 * on the list of configs and the shard count, never on the cache's state, the machine or the time. A task killed
 * and requeued therefore computes the same slice again, and skips the runs it had already finished (they are in
 * the cache).
 *
 * `runSweep({ ..., shard: { index, count } })` computes shard `index` into the cache and then rejects with a
 * {@link SweepStopped} (reason "shard-done") carrying a {@link ShardReport}: a shard has no business assembling the
 * whole result. `action: "fromCache"` assembles from the cache only (resolves to the results when every run is
 * cached; otherwise rejects with reason "missing", naming how many runs are missing and which shards hold them);
 * `action: "status"` only reports done / total per shard (reason "status"). A figure that sweeps therefore needs
 * no code of its own for any of this: it passes the options through to its runSweep call.
 */
import { GhostError, requireInteger, requireObject, requireOneOf } from "../core/errors";

/** Which shard a process computes: `index` in [0, count). */
export interface ShardSpec {
  /** This shard, integer in [0, count − 1]. Optional for `action: "fromCache"` and `"status"` (all shards). */
  index?: number;
  /** Number of shards, integer in [1, 100000]. */
  count: number;
}

/**
 * What a sweep does: "compute" (default: compute what the cache lacks; with `shard`, only that shard's runs),
 * "fromCache" (compute nothing; results only if every run is cached) or "status" (compute nothing; report).
 */
export type SweepAction = "compute" | "fromCache" | "status";
/** The allowed sweep actions. */
export const SWEEP_ACTIONS: readonly SweepAction[] = ["compute", "fromCache", "status"];

/**
 * The cluster options a figure or protocol passes through to its runSweep call unchanged (see the module doc).
 * `shard` picks the slice; `action` what to do with it.
 */
export interface ClusterSweepOptions {
  shard?: ShardSpec;
  action?: SweepAction;
}

/** Done / total of one shard. */
export interface ShardState {
  index: number;
  /** Distinct runs assigned to this shard. */
  total: number;
  /** Of those, runs found in the cache (or computed by this call). */
  done: number;
  /** Sum of the estimated costs of its runs (the runner's cost unit). */
  cost: number;
}

/** State of a sharded sweep, carried by {@link SweepStopped}. */
export interface ShardReport {
  runner: string;
  /** What was asked: see {@link SweepAction}. */
  action: SweepAction;
  /** Number of configs (duplicates included). */
  configs: number;
  /** Distinct runs. */
  unique: number;
  /** Shard count of the layout. */
  count: number;
  /** The shard this call computed (action "compute"), else null. */
  index: number | null;
  /** One entry per shard, index order (only the computed shard's when `index` is set and action is "compute"). */
  shards: ShardState[];
  /** Distinct runs not in the cache (over `shards`). */
  missing: number;
  /** Shard indexes holding missing runs, ascending. */
  missingShards: number[];
  /** Distinct runs computed by this call. */
  computed: number;
  /** Cache directory, or null when bypassed. */
  cacheDir: string | null;
  /** Wall time of the call, ms. */
  wallMs: number;
}

/**
 * A sweep that stopped on purpose before returning results: a shard finished its slice ("shard-done"), a
 * from-cache assembly found runs missing ("missing") or a status query ("status"). `report` says where things
 * stand. Callers that run figures (the CLI) catch it; test it with {@link isSweepStopped} (works across copies of
 * the library loaded twice, e.g. src/ and dist/).
 */
export class SweepStopped extends Error {
  readonly reason: "shard-done" | "missing" | "status";
  readonly report: ShardReport;
  constructor(reason: "shard-done" | "missing" | "status", report: ShardReport) {
    super(describeShardReport(report, requireOneOf("reason", reason, STOP_REASONS)));
    this.name = "SweepStopped";
    this.reason = reason;
    this.report = report;
  }
}

/** True when `err` is a {@link SweepStopped} (by name and shape, so a second copy of the library matches too). */
export function isSweepStopped(err: unknown): err is SweepStopped {
  const e = err as SweepStopped | null;
  return !!e && typeof e === "object" && e.name === "SweepStopped" && typeof e.reason === "string" && typeof e.report === "object";
}

/** Why a sweep stopped without returning results. */
const STOP_REASONS = ["shard-done", "missing", "status"] as const;

/** Compact list of integers: [0, 1, 2, 5, 7, 8] → "0-2,5,7-8". @param indexes an array of integers. */
export function formatIndexList(indexes: readonly number[]): string {
  if (!Array.isArray(indexes)) throw new GhostError("indexes", indexes, "an array of integers");
  indexes.forEach((x, i) => requireInteger(`indexes[${i}]`, x));
  const parts: string[] = [];
  for (let i = 0; i < indexes.length; i++) {
    let j = i;
    while (j + 1 < indexes.length && indexes[j + 1] === indexes[j] + 1) j++;
    parts.push(j === i ? `${indexes[i]}` : `${indexes[i]}-${indexes[j]}`);
    i = j;
  }
  return parts.join(",");
}

/** One line describing a report (the message of {@link SweepStopped}). */
export function describeShardReport(r: ShardReport, reason: SweepStopped["reason"]): string {
  requireObject("report", r, "a ShardReport { runner, index, count, shards, … }");
  if (!Array.isArray(r.shards)) throw new GhostError("report.shards", r.shards, "an array of { done, total } per shard");
  requireOneOf("reason", reason, STOP_REASONS);
  const done = r.shards.reduce((s, x) => s + x.done, 0);
  const total = r.shards.reduce((s, x) => s + x.total, 0);
  if (reason === "shard-done") {
    return `${r.runner}: shard ${r.index}/${r.count} done: ${done}/${total} runs (${r.computed} computed, ${done - r.computed} cached)`;
  }
  if (reason === "missing") {
    return (
      `${r.runner}: ${r.missing} of ${r.unique} runs are not in the cache ${r.cacheDir ?? "(bypassed)"}; ` +
      `they belong to shard${r.missingShards.length === 1 ? "" : "s"} ${formatIndexList(r.missingShards)} of ${r.count}` +
      ` (compute them with --shard i/${r.count})`
    );
  }
  return `${r.runner}: ${done}/${total} runs done over ${r.count} shard${r.count === 1 ? "" : "s"}` + (r.missing ? `; missing in ${formatIndexList(r.missingShards)}` : "");
}

/**
 * Checks a shard spec: `count` an integer in [1, 100000]; `index` (required when `needIndex`) an integer in
 * [0, count − 1]. Throws a GhostError naming `name.count` / `name.index`.
 */
export function requireShardSpec(name: string, value: unknown, needIndex: boolean): { index: number | null; count: number } {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new GhostError(name, value, "{ index, count }: shard index in [0, count − 1] of count shards");
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) if (k !== "index" && k !== "count") throw new GhostError(`${name}.${k}`, v[k], "no such option (allowed: index, count)");
  const count = requireInteger(`${name}.count`, v.count, 1, 100000);
  if (v.index === undefined) {
    if (needIndex) throw new GhostError(`${name}.index`, undefined, `an integer in [0, ${count - 1}] (the shard to compute)`);
    return { index: null, count };
  }
  return { index: requireInteger(`${name}.index`, v.index, 0, count - 1), count };
}

/**
 * Parses "i/n" (shard i of n, 0 ≤ i < n ≤ 100000), as on the command line (`--shard 2/8`). GhostError naming
 * `name` otherwise.
 */
export function parseShard(name: string, text: string): { index: number; count: number } {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(typeof text === "string" ? text : "");
  if (!m) throw new GhostError(name, text, '"i/n": shard i of n shards, 0 ≤ i < n (e.g. 0/4)');
  const count = Number(m[2]);
  const index = Number(m[1]);
  if (count < 1 || count > 100000) throw new GhostError(name, text, "a shard count n in [1, 100000]");
  if (index >= count) throw new GhostError(name, text, `a shard index i in [0, ${count - 1}] for n = ${count}`);
  return { index, count };
}

/**
 * Splits runs of estimated cost `costs[k]` into `count` shards: longest processing time first (runs by decreasing
 * cost, ties by position; each goes to the shard with the smallest load so far, ties to the lowest index). Returns
 * the shard of each run. Deterministic; every shard gets at least one run when there are at least `count` runs.
 * @param costs finite, ≥ 0 estimated costs (any unit). @param count integer in [1, 100000].
 */
export function assignShards(costs: readonly number[], count: number): number[] {
  requireInteger("count", count, 1, 100000);
  if (!Array.isArray(costs)) throw new GhostError("costs", costs, "an array of finite costs ≥ 0");
  costs.forEach((c, k) => {
    if (typeof c !== "number" || !Number.isFinite(c) || c < 0) throw new GhostError(`costs[${k}]`, c, "a finite cost ≥ 0");
  });
  const order = costs.map((_, k) => k).sort((a, b) => costs[b] - costs[a] || a - b);
  const load = new Array<number>(count).fill(0);
  const runs = new Array<number>(count).fill(0);
  const shardOf = new Array<number>(costs.length);
  for (const k of order) {
    // Smallest load, then fewest runs (spreads zero-cost runs), then lowest index: a linear scan keeps it exact.
    let best = 0;
    for (let s = 1; s < count; s++) {
      if (load[s] < load[best] || (load[s] === load[best] && runs[s] < runs[best])) best = s;
    }
    shardOf[k] = best;
    load[best] += costs[k];
    runs[best]++;
  }
  return shardOf;
}
