import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runV2Fig5, trainV2Fig5Task, v2Fig5Config, validateV2Fig5Config } from "../../src/figures/v2fig5";
import { checkV2Fig5 } from "../../src/figures/v2fig5Check";
import { v2Fig5Figures, v2Fig5PcaFigure } from "../../src/display/v2fig5";
import { snapshotModel, snapshotRates } from "../../src/protocols/taskTrain";
import { FullRankTaskParams } from "../../src/models/taskRnn";
import { fullRankSpeeds } from "../../src/analysis/slowPoints";
import { getFigure } from "../../src/catalogue";
import { ndFloat64 } from "../../src/core/nd";

describe("v2 Fig 5 at ci scale (full-rank DCDT and DMTS, spec B1, B3)", () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "v2fig5-"));
  const config = v2Fig5Config("ci");
  let data: Awaited<ReturnType<typeof runV2Fig5>>;
  beforeAll(async () => {
    data = await runV2Fig5(config, { cache: { dir: cacheDir }, workers: 1 });
  }, 300_000);
  afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  test("snapshots at the configured epochs with rates r_0…r_S of every trial; PCA variance ratios sorted, ≤ 1 in total", async () => {
    for (const t of ["dcdt", "dmts"] as const) {
      const d = data[t];
      expect(d.snapshots.map((s) => s.epoch)).toEqual(config[t].train.snapshotEpochs);
      const { run } = await trainV2Fig5Task(config[t], { cache: { dir: cacheDir } });
      const rates = snapshotRates(run.snapshots[0]);
      expect(rates.shape[0]).toBe(d.trialTypes.length);
      expect(d.snapshots[0].trajectories.length).toBe(rates.shape[0]);
      expect(d.snapshots[0].trajectories[0].length).toBe(rates.shape[1]); // includes r_0 (spec B3: T_len + 1 states)
      for (let k = 1; k < d.explained.length; k++) expect(d.explained[k]).toBeLessThanOrEqual(d.explained[k - 1]);
      expect(d.explained.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  test("the slowest point found is at least as slow as every visited state of the network after that epoch (the search minimises ‖F‖ from them)", async () => {
    const c = config.dcdt;
    const { run, cached } = await trainV2Fig5Task(c, { cache: { dir: cacheDir } });
    expect(cached).toBe(true);
    const last = run.snapshots[run.snapshots.length - 1];
    const p = snapshotModel(c.train, last).params as FullRankTaskParams;
    // the speeds at the visited states bracket the slowest point's speed from above (it was found by minimising from them)
    const visited = snapshotRates(last);
    const [B, T, N] = visited.shape;
    const flat = ndFloat64([B * T, N], visited.data);
    const speeds = Array.from(fullRankSpeeds({ Wrec: p.Wrec, bIn: p.bIn }, flat as never).data);
    const s = data.dcdt.snapshots[data.dcdt.snapshots.length - 1];
    const slowest = Math.min(...s.points.map((q) => q.speed));
    expect(slowest).toBeLessThanOrEqual(Math.min(...speeds));
  });

  test("check rows: nothing asserted at ci scale fails; DCDT-learns is a must row at paper scale", () => {
    const rows = checkV2Fig5(data);
    expect(rows.filter((r) => r.mustHold && r.holds === false)).toEqual([]);
    const asPaper = JSON.parse(JSON.stringify({ ...data, config: { ...data.config, scale: "paper" } }));
    asPaper.config = v2Fig5Config("paper");
    asPaper.dcdt.finalAccuracy = 0.5;
    const failed = checkV2Fig5(asPaper).filter((r) => r.mustHold && r.holds === false);
    expect(failed.map((r) => r.quantity)).toEqual(["DCDT (full rank, SGD 1e-2, 3001 epochs): learns"]);
  });

  test("figures build; the catalogue knows v2fig5; bad configs name the field", () => {
    expect(v2Fig5Figures(data).length).toBe(6);
    expect((v2Fig5PcaFigure(data, "dmts").frames as unknown[]).length).toBe(config.dmts.train.snapshotEpochs.length);
    expect(getFigure("v2fig5").id).toBe("v2fig5");
    const bad = v2Fig5Config("ci");
    bad.dcdt.train.keepRates = false;
    expect(() => validateV2Fig5Config(bad)).toThrow(/keepRates/);
    expect(() => validateV2Fig5Config({ ...v2Fig5Config("ci"), extra: 1 })).toThrow(/extra/);
  });
});
