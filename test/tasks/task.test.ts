/** The batched tasks against spec B1: shapes, step counts, batch order, presets, custom tasks and bad tasks. */
import { GhostError } from "../../src/core/errors";
import { ndFloat64 } from "../../src/core/nd";
import {
  dcdtTask, defineTask, delayedActivationBatchTask, dmtsTask, experimentPreset, presetNames, presetTask, stepCount, taskDims, validateTask,
} from "../../src/tasks/task";

/** Trial b of a [B, S, 1] array as a plain number array. */
const row = (a: { data: Float64Array; shape: number[] }, b: number) => Array.from(a.data.subarray(b * a.shape[1], (b + 1) * a.shape[1]));
const rep = (v: number, n: number) => new Array(n).fill(v);

describe("step counts: int(interval / dt) without float loss", () => {
  test.each([
    [10, 5, 2], [30, 5, 6], [50, 5, 10], [80, 5, 16], [150, 5, 30],
    [0.01, 0.005, 2], [0.03, 0.005, 6], [0.05, 0.005, 10], [0.08, 0.005, 16],
    [12, 5, 2], [7, 5, 1], [0, 5, 0], [4.9, 5, 0],
  ])("stepCount(%p, %p) = %p", (interval, dt, n) => {
    expect(stepCount(interval, dt)).toBe(n);
  });
  test("0.03 / 0.005 is 5.999… in float64 for some inputs; 0.3/0.05 rounds the same way", () => {
    expect(Math.trunc(0.3 / 0.05)).toBe(5); // the float trap int() would fall into
    expect(stepCount(0.3, 0.05)).toBe(6);
  });
  test("bad intervals", () => {
    expect(() => stepCount(-1, 5)).toThrow(GhostError);
    expect(() => stepCount(10, 0)).toThrow(GhostError);
    expect(() => stepCount(NaN, 5)).toThrow(GhostError);
  });
});

describe("DCDT (spec B1)", () => {
  const task = presetTask("fig4-dcdt");
  test("Fig 4 preset: 500 copies of 2 types, 2 + 10 + 10 = 22 steps, Din = Dout = 1", () => {
    expect(taskDims(task)).toEqual({ batch: 1000, steps: 22, inputs: 1, outputs: 1 });
    expect(task.dt).toBe(5);
    expect(task.accuracy).toEqual({ kind: "ternary", threshold: 0.33 });
  });
  test("trial j has type j mod 2; inputs and targets per type", () => {
    for (let j = 0; j < 1000; j++) expect(task.trialTypes[j]).toBe(j % 2);
    for (const j of [0, 1, 2, 3, 998, 999]) {
      const s = j % 2 === 0 ? 1 : -1;
      expect(row(task.inputs, j)).toEqual([...rep(s, 2), ...rep(0, 20)]);
      expect(row(task.targets, j)).toEqual([...rep(0, 12), ...rep(s, 10)]);
    }
  });
  test("Fig 7 intervals 30/80/50 ms → 6 + 16 + 10 = 32 steps, one copy per type", () => {
    const t = presetTask("fig7-dcdt");
    expect(taskDims(t)).toEqual({ batch: 2, steps: 32, inputs: 1, outputs: 1 });
    expect(row(t.inputs, 1)).toEqual([...rep(-1, 6), ...rep(0, 26)]);
    expect(row(t.targets, 1)).toEqual([...rep(0, 22), ...rep(-1, 10)]);
  });
  test("copies override and Fig 8C's 10 copies", () => {
    expect(taskDims(presetTask("fig4-dcdt", { copies: 3 })).batch).toBe(6);
    expect(taskDims(presetTask("fig8c-dcdt")).batch).toBe(20);
    expect(taskDims(presetTask("fig5-dcdt"))).toEqual({ batch: 2, steps: 22, inputs: 1, outputs: 1 });
  });
});

