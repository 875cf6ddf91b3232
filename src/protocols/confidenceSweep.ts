/**
 * v2 Fig 8C's seeds through the sweep engine (runner "confidenceIntervention", registered in runners.ts): one run per
 * seed in worker threads (one per core), cached run by run, resumable, shardable on a cluster.
 */
import { GhostError, requireObject } from "../core/errors";
import { requireKnownKeys } from "../core/checks";
import { runSweep, SweepStats } from "../engine/sweep";
import "./runners"; // registers the confidenceIntervention runner
import { ConfidenceInterventionConfig, ConfidenceInterventionResult, validateConfidenceInterventionConfig } from "./confidenceIntervention";
import type { TaskSweepOptions } from "./taskSweep";

/**
 * Runs every config (protocols.runConfidenceIntervention) through the engine and returns the results in the
 * configs' order with the sweep's statistics. Options as {@link TaskSweepOptions} (cache, workers, onProgress in runs,
 * signal, cluster).
 */
export async function runConfidenceSweep(
  configs: ConfidenceInterventionConfig[], opts: TaskSweepOptions = {},
): Promise<{ results: ConfidenceInterventionResult[]; stats: SweepStats | null }> {
  if (!Array.isArray(configs) || configs.length === 0) throw new GhostError("configs", configs, "a non-empty array of ConfidenceInterventionConfig");
  configs.forEach((c, i) => validateConfidenceInterventionConfig(c, `configs[${i}]`));
  requireKnownKeys("opts", requireObject("opts", opts, "{ cache?, workers?, onProgress?, signal?, cluster? }"), { cache: 0, workers: 0, onProgress: 0, signal: 0, cluster: 0 });
  if (opts.onProgress !== undefined && typeof opts.onProgress !== "function") throw new GhostError("opts.onProgress", opts.onProgress, "a function (done, total)");
  let stats: SweepStats | null = null;
  const results = await runSweep<ConfidenceInterventionConfig, ConfidenceInterventionResult>({
    runner: "confidenceIntervention", configs, workers: opts.workers, cache: opts.cache, signal: opts.signal, ...(opts.cluster ?? {}),
    onProgress: opts.onProgress ? (d, t) => opts.onProgress?.(d, t) : undefined,
    onFinish: (s) => (stats = s),
  });
  return { results, stats };
}
