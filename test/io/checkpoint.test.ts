import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GhostError, Rng, isAtomicTempFile, readCheckedJson, writeCheckedJson } from "../../src/core";
import {
  CHECKPOINT_KIND,
  CHECKPOINT_SCHEMA_VERSION,
  continueTraining,
  loadCheckpoint,
  loadHistory,
  paramsFingerprint,
  saveCheckpoint,
  saveHistory,
  trainWithCheckpoints,
  tryLoadCheckpoint,
} from "../../src/io/checkpoint";
import * as io from "../../src/io";
import { LowRankParams, RnnModel, RnnOptions, RnnParams, cloneRnn, createRankOneRnn, createRnn, paramGroup, parameterShapes } from "../../src/models/rnn";
import { delayedActivationTask } from "../../src/tasks/delayedActivation";
import { evaluateRnn } from "../../src/training/bptt";
import { History, trainRnn } from "../../src/training/trainRnn";
import { LIBRARY_VERSION } from "../../src/version";
import { setKernelMode } from "../../src/kernels";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-ckpt-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Bit patterns of doubles (distinguishes −0, NaN payloads), for exact comparisons. */
function bits(a: ArrayLike<number>): string[] {
  const b = Buffer.alloc(8);
  return Array.from(a, (x) => {
    if (Number.isNaN(x)) return "NaN"; // NaN sign/payload bits carry no information (JSON keeps only "NaN")
    b.writeDoubleLE(x);
    return b.toString("hex");
  });
}

/** Same groups, each a float64 ndarray of the same shape with bit-identical data. */
function expectSameParams(a: RnnParams, b: RnnParams): void {
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const g of Object.keys(a)) {
    const x = paramGroup(a, g), y = paramGroup(b, g);
    expect(y.data).toBeInstanceOf(Float64Array);
    expect(y.shape).toEqual(x.shape);
    expect(bits(y.data)).toEqual(bits(x.data));
  }
}

/**
 * b's History equals a's bit for bit. `flowBound(i, κ)`, when given, bounds |Δf| of flow snapshot i at κ instead:
 * for files written when the rank-one flow used Math.tanh (it now uses the deterministic fastTanh, ≤ 4 ulp away).
 */
function expectSameHistory(a: History, b: History, flowBound?: (i: number, kappa: number) => number): void {
  for (const k of ["loss", "accuracy", "gradNorm", "flowGrid"] as const) {
    expect(b[k]).toBeInstanceOf(Float64Array);
    expect(bits(b[k])).toEqual(bits(a[k]));
  }
  expect(b.startEpoch).toBe(a.startEpoch);
  expect(b.epochsRun).toBe(a.epochsRun);
  expect(b.diverged).toEqual(a.diverged);
  expect(b.stoppedEarly).toBe(a.stoppedEarly);
  expect(b.learningRate).toBe(a.learningRate);
  expect(b.snapshots.map((s) => s.epoch)).toEqual(a.snapshots.map((s) => s.epoch));
  a.snapshots.forEach((s, i) => expectSameParams(s.params, b.snapshots[i].params));
  expect(b.flowSnapshots.map((s) => [s.epoch, s.kappa0])).toEqual(a.flowSnapshots.map((s) => [s.epoch, s.kappa0]));
  a.flowSnapshots.forEach((s, i) => {
    if (!flowBound) { expect(bits(b.flowSnapshots[i].flow)).toEqual(bits(s.flow)); return; }
    s.flow.forEach((v, j) => expect(Math.abs(b.flowSnapshots[i].flow[j] - v)).toBeLessThanOrEqual(flowBound(i, a.flowGrid[j])));
  });
}

const task = delayedActivationTask(20);
const KINDS: [string, RnnOptions, number][] = [
  ["rank one (paper model, N = 100)", {}, 0.02],
  ["rank two, linear readout, one frozen group", { size: 12, rank: 2, trainable: { wOut: false } }, 0.1],
  ["full rank", { kind: "fullRank", size: 10 }, 0.1],
];

