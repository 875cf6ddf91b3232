import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runV2Fig4, trainV2Fig4Task, v2Fig4Config, validateV2Fig4Config } from "../../src/figures/v2fig4";
import { checkV2Fig4 } from "../../src/figures/v2fig4Check";
import { v2Fig4Figures, v2Fig4MapFigure } from "../../src/display/v2fig4";
import { snapshotModel, taskTrainTask } from "../../src/protocols/taskTrain";
import { taskRnnForward, LowRankTaskParams } from "../../src/models/taskRnn";
import { lowRankLatentReduction, latentFlow } from "../../src/analysis/latent2d";
import { Rng } from "../../src/core/rng";
import { getFigure } from "../../src/catalogue";

describe("v2 Fig 4 at ci scale (rank-2 DCDT and DMTS, spec B1, B2)", () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "v2fig4-"));
  const config = v2Fig4Config("ci");
  let data: Awaited<ReturnType<typeof runV2Fig4>>;
  beforeAll(async () => {
    data = await runV2Fig4(config, { cache: { dir: cacheDir }, workers: 1 });
  }, 300_000);
  afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  test("snapshots at the configured epochs; records as long as the run; rank-2 W at every snapshot", () => {
    for (const t of ["dcdt", "dmts"] as const) {
      const d = data[t];
      expect(d.snapshots.map((s) => s.epoch)).toEqual(config[t].train.snapshotEpochs);
      expect(d.epochsRun).toBe(config[t].train.epochs);
      for (const s of d.snapshots) {
        expect(s.singularValues[2] / s.singularValues[0]).toBeLessThan(1e-12);
        expect(s.overview.logSpeed.length).toBe(config[t].resolution);
        expect(s.trajectories.length).toBe(config[t].trajectories);
        expect(s.trajectories[0].length).toBe(taskTrainTask(config[t].train).inputs.shape[1] + 1);
      }
    }
    expect(data.dcdt.snapshots[0].closeUp).not.toBeNull();
    expect(data.dmts.snapshots[0].closeUp).toBeNull();
  });

  test("the latent trajectory is P·r of a replayed forward pass, and the map's refined points have the flow's speed", async () => {
    const c = config.dcdt;
    const { run, cached } = await trainV2Fig4Task(c, { cache: { dir: cacheDir } });
    expect(cached).toBe(true);
    const snap = run.snapshots[run.snapshots.length - 1];
    const model = snapshotModel(c.train, snap);
    const p = model.params as LowRankTaskParams;
    const red = lowRankLatentReduction({ Sl: p.Sl, Sr: p.Sr, bIn: p.bIn });
    const replay = taskRnnForward(model, taskTrainTask(c.train), new Rng(c.replaySeed));
    const N = model.config.size;
    const last = data.dcdt.snapshots[data.dcdt.snapshots.length - 1];
    for (const t of [0, 5, 22]) {
      let k0 = 0, k1 = 0;
      for (let i = 0; i < N; i++) { k0 += red.P.get(0, i) * replay.rates.get(1, t, i); k1 += red.P.get(1, i) * replay.rates.get(1, t, i); }
      expect(last.trajectories[1][t][0]).toBe(k0);
      expect(last.trajectories[1][t][1]).toBe(k1);
    }
    for (const sp of last.overview.slowPoints) expect(Math.hypot(...latentFlow(red, sp.kappa))).toBeCloseTo(sp.speed, 12);
    // the cached run gave the same records as a fresh one
    expect(data.dcdt.finalLoss).toBe(run.loss[run.loss.length - 1]);
  });

  test("a second run reads the training from the cache and gives the same data", async () => {
    const again = await runV2Fig4(config, { cache: { dir: cacheDir }, workers: 1 });
    expect(again.dcdt.cached).toBe(true);
    expect(JSON.stringify({ ...again.dcdt, cached: 0, trainMs: 0 })).toBe(JSON.stringify({ ...data.dcdt, cached: 0, trainMs: 0 }));
  });

  test("check rows: rank-2 rows must hold; learning and ghost rows are informational at ci scale", () => {
    const rows = checkV2Fig4(data);
    expect(rows.filter((r) => r.mustHold && r.holds === false)).toEqual([]);
    expect(rows.some((r) => /σ₃\/σ₁/.test(r.quantity) && r.mustHold)).toBe(true);
    // a broken rank claim is caught
    const broken = JSON.parse(JSON.stringify(data));
    broken.dcdt.snapshots[0].singularValues[2] = broken.dcdt.snapshots[0].singularValues[0];
    expect(checkV2Fig4(broken).some((r) => r.mustHold && r.holds === false)).toBe(true);
  });

  test("figures build (maps with a slider per snapshot); the catalogue knows v2fig4", () => {
    const figs = v2Fig4Figures(data);
    expect(figs.length).toBe(7); // DCDT: loss, overview, close-up, outputs; DMTS: loss, overview, outputs
    const map = v2Fig4MapFigure(data, "dcdt");
    expect((map.frames as unknown[]).length).toBe(config.dcdt.train.snapshotEpochs.length);
    expect(getFigure("v2fig4").id).toBe("v2fig4");
    expect(() => v2Fig4MapFigure(data, "dmts", "closeUp")).toThrow(/overview/);
  });

  test("bad configs name the field", () => {
    const bad = v2Fig4Config("ci");
    (bad.dcdt.train as { epochs: number }).epochs = 0;
    expect(() => validateV2Fig4Config(bad)).toThrow(/epochs/);
    const typo = { ...v2Fig4Config("ci"), dcdtt: 1 };
    expect(() => validateV2Fig4Config(typo)).toThrow(/dcdtt/);
    const snap = v2Fig4Config("ci");
    snap.dmts.train.snapshotEpochs = [5000];
    expect(() => validateV2Fig4Config(snap)).toThrow(/snapshotEpochs/);
  });
});
