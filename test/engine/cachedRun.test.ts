/**
 * engine.cachedRun (one computation through the result cache, in the calling thread) and its use by Fig 3
 * (runFig3Low / runFig3High / runFig3 with `cache`): a second call returns the stored result without computing,
 * bit for bit the value the first call returned; refresh / bypass / damaged files / changed configs behave as
 * documented; bad arguments are refused before any work.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GhostError } from "../../src/core/errors";
import { encodeJson } from "../../src/core/io";
import { cacheFilePath, cacheInfo, cacheKey, cachedRun, cachedRunAsync, resolveCacheOptions } from "../../src/engine/cache";
import { runSweepSync } from "../../src/engine/sweep";
import { fig3Config, Fig3CacheInfo, Fig3Config, runFig3, runFig3High, runFig3Low } from "../../src/figures/fig3";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-cachedrun-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function thrown(fn: () => unknown): GhostError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GhostError) return e;
    throw new Error(`expected a GhostError, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
  }
  throw new Error("expected a GhostError, nothing was thrown");
}

/** A value with every number kind the exact encoding must keep: −0, NaN, ±Inf, a typed array, nesting. */
function awkwardValue(seed: number) {
  return { seed, zero: -0, nan: NaN, inf: -Infinity, tiny: 5e-324, arr: Float64Array.from([0.1, -0, 1 / 3]), nested: { s: "x", n: null, b: true } };
}

