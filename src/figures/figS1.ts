/**
 * Figure S1 (v1; = left panel of v2 Fig 6A): the Fig 2D analysis for rank-one RNNs — loss vs learning rate at
 * several epochs (spec A8, `Figure6/code/A/run_multiple_networks.py`, `plot_results.py`).
 *
 * Protocol (scale "full" = the paper's): the rank-one RNN of spec A5 (N = 100, c = 10, α = 0.5), learning rates
 * logspace(−4, −1, 30), seeds 0…9, 200,001 epochs of full-batch SGD per (learning rate, seed); the loss at epochs
 * 10k, 20k, 30k, 50k, 100k, 200k (array index epoch − 1: the loss computed in that epoch, before its update),
 * mean ± SEM (population std / √10) over the seeds. Every run is one `daTrain` job of the sweep engine
 * (parallel, cached, resumable); see lrSweep.ts for the statistics and the run classes (learned / stuck in the
 * no-learning zone / diverged / other).
 *
 * Cost: ≈ 85–110 µs per epoch on one core; the full protocol (300 × 200,001 epochs) measured 56 min on two cores
 * (≈ 110 core-minutes). The "paper" scale (the default of `npm run figures`) is the spec-D3 reduction that fits
 * in a few minutes on two cores: every other learning rate of the paper's grid (15, including the largest, 0.1),
 * the paper's 10 seeds, 30,000 epochs (report epochs 10k, 20k, 30k). "ci" is smaller still (see {@link figS1Config}).
 */
import { requireFiniteArray, requireObject, requireOneOf } from "../core/errors";
import { knownScale, requireKnownKeys } from "../core/checks";
import { logspace } from "../core/arrays";
import { requireLrSweepData, LrSweepData, LrSweepOptions, LrSweepRunStats, LrSweepSpec, runLrSweeps, validateLrSweepSpec } from "../protocols/lrSweep";

/** Scales of Fig S1: "ci" (seconds), "paper" (the D3 reduction, a few minutes), "full" (the paper's protocol). */
export type FigS1Scale = "ci" | "paper" | "full";

/** The paper's S1 report epochs (spec A8). */
export const S1_PAPER_REPORT_EPOCHS: readonly number[] = [10000, 20000, 30000, 50000, 100000, 200000];

/** Full parameter set of Fig S1 (plain data). */
export interface FigS1Config {
  scale: FigS1Scale;
  /** Units N (paper 100). */
  size: number;
  /** Output confidence c (paper 10). */
  confidence: number;
  /** Learning-rate grid (paper logspace(−4, −1, 30)). */
  learningRates: number[];
  /** Seeds (paper 0…9). */
  seeds: number[];
  /** Epochs per run (paper 200,001). */
  epochs: number;
  /** Report epochs (paper 10k, 20k, 30k, 50k, 100k, 200k). */
  reportEpochs: number[];
  /** Final window of the run classification (50, the spec-A7 rule). */
  window: number;
  /** Vanishing-gradient level of the "stuck" class (1e-8; rank one: plateau ‖∇‖ ≈ 1e-3, trapped ≈ 1e-18). */
  gradFloor: number;
  /**
   * A run has learned when its final loss is below learnedLevel × its initial loss (0.05: the untrained loss is
   * ≈ 1 — all 20 second-half outputs ≈ 0 — while a rank-one network that has placed the switch sits at 0.012–0.02
   * after 10k–50k epochs; its loss keeps falling slowly afterwards).
   */
  learnedLevel: number;
  /** How this scale differs from the paper's protocol ("" for "full"). */
  reduction: string;
}

