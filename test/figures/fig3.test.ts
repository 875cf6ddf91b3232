import {
  analyseFig3Snapshot, fig3Config, fig3KappaGrid, Fig3Config, runFig3High, runFig3Low, validateFig3Config,
} from "../../src/figures/fig3";
import { downsampleMinMax } from "../../src/core/arrays";
import { rankOneCrossingStep } from "../../src/analysis/rankOne";
import { createRankOneRnn, rankOneInitialKappa, rankOneLatentStep, rankOneParams } from "../../src/models/rnn";
import { delayedActivationTask } from "../../src/tasks/delayedActivation";
import { evaluateRnn } from "../../src/training/bptt";
import { GhostError } from "../../src/core/errors";

const paper = fig3Config("paper");

// Note on cost: under jest (a vm context) Math.tanh runs ~10× slower than in plain Node, so the runs here are short.

/** A short low-lr run: 1500 epochs (no learning yet), snapshots every 500. */
function smallLow(): Fig3Config {
  return {
    ...paper,
    low: { ...paper.low, epochs: 1500, snapshotEvery: 500, flowPanelEpochs: [0, 500, 1000], fixedPointCheckEvery: 100, plotBuckets: 100 },
  };
}

/** Analysis of the high-lr run starts here (see {@link smallHigh}). */
const HIGH_START = 4800;

/**
 * The high-lr run of the paper's config (seed 40), analysed only from epoch 4800 (seed 40 first reaches accuracy
 * > 0.5 at epoch 4713 and meets its saddle-node at 4868 with the default WebAssembly kernels, 4870 with
 * GHOST_KERNELS=js; properties of this deterministic run) and stopped 5 epochs after the event, to keep the test cheap.
 */
function smallHigh(): Fig3Config {
  return { ...paper, high: { ...paper.high, analysisStart: HIGH_START, stopAfterEvent: 5 } };
}

describe("downsampleMinMax", () => {
  test("keeps first, last, global min and max and every spike; at most 2·buckets + 2 points, epochs increasing", () => {
    const n = 10_000;
    const v = Array.from({ length: n }, (_, i) => 1 + 0.1 * Math.sin(i / 50));
    v[1234] = 1000; // spike
    v[7777] = 1e-9; // dip
    const s = downsampleMinMax(v, 50);
    expect(s.epoch.length).toBeLessThanOrEqual(2 * 50 + 2);
    expect(s.epoch[0]).toBe(0);
    expect(s.epoch[s.epoch.length - 1]).toBe(n - 1);
    expect(s.epoch).toContain(1234);
    expect(s.epoch).toContain(7777);
    for (let i = 1; i < s.epoch.length; i++) expect(s.epoch[i]).toBeGreaterThan(s.epoch[i - 1]);
    s.epoch.forEach((e, i) => expect(s.value[i]).toBe(v[e]));
  });

  test("buckets ≥ n returns the series itself; empty input gives empty output; bad buckets throw", () => {
    const v = [3, 1, 2, 5, 4];
    expect(downsampleMinMax(v, 10)).toEqual({ epoch: [0, 1, 2, 3, 4], value: v });
    expect(downsampleMinMax([], 3)).toEqual({ epoch: [], value: [] });
    expect(() => downsampleMinMax(v, 0)).toThrow(GhostError);
  });
});

describe("rankOneCrossingStep", () => {
  test("equals the first output above 0.5 of the trainer's forward pass (o_t > 0.5 ⇔ κ_t > 1)", () => {
    const model = createRankOneRnn(3, { size: 2 });
    // F(κ) = 1.5 tanh(κ + 1): κ₀ = −0.45 rises to the fixed point κ* ≈ 1.45 > 1, so the threshold is crossed
    model.params.M.data.set([1, 0]);
    model.params.P.data.set([1.5, 0]);
    model.params.b.data.set([1, 0]);
    const task = delayedActivationTask(20);
    const outputs = evaluateRnn(model, task).outputs;
    const first = outputs.findIndex((o) => o > 0.5);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(rankOneCrossingStep(model, task.steps)).toBe(first + 1);
    // untrained paper network: the only fixed point is below 1, no crossing
    expect(rankOneCrossingStep(createRankOneRnn(40), 40)).toBeNull();
  });
});

