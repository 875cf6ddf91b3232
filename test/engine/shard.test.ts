/**
 * Sharded sweeps (engine/shard.ts): the deterministic cost-balanced split, shards computing into one cache,
 * assembly from the cache (bit-identical to an unsharded run, also through a figure), missing-run reports,
 * status, resuming a killed shard, and the option checks. Serial (workers: 1) from source.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  assignShards, cacheFilePath, cacheKey, formatIndexList, isSweepStopped, parseShard, registerRunner, runSweep, runSweepSync,
  SelfTestConfig, SelfTestResult, ShardReport, SweepStopped,
} from "../../src/engine";
import { fig4Config, runFig4 } from "../../src/figures/fig4";
import { figS1Config, runFigS1 } from "../../src/figures/figS1";
import { bits } from "../bits";

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-shard-"));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The SweepStopped a sweep rejects with (fails the test if it resolves or rejects otherwise). */
async function stopped(p: Promise<unknown>): Promise<SweepStopped> {
  try {
    await p;
  } catch (e) {
    if (isSweepStopped(e)) return e;
    throw e;
  }
  throw new Error("the sweep resolved; a SweepStopped was expected");
}

const configs: SelfTestConfig[] = Array.from({ length: 13 }, (_, seed) => ({ seed, count: 3 + (seed % 4), iterations: 50 * (1 + (seed % 5)) }));

describe("assignShards / parseShard", () => {
  test("longest runs first onto the least-loaded shard: deterministic and balanced", () => {
    const costs = [5, 1, 1, 1, 1, 1, 4, 3, 3];
    const a = assignShards(costs, 3);
    expect(a).toEqual(assignShards([...costs], 3));
    const load = [0, 0, 0];
    a.forEach((s, k) => (load[s] += costs[k]));
    expect(load).toEqual([7, 6, 7]);
    expect(assignShards([1, 1, 1, 1], 1)).toEqual([0, 0, 0, 0]);
    // equal costs: round-robin by position, every shard gets work
    expect(assignShards([2, 2, 2, 2, 2], 3)).toEqual([0, 1, 2, 0, 1]);
    // more shards than runs: the extra shards are empty
    expect(assignShards([1, 3], 4)).toEqual([1, 0]);
  });

  test("bad arguments are GhostErrors naming them", () => {
    expect(() => assignShards([1, NaN], 2)).toThrow(/costs\[1\]/);
    expect(() => assignShards([1, -1], 2)).toThrow(/costs\[1\]/);
    expect(() => assignShards([1], 0)).toThrow(/count/);
    expect(parseShard("--shard", "2/8")).toEqual({ index: 2, count: 8 });
    expect(() => parseShard("--shard", "8/8")).toThrow(/--shard.*\[0, 7\]/);
    expect(() => parseShard("--shard", "1/0")).toThrow(/count n in \[1, 100000\]/);
    expect(() => parseShard("--shard", "a/b")).toThrow(/"i\/n"/);
    expect(formatIndexList([0, 1, 2, 5, 7, 8])).toBe("0-2,5,7-8");
  });
});