describe("cachedRun", () => {
  test("miss computes and stores; hit returns the identical value without computing; cacheInfo counts it", () => {
    const dir = path.join(tmp, "basic");
    let calls = 0;
    const compute = () => (calls++, awkwardValue(7));
    const first = cachedRun("unitTest", "1", { seed: 7 }, { dir }, compute);
    expect(first).toMatchObject({ cached: false, corrupt: false, cacheDir: path.resolve(dir) });
    expect(calls).toBe(1);
    expect(fs.existsSync(cacheFilePath(path.resolve(dir), "unitTest", cacheKey("unitTest", "1", { seed: 7 })))).toBe(true);
    // The computed result already went through the exact JSON round trip: typed arrays are arrays, −0 and NaN kept.
    expect(Array.isArray(first.result.arr)).toBe(true);
    expect(Object.is(first.result.zero, -0)).toBe(true);
    expect(Object.is(first.result.arr[1], -0)).toBe(true);
    expect(Number.isNaN(first.result.nan)).toBe(true);
    expect(first.result.tiny).toBe(5e-324);

    const second = cachedRun("unitTest", "1", { seed: 7 }, { dir }, compute);
    expect(calls).toBe(1);
    expect(second.cached).toBe(true);
    expect(second.elapsedMs).toBe(first.elapsedMs);
    expect(encodeJson(second.result)).toBe(encodeJson(first.result));
    expect(cacheInfo({ dir }).runners).toEqual([expect.objectContaining({ runner: "unitTest", entries: 1 })]);
  });

  test("cachedRunAsync is cachedRun's twin: same key and file, same round trip; each reads what the other stored", async () => {
    const dir = path.join(tmp, "async");
    let calls = 0;
    const compute = () => (calls++, awkwardValue(8));
    const a = await cachedRunAsync("unitTest", "1", { seed: 8 }, { dir }, async () => compute());
    expect(a).toMatchObject({ cached: false, corrupt: false, cacheDir: path.resolve(dir) });
    expect(Object.is(a.result.arr[1], -0)).toBe(true);
    const b = cachedRun("unitTest", "1", { seed: 8 }, { dir }, compute);
    expect(b.cached).toBe(true);
    expect(encodeJson(b.result)).toBe(encodeJson(a.result));
    const c = cachedRun("unitTest", "1", { seed: 9 }, { dir }, () => awkwardValue(9));
    const d = await cachedRunAsync("unitTest", "1", { seed: 9 }, { dir }, async () => { throw new Error("not called"); });
    expect(d.cached).toBe(true);
    expect(encodeJson(d.result)).toBe(encodeJson(c.result));
    expect(calls).toBe(1);
    await expect(cachedRunAsync("unitTest", "", {}, { dir }, compute)).rejects.toMatchObject({ parameter: "runnerVersion" });
    await expect(cachedRunAsync("unitTest", "1", { seed: 10 }, { dir }, async () => { throw new Error("boom"); })).rejects.toThrow("boom");
    expect(fs.existsSync(cacheFilePath(path.resolve(dir), "unitTest", cacheKey("unitTest", "1", { seed: 10 })))).toBe(false);
  });

  test("another config, runner version or runner is another entry", () => {
    const dir = path.join(tmp, "keys");
    let calls = 0;
    const compute = () => ++calls;
    cachedRun("unitTest", "1", { seed: 1 }, { dir }, compute);
    cachedRun("unitTest", "1", { seed: 2 }, { dir }, compute);
    cachedRun("unitTest", "2", { seed: 1 }, { dir }, compute);
    cachedRun("otherTest", "1", { seed: 1 }, { dir }, compute);
    expect(calls).toBe(4);
    expect(cachedRun("unitTest", "1", { seed: 2 }, { dir }, compute)).toMatchObject({ cached: true, result: 2 });
    expect(calls).toBe(4);
  });

  test("mode refresh recomputes and overwrites; bypass (or cache false) computes and writes nothing", () => {
    const dir = path.join(tmp, "modes");
    let calls = 0;
    const compute = () => ++calls;
    cachedRun("unitTest", "1", {}, { dir }, compute);
    expect(cachedRun("unitTest", "1", {}, { dir, mode: "refresh" }, compute)).toMatchObject({ cached: false, result: 2 });
    expect(cachedRun("unitTest", "1", {}, { dir }, compute)).toMatchObject({ cached: true, result: 2 });
    const other = path.join(tmp, "bypassed");
    expect(cachedRun("unitTest", "1", {}, { dir: other, mode: "bypass" }, compute)).toMatchObject({ cached: false, cacheDir: null, result: 3 });
    expect(cachedRun("unitTest", "1", {}, false, compute)).toMatchObject({ cached: false, cacheDir: null, result: 4 });
    expect(fs.existsSync(other)).toBe(false);
  });

  test("a damaged or truncated cache file is never used: recomputed, reported corrupt, overwritten", () => {
    const dir = path.join(tmp, "damaged");
    let calls = 0;
    const compute = () => (calls++, awkwardValue(3));
    const first = cachedRun("unitTest", "1", { seed: 3 }, { dir }, compute);
    const file = cacheFilePath(path.resolve(dir), "unitTest", cacheKey("unitTest", "1", { seed: 3 }));
    const text = fs.readFileSync(file, "utf8");
    const at = text.indexOf('"seed":3') + 7;
    fs.writeFileSync(file, text.slice(0, at) + "4" + text.slice(at + 1)); // one digit changed: checksum mismatch
    const again = cachedRun("unitTest", "1", { seed: 3 }, { dir }, compute);
    expect(again).toMatchObject({ cached: false, corrupt: true });
    expect(calls).toBe(2);
    expect(encodeJson(again.result)).toBe(encodeJson(first.result));
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").slice(0, 100)); // truncated
    expect(cachedRun("unitTest", "1", { seed: 3 }, { dir }, compute)).toMatchObject({ cached: false, corrupt: true });
    expect(cachedRun("unitTest", "1", { seed: 3 }, { dir }, compute)).toMatchObject({ cached: true, corrupt: false });
    expect(calls).toBe(3);
  });

  test("a computation that throws stores nothing and the error reaches the caller", () => {
    const dir = path.join(tmp, "throws");
    expect(() => cachedRun("unitTest", "1", {}, { dir }, () => { throw new RangeError("boom"); })).toThrow("boom");
    expect(cacheInfo({ dir }).totalEntries).toBe(0);
  });

  test("bad arguments: a GhostError naming the parameter, before compute runs", () => {
    const dir = path.join(tmp, "bad");
    let calls = 0;
    const compute = () => ++calls;
    expect(thrown(() => cachedRun("no spaces", "1", {}, { dir }, compute)).parameter).toBe("runner");
    expect(thrown(() => cachedRun("unitTest", "", {}, { dir }, compute)).parameter).toBe("runnerVersion");
    expect(thrown(() => cachedRun("unitTest", "1", {}, { dir }, 42 as never)).parameter).toBe("compute");
    expect(thrown(() => cachedRun("unitTest", "1", {}, { dir, mode: "sometimes" as never }, compute)).parameter).toBe("cache.mode");
    expect(thrown(() => cachedRun("unitTest", "1", {}, { dirr: dir } as never, compute)).parameter).toBe("cache.dirr");
    expect(thrown(() => cachedRun("unitTest", "1", {}, "yes" as never, compute)).parameter).toBe("cache");
    expect(thrown(() => cachedRun("unitTest", "1", { f: () => 1 }, { dir }, compute))).toBeInstanceOf(GhostError);
    expect(calls).toBe(0);
    expect(thrown(() => cachedRun("unitTest", "1", {}, { dir }, (() => Promise.resolve(1)) as never)).parameter).toBe("compute");
    expect(cacheInfo({ dir }).totalEntries).toBe(0);
  });
});

