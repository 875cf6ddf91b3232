/**
 * The rankOneTrain, daTrain and toyGdInstance runners: equal to calling the library directly (bit for bit), one
 * training implementation behind daTrain and rankOneTrain, and equal serially and on worker threads (the parallel
 * part uses the built dist/; build first).
 */
import * as fs from "fs";
import * as path from "path";
import { runDaTrain, runRankOneTrain } from "../../src/protocols";
import { runSweepSync, getRunner } from "../../src/engine";
import { createRankOneRnn, withConfidence } from "../../src/models";
import { trainRnn, runToyGdInstance } from "../../src/training";
import { delayedActivationTask } from "../../src/tasks";
import type * as Lib from "../../src";

const root = path.resolve(__dirname, "../..");

function bitsOf(values: ArrayLike<number>): string[] {
  const b = Buffer.alloc(8);
  return Array.from(values, (v) => {
    b.writeDoubleLE(v);
    return b.toString("hex");
  });
}

describe("rankOneTrain runner", () => {
  const base = { seed: 3, N: 30, learningRate: 0.02, epochs: 150 };

  test("one training behind both runners: daTrain's rank-one report equals rankOneTrain's per-epoch arrays bit for bit", () => {
    const perEpoch = runRankOneTrain({ ...base, confidence: 7, leak: 0.4, horizon: 12 });
    const reportEpochs = [1, 2, 75, 149, 150];
    const summary = runDaTrain({ model: "rankOne", ...base, confidence: 7, leak: 0.4, horizon: 12, reportEpochs });
    const at = (arr: number[] | undefined) => reportEpochs.map((e) => (arr as number[])[e - 1]);
    expect(bitsOf(summary.report.loss)).toEqual(bitsOf(at(perEpoch.loss)));
    expect(bitsOf(summary.report.accuracy)).toEqual(bitsOf(at(perEpoch.accuracy)));
    expect(bitsOf(summary.report.gradNorm)).toEqual(bitsOf(at(perEpoch.gradNorm)));
    expect(summary.maxAccuracy).toBe(perEpoch.maxAccuracy);
  });

  test("equals createRankOneRnn + trainRnn called directly, bit for bit", () => {
    const r = runRankOneTrain({ ...base, snapshotEpochs: [0, 149], returnParams: true });
    const model = createRankOneRnn(3, { size: 30 });
    const h = trainRnn(model, { learningRate: 0.02, epochs: 150, task: delayedActivationTask(20), snapshotEpochs: [0, 149] });
    expect(bitsOf(r.loss!)).toEqual(bitsOf(h.loss));
    expect(bitsOf(r.accuracy!)).toEqual(bitsOf(h.accuracy));
    expect(bitsOf(r.gradNorm!)).toEqual(bitsOf(h.gradNorm));
    expect(bitsOf(r.params!.m)).toEqual(bitsOf(model.params.M.data));
    expect(bitsOf(r.params!.n)).toEqual(bitsOf(model.params.P.data));
    expect(bitsOf(r.snapshots![1].b)).toEqual(bitsOf(model.params.b.data));
    expect(r.snapshots!.map((s) => s.epoch)).toEqual([0, 149]);
    expect(r.epochsRun).toBe(150);
    expect(r.final).toEqual({ loss: h.loss[149], accuracy: h.accuracy[149], gradNorm: h.gradNorm[149] });
    expect(r.maxAccuracy).toBe(Math.max(...h.accuracy));
  });

  test("continuation trains a copy of the trained network at each confidence (Fig 4 protocol)", () => {
    const r = runRankOneTrain({ ...base, record: ["accuracy", "gradNorm"], continuation: { confidences: [0.1, 10], epochs: 20 } });
    expect(r.loss).toBeUndefined();
    const model = createRankOneRnn(3, { size: 30 });
    trainRnn(model, { learningRate: 0.02, epochs: 150 });
    const cont = r.continuation!;
    expect(cont.map((k) => k.confidence)).toEqual([0.1, 10]);
    for (const k of cont) {
      const copy = withConfidence(model, k.confidence);
      const h = trainRnn(copy, { learningRate: 0.02, epochs: 20, startEpoch: 150 });
      expect(bitsOf(k.gradNorm!)).toEqual(bitsOf(h.gradNorm));
      expect(bitsOf(k.accuracy!)).toEqual(bitsOf(h.accuracy));
    }
  });

  test("recordEvery keeps epochs 0, k, 2k, …", () => {
    const full = runRankOneTrain({ ...base, record: ["loss"] });
    const thin = runRankOneTrain({ ...base, record: ["loss"], recordEvery: 40 });
    expect(thin.loss).toEqual([0, 40, 80, 120].map((e) => full.loss![e]));
  });

  test("bad configs are refused up front with the field named", () => {
    const def = getRunner("rankOneTrain");
    expect(() => def.validate!({ ...base, learningRate: -1 })).toThrow(/learningRate = -1/);
    expect(() => def.validate!({ ...base, record: ["weights"] })).toThrow(/record\[0\]/);
    expect(() => def.validate!({ ...base, continuation: { confidences: [0], epochs: 5 } })).toThrow(/continuation\.confidences\[0\]/);
    expect(() => runSweepSync({ runner: "rankOneTrain", configs: [{ ...base, epochs: 1.5 }], cache: false })).toThrow(/configs\[0\].*epochs = 1.5/);
  });
});

describe("toyGdInstance runner", () => {
  test("equals runToyGdInstance", () => {
    const config = { learningRate: 1e-9, seed: 4, instances: 3, epochs: 300, reportEpochs: [100, 300] };
    const [r] = runSweepSync({ runner: "toyGdInstance", configs: [config], cache: false });
    expect(r).toEqual(runToyGdInstance(config));
  });
});

describe("on worker threads (built dist/)", () => {
  test("rankOneTrain: 2 workers equal the serial sweep bit for bit", async () => {
    for (const f of ["protocols/daTrain", "protocols/runners", "engine/runners", "engine/sweep"]) {
      const o = path.join(root, "dist", `${f}.js`);
      if (!fs.existsSync(o) || fs.statSync(o).mtimeMs < fs.statSync(path.join(root, "src", `${f}.ts`)).mtimeMs) {
        throw new Error(`dist/${f}.js is missing or stale: build first (npm run build)`);
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const dist: typeof Lib.engine = require(path.join(root, "dist")).engine;
    const configs = [0, 1, 2, 3, 4, 5].map((seed) => ({ seed, N: 40, learningRate: 0.02, epochs: 120, continuation: { confidences: [0.2], epochs: 10 } }));
    const serial = dist.runSweepSync({ runner: "rankOneTrain", configs, cache: false });
    const parallel = await dist.runSweep({ runner: "rankOneTrain", configs, workers: 2, cache: false });
    const direct = configs.map((c) => runRankOneTrain(c));
    const fp = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === "number" ? bitsOf([v])[0] : v));
    expect(fp(parallel)).toBe(fp(serial));
    expect(fp(serial)).toBe(fp(direct));
  });
});
