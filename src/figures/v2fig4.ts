/**
 * v2 Figure 4 (spec B1, B2, B7): rank-2 RNNs on the working-memory tasks DCDT (A–D) and DMTS (E–H) — loss and
 * gradient curves with the snapshot epochs marked, and at each snapshot the 2-D latent flow map: log10 speed of
 * F(κ) = −κ + P·tanh(Mκ + b_in) (W = (S_l S_r)ᵀ = UΣVᵀ, M = U₂Σ₂, P = V₂ᵀ), unit arrows, 3×3 speed minima refined by
 * Newton on ½‖F‖² and classified (fixed point / ghost / saddle of E), the decision region of the readout, the
 * projected trajectories of the first trials, and the mean ± SEM outputs per trial type against the targets. At the
 * final snapshot the ghost check lists every refined slow point with its speed and eigenvalues.
 *
 * Pairing (B7): a snapshot at epoch e holds the parameters after epoch e's update; its trajectories and outputs come
 * from a fresh forward pass with those parameters and the randomness re-seeded (`replaySeed`, the authors'
 * seed_everything(0) before each plot). Grid convention (B7): the grid spans exactly [−range, range] (no ±0.2 pad).
 */
import { GhostError, requireFinite, requireInteger, requireObject, requireOneOf, requirePositive } from "../core/errors";
import { knownScale, requireKnownKeys } from "../core/checks";
import { Rng } from "../core/rng";
import { copyNd, F64Array } from "../core/nd";
import type { CacheOptions } from "../engine/cache";
import { runTaskSweep, TaskSweepOptions } from "../protocols/taskSweep";
import { LowRankTaskParams, taskRnnForward } from "../models/taskRnn";
import {
  decisionField, heatmapZ, latentSlowPoints, latentSpeedGrid, lowRankLatentReduction, projectStates, speedMinima, unitArrows, UnitArrows,
} from "../analysis/latent2d";
import type { PlanarSlowPoint } from "../analysis/planar";
import { snapshotModel, TaskTrainResult, TaskTrainSpec, taskTrainTask, validateTaskTrainSpec } from "../protocols/taskTrain";

/** Scales: "ci" (seconds), "paper" (a stated reduction, minutes on 2 cores), "full" (the spec's protocol). */
export type V2Fig4Scale = "ci" | "paper" | "full";

/** One task's part of the figure. */
export interface V2Fig4TaskConfig {
  /** The training run (preset, seed, batch copies, epochs, optimiser, snapshots). */
  train: TaskTrainSpec;
  /** The loss panel shows every this many epochs (paper: 100 for DCDT, 10 for DMTS). */
  recordEvery: number;
  /** Overview grid κ₁, κ₂ ∈ [−range, range] (paper 5). */
  range: number;
  /** Close-up half-width (paper: 1 for DCDT, none for DMTS). */
  closeUp: number | null;
  /** Grid points per axis of the maps (paper 2000; fewer for the notebook). */
  resolution: number;
  /** Arrow every this many grid points. */
  arrowStride: number;
  /** Trials whose trajectories are drawn (DCDT 2, DMTS 4). */
  trajectories: number;
  /** Seed of the replayed forward pass at each snapshot (the authors' 0). */
  replaySeed: number;
  /** Final ghost check: grid points per axis on [−range, range] and the number of minima refined. */
  ghostCheck: { resolution: number; maxCandidates: number };
  /** Accuracy at or above which the network counts as having learned (B7: accuracy, not a relative loss level). */
  learnedAccuracy: number;
}

/** Parameter set of v2 Fig 4. */
export interface V2Fig4Config {
  scale: V2Fig4Scale;
  dcdt: V2Fig4TaskConfig;
  dmts: V2Fig4TaskConfig;
  /** How this scale differs from the spec's protocol ("" for "full"). */
  reduction: string;
}