describe("resolveCacheOptions (shared by sweeps and cachedRun)", () => {
  test("false bypasses; undefined, true and {} use the default directory; dir is made absolute", () => {
    expect(resolveCacheOptions(false)).toEqual({ mode: "bypass", dir: null });
    const saved = process.env.GHOST_CACHE_DIR;
    process.env.GHOST_CACHE_DIR = path.join(tmp, "default");
    try {
      for (const c of [undefined, true, {}]) expect(resolveCacheOptions(c)).toEqual({ mode: "use", dir: path.join(tmp, "default") });
    } finally {
      if (saved === undefined) delete process.env.GHOST_CACHE_DIR;
      else process.env.GHOST_CACHE_DIR = saved;
    }
    expect(resolveCacheOptions({ dir: "rel", mode: "refresh" })).toEqual({ mode: "refresh", dir: path.resolve("rel") });
    expect(resolveCacheOptions({ dir: "rel", mode: "bypass" })).toEqual({ mode: "bypass", dir: null });
  });

  test("a sweep refuses a bad cache argument with a GhostError naming it (no TypeError, no default used)", () => {
    const run = (cache: unknown) => () => runSweepSync({ runner: "selfTest", configs: [{ seed: 1, count: 2 }], cache: cache as never });
    expect(thrown(run({ dir: 5 })).parameter).toBe("cache.dir");
    expect(thrown(run({ mod: "use" })).parameter).toBe("cache.mod");
    expect(thrown(run({ mode: "often" })).parameter).toBe("cache.mode");
    expect(thrown(run("yes")).parameter).toBe("cache");
  });

  test("the name argument must be a non-empty string (a Symbol was a TypeError; found by GHOST_FC_SEED=random)", () => {
    for (const name of [Symbol("s"), "", 5, null]) expect(thrown(() => resolveCacheOptions(undefined, name as never)).parameter).toBe("name");
    expect(thrown(() => resolveCacheOptions({ mode: "x" }, "opts.cache")).parameter).toBe("opts.cache.mode");
  });
});

// Fig 3 through the cache. Short runs (jest runs the numerics ~10× slower than node): a 1500-epoch low-lr run and
// a 30-epoch high-lr run.
const paper = fig3Config("paper");
const small: Fig3Config = {
  ...paper,
  low: { ...paper.low, epochs: 1500, snapshotEvery: 500, flowPanelEpochs: [0, 500, 1000], plotBuckets: 100 },
  high: { ...paper.high, epochs: 30, analysisStart: 0 },
};

