/**
 * Sweep engine tests. Parallel sweeps run compiled JavaScript in worker threads, so this file tests the BUILT
 * library (dist/, `npx tsc -p tsconfig.build.json`); a guard fails loudly if dist/ is missing or older than the
 * sources it would test. Only the "from source" test imports src/.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as Engine from "../../src/engine";
import type * as Core from "../../src/core";
import * as srcEngine from "../../src/engine";

const root = path.resolve(__dirname, "../..");
const dist = path.join(root, "dist");

function assertDistFresh(): void {
  const pairs = [
    ["src/engine/sweep.ts", "dist/engine/sweep.js"],
    ["src/engine/sweepWorker.ts", "dist/engine/sweepWorker.js"],
    ["src/engine/cache.ts", "dist/engine/cache.js"],
    ["src/engine/runners.ts", "dist/engine/runners.js"],
    ["src/core/io.ts", "dist/core/io.js"],
  ];
  for (const [src, out] of pairs) {
    const o = path.join(root, out);
    if (!fs.existsSync(o)) throw new Error(`${out} missing: build first (npx tsc -p tsconfig.build.json)`);
    if (fs.statSync(o).mtimeMs < fs.statSync(path.join(root, src)).mtimeMs) {
      throw new Error(`${out} is older than ${src}: rebuild (npx tsc -p tsconfig.build.json)`);
    }
  }
}
assertDistFresh();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const engine: typeof Engine = require(path.join(dist, "engine"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const core: typeof Core = require(path.join(dist, "core"));
const { runSweep, runSweepSync, expandGrid, cacheInfo, cacheFilePath, cacheKey, readCacheEntry } = engine;

type SelfTestResult = Engine.SelfTestResult;
type Stats = Engine.SweepStats;

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-sweep-"));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Every number in a JSON-like tree as its 64-bit pattern, in traversal order, with the tree's shape. */
function fingerprint(value: unknown): string {
  const b = Buffer.alloc(8);
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === "number") {
      b.writeDoubleLE(v);
      return `f64:${b.toString("hex")}`;
    }
    return v;
  });
}

function collectStats(): { stats: Stats | undefined; onFinish: (s: Stats) => void } {
  const box: { stats: Stats | undefined; onFinish: (s: Stats) => void } = {
    stats: undefined,
    onFinish: (s) => (box.stats = s),
  };
  return box;
}

const configs = expandGrid({ seed: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], count: [300] }, { iterations: 200 });

describe("expandGrid", () => {
  test("Cartesian product, last key fastest, base merged, bad lists refused", () => {
    expect(expandGrid({ a: [1, 2], b: ["x", "y"] }, { c: 0 })).toEqual([
      { c: 0, a: 1, b: "x" },
      { c: 0, a: 1, b: "y" },
      { c: 0, a: 2, b: "x" },
      { c: 0, a: 2, b: "y" },
    ]);
    expect(() => expandGrid({ a: [] })).toThrow(/grid\.a/);
    expect(() => expandGrid({ a: 3 } as never)).toThrow(core.GhostError);
  });
});

describe("parallel equals serial", () => {
  test("2 workers, 1 worker, runSweepSync and direct calls agree bit for bit, in config order", async () => {
    const direct = configs.map((c) => engine.runSelfTest(c));
    const serial = await runSweep<unknown, SelfTestResult>({ runner: "selfTest", configs, workers: 1, cache: false });
    const sync = runSweepSync<unknown, SelfTestResult>({ runner: "selfTest", configs, cache: false });
    const box = collectStats();
    const parallel = await runSweep<unknown, SelfTestResult>({
      runner: "selfTest",
      configs,
      workers: 2,
      cache: false,
      onFinish: box.onFinish,
    });
    expect(box.stats?.workers).toBe(2);
    expect(serial.map((r) => r.seed)).toEqual(configs.map((c) => c.seed));
    expect(fingerprint(serial)).toBe(fingerprint(direct));
    expect(fingerprint(sync)).toBe(fingerprint(direct));
    expect(fingerprint(parallel)).toBe(fingerprint(direct));
  });

  test("results do not depend on completion order (early configs sleep longest)", async () => {
    const slowFirst = configs.slice(0, 6).map((c, i) => ({ ...c, sleepMs: (6 - i) * 40 }));
    const serial = runSweepSync({ runner: "selfTest", configs: slowFirst, cache: false });
    const finishedOrder: number[] = [];
    const parallel = await runSweep<unknown, SelfTestResult>({
      runner: "selfTest",
      configs: slowFirst,
      workers: 3,
      cache: false,
      onProgress: (done) => finishedOrder.push(done),
    });
    expect(fingerprint(parallel)).toBe(fingerprint(serial));
    expect(finishedOrder[finishedOrder.length - 1]).toBe(6);
  });

  test("from TypeScript source a parallel sweep asks for the build; serial works", async () => {
    await expect(srcEngine.runSweep({ runner: "selfTest", configs, workers: 2, cache: false })).rejects.toThrow(
      /npm run build/,
    );
    const fromSource = srcEngine.runSweepSync({ runner: "selfTest", configs: configs.slice(0, 2), cache: false });
    expect(fingerprint(fromSource)).toBe(fingerprint(configs.slice(0, 2).map((c) => engine.runSelfTest(c))));
  });
});

