/**
 * Figure 3 (v1): abrupt learning and its destabilisation in the rank-one RNN (spec A5, A6).
 *
 * The rank-one network κ = n·x, x_{t+1} = (1 − α)x_t + α tanh(mκ_t + b), o_{t+1} = σ(c(κ_{t+1} − 1)) is exactly
 * the 1-D map κ_{t+1} = (1 − α)κ_t + αF(κ_t), F(κ) = nᵀtanh(mκ + b), whose flow is f(κ) = −κ + F(κ). Training
 * moves f; the figure watches it.
 *
 * - Fig 3A–B (low learning rate 0.003, 500 000 epochs at paper scale): per-epoch loss and gradient norm
 *   (downsampled for plotting, min and max of every bucket kept so spikes and the period-2 oscillation survive),
 *   parameter snapshots every 1000 epochs (after that epoch's update) plus a dense window around the abrupt drop,
 *   each analysed: f on the display window, κ₀, fixed points (refined, and the raw sign-flip count), ghost
 *   analysis on [κ₀, 1] (height h, location, curvature, r_eff = ½f″h, classification) and the step at which κ
 *   crosses 1. The v2 fixed-point test in reduced form: the sign-flip count of f every `fixedPointCheckEvery`
 *   epochs and at every snapshot; its maximum (expected 1: abrupt learning without a bifurcation).
 * - Fig 3C–D (high learning rate 0.02, 6000 epochs): the ghost analysis and the sign-flip count after EVERY
 *   epoch; the sign changes of h (analysis.bifurcationEvents); the saddle-node event = the first "trap" (h from
 *   > 0 to ≤ 0) at which the number of fixed points grows; flows in a window around it (recomputed by a short,
 *   bit-identical replay from a parameter checkpoint); the loss jumping back to ≈ 1 and the gradient collapsing.
 *
 * Conventions (spec A9 #6): loss[e], accuracy[e], gradNorm[e] belong to epoch e's forward pass (BEFORE its
 * update; the paper plots them at x = e + 1); a snapshot with `epoch` e holds the parameters AFTER the update of
 * epoch e (the paper labels it e + 1 = number of updates applied); epoch −1 denotes the untrained network.
 *
 * Seeds: the paper uses seed 40 (PyTorch streams; not reproducible here). Our seed 40 (core.Rng) shows both
 * phenomena within the paper's budgets (abrupt drop near epoch 31 400 at lr 0.003; saddle-node after update 4869, epoch 4868 (4870 with GHOST_KERNELS=js)
 * at lr 0.02), so both runs use seed 40.
 */
import { GhostError, requireInRange, requireInteger, requireOneOf, requireOptions, requirePositive } from "../core/errors";
import type { Series } from "../core/arrays";
import type { RnnModel } from "../models/rnn";
import { cachedRun, cachedRunAsync, CacheOptions } from "../engine/cache";
import { defaultWorkerCount } from "../engine/sweep";
import { runInWorker, workerThreadsAvailable } from "../engine/worker";
import { kernelMode } from "../kernels";
import "../protocols/runners"; // registers "rankOneSlowWatch" / "rankOneFastWatch" (the worker-thread runs below)
import { knownScale, requireKnownKeys } from "../core/checks";
import {
  analyseWatchedSnapshot, FastRunConfig, FastRunData, FlowWatchSetup, FlowWatchSnapshot, GhostSummary, requireDisplayWindow,
  requireKappaGridSpec, runFastWatch, runSlowWatch, SaddleNodeEvent, SlowRunConfig, SlowRunData, watchGrid,
} from "../protocols/rankOneWatch";

/** Scales: "paper" = "full" = the paper's parameters (≈ 23 s on one core, ≈ 16 s on two with runFig3Async); "ci" = shorter low-lr run, high-lr run stopped after the event. */
export type Fig3Scale = "ci" | "paper" | "full";

/** The low-learning-rate run (Fig 3A–B): protocols.SlowRunConfig. */
export type Fig3LowConfig = SlowRunConfig;
/** The high-learning-rate run (Fig 3C–D): protocols.FastRunConfig. */
export type Fig3HighConfig = FastRunConfig;