function taskConfig(train: TaskTrainSpec, o: Partial<V2Fig4TaskConfig> & { recordEvery: number; closeUp: number | null; trajectories: number; resolution: number; arrowStride: number }): V2Fig4TaskConfig {
  return {
    train, recordEvery: o.recordEvery, range: 5, closeUp: o.closeUp, resolution: o.resolution, arrowStride: o.arrowStride,
    trajectories: o.trajectories, replaySeed: 0, ghostCheck: o.ghostCheck ?? { resolution: 400, maxCandidates: 20 }, learnedAccuracy: 0.9,
  };
}

/**
 * The config at a scale. "full": the spec's runs (B1 table: DCDT 500 copies, SGD 1e-3, 100 000 epochs, seed 0;
 * DMTS 500 copies, Adam 1e-4, 20 000 epochs, seed 0) with the paper's snapshot epochs; a few core-hours in JS.
 * "paper" and "ci": fewer trials per batch and fewer epochs (see `reduction`).
 */
export function v2Fig4Config(scale: V2Fig4Scale = "paper"): V2Fig4Config {
  requireOneOf("scale", scale, ["ci", "paper", "full"] as const);
  if (scale === "full") {
    return {
      scale,
      dcdt: taskConfig({ preset: "fig4-dcdt", seed: 0, copies: 500, epochs: 100000, optimizer: "sgd", learningRate: 1e-3, snapshotEpochs: [0, 4000, 8000, 20000, 99000] },
        { recordEvery: 100, closeUp: 1, trajectories: 2, resolution: 200, arrowStride: 10, ghostCheck: { resolution: 2000, maxCandidates: 50 } }),
      dmts: taskConfig({ preset: "fig4-dmts", seed: 0, copies: 500, epochs: 20000, optimizer: "adam", learningRate: 1e-4, snapshotEpochs: [0, 400, 1600, 3000, 19990] },
        { recordEvery: 10, closeUp: null, trajectories: 4, resolution: 200, arrowStride: 10, ghostCheck: { resolution: 400, maxCandidates: 50 } }),
      reduction: "",
    };
  }
  if (scale === "paper") {
    return {
      scale,
      dcdt: taskConfig({ preset: "fig4-dcdt", seed: 0, copies: 25, epochs: 30000, optimizer: "sgd", learningRate: 1e-3, snapshotEpochs: [0, 4000, 8000, 20000, 29999] },
        { recordEvery: 50, closeUp: 1, trajectories: 2, resolution: 150, arrowStride: 10 }),
      dmts: taskConfig({ preset: "fig4-dmts", seed: 0, copies: 25, epochs: 6000, optimizer: "adam", learningRate: 1e-4, snapshotEpochs: [0, 400, 1600, 3000, 5999] },
        { recordEvery: 10, closeUp: null, trajectories: 4, resolution: 150, arrowStride: 10 }),
      reduction: "25 instead of 500 trials per type; DCDT 30 000 instead of 100 000 epochs (last snapshot 29 999), DMTS 6 000 instead of 20 000 epochs (last snapshot 5 999); maps 150² instead of 2000²",
    };
  }
  return {
    scale,
    dcdt: taskConfig({ preset: "fig4-dcdt", seed: 0, copies: 4, epochs: 600, optimizer: "sgd", learningRate: 1e-3, snapshotEpochs: [0, 200, 599] },
      { recordEvery: 10, closeUp: 1, trajectories: 2, resolution: 40, arrowStride: 5, ghostCheck: { resolution: 80, maxCandidates: 10 } }),
    dmts: taskConfig({ preset: "fig4-dmts", seed: 0, copies: 2, epochs: 150, optimizer: "adam", learningRate: 1e-4, snapshotEpochs: [0, 50, 149] },
      { recordEvery: 5, closeUp: null, trajectories: 4, resolution: 40, arrowStride: 5, ghostCheck: { resolution: 80, maxCandidates: 10 } }),
    reduction: "ci: DCDT 4 trials per type × 600 epochs, DMTS 2 per type × 150 epochs, 40² maps (the code path, not the paper's numbers)",
  };
}