describe("cache", () => {
  test("second run reads every result from disk, bit-identical; refresh recomputes; bypass writes nothing", async () => {
    const dir = path.join(tmp, "cache");
    const s1 = collectStats();
    const first = await runSweep({ runner: "selfTest", configs, workers: 2, cache: { dir }, onFinish: s1.onFinish });
    expect(s1.stats).toMatchObject({ computed: 10, cached: 0, corrupt: 0 });
    expect(cacheInfo({ dir }).totalEntries).toBe(10);
    const s2 = collectStats();
    const progress: number[] = [];
    const second = await runSweep({
      runner: "selfTest",
      configs,
      cache: { dir },
      onFinish: s2.onFinish,
      onProgress: (d) => progress.push(d),
    });
    expect(s2.stats).toMatchObject({ computed: 0, cached: 10 });
    expect(progress).toEqual([10]);
    expect(fingerprint(second)).toBe(fingerprint(first));
    const s3 = collectStats();
    const third = runSweepSync({ runner: "selfTest", configs, cache: { dir, mode: "refresh" }, onFinish: s3.onFinish });
    expect(s3.stats).toMatchObject({ computed: 10, cached: 0 });
    expect(fingerprint(third)).toBe(fingerprint(first));
    const other = path.join(tmp, "never");
    await runSweep({ runner: "selfTest", configs: configs.slice(0, 2), workers: 1, cache: { dir: other, mode: "bypass" } });
    expect(fs.existsSync(other)).toBe(false);
  });

  test("the key covers the full config: a changed field misses, key order does not matter", () => {
    const a = { seed: 1, count: 3, iterations: 5 };
    expect(cacheKey("selfTest", "1", a)).toBe(cacheKey("selfTest", "1", { iterations: 5, count: 3, seed: 1 }));
    expect(cacheKey("selfTest", "1", a)).not.toBe(cacheKey("selfTest", "1", { ...a, iterations: 6 }));
    expect(cacheKey("selfTest", "1", a)).not.toBe(cacheKey("selfTest", "2", a));
    expect(cacheKey("selfTest", "1", a)).toMatch(/^[0-9a-f]{64}$/);
  });

  test("the key covers the numerics code: a changed model/training/protocol module changes the fingerprint, figures and display do not", () => {
    const base: Record<string, string> = {
      "core/rng.js": "rng v1",
      "training/trainRnn.js": "sgd v1",
      "protocols/runners.js": "runners v1",
      "figures/fig4.js": "recipe v1",
      "display/fig4.js": "plot v1",
      "version.js": "0.1.0",
    };
    let n = 0;
    const fingerprintOf = (files: Record<string, string>) => {
      const root = path.join(tmp, `lib${n++}`);
      for (const [f, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
        fs.writeFileSync(path.join(root, f), text);
      }
      return engine.codeFingerprint(root, ".js");
    };
    const fp = fingerprintOf(base);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOf(base)).toBe(fp);
    expect(fingerprintOf({ ...base, "training/trainRnn.js": "sgd v2" })).not.toBe(fp);
    expect(fingerprintOf({ ...base, "core/rng.js": "rng v2" })).not.toBe(fp);
    expect(fingerprintOf({ ...base, "protocols/runners.js": "runners v2" })).not.toBe(fp);
    expect(fingerprintOf({ ...base, "models/new.js": "new model" })).not.toBe(fp);
    expect(fingerprintOf({ ...base, "display/fig4.js": "plot v2" })).toBe(fp);
    expect(fingerprintOf({ ...base, "figures/fig4.js": "recipe v2" })).toBe(fp);
    expect(fingerprintOf({ ...base, "core/rng.d.ts": "types" })).toBe(fp);
    // No code found (an empty or missing root, another extension): an error, not the SHA-256 of nothing.
    const empty = path.join(tmp, "empty-root");
    fs.mkdirSync(empty, { recursive: true });
    for (const [root, ext, param] of [[empty, ".js", "root"], [path.join(tmp, "no-such-root"), ".js", "root"], [path.join(tmp, "lib0"), ".py", "root"], [path.join(tmp, "lib0"), "", "ext"], [5, ".js", "root"]] as const) {
      let caught: unknown;
      try {
        engine.codeFingerprint(root as string, ext);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(core.GhostError);
      expect((caught as Core.GhostError).parameter).toBe(param);
    }
  });

  test("truncated, corrupted and mismatched cache files are detected and recomputed, never used", async () => {
    const dir = path.join(tmp, "cache");
    const first = runSweepSync({ runner: "selfTest", configs, cache: { dir } });
    const file = (i: number) => cacheFilePath(dir, "selfTest", cacheKey("selfTest", "1", configs[i]));
    // 1: truncated (as if a non-atomic writer died); 2: one digit changed inside the payload;
    // 3: a valid file holding another config's entry; 4: empty file.
    const text1 = fs.readFileSync(file(1), "utf8");
    fs.writeFileSync(file(1), text1.slice(0, Math.floor(text1.length / 2)));
    const text2 = fs.readFileSync(file(2), "utf8");
    const m = /"values":\[(-?)(\d)/.exec(text2);
    expect(m).not.toBeNull();
    const flipped = String((Number(m![2]) + 1) % 10);
    fs.writeFileSync(file(2), text2.replace(m![0], `"values":[${m![1]}${flipped}`));
    fs.copyFileSync(file(5), file(3));
    fs.writeFileSync(file(4), "");
    for (const i of [1, 2, 3, 4]) {
      expect(readCacheEntry(dir, "selfTest", "1", configs[i]).status).toBe("corrupt");
    }
    const box = collectStats();
    const again = await runSweep({ runner: "selfTest", configs, workers: 2, cache: { dir }, onFinish: box.onFinish });
    expect(box.stats).toMatchObject({ corrupt: 4, computed: 4, cached: 6 });
    expect(fingerprint(again)).toBe(fingerprint(first));
    // The bad files were overwritten with good ones.
    for (const i of [1, 2, 3, 4]) expect(readCacheEntry(dir, "selfTest", "1", configs[i]).status).toBe("hit");
  });

  test("clearCache removes only cache files, per runner or all", () => {
    const dir = path.join(tmp, "cache");
    runSweepSync({ runner: "selfTest", configs: configs.slice(0, 3), cache: { dir } });
    fs.writeFileSync(path.join(dir, "selfTest", "notes.txt"), "keep me");
    expect(engine.clearCache({ dir, runner: "other" }).filesRemoved).toBe(0);
    const r = engine.clearCache({ dir });
    expect(r.filesRemoved).toBe(3);
    expect(fs.readdirSync(path.join(dir, "selfTest"))).toEqual(["notes.txt"]);
    expect(cacheInfo({ dir }).totalEntries).toBe(0);
    // A folder it emptied goes; a folder that held no cache files (even an empty one) stays, and is not listed.
    runSweepSync({ runner: "selfTest", configs: configs.slice(0, 1), cache: { dir } });
    fs.mkdirSync(path.join(dir, "emptyUnrelated"));
    fs.unlinkSync(path.join(dir, "selfTest", "notes.txt")); // so that clearing empties the runner folder
    expect(cacheInfo({ dir }).runners.map((r) => r.runner)).toEqual(["selfTest"]);
    expect(engine.clearCache({ dir }).filesRemoved).toBe(1);
    expect(fs.readdirSync(dir).sort()).toEqual(["emptyUnrelated"]);
    expect(cacheInfo({ dir }).runners).toEqual([]);
  });

  test("identical configs are computed once and returned as separate copies", async () => {
    const dup = [configs[0], configs[1], { ...configs[0] }];
    const box = collectStats();
    const r = await runSweep<unknown, SelfTestResult>({ runner: "selfTest", configs: dup, workers: 2, cache: false, onFinish: box.onFinish });
    expect(box.stats).toMatchObject({ total: 3, unique: 2, computed: 2 });
    expect(fingerprint(r[2])).toBe(fingerprint(r[0]));
    expect(r[2]).not.toBe(r[0]);
  });
});

describe("errors", () => {
  test("unknown runner and invalid configs fail before any work, naming the problem", async () => {
    const dir = path.join(tmp, "cache");
    await expect(runSweep({ runner: "nope", configs, cache: { dir } })).rejects.toThrow(/runner = "nope".*"selfTest"/);
    await expect(
      runSweep({ runner: "selfTest", configs: [...configs, { seed: -1, count: 3 }], cache: { dir } }),
    ).rejects.toThrow(/configs\[10\].*seed = -1/);
    await expect(runSweep({ runner: "selfTest", configs, workers: 0 })).rejects.toThrow(/workers = 0/);
    await expect(runSweep({ runner: "selfTest", configs, cache: { dir, mode: "sometimes" as never } })).rejects.toThrow(
      /cache\.mode/,
    );
    expect(fs.existsSync(dir)).toBe(false);
  });

  test("a run that throws rejects the sweep with the config index; finished runs stay cached", async () => {
    const dir = path.join(tmp, "cache");
    const withFailure = [...configs.slice(0, 4), { seed: 99, count: 3, sleepMs: 150, fail: true }];
    await expect(runSweep({ runner: "selfTest", configs: withFailure, workers: 2, cache: { dir } })).rejects.toThrow(
      /configs\[4\].*selfTest was asked to fail/,
    );
    expect(cacheInfo({ dir }).totalEntries).toBe(4);
    expect(() => runSweepSync({ runner: "selfTest", configs: withFailure, cache: false })).toThrow(/configs\[4\]/);
  });

  test("an aborted sweep rejects with AbortError and keeps what finished", async () => {
    const dir = path.join(tmp, "cache");
    const slow = configs.map((c) => ({ ...c, sleepMs: 100 }));
    const ctrl = new AbortController();
    // Abort as soon as two runs have finished (event-driven, not timed: robust on a loaded machine).
    const onProgress = (done: number) => {
      if (done >= 2) ctrl.abort();
    };
    await expect(
      runSweep({ runner: "selfTest", configs: slow, workers: 2, cache: { dir }, signal: ctrl.signal, onProgress }),
    ).rejects.toThrow(/aborted after \d+ of 10 runs/);
    const kept = cacheInfo({ dir }).totalEntries;
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(kept).toBeLessThan(10);
  });

  test("runners registered by an extra module reach the workers", async () => {
    const mod = path.join(tmp, "extraRunner.js");
    fs.writeFileSync(
      mod,
      `const { registerRunner } = require(${JSON.stringify(path.join(dist, "engine"))});\n` +
        `registerRunner({ name: "squareTest", version: "1", description: "x*x", run: (c) => ({ y: c.x * c.x }) }, { replace: true });\n`,
    );
    const r = await runSweep({ runner: "squareTest", configs: [{ x: 3 }, { x: 0.1 }, { x: -2 }], workers: 2, cache: false, modules: [mod] });
    expect(r).toEqual([{ y: 9 }, { y: 0.1 * 0.1 }, { y: 4 }]);
  });
});

describe("resume after kill -9", () => {
  test("a sweep SIGKILLed mid-way resumes, reuses every finished run and ends equal to an uninterrupted sweep", async () => {
    const dir = path.join(tmp, "cache");
    const slow = configs.map((c) => ({ ...c, sleepMs: 300 }));
    const script =
      `const { engine } = require(${JSON.stringify(dist)});` +
      `engine.runSweep({ runner: "selfTest", configs: ${JSON.stringify(slow)}, workers: 2, cache: { dir: ${JSON.stringify(dir)} } })` +
      `.then(() => process.exit(0));`;
    const child = spawn(process.execPath, ["-e", script], { stdio: "inherit" });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    const entries = () => (fs.existsSync(path.join(dir, "selfTest")) ? cacheInfo({ dir }).totalEntries : 0);
    // Poll (bounded: 30 s) until at least 3 runs are on disk, then kill -9.
    const deadline = Date.now() + 30000;
    while (entries() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    const before = entries();
    expect(before).toBeGreaterThanOrEqual(3);
    expect(before).toBeLessThan(10); // killed mid-way, not after the end
    const box = collectStats();
    const resumed = await runSweep({ runner: "selfTest", configs: slow, workers: 2, cache: { dir }, onFinish: box.onFinish });
    expect(box.stats).toMatchObject({ cached: before, computed: 10 - before, corrupt: 0 });
    const uninterrupted = runSweepSync({ runner: "selfTest", configs: slow, cache: false });
    expect(fingerprint(resumed)).toBe(fingerprint(uninterrupted));
  });
});
