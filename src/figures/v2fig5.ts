/**
 * v2 Figure 5 (spec B1, B3, B7): full-rank RNNs on DCDT (A–C) and DMTS (D–F) — loss and gradient norm ‖∇W_rec‖
 * (log–log, snapshot epochs marked), accuracy, and at each snapshot the trials' trajectories on the first three
 * principal components (one PCA of all snapshots' states pooled, 5 components) with the fixed and slow points found
 * from the visited states (Adam on ½‖−x + tanh(x W_rec + b_in)‖², then Newton; analysis.fullRankPcaAnalysis),
 * coloured by log10 speed, and the eigenvalues of J at the point nearest the trajectories.
 *
 * Pairing (B7): a snapshot at epoch e holds epoch e's forward-pass rates (r_0…r_S of every trial, with the
 * parameters before e's update) and the parameters after e's update — the authors' pairing.
 * B7: most points are slow points (speeds 1e-7…1e-2 after the authors' Adam + one Newton step); a point counts as a
 * fixed point only at the rounding-level speed threshold of analysis/slowPoints.
 */
import { GhostError, requireInteger, requireObject, requireOneOf } from "../core/errors";
import { knownScale, requireKnownKeys } from "../core/checks";
import type { CacheOptions } from "../engine/cache";
import { runTaskSweep, TaskSweepOptions } from "../protocols/taskSweep";
import { FullRankTaskParams } from "../models/taskRnn";
import { fullRankPcaAnalysis } from "../analysis/slowPoints";
import { snapshotModel, snapshotRates, TaskTrainResult, TaskTrainSpec, taskTrainTask, validateTaskTrainSpec } from "../protocols/taskTrain";

/** Scales: "ci" (seconds), "paper" (a stated reduction), "full" (the spec's protocol). */
export type V2Fig5Scale = "ci" | "paper" | "full";

/** One task's part of the figure. */
export interface V2Fig5TaskConfig {
  /** The run (B1 table rows "Fig 5": copies 1, SGD 1e-2, seed 3); keepRates is always true. */
  train: TaskTrainSpec;
  /** Curves keep every this many epochs (DMTS: 10). */
  recordEvery: number;
  /** Slow-point search: Adam iterations (5000), Newton steps (1), at most this many starts per snapshot. */
  slowPoints: { iterations: number; newtonSteps: number; maxStarts: number };
  /** Accuracy at or above which the network counts as having learned. */
  learnedAccuracy: number;
}

/** Parameter set of v2 Fig 5. */
export interface V2Fig5Config {
  scale: V2Fig5Scale;
  dcdt: V2Fig5TaskConfig;
  dmts: V2Fig5TaskConfig;
  reduction: string;
}

const spec = (preset: string, epochs: number, snapshotEpochs: number[]): TaskTrainSpec => ({
  preset, seed: 3, copies: 1, epochs, optimizer: "sgd", learningRate: 1e-2, snapshotEpochs, keepRates: true,
});

/** The config at a scale (see `reduction`). */
export function v2Fig5Config(scale: V2Fig5Scale = "paper"): V2Fig5Config {
  requireOneOf("scale", scale, ["ci", "paper", "full"] as const);
  const sp = (iterations: number, maxStarts: number) => ({ iterations, newtonSteps: 1, maxStarts });
  if (scale === "full") {
    return {
      scale,
      dcdt: { train: spec("fig5-dcdt", 3001, [10, 200, 1000, 3000]), recordEvery: 1, slowPoints: sp(5000, 1000), learnedAccuracy: 0.95 },
      dmts: { train: spec("fig5-dmts", 100001, [100, 1000, 50000, 100000]), recordEvery: 10, slowPoints: sp(5000, 1000), learnedAccuracy: 0.95 },
      reduction: "",
    };
  }
  if (scale === "paper") {
    return {
      scale,
      dcdt: { train: spec("fig5-dcdt", 3001, [10, 200, 1000, 3000]), recordEvery: 1, slowPoints: sp(2000, 46), learnedAccuracy: 0.95 },
      dmts: { train: spec("fig5-dmts", 30001, [100, 1000, 10000, 30000]), recordEvery: 10, slowPoints: sp(2000, 90), learnedAccuracy: 0.95 },
      reduction: "DMTS 30 001 instead of 100 001 epochs (snapshots 100, 1000, 10 000, 30 000 instead of 100, 1000, 50 000, 100 000); slow-point search 2000 instead of 5000 Adam iterations",
    };
  }
  return {
    scale,
    dcdt: { train: spec("fig5-dcdt", 400, [10, 200, 399]), recordEvery: 1, slowPoints: sp(300, 23), learnedAccuracy: 0.95 },
    dmts: { train: spec("fig5-dmts", 300, [10, 100, 299]), recordEvery: 1, slowPoints: sp(300, 23), learnedAccuracy: 0.95 },
    reduction: "ci: DCDT 400 and DMTS 300 epochs, slow-point search 300 Adam iterations from at most 23 states (the code path, not the paper's numbers)",
  };
}