/** A refined slow point, summarised for plots and tables. */
export interface V2Fig4SlowPoint {
  kappa: [number, number];
  classification: PlanarSlowPoint["classification"];
  speed: number;
  /** Eigenvalues of J (real, imaginary parts). */
  eigenvalues: { re: [number, number]; im: [number, number] };
  /** The slow eigenvector (min |Re λ|), real part, and the other one. */
  slowVector: [number, number];
  fastVector: [number, number];
  /** Eigenvalues of ∇²E (ascending). */
  hessianEigenvalues: [number, number];
  stability: PlanarSlowPoint["stability"];
  /** The fixed-point speed threshold at this point (analysis/planar). */
  fixedPointThreshold: number;
}

/** One flow map (overview or close-up). */
export interface V2Fig4Map {
  range: number;
  kappa1: number[];
  kappa2: number[];
  /** log10 speed rows [n2][n1] (heatmap z). */
  logSpeed: number[][];
  arrows: UnitArrows;
  /** Grid speed minima (slowest first, at most 10) and the distinct points they refine to. */
  minima: { kappa: [number, number]; speed: number; onBorder: boolean }[];
  slowPoints: V2Fig4SlowPoint[];
  /** Pre-nonlinearity readout Z(κ) rows [n2][n1] (decision regions). */
  decision: number[][];
}

/** One snapshot of one task. */
export interface V2Fig4Snapshot {
  epoch: number;
  /** Loss and accuracy of epoch e's forward pass during training. */
  trainLoss: number;
  trainAccuracy: number;
  /** Loss and accuracy of the replayed forward pass with the snapshot's parameters. */
  loss: number;
  accuracy: number;
  /** Top singular values of W (the two kept and the next). */
  singularValues: number[];
  overview: V2Fig4Map;
  closeUp: V2Fig4Map | null;
  /** Latent trajectories κ_t = P r_t, t = 0…S, of the first trials: [trial][t] = [κ₁, κ₂]. */
  trajectories: [number, number][][];
  /** Per trial type: target, mean and SEM of the output over the trials of that type, per step. */
  outputs: { type: number; label: string; target: number[]; mean: number[]; sem: number[] }[];
}

/** One task's data. */
export interface V2Fig4TaskData {
  config: V2Fig4TaskConfig;
  /** Recorded epochs (every recordEvery) and the metrics there. */
  curves: { epoch: number[]; loss: number[]; gradMetric: number[]; accuracy: number[]; weightNorm: number[] };
  epochsRun: number;
  initialLoss: number;
  finalLoss: number;
  finalAccuracy: number;
  /** Plateau accuracy: the median accuracy over the first 10 % of the epochs. */
  plateauAccuracy: number;
  /** First epoch whose accuracy reaches learnedAccuracy, or null. */
  learnedEpoch: number | null;
  /** Epoch with the largest loss drop over a window of 1 % of the run (the abrupt drop), and that drop. */
  steepestDrop: { epoch: number; fromLoss: number; toLoss: number };
  snapshots: V2Fig4Snapshot[];
  /** The final snapshot's ghost check on a finer grid. */
  ghostCheck: { epoch: number; resolution: number; points: V2Fig4SlowPoint[] };
  diverged: { epoch: number; reason: string } | null;
  /** Whether training came from the cache, and its wall time. */
  cached: boolean;
  trainMs: number;
}

/** Data of v2 Fig 4 (plain, JSON-serialisable). */
export interface V2Fig4Data {
  config: V2Fig4Config;
  dcdt: V2Fig4TaskData;
  dmts: V2Fig4TaskData;
}

/** Options of {@link runV2Fig4}. */
export interface V2Fig4Options extends TaskSweepOptions {}

