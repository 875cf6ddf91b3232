// The sweep engine reports its progress weighted by the runners' cost estimates (issue 14, item 5): work done /
// work total, the part read from the cache, and a time left from the work computed per second.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { registerRunner } from "../../src/engine/runners";
import { runSweepSync, SweepProgress } from "../../src/engine/sweep";

registerRunner<{ id: number; units: number }, { id: number }>({
  name: "progressWorkTest",
  version: "1",
  description: "returns its id; costs `units`",
  run: (c) => {
    const t0 = Date.now();
    while (c.units >= 1000 && Date.now() - t0 < 150) {
      /* a long run: past the engine's 100 ms report throttle */
    }
    return { id: c.id };
  },
  cost: (c) => c.units,
}, { replace: true });

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-progress-work-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("work = sum of the finished runs' costs; cached work counted apart; duplicates weigh once", () => {
  const dir = path.join(tmp, "cache");
  const configs = [{ id: 1, units: 90 }, { id: 2, units: 5 }, { id: 3, units: 4 }, { id: 2, units: 5 }];
  const seen: SweepProgress[] = [];
  runSweepSync({ runner: "progressWorkTest", configs: configs.slice(0, 2), cache: { dir } }); // 90 + 5 cached
  runSweepSync({ runner: "progressWorkTest", configs, cache: { dir }, onProgress: (_d, _t, info) => seen.push({ ...info }) });
  const first = seen[0];
  expect(first).toMatchObject({ done: 3, total: 4, work: 95, workTotal: 99, cachedWork: 95, cached: 3 });
  const last = seen[seen.length - 1];
  expect(last).toMatchObject({ done: 4, total: 4, work: 99, workTotal: 99, cachedWork: 95, etaMs: 0 });
});

test("etaMs extrapolates the work left from the work computed, not the run count", () => {
  const configs = [{ id: 10, units: 1000 }, { id: 11, units: 1 }, { id: 12, units: 1 }];
  const seen: SweepProgress[] = [];
  runSweepSync({ runner: "progressWorkTest", configs, cache: false, onProgress: (_d, _t, info) => seen.push({ ...info }) });
  const mid = seen.find((s) => s.done === 1 && s.work === 1000);
  if (!mid) throw new Error(`no report after the first run: ${JSON.stringify(seen)}`);
  // 2 units left at 1000 units per elapsed time: etaMs = elapsedCompute × 2 / 1000, far below the count-based 2 × elapsed
  expect(mid.etaMs).toBeGreaterThanOrEqual(0);
  expect(mid.etaMs * 1000 / 2).toBeLessThanOrEqual(mid.elapsedMs + 1e-9);
});