/** One snapshot of one task. */
export interface V2Fig5Snapshot {
  epoch: number;
  /** Loss and accuracy of epoch e's forward pass (the states shown). */
  loss: number;
  accuracy: number;
  /** Trajectories on PC1–3: [trial][t] = [pc1, pc2, pc3], t = 0…S. */
  trajectories: [number, number, number][][];
  /** Kept slow/fixed points: PC1–3 coordinates, speed, log10 speed, distance to the nearest visited state, kind. */
  points: { pc: [number, number, number]; speed: number; logSpeed: number; distance: number; kind: "fixed point" | "slow point" }[];
  /** Index into `points` of the point nearest the trajectories, and the eigenvalues of J there (sorted by real part). */
  nearest: number;
  nearestEigenvalues: { re: number[]; im: number[] };
  /** Mean ‖F‖² over the starts after Adam and after Newton. */
  lossAfterAdam: number;
  lossAfterNewton: number;
}

/** One task's data. */
export interface V2Fig5TaskData {
  config: V2Fig5TaskConfig;
  curves: { epoch: number[]; loss: number[]; gradMetric: number[]; accuracy: number[]; weightNorm: number[] };
  epochsRun: number;
  initialLoss: number;
  finalLoss: number;
  finalAccuracy: number;
  learnedEpoch: number | null;
  /** Variance explained by PC1…PC5 (fractions). */
  explained: number[];
  typeLabels: string[];
  trialTypes: number[];
  snapshots: V2Fig5Snapshot[];
  diverged: { epoch: number; reason: string } | null;
  cached: boolean;
  trainMs: number;
}

/** Data of v2 Fig 5 (plain, JSON-serialisable). */
export interface V2Fig5Data {
  config: V2Fig5Config;
  dcdt: V2Fig5TaskData;
  dmts: V2Fig5TaskData;
}

function validateTaskConfig(name: string, c: V2Fig5TaskConfig): void {
  requireObject(name, c, "a V2Fig5TaskConfig");
  validateTaskTrainSpec(c.train, `${name}.train`);
  if (c.train.keepRates !== true) throw new GhostError(`${name}.train.keepRates`, c.train.keepRates, "true (the PCA needs the snapshot rates)");
  if (c.train.snapshotEpochs.length === 0) throw new GhostError(`${name}.train.snapshotEpochs`, c.train.snapshotEpochs, "at least one snapshot epoch");
  requireInteger(`${name}.recordEvery`, c.recordEvery, 1);
  requireObject(`${name}.slowPoints`, c.slowPoints, "{ iterations, newtonSteps, maxStarts }");
  requireInteger(`${name}.slowPoints.iterations`, c.slowPoints.iterations, 0, 1e6);
  requireInteger(`${name}.slowPoints.newtonSteps`, c.slowPoints.newtonSteps, 0, 100);
  requireInteger(`${name}.slowPoints.maxStarts`, c.slowPoints.maxStarts, 1, 1e6);
}

/** Validates a v2 Fig 5 config (GhostError naming the field). */
export function validateV2Fig5Config(config: unknown): V2Fig5Config {
  requireKnownKeys("config", config, v2Fig5Config(knownScale(config)));
  const c = requireObject("config", config, "a V2Fig5Config (see figures.v2Fig5Config)") as unknown as V2Fig5Config;
  requireOneOf("config.scale", c.scale, ["ci", "paper", "full"] as const);
  validateTaskConfig("config.dcdt", c.dcdt);
  validateTaskConfig("config.dmts", c.dmts);
  return c;
}

/**
 * The training run of one task of the figure through the engine (cached: a second call with the same spec is a cache
 * hit): per-epoch records and parameter snapshots (protocols.TaskTrainResult).
 */
export async function trainV2Fig5Task(c: V2Fig5TaskConfig, opts: { cache?: false | CacheOptions; workers?: number } = {}): Promise<{ run: TaskTrainResult; cached: boolean; trainMs: number }> {
  validateTaskConfig("config", c);
  requireKnownKeys("opts", requireObject("opts", opts, "{ cache?, workers? }"), { cache: 0, workers: 0 });
  const { results, stats } = await runTaskSweep([c.train], { cache: opts.cache, workers: opts.workers ?? 1 });
  return { run: results[0], cached: (stats?.cached ?? 0) === 1, trainMs: stats?.wallMs ?? 0 };
}