describe("Fig 3 low learning rate (short run)", () => {
  const config = smallLow();
  const data = runFig3Low(config);

  test("shapes: snapshots every 500 epochs, flows on the 600-point display window, downsampled curves, checks every 100", () => {
    const grid = fig3KappaGrid(config);
    expect(data.kappa.length).toBe(600);
    expect(data.kappa[0]).toBe(grid[200]);
    expect(data.kappa[599]).toBe(grid[799]);
    expect(data.snapshots.map((s) => s.epoch)).toEqual([0, 500, 1000]);
    for (const s of data.snapshots) {
      expect(s.dkappaDt.length).toBe(600);
      expect(s.dense).toBe(false);
    }
    expect(data.epochsRun).toBe(1500);
    expect(data.loss.epoch.length).toBeLessThanOrEqual(2 * 100 + 2);
    expect(data.loss.epoch[0]).toBe(0);
    expect(data.loss.epoch[data.loss.epoch.length - 1]).toBe(1499);
    expect(data.gradNorm.value.length).toBe(data.gradNorm.epoch.length);
    expect(data.fixedPointChecks.epoch.length).toBe(15);
    expect(data.fixedPointChecks.signFlips.length).toBe(15);
    // JSON round trip keeps everything (plain data)
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });

  test("the untrained network: accuracy 0.5, loss near 1 (bound from its own trajectory), exactly one fixed point, below threshold", () => {
    const model = createRankOneRnn(config.low.seed);
    const p = rankOneParams(model);
    let kappa = rankOneInitialKappa(model), kappaMax = -Infinity;
    for (let t = 0; t < 40; t++) { kappa = rankOneLatentStep(p, kappa, 0.5); kappaMax = Math.max(kappaMax, kappa); }
    expect(kappaMax).toBeLessThan(1);
    // every o_t ≤ oMax = σ(c(κmax − 1)): loss = Σ_{t≤20} o² / 20 + Σ_{t>20} (1 − o)² / 20 ∈ [(1 − oMax)², 1 + oMax²]
    const oMax = 1 / (1 + Math.exp(-10 * (kappaMax - 1)));
    expect(data.initial.accuracy).toBe(0.5);
    expect(data.initial.loss).toBeGreaterThanOrEqual((1 - oMax) ** 2);
    expect(data.initial.loss).toBeLessThanOrEqual(1 + oMax ** 2);
    expect(data.initial.loss).toBeGreaterThan(0.99);
    const s = data.initial.snapshot;
    expect(s.epoch).toBe(-1);
    expect(s.fixedPoints.length).toBe(1);
    expect(s.signFlips).toBe(1);
    expect(s.fixedPoints[0].stability).toBe("stable");
    expect(s.fixedPoints[0].kappa).toBeLessThan(1);
    expect(s.ghost.classification).toBe("bifurcated");
    expect(s.ghost.height).toBeLessThan(0);
    expect(s.crossingStep).toBeNull();
  });

  test("no drop within 1500 epochs: drop fields null, no dense window, no bifurcation", () => {
    expect(data.drop.denseTrigger).toBeNull();
    expect(data.drop.dropEpoch).toBeNull();
    expect(data.maxFixedPoints).toEqual({ refined: 1, signFlips: 1 });
  });

  test("deterministic: the same config gives identical data (timings aside)", () => {
    const again = runFig3Low(config);
    expect({ ...again, timings: null }).toEqual({ ...data, timings: null });
  });

  test("the snapshot analysis of a stored network equals a fresh analysis of the same parameters", () => {
    const model = createRankOneRnn(config.low.seed);
    expect(analyseFig3Snapshot(model, -1, config)).toEqual(data.initial.snapshot);
  });
});