describe("save / load round trip", () => {
  test.each(KINDS)("%s: model, History, RNG state and provenance come back exactly; the forward pass is bit-identical", (_name, opts, lr) => {
    const model = createRnn(7, opts);
    const rankOne = model.config.kind === "lowRank" && model.config.rank === 1;
    const history = trainRnn(model, {
      learningRate: lr, epochs: 30, task, snapshotEpochs: [0, 29],
      ...(rankOne ? { flowSnapshotEpochs: [10], flowGrid: [-2, 0, 2] } : {}),
    });
    const rng = new Rng(5);
    rng.normal(); // leaves a spare normal in the state
    const file = path.join(dir, "sub", "ck.json");
    const header = saveCheckpoint(file, model, { history, training: { learningRate: lr, task }, rng, scale: "ci", meta: { note: "x", n: [1, NaN] } });
    expect(header.kind).toBe(CHECKPOINT_KIND);
    expect(header.schemaVersion).toBe(CHECKPOINT_SCHEMA_VERSION);
    expect(fs.readdirSync(path.dirname(file)).filter(isAtomicTempFile)).toEqual([]);

    const c = loadCheckpoint(file);
    expect(c.model.config).toEqual(model.config);
    expect(c.model.trainable).toEqual(model.trainable);
    expectSameParams(model.params, c.model.params);
    expectSameHistory(history, c.history as History);
    expect(c.epoch).toBe(30);
    expect(c.training?.learningRate).toBe(lr);
    expect(Array.from(c.training?.task.targets ?? [])).toEqual(Array.from(task.targets));
    expect(c.training?.task.lossScale).toBe(task.lossScale);
    expect(c.scale).toBe("ci");
    expect(c.libraryVersion).toBe(LIBRARY_VERSION);
    expect(c.meta?.note).toBe("x");
    expect(Number.isNaN((c.meta?.n as number[])[1])).toBe(true);
    // The restored generator continues the same stream (the spare normal first).
    const again = c.rng as Rng;
    expect([again.normal(), again.normal(), again.uniform()]).toEqual([rng.normal(), rng.normal(), rng.uniform()]);
    // Forward pass and gradient of the rebuilt model are bit-identical.
    const a = evaluateRnn(model, task), b = evaluateRnn(c.model, task);
    expect(bits([b.loss, b.accuracy])).toEqual(bits([a.loss, a.accuracy]));
    expect(bits(b.outputs)).toEqual(bits(a.outputs));
    for (const g of Object.keys(a.grads)) expect(bits(paramGroup(b.grads, g).data)).toEqual(bits(paramGroup(a.grads, g).data));
    // The loaded parameters are ndarrays of the config's shapes, independent of the saved ones.
    for (const [g, shape] of Object.entries(parameterShapes(model.config))) expect(paramGroup(c.model.params, g).shape).toEqual(shape);
    c.model.params.b.data[0] += 1;
    expect(model.params.b.data[0]).not.toBe(c.model.params.b.data[0]);
  });

  test("a model alone (no History, no training settings) saves and loads; epoch defaults to 0", () => {
    const model = createRankOneRnn(1, { size: 5 });
    const file = path.join(dir, "m.json");
    saveCheckpoint(file, model, { indent: 2 });
    const c = loadCheckpoint(file);
    expect(c.history).toBeNull();
    expect(c.training).toBeNull();
    expect(c.rng).toBeNull();
    expect(c.epoch).toBe(0);
    expectSameParams(model.params, c.model.params);
    expect(fs.readFileSync(file, "utf8")).toContain('\n  "payload"');
  });

  test("the io namespace exports the checkpoint API", () => {
    expect(io.saveCheckpoint).toBe(saveCheckpoint);
    expect(io.loadCheckpoint).toBe(loadCheckpoint);
  });
});