/** Full parameter set of the Fig 3 experiment. */
export interface Fig3Config extends FlowWatchSetup {
  scale: Fig3Scale;
  low: Fig3LowConfig;
  high: Fig3HighConfig;
}

/** The config at a scale (seed 40 for both runs; see the module comment). */
export function fig3Config(scale: Fig3Scale = "paper"): Fig3Config {
  requireOneOf("scale", scale, ["ci", "paper", "full"] as const);
  const ci = scale === "ci";
  return {
    scale,
    size: 100,
    confidence: 10,
    horizon: 20,
    kappaGrid: { min: -15, max: 15, points: 1000 },
    displayWindow: [200, 800],
    low: {
      seed: 40,
      learningRate: 0.003,
      epochs: ci ? 40_000 : 500_000,
      snapshotEvery: 1000,
      flowPanelEpochs: ci ? [0, 34_000, 39_000] : [0, 200_000, 499_000],
      dense: { every: 20, before: 600, after: 600, dropLevel: 0.5 },
      fixedPointCheckEvery: 100,
      plotBuckets: ci ? 1000 : 2500,
    },
    high: {
      seed: 40,
      learningRate: 0.02,
      epochs: 6000,
      analysisStart: 0,
      stopAfterEvent: ci ? 60 : null,
      eventWindow: 10,
      eventFlowOffsets: [-1, 0, 3],
      zoom: { before: 200, after: 50 },
    },
  };
}

/** Ghost quantities of one flow on [κ₀, 1] (protocols.GhostSummary). */
export type Fig3Ghost = GhostSummary;
/** One analysed parameter snapshot (protocols.FlowWatchSnapshot). */
export type Fig3FlowSnapshot = FlowWatchSnapshot;
/** A downsampled series (core.Series). */
export type Fig3Series = Series;
/** The saddle-node event of the high-lr run (protocols.SaddleNodeEvent). */
export type Fig3SaddleNode = SaddleNodeEvent;
/** Data of the low-lr run (Fig 3A–B): the whole Fig 3 config and the protocol's result. */
export type Fig3LowData = { config: Fig3Config } & SlowRunData;
/** Data of the high-lr run (Fig 3C–D): the whole Fig 3 config and the protocol's result. */
export type Fig3HighData = { config: Fig3Config } & FastRunData;

/** Everything Fig 3 plots. */
export interface Fig3Data {
  config: Fig3Config;
  low: Fig3LowData;
  high: Fig3HighData;
}