function validateTaskConfig(name: string, c: V2Fig4TaskConfig): void {
  requireObject(name, c, "a V2Fig4TaskConfig");
  validateTaskTrainSpec(c.train, `${name}.train`);
  requireInteger(`${name}.recordEvery`, c.recordEvery, 1);
  requirePositive(`${name}.range`, c.range);
  if (c.closeUp !== null) requirePositive(`${name}.closeUp`, c.closeUp);
  requireInteger(`${name}.resolution`, c.resolution, 3, 4000);
  requireInteger(`${name}.arrowStride`, c.arrowStride, 1, 4000);
  requireInteger(`${name}.trajectories`, c.trajectories, 0, 1000);
  requireInteger(`${name}.replaySeed`, c.replaySeed, 0);
  requireObject(`${name}.ghostCheck`, c.ghostCheck, "{ resolution, maxCandidates }");
  requireInteger(`${name}.ghostCheck.resolution`, c.ghostCheck.resolution, 3, 4000);
  requireInteger(`${name}.ghostCheck.maxCandidates`, c.ghostCheck.maxCandidates, 1, 10000);
  requireFinite(`${name}.learnedAccuracy`, c.learnedAccuracy);
  if (c.train.snapshotEpochs.length === 0) throw new GhostError(`${name}.train.snapshotEpochs`, c.train.snapshotEpochs, "at least one snapshot epoch (the maps are drawn there)");
}

function summarise(p: PlanarSlowPoint): V2Fig4SlowPoint {
  const slow = p.eigenvectors[p.slowIndex], fast = p.eigenvectors[1 - p.slowIndex];
  return {
    kappa: p.kappa, classification: p.classification, speed: p.speed, eigenvalues: p.eigenvalues,
    slowVector: slow ? slow.re : [NaN, NaN], fastVector: fast ? fast.re : [NaN, NaN],
    hessianEigenvalues: p.hessianEigenvalues, stability: p.stability, fixedPointThreshold: p.fixedPointThreshold,
  };
}

/** Refined points in order, dropping any that lies within 1e-6·(1 + |κ|) of an earlier one (several grid minima often refine to one point). */
function distinct(points: V2Fig4SlowPoint[]): V2Fig4SlowPoint[] {
  const out: V2Fig4SlowPoint[] = [];
  for (const p of points) {
    const tol = 1e-6 * (1 + Math.hypot(p.kappa[0], p.kappa[1]));
    if (!out.some((q) => Math.hypot(q.kappa[0] - p.kappa[0], q.kappa[1] - p.kappa[1]) <= tol)) out.push(p);
  }
  return out;
}

function flowMap(red: ReturnType<typeof lowRankLatentReduction>, range: number, resolution: number, stride: number, maxCandidates: number): V2Fig4Map {
  const grid = latentSpeedGrid(red, { range1: [-range, range], resolution });
  const minima = speedMinima(grid);
  const refined = latentSlowPoints(red, minima, { maxCandidates });
  const decision = red.readout ? heatmapZ(copyNd(decisionField(red, grid).pick(0, null, null) as F64Array)) : [];
  return {
    range, kappa1: Array.from(grid.kappa1), kappa2: Array.from(grid.kappa2), logSpeed: heatmapZ(grid.logSpeed),
    arrows: unitArrows(grid, stride),
    minima: minima.slice(0, maxCandidates).map((m) => ({ kappa: m.kappa, speed: m.speed, onBorder: m.onBorder })),
    slowPoints: distinct(refined.map(summarise)), decision,
  };
}

function median(xs: ArrayLike<number>): number {
  const s = Array.from(xs).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Analyses one task's training run (pure; exported for the notebook's "edit one snapshot" cells and the tests). */