describe("DMTS (spec B1)", () => {
  test("Fig 4 preset: 30/80/50 ms → 6 + 16 + 6 + 10 = 38 steps, 500 copies of 4 types", () => {
    const t = presetTask("fig4-dmts");
    expect(taskDims(t)).toEqual({ batch: 2000, steps: 38, inputs: 1, outputs: 1 });
    expect(t.accuracy).toEqual({ kind: "binary", threshold: 0.5 });
    const cues = [[1, 1], [-1, -1], [-1, 1], [1, -1]];
    for (const j of [0, 1, 2, 3, 4, 1999]) {
      const k = j % 4;
      expect(t.trialTypes[j]).toBe(k);
      expect(row(t.inputs, j)).toEqual([...rep(cues[k][0], 6), ...rep(0, 16), ...rep(cues[k][1], 6), ...rep(0, 10)]);
      expect(row(t.targets, j)).toEqual([...rep(0, 28), ...rep(k < 2 ? 1 : 0, 10)]);
    }
    expect(t.typeLabels).toEqual(["Match", "Match", "No-Match", "No-Match"]);
  });
  test("Fig 5 intervals 10/150/50 ms → 2 + 30 + 2 + 10 = 44 steps", () => {
    expect(taskDims(presetTask("fig5-dmts"))).toEqual({ batch: 4, steps: 44, inputs: 1, outputs: 1 });
  });
  test("Fig 7 (and saturation) DMTS: 38 steps, 4 trials", () => {
    expect(taskDims(presetTask("fig7-dmts"))).toEqual({ batch: 4, steps: 38, inputs: 1, outputs: 1 });
    expect(taskDims(presetTask("fig7-dmts-saturation"))).toEqual({ batch: 4, steps: 38, inputs: 1, outputs: 1 });
  });
});

describe("presets (B1 table)", () => {
  test("names and model/training settings of each row", () => {
    expect(presetNames()).toEqual(expect.arrayContaining(["fig4-dcdt", "fig4-dmts", "fig5-dcdt", "fig5-dmts", "fig7-dcdt", "fig7-dmts", "fig8c-dcdt"]));
    expect(experimentPreset("fig4-dcdt").model).toEqual({ kind: "lowRank", rank: 2, output: "tanh", rateSigma: 0.3, noiseSigma: 0 });
    expect(experimentPreset("fig4-dmts").training).toMatchObject({ optimizer: "adam", learningRate: 1e-4, epochs: 20000, seeds: [0] });
    expect(experimentPreset("fig5-dmts").training).toMatchObject({ optimizer: "sgd", learningRate: 1e-2, epochs: 100001, seeds: [3] });
    expect(experimentPreset("fig8c-dcdt").model).toMatchObject({ kind: "fullRank", rateSigma: 0.1, noiseSigma: 1e-3 });
    expect(experimentPreset("fig7-dcdt").training.seeds).toHaveLength(20);
  });
  test("experimentPreset returns a copy (mutating it leaves the table intact)", () => {
    experimentPreset("fig4-dcdt").task.copies = 1;
    expect(experimentPreset("fig4-dcdt").task.copies).toBe(500);
  });
  test("unknown preset names are refused", () => {
    expect(() => presetTask("fig9-dcdt")).toThrow(/one of "fig4-dcdt"/);
  });
});

