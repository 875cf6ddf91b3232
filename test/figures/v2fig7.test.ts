import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  analyseV2Fig7Sweep, findSaturatingUpdate, runV2Fig7, v2Fig7Config, v2Fig7LearningRates, v2Fig7SaturationWindow, v2Fig7SweepSpecs, validateV2Fig7Config,
} from "../../src/figures/v2fig7";
import { checkV2Fig7 } from "../../src/figures/v2fig7Check";
import { v2Fig7Figures, v2Fig7SummaryFigure } from "../../src/display/v2fig7";
import { runTaskTraining, validateTaskTrainSpec } from "../../src/protocols/taskTrain";
import { getFigure } from "../../src/catalogue";

describe("taskTrain recordEvery: records every k epochs, means over all epochs", () => {
  const base = { preset: "fig7-dmts", seed: 1, copies: 1, epochs: 23, optimizer: "sgd" as const, learningRate: 0.3, snapshotEpochs: [] };
  test("absent: every epoch, no recordEpochs; the means are the means of the full records", () => {
    const full = runTaskTraining(base);
    expect(full.recordEpochs).toBeUndefined();
    expect(full.loss.length).toBe(23);
    const thin = runTaskTraining({ ...base, recordEvery: 5 });
    expect(thin.recordEpochs).toEqual([0, 5, 10, 15, 20]);
    for (const k of ["loss", "accuracy", "gradMetric", "weightNorm"] as const) {
      const all = Array.from(full[k]);
      const mean = all.reduce((a, b) => a + b, 0) / all.length;
      // same summation order over the same 23 numbers: equal up to rounding of a 23-term sum (23 · ε · max)
      const tol = 23 * Number.EPSILON * Math.max(...all.map(Math.abs));
      expect(Math.abs(full.means[k] - mean)).toBeLessThanOrEqual(tol);
      expect(thin.means[k]).toBe(full.means[k]); // the thinned run is the same run
      expect(Array.from(thin[k])).toEqual([0, 5, 10, 15, 20].map((e) => full[k][e]));
    }
  });
  test("bad recordEvery names the field", () => {
    expect(() => validateTaskTrainSpec({ ...base, recordEvery: 0 })).toThrow(/recordEvery/);
    expect(() => validateTaskTrainSpec({ ...base, recordEvery: 1.5 })).toThrow(/recordEvery/);
  });
});

describe("findSaturatingUpdate on constructed records", () => {
  test("the largest one-epoch jump of ‖W_rec‖, the initial norm counting for update 0", () => {
    const w = [10, 10.01, 10.02, 10.9, 10.91, 10.9];
    expect(findSaturatingUpdate(w, 10)).toEqual({ epoch: 3, jump: w[3] - w[2], runnerUp: expect.any(Number) });
    expect(findSaturatingUpdate(w, 10).runnerUp).toBeCloseTo(0.01, 12);
    expect(findSaturatingUpdate(w, 8).epoch).toBe(0); // update 0 moved the norm from 8 to 10
    expect(findSaturatingUpdate([10, 9, 9], 10)).toMatchObject({ epoch: 1, jump: -1 }); // a drop counts as well
    expect(findSaturatingUpdate([10, 11, NaN], 10).epoch).toBe(1); // trailing divergence skipped
    expect(() => findSaturatingUpdate([10, NaN, 11], 10)).toThrow(/weightNorm/);
    expect(() => findSaturatingUpdate([], 10)).toThrow(/weightNorm/);
    expect(() => findSaturatingUpdate([10], 0)).toThrow(/initialWeightNorm/);
  });
  test("the window of passes and the snapshots that provide their parameters", () => {
    const c = v2Fig7Config("paper");
    expect(v2Fig7SaturationWindow(c, 5751, 6000)).toEqual({ passes: [5749, 5750, 5751, 5752, 5753, 5754], snapshotEpochs: [5748, 5749, 5750, 5751, 5752, 5753], epochs: 5754 });
    expect(v2Fig7SaturationWindow(c, 0, 6000)).toEqual({ passes: [0, 1, 2, 3], snapshotEpochs: [0, 1, 2], epochs: 3 });
    expect(v2Fig7SaturationWindow(c, 5999, 6000).passes).toEqual([5997, 5998, 5999]);
  });
});