// The paper's lr 0.003 reaches the drop after ~31 400 epochs (too slow for a test); lr 0.01 shortens the plateau
// to ~9 400 epochs with the same mechanism (one fixed point throughout, one release, with either kernel mode; at
// lr 0.012 the WebAssembly kernels' rounding already lets seed 40 pass through a bifurcation).
describe("Fig 3 low learning rate through the abrupt drop (seed 40, lr 0.01, 10000 epochs)", () => {
  const base = fig3Config("ci");
  const config: Fig3Config = {
    ...base,
    low: { ...base.low, learningRate: 0.01, epochs: 10000, flowPanelEpochs: [0, 9000], fixedPointCheckEvery: 100, plotBuckets: 200, dense: { every: 20, before: 200, after: 200, dropLevel: 0.5 } },
  };
  const data = runFig3Low(config);

  test("abrupt drop: the loss leaves the plateau and falls below 10 % within a window ≤ 5 % of the plateau length", () => {
    const d = data.drop;
    expect(d.plateauEnd).not.toBeNull();
    expect(d.dropEnd).not.toBeNull();
    expect(d.relativeWidth as number).toBeLessThan(0.05);
    expect(d.dropEpoch as number).toBeGreaterThanOrEqual(d.plateauEnd as number);
    expect(d.dropEpoch as number).toBeLessThanOrEqual(d.dropEnd as number);
  });

  test("dense snapshots every 20 epochs around the trigger, no bifurcation: one release event, one fixed point throughout", () => {
    const trigger = data.drop.denseTrigger as number;
    expect(trigger).not.toBeNull();
    const dense = data.snapshots.filter((s) => s.dense).map((s) => s.epoch);
    expect(dense.length).toBeGreaterThan(10);
    for (const e of dense) {
      expect(e % 20).toBe(0);
      expect(e).toBeGreaterThanOrEqual(trigger - config.low.dense!.before);
      expect(e).toBeLessThanOrEqual(trigger + config.low.dense!.after);
    }
    expect(data.maxFixedPoints).toEqual({ refined: 1, signFlips: 1 });
    expect(data.events.map((e) => e.kind)).toEqual(["release"]);
    const ev = data.events[0];
    expect(ev.heightBefore).toBeLessThanOrEqual(0);
    expect(ev.heightAfter).toBeGreaterThan(0);
    // after the release κ crosses the threshold within the trial; before, it never does
    const last = data.snapshots[data.snapshots.length - 1];
    expect(last.ghost.height).toBeGreaterThan(0);
    expect(last.crossingStep).not.toBeNull();
    expect(data.snapshots[0].crossingStep).toBeNull();
  });
});

