import { cloneRnn, copyParams, createRnn, createRankOneRnn, LowRankParams, paramGroup, parameterGroups, rankOneLatentFlow, rankOneParams, withConfidence } from "../../src/models/rnn";
import { delayedActivationTask } from "../../src/tasks/delayedActivation";
import { evaluateRnn } from "../../src/training/bptt";
import { concatHistories, trainRnn } from "../../src/training/trainRnn";
import { linspace } from "../../src/core/arrays";
import { GhostError } from "../../src/core/errors";
import { ndFloat64 } from "../../src/core/nd";

/** Row-major values of group `g` of a parameter (or gradient) object. */
const values = (params: Parameters<typeof paramGroup>[0], g: string): number[] => Array.from(paramGroup(params, g).data);

const task = delayedActivationTask(20);

describe("SGD training loop", () => {
  test("same seed ⇒ bit-identical History (every array, every model kind); different seeds differ", () => {
    for (const [opts, lr] of [[{}, 0.02], [{ size: 10, rank: 3 }, 0.1], [{ kind: "fullRank" as const, size: 10 }, 0.1]] as const) {
      const a = trainRnn(createRnn(3, opts), { learningRate: lr, epochs: 200, snapshotEpochs: [199] });
      const b = trainRnn(createRnn(3, opts), { learningRate: lr, epochs: 200, snapshotEpochs: [199] });
      const c = trainRnn(createRnn(4, opts), { learningRate: lr, epochs: 200 });
      for (const k of ["loss", "accuracy", "gradNorm"] as const) expect(Array.from(a[k])).toEqual(Array.from(b[k]));
      for (const g of Object.keys(a.snapshots[0].params)) expect(values(a.snapshots[0].params, g)).toEqual(values(b.snapshots[0].params, g));
      expect(Array.from(a.loss)).not.toEqual(Array.from(c.loss));
    }
  });

  test("one epoch = one SGD step p ← p − lr·∇p with the gradient of that epoch's forward pass; values are pre-update", () => {
    const model = createRnn(2, { size: 10, rank: 2 });
    const before = evaluateRnn(model, task);
    const start = copyParams(model.params);
    const h = trainRnn(model, { learningRate: 0.1, epochs: 2 });
    expect(h.loss[0]).toBe(before.loss);
    expect(h.accuracy[0]).toBe(before.accuracy);
    let sq = 0;
    for (const g of Object.keys(start)) for (const v of paramGroup(before.grads, g).data) sq += v ** 2;
    expect(Math.abs(h.gradNorm[0] - Math.sqrt(sq))).toBeLessThanOrEqual(1e-15 * Math.sqrt(sq) * 10);
    // epoch 1 records the forward pass of the once-updated parameters
    const once = cloneRnn(model);
    for (const g of Object.keys(start) as (keyof LowRankParams)[]) {
      const s0 = paramGroup(start, g), gr = paramGroup(before.grads, g).data;
      once.params[g] = ndFloat64(s0.shape.slice(), s0.data.map((v, i) => v - 0.1 * gr[i]));
    }
    expect(h.loss[1]).toBe(evaluateRnn(once, task).loss);
  });

  test("frozen groups do not move and are excluded from the gradient norm (rank one: freeze m; rank one linear: M, wOut)", () => {
    const r1 = createRankOneRnn(1, { size: 20, trainable: { M: false } });
    const m0 = values(r1.params, "M"), n0 = values(r1.params, "P");
    const ev1 = evaluateRnn(r1, task);
    const h1 = trainRnn(r1, { learningRate: 0.5, epochs: 30 });
    expect(values(r1.params, "M")).toEqual(m0);
    expect(values(r1.params, "P")).not.toEqual(n0);
    const sq1 = ["P", "b"].reduce((s, g) => s + values(ev1.grads, g).reduce((a, x) => a + x * x, 0), 0);
    expect(h1.gradNorm[0]).toBeCloseTo(Math.sqrt(sq1), 15);

    const model = createRnn(1, { size: 10, rank: 1, readout: "linear", trainable: { M: false, wOut: false } });
    const M = values(model.params, "M"), w = values(model.params, "wOut"), P = values(model.params, "P");
    const ev = evaluateRnn(model, task);
    const h = trainRnn(model, { learningRate: 0.05, epochs: 20 });
    expect(values(model.params, "M")).toEqual(M);
    expect(values(model.params, "wOut")).toEqual(w);
    expect(values(model.params, "P")).not.toEqual(P);
    const trainableSq = ["P", "b", "bOut"].reduce((s, g) => s + values(ev.grads, g).reduce((a, x) => a + x * x, 0), 0);
    expect(h.gradNorm[0]).toBeCloseTo(Math.sqrt(trainableSq), 14);
  });

  test("parameter snapshots are taken after the requested epochs' updates (startEpoch-based epochs)", () => {
    const model = createRankOneRnn(0, { size: 20 });
    const h = trainRnn(model, { learningRate: 0.01, epochs: 5, snapshotEpochs: [0, 4, 99] });
    expect(h.snapshots.map((s) => s.epoch)).toEqual([0, 4]);
    expect(values(h.snapshots[1].params, "M")).toEqual(values(model.params, "M"));
    // snapshots are ndarrays of the parameters' shapes, copies (not views) of the live parameters
    expect(paramGroup(h.snapshots[1].params, "M").shape).toEqual([20, 1]);
    expect(paramGroup(h.snapshots[1].params, "M").data).not.toBe(model.params.M.data);
    const again = createRankOneRnn(0, { size: 20 });
    trainRnn(again, { learningRate: 0.01, epochs: 1 });
    expect(values(h.snapshots[0].params, "P")).toEqual(values(again.params, "P"));
    const cont = trainRnn(model, { learningRate: 0.01, epochs: 3, startEpoch: 5, snapshotEpochs: [6] });
    expect(cont.startEpoch).toBe(5);
    expect(cont.snapshots.map((s) => s.epoch)).toEqual([6]);
  });

  test("flow snapshots: f(κ) of the updated network on the grid (default linspace(−15, 15, 1000)) with κ_0", () => {
    const model = createRankOneRnn(7, { size: 30 });
    const h = trainRnn(model, { learningRate: 0.02, epochs: 10, flowSnapshotEpochs: [9, 3], snapshotEpochs: [3] });
    expect(Array.from(h.flowGrid)).toEqual(Array.from(linspace(-15, 15, 1000)));
    expect(h.flowSnapshots.map((s) => s.epoch)).toEqual([3, 9]);
    const last = h.flowSnapshots[1], p = rankOneParams(model);
    h.flowGrid.forEach((k, j) => expect(last.flow[j]).toBe(rankOneLatentFlow(p, k)));
    const s3 = h.snapshots[0].params as LowRankParams;
    const p3 = { m: ndFloat64([30], s3.M.data), n: ndFloat64([30], s3.P.data), b: s3.b };
    expect(h.flowSnapshots[0].flow[500]).toBe(rankOneLatentFlow(p3, h.flowGrid[500]));
    expect(h.flowSnapshots[0].kappa0).toBe(-0.3 * 0 + p3.n.data.reduce((s, v) => s + v * -0.3, 0));
    const custom = trainRnn(createRankOneRnn(7, { size: 30 }), { learningRate: 0.02, epochs: 2, flowSnapshotEpochs: [0], flowGrid: [-1, 0, 1] });
    expect(custom.flowSnapshots[0].flow.length).toBe(3);
    expect(() => trainRnn(createRnn(0, { size: 5, rank: 2 }), { learningRate: 0.1, epochs: 1, flowSnapshotEpochs: [0] })).toThrow(/rank/);
  });

  test("continuing training: a copy with another confidence trains on; histories concatenate", () => {
    const model = createRankOneRnn(2, { size: 20 });
    const h1 = trainRnn(model, { learningRate: 0.02, epochs: 50 });
    const copy = withConfidence(model, 0.5);
    const ref = values(model.params, "M");
    const h2 = trainRnn(copy, { learningRate: 0.02, epochs: 10, startEpoch: 50 });
    expect(values(model.params, "M")).toEqual(ref); // original untouched
    expect(h2.loss[0]).toBe(evaluateRnn(withConfidence(model, 0.5), task).loss);
    const all = concatHistories(h1, h2);
    expect(all.epochsRun).toBe(60);
    expect(all.loss[50]).toBe(h2.loss[0]);
  });

  test("onProgress is called at most ~100 times, ending with (epochs, epochs)", () => {
    const calls: [number, number][] = [];
    trainRnn(createRankOneRnn(0, { size: 5 }), { learningRate: 0.01, epochs: 1234, onProgress: (d, t) => calls.push([d, t]) });
    expect(calls.length).toBeLessThanOrEqual(101);
    expect(calls.length).toBeGreaterThanOrEqual(50);
    expect(calls[calls.length - 1]).toEqual([1234, 1234]);
    const none = trainRnn(createRankOneRnn(0, { size: 5 }), { learningRate: 0.01, epochs: 0 });
    expect(none.epochsRun).toBe(0);
    expect(none.loss.length).toBe(0);
  });

  test("stopWhen ends training early after that epoch's update", () => {
    const h = trainRnn(createRankOneRnn(0, { size: 20 }), { learningRate: 0.01, epochs: 100, stopWhen: (r) => r.epoch === 9 });
    expect(h.epochsRun).toBe(10);
    expect(h.stoppedEarly).toBe(true);
    expect(h.loss.length).toBe(10);
  });
});