describe("v2 Fig 7 config", () => {
  test("the lr grid is exactly logspace(−3, 1, 20); full scale runs all 20 rates × 20 seeds × 20 000 epochs", () => {
    const lrs = v2Fig7LearningRates();
    expect(lrs.length).toBe(20);
    expect(lrs[0]).toBe(1e-3);
    expect(lrs[19]).toBe(10);
    expect(lrs[15]).toBe(1.438449888287663); // the spec's saturation rate, to the last digit printed
    expect(lrs[12]).toBeCloseTo(0.33598, 5);
    for (let i = 0; i < 20; i++) expect(Math.abs(Math.log10(lrs[i]) - (-3 + (4 * i) / 19))).toBeLessThan(1e-14);
    const full = v2Fig7Config("full");
    expect(full.learningRates).toEqual(lrs);
    for (const t of ["dcdt", "dmts"] as const) {
      expect(full[t].lrIndices).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(full[t].seeds).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(full[t].epochs).toBe(20000);
      expect(v2Fig7SweepSpecs(full, t).length).toBe(400);
    }
    expect(full.dcdt.examples).toEqual([{ lrIndex: 12, seed: 1 }, { lrIndex: 12, seed: 9 }]);
    expect(full.dmts.examples).toEqual([{ lrIndex: 15, seed: 12 }, { lrIndex: 15, seed: 0 }]);
    expect(full.saturation).toMatchObject({ learningRate: 1.438449888287663, seed: 0, epochs: 6000, binEdges: 30 });
    expect(full.reduction).toBe("");
    expect(v2Fig7Config("paper").reduction).toMatch(/12 of the 20/);
  });
  test("bad configs name the field", () => {
    const bad = (edit: (c: ReturnType<typeof v2Fig7Config>) => void) => {
      const c = v2Fig7Config("ci");
      edit(c);
      return () => validateV2Fig7Config(c);
    };
    expect(bad((c) => (c.dcdt.lrIndices = [0, 20]))).toThrow(/lrIndices\[1\]/);
    expect(bad((c) => (c.dmts.examples = [{ lrIndex: 0, seed: 0 }]))).toThrow(/examples\[0\]\.lrIndex/);
    expect(bad((c) => (c.dcdt.seeds = [1, 1]))).toThrow(/seeds/);
    expect(bad((c) => (c.saturation.window = 0))).toThrow(/window/);
    expect(bad((c) => (c.dcdt.preset = "fig7-dmts"))).toThrow(/dcdt\.preset/);
    expect(() => validateV2Fig7Config({ ...v2Fig7Config("ci"), extra: 1 })).toThrow(/extra/);
    expect(() => validateV2Fig7Config({ ...v2Fig7Config("ci"), saturation: { ...v2Fig7Config("ci").saturation, epochz: 3 } })).toThrow(/epochz/);
    expect(() => analyseV2Fig7Sweep(v2Fig7Config("ci"), "dcdt", [])).toThrow(/results/);
  });
});

