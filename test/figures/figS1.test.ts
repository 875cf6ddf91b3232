import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { logspace } from "../../src/core/arrays";
import { GhostError } from "../../src/core/errors";
import { createRankOneRnn } from "../../src/models/rnn";
import { delayedActivationTask } from "../../src/tasks/delayedActivation";
import { trainRnn } from "../../src/training/trainRnn";
import { figS1Config, figS1Spec, runFigS1, FigS1Config, FigS1Data, S1_PAPER_REPORT_EPOCHS } from "../../src/figures/figS1";
import { classifyDaRun, finiteMeanSem, lrSweepConfigs, reduceLrSweep } from "../../src/protocols/lrSweep";
import { DaTrainResult, logSpacedEpochs, runDaTrain } from "../../src/protocols/daTrain";

// Tiny: 3 learning rates × 2 seeds × 1000 epochs of the rank-one network (≈ 1 s on one core). From source the
// engine runs serially (workers: 1); parallel runs of the same engine are tested on the built library elsewhere.
const tiny: FigS1Config = {
  ...figS1Config("ci"),
  learningRates: [0.004, 0.03, 0.1],
  seeds: [0, 1],
  epochs: 1000,
  reportEpochs: [500, 1000],
};

describe("Fig S1 experiment (tiny scale)", () => {
  let dir: string;
  let first: FigS1Data;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-figS1-"));
    first = await runFigS1(tiny, { workers: 1, cache: { dir } });
  }, 60000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("shapes: [report epoch][lr][seed] per-seed losses, [epoch][lr] means, [lr][seed] finals and classes", () => {
    const s = first.sweep;
    expect(s.loss.length).toBe(2);
    for (const perLr of s.loss) {
      expect(perLr.length).toBe(3);
      for (const seeds of perLr) expect(seeds.length).toBe(2);
    }
    for (const m of [s.meanLoss, s.semLoss, s.finiteCount]) expect(m.map((r) => r.length)).toEqual([3, 3]);
    for (const m of [s.initialLoss, s.finalLoss, s.status]) expect(m.map((r) => r.length)).toEqual([2, 2, 2]);
    for (const c of Object.values(s.counts)) expect(c.length).toBe(3);
    expect(s.reportEpochs).toEqual([500, 1000]);
    expect(s.rank).toBe(1);
  });

  test("per-seed values are the trainer's loss at array index epoch − 1 (bit for bit)", () => {
    const task = delayedActivationTask(20);
    const i = 1, k = 1; // lr 0.03, seed 1
    const h = trainRnn(createRankOneRnn(tiny.seeds[k], { confidence: 10 }), { learningRate: tiny.learningRates[i], epochs: tiny.epochs, task });
    expect(first.sweep.loss[0][i][k]).toBe(h.loss[499]);
    expect(first.sweep.loss[1][i][k]).toBe(h.loss[999]);
    expect(first.sweep.initialLoss[i][k]).toBe(h.loss[0]);
    expect(first.sweep.finalLoss[i][k]).toBe(h.loss[999]);
  });

  test("mean ± SEM agree with the per-seed values: two seeds a, b give (a+b)/2 and |a−b|/(2√2)", () => {
    const s = first.sweep;
    for (let j = 0; j < 2; j++) {
      for (let i = 0; i < 3; i++) {
        const [a, b] = s.loss[j][i];
        expect(s.finiteCount[j][i]).toBe(2);
        expect(s.meanLoss[j][i]).toBeCloseTo((a + b) / 2, 14);
        // population std of two values = |a − b|/2, SEM = std/√2
        expect(Math.abs(s.semLoss[j][i] - Math.abs(a - b) / (2 * Math.SQRT2))).toBeLessThanOrEqual(1e-15 * Math.max(1, a, b));
      }
    }
  });

  test("class counts add up to the seeds, and the fraction learned is learned/seeds", () => {
    const s = first.sweep;
    for (let i = 0; i < 3; i++) {
      expect(s.counts.learned[i] + s.counts.stuck[i] + s.counts.other[i] + s.counts.diverged[i]).toBe(2);
      expect(s.fractionLearned[i]).toBe(s.counts.learned[i] / 2);
    }
    expect(first.summary.totals.runs).toBe(6);
  });

  test("a second run does no new work: every run comes from the cache, with identical data", async () => {
    const again = await runFigS1(tiny, { workers: 1, cache: { dir } });
    expect(first.run.computed).toBe(6);
    expect(again.run).toMatchObject({ runs: 6, computed: 0, cached: 6 });
    expect(again.sweep).toEqual(first.sweep);
    expect(again.summary).toEqual(first.summary);
  });

  test("deterministic without the cache: the same config gives the same data", async () => {
    const fresh = await runFigS1(tiny, { workers: 1, cache: false });
    expect(fresh.run.computed).toBe(6);
    expect(fresh.sweep).toEqual(first.sweep);
  });
});