describe("sharded sweeps", () => {
  test("shards compute disjoint slices; assembly from the cache equals the unsharded sweep bit for bit", async () => {
    const cache = { dir: tmp };
    const serial = runSweepSync<SelfTestConfig, SelfTestResult>({ runner: "selfTest", configs, cache: false });
    const reports: ShardReport[] = [];
    for (let i = 0; i < 3; i++) {
      const e = await stopped(runSweep({ runner: "selfTest", configs, cache, workers: 1, shard: { index: i, count: 3 } }));
      expect(e.reason).toBe("shard-done");
      reports.push(e.report);
    }
    expect(reports.map((r) => r.computed).reduce((a, b) => a + b)).toBe(configs.length);
    reports.forEach((r, i) => expect(r.shards).toEqual([expect.objectContaining({ index: i, done: r.computed, total: r.computed })]));
    // cost-balanced: no shard carries more than the largest run above the mean
    const costs = configs.map((c) => c.count * ((c.iterations ?? 100) + 1));
    const loads = reports.map((r) => r.shards[0].cost);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(Math.max(...costs));
    // a shard run again computes nothing (requeue-safe)
    const again = await stopped(runSweep({ runner: "selfTest", configs, cache, workers: 1, shard: { index: 1, count: 3 } }));
    expect(again.report.computed).toBe(0);
    const assembled = await runSweep<SelfTestConfig, SelfTestResult>({ runner: "selfTest", configs, cache, action: "fromCache", shard: { count: 3 } });
    expect(bits(assembled)).toBe(bits(serial));
    const status = await stopped(runSweep({ runner: "selfTest", configs, cache, action: "status", shard: { count: 3 } }));
    expect(status.reason).toBe("status");
    expect(status.report.missing).toBe(0);
    expect(status.report.shards.map((s) => s.done)).toEqual(reports.map((r) => r.computed));
  });

  test("from-cache with runs missing says how many and which shards hold them, and computes nothing", async () => {
    const cache = { dir: tmp };
    await stopped(runSweep({ runner: "selfTest", configs, cache, workers: 1, shard: { index: 0, count: 4 } }));
    await stopped(runSweep({ runner: "selfTest", configs, cache, workers: 1, shard: { index: 2, count: 4 } }));
    const before = fs.readdirSync(path.join(tmp, "selfTest")).length;
    const e = await stopped(runSweep({ runner: "selfTest", configs, cache, action: "fromCache", shard: { count: 4 } }));
    expect(e.reason).toBe("missing");
    expect(e.report.missingShards).toEqual([1, 3]);
    expect(e.report.missing).toBe(configs.length - before);
    expect(e.message).toMatch(new RegExp(`${e.report.missing} of 13 runs are not in the cache.*shards 1,3 of 4`));
    expect(fs.readdirSync(path.join(tmp, "selfTest")).length).toBe(before);
    // without a layout, every missing run is in "shard 0 of 1"
    const one = await stopped(runSweep({ runner: "selfTest", configs, cache, action: "fromCache" }));
    expect(one.report.missingShards).toEqual([0]);
    expect(() => runSweepSync({ runner: "selfTest", configs, cache, action: "status", shard: { count: 4 } })).toThrow(/runs done over 4 shards; missing in 1,3/);
  });

  test("a shard killed mid-way recomputes only its unfinished runs", async () => {
    const cache = { dir: tmp };
    // runs of ≥ 120 ms, so progress (reported at most every 100 ms) sees each one finish
    const configs = Array.from({ length: 10 }, (_, seed): SelfTestConfig => ({ seed, count: 2, sleepMs: 120 }));
    const layout = assignShards(configs.map((c) => c.count * ((c.iterations ?? 100) + 1) + 50_000 * (c.sleepMs ?? 0)), 2);
    const mine = configs.filter((_, k) => layout[k] === 0);
    expect(mine.length).toBe(5);
    const controller = new AbortController();
    let done = 0;
    await expect(
      runSweep({
        runner: "selfTest", configs, cache, workers: 1, shard: { index: 0, count: 2 }, signal: controller.signal,
        onProgress: (d) => {
          done = d;
          if (d >= 2) controller.abort();
        },
      }),
    ).rejects.toThrow(/aborted/);
    expect(done).toBeGreaterThanOrEqual(2);
    const files = () => fs.readdirSync(path.join(tmp, "selfTest")).sort();
    const first = files();
    const mtimes = new Map(first.map((f) => [f, fs.statSync(path.join(tmp, "selfTest", f)).mtimeMs]));
    expect(first.length).toBeLessThan(mine.length);
    const e = await stopped(runSweep({ runner: "selfTest", configs, cache, workers: 1, shard: { index: 0, count: 2 } }));
    expect(e.report.computed).toBe(mine.length - first.length);
    for (const [f, t] of mtimes) expect(fs.statSync(path.join(tmp, "selfTest", f)).mtimeMs).toBe(t);
    const expected = mine.map((c) => path.basename(cacheFilePath(tmp, "selfTest", cacheKey("selfTest", "1", c)))).sort();
    expect(files()).toEqual(expected);
  });

  test("duplicates are one run in one shard; the split ignores the cache's state", async () => {
    const dup = [...configs, configs[0], configs[5]];
    const cold = await stopped(runSweep({ runner: "selfTest", configs: dup, cache: { dir: tmp }, action: "status", shard: { count: 3 } }));
    expect(cold.report.unique).toBe(configs.length);
    await stopped(runSweep({ runner: "selfTest", configs: dup, cache: { dir: tmp }, workers: 1, shard: { index: 1, count: 3 } }));
    const warm = await stopped(runSweep({ runner: "selfTest", configs: dup, cache: { dir: tmp }, action: "status", shard: { count: 3 } }));
    expect(warm.report.shards.map((s) => s.total)).toEqual(cold.report.shards.map((s) => s.total));
    expect(warm.report.shards.map((s) => s.done)).toEqual([0, cold.report.shards[1].total, 0]);
  });

  test("option errors name the option and the allowed values", async () => {
    await expect(runSweep({ runner: "selfTest", configs, cache: false, shard: { index: 0, count: 2 } })).rejects.toThrow(/cache.*not bypassed/);
    await expect(runSweep({ runner: "selfTest", configs, cache: { dir: tmp }, shard: { index: 2, count: 2 } })).rejects.toThrow(/shard\.index.*\[0, 1\]/);
    await expect(runSweep({ runner: "selfTest", configs, cache: { dir: tmp }, shard: { count: 2 } })).rejects.toThrow(/shard\.index.*the shard to compute/);
    await expect(runSweep({ runner: "selfTest", configs, cache: { dir: tmp }, shard: { index: 0, count: 2, size: 3 } as never })).rejects.toThrow(/shard\.size/);
    await expect(runSweep({ runner: "selfTest", configs, cache: { dir: tmp }, action: "later" as never })).rejects.toThrow(/action.*"compute", "fromCache", "status"/);
    await expect(runSweep({ runner: "selfTest", configs, cache: { dir: tmp, mode: "refresh" }, action: "fromCache" })).rejects.toThrow(/cache\.mode.*"use"/);
    registerRunner({ name: "badCost", version: "1", description: "test", run: (c: { x: number }) => c.x, cost: () => NaN }, { replace: true });
    await expect(runSweep({ runner: "badCost", configs: [{ x: 1 }, { x: 2 }], cache: { dir: tmp }, shard: { index: 0, count: 2 } })).rejects.toThrow(/cost\(configs\[0\]\)/);
    expect(() => registerRunner({ name: "badCost2", version: "1", description: "t", run: () => 1, cost: 3 as never })).toThrow(/cost/);
  });
});

