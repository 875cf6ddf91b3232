import { bifurcationEvents, classifyRun, classifyRuns, firstEpochBelow } from "../../src/analysis/classify";
import { analyseGhost } from "../../src/analysis/ghosts";
import { Flow1D } from "../../src/analysis/flow";
import { GhostError } from "../../src/core/errors";

/** A 6000-epoch accuracy history: 0.5 except for the given (epoch, value) entries. */
function history(entries: [number, number][], length = 6000): Float64Array {
  const a = new Float64Array(length).fill(0.5);
  for (const [e, v] of entries) a[e] = v;
  return a;
}

describe("classifyRun (spec A7 step 3)", () => {
  test("learned at some point, then stuck for the last 50 epochs: selected", () => {
    const r = classifyRun(history([[3000, 0.525]]));
    expect(r).toEqual({ learned: true, stuck: true, selected: true, maxAccuracy: 0.525, maxAccuracyFinalWindow: 0.5 });
  });

  test("exactly 0.5 is neither learned (needs > 0.5) nor un-stuck (stuck needs ≤ 0.5)", () => {
    expect(classifyRun(history([]))).toMatchObject({ learned: false, stuck: true, selected: false });
  });

  test("the final window is epochs [E − 50, E): epoch E − 51 does not count, E − 50 does", () => {
    expect(classifyRun(history([[5949, 1]]))).toMatchObject({ learned: true, stuck: true, selected: true });
    expect(classifyRun(history([[5950, 1]]))).toMatchObject({ learned: true, stuck: false, selected: false });
    expect(classifyRun(history([[5999, 0.6]]))).toMatchObject({ stuck: false });
  });

  test("epochs option: only [0, E) is classified (the 100 confidence epochs after 6000 are ignored)", () => {
    const a = history([[100, 0.9], [6050, 1]], 6100);
    expect(classifyRun(a, { epochs: 6000 })).toMatchObject({ learned: true, stuck: true, selected: true });
    // without the option E = 6100: the window [6050, 6100) holds the 1 at epoch 6050
    expect(classifyRun(a)).toMatchObject({ learned: true, stuck: false, selected: false });
  });

  test("window and level options", () => {
    expect(classifyRun([0, 0.7, 0.2, 0.1], { window: 2, level: 0.6 })).toMatchObject({ learned: true, stuck: true });
    expect(classifyRun([0, 0.7, 0.2, 0.1], { window: 3, level: 0.6 })).toMatchObject({ learned: true, stuck: false });
  });

  test("validation", () => {
    expect(() => classifyRun([])).toThrow(GhostError);
    expect(() => classifyRun([0.5, NaN, 0.5])).toThrow(/accuracy\[1\] = NaN/);
    expect(() => classifyRun(new Float64Array(10))).toThrow(/accuracy.length = 10 .*window = 50/);
    expect(() => classifyRun(history([]), { epochs: 6001 })).toThrow(/options.epochs = 6001/);
    expect(() => classifyRun(history([]), { epochs: 49 })).toThrow(/options.epochs = 49/);
    expect(() => classifyRun(history([]), { window: 0 })).toThrow(/options.window = 0/);
  });
});

describe("classifyRuns", () => {
  test("counts and selected indices", () => {
    const runs = [
      history([[10, 0.75]]), // learned, stuck → selected
      history([[5990, 0.8]]), // learned, not stuck
      history([]), // never learned, stuck
      history([[0, 0.55], [5000, 1]]), // selected
    ];
    const s = classifyRuns(runs);
    expect(s).toMatchObject({ total: 4, learnedCount: 3, stuckCount: 3, selectedCount: 2, selectedIndices: [0, 3] });
    expect(s.runs[1]).toMatchObject({ learned: true, stuck: false });
  });
  test("validation", () => {
    expect(() => classifyRuns([])).toThrow(/accuracies/);
    expect(() => classifyRuns([history([]), [1, 2]])).toThrow(/accuracies\[1\]\.length = 2/);
  });
});

describe("firstEpochBelow", () => {
  test("first index strictly below the level, or the label there; null if never", () => {
    const loss = [1, 0.99, 0.5, 0.09, 0.2, 0.01];
    expect(firstEpochBelow(loss, 0.1)).toBe(3);
    expect(firstEpochBelow(loss, 0.5)).toBe(3); // 0.5 is not below 0.5
    expect(firstEpochBelow(loss, 1e-3)).toBeNull();
    expect(firstEpochBelow(loss, 0.1, { epochs: [0, 1000, 2000, 3000, 4000, 5000] })).toBe(3000);
    expect(() => firstEpochBelow(loss, 0.1, { epochs: [1, 2] })).toThrow(/options.epochs/);
    expect(() => firstEpochBelow(loss, NaN)).toThrow(/level = NaN/);
  });
});

describe("bifurcationEvents", () => {
  test("sign changes of h from plain heights, with epoch labels", () => {
    const h = [0.1, 0.05, 0.01, -0.01, -0.02, 0.03, 0.04];
    expect(bifurcationEvents(h)).toEqual([
      { index: 3, epoch: 3, previousEpoch: 2, kind: "trap", heightBefore: 0.01, heightAfter: -0.01, fixedPointsBefore: null, fixedPointsAfter: null },
      { index: 5, epoch: 5, previousEpoch: 4, kind: "release", heightBefore: -0.02, heightAfter: 0.03, fixedPointsBefore: null, fixedPointsAfter: null },
    ]);
    const labelled = bifurcationEvents(h, { epochs: [5150, 5151, 5152, 5153, 5154, 5155, 5156] });
    expect(labelled.map((e) => [e.previousEpoch, e.epoch])).toEqual([[5152, 5153], [5154, 5155]]);
    expect(bifurcationEvents([0.1, 0.2])).toEqual([]);
    expect(bifurcationEvents([0.1])).toEqual([]);
  });

  test("h = 0 (tangency) counts as reaching zero", () => {
    expect(bifurcationEvents([0.1, 0, 0.1]).map((e) => e.kind)).toEqual(["trap", "release"]);
    expect(bifurcationEvents([0.1, 1e-13, 0.1])).toHaveLength(2);
    expect(bifurcationEvents([0.1, 1e-13, 0.1], { zeroTolerance: 0 })).toHaveLength(0);
  });

  test("from ghost analyses of a sequence of flows: a saddle-node creates two fixed points", () => {
    const heights = [0.04, 0.01, -0.01, -0.04, 0.02];
    const flows: Flow1D[] = heights.map((h) => ({ f: (k) => (k - 0.2) ** 2 + h, df: (k) => 2 * (k - 0.2), d2f: () => 2 }));
    const analyses = flows.map((f) => analyseGhost(f, -0.3));
    expect(analyses.map((a) => a.classification)).toEqual(["ghost", "ghost", "bifurcated", "bifurcated", "ghost"]);
    const ev = bifurcationEvents(analyses, { epochs: [10, 20, 30, 40, 50] });
    expect(ev.map((e) => [e.epoch, e.kind, e.fixedPointsBefore, e.fixedPointsAfter])).toEqual([
      [30, "trap", 0, 2],
      [50, "release", 2, 0],
    ]);
  });

  test("validation", () => {
    expect(() => bifurcationEvents([0.1, NaN])).toThrow(/series\[1\] = NaN/);
    expect(() => bifurcationEvents([0.1, 0.2], { zeroTolerance: -1 })).toThrow(/zeroTolerance = -1/);
    expect(() => bifurcationEvents([{}] as never)).toThrow(/series\[0\]/);
  });
});
