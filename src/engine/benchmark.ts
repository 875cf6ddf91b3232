/**
 * Sweep throughput benchmark: the same sweep serially (one thread) and on a worker pool, cache bypassed, with a
 * bit-identity check of the two result lists. Used by `ghost bench` and bench/sweep.mjs; never a timed test.
 */
import { performance } from "perf_hooks";
import { GhostError, requireInteger, requireObject } from "../core/errors";
import { encodeJson } from "../core/io";
import { defaultWorkerCount, runSweep } from "./sweep";

/** Outcome of {@link benchmarkSweep}. */
export interface SweepBenchmark {
  runner: string;
  runs: number;
  workers: number;
  /** Wall times, milliseconds. */
  serialMs: number;
  parallelMs: number;
  /** serialMs / parallelMs. */
  speedup: number;
  /**
   * CPU time this process (all its threads) used in each phase, ms (process.cpuUsage, user + system).
   * cpuMs / wallMs = the cores the sweep actually got: below `workers` in the parallel phase means other
   * processes were competing for the cores.
   */
  serialCpuMs: number;
  parallelCpuMs: number;
  /** True when the parallel results equal the serial ones bit for bit. */
  identical: boolean;
}

/**
 * Times `runner` over `configs` serially, then on `workers` threads (default: all cores), without cache.
 * `onPhase` is told when each phase starts ("serial" | "parallel") with the number of runs.
 */
export async function benchmarkSweep(opts: {
  runner: string;
  configs: readonly unknown[];
  workers?: number;
  onPhase?: (phase: "serial" | "parallel", runs: number) => void;
  onProgress?: (done: number, total: number) => void;
}): Promise<SweepBenchmark> {
  requireObject("opts", opts, "an options object { runner, configs, workers?, onPhase?, onProgress? }");
  if (!Array.isArray(opts.configs) || opts.configs.length === 0) throw new GhostError("opts.configs", opts.configs, "a non-empty array of run configs");
  for (const k of ["onPhase", "onProgress"] as const) {
    if (opts[k] !== undefined && typeof opts[k] !== "function") throw new GhostError(`opts.${k}`, opts[k], "a function or undefined");
  }
  const workers = opts.workers === undefined ? defaultWorkerCount() : requireInteger("workers", opts.workers, 1, 256);
  opts.onPhase?.("serial", opts.configs.length);
  const cpu = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
  let c0 = process.cpuUsage();
  let t0 = performance.now();
  const serial = await runSweep({ runner: opts.runner, configs: opts.configs, workers: 1, cache: false, onProgress: opts.onProgress });
  const serialMs = performance.now() - t0;
  const serialCpuMs = cpu(process.cpuUsage(c0));
  opts.onPhase?.("parallel", opts.configs.length);
  c0 = process.cpuUsage();
  t0 = performance.now();
  const parallel = await runSweep({ runner: opts.runner, configs: opts.configs, workers, cache: false, onProgress: opts.onProgress });
  const parallelMs = performance.now() - t0;
  const parallelCpuMs = cpu(process.cpuUsage(c0));
  return {
    runner: opts.runner,
    runs: opts.configs.length,
    workers,
    serialMs,
    parallelMs,
    speedup: serialMs / parallelMs,
    serialCpuMs,
    parallelCpuMs,
    identical: encodeJson(serial) === encodeJson(parallel),
  };
}
