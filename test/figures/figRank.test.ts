import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { logspace } from "../../src/core/arrays";
import { GhostError } from "../../src/core/errors";
import { createRnn } from "../../src/models/rnn";
import { delayedActivationTask } from "../../src/tasks/delayedActivation";
import { trainRnn } from "../../src/training/trainRnn";
import { figRankConfig, figRankSpecs, runFigRank, FigRankConfig, FigRankData } from "../../src/figures/figRank";
import { figS1Config, runFigS1 } from "../../src/figures/figS1";

// Tiny: N = 12 units, a few hundred epochs; (a) 2 learning rates per model × 2 seeds, (b) K ∈ {1, 3} × 2 rates ×
// 2 seeds: 12 runs, a second or two on one core. Serial engine from source (workers: 1).
const tiny: FigRankConfig = {
  ...figRankConfig("ci"),
  size: 12,
  comparison: {
    ...figRankConfig("ci").comparison,
    epochs: 300, reportEpochs: [100, 300], seeds: [0, 1], rankOneLearningRates: [0.01, 0.1], fullRankLearningRates: [0.01, 1],
  },
  rankK: { ranks: [1, 3], learningRates: [0.05, 0.2], seeds: [0, 1], epochs: 200, learnedLevel: 1e-2, curvePoints: 12 },
};

describe("trainable-rank experiment (tiny scale)", () => {
  let dir: string;
  let first: FigRankData;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-figRank-"));
    first = await runFigRank(tiny, { workers: 1, cache: { dir } });
  }, 60000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("shapes of (a): per-seed losses [epoch][lr][seed], means [epoch][lr]; the rank of each model", () => {
    for (const s of [first.rankOne, first.fullRank]) {
      expect(s.loss.length).toBe(2);
      expect(s.loss.map((perLr) => perLr.map((seeds) => seeds.length))).toEqual([[2, 2], [2, 2]]);
      expect(s.meanLoss.map((r) => r.length)).toEqual([2, 2]);
    }
    expect(first.rankOne.rank).toBe(1);
    expect(first.fullRank.rank).toBe(12);
    expect(first.rankOne.spec.model).toBe("rankOne");
    expect(first.fullRank.learningRates).toEqual([0.01, 1]);
  });

  test("shapes of (b): one sweep per K, fraction learned [lr][K], learning curves [lr][seed][point]", () => {
    expect(first.rankK.map((s) => s.rank)).toEqual([1, 3]);
    const r = first.summary.rankK;
    expect(r.ranks).toEqual([1, 3]);
    expect(r.fractionLearned.map((row) => row.length)).toEqual([2, 2]);
    expect(r.windows.length).toBe(2);
    for (const s of first.rankK) {
      const c = s.curves;
      expect(c).not.toBeNull();
      if (!c) continue;
      expect(c.epoch[0]).toBe(1);
      expect(c.epoch[c.epoch.length - 1]).toBe(200);
      expect(c.loss.length).toBe(2);
      for (const perSeed of c.loss) for (const curve of perSeed) expect(curve.length).toBe(c.epoch.length);
      // the curve at epoch 1 is the untrained loss, the last point the final loss
      expect(c.loss[1][0][0]).toBe(s.initialLoss[1][0]);
      expect(c.loss[1][0][c.epoch.length - 1]).toBe(s.finalLoss[1][0]);
    }
  });

  test("fraction learned = share of seeds whose final loss / initial loss < learnedLevel (spec B4.2)", () => {
    first.rankK.forEach((s, k) => {
      s.learningRates.forEach((_, i) => {
        const learned = s.finalLoss[i].filter((v, q) => v / s.initialLoss[i][q] < tiny.rankK.learnedLevel).length;
        expect(first.summary.rankK.fractionLearned[i][k]).toBe(learned / s.seeds.length);
      });
    });
  });

  test("full-rank per-seed values are the trainer's losses at index epoch − 1 (bit for bit)", () => {
    const h = trainRnn(createRnn(1, { kind: "fullRank", size: 12 }), { learningRate: 1, epochs: 300, task: delayedActivationTask(20) });
    expect(first.fullRank.loss[0][1][1]).toBe(h.loss[99]);
    expect(first.fullRank.loss[1][1][1]).toBe(h.loss[299]);
    expect(first.fullRank.initialLoss[1][1]).toBe(h.loss[0]);
  });

  test("mean ± SEM agree with the per-seed values: (a+b)/2 and |a−b|/(2√2) for two seeds", () => {
    for (const s of [first.rankOne, first.fullRank]) {
      s.loss.forEach((perLr, j) => perLr.forEach(([a, b], i) => {
        expect(s.meanLoss[j][i]).toBeCloseTo((a + b) / 2, 14);
        expect(Math.abs(s.semLoss[j][i] - Math.abs(a - b) / (2 * Math.SQRT2))).toBeLessThanOrEqual(1e-15 * Math.max(1, a, b));
      }));
    }
  });

  test("a second run does no new work (all 16 runs cached), and the same data comes back", async () => {
    expect(first.run).toMatchObject({ runs: 16, computed: 16, cached: 0 });
    const again = await runFigRank(tiny, { workers: 1, cache: { dir } });
    expect(again.run).toMatchObject({ runs: 16, computed: 0, cached: 16 });
    expect({ ...again, run: null }).toEqual({ ...first, run: null });
  });

  test("the rank-one part is an S1 sweep: Fig S1 with the same parameters reuses its runs from the cache", async () => {
    const s1 = await runFigS1(
      {
        ...figS1Config("ci"), size: 12, learningRates: [0.01, 0.1], seeds: [0, 1], epochs: 300, reportEpochs: [100, 300],
        learnedLevel: tiny.comparison.learnedLevel,
      },
      { workers: 1, cache: { dir } },
    );
    expect(s1.run).toMatchObject({ computed: 0, cached: 4 });
    expect(s1.sweep.loss).toEqual(first.rankOne.loss);
  });

  test("deterministic without the cache", async () => {
    const fresh = await runFigRank(tiny, { workers: 1, cache: false });
    expect(fresh.run.computed).toBe(16);
    expect({ ...fresh, run: null }).toEqual({ ...first, run: null });
  });
});

