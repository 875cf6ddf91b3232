/** The task-RNN training loop: records, determinism, resume (state and checkpoint file), snapshots, divergence. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GhostError } from "../../src/core/errors";
import { Rng } from "../../src/core/rng";
import { TaskRnn, TaskRnnParams, cloneTaskRnn, createTaskRnn, taskRnnForward, taskRnnMetrics } from "../../src/models/taskRnn";
import { dcdtTask, dmtsTask, presetTask } from "../../src/tasks/task";
import { taskRnnGradient } from "../../src/training/taskBptt";
import { TaskHistory, ratesWithoutInitial, trainTask } from "../../src/training/trainTask";
import { loadTaskCheckpoint, trainTaskWithCheckpoints } from "../../src/io/taskCheckpoint";

const smallTask = () => dmtsTask({ inputMs: 10, delayMs: 20, reactMs: 10, copies: 2 });
const lowRank = () => createTaskRnn({ kind: "lowRank", size: 16, rank: 2, output: "sigmoid", rateSigma: 0.3, noiseSigma: 0.01, seed: 4 });
const fullRank = () => createTaskRnn({ kind: "fullRank", size: 12, output: "sigmoid", rateSigma: 0.1, noiseSigma: 0.01, seed: 4 });

const arrays = (h: TaskHistory) => [h.loss, h.accuracy, h.gradMetric, h.gradNorm, h.weightNorm].map((a) => Array.from(a));
const paramArrays = (p: TaskRnnParams) => Object.entries(p).map(([g, a]) => [g, Array.from(a.data)]);

describe("records", () => {
  test("epoch 0's loss, accuracy and gradMetric are those of the initial model's pass; weightNorm is after the update", () => {
    const m = lowRank(), task = smallTask();
    const ref = taskRnnGradient(cloneTaskRnn(m), task, new Rng(7));
    const r = trainTask(m, task, { epochs: 1, optimizer: { kind: "sgd", learningRate: 0.05 }, seed: 7 });
    expect(r.history.loss[0]).toBe(ref.loss);
    expect(r.history.accuracy[0]).toBe(ref.accuracy);
    expect(r.history.gradMetric[0]).toBe(taskRnnMetrics(m, ref.grads).gradMetric);
    expect(r.history.weightNorm[0]).toBe(taskRnnMetrics(m, ref.grads).weightNorm); // m is the updated model
    // and the update is p − lr·g (SGD)
    const before = lowRank();
    expect(m.params.bIn.data[3]).toBe(before.params.bIn.data[3] - 0.05 * ref.grads.bIn.data[3]);
  });
});

describe("determinism", () => {
  test("same seed → bit-identical histories and parameters; another seed differs", () => {
    const run = (seed: number) => trainTask(fullRank(), smallTask(), { epochs: 15, optimizer: { kind: "adam", learningRate: 0.01 }, seed });
    const a = run(1), b = run(1), c = run(2);
    expect(arrays(a.history)).toEqual(arrays(b.history));
    expect(paramArrays(a.model.params)).toEqual(paramArrays(b.model.params));
    expect(arrays(c.history)[0]).not.toEqual(arrays(a.history)[0]);
  });
  test("a model that draws nothing (ρ = σ_n = 0) needs no Rng and is deterministic", () => {
    const mk = () => createTaskRnn({ kind: "fullRank", size: 8, seed: 0 });
    const a = trainTask(mk(), dcdtTask({ inputMs: 10, delayMs: 10, reactMs: 10 }), { epochs: 5, optimizer: { kind: "sgd", learningRate: 0.1 } });
    const b = trainTask(mk(), dcdtTask({ inputMs: 10, delayMs: 10, reactMs: 10 }), { epochs: 5, optimizer: { kind: "sgd", learningRate: 0.1 } });
    expect(a.rng).toBeNull();
    expect(arrays(a.history)).toEqual(arrays(b.history));
    expect(() => trainTask(lowRank(), smallTask(), { epochs: 1, optimizer: { kind: "sgd", learningRate: 0.1 } })).toThrow(/an Rng/);
  });
});

describe("resume is bit-identical", () => {
  for (const [label, make, optimizer] of [
    ["low rank, Adam", lowRank, { kind: "adam", learningRate: 0.01 }],
    ["full rank, SGD", fullRank, { kind: "sgd", learningRate: 0.2 }],
  ] as const) {
    test(`${label}: 12 epochs = 5 epochs, state through JSON, 7 more`, () => {
      const task = smallTask();
      const whole = trainTask(make(), task, { epochs: 12, optimizer, seed: 3 });
      const first = trainTask(make(), task, { epochs: 5, optimizer, seed: 3 });
      const state = JSON.parse(JSON.stringify({ ...first.state(), model: null }));
      state.model = first.state().model; // parameters stay ndarrays in memory; the file round trip is tested below
      const fresh = make();
      const rest = trainTask(fresh, task, { epochs: 7, resume: state });
      expect(arrays(rest.history)).toEqual(arrays(whole.history));
      expect(paramArrays(fresh.params)).toEqual(paramArrays(whole.model.params));
      expect(rest.history.epochsRun).toBe(12);
    });
  }
  test("checkpoint files: a run stopped at 6 epochs and restarted to 14 equals 14 uninterrupted epochs", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-taskckpt-"));
    try {
      const task = smallTask(), file = path.join(dir, "run.json");
      const optimizer = { kind: "adam", learningRate: 0.02 } as const;
      const whole = trainTask(lowRank(), task, { epochs: 14, optimizer, seed: 9 });
      const part = trainTaskWithCheckpoints(lowRank(), task, { file, checkpointEvery: 4, epochs: 6, optimizer, seed: 9 });
      expect(part.resumedFromEpoch).toBe(0);
      expect(loadTaskCheckpoint(file).state.epoch).toBe(6);
      const m = lowRank();
      const rest = trainTaskWithCheckpoints(m, task, { file, checkpointEvery: 4, epochs: 14, optimizer, seed: 9 });
      expect(rest.resumedFromEpoch).toBe(6);
      expect(arrays(rest.history)).toEqual(arrays(whole.history));
      expect(paramArrays(m.params)).toEqual(paramArrays(whole.model.params));
      // A checkpoint of another run is refused.
      expect(() => trainTaskWithCheckpoints(fullRank(), task, { file, checkpointEvery: 4, epochs: 14, optimizer, seed: 9 })).toThrow(/another model config/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  test("resuming with another task is refused", () => {
    const first = trainTask(lowRank(), smallTask(), { epochs: 2, optimizer: { kind: "sgd", learningRate: 0.1 }, seed: 1 });
    expect(() => trainTask(lowRank(), dmtsTask({ inputMs: 10, delayMs: 25, reactMs: 10, copies: 2 }), { epochs: 1, resume: first.state() })).toThrow(/fingerprint differs/);
  });
});

describe("snapshots", () => {
  test("forward states of epoch e with the parameters after its update (and before, to re-run)", () => {
    const task = smallTask();
    const r = trainTask(lowRank(), task, { epochs: 4, optimizer: { kind: "sgd", learningRate: 0.1 }, seed: 5, snapshotEpochs: [1, 3] });
    expect(r.history.snapshots.map((s) => s.epoch)).toEqual([1, 3]);
    const last = r.history.snapshots[1];
    expect(paramArrays(last.params)).toEqual(paramArrays(r.model.params));
    expect(last.loss).toBe(r.history.loss[3]);
    expect(last.rates.shape).toEqual([8, task.inputs.shape[1] + 1, 16]);
    // Re-running epoch 3's forward pass: paramsBefore and the Rng state before epoch 3 reproduce the states.
    const rng = new Rng(5);
    const m: TaskRnn = { config: r.model.config, params: r.history.snapshots[0].paramsBefore };
    for (let e = 0; e < 3; e++) taskRnnForward(m, task, rng); // advance the stream by three passes
    const again = taskRnnForward({ config: r.model.config, params: last.paramsBefore }, task, rng);
    expect(Array.from(again.rates.data)).toEqual(Array.from(last.rates.data));
    // The Fig 4/7/8C convention (r_1…r_S) is the same array without r_0.
    const S = task.inputs.shape[1];
    const noR0 = ratesWithoutInitial(last.rates);
    expect(noR0.shape).toEqual([8, S, 16]);
    expect(Array.from(noR0.data.subarray(S * 16, S * 16 + 16))).toEqual(Array.from(last.rates.data.subarray((S + 2) * 16, (S + 3) * 16)));
  });
});

describe("divergence and options", () => {
  test("an overflowing update (Adam steps ≈ lr = 1e308): the next pass is NaN, training stops, records kept", () => {
    const mk = () => createTaskRnn({ kind: "fullRank", size: 10, seed: 1 });
    const t = dcdtTask({ inputMs: 10, delayMs: 10, reactMs: 10 });
    const r = trainTask(mk(), t, { epochs: 50, optimizer: { kind: "adam", learningRate: 1e308 } });
    expect(r.history.diverged).not.toBeNull();
    expect(r.history.diverged!.reason).toMatch(/NaN|Infinity/);
    expect(r.history.epochsRun).toBe(r.history.diverged!.epoch + 1);
    expect(r.history.epochsRun).toBeLessThan(50);
    expect(Number.isFinite(r.history.loss[0])).toBe(true);
    expect(() => trainTask(mk(), t, { epochs: 50, optimizer: { kind: "adam", learningRate: 1e308 }, onDivergence: "throw" })).toThrow(/diverged at epoch/);
  });
  test("a non-finite parameter at epoch 3: epochs 0–2 recorded, epoch 3 recorded as NaN and not applied", () => {
    const m = fullRank();
    const r = trainTask(m, smallTask(), {
      epochs: 10, optimizer: { kind: "sgd", learningRate: 0.1 }, seed: 1,
      beforeEpoch: (e, model) => { if (e === 3) (model.params as { Wrec: { data: Float64Array } }).Wrec.data[0] = Infinity; },
    });
    expect(r.history.diverged!.epoch).toBe(3);
    expect(r.history.diverged!.reason).toMatch(/(loss|gradient norm) = (NaN|-?Infinity)/);
    expect(r.history.epochsRun).toBe(4);
    expect(Array.from(r.history.loss.slice(0, 3)).every(Number.isFinite)).toBe(true);
    expect(() => trainTask(fullRank(), smallTask(), { epochs: 1, resume: r.state() })).toThrow(GhostError); // non-finite parameters, diverged run
  });
  test("unknown options, missing optimiser, mismatched task are refused", () => {
    const t = smallTask();
    expect(() => trainTask(lowRank(), t, { epochs: 1, optimizer: { kind: "sgd", learningRate: 0.1 }, seed: 1, lr: 3 } as never)).toThrow(/options.lr/);
    expect(() => trainTask(lowRank(), t, { epochs: 1, seed: 1 })).toThrow(GhostError);
    expect(() => trainTask(createTaskRnn({ kind: "lowRank", inputs: 2, seed: 1 }), t, { epochs: 1, optimizer: { kind: "sgd", learningRate: 0.1 } })).toThrow(/Din/);
  });
  test("beforeEpoch may change the parameters (e.g. a readout rescaling) and onEpoch sees every record", () => {
    const seen: number[] = [], progress: string[] = [];
    const r = trainTask(fullRank(), smallTask(), {
      epochs: 3, optimizer: { kind: "sgd", learningRate: 0.1 }, seed: 2,
      beforeEpoch: (_e, model) => { model.params.bOut.data[0] = 0; },
      onEpoch: (rec) => seen.push(rec.epoch),
      onProgress: (done, total) => progress.push(`${done}/${total}`),
    });
    expect(seen).toEqual([0, 1, 2]);
    expect(progress).toEqual(["1/3", "2/3", "3/3"]);
    expect(r.history.snapshots).toEqual([]);
  });
});

describe("learning: a tiny full-rank DCDT run", () => {
  test("the loss falls well below the 'always 0' level 10/22 and accuracy beats its 12/22", () => {
    // Output ≡ 0 scores loss 10/22 ≈ 0.455 (10 of 22 targets are ±1) and accuracy 12/22 ≈ 0.545; a network that
    // learns the task must leave both behind.
    const task = presetTask("fig5-dcdt");
    const m = createTaskRnn({ kind: "fullRank", size: 30, output: "tanh", rateSigma: 0.1, noiseSigma: 0.01, seed: 3 });
    const r = trainTask(m, task, { epochs: 300, optimizer: { kind: "adam", learningRate: 0.01 }, seed: 3 });
    const h = r.history;
    expect(h.diverged).toBeNull();
    const last = h.loss[h.epochsRun - 1];
    expect(last).toBeLessThan(0.1 * (10 / 22));
    expect(h.accuracy[h.epochsRun - 1]).toBeGreaterThan(12 / 22);
    expect(last).toBeLessThan(h.loss[0]);
  });
});