describe("figures pass the cluster options through (sharded + assembled = unsharded, bit for bit)", () => {
  /** The data without its run statistics (runs computed vs cached, wall time: how it ran, not what it computed). */
  const without = (d: object, key: string) => bits({ ...d, [key]: undefined });

  test("Fig S1 (runLrSweeps, daTrain): 3 shards then from-cache", async () => {
    const config = { ...figS1Config("ci"), learningRates: [0.003, 0.01, 0.03, 0.1], seeds: [0, 1], epochs: 300, reportEpochs: [100, 200, 300] };
    const cache = { dir: tmp };
    const whole = await runFigS1(config, { cache: false, workers: 1 });
    for (let i = 0; i < 3; i++) {
      const e = await stopped(runFigS1(config, { cache, workers: 1, cluster: { shard: { index: i, count: 3 } } }));
      expect(e.report.runner).toBe("daTrain");
    }
    const assembled = await runFigS1(config, { cache, workers: 1, cluster: { action: "fromCache", shard: { count: 3 } } });
    expect(assembled.run.computed).toBe(0);
    expect(without(assembled, "run")).toBe(without(whole, "run"));
  });

  test("Fig 4 (rankOneTrain): 2 shards then from-cache; a missing shard is named", async () => {
    const config = { ...fig4Config("ci"), seeds: [0, 1, 2, 3], epochs: 400, ablationConfidences: [0.1, 1], ablationEpochs: 20, stuckWindow: 50, plotFrom: 300 };
    const cache = { dir: tmp };
    const whole = await runFig4(config, { cache: false, workers: 1 });
    await stopped(runFig4(config, { cache, workers: 1, cluster: { shard: { index: 1, count: 2 } } }));
    const missing = await stopped(runFig4(config, { cache, workers: 1, cluster: { action: "fromCache", shard: { count: 2 } } }));
    expect(missing.report.missingShards).toEqual([0]);
    await stopped(runFig4(config, { cache, workers: 1, cluster: { shard: { index: 0, count: 2 } } }));
    const assembled = await runFig4(config, { cache, workers: 1, cluster: { action: "fromCache", shard: { count: 2 } } });
    expect(assembled.sweep.computed).toBe(0);
    expect(without(assembled, "sweep")).toBe(without(whole, "sweep"));
  });
});