/** Validates a config (GhostError naming the field). */
export function validateFig3Config(config: Fig3Config): Fig3Config {
  if (config === null || typeof config !== "object") throw new GhostError("config", config, "a Fig3Config (see fig3Config)");
  requireKnownKeys("config", config, fig3Config(knownScale(config)));
  requireInteger("size", config.size, 1, 100000);
  requirePositive("confidence", config.confidence);
  requireInteger("horizon", config.horizon, 1, 100000);
  const g = requireKappaGridSpec(config.kappaGrid);
  requireDisplayWindow(config.displayWindow, g.points);
  const low = config.low, high = config.high;
  if (!low || !high) throw new GhostError("config.low/high", config.low ?? config.high, "both run configs");
  requireInteger("low.seed", low.seed, 0);
  requirePositive("low.learningRate", low.learningRate);
  requireInteger("low.epochs", low.epochs, 1, 1e9);
  requireInteger("low.snapshotEvery", low.snapshotEvery, 1, 1e9);
  if (!Array.isArray(low.flowPanelEpochs) || low.flowPanelEpochs.length === 0) throw new GhostError("low.flowPanelEpochs", low.flowPanelEpochs, "a non-empty array of snapshot epochs");
  low.flowPanelEpochs.forEach((e, i) => {
    requireInteger(`low.flowPanelEpochs[${i}]`, e, 0, low.epochs - 1);
    if (e % low.snapshotEvery !== 0) throw new GhostError(`low.flowPanelEpochs[${i}]`, e, `a multiple of low.snapshotEvery = ${low.snapshotEvery}`);
  });
  if (low.dense !== null) {
    if (!low.dense || typeof low.dense !== "object") throw new GhostError("low.dense", low.dense, "null or { every, before, after, dropLevel }");
    requireInteger("low.dense.every", low.dense.every, 1, 1e9);
    requireInteger("low.dense.before", low.dense.before, 0, 1e9);
    requireInteger("low.dense.after", low.dense.after, 0, 1e9);
    requireInRange("low.dense.dropLevel", low.dense.dropLevel, 0, 1, { minExclusive: true, maxExclusive: true });
  }
  requireInteger("low.fixedPointCheckEvery", low.fixedPointCheckEvery, 1, 1e9);
  requireInteger("low.plotBuckets", low.plotBuckets, 1, 1e7);
  requireInteger("high.seed", high.seed, 0);
  requirePositive("high.learningRate", high.learningRate);
  requireInteger("high.epochs", high.epochs, 2, 1e8);
  requireInteger("high.analysisStart", high.analysisStart, 0, high.epochs - 1);
  if (high.stopAfterEvent !== null) requireInteger("high.stopAfterEvent", high.stopAfterEvent, 1, 1e8);
  requireInteger("high.eventWindow", high.eventWindow, 0, 10000);
  if (!Array.isArray(high.eventFlowOffsets) || high.eventFlowOffsets.length === 0) throw new GhostError("high.eventFlowOffsets", high.eventFlowOffsets, "a non-empty array of integers");
  high.eventFlowOffsets.forEach((o, i) => requireInteger(`high.eventFlowOffsets[${i}]`, o, -high.eventWindow, high.eventWindow));
  requireInteger("high.zoom.before", high.zoom?.before, 0, 1e8);
  requireInteger("high.zoom.after", high.zoom.after, 0, 1e8);
  return config;
}

/** The κ grid of a config: linspace(min, max, points) (protocols.watchGrid). */
export function fig3KappaGrid(config: Fig3Config): Float64Array {
  return watchGrid(config);
}

/** Analyses one model for Fig 3 (protocols.analyseWatchedSnapshot). */
export function analyseFig3Snapshot(model: RnnModel, epoch: number, config: Fig3Config, grid?: Float64Array, dense = false): Fig3FlowSnapshot {
  return analyseWatchedSnapshot(model, epoch, config, grid, dense);
}

/** Version of the cached Fig 3 computations (runner names "fig3Low", "fig3High"); bump when their output changes. */
export const FIG3_RUNNER_VERSION = "1";

/** Options of {@link runFig3Low} / {@link runFig3High}. */
export interface Fig3RunOptions {
  /**
   * Result cache (engine/cache, keyed by the config of this run and the shared fields — not the other run's —,
   * the library version and the numerics code): false or
   * omitted = always compute (nothing read or written); true = the default directory, mode "use"; or
   * { dir?, mode?: "use" | "refresh" | "bypass" }. A cache hit returns the stored result at once (onProgress is
   * called once with (total, total)); a killed run loses only itself, the cache never holds a partial result.
   */
  cache?: boolean | CacheOptions;
  /** Called once after a cache was consulted: whether the result came from it, the directory, the run's ms. */
  onCache?: (info: Fig3CacheInfo) => void;
}

/** What {@link Fig3RunOptions.onCache} receives. */
export interface Fig3CacheInfo {
  /** True: the stored result was used (nothing computed). */
  cached: boolean;
  /** True: a damaged or mismatched cache file was found and replaced. */
  corrupt: boolean;
  /** Cache directory (null: bypassed). */
  cacheDir: string | null;
  /** Wall time of the computation, ms (for a hit: of the run that filled the cache). */
  elapsedMs: number;
}

