/**
 * Task-RNN training runs through the sweep engine (runner "taskTrain", registered in runners.ts): in worker threads
 * (one per core), cached run by run, resumable, shardable on a cluster. The v2 figures train their networks here.
 */
import { GhostError, requireObject } from "../core/errors";
import { requireKnownKeys } from "../core/checks";
import type { CacheOptions } from "../engine/cache";
import type { ClusterSweepOptions } from "../engine/shard";
import { runSweep, SweepStats } from "../engine/sweep";
import "./runners"; // registers the taskTrain runner
import { TaskTrainResult, TaskTrainSpec, validateTaskTrainSpec } from "./taskTrain";

/** Options of {@link runTaskSweep}. */
export interface TaskSweepOptions {
  /** Cache settings (false = bypass); default: the default cache directory. */
  cache?: false | CacheOptions;
  /** Worker threads (default: all cores; 1 = in this thread). */
  workers?: number;
  /** (runs done, runs) as runs finish. */
  onProgress?: (done: number, total: number) => void;
  /** Aborts the sweep (finished runs stay cached). */
  signal?: AbortSignal;
  /** Shard / from-cache / status options for the cluster (engine/shard.ts). */
  cluster?: ClusterSweepOptions;
}

/**
 * Trains every spec (protocols.runTaskTraining) through the engine and returns the results in the specs' order,
 * with the sweep's statistics (computed / cached / wall time / workers).
 */
export async function runTaskSweep(specs: TaskTrainSpec[], opts: TaskSweepOptions = {}): Promise<{ results: TaskTrainResult[]; stats: SweepStats | null }> {
  if (!Array.isArray(specs) || specs.length === 0) throw new GhostError("specs", specs, "a non-empty array of TaskTrainSpec");
  specs.forEach((s, i) => validateTaskTrainSpec(s, `specs[${i}]`));
  requireKnownKeys("opts", requireObject("opts", opts, "TaskSweepOptions { cache?, workers?, onProgress?, signal?, cluster? }"), { cache: 0, workers: 0, onProgress: 0, signal: 0, cluster: 0 });
  if (opts.onProgress !== undefined && typeof opts.onProgress !== "function") throw new GhostError("opts.onProgress", opts.onProgress, "a function (done, total)");
  let stats: SweepStats | null = null;
  const results = await runSweep<TaskTrainSpec, TaskTrainResult>({
    runner: "taskTrain", configs: specs, workers: opts.workers, cache: opts.cache, signal: opts.signal, ...(opts.cluster ?? {}),
    onProgress: opts.onProgress ? (d, t) => opts.onProgress?.(d, t) : undefined,
    onFinish: (s) => (stats = s),
  });
  return { results, stats };
}
