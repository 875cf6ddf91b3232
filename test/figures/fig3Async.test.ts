/**
 * Fig 3's two runs side by side on worker threads (figures.runFig3Async, runFig3LowAsync, runFig3HighAsync;
 * engine.runInWorker, engine.cachedRunAsync): the same data as the sequential runFig3, bit for bit; progress from
 * both runs; the same cache entries; the caller's kernel mode reaches the workers. Worker threads run the compiled
 * library, so these tests import dist/ (a guard fails loudly when dist/ is older than the sources); the last test
 * checks the fallback from source.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as Figures from "../../src/figures";
import type * as Engine from "../../src/engine";
import type * as Kernels from "../../src/kernels";
import type * as CoreIo from "../../src/core/io";
import * as srcFigures from "../../src/figures";
import * as srcIo from "../../src/core/io";

const root = path.resolve(__dirname, "..", "..");
const dist = path.join(root, "dist");
for (const [src, out] of [
  ["src/figures/fig3.ts", "dist/figures/fig3.js"], ["src/engine/worker.ts", "dist/engine/worker.js"], ["src/engine/sweepWorker.ts", "dist/engine/sweepWorker.js"],
  ["src/engine/cache.ts", "dist/engine/cache.js"], ["src/protocols/runners.ts", "dist/protocols/runners.js"], ["src/protocols/rankOneWatch.ts", "dist/protocols/rankOneWatch.js"],
  ["src/models/lowRankRnn.ts", "dist/models/lowRankRnn.js"],
]) {
  const o = path.join(root, out);
  if (!fs.existsSync(o) || fs.statSync(o).mtimeMs < fs.statSync(path.join(root, src)).mtimeMs) {
    throw new Error(`${out} is missing or older than ${src}: run \`npm run build\` before these tests`);
  }
}
/* eslint-disable @typescript-eslint/no-require-imports */
const figures: typeof Figures = require(path.join(dist, "figures"));
const engine: typeof Engine = require(path.join(dist, "engine"));
const kernels: typeof Kernels = require(path.join(dist, "kernels"));
const io: typeof CoreIo = require(path.join(dist, "core", "io"));
/* eslint-enable @typescript-eslint/no-require-imports */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-fig3async-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterEach(() => kernels.setKernelMode(undefined));

const paper = figures.fig3Config("ci");
/** Small but complete: a low-lr run with snapshots and checks; a high-lr run through the saddle-node event and its replay. */
const small: Figures.Fig3Config = {
  ...paper,
  low: { ...paper.low, epochs: 1500, snapshotEvery: 500, flowPanelEpochs: [0, 500, 1000], plotBuckets: 100 },
  high: { ...paper.high, epochs: 6000, analysisStart: 4700, stopAfterEvent: 20 },
};
const withoutTimings = (d: { low: { timings: unknown }; high: { timings: unknown } }) =>
  io.encodeJson({ low: { ...d.low, timings: null }, high: { ...d.high, timings: null } });