function fig3RunOptions(opts: unknown): { cache: boolean | CacheOptions; onCache?: (info: Fig3CacheInfo) => void } {
  const o = requireOptions<Fig3RunOptions>("opts", opts, ["cache", "onCache"]);
  const cache = o.cache ?? false;
  if (typeof cache !== "boolean") requireOptions<CacheOptions>("opts.cache", cache, ["dir", "mode"]);
  if (o.onCache !== undefined && typeof o.onCache !== "function") throw new GhostError("opts.onCache", o.onCache, "a function (info) or undefined");
  return { cache, onCache: o.onCache };
}

/**
 * runFig3Low / runFig3High through the cache (or not), reporting progress for a hit and the cache outcome. The key
 * is the config without the other half (`omit`), so editing the high-lr run keeps the low-lr result cached and vice
 * versa; the returned data carries the caller's whole config, as an uncached run does.
 */
function throughCache<D extends { config: Fig3Config }>(
  name: string, config: Fig3Config, omit: "low" | "high", epochs: number, opts: unknown,
  onProgress: ((done: number, total: number) => void) | undefined, compute: () => D,
): D {
  const { cache, onCache } = fig3RunOptions(opts);
  if (cache === false) return compute();
  const key: Partial<Fig3Config> = { ...config };
  delete key[omit];
  // The kernel mode (GHOST_KERNELS) changes the last bits of the trained networks: part of the cached version.
  const r = cachedRun(name, `${FIG3_RUNNER_VERSION}+kernels-${kernelMode()}`, key, cache, compute);
  if (r.cached) onProgress?.(epochs, epochs);
  onCache?.({ cached: r.cached, corrupt: r.corrupt, cacheDir: r.cacheDir, elapsedMs: r.elapsedMs });
  return { ...r.result, config };
}

function requireProgress(onProgress: unknown): void {
  if (onProgress !== undefined && typeof onProgress !== "function") throw new GhostError("onProgress", onProgress, "a function (done, total) or undefined");
}

/**
 * Runs the low-learning-rate experiment (Fig 3A–B, the reduced v2 fixed-point test).
 * @param onProgress (epochs done, total epochs), at most ~100 calls.
 * @param opts { cache, onCache }: see {@link Fig3RunOptions} (default: no cache).
 */
export function runFig3Low(
  config: Fig3Config = fig3Config("paper"),
  onProgress?: (done: number, total: number) => void,
  opts: Fig3RunOptions = {},
): Fig3LowData {
  validateFig3Config(config);
  requireProgress(onProgress);
  return throughCache("fig3Low", config, "high", config.low.epochs, opts, onProgress, (): Fig3LowData => ({ config, ...runSlowWatch(config, config.low, onProgress) }));
}

/**
 * Runs the high-learning-rate experiment (Fig 3C–D): ghost analysis and sign-flip count after every epoch,
 * bifurcation events, the saddle-node event and the flows around it.
 * @param onProgress (epochs done, epoch budget), at most ~100 calls.
 * @param opts { cache, onCache }: see {@link Fig3RunOptions} (default: no cache).
 */
export function runFig3High(
  config: Fig3Config = fig3Config("paper"),
  onProgress?: (done: number, total: number) => void,
  opts: Fig3RunOptions = {},
): Fig3HighData {
  validateFig3Config(config);
  requireProgress(onProgress);
  return throughCache("fig3High", config, "low", config.high.epochs, opts, onProgress, (): Fig3HighData => ({ config, ...runFastWatch(config, config.high, onProgress) }));
}

/** Options of {@link runFig3}. */
export interface Fig3Options {
  /** Progress over both runs: (epochs done, low.epochs + high.epochs). */
  onProgress?: (done: number, total: number) => void;
  /** Result cache of each half: see {@link Fig3RunOptions.cache} (default: no cache). */
  cache?: boolean | CacheOptions;
}