/** The Fig S1 config at a scale (see the module comment). */
export function figS1Config(scale: FigS1Scale = "paper"): FigS1Config {
  requireOneOf("scale", scale, ["ci", "paper", "full"] as const);
  const paperGrid = Array.from(logspace(-4, -1, 30));
  const base = { scale, size: 100, confidence: 10, window: 50, gradFloor: 1e-8, learnedLevel: 0.05 };
  if (scale === "full") {
    return {
      ...base, learningRates: paperGrid, seeds: range(10), epochs: 200001, reportEpochs: [...S1_PAPER_REPORT_EPOCHS], reduction: "",
    };
  }
  if (scale === "paper") {
    return {
      ...base,
      // odd indices 1, 3, …, 29 of the paper's grid: 15 of its 30 points, including the largest (0.1)
      learningRates: paperGrid.filter((_, i) => i % 2 === 1),
      seeds: range(10),
      epochs: 30000,
      reportEpochs: [10000, 20000, 30000],
      reduction:
        "15 of the paper's 30 learning rates (every other grid point, up to 0.1), the paper's 10 seeds, 30,000 instead of " +
        "200,001 epochs (report epochs 10k, 20k, 30k of the paper's six): 4.5 M instead of 60 M epochs",
    };
  }
  return {
    ...base,
    learningRates: Array.from(logspace(-3, -1, 10)),
    seeds: range(3),
    epochs: 15000,
    reportEpochs: [5000, 10000, 15000],
    reduction: "10 learning rates logspace(−3, −1, 10), 3 seeds, 15,000 epochs (report epochs 5k, 10k, 15k)",
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * The learning-rate sweep of a Fig S1 config. The config must give a valid rank-one sweep (GhostError naming
 * `config.<field>` otherwise): size integer in [1, 4096], confidence > 0, learningRates non-empty finite > 0,
 * seeds non-empty integers ≥ 0, epochs integer in [1, 1e8], reportEpochs strictly increasing integers in
 * [1, epochs], window integer in [1, epochs], gradFloor and learnedLevel finite > 0 (see validateLrSweepSpec).
 */
export function figS1Spec(config: FigS1Config): LrSweepSpec {
  requireObject("config", config, "a FigS1Config (see figS1Config)");
  for (const field of ["learningRates", "seeds", "reportEpochs"] as const) requireFiniteArray(`config.${field}`, config[field]);
  const spec: LrSweepSpec = {
    model: "rankOne", size: config.size, confidence: config.confidence, learningRates: [...config.learningRates],
    seeds: [...config.seeds], epochs: config.epochs, reportEpochs: [...config.reportEpochs], window: config.window,
    gradFloor: config.gradFloor, learnedLevel: config.learnedLevel, curvePoints: 0,
  };
  validateLrSweepSpec(spec, "config");
  return spec;
}

/** Key numbers of Fig S1 (what the notebook checks against the paper). */
export interface FigS1Summary {
  /** The largest learning rate: how many seeds ended stuck in the no-learning zone, their mean final loss. */
  largest: { learningRate: number; stuck: number; seeds: number; meanFinalLoss: number };
  /** The learning rate with the lowest mean loss at the last report epoch, and that loss. */
  best: { learningRate: number; meanLoss: number };
  /** Per report epoch: the learning rate of the lowest mean loss (the optimum; moves left as epochs grow). */
  bestLearningRateByEpoch: { epoch: number; learningRate: number; meanLoss: number }[];
  /** Totals over the grid. */
  totals: { runs: number; learned: number; stuck: number; fellIn: number; diverged: number; other: number };
}

/** Plain, serialisable data of Fig S1. */
export interface FigS1Data {
  config: FigS1Config;
  sweep: LrSweepData;
  summary: FigS1Summary;
  /** Sweep statistics (runs computed vs cached, workers, wall time). */
  run: LrSweepRunStats;
}

/**
 * Summary numbers of an S1-type sweep (also used for the rank-one panel of the trainable-rank figure).
 * @param s a reduced sweep (reduceLrSweep) with at least one learning rate, seed and report epoch, and matrices of
 *   matching shapes (numbers, NaN allowed); GhostError naming the field (e.g. `sweep.meanLoss[1]`) otherwise.
 */
export function summariseLrSweep(s: LrSweepData): FigS1Summary {
  requireLrSweepData("sweep", s);
  const last = s.reportEpochs.length - 1;
  let iTop = 0; // first index of the largest learning rate (a loop: no argument-count limit as with Math.max(...))
  for (let i = 1; i < s.learningRates.length; i++) if (s.learningRates[i] > s.learningRates[iTop]) iTop = i;
  const finals = s.finalLoss[iTop].filter((v) => Number.isFinite(v));
  const bestByEpoch = Array.from(s.reportEpochs, (epoch, j) => {
    const lr = s.bestLearningRate[j];
    const i = s.learningRates.indexOf(lr);
    return { epoch, learningRate: lr, meanLoss: i >= 0 ? s.meanLoss[j][i] : NaN };
  });
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    largest: {
      learningRate: s.learningRates[iTop], stuck: s.counts.stuck[iTop], seeds: s.seeds.length,
      meanFinalLoss: finals.length ? sum(finals) / finals.length : NaN,
    },
    best: { learningRate: bestByEpoch[last].learningRate, meanLoss: bestByEpoch[last].meanLoss },
    bestLearningRateByEpoch: bestByEpoch,
    totals: {
      runs: s.learningRates.length * s.seeds.length, learned: sum(s.counts.learned), stuck: sum(s.counts.stuck),
      fellIn: sum(s.counts.fellIn), diverged: sum(s.counts.diverged), other: sum(s.counts.other),
    },
  };
}

/** Runs Fig S1 (see the module comment): one sweep on the engine, then the statistics. */
export async function runFigS1(config: FigS1Config = figS1Config("paper"), opts: LrSweepOptions = {}): Promise<FigS1Data> {
  requireKnownKeys("config", config, figS1Config(knownScale(config)));
  requireObject("config", config, "a FigS1Config (figures.figS1Config(scale))");
  requireOneOf("scale", config.scale, ["ci", "paper", "full"] as const);
  const { sweeps, stats } = await runLrSweeps([figS1Spec(config)], opts);
  return { config, sweep: sweeps[0], summary: summariseLrSweep(sweeps[0]), run: stats };
}