describe("trainable-rank configs", () => {
  test("full = the paper's protocols (spec A8 full-rank sweep, spec B4.2 rank-K sweep)", () => {
    const c = figRankConfig("full");
    expect(c.comparison.fullRankLearningRates).toEqual(Array.from(logspace(-4, 1, 30)));
    expect(c.comparison.rankOneLearningRates).toEqual(Array.from(logspace(-4, -1, 30)));
    expect(c.comparison.epochs).toBe(200001);
    expect(c.comparison.seeds.length).toBe(10);
    expect(c.rankK).toMatchObject({ ranks: [1, 2, 3, 4, 5, 10, 30, 50, 100], epochs: 500000, learnedLevel: 1e-2 });
    expect(c.rankK.learningRates).toEqual(Array.from(logspace(-3, 0, 10)));
    expect(c.reduction).toBe("");
    // at full scale the rank-one part is exactly Fig S1's sweep (shared through the cache)
    const s1 = figS1Config("full");
    const specs = figRankSpecs(c);
    expect(specs.rankOne).toMatchObject({ learningRates: s1.learningRates, seeds: s1.seeds, epochs: s1.epochs, reportEpochs: s1.reportEpochs });
  });

  test("paper scale: rates from the paper's grids, both models at the same budget, reduction stated", () => {
    const c = figRankConfig("paper");
    const fullGrid = Array.from(logspace(-4, 1, 30));
    const kGrid = Array.from(logspace(-3, 0, 10));
    for (const lr of c.comparison.fullRankLearningRates) expect(fullGrid).toContain(lr);
    for (const lr of c.rankK.learningRates) expect(kGrid).toContain(lr);
    const specs = figRankSpecs(c);
    expect(specs.rankOne.epochs).toBe(specs.fullRank.epochs);
    expect(specs.rankK.map((s) => s.rank)).toEqual(c.rankK.ranks);
    expect(c.reduction.length).toBeGreaterThan(0);
    expect(figRankConfig()).toEqual(c);
  });

  test("bad scales and configs are refused", async () => {
    expect(() => figRankConfig("huge" as never)).toThrow(GhostError);
    await expect(runFigRank({ ...tiny, rankK: { ...tiny.rankK, ranks: [1, 20] } }, { workers: 1, cache: false })).rejects.toThrow(/rank/);
  });
});