export function analyseV2Fig4Task(c: V2Fig4TaskConfig, run: TaskTrainResult, cached = false, trainMs = 0): V2Fig4TaskData {
  validateTaskConfig("config", c);
  const task = taskTrainTask(c.train);
  const [B, S] = task.inputs.shape;
  const typeCount = Math.max(...Array.from(task.trialTypes)) + 1;
  const labels = task.typeLabels ?? [];
  const snapshots: V2Fig4Snapshot[] = run.snapshots.map((snap) => {
    const model = snapshotModel(c.train, snap);
    const p = model.params as LowRankTaskParams;
    const red = lowRankLatentReduction({ Sl: p.Sl, Sr: p.Sr, bIn: p.bIn, Wout: p.Wout, bOut: p.bOut });
    const replay = taskRnnForward(model, task, new Rng(c.replaySeed));
    const nTraj = Math.min(c.trajectories, B);
    const N = model.config.size;
    const trajectories: [number, number][][] = [];
    if (nTraj > 0) {
      const sub = copyNd(replay.rates.hi(nTraj, S + 1, N) as F64Array);
      const k = projectStates(red.P, sub);
      for (let b = 0; b < nTraj; b++) {
        const tr: [number, number][] = [];
        for (let t = 0; t <= S; t++) tr.push([k.get(b, t, 0), k.get(b, t, 1)]);
        trajectories.push(tr);
      }
    }
    const outputs = Array.from({ length: typeCount }, (_, type) => {
      const trials = Array.from(task.trialTypes).map((ty, b) => (ty === type ? b : -1)).filter((b) => b >= 0);
      const mean: number[] = [], sem: number[] = [], target: number[] = [];
      for (let t = 0; t < S; t++) {
        const ys = trials.map((b) => replay.outputs.get(b, t, 0));
        const m = ys.reduce((a, y) => a + y, 0) / ys.length;
        const sd = Math.sqrt(ys.reduce((a, y) => a + (y - m) ** 2, 0) / ys.length);
        mean.push(m); sem.push(sd / Math.sqrt(ys.length)); target.push(task.targets.get(trials[0], t, 0));
      }
      return { type, label: labels[type] ?? `type ${type + 1}`, target, mean, sem };
    });
    return {
      epoch: snap.epoch, trainLoss: snap.loss, trainAccuracy: snap.accuracy, loss: replay.loss, accuracy: replay.accuracy,
      singularValues: Array.from(red.singularValues.data.subarray(0, 3)),
      overview: flowMap(red, c.range, c.resolution, c.arrowStride, 10),
      closeUp: c.closeUp === null ? null : flowMap(red, c.closeUp, c.resolution, c.arrowStride, 10),
      trajectories, outputs,
    };
  });
  const last = run.snapshots[run.snapshots.length - 1];
  const lastModel = snapshotModel(c.train, last);
  const lp = lastModel.params as LowRankTaskParams;
  const lastRed = lowRankLatentReduction({ Sl: lp.Sl, Sr: lp.Sr, bIn: lp.bIn });
  const gcGrid = latentSpeedGrid(lastRed, { range1: [-c.range, c.range], resolution: c.ghostCheck.resolution });
  const gcPoints = distinct(latentSlowPoints(lastRed, speedMinima(gcGrid), { maxCandidates: c.ghostCheck.maxCandidates }).map(summarise));

  const E = run.epochsRun;
  const rec = { loss: Float64Array.from(run.loss), accuracy: Float64Array.from(run.accuracy), gradMetric: Float64Array.from(run.gradMetric), weightNorm: Float64Array.from(run.weightNorm) };
  const epoch: number[] = [];
  for (let e = 0; e < E; e += c.recordEvery) epoch.push(e);
  if (epoch[epoch.length - 1] !== E - 1) epoch.push(E - 1);
  const pick = (a: Float64Array) => epoch.map((e) => a[e]);
  const learned = Array.from(rec.accuracy).findIndex((a) => a >= c.learnedAccuracy);
  const w = Math.max(1, Math.round(E / 100));
  let best = { epoch: 0, fromLoss: rec.loss[0], toLoss: rec.loss[0] };
  for (let e = 0; e + w < E; e++) {
    const d = rec.loss[e] - rec.loss[e + w];
    if (d > best.fromLoss - best.toLoss) best = { epoch: e, fromLoss: rec.loss[e], toLoss: rec.loss[e + w] };
  }
  return {
    config: c,
    curves: { epoch, loss: pick(rec.loss), gradMetric: pick(rec.gradMetric), accuracy: pick(rec.accuracy), weightNorm: pick(rec.weightNorm) },
    epochsRun: E, initialLoss: rec.loss[0], finalLoss: rec.loss[E - 1], finalAccuracy: rec.accuracy[E - 1],
    plateauAccuracy: median(rec.accuracy.subarray(0, Math.max(1, Math.round(E / 10)))),
    learnedEpoch: learned < 0 ? null : learned, steepestDrop: best, snapshots,
    ghostCheck: { epoch: last.epoch, resolution: c.ghostCheck.resolution, points: gcPoints },
    diverged: run.diverged, cached, trainMs,
  };
}

