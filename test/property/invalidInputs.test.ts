/**
 * Invalid inputs, part 2 (part 1 is hostileArguments.test.ts, which fuzzes every pure export):
 *
 * (a) the exports that fuzzing excludes there because a VALID call writes files, runs worker threads or takes
 *     minutes — file writers get hostile arguments with every path argument redirected into a temporary
 *     directory; figure runners and sweeps get hostile configs (never `undefined`, which would select the paper
 *     scale and run for minutes); every call must throw (or reject with) a GhostError, never anything else;
 * (b) a table of the mistakes a notebook user makes when editing a cell (a NaN learning rate, a zero-length
 *     horizon, a rank larger than the network, a misspelled option value, …): each must give a GhostError whose
 *     `parameter` names the argument the user got wrong.
 */
import fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as lib from "../../src";
import { GhostError } from "../../src/core/errors";
import { expectGhost, fcParams, hostile, show } from "./helpers";

type Fn = (...args: unknown[]) => unknown;

let tmp: string;
beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-invalid-"))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A hostile value that is never a string (strings would be used as paths relative to the working directory). */
const nonString = () => hostile().filter((v) => typeof v !== "string");
/** A path argument: a fresh file or directory name inside the temporary directory, or a hostile non-string. */
const pathArg = () => fc.oneof(fc.constantFrom("a.json", "sub/b.json", "dir"), nonString());
const resolvePath = (v: unknown) => (typeof v === "string" ? path.join(tmp, v) : v);
/** Options objects whose `dir`/`file` members could point anywhere are redirected into the temporary directory. */
function confine(v: unknown): unknown {
  if (v === null || typeof v !== "object" || Array.isArray(v) || ArrayBuffer.isView(v)) return v;
  const o = { ...(v as Record<string, unknown>) };
  for (const k of ["dir", "file"]) if (typeof o[k] === "string") o[k] = path.join(tmp, "confined", o[k] as string);
  return o;
}

/** A cache argument of cachedRun: the default directory (undefined, true, an object without dir) becomes one in the temporary directory. */
function confineCache(v: unknown): unknown {
  if (v === undefined || v === true) return { dir: path.join(tmp, "cache") };
  if (v === null || typeof v !== "object" || Array.isArray(v) || ArrayBuffer.isView(v)) return v;
  const o = confine(v) as Record<string, unknown>;
  return "dir" in o ? o : { ...o, dir: path.join(tmp, "cache") };
}

/** Calls fn and awaits a returned promise; returns the thrown/rejected value or "ok". */
async function settle(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
    return "ok";
  } catch (e) {
    return e;
  }
}