describe("divergence", () => {
  test("a huge learning rate makes a rank-2 network's forward pass NaN: stop at that epoch (or throw)", () => {
    // lr = 1e307: one update makes P entries ~1e306, κ = P x overflows to ±Inf and M κ mixes +Inf and −Inf → NaN.
    const h = trainRnn(createRnn(0, { size: 5, rank: 2 }), { learningRate: 1e307, epochs: 50 });
    expect(h.diverged).toEqual({ epoch: 1, reason: "loss = NaN" });
    expect(h.epochsRun).toBe(2);
    expect(Number.isNaN(h.loss[1])).toBe(true);
    expect(Number.isFinite(h.loss[0])).toBe(true);
    expect(() => trainRnn(createRnn(0, { size: 5, rank: 2 }), { learningRate: 1e307, epochs: 50, onDivergence: "throw" })).toThrow(/diverged at epoch 1/);
  });

  test("full rank: a NaN forward pass stops training with diverged at epoch k (or throws)", () => {
    // Rows of ±1e308 with x_0 = −10 make Σ_i x_i W_ij overflow to −Inf + Inf = NaN in the forward pass.
    const model = createRnn(0, { kind: "fullRank", size: 10, initialState: -10 });
    const huge = (W: Float64Array) => W.forEach((_, k) => (W[k] = Math.floor(k / 10) < 5 ? 1e308 : -1e308));
    huge(model.params.W.data);
    const h = trainRnn(model, { learningRate: 0.1, epochs: 50 });
    expect(h.diverged?.epoch).toBe(0);
    expect(h.epochsRun).toBe(1);
    expect(Number.isNaN(h.loss[0])).toBe(true);
    expect(() => trainRnn(model, { learningRate: 0.1, epochs: 50, onDivergence: "throw" })).toThrow(GhostError);
  });

  test("full rank: an update that would overflow the parameters stops before touching them", () => {
    const model = createRnn(0, { kind: "fullRank", size: 10 });
    // A loss scaled by 1e6 (lossScale 1e-6 instead of T) has gradients of order 1e5, so 1e305 × g overflows.
    const scaledTask = { ...delayedActivationTask(20), lossScale: 1e-6 };
    const W = values(model.params, "W");
    const h = trainRnn(model, { learningRate: 1e305, epochs: 5, task: scaledTask });
    expect(h.diverged?.reason).toMatch(/overflow/);
    expect(values(model.params, "W")).toEqual(W); // the last good parameters are kept
    expect(h.epochsRun).toBe(1);
  });

  test("full rank at a huge but representable learning rate saturates instead (loss ≤ 2, no false divergence)", () => {
    // Bounded tanh and σ keep every output in [0, 1], so loss ≤ 2T/T = 2 and gradients stay finite: the network
    // is thrown into saturation (loss → 1, gradient → 0: the no-learning zone), which is not divergence.
    const h = trainRnn(createRnn(0, { kind: "fullRank", size: 10 }), { learningRate: 1e300, epochs: 20 });
    expect(h.diverged).toBeNull();
    expect(h.epochsRun).toBe(20);
    for (const L of h.loss) expect(L).toBeLessThanOrEqual(2);
    expect(h.gradNorm[19]).toBeLessThan(1e-10 * h.gradNorm[0]);
  });
});