describe("continuing from a checkpoint is bit-identical to an uninterrupted run", () => {
  test.each(KINDS)("%s: train 200, save, load, train 200 more ≡ train 400 (loss arrays, snapshots, parameters)", (_name, opts, lr) => {
    const snapshotEpochs = [0, 150, 199, 200, 350, 399];
    const straight = createRnn(11, opts);
    const hStraight = trainRnn(straight, { learningRate: lr, epochs: 400, task, snapshotEpochs });

    const first = createRnn(11, opts);
    const h1 = trainRnn(first, { learningRate: lr, epochs: 200, task, snapshotEpochs });
    const file = path.join(dir, "half.json");
    saveCheckpoint(file, first, { history: h1, training: { learningRate: lr, task } });
    const loaded = loadCheckpoint(file);
    const { model, history } = continueTraining(loaded, { epochs: 200, snapshotEpochs });

    expectSameParams(straight.params, model.params);
    expectSameHistory(hStraight, history);
    expect(history.epochsRun).toBe(400);
  });

  test("continueTraining refuses a diverged checkpoint and one without a learning rate", () => {
    const model = createRnn(0, { size: 6, rank: 2 });
    const file = path.join(dir, "d.json");
    const h = trainRnn(model, { learningRate: 1e300, epochs: 5, task });
    expect(h.diverged).not.toBeNull();
    saveCheckpoint(file, model, { history: h, training: { learningRate: 1e300 } });
    expect(() => continueTraining(loadCheckpoint(file), { epochs: 5 })).toThrow(/diverged/);
    saveCheckpoint(file, model);
    expect(() => continueTraining(loadCheckpoint(file), { epochs: 5 })).toThrow(/options.learningRate/);
  });
});