describe("(a) file writers with hostile arguments (paths confined to a temporary directory)", () => {
  const writers: [string, Fn, (args: unknown[]) => unknown[]][] = [
    ["core.writeFileAtomic", lib.core.writeFileAtomic as Fn, ([f, ...r]) => [resolvePath(f), ...r]],
    ["core.writeCheckedJson", lib.core.writeCheckedJson as Fn, ([f, p, o, ...r]) => [resolvePath(f), p, confine(o), ...r]],
    ["io.saveCheckpoint", lib.io.saveCheckpoint as Fn, ([f, ...r]) => [resolvePath(f), ...r]],
    ["io.saveHistory", lib.io.saveHistory as Fn, ([f, ...r]) => [resolvePath(f), ...r]],
    ["io.trainWithCheckpoints", lib.io.trainWithCheckpoints as Fn, ([m, o, ...r]) => [m, confine(o), ...r]],
    ["io.saveTaskCheckpoint", lib.io.saveTaskCheckpoint as Fn, ([f, ...r]) => [resolvePath(f), ...r]],
    ["io.trainTaskWithCheckpoints", lib.io.trainTaskWithCheckpoints as Fn, ([m, t, o, ...r]) => [m, t, confine(o), ...r]],
    ["engine.writeCacheEntry", lib.engine.writeCacheEntry as Fn, ([d, ...r]) => [resolvePath(d), ...r]],
    ["engine.cachedRun", lib.engine.cachedRun as Fn, ([r, v, c, o, f]) => [r, v, c, confineCache(o), f]],
    ["engine.clearCache", lib.engine.clearCache as Fn, ([o]) => [o === undefined ? { dir: path.join(tmp, "cache") } : confine(o)]],
  ];
  test.each(writers)("%s: a result or a GhostError, nothing else; no file outside the temporary directory", (name, fn, place) => {
    const before = fs.readdirSync(process.cwd()).sort();
    fc.assert(
      fc.property(pathArg(), fc.array(hostile(), { maxLength: 3 }), (first, rest) => {
        const args = place([first, ...rest]);
        try {
          fn(...args);
        } catch (e) {
          if (!(e instanceof GhostError)) throw new Error(`${name}(${args.map(show).join(", ")}) threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
          expect(e.message).toMatch(/ is not allowed: expected /);
        }
      }),
      fcParams(60),
    );
    expect(fs.readdirSync(process.cwd()).sort()).toEqual(before);
  });
});

describe("(a) figure runners, sweeps and benchmarks with hostile configs: a GhostError (or rejection with one)", () => {
  const E = { ...lib.engine, ...lib.protocols, ...lib.figures };
  const runners: [string, Fn][] = [
    ["runFig1", E.runFig1 as Fn], ["runFig2", E.runFig2 as Fn], ["runFig3", E.runFig3 as Fn], ["runFig3Low", E.runFig3Low as Fn],
    ["runFig3High", E.runFig3High as Fn], ["runFig4", E.runFig4 as Fn], ["runFigS1", E.runFigS1 as Fn],
    ["runFigRank", E.runFigRank as Fn], ["runLrSweeps", E.runLrSweeps as Fn], ["runSweep", E.runSweep as Fn],
    ["runSweepSync", E.runSweepSync as Fn], ["benchmarkSweep", E.benchmarkSweep as Fn],
    ["runFig3Async", E.runFig3Async as Fn], ["runFig3LowAsync", E.runFig3LowAsync as Fn], ["runFig3HighAsync", E.runFig3HighAsync as Fn],
    ["runInWorker", E.runInWorker as Fn],
  ];
  test.each(runners)("%s", async (name, fn) => {
    await fc.assert(
      fc.asyncProperty(hostile().filter((v) => v !== undefined), fc.array(hostile(), { maxLength: 2 }), async (config, rest) => {
        const args = [confine(config), ...rest.map(confine)];
        const r = await settle(() => fn(...args));
        if (r === "ok") throw new Error(`${name}(${args.map(show).join(", ")}) accepted a hostile config`);
        if (!(r instanceof GhostError)) throw new Error(`${name}(${args.map(show).join(", ")}) threw ${(r as Error)?.constructor?.name}: ${(r as Error)?.message}`);
      }),
      fcParams(40),
    );
  });
});

// ------------------------------------------------------------------------------------------------------------
// (b) The mistakes a notebook user makes, each with the parameter the error must name.
// ------------------------------------------------------------------------------------------------------------

const { core, tasks, models, training, analysis, io } = lib;
/** The figure, protocol and engine namespaces (the old experiments layer), for the table below. */
const experiments = { ...lib.engine, ...lib.protocols, ...lib.figures };
const rankOne = () => models.createRnn(0, { size: 6 });
const task = () => tasks.delayedActivationTask(5);
const parabola = { f: (k: number) => k * k + 0.1, df: (k: number) => 2 * k };

/** [description, call, parameter the GhostError must name (substring of GhostError.parameter)]. */
const MISTAKES: [string, () => unknown, string][] = [
  // core
  ["Rng seed NaN", () => new core.Rng(NaN), "seed"],
  ["Rng seed negative", () => new core.Rng(-1), "seed"],
  ["Rng seed 1.5", () => new core.Rng(1.5), "seed"],
  ["normalArray of negative length", () => new core.Rng(0).normalArray(-3), "n"],
  ["normalArray std NaN", () => new core.Rng(0).normalArray(3, NaN), "std"],
  ["linspace with 0 points", () => core.linspace(0, 1, 0), "n"],
  ["linspace with a NaN end", () => core.linspace(0, NaN, 5), "stop"],
  ["logspace with 2.5 points", () => core.logspace(-3, 0, 2.5), "n"],
  ["mean of an empty array", () => core.mean([]), "values"],
  ["sem of [NaN]", () => core.sem([NaN]), "values"],
  ["decodeJson of truncated text", () => core.decodeJson('{"a": [1, 2'), "text"],
  ["readCheckedJson of a missing file", () => core.readCheckedJson(path.join(os.tmpdir(), "ghost-no-such-file.json")), "file"],
  // tasks
  ["DA task with horizon 0", () => tasks.delayedActivationTask(0), "horizon"],
  ["DA task with horizon 2.5", () => tasks.delayedActivationTask(2.5), "horizon"],
  ["DA task with horizon NaN", () => tasks.delayedActivationTask(NaN), "horizon"],
  // toy model
  ["rStar with horizon 0", () => models.rStar(0), "horizon"],
  ["rStar with horizon −100", () => models.rStar(-100), "horizon"],
  ["toyLoss at r = NaN", () => models.toyLoss(NaN), "r"],
  ["toyGradient with horizon Infinity", () => models.toyGradient(1e-3, Infinity), "horizon"],
  ["simulateSaddleNode with dt 0", () => models.simulateSaddleNode(0.01, { dt: 0 }), "dt"],
  ["simulateSaddleNode with negative noise", () => models.simulateSaddleNode(0.01, { noise: -1 }), "noise"],
  ["simulatedLoss with confidence NaN", () => models.simulatedLoss(0.01, { confidence: NaN }), "confidence"],
  ["simulateSaddleNode with a misspelled option", () => models.simulateSaddleNode(0.01, { horizn: 50 } as never), "horizn"],
  ["plateauLength from below r*", () => models.plateauLength(models.rStar() / 2, 1e-10), "r0"],
  ["toyGradientDescent with learning rate 0", () => training.toyGradientDescent(1e-3, 0, 10), "learningRate"],
  ["toyGradientDescent with −5 epochs", () => training.toyGradientDescent(1e-3, 1e-10, -5), "epochs"],
  ["toyGradientDescent with 1e12 epochs", () => training.toyGradientDescent(1e-3, 1e-10, 1e12), "epochs"],
  // RNN models
  ["createRnn with seed NaN", () => models.createRnn(NaN), "seed"],
  ["createRnn with size 0", () => models.createRnn(0, { size: 0 }), "size"],
  ["createRnn with size 2.5", () => models.createRnn(0, { size: 2.5 }), "size"],
  ["createRnn with rank > size", () => models.createRnn(0, { size: 4, rank: 5, readout: "linear" }), "rank"],
  ["createRnn with kind 'lowrank'", () => models.createRnn(0, { kind: "lowrank" as never }), "kind"],
  ["createRnn with readout 'sigmoid'", () => models.createRnn(0, { readout: "sigmoid" as never }), "readout"],
  ["createRnn with leak 0", () => models.createRnn(0, { leak: 0 }), "leak"],
  ["createRnn with leak 2", () => models.createRnn(0, { leak: 2 }), "leak"],
  ["createRnn with confidence −1", () => models.createRnn(0, { confidence: -1 }), "confidence"],
  ["createRnn with initialState NaN", () => models.createRnn(0, { initialState: NaN }), "initialState"],
  ["createRnn with an unknown trainable group", () => models.createRnn(0, { trainable: { W: true } as never }), "trainable"],
  ["withConfidence 0", () => models.withConfidence(rankOne(), 0), "confidence"],
  ["validateRnnModel after a NaN was written into n", () => { const m = rankOne(); m.params.P.data[2] = NaN; return models.validateRnnModel(m); }, "P"],
  ["validateRnnModel with a short parameter array", () => { const m = rankOne(); m.params.M = core.ndFloat64([3, 1]); return models.validateRnnModel(m); }, "M"],
  ["validateRnnModel with a flat Float64Array instead of an ndarray", () => { const m = rankOne(); (m.params as unknown as Record<string, unknown>).M = new Float64Array(m.config.size); return models.validateRnnModel(m); }, "M"],
  // training
  ["trainRnn with learning rate NaN", () => training.trainRnn(rankOne(), { learningRate: NaN, epochs: 5 }), "learningRate"],
  ["trainRnn with learning rate −0.01", () => training.trainRnn(rankOne(), { learningRate: -0.01, epochs: 5 }), "learningRate"],
  ["trainRnn with 2.5 epochs", () => training.trainRnn(rankOne(), { learningRate: 0.01, epochs: 2.5 }), "epochs"],
  ["trainRnn with epochs Infinity", () => training.trainRnn(rankOne(), { learningRate: 0.01, epochs: Infinity }), "epochs"],
  ["trainRnn without options", () => training.trainRnn(rankOne(), undefined as never), "options"],
  ["trainRnn with a task of horizon 0", () => training.trainRnn(rankOne(), { learningRate: 0.01, epochs: 5, task: { ...task(), horizon: 0, steps: 0, targets: new Float64Array(0) } as never }), "task"],
  ["trainRnn with a negative snapshot epoch", () => training.trainRnn(rankOne(), { learningRate: 0.01, epochs: 5, snapshotEpochs: [-1, 3] }), "snapshotEpochs"],
  ["trainRnn with a misspelled option", () => training.trainRnn(rankOne(), { learningRate: 0.01, epochs: 5, learningrate: 0.1 } as never), "learningrate"],
  ["createRnn with a misspelled option", () => models.createRnn(0, { sise: 10 } as never), "sise"],
  ["trainRnn with onDivergence 'ignore'", () => training.trainRnn(rankOne(), { learningRate: 0.01, epochs: 5, onDivergence: "ignore" as never }), "onDivergence"],
  ["trainRnn with a non-function onProgress", () => training.trainRnn(rankOne(), { learningRate: 0.01, epochs: 5, onProgress: 3 as never }), "onProgress"],
  ["evaluateRnn with a model that is not a model", () => training.evaluateRnn({ config: null } as never, task()), "model"],
  ["concatHistories of unrelated objects", () => training.concatHistories({} as never, {} as never), "a"],
  // analysis
  ["findFixedPoints of a flow without f", () => analysis.findFixedPoints({ df: (k: number) => k } as never), "flow"],
  ["findFixedPoints on a decreasing grid", () => analysis.findFixedPoints(parabola, { kappaGrid: [1, 0, -1] }), "kappaGrid"],
  ["findFixedPoints with maxIterations 0", () => analysis.findFixedPoints(parabola, { maxIterations: 0 }), "maxIterations"],
  ["analyseGhost from κ₀ = NaN", () => analysis.analyseGhost(parabola, NaN), "kappaStart"],
  ["classifyRun of an empty accuracy array", () => analysis.classifyRun([]), "accuracy"],
  ["classifyRun with level 2", () => analysis.classifyRun(new Float64Array(100), { level: 2 }), "level"],
  ["rankOneFlow with m and n of different lengths", () => analysis.rankOneFlow({ m: core.ndFrom([1, 2]), n: core.ndFrom([1]), b: core.ndFrom([0, 0]) }), "n"],
  // checkpoints
  ["loadCheckpoint of a missing file", () => io.loadCheckpoint(path.join(os.tmpdir(), "ghost-no-such-checkpoint.json")), "file"],
  ["loadCheckpoint with a non-string path", () => io.loadCheckpoint(42 as never), "file"],
  ["continueTraining of a non-checkpoint", () => io.continueTraining({} as never, { epochs: 5 }), "checkpoint"],
  ["trainWithCheckpoints with checkpointEvery 0", () => io.trainWithCheckpoints(rankOne(), { file: path.join(os.tmpdir(), "ghost-never-written.json"), checkpointEvery: 0, epochs: 5, learningRate: 0.01 }), "checkpointEvery"],
  // figures, protocols, engine
  ["fig3Config('huge')", () => experiments.fig3Config("huge" as never), "scale"],
  ["fig1Config('full')", () => experiments.fig1Config("full" as never), "scale"],
  ["runRankOneTrain with N 0", () => experiments.runRankOneTrain({ seed: 0, N: 0, learningRate: 0.01, epochs: 5 }), "N"],
  ["runRankOneTrain with learning rate '0.01'", () => experiments.runRankOneTrain({ seed: 0, N: 5, learningRate: "0.01" as never, epochs: 5 }), "learningRate"],
  ["runDaTrain with model 'rnn'", () => experiments.runDaTrain({ model: "rnn" as never, seed: 0, learningRate: 0.01, epochs: 5 }), "model"],
  ["expandGrid with an empty axis", () => experiments.expandGrid({ seed: [] }), "seed"],
  ["getRunner('nope')", () => experiments.getRunner("nope"), "runner"],
  ["cacheKey of a config with a function", () => experiments.cacheKey("selfTest", "1", { f: () => 1 }), "config"],
  ["runSweepSync with configs not an array", () => experiments.runSweepSync({ runner: "selfTest", configs: 3 as never, cache: false }), "configs"],
];

describe("(b) notebook-user mistakes name the parameter that is wrong", () => {
  test.each(MISTAKES)("%s", (description, call, parameter) => {
    const e = expectGhost(call, parameter, description);
    expect(e.message.length).toBeLessThan(2000);
  });

  test("the table is large enough to mean something and has no duplicate descriptions", () => {
    expect(MISTAKES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(MISTAKES.map((m) => m[0])).size).toBe(MISTAKES.length);
  });
});