describe("custom tasks: defineTask", () => {
  test("array form: go/no-go in a few lines; inferred binary accuracy; default types 0…B−1", () => {
    const t = defineTask({ name: "go-no-go", inputs: [[1, 0, 0, 0], [-1, 0, 0, 0]], targets: [[0, 0, 1, 1], [0, 0, 0, 0]] });
    expect(taskDims(t)).toEqual({ batch: 2, steps: 4, inputs: 1, outputs: 1 });
    expect(Array.from(t.trialTypes)).toEqual([0, 1]);
    expect(t.accuracy).toEqual({ kind: "binary", threshold: 0.5 });
  });
  test("function form: trial j has type j mod types; multi-dimensional inputs", () => {
    const t = defineTask({ name: "two-channel", steps: 3, types: 2, copies: 2, input: (k, s) => [k, s], target: (k, s) => (s === 2 ? 2 * k - 1 : 0) });
    expect(taskDims(t)).toEqual({ batch: 4, steps: 3, inputs: 2, outputs: 1 });
    expect(Array.from(t.trialTypes)).toEqual([0, 1, 0, 1]);
    expect(Array.from(t.inputs.data.subarray(6, 12))).toEqual([1, 0, 1, 1, 1, 2]);
    expect(t.accuracy).toEqual({ kind: "ternary", threshold: 0.33 });
  });
  test("regression targets get accuracy none; the same DCDT by hand equals dcdtTask", () => {
    expect(defineTask({ name: "r", inputs: [[0.5]], targets: [[0.25]] }).accuracy).toEqual({ kind: "none" });
    const d = dcdtTask({ inputMs: 10, delayMs: 50, reactMs: 50 });
    const h = defineTask({ name: "dcdt", steps: 22, types: 2, input: (k, s) => (s < 2 ? 1 - 2 * k : 0), target: (k, s) => (s >= 12 ? 1 - 2 * k : 0) });
    expect(Array.from(h.inputs.data)).toEqual(Array.from(d.inputs.data));
    expect(Array.from(h.targets.data)).toEqual(Array.from(d.targets.data));
  });
  test("DA in the batched interface: 1 trial, 2T steps, zero input", () => {
    const t = delayedActivationBatchTask(20);
    expect(taskDims(t)).toEqual({ batch: 1, steps: 40, inputs: 1, outputs: 1 });
    expect(row(t.targets, 0)).toEqual([...rep(0, 20), ...rep(1, 20)]);
  });
});

describe("bad tasks get a clear GhostError", () => {
  const good = () => dcdtTask({ inputMs: 10, delayMs: 10, reactMs: 10 });
  test.each([
    ["NaN target", () => defineTask({ name: "x", inputs: [[0, 0]], targets: [[0, NaN]] }), /targets.*finite/],
    ["empty batch", () => defineTask({ name: "x", inputs: [], targets: [] }), /non-empty array of trials/],
    ["ragged trials", () => defineTask({ name: "x", inputs: [[0, 0], [0]], targets: [[0, 0], [0, 0]] }), /S = 2 steps/],
    ["targets of another length", () => defineTask({ name: "x", inputs: [[0, 0]], targets: [[0, 0, 0]] }), /same B = 1 trials of S = 2/],
    ["unknown key", () => defineTask({ name: "x", inputs: [[0]], targets: [[0]], mask2: null } as never), /definition.mask2/],
    ["empty name", () => defineTask({ name: "", inputs: [[0]], targets: [[0]] }), /definition.name/],
    ["ternary rule with target 2", () => defineTask({ name: "x", inputs: [[0]], targets: [[2]], accuracy: { kind: "ternary", threshold: 0.33 } }), /one of -1, 0, 1/],
    ["all-zero mask", () => defineTask({ name: "x", inputs: [[0]], targets: [[0]], mask: [[0]] }), /at least one weight > 0/],
  ])("%s", (_label, fn, message) => {
    expect(fn).toThrow(GhostError);
    expect(fn).toThrow(message);
  });
  test("validateTask: wrong shapes, NaN inputs, bad trial types", () => {
    const t = good();
    expect(() => validateTask({ ...t, targets: ndFloat64([3, 6, 1]) })).toThrow(/task.targets/);
    const nan = good();
    nan.inputs.data[4] = NaN;
    expect(() => validateTask(nan)).toThrow(/task.inputs\[0, 4, 0\] = NaN/);
    expect(() => validateTask({ ...t, trialTypes: [0, 1] })).toThrow(/Int32Array of length B = 2/);
    expect(() => validateTask({ ...t, inputs: ndFloat64([0, 6, 1]) })).toThrow(/at least one trial/);
    expect(() => validateTask({ ...t, dt: 0 })).toThrow(/task.dt/);
  });
  test("validateTask with a model: Din and Dout must match", () => {
    const t = good();
    expect(validateTask(t, { config: { inputs: 1, outputs: 1 } })).toBe(t);
    expect(() => validateTask(t, { config: { inputs: 2, outputs: 1 } })).toThrow(/Din = model.config.inputs = 2.*the task has Din = 1/);
    expect(() => validateTask(t, { config: { inputs: 1, outputs: 3 } })).toThrow(/Dout = model.config.outputs = 3/);
  });
});