/** Analyses one task's run (pure): curves, PCA of the pooled snapshot states, slow points per snapshot. */
export function analyseV2Fig5Task(c: V2Fig5TaskConfig, run: TaskTrainResult, cached = false, trainMs = 0): V2Fig5TaskData {
  validateTaskConfig("config", c);
  const task = taskTrainTask(c.train);
  const snaps = run.snapshots.map((s) => {
    const p = snapshotModel(c.train, s).params as FullRankTaskParams;
    return { params: { Wrec: p.Wrec, bIn: p.bIn }, states: snapshotRates(s) };
  });
  const analysis = fullRankPcaAnalysis(snaps, { iterations: c.slowPoints.iterations, newtonSteps: c.slowPoints.newtonSteps, maxStarts: c.slowPoints.maxStarts });
  const ev = Array.from(analysis.pca.explainedVarianceRatio.data);
  const snapshots: V2Fig5Snapshot[] = run.snapshots.map((s, i) => {
    const a = analysis.snapshots[i];
    const [B, T] = a.trajectories.shape;
    const trajectories: [number, number, number][][] = [];
    for (let b = 0; b < B; b++) {
      const tr: [number, number, number][] = [];
      for (let t = 0; t < T; t++) tr.push([a.trajectories.get(b, t, 0), a.trajectories.get(b, t, 1), a.trajectories.get(b, t, 2)]);
      trajectories.push(tr);
    }
    const sp = a.slowPoints;
    const P = sp.speeds.shape[0];
    const points = Array.from({ length: P }, (_, k) => ({
      pc: [sp.pcs.get(k, 0), sp.pcs.get(k, 1), sp.pcs.get(k, 2)] as [number, number, number],
      speed: sp.speeds.get(k), logSpeed: sp.logSpeeds.get(k), distance: sp.distances.get(k), kind: sp.kinds[k],
    }));
    return {
      epoch: s.epoch, loss: s.loss, accuracy: s.accuracy, trajectories, points, nearest: sp.nearest,
      nearestEigenvalues: { re: Array.from(sp.nearestEigenvalues.re.data), im: Array.from(sp.nearestEigenvalues.im.data) },
      lossAfterAdam: sp.lossAfterAdam, lossAfterNewton: sp.lossAfterNewton,
    };
  });
  const E = run.epochsRun;
  const rec = { loss: Float64Array.from(run.loss), accuracy: Float64Array.from(run.accuracy), gradMetric: Float64Array.from(run.gradMetric), weightNorm: Float64Array.from(run.weightNorm) };
  const epoch: number[] = [];
  for (let e = 0; e < E; e += c.recordEvery) epoch.push(e);
  if (epoch[epoch.length - 1] !== E - 1) epoch.push(E - 1);
  const pick = (x: Float64Array) => epoch.map((e) => x[e]);
  const learned = Array.from(rec.accuracy).findIndex((x) => x >= c.learnedAccuracy);
  const typeCount = Math.max(...Array.from(task.trialTypes)) + 1;
  return {
    config: c,
    curves: { epoch, loss: pick(rec.loss), gradMetric: pick(rec.gradMetric), accuracy: pick(rec.accuracy), weightNorm: pick(rec.weightNorm) },
    epochsRun: E, initialLoss: rec.loss[0], finalLoss: rec.loss[E - 1], finalAccuracy: rec.accuracy[E - 1], learnedEpoch: learned < 0 ? null : learned,
    explained: ev, typeLabels: Array.from({ length: typeCount }, (_, k) => task.typeLabels?.[k] ?? `type ${k + 1}`), trialTypes: Array.from(task.trialTypes),
    snapshots, diverged: run.diverged, cached, trainMs,
  };
}

/** Options of {@link runV2Fig5}. */
export interface V2Fig5Options extends TaskSweepOptions {}

/** Computes v2 Fig 5: trains (or loads) both full-rank networks, then the PCA and slow-point analysis. */
export async function runV2Fig5(config: V2Fig5Config = v2Fig5Config("paper"), opts: V2Fig5Options = {}): Promise<V2Fig5Data> {
  validateV2Fig5Config(config);
  requireObject("opts", opts, "V2Fig5Options { cache?, workers?, onProgress?, signal?, cluster? }");
  // Both networks train at once, one per worker thread (cached run by run; resumable; shardable on a cluster).
  const { results, stats } = await runTaskSweep([config.dcdt.train, config.dmts.train], opts);
  const cached = (stats?.cached ?? 0) === 2;
  return {
    config,
    dcdt: analyseV2Fig5Task(config.dcdt, results[0], cached, stats?.wallMs ?? 0),
    dmts: analyseV2Fig5Task(config.dmts, results[1], cached, stats?.wallMs ?? 0),
  };
}