describe("Fig 3 high learning rate (seed 40, analysed from epoch 4800, stopped after the event)", () => {
  const config = smallHigh();
  const data = runFig3High(config);

  test("a saddle-node event: h > 0 before, h ≤ 0 after, the fixed-point count grows to 3, and it persists", () => {
    const ev = data.saddleNode;
    expect(ev).not.toBeNull();
    if (!ev) return;
    expect(ev.heightBefore).toBeGreaterThan(0);
    expect(ev.heightAfter).toBeLessThanOrEqual(0);
    expect(ev.previousEpoch).toBe(ev.epoch - 1);
    expect(ev.countGrew).toBe(true);
    expect(ev.signFlipsBefore).toBe(1);
    expect(ev.signFlipsAfter).toBe(3);
    expect(ev.persistent).toBe(true);
    expect(data.stoppedEarly).toBe(true);
    expect(data.epochsRun).toBe(ev.epoch + config.high.stopAfterEvent! + 1);
  });

  test("after the event the loss is back near 1, accuracy 0.5 and the gradient has collapsed", () => {
    const ev = data.saddleNode!;
    expect(ev.lossAfter).toBeGreaterThan(0.9);
    expect(ev.minLossAfter).toBeGreaterThan(0.9);
    expect(ev.accuracyAfter).toBe(0.5);
    for (let e = ev.epoch + 1; e < data.epochsRun; e++) expect(data.accuracy[e]).toBe(0.5);
    // σ′ saturated at c = 10: many orders of magnitude (float64 reaches ~1e-18 or below)
    expect(ev.collapseOrders).toBeGreaterThan(10);
    expect(data.firstAccurate as number).toBeLessThan(ev.epoch);
  });

  test("per-epoch arrays cover the analysed epochs; the event flows are the replayed networks of those epochs", () => {
    const p = data.perEpoch;
    expect(p.epoch[0]).toBe(HIGH_START);
    expect(p.epoch.length).toBe(data.epochsRun - HIGH_START);
    expect(data.loss.length).toBe(data.epochsRun);
    const ev = data.saddleNode!;
    const expected: number[] = [];
    for (let e = ev.epoch - 10; e <= Math.min(ev.epoch + 10, data.epochsRun - 1); e++) expected.push(e);
    expect(data.eventFlows.map((s) => s.epoch)).toEqual(expected);
    // the replayed parameters give exactly the heights and counts measured online
    for (const s of data.eventFlows) {
      const i = s.epoch - HIGH_START;
      expect(s.ghost.height).toBe(p.height[i]);
      expect(s.signFlips).toBe(p.signFlips[i]);
    }
    const at = data.eventFlows.find((s) => s.epoch === ev.epoch)!;
    expect(at.fixedPoints.map((f) => f.stability)).toEqual(["stable", "unstable", "stable"]);
    expect(at.fixedPoints[1].kappa).toBeLessThan(1); // the new pair lies below the threshold
    expect(at.crossingStep).toBeNull();
  });

  test("events are exactly the sign changes of the per-epoch h", () => {
    const h = data.perEpoch.height;
    const changes: number[] = [];
    for (let i = 1; i < h.length; i++) if ((h[i] > 1e-12) !== (h[i - 1] > 1e-12)) changes.push(data.perEpoch.epoch[i]);
    expect(data.events.map((e) => e.epoch)).toEqual(changes);
    expect(data.events[data.events.length - 1].epoch).toBe(data.saddleNode!.epoch);
  });
});

describe("Fig 3 config", () => {
  test("scales: paper = the spec's parameters; ci keeps them but shortens the low-lr run and stops after the event", () => {
    expect(paper.low).toMatchObject({ seed: 40, learningRate: 0.003, epochs: 500_000, snapshotEvery: 1000, flowPanelEpochs: [0, 200_000, 499_000] });
    expect(paper.high).toMatchObject({ seed: 40, learningRate: 0.02, epochs: 6000, analysisStart: 0, stopAfterEvent: null });
    expect(paper).toMatchObject({ size: 100, confidence: 10, horizon: 20, kappaGrid: { min: -15, max: 15, points: 1000 }, displayWindow: [200, 800] });
    const ci = fig3Config("ci");
    expect(ci.low.learningRate).toBe(0.003);
    expect(ci.high.epochs).toBe(6000);
    expect(ci.high.stopAfterEvent).not.toBeNull();
    expect(fig3Config("full")).toEqual({ ...paper, scale: "full" });
  });

  test("bad configs are rejected with GhostError", () => {
    expect(() => fig3Config("huge" as never)).toThrow(GhostError);
    expect(() => validateFig3Config({ ...paper, low: { ...paper.low, flowPanelEpochs: [1500] } })).toThrow(/multiple of low.snapshotEvery/);
    expect(() => validateFig3Config({ ...paper, low: { ...paper.low, epochs: 0 } })).toThrow(GhostError);
    expect(() => validateFig3Config({ ...paper, high: { ...paper.high, eventFlowOffsets: [-20] } })).toThrow(GhostError);
    expect(() => validateFig3Config({ ...paper, displayWindow: [900, 800] })).toThrow(GhostError);
    expect(() => runFig3High({ ...paper, high: { ...paper.high, learningRate: -1 } })).toThrow(GhostError);
  });
});
