/**
 * Argument checks of the protocols and figures helpers that take plain data produced by the library (sweep results,
 * reduced sweeps, configs, cache paths): representative bad inputs give a GhostError naming the parameter or
 * the path of the offending field; NaN inside data (diverged runs) stays legitimate.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GhostError } from "../../src/core/errors";
import { analyseFig3Snapshot, bestLearningRates, fig3Config, fig3KappaGrid, figRankConfig, figRankSpecs, figS1Config, figS1Spec, summariseLrSweep, summariseRankK } from "../../src/figures";
import { cacheFilePath, cacheInfo, cacheKey, readCacheEntry } from "../../src/engine";
import { classifyDaRun, epochCost, finiteMeanSem, validateLrSweepSpec } from "../../src/protocols";
import { downsampleMinMax } from "../../src/core";
import type { DaTrainResult, LrSweepData } from "../../src/protocols";
import { createRankOneRnn } from "../../src/models/rnn";
import { expectGhost } from "../property/helpers";

const run: DaTrainResult = {
  model: "rankOne", seed: 0, learningRate: 0.1, rank: 1, epochs: 100, epochsRun: 100, diverged: null, initialLoss: 1,
  report: { epoch: [], loss: [], accuracy: [], gradNorm: [] }, curve: { epoch: [], loss: [] },
  final: { loss: 0.999, accuracy: 0.5, gradNorm: 1e-20 }, maxAccuracy: 0.9, windowMaxAccuracy: 0.5, windowMaxGradNorm: 1e-19, window: 50,
};
const levels = { gradFloor: 1e-8, learnedLevel: 0.05 };

/** A reduced sweep of 2 learning rates × 2 seeds × 1 report epoch (only the fields the summaries read matter). */
function sweepData(): LrSweepData {
  const spec = figS1Spec({ ...figS1Config("ci"), learningRates: [0.01, 0.1], seeds: [0, 1], epochs: 100, reportEpochs: [100] });
  return {
    spec, rank: 1, learningRates: [0.01, 0.1], seeds: [0, 1], reportEpochs: [100], loss: [[[1, 1], [0.5, NaN]]],
    meanLoss: [[1, 0.5]], semLoss: [[0, NaN]], finiteCount: [[2, 1]], initialLoss: [[1, 1], [1, 1]],
    finalLoss: [[1, 1], [0.5, NaN]], normalisedFinalLoss: [[1, 1], [0.5, NaN]], finalGradNorm: [[1, 1], [1, NaN]],
    status: [["other", "other"], ["other", "diverged"]],
    counts: { learned: [0, 0], stuck: [0, 0], diverged: [0, 1], other: [2, 1], fellIn: [0, 0] },
    fractionLearned: [0, 0], bestLearningRate: [0.1], learningWindow: null, curves: null,
  };
}

describe("lrSweep helpers", () => {
  test("classifyDaRun names the bad field of the run or of the levels", () => {
    expectGhost(() => classifyDaRun(undefined as never, levels), "run");
    expectGhost(() => classifyDaRun({ ...run, final: undefined } as never, levels), "run.final");
    expectGhost(() => classifyDaRun({ ...run, windowMaxGradNorm: "0" } as never, levels), "run.windowMaxGradNorm");
    expectGhost(() => classifyDaRun({ ...run, diverged: undefined } as never, levels), "run.diverged");
    expectGhost(() => classifyDaRun(run, { gradFloor: -1, learnedLevel: 0.05 }), "spec.gradFloor");
    expectGhost(() => classifyDaRun(run, null as never), "spec");
    // NaN data of a diverged run stays legitimate
    const diverged = { ...run, diverged: { epoch: 3, reason: "loss = NaN" }, final: { loss: NaN, accuracy: NaN, gradNorm: NaN } };
    expect(classifyDaRun(diverged, levels)).toBe("diverged");
  });

  test("finiteMeanSem skips non-finite numbers but refuses non-numbers", () => {
    expect(finiteMeanSem([1, 3, NaN, Infinity])).toEqual({ mean: 2, sem: 1 / Math.SQRT2, n: 2 });
    expect(finiteMeanSem(Float64Array.from([1, 3]) as unknown as number[])).toEqual({ mean: 2, sem: 1 / Math.SQRT2, n: 2 });
    expectGhost(() => finiteMeanSem(undefined as never), "values");
    expectGhost(() => finiteMeanSem([1, "2"] as never), "values[1]");
  });

  test("epochCost checks model, rank and size", () => {
    expect(epochCost("lowRank", 2, 100)).toBeCloseTo(1.9);
    expectGhost(() => epochCost("rankTwo" as never), "model");
    expectGhost(() => epochCost("lowRank", 200, 100), "rank");
    expectGhost(() => epochCost("fullRank", 1, NaN), "size");
  });

  test("validateLrSweepSpec throws only GhostErrors, also for a bad name", () => {
    expectGhost(() => validateLrSweepSpec(figS1Spec(figS1Config("ci")), Symbol("s") as never), "name");
    expectGhost(() => validateLrSweepSpec({ length: 3 } as never), "spec.model");
    expectGhost(() => validateLrSweepSpec({ ...figS1Spec(figS1Config("ci")), seeds: [0, 1.5] }, "s1"), "s1.seeds[1]");
  });
});