describe("bad input is rejected with a GhostError naming the parameter", () => {
  const m5 = () => createRankOneRnn(0, { size: 5 });
  test.each([
    [() => trainRnn(m5(), { learningRate: 0, epochs: 1 }), /learningRate = 0/],
    [() => trainRnn(m5(), { learningRate: -0.1, epochs: 1 }), /learningRate = -0.1/],
    [() => trainRnn(m5(), { learningRate: NaN, epochs: 1 }), /learningRate = NaN/],
    [() => trainRnn(m5(), { learningRate: 0.1, epochs: -1 }), /epochs = -1/],
    [() => trainRnn(m5(), { learningRate: 0.1, epochs: 2.5 }), /epochs = 2.5/],
    [() => trainRnn(m5(), { learningRate: 0.1, epochs: 1, startEpoch: -2 }), /startEpoch = -2/],
    [() => trainRnn(m5(), { learningRate: 0.1, epochs: 1, onDivergence: "ignore" as never }), /onDivergence/],
    [() => trainRnn(m5(), { learningRate: 0.1, epochs: 1, snapshotEpochs: [1.5] }), /snapshotEpochs\[0\] = 1.5/],
    [() => trainRnn(m5(), { learningRate: 0.1, epochs: 1, flowSnapshotEpochs: [0], flowGrid: [0, NaN] }), /flowGrid\[1\] = NaN/],
    [() => trainRnn(m5(), { learningRate: 0.1, epochs: 1, onProgress: 3 as never }), /onProgress/],
    [() => trainRnn(m5(), { learningRate: 0.1, epochs: 1, task: { ...task, steps: 0 } }), /task.steps = 0/],
    [() => trainRnn(m5(), { learningRate: 0.1, epochs: 1, task: { ...task, lossScale: 0 } }), /task.lossScale = 0/],
    [() => trainRnn(m5(), { learningRate: 0.1, epochs: 1, task: { ...task, targets: new Float64Array(3) } }), /task.targets/],
    [() => trainRnn(m5(), null as never), /options/],
    [() => delayedActivationTask(0), /horizon = 0/],
    [() => delayedActivationTask(1.5), /horizon = 1.5/],
  ])("%#", (fn, re) => {
    expect(fn).toThrow(GhostError);
    expect(fn).toThrow(re);
  });

  test("a model with a NaN parameter is rejected before training", () => {
    const m = createRankOneRnn(0, { size: 5 });
    m.params.b.data[2] = NaN;
    expect(() => trainRnn(m, { learningRate: 0.1, epochs: 1 })).toThrow(/model.params.b\[2\] = NaN/);
  });

  test("every parameter group of every model kind is listed and trainable by default", () => {
    expect(parameterGroups(createRankOneRnn(0, { size: 3 }).config)).toEqual(["M", "P", "b"]);
    expect(parameterGroups(createRnn(0, { kind: "fullRank", size: 3 }).config)).toEqual(["W", "b", "wOut", "bOut"]);
  });
});