describe("Fig S1 configs", () => {
  test("full = the paper's protocol (spec A8)", () => {
    const c = figS1Config("full");
    expect(c.learningRates).toEqual(Array.from(logspace(-4, -1, 30)));
    expect(c.seeds).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(c.epochs).toBe(200001);
    expect(c.reportEpochs).toEqual([...S1_PAPER_REPORT_EPOCHS]);
    expect(c).toMatchObject({ size: 100, confidence: 10, reduction: "" });
  });

  test("paper = a subset of the paper's grid including its largest rate, its report epochs that fit, and says so", () => {
    const c = figS1Config("paper");
    const grid = Array.from(logspace(-4, -1, 30));
    for (const lr of c.learningRates) expect(grid).toContain(lr);
    expect(c.learningRates).toContain(grid[29]);
    expect(c.reportEpochs.every((e) => S1_PAPER_REPORT_EPOCHS.includes(e) && e <= c.epochs)).toBe(true);
    expect(c.reduction.length).toBeGreaterThan(0);
    expect(figS1Config()).toEqual(c);
  });

  test("every scale's report epochs fit in its epochs; bad scales and configs are refused", async () => {
    for (const scale of ["ci", "paper", "full"] as const) {
      const c = figS1Config(scale);
      expect(Math.max(...c.reportEpochs)).toBeLessThanOrEqual(c.epochs);
      expect(lrSweepConfigs(figS1Spec(c)).length).toBe(c.learningRates.length * c.seeds.length);
    }
    expect(() => figS1Config("huge" as never)).toThrow(GhostError);
    await expect(runFigS1({ ...tiny, reportEpochs: [2000] }, { workers: 1, cache: false })).rejects.toThrow(/reportEpochs/);
    await expect(runFigS1({ ...tiny, learningRates: [0.01, -1] }, { workers: 1, cache: false })).rejects.toThrow(/learningRates\[1\]/);
  });
});

describe("daTrain runner and the sweep statistics", () => {
  const base: DaTrainResult = {
    model: "rankOne", seed: 0, learningRate: 0.1, rank: 1, epochs: 100, epochsRun: 100, diverged: null, initialLoss: 1,
    report: { epoch: [], loss: [], accuracy: [], gradNorm: [] }, curve: { epoch: [], loss: [] },
    final: { loss: 0.999, accuracy: 0.5, gradNorm: 1e-20 }, maxAccuracy: 0.9, windowMaxAccuracy: 0.5, windowMaxGradNorm: 1e-19, window: 50,
  };
  const levels = { gradFloor: 1e-8, learnedLevel: 0.05 };

  test("classes: stuck needs accuracy ≤ 0.5 AND a vanished gradient; learned = normalised loss below the level", () => {
    expect(classifyDaRun(base, levels)).toBe("stuck");
    // the untrained plateau: accuracy 0.5 but a gradient of ~1e-3 → not stuck
    expect(classifyDaRun({ ...base, windowMaxGradNorm: 1e-3 }, levels)).toBe("other");
    expect(classifyDaRun({ ...base, windowMaxAccuracy: 0.525 }, levels)).toBe("other");
    expect(classifyDaRun({ ...base, final: { ...base.final, loss: 0.04 } }, levels)).toBe("learned");
    // normalised by the initial loss (linear readouts start near 0.5)
    expect(classifyDaRun({ ...base, initialLoss: 0.5, windowMaxGradNorm: 1, final: { ...base.final, loss: 0.03 } }, levels)).toBe("other");
    expect(classifyDaRun({ ...base, diverged: { epoch: 3, reason: "loss = NaN" } }, levels)).toBe("diverged");
  });

  test("finiteMeanSem leaves out NaN (diverged) values and counts them", () => {
    expect(finiteMeanSem([1, 3, NaN])).toEqual({ mean: 2, sem: 1 / Math.SQRT2, n: 2 });
    const none = finiteMeanSem([NaN, Infinity]);
    expect(none.n).toBe(0);
    expect(Number.isNaN(none.mean)).toBe(true);
  });

  test("reduceLrSweep refuses a result list of the wrong length", () => {
    const spec = figS1Spec(tiny);
    expect(() => reduceLrSweep(spec, [base])).toThrow(/results/);
  });

  test("log-spaced curve epochs: distinct, increasing, from 1 to E", () => {
    const e = logSpacedEpochs(5000, 40);
    expect(e[0]).toBe(1);
    expect(e[e.length - 1]).toBe(5000);
    for (let i = 1; i < e.length; i++) expect(e[i]).toBeGreaterThan(e[i - 1]);
    expect(e.length).toBeLessThanOrEqual(41);
    expect(logSpacedEpochs(10, 0)).toEqual([]);
  });

  test("an absurd learning rate saturates every unit: loss 1, zero gradient — classed stuck, not diverged", () => {
    // tanh and σ are bounded, so float64 SGD here saturates instead of overflowing: after one step of lr 1e300
    // every pre-activation is huge, every derivative 0, and the outputs sit on the wrong side for 20 of 40 steps.
    const r = runDaTrain({ model: "fullRank", seed: 0, learningRate: 1e300, epochs: 20, N: 8, reportEpochs: [1, 20], window: 5 });
    expect(r.diverged).toBeNull();
    expect(r.report.loss[1]).toBe(1);
    expect(r.final.gradNorm).toBe(0);
    expect(r.windowMaxAccuracy).toBe(0.5);
    expect(classifyDaRun(r, levels)).toBe("stuck");
  });

  test("bad runner configs are refused with the field named", () => {
    expect(() => runDaTrain({ model: "rankTwo" as never, seed: 0, learningRate: 0.1, epochs: 10 })).toThrow(/model/);
    expect(() => runDaTrain({ model: "lowRank", rank: 200, seed: 0, learningRate: 0.1, epochs: 10 })).toThrow(/rank/);
    expect(() => runDaTrain({ model: "rankOne", seed: 0, learningRate: 0.1, epochs: 10, reportEpochs: [11] })).toThrow(/reportEpochs\[0\]/);
    expect(() => runDaTrain({ model: "rankOne", seed: 0, learningRate: 0.1, epochs: 10, leak: 2 })).toThrow(/leak/);
  });
});