describe("trainWithCheckpoints", () => {
  const lr = 0.02;
  const reference = (epochs: number, extra: object = {}): { model: RnnModel; history: History } => {
    const model = createRankOneRnn(3, { size: 30 });
    return { model, history: trainRnn(model, { learningRate: lr, epochs, task, snapshotEpochs: [5, 77, 149], ...extra }) };
  };

  test("fresh, then resumed after an interruption: equal to one trainRnn call bit for bit", () => {
    const ref = reference(150);
    const file = path.join(dir, "run.json");
    const written: number[] = [];
    // "Interrupted" after 64 epochs: a first call asked for 64 only (checkpoints at 25, 50, 64).
    const a = trainWithCheckpoints(createRankOneRnn(3, { size: 30 }), {
      file, checkpointEvery: 25, learningRate: lr, epochs: 64, task, snapshotEpochs: [5, 77, 149], onCheckpoint: (e) => written.push(e),
    });
    expect(written).toEqual([25, 50, 64]);
    expect(a.resumedFromEpoch).toBe(0);
    const progress: number[] = [];
    const model = createRankOneRnn(3, { size: 30 });
    const b = trainWithCheckpoints(model, {
      file, checkpointEvery: 25, learningRate: lr, epochs: 150, task, snapshotEpochs: [5, 77, 149], onProgress: (d) => progress.push(d),
    });
    expect(b.resumedFromEpoch).toBe(64);
    expect(b.checkpointsWritten).toBe(4); // 89, 114, 139, 150
    expect(b.model).toBe(model);
    expectSameParams(ref.model.params, model.params);
    expectSameHistory(ref.history, b.history);
    expect(progress[progress.length - 1]).toBe(150);
    expect(progress.length).toBeLessThanOrEqual(101);
    const onDisk = loadCheckpoint(file);
    expect(onDisk.epoch).toBe(150);
    expectSameHistory(ref.history, onDisk.history as History);
    expect(onDisk.initialParamsSha256).toBe(paramsFingerprint(createRankOneRnn(3, { size: 30 })));
    // A third call finds the run complete and does nothing; asking for fewer epochs than done is refused.
    const c = trainWithCheckpoints(createRankOneRnn(3, { size: 30 }), { file, checkpointEvery: 25, learningRate: lr, epochs: 150, task });
    expect(c.checkpointsWritten).toBe(0);
    expect(() => trainWithCheckpoints(createRankOneRnn(3, { size: 30 }), { file, checkpointEvery: 25, learningRate: lr, epochs: 100, task })).toThrow(/epochs = 100.*>= 150/);
  });

  test("stopWhen at a checkpoint boundary stops the whole run, as in one trainRnn call", () => {
    const stopWhen = (r: { epoch: number }) => r.epoch === 49;
    const ref = reference(150, { stopWhen });
    expect(ref.history.stoppedEarly).toBe(true);
    const r = trainWithCheckpoints(createRankOneRnn(3, { size: 30 }), {
      file: path.join(dir, "s.json"), checkpointEvery: 25, learningRate: lr, epochs: 150, task, snapshotEpochs: [5, 77, 149], stopWhen,
    });
    expectSameHistory(ref.history, r.history);
    expectSameParams(ref.model.params, r.model.params);
  });

  test("divergence is saved in the checkpoint and ends the run; with onDivergence 'throw' the last good checkpoint stays", () => {
    const file = path.join(dir, "div.json");
    const r = trainWithCheckpoints(createRnn(0, { size: 6, rank: 2 }), { file, checkpointEvery: 2, learningRate: 1e300, epochs: 10, task });
    expect(r.history.diverged).not.toBeNull();
    const c = loadCheckpoint(file);
    expect(c.history?.diverged).toEqual(r.history.diverged);
    expect(Number.isFinite(c.history?.loss[c.history.epochsRun - 1] as number)).toBe(false);
    // Resuming a diverged run trains nothing more.
    expect(trainWithCheckpoints(createRnn(0, { size: 6, rank: 2 }), { file, checkpointEvery: 2, learningRate: 1e300, epochs: 10, task }).checkpointsWritten).toBe(0);

    // A run forced to diverge at epoch 7 (stopWhen sets every n_i = 1e308 after epoch 6's update: finite parameters
    // whose forward pass overflows, so the gradient of epoch 7 is NaN): with
    // onDivergence "throw" the error propagates and the file keeps the last good checkpoint (epochs 0…5).
    const file2 = path.join(dir, "div2.json");
    const poison = (r: { epoch: number }, live: RnnModel) => {
      if (r.epoch === 6) (live.params as LowRankParams).P.data.fill(1e308);
      return false;
    };
    expect(() => trainWithCheckpoints(createRankOneRnn(1, { size: 8 }), { file: file2, checkpointEvery: 3, learningRate: lr, epochs: 12, task, onDivergence: "throw", stopWhen: poison })).toThrow(/diverged at epoch 7: gradient norm = NaN/);
    const kept = loadCheckpoint(file2);
    expect(kept.epoch).toBe(6);
    expect(kept.history?.diverged).toBeNull();
    const ref = createRankOneRnn(1, { size: 8 });
    trainRnn(ref, { learningRate: lr, epochs: 6, task });
    expectSameParams(ref.params, kept.model.params);
    // Default onDivergence "stop": saved with diverged at epoch 7.
    const r2 = trainWithCheckpoints(createRankOneRnn(1, { size: 8 }), { file: file2, checkpointEvery: 3, learningRate: lr, epochs: 12, task, stopWhen: poison, resume: false });
    expect(r2.history.diverged?.epoch).toBe(7);
    expect(loadCheckpoint(file2).history?.diverged?.epoch).toBe(7);
  });

  test("a checkpoint of another run, or a damaged one, is refused and the model is left untouched", () => {
    const file = path.join(dir, "other.json");
    trainWithCheckpoints(createRankOneRnn(3, { size: 30 }), { file, checkpointEvery: 10, learningRate: lr, epochs: 20, task });
    const cases: [RnnModel, number, RegExp][] = [
      [createRankOneRnn(4, { size: 30 }), lr, /another model config/],
      [createRankOneRnn(3, { size: 30 }), 0.03, /another learning rate/],
      [(() => { const m = createRankOneRnn(3, { size: 30 }); m.params.b.data[0] = 1e-3; return m; })(), lr, /other initial parameters/],
    ];
    for (const [model, rate, re] of cases) {
      const before = cloneRnn(model);
      expect(() => trainWithCheckpoints(model, { file, checkpointEvery: 10, learningRate: rate, epochs: 40, task })).toThrow(re);
      expectSameParams(before.params, model.params);
    }
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").slice(0, 500));
    const model = createRankOneRnn(3, { size: 30 });
    const before = cloneRnn(model);
    expect(() => trainWithCheckpoints(model, { file, checkpointEvery: 10, learningRate: lr, epochs: 40, task })).toThrow(/corrupt/);
    expectSameParams(before.params, model.params);
    // resume: false starts over and overwrites it.
    const r = trainWithCheckpoints(model, { file, checkpointEvery: 10, learningRate: lr, epochs: 40, task, resume: false });
    expect(r.resumedFromEpoch).toBe(0);
    expect(loadCheckpoint(file).epoch).toBe(40);
  });

  test("epochs = 0 writes the untrained state", () => {
    const file = path.join(dir, "zero.json");
    const model = createRankOneRnn(2, { size: 4 });
    const r = trainWithCheckpoints(model, { file, checkpointEvery: 5, learningRate: lr, epochs: 0 });
    expect(r.history.epochsRun).toBe(0);
    expect(loadCheckpoint(file).epoch).toBe(0);
  });
});