describe("Fig S1 / trainable-rank helpers", () => {
  test("figS1Spec validates the config's sweep fields", () => {
    expectGhost(() => figS1Spec(undefined as never), "config");
    expectGhost(() => figS1Spec({ ...figS1Config("ci"), seeds: 3 } as never), "config.seeds");
    expectGhost(() => figS1Spec({ ...figS1Config("ci"), window: 0 }), "config.window");
    expect(figS1Spec(figS1Config("ci")).learningRates).toEqual(figS1Config("ci").learningRates);
  });

  test("figRankSpecs names the config path", () => {
    const c = figRankConfig("ci");
    expectGhost(() => figRankSpecs({ ...c, comparison: undefined } as never), "config.comparison");
    expectGhost(() => figRankSpecs({ ...c, rankK: { ...c.rankK, ranks: [1, 200] } }), "config.rankK.ranks[1]");
    expectGhost(() => figRankSpecs({ ...c, comparison: { ...c.comparison, reportEpochs: [500, 100] } }), "config.comparison.reportEpochs[1]");
    expectGhost(() => figRankSpecs({ ...c, window: 5000 }), "config.window");
    expect(figRankSpecs(c).rankK.map((s) => s.rank)).toEqual(c.rankK.ranks);
    expect(figRankSpecs({ ...c, rankK: { ...c.rankK, ranks: Float64Array.from(c.rankK.ranks) as never } }).rankK.map((s) => s.rank)).toEqual(c.rankK.ranks);
  });

  test("summariseLrSweep and summariseRankK check the reduced sweeps they read", () => {
    const s = sweepData();
    expect(summariseLrSweep(s).largest).toEqual({ learningRate: 0.1, stuck: 0, seeds: 2, meanFinalLoss: 0.5 });
    expectGhost(() => summariseLrSweep(undefined as never), "sweep");
    expectGhost(() => summariseLrSweep({ ...s, reportEpochs: [] }), "sweep.reportEpochs");
    expectGhost(() => summariseLrSweep({ ...s, meanLoss: [[1]] }), "sweep.meanLoss[0]");
    expectGhost(() => summariseLrSweep({ ...s, counts: { ...s.counts, diverged: [0] } }), "sweep.counts.diverged");
    expect(summariseRankK([1, 2], [s, s]).fractionLearned).toEqual([[0, 0], [0, 0]]);
    expectGhost(() => summariseRankK([1], []), "sweeps");
    expectGhost(() => summariseRankK([1], [s, s]), "ranks");
    expectGhost(() => summariseRankK([1, 2], [s, { ...s, finalLoss: undefined } as never]), "sweeps[1].finalLoss");
    expectGhost(() => summariseRankK([1, 2], [s, { ...s, learningRates: [0.01, 0.2] }]), "sweeps[1].learningRates");
    // holes of sparse arrays are checked like any other entry
    // eslint-disable-next-line no-sparse-arrays
    expectGhost(() => summariseRankK([1, 2], [, s] as never), "sweeps[0]");
    // eslint-disable-next-line no-sparse-arrays
    expectGhost(() => summariseLrSweep({ ...s, meanLoss: [,] } as never), "sweep.meanLoss[0]");
  });
});