/**
 * The training run of one task of the figure through the engine (cached: a second call with the same spec is a cache
 * hit): per-epoch records and parameter snapshots (protocols.TaskTrainResult).
 */
export async function trainV2Fig4Task(c: V2Fig4TaskConfig, opts: { cache?: false | CacheOptions; workers?: number } = {}): Promise<{ run: TaskTrainResult; cached: boolean; trainMs: number }> {
  validateTaskConfig("config", c);
  requireKnownKeys("opts", requireObject("opts", opts, "{ cache?, workers? }"), { cache: 0, workers: 0 });
  const { results, stats } = await runTaskSweep([c.train], { cache: opts.cache, workers: opts.workers ?? 1 });
  return { run: results[0], cached: (stats?.cached ?? 0) === 1, trainMs: stats?.wallMs ?? 0 };
}

/** Validates a v2 Fig 4 config (GhostError naming the field). */
export function validateV2Fig4Config(config: unknown): V2Fig4Config {
  requireKnownKeys("config", config, v2Fig4Config(knownScale(config)));
  const c = requireObject("config", config, "a V2Fig4Config (see figures.v2Fig4Config)") as unknown as V2Fig4Config;
  requireOneOf("config.scale", c.scale, ["ci", "paper", "full"] as const);
  validateTaskConfig("config.dcdt", c.dcdt);
  validateTaskConfig("config.dmts", c.dmts);
  if (c.dcdt.train.preset !== "fig4-dcdt") throw new GhostError("config.dcdt.train.preset", c.dcdt.train.preset, `"fig4-dcdt"`);
  if (c.dmts.train.preset !== "fig4-dmts") throw new GhostError("config.dmts.train.preset", c.dmts.train.preset, `"fig4-dmts"`);
  return c;
}

/**
 * Computes v2 Fig 4: trains (or loads from the cache) both rank-2 networks, then analyses every snapshot.
 * @param config see {@link v2Fig4Config}. @param opts cache, progress, which tasks.
 */
export async function runV2Fig4(config: V2Fig4Config = v2Fig4Config("paper"), opts: V2Fig4Options = {}): Promise<V2Fig4Data> {
  validateV2Fig4Config(config);
  requireObject("opts", opts, "V2Fig4Options { cache?, workers?, onProgress?, signal?, cluster? }");
  // Both networks train at once, one per worker thread (cached run by run; resumable; shardable on a cluster).
  const { results, stats } = await runTaskSweep([config.dcdt.train, config.dmts.train], opts);
  const cached = (stats?.cached ?? 0) === 2;
  return {
    config,
    dcdt: analyseV2Fig4Task(config.dcdt, results[0], cached, stats?.wallMs ?? 0),
    dmts: analyseV2Fig4Task(config.dmts, results[1], cached, stats?.wallMs ?? 0),
  };
}