describe("v2 Fig 7 at ci scale (engine, workers: 1)", () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "v2fig7-"));
  const config = v2Fig7Config("ci");
  let data: Awaited<ReturnType<typeof runV2Fig7>>;
  beforeAll(async () => {
    data = await runV2Fig7(config, { cache: { dir: cacheDir }, workers: 1 });
  }, 300_000);
  afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  test("shapes: one run per (lr, seed), per-rate medians, example curves, saturation passes around the update", () => {
    for (const t of ["dcdt", "dmts"] as const) {
      const d = data[t];
      expect(d.runs.length).toBe(config[t].lrIndices.length * config[t].seeds.length);
      expect(d.perRate.map((p) => p.lrIndex)).toEqual(config[t].lrIndices);
      for (const r of d.runs) expect(r.learningRate).toBe(config.learningRates[r.lrIndex]);
      expect(d.examples.length).toBe(config[t].examples.length);
      expect(d.examples[0].loss.length).toBe(config[t].epochs);
    }
    const s = data.saturation;
    expect(s.passes.map((p) => p.epoch)).toEqual(v2Fig7SaturationWindow(config, s.update.epoch, s.epochsRun).passes);
    expect(s.passes[s.before].epoch).toBe(s.update.epoch);
    expect(s.passes[s.after].epoch).toBe(s.update.epoch + 1);
    expect(s.binEdges.length).toBe(30);
    const S = s.trial0Target.length;
    expect(S).toBe(38); // DMTS 30/80/50 ms at 5 ms: 6 + 16 + 6 + 10
    for (const p of s.passes) {
      expect(p.trial0Output.length).toBe(S);
      expect(p.trial0RateCounts.reduce((a, b) => a + b, 0)).toBe((S + 1) * 100); // every rate of trial 0 lies in [−1, 1]
    }
  });

  test("the re-run passes reproduce the training records (same kernel, nothing drawn at ρ = σ_n = 0)", async () => {
    const { runTaskTraining: run } = await import("../../src/protocols/taskTrain");
    const { v2Fig7SaturationSpec } = await import("../../src/figures/v2fig7");
    const rec = run(v2Fig7SaturationSpec(config));
    for (const p of data.saturation.passes) {
      expect(p.loss).toBe(rec.loss[p.epoch]);
      expect(p.accuracy).toBe(rec.accuracy[p.epoch]);
    }
  });

  test("check rows: nothing asserted at ci scale fails; at paper scale the rows are must rows and a negative control fails them", () => {
    const rows = checkV2Fig7(data);
    expect(rows.filter((r) => r.mustHold && r.holds === false)).toEqual([]);
    const asPaper = JSON.parse(JSON.stringify(data));
    asPaper.config = v2Fig7Config("paper");
    // a constructed "paper" data set whose largest lr learns best and whose update desaturates the output
    for (const t of ["dcdt", "dmts"]) {
      const pr = asPaper[t].perRate;
      pr.forEach((p: { medianLoss: number; medianGrad: number }, k: number) => { p.medianLoss = 1 - k * 0.1; p.medianGrad = 0.1; });
    }
    const s = asPaper.saturation;
    s.passes[s.after].outputSaturated = 0;
    s.passes[s.before].outputSaturated = 0.5;
    s.passes[s.after].gradMetric = s.passes[s.before].gradMetric;
    const failed = checkV2Fig7(asPaper).filter((r) => r.mustHold && r.holds === false).map((r) => r.quantity);
    expect(failed).toEqual([
      "DCDT: mean ‖∇W_rec‖ at the largest lr vs the best lr (median over seeds)",
      "DCDT: mean loss at the largest lr vs the best lr",
      "DMTS: mean ‖∇W_rec‖ at the largest lr vs the best lr (median over seeds)",
      "saturating update: fraction of saturated outputs before → after",
      "saturating update: ‖∇W_rec‖ before → after",
    ]);
    // the positive control: large lr stuck (high loss, small gradient), the update saturates and the gradient collapses
    for (const t of ["dcdt", "dmts"]) {
      const pr = asPaper[t].perRate;
      pr.forEach((p: { medianLoss: number; medianGrad: number }, k: number) => { p.medianLoss = k === pr.length - 1 ? 1.3 : 0.01; p.medianGrad = k === pr.length - 1 ? 1e-3 : 0.5; });
    }
    s.passes[s.after].outputSaturated = 0.9;
    s.passes[s.after].gradMetric = 1e-3 * s.passes[s.before].gradMetric;
    expect(checkV2Fig7(asPaper).filter((r) => r.mustHold && r.holds === false)).toEqual([]);
    expect(checkV2Fig7(asPaper).filter((r) => r.mustHold).length).toBe(5);
  });

  test("figures build; the catalogue knows v2fig7; a second run is all cache hits", async () => {
    expect(v2Fig7Figures(data).length).toBe(8);
    const f = v2Fig7SummaryFigure(data, "dmts");
    expect(f.data.length).toBe(6); // loss, grad, weight: scatter + box each
    expect(getFigure("v2fig7").id).toBe("v2fig7");
    expect(getFigure("v2fig7").sweeps).toBe(true);
    const again = await runV2Fig7(config, { cache: { dir: cacheDir }, workers: 1 });
    expect(again.cached).toBe(again.runs);
    expect(again.saturation.update).toEqual(data.saturation.update);
  });
});