/** Runs both halves of Fig 3 (see {@link runFig3Low}, {@link runFig3High}), each cached if `opts.cache` says so. */
export function runFig3(config: Fig3Config = fig3Config("paper"), opts: Fig3Options = {}): Fig3Data {
  validateFig3Config(config);
  const o = requireOptions<Fig3Options>("opts", opts, ["onProgress", "cache"]);
  requireProgress(o.onProgress);
  const total = config.low.epochs + config.high.epochs;
  const cb = o.onProgress;
  const low = runFig3Low(config, cb ? (d) => cb(d, total) : undefined, { cache: o.cache });
  const high = runFig3High(config, cb ? (d) => cb(config.low.epochs + d, total) : undefined, { cache: o.cache });
  cb?.(total, total);
  return { config, low, high };
}

// ---- the same on worker threads: both halves side by side -------------------------------------------------------

/** Options of {@link runFig3LowAsync} / {@link runFig3HighAsync}: those of the synchronous runs, plus where to compute. */
export interface Fig3AsyncRunOptions extends Fig3RunOptions {
  /**
   * Compute on a worker thread (engine.runInWorker), keeping this thread free (progress bars, the other half):
   * default true when the compiled library's worker script exists (`npm run build`); false, or running from
   * TypeScript source, computes in this thread. The result is the same, bit for bit, either way.
   */
  worker?: boolean;
  /** Aborts a run on a worker thread (the worker is terminated; the promise rejects with an AbortError). */
  signal?: AbortSignal;
}

/** The shared setup of both runs (the runner config's `setup`). */
function watchSetup(config: Fig3Config): FlowWatchSetup {
  return { size: config.size, confidence: config.confidence, horizon: config.horizon, kappaGrid: config.kappaGrid, displayWindow: config.displayWindow };
}

function asyncRunOptions(opts: unknown): { worker: boolean; signal?: AbortSignal; cacheOpts: Fig3RunOptions } {
  const o = requireOptions<Fig3AsyncRunOptions>("opts", opts, ["cache", "onCache", "worker", "signal"]);
  if (o.worker !== undefined && typeof o.worker !== "boolean") throw new GhostError("opts.worker", o.worker, "true, false or undefined");
  return { worker: (o.worker ?? true) && workerThreadsAvailable(), signal: o.signal, cacheOpts: { cache: o.cache, onCache: o.onCache } };
}

/**
 * {@link throughCache} for an asynchronous computation: the same cache key, files and results (engine.cachedRunAsync
 * is cachedRun's twin), so the synchronous and asynchronous runs share their cached results.
 */
async function throughCacheAsync<D extends { config: Fig3Config }>(
  name: string, config: Fig3Config, omit: "low" | "high", epochs: number, opts: Fig3RunOptions,
  onProgress: ((done: number, total: number) => void) | undefined, compute: () => Promise<D>,
): Promise<D> {
  const { cache, onCache } = fig3RunOptions(opts);
  if (cache === false) return compute();
  const key: Partial<Fig3Config> = { ...config };
  delete key[omit];
  const r = await cachedRunAsync(name, `${FIG3_RUNNER_VERSION}+kernels-${kernelMode()}`, key, cache, compute);
  if (r.cached) onProgress?.(epochs, epochs);
  onCache?.({ cached: r.cached, corrupt: r.corrupt, cacheDir: r.cacheDir, elapsedMs: r.elapsedMs });
  return { ...r.result, config };
}

/**
 * One watched run on a worker thread ("rankOneSlowWatch" / "rankOneFastWatch", protocols/runners.ts), with this
 * thread's kernel mode passed on (a worker reads GHOST_KERNELS, not setKernelMode), so it computes what
 * runSlowWatch / runFastWatch compute here. The result went through the exact JSON encoding (as a cache hit does).
 */