describe("Fig 2 / Fig 3 helpers", () => {
  test("bestLearningRates checks the sweep's shapes; NaN means are allowed", () => {
    const sweep = { learningRates: [1, 2], reportEpochs: [10], instances: 1, epochs: 10, meanLoss: [[NaN, 0.5]], semLoss: [[0, 0]], stuck: [0, 0], seeds: [0, 1] };
    expect(bestLearningRates(sweep)).toEqual([{ epoch: 10, learningRate: 1, meanLoss: NaN, index: 0 }]);
    expectGhost(() => bestLearningRates(null as never), "sweep");
    expectGhost(() => bestLearningRates({ ...sweep, meanLoss: [[1]] }), "sweep.meanLoss[0]");
    expectGhost(() => bestLearningRates({ ...sweep, learningRates: [] }), "sweep.learningRates");
  });

  test("fig3KappaGrid, downsampleMinMax and analyseFig3Snapshot check their arguments", () => {
    const config = fig3Config("ci");
    expect(fig3KappaGrid(config).length).toBe(1000);
    expectGhost(() => fig3KappaGrid(undefined as never), "config");
    expectGhost(() => fig3KappaGrid({ ...config, kappaGrid: { min: 1, max: 0, points: 10 } }), "kappaGrid.max");
    expectGhost(() => fig3KappaGrid({ ...config, kappaGrid: { min: -Infinity, max: 0, points: 10 } }), "kappaGrid.min");
    expect(downsampleMinMax([1, NaN, 3], 1)).toEqual({ epoch: [0, 2], value: [1, 3] });
    expectGhost(() => downsampleMinMax({ length: 1e300 } as never, 1), "values");
    expectGhost(() => downsampleMinMax([1, "2"] as never, 1), "values[1]");
    const model = createRankOneRnn(0, { size: 8 });
    expectGhost(() => analyseFig3Snapshot(model, 0.5, config), "epoch");
    expectGhost(() => analyseFig3Snapshot(model, 0, { ...config, displayWindow: [0, 2000] }), "displayWindow[1]");
    expectGhost(() => analyseFig3Snapshot(model, 0, config, undefined, "yes" as never), "dense");
    expectGhost(() => analyseFig3Snapshot(model, 0, config, [3, 2, 1] as never), "kappaGrid");
  });
});

describe("cache helpers", () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-validation-"))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test("cacheFilePath, readCacheEntry and cacheInfo check dir, runner, key and version", () => {
    const key = cacheKey("selfTest", "1", { x: 1 });
    expect(cacheFilePath(tmp, "selfTest", key)).toBe(path.join(tmp, "selfTest", `${key}.json`));
    expectGhost(() => cacheFilePath("", "selfTest", key), "dir");
    expectGhost(() => cacheFilePath(tmp, "../etc", key), "runner");
    expectGhost(() => cacheFilePath(tmp, "selfTest", "x"), "key");
    expect(readCacheEntry(tmp, "selfTest", "1", { x: 1 }).status).toBe("missing");
    expectGhost(() => readCacheEntry(tmp, "selfTest", "", { x: 1 }), "runnerVersion");
    expectGhost(() => readCacheEntry(undefined as never, "selfTest", "1", {}), "dir");
    const file = path.join(tmp, "plain.txt");
    fs.writeFileSync(file, "not a directory");
    expectGhost(() => readCacheEntry(file, "selfTest", "1", { x: 1 }), "dir");
    expect(cacheInfo({ dir: tmp }).totalEntries).toBe(0);
    expectGhost(() => cacheInfo({ dir: file }), "opts.dir");
    expectGhost(() => cacheInfo({ dir: 3 } as never), "opts.dir");
    expectGhost(() => cacheInfo(null as never), "opts");
  });

  test("GhostError is the error class", () => {
    expect(() => epochCost(undefined as never)).toThrow(GhostError);
  });
});