describe("runFig3Async: both halves on worker threads, the same data as runFig3", () => {
  let sequential: Figures.Fig3Data;
  beforeAll(() => { sequential = figures.runFig3(small); });

  test("bit for bit equal to the sequential runs (exact JSON, timings aside); progress covers both runs and ends at the total", async () => {
    expect(engine.workerThreadsAvailable()).toBe(true);
    const progress: [number, number][] = [];
    const parallel = await figures.runFig3Async(small, { workers: 2, onProgress: (d, t) => progress.push([d, t]) });
    expect(sequential.high.saddleNode).not.toBeNull(); // the comparison covers the event and its replayed flows
    expect(withoutTimings(parallel)).toBe(withoutTimings(sequential));
    expect(parallel.config).toBe(small);
    const total = small.low.epochs + small.high.epochs;
    expect(progress[progress.length - 1]).toEqual([total, total]);
    for (let i = 1; i < progress.length; i++) expect(progress[i][0]).toBeGreaterThanOrEqual(progress[i - 1][0]);
    // more calls than either run makes alone (≤ ~100 each): both runs reported
    expect(progress.length).toBeGreaterThan(101);
  });

  test("each half on its own: progress forwarded from the worker (done, the run's epochs)", async () => {
    const lowProgress: [number, number][] = [], highProgress: [number, number][] = [];
    const [low, high] = await Promise.all([
      figures.runFig3LowAsync(small, (d, t) => lowProgress.push([d, t])),
      figures.runFig3HighAsync(small, (d, t) => highProgress.push([d, t])),
    ]);
    expect(lowProgress.length).toBeGreaterThan(10);
    expect(lowProgress.every(([, t]) => t === small.low.epochs)).toBe(true);
    expect(lowProgress[lowProgress.length - 1][0]).toBe(small.low.epochs);
    expect(highProgress.length).toBeGreaterThan(10);
    expect(highProgress.every(([, t]) => t === small.high.epochs)).toBe(true);
    expect(withoutTimings({ low, high })).toBe(withoutTimings(sequential));
  });

  test("the same cache entries as the synchronous runs, in both directions", async () => {
    const dir = path.join(tmp, "cache");
    const infos: boolean[] = [];
    const a = await figures.runFig3LowAsync(small, undefined, { cache: { dir }, onCache: (i) => infos.push(i.cached) });
    const b = figures.runFig3Low(small, undefined, { cache: { dir }, onCache: (i) => infos.push(i.cached) });
    expect(infos).toEqual([false, true]);
    expect(io.encodeJson(b)).toBe(io.encodeJson(a));
    const c = figures.runFig3High(small, undefined, { cache: { dir }, onCache: (i) => infos.push(i.cached) });
    const d = await figures.runFig3HighAsync(small, undefined, { cache: { dir }, onCache: (i) => infos.push(i.cached) });
    expect(infos).toEqual([false, true, false, true]);
    expect(io.encodeJson(d)).toBe(io.encodeJson(c));
    const before = engine.cacheInfo({ dir }).totalEntries;
    const progress: [number, number][] = [];
    const both = await figures.runFig3Async(small, { cache: { dir }, workers: 2, onProgress: (x, t) => progress.push([x, t]) });
    expect(engine.cacheInfo({ dir }).totalEntries).toBe(before);
    expect(io.encodeJson(both.low)).toBe(io.encodeJson(a));
    expect(progress[progress.length - 1]).toEqual([small.low.epochs + small.high.epochs, small.low.epochs + small.high.epochs]);
  });

  test("the caller's kernel mode (setKernelMode) reaches the worker threads", async () => {
    kernels.setKernelMode("js");
    const cfg: Figures.Fig3Config = { ...small, low: { ...small.low, epochs: 600, snapshotEvery: 200, flowPanelEpochs: [0, 200, 400] } };
    const js = figures.runFig3Low(cfg);
    const jsWorker = await figures.runFig3LowAsync(cfg);
    expect(io.encodeJson({ ...jsWorker, timings: null })).toBe(io.encodeJson({ ...js, timings: null }));
    kernels.setKernelMode("wasm");
    const wasmWorker = await figures.runFig3LowAsync(cfg);
    expect(io.encodeJson({ ...wasmWorker, timings: null })).not.toBe(io.encodeJson({ ...js, timings: null }));
  });

  test("workers: 1 (or no compiled worker) runs runFig3 in this thread; bad options are refused by name", async () => {
    const cfg: Figures.Fig3Config = { ...small, high: { ...small.high, epochs: 30, analysisStart: 0, stopAfterEvent: null } };
    const one = await figures.runFig3Async(cfg, { workers: 1 });
    expect(withoutTimings(one)).toBe(withoutTimings(figures.runFig3(cfg)));
    // from TypeScript source there is no worker script: the same call falls back to the sequential runs
    const fromSource = await srcFigures.runFig3Async(cfg, { workers: 2 });
    expect(srcIo.encodeJson({ low: { ...fromSource.low, timings: null }, high: { ...fromSource.high, timings: null } })).toBe(withoutTimings(one));
    await expect(figures.runFig3Async(cfg, { workerz: 2 } as never)).rejects.toMatchObject({ parameter: "opts.workerz" });
    await expect(figures.runFig3Async(cfg, { workers: 0 })).rejects.toMatchObject({ parameter: "opts.workers" });
    await expect(figures.runFig3LowAsync(cfg, undefined, { worker: "yes" } as never)).rejects.toMatchObject({ parameter: "opts.worker" });
  });
});

describe("engine.runInWorker", () => {
  test("a run equals the same run in this thread after the exact JSON round trip; errors and aborts", async () => {
    const config = { seed: 3, count: 20, iterations: 50 };
    const here = io.decodeJson(io.encodeJson(engine.runSelfTest(config)));
    expect(io.encodeJson(await engine.runInWorker({ runner: "selfTest", config }))).toBe(io.encodeJson(here));
    await expect(engine.runInWorker({ runner: "noSuchRunner", config })).rejects.toMatchObject({ parameter: "runner" });
    await expect(engine.runInWorker({ runner: "selfTest", config: { seed: -1, count: 1 } })).rejects.toMatchObject({ parameter: "seed" });
    await expect(engine.runInWorker({ runner: "selfTest", config: { seed: 1, count: 1, fail: true } })).rejects.toThrow(/selfTest was asked to fail/);
    const ac = new AbortController();
    const p = engine.runInWorker({ runner: "selfTest", config: { seed: 1, count: 1, sleepMs: 20000 }, signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    await expect(p).rejects.toMatchObject({ name: "AbortError" });
  });
});