async function inWorker<R>(runner: string, config: Fig3Config, run: SlowRunConfig | FastRunConfig, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<R> {
  return runInWorker<R>({ runner, config: { setup: watchSetup(config), run }, onProgress, env: { GHOST_KERNELS: kernelMode() }, signal });
}

/**
 * {@link runFig3Low} computed on a worker thread (see {@link Fig3AsyncRunOptions.worker}): the same data, bit for bit,
 * and the same cache entries. @param onProgress (epochs done, total epochs). @param opts cache, onCache, worker, signal.
 */
export async function runFig3LowAsync(
  config: Fig3Config = fig3Config("paper"),
  onProgress?: (done: number, total: number) => void,
  opts: Fig3AsyncRunOptions = {},
): Promise<Fig3LowData> {
  validateFig3Config(config);
  requireProgress(onProgress);
  const { worker, signal, cacheOpts } = asyncRunOptions(opts);
  if (!worker) return runFig3Low(config, onProgress, cacheOpts);
  return throughCacheAsync("fig3Low", config, "high", config.low.epochs, cacheOpts, onProgress,
    async (): Promise<Fig3LowData> => ({ config, ...(await inWorker<SlowRunData>("rankOneSlowWatch", config, config.low, onProgress, signal)) }));
}

/**
 * {@link runFig3High} computed on a worker thread (see {@link Fig3AsyncRunOptions.worker}): the same data, bit for
 * bit, and the same cache entries. @param onProgress (epochs done, epoch budget). @param opts cache, onCache, worker, signal.
 */
export async function runFig3HighAsync(
  config: Fig3Config = fig3Config("paper"),
  onProgress?: (done: number, total: number) => void,
  opts: Fig3AsyncRunOptions = {},
): Promise<Fig3HighData> {
  validateFig3Config(config);
  requireProgress(onProgress);
  const { worker, signal, cacheOpts } = asyncRunOptions(opts);
  if (!worker) return runFig3High(config, onProgress, cacheOpts);
  return throughCacheAsync("fig3High", config, "low", config.high.epochs, cacheOpts, onProgress,
    async (): Promise<Fig3HighData> => ({ config, ...(await inWorker<FastRunData>("rankOneFastWatch", config, config.high, onProgress, signal)) }));
}

/** Options of {@link runFig3Async}. */
export interface Fig3AsyncOptions extends Fig3Options {
  /**
   * Threads: 2 or more runs the two halves side by side on two worker threads (this thread only waits and reports
   * progress); 1 runs them one after the other in this thread (as {@link runFig3}). Default: engine.defaultWorkerCount()
   * ($GHOST_WORKERS or the number of cores). Without the compiled worker script (running from source): 1.
   */
  workers?: number;
  /** Aborts the runs on worker threads (AbortError). */
  signal?: AbortSignal;
}

/**
 * Both halves of Fig 3 at once, each on its own worker thread (two cores: the wall time of the longer half instead
 * of the sum), each cached if `opts.cache` says so. The data equal {@link runFig3}'s bit for bit (each half is a pure
 * function of its config; the results cross the thread boundary in exact JSON, as cache hits do), and the cache
 * entries are the same ones. Progress: (epochs done in both runs, low.epochs + high.epochs).
 */
export async function runFig3Async(config: Fig3Config = fig3Config("paper"), opts: Fig3AsyncOptions = {}): Promise<Fig3Data> {
  validateFig3Config(config);
  const o = requireOptions<Fig3AsyncOptions>("opts", opts, ["onProgress", "cache", "workers", "signal"]);
  requireProgress(o.onProgress);
  const workers = o.workers === undefined ? defaultWorkerCount() : requireInteger("opts.workers", o.workers, 1, 256);
  if (workers < 2 || !workerThreadsAvailable()) return runFig3(config, { onProgress: o.onProgress, cache: o.cache });
  const total = config.low.epochs + config.high.epochs;
  const cb = o.onProgress;
  let doneLow = 0, doneHigh = 0;
  const report = cb ? () => cb(Math.min(total, doneLow + doneHigh), total) : undefined;
  const [low, high] = await Promise.all([
    runFig3LowAsync(config, report ? (d) => { doneLow = d; report(); } : undefined, { cache: o.cache, worker: true, signal: o.signal }),
    runFig3HighAsync(config, report ? (d) => { doneHigh = d; report(); } : undefined, { cache: o.cache, worker: true, signal: o.signal }),
  ]);
  cb?.(total, total);
  return { config, low, high };
}