describe("Fig 3 with a result cache", () => {
  const dir = path.join(tmp, "fig3");
  const withoutTimings = <T extends { timings: unknown }>(d: T) => encodeJson({ ...d, timings: null });

  test("runFig3Low: the second call is a hit (one progress call at the end) equal bit for bit to the first; both equal an uncached run", () => {
    const infos: Fig3CacheInfo[] = [];
    const progress1: number[] = [];
    const first = runFig3Low(small, (d) => progress1.push(d), { cache: { dir }, onCache: (i) => infos.push(i) });
    expect(progress1.length).toBeGreaterThan(1);
    const progress2: [number, number][] = [];
    const second = runFig3Low(small, (d, t) => progress2.push([d, t]), { cache: { dir }, onCache: (i) => infos.push(i) });
    expect(infos.map((i) => i.cached)).toEqual([false, true]);
    expect(infos[1].elapsedMs).toBe(infos[0].elapsedMs);
    expect(progress2).toEqual([[1500, 1500]]);
    expect(encodeJson(second)).toBe(encodeJson(first)); // timings included: they are the stored run's
    expect(withoutTimings(runFig3Low(small))).toBe(withoutTimings(first));
  });

  test("runFig3High likewise; runFig3 then takes both halves from the cache; another config misses", () => {
    const infos: boolean[] = [];
    const first = runFig3High(small, undefined, { cache: { dir }, onCache: (i) => infos.push(i.cached) });
    const second = runFig3High(small, undefined, { cache: { dir }, onCache: (i) => infos.push(i.cached) });
    expect(infos).toEqual([false, true]);
    expect(encodeJson(second)).toBe(encodeJson(first));
    expect(withoutTimings(runFig3High(small))).toBe(withoutTimings(first));
    const before = cacheInfo({ dir }).totalEntries;
    const progress: [number, number][] = [];
    const both = runFig3(small, { cache: { dir }, onProgress: (d, t) => progress.push([d, t]) });
    expect(encodeJson(both.high)).toBe(encodeJson(first));
    expect(cacheInfo({ dir }).totalEntries).toBe(before); // nothing new computed
    expect(progress[progress.length - 1]).toEqual([1530, 1530]);
    // Editing the high-lr run misses for it but keeps the low-lr result (its key leaves out the other half), and
    // the data carries the caller's whole config; editing a shared field misses for both.
    const other: Fig3Config = { ...small, high: { ...small.high, seed: 41 } };
    runFig3High(other, undefined, { cache: { dir }, onCache: (i) => infos.push(i.cached) });
    expect(infos[infos.length - 1]).toBe(false);
    const lowAgain = runFig3Low(other, undefined, { cache: { dir }, onCache: (i) => infos.push(i.cached) });
    expect(infos[infos.length - 1]).toBe(true);
    expect(lowAgain.config).toBe(other);
    expect(encodeJson({ ...lowAgain, config: null })).toBe(encodeJson({ ...both.low, config: null }));
    runFig3High({ ...small, confidence: 5 }, undefined, { cache: { dir }, onCache: (i) => infos.push(i.cached) });
    expect(infos[infos.length - 1]).toBe(false);
  });

  test("cache false / omitted reads and writes nothing; bad options are refused naming the option", () => {
    const none = path.join(tmp, "fig3-none");
    const saved = process.env.GHOST_CACHE_DIR;
    process.env.GHOST_CACHE_DIR = none; // where the default cache would go
    try {
      runFig3High(small, undefined, { cache: false });
      runFig3High(small);
      expect(fs.existsSync(none)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.GHOST_CACHE_DIR;
      else process.env.GHOST_CACHE_DIR = saved;
    }
    expect(thrown(() => runFig3High(small, undefined, { cache: { dir: none, mode: "x" as never } })).parameter).toBe("cache.mode");
    expect(thrown(() => runFig3High(small, undefined, { cach: true } as never)).parameter).toBe("opts.cach");
    expect(thrown(() => runFig3High(small, undefined, { cache: { dri: none } } as never)).parameter).toBe("opts.cache.dri");
    expect(thrown(() => runFig3High(small, undefined, { onCache: 3 } as never)).parameter).toBe("opts.onCache");
    expect(thrown(() => runFig3Low(small, "progress" as never)).parameter).toBe("onProgress");
    expect(thrown(() => runFig3(small, { cache: true, extra: 1 } as never)).parameter).toBe("opts.extra");
    expect(fs.existsSync(none)).toBe(false);
  });
});