describe("bad files fail with a clear GhostError; nothing is half-loaded", () => {
  function goodFile(): { file: string; payload: Record<string, any> } {
    const model = createRankOneRnn(2, { size: 4 });
    const history = trainRnn(model, { learningRate: 0.02, epochs: 6, task, snapshotEpochs: [2] });
    const file = path.join(dir, "good.json");
    saveCheckpoint(file, model, { history, training: { learningRate: 0.02, task } });
    return { file, payload: readCheckedJson<Record<string, any>>(file) };
  }
  /** Rewrites the file with a tampered payload and a VALID checksum (so only the content checks can catch it). */
  function tampered(mutate: (p: Record<string, any>) => void, schemaVersion = CHECKPOINT_SCHEMA_VERSION, kind = CHECKPOINT_KIND): string {
    const { file, payload } = goodFile();
    mutate(payload);
    writeCheckedJson(file, payload, { kind, schemaVersion });
    return file;
  }

  test("a file from a newer schema names both versions and says to upgrade", () => {
    const file = tampered(() => undefined, CHECKPOINT_SCHEMA_VERSION + 1);
    expect(tryLoadCheckpoint(file)).toMatchObject({ ok: false, reason: "schema" });
    expect(() => loadCheckpoint(file)).toThrow(GhostError);
    expect(() => loadCheckpoint(file)).toThrow(/schema version 2 .*reads schema versions 1…1 \(the file is from a newer version: upgrade/);
  });

  test("every truncation (sampled every few bytes) is reported as corrupt", () => {
    const { file } = goodFile();
    const full = fs.readFileSync(file, "utf8");
    for (let cut = 0; cut < full.length - 1; cut += Math.max(1, Math.floor(full.length / 300))) {
      fs.writeFileSync(file, full.slice(0, cut));
      const r = tryLoadCheckpoint(file);
      expect(r.ok ? "ok" : r.reason).toBe("corrupt");
      expect(() => loadCheckpoint(file)).toThrow(/file = .* is not allowed: expected a complete, uncorrupted checkpoint/);
    }
  });

  test("missing file and foreign kinds", () => {
    expect(tryLoadCheckpoint(path.join(dir, "nope.json"))).toMatchObject({ ok: false, reason: "missing" });
    expect(() => loadCheckpoint(path.join(dir, "nope.json"))).toThrow(/missing/);
    const f = path.join(dir, "sweep.json");
    writeCheckedJson(f, { any: 1 }, { kind: "sweep-result" });
    expect(() => loadCheckpoint(f)).toThrow(/"sweep-result" file, not a checkpoint/);
    fs.writeFileSync(f, JSON.stringify({ model: {} }));
    expect(tryLoadCheckpoint(f)).toMatchObject({ ok: false, reason: "corrupt" });
    // A directory is not a checkpoint: a GhostError naming it (was a raw EISDIR error; found by `npm run fuzz`).
    for (const load of [tryLoadCheckpoint, loadCheckpoint, loadHistory]) {
      expect(() => load(dir)).toThrow(GhostError);
      expect(() => load(dir)).toThrow(/^file = .*EISDIR/);
    }
  });

  test.each<[string, (p: Record<string, any>) => void, RegExp]>([
    ["wrong model kind in the payload", (p) => (p.modelKind = "fullRank"), /modelKind = "fullRank".*"lowRank"/],
    ["unknown model kind", (p) => (p.model.config.kind = "transformer"), /model\.config\.kind = "transformer"/],
    ["NaN parameter", (p) => (p.model.params.M[3] = NaN), /model\.params\.M\[3\] = NaN/],
    ["Infinity in a snapshot", (p) => (p.history.snapshots[0].params.b[1] = Infinity), /history\.snapshots\[0\]\.params\.b\[1\] = Infinity/],
    ["parameter array too short", (p) => p.model.params.P.pop(), /model\.params\.P\.length = 3/],
    ["extra parameter group", (p) => (p.model.params.W = [1]), /model\.params\.W/],
    ["string in parameters", (p) => (p.model.params.b[0] = "0"), /model\.params\.b\[0\] = "0"/],
    ["config field missing", (p) => delete p.model.config.leak, /model\.config\.leak = undefined/],
    ["config out of range", (p) => (p.model.config.leak = 1.5), /model\.config\.leak = 1\.5/],
    ["trainable flag missing", (p) => delete p.model.trainable.P, /model\.trainable\.P = undefined/],
    ["loss array of the wrong length", (p) => p.history.loss.pop(), /history\.loss\.length = 5/],
    ["NaN loss without divergence", (p) => (p.history.loss[2] = NaN), /history\.loss\[2\] = NaN/],
    ["accuracy above 1", (p) => (p.history.accuracy[0] = 1.5), /history\.accuracy\[0\] = 1\.5/],
    ["diverged at a wrong epoch", (p) => (p.history.diverged = { epoch: 2, reason: "x" }), /history\.diverged\.epoch = 2/],
    ["snapshot epoch outside the run", (p) => (p.history.snapshots[0].epoch = 99), /history\.snapshots\[0\]\.epoch = 99/],
    ["epoch inconsistent with the History", (p) => (p.epoch = 7), /epoch = 7/],
    ["bad learning rate", (p) => (p.training.learningRate = -1), /training\.learningRate = -1/],
    ["task targets too short", (p) => p.training.task.targets.pop(), /training\.task\.targets\.length = 39/],
    ["bad RNG state", (p) => (p.rng = { algorithm: "xoshiro128**", s: [0, 0, 0, 0], seed: 1, spare: null }), /rng\.state\.s/],
    ["payload is an array", (p) => Object.keys(p).forEach((k) => delete p[k]), /model = undefined/],
  ])("%s → invalid, with the field and value in the message", (_name, mutate, re) => {
    const file = tampered(mutate);
    const r = tryLoadCheckpoint(file);
    expect(r).toMatchObject({ ok: false, reason: "invalid" });
    expect(() => loadCheckpoint(file)).toThrow(GhostError);
    expect(() => loadCheckpoint(file)).toThrow(re);
  });

  test("options.modelKind refuses another kind", () => {
    const { file } = goodFile();
    expect(() => loadCheckpoint(file, { modelKind: "fullRank" })).toThrow(/a "lowRank" model, expected "fullRank"/);
    expect(loadCheckpoint(file, { modelKind: "lowRank" }).model.config.kind).toBe("lowRank");
    expect(() => loadCheckpoint(file, { modelKind: "cnn" as never })).toThrow(/options\.modelKind = "cnn"/);
  });

  test("bad input to saveCheckpoint is refused before the file is touched", () => {
    const model = createRankOneRnn(2, { size: 4 });
    const file = path.join(dir, "never.json");
    const bad = cloneRnn(model);
    bad.params.M.data[0] = NaN;
    const h = trainRnn(cloneRnn(model), { learningRate: 0.02, epochs: 3, task });
    const attempts: [() => unknown, RegExp][] = [
      [() => saveCheckpoint(file, bad), /model\.params\.M\[0, 0\] = NaN/],
      [() => saveCheckpoint("", model), /file = ""/],
      [() => saveCheckpoint(file, model, { training: { learningRate: 0 } }), /options\.training\.learningRate = 0/],
      [() => saveCheckpoint(file, model, { epoch: -1 }), /options\.epoch = -1/],
      [() => saveCheckpoint(file, model, { history: h, epoch: 4 }), /options\.epoch = 4/],
      [() => saveCheckpoint(file, model, { history: { ...h, loss: h.loss.slice(1) } }), /options\.history\.loss\.length = 2/],
      [() => saveCheckpoint(file, model, { rng: {} as never }), /options\.rng/],
      [() => saveCheckpoint(file, model, { scale: "" }), /options\.scale = ""/],
      [() => saveCheckpoint(file, model, { meta: [] as never }), /options\.meta/],
      [() => saveCheckpoint(file, model, { indent: 9 }), /options\.indent = 9/],
      [() => saveCheckpoint(file, model, { initialParamsSha256: "abc" }), /options\.initialParamsSha256 = "abc"/],
    ];
    for (const [fn, re] of attempts) {
      expect(fn).toThrow(GhostError);
      expect(fn).toThrow(re);
    }
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe("History files", () => {
  test("round trip with a diverged (NaN) last epoch, snapshots and flow snapshots; bad files refused", () => {
    const model = createRankOneRnn(1, { size: 8 });
    const h = trainRnn(model, { learningRate: 0.02, epochs: 12, task, snapshotEpochs: [3], flowSnapshotEpochs: [4], flowGrid: [-1, 0, 1] });
    const file = path.join(dir, "h.json");
    saveHistory(file, h, model.config, { scale: "paper", meta: { seed: 1 } });
    const back = loadHistory(file);
    expectSameHistory(h, back.history);
    expect(back.config).toEqual(model.config);
    expect(back.scale).toBe("paper");

    const big = createRnn(0, { size: 6, rank: 2 });
    const hd = trainRnn(big, { learningRate: 1e300, epochs: 5, task });
    saveHistory(file, hd, big.config);
    expectSameHistory(hd, loadHistory(file).history);

    expect(() => saveHistory(file, { ...h, accuracy: h.accuracy.map(() => NaN) }, model.config)).toThrow(/history\.accuracy\[0\] = NaN/);
    expect(() => saveHistory(file, h, { ...model.config, size: 0 })).toThrow(/config\.size = 0/);
    saveCheckpoint(file, model);
    expect(() => loadHistory(file)).toThrow(/"rnn-checkpoint" file, not a History/);
  });
});

describe("checkpoints written before the ndarray data model still load (same JSON layout, schema 1)", () => {
  // Written by the library at commit 40aaa17 (parameters as flat Float64Arrays), see test/io/fixtures/.
  const fixture = (name: string) => path.join(__dirname, "fixtures", name);

  test("rank one: parameters come back as ndarrays equal bit for bit to the same run today; History and fingerprints agree", () => {
    const c = loadCheckpoint(fixture("pre-ndarray-rank-one.json"));
    expect(c.schemaVersion).toBe(1);
    const model = createRankOneRnn(11, { size: 6 });
    // paramsFingerprint hashes the same canonical JSON as before: the stored initial fingerprint is reproduced.
    expect(paramsFingerprint(model)).toBe("be475367d12a1a2d5833e50fb5ce20bc92401eb24e01aa7dd66247306d5da298");
    expect(c.initialParamsSha256).toBe(paramsFingerprint(model));
    // the fixture was trained with the JS reference kernels (Math.tanh), the only kernels of that release
    setKernelMode("js");
    let h: History;
    try { h = trainRnn(model, { learningRate: 0.05, epochs: 5, snapshotEpochs: [0, 4], flowSnapshotEpochs: [2], flowGrid: [-1, 0, 1] }); } finally { setKernelMode(undefined); }
    expect((c.model.params as LowRankParams).M.shape).toEqual([6, 1]);
    expect((c.model.params as LowRankParams).P.shape).toEqual([1, 6]);
    expectSameParams(model.params, c.model.params);
    // The flow snapshot (after epoch 2's update) was computed with Math.tanh; today's flow uses fastTanh (≤ 4 ulp,
    // i.e. ≤ 8u relative, u = 2^−53) and sums in two lanes: |Δf(κ)| ≤ (8u + 2γ_{N+1})·Σ|n_i| + 2u(|κ| + Σ|n_i|),
    // γ_k = ku/(1 − ku) (the summation error of N + 1 terms, for each of the two sums being compared).
    const u = Math.pow(2, -53), N = 6, gamma = ((N + 1) * u) / (1 - (N + 1) * u);
    const at2 = createRankOneRnn(11, { size: 6 });
    setKernelMode("js");
    try { trainRnn(at2, { learningRate: 0.05, epochs: 3 }); } finally { setKernelMode(undefined); }
    const sumN = Array.from((at2.params as LowRankParams).P.data).reduce((t, v) => t + Math.abs(v), 0);
    expectSameHistory(h, c.history as History, (_i, kappa) => (8 * u + 2 * gamma) * sumN + 2 * u * (Math.abs(kappa) + sumN));
    expect(paramsFingerprint(c.model)).toBe("6c624c92cfdcc52c38581ac41f66e5b8ba2f298aaf6db8e14c28b817b572bd38");
    // Saving it again today writes the same parameter layout (row-major number arrays per group).
    const again = path.join(dir, "again.json");
    saveCheckpoint(again, c.model, { history: c.history, training: c.training, initialParamsSha256: c.initialParamsSha256, scale: c.scale });
    const before = readCheckedJson<{ model: unknown; history: unknown }>(fixture("pre-ndarray-rank-one.json"), { kind: CHECKPOINT_KIND });
    const after = readCheckedJson<{ model: unknown; history: unknown }>(again, { kind: CHECKPOINT_KIND });
    expect(after.model).toEqual(before.model);
    expect(after.history).toEqual(before.history);
  });

  test("full rank: W [N, N] from the flat row-major array of the old file", () => {
    const c = loadCheckpoint(fixture("pre-ndarray-full-rank.json"), { modelKind: "fullRank" });
    const model = createRnn(12, { kind: "fullRank", size: 3 });
    // the fixture was trained with the JS reference kernels (Math.tanh); in wasm mode the full-rank pass uses
    // fastTanh (kernels.fullRankPass), so the stored bits are reproduced in js mode
    setKernelMode("js");
    let h: History;
    try { h = trainRnn(model, { learningRate: 0.1, epochs: 3, snapshotEpochs: [1] }); } finally { setKernelMode(undefined); }
    expect(paramGroup(c.model.params, "W").shape).toEqual([3, 3]);
    expectSameParams(model.params, c.model.params);
    expectSameHistory(h, c.history as History);
    expect(paramsFingerprint(c.model)).toBe("a6f9647236df03fd5f6e17dc5534c236d1e7e8a4736e3002d9486734e22d08d8");
  });
});
