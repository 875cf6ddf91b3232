/**
 * The trainable-rank ("sloppy parameters") figure (v1; = v2 Fig 6A right panel + Fig 6B, spec A8 and B4.2):
 * extra trainable directions beyond what the task needs widen the window of learning rates that work.
 *
 *  (a) the S1 sweep for the full-rank network (spec A8: W ∈ ℝ^{N×N}, linear readout σ(w_out·x + b_out), all
 *      trainable; lr grid logspace(−4, 1, 30), seeds 0…9, 200,001 epochs), beside the same sweep of the rank-one
 *      network (the S1 protocol) at the SAME epoch budget;
 *  (b) the rank-K comparison (spec B4.2: M ∈ ℝ^{N×K}, P ∈ ℝ^{K×N}, linear readout; K ∈ {1, 2, 3, 4, 5, 10, 30, 50,
 *      100}, lr logspace(−3, 0, 10), seeds 0…9, 500,000 epochs): the fraction of seeds whose final normalised loss
 *      L(E)/L(1) < 1e-2 ("learned"), per K and learning rate.
 * Every run is one `daTrain` job of the sweep engine (all cores, cached, resumable); the three parts run as one
 * batch. Statistics and run classes: lrSweep.ts.
 *
 * Cost (one core, N = 100, WebAssembly kernels, the default): rank one ≈ 21 µs per epoch, full rank ≈ 0.3 ms, rank K
 * with linear readout ≈ 0.03 ms (K = 1) … 0.27 ms (K = 50) … 0.5 ms (K = 100); with GHOST_KERNELS=js 85 µs, 1.6 ms,
 * 0.12 … 1.85 … 3.4 ms. The "full" scale is the paper's protocol: ≈ 22 core-hours in all (≈ 140 with the JS
 * kernels) — for a cluster, cached run by run. The "paper" scale is the reduction that runs in about a minute on two
 * cores (see {@link figRankConfig}); "ci" is smaller still. Reductions shorten training, so the "learned" level of (a) is 0.05 (see the config).
 */
import { GhostError, requireFiniteArray, requireInteger, requireObject, requireOneOf, requirePositive } from "../core/errors";
import { logspace } from "../core/arrays";
import { requireLearningRates, requireReportEpochs, requireSeeds, knownScale, requireKnownKeys } from "../core/checks";
import { requireLrSweepData, LrSweepData, LrSweepOptions, LrSweepRunStats, LrSweepSpec, runLrSweeps } from "../protocols/lrSweep";
import { figS1Config, FigS1Summary, summariseLrSweep } from "./figS1";

/** Scales: "ci" (seconds), "paper" (about a minute on two cores), "full" (the paper's). */
export type FigRankScale = "ci" | "paper" | "full";

/** Full parameter set of the trainable-rank figure (plain data). */
export interface FigRankConfig {
  scale: FigRankScale;
  /** Units N (paper 100). */
  size: number;
  /** (a) rank one vs full rank at the same budget. */
  comparison: {
    /** Epochs of every run (paper 200,001) and report epochs (paper 10k … 200k). */
    epochs: number;
    reportEpochs: number[];
    seeds: number[];
    /** Rank-one learning rates (paper logspace(−4, −1, 30)) and its confidence c (10). */
    rankOneLearningRates: number[];
    confidence: number;
    /** Full-rank learning rates (paper logspace(−4, 1, 30)). */
    fullRankLearningRates: number[];
    /**
     * Normalised final loss below which a run has learned. "full": 1e-2 (spec B4.2). Reduced scales: 0.05 —
     * a rank-one network that has just placed its switch sits at 0.012–0.05 after a few thousand epochs, so 1e-2
     * would measure the budget, not the learning; the untrained loss is ≈ 1 (rank one) or ≈ 0.5 (linear readout).
     */
    learnedLevel: number;
  };
  /** (b) rank-K sweep. */
  rankK: {
    ranks: number[];
    learningRates: number[];
    seeds: number[];
    epochs: number;
    /** Normalised final loss below which a run has learned (spec B4.2: 1e-2, at every scale). */
    learnedLevel: number;
    /** Log-spaced points of each learning curve (for the per-lr learning-curve panel). */
    curvePoints: number;
  };
  /** Final window of the run classification (50) and the vanishing-gradient level of "stuck" (1e-8). */
  window: number;
  gradFloor: number;
  /** How this scale differs from the paper's protocol ("" for "full"). */
  reduction: string;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The config at a scale (see the module comment). */
export function figRankConfig(scale: FigRankScale = "paper"): FigRankConfig {
  requireOneOf("scale", scale, ["ci", "paper", "full"] as const);
  const rankOneGrid = Array.from(logspace(-4, -1, 30));
  const fullGrid = Array.from(logspace(-4, 1, 30));
  const rankKGrid = Array.from(logspace(-3, 0, 10));
  const base = { scale, size: 100, window: 50, gradFloor: 1e-8 };
  if (scale === "full") {
    const s1 = figS1Config("full");
    return {
      ...base,
      comparison: {
        epochs: s1.epochs, reportEpochs: [...s1.reportEpochs], seeds: range(10), rankOneLearningRates: rankOneGrid, confidence: 10,
        fullRankLearningRates: fullGrid, learnedLevel: 1e-2,
      },
      rankK: { ranks: [1, 2, 3, 4, 5, 10, 30, 50, 100], learningRates: rankKGrid, seeds: range(10), epochs: 500000, learnedLevel: 1e-2, curvePoints: 200 },
      reduction: "",
    };
  }
  if (scale === "paper") {
    return {
      ...base,
      comparison: {
        // 10,000 epochs: the paper's first report epoch, and about the shortest budget at which rank-one networks
        // learn at all (their plateau lasts ∝ 1/lr and rates above ≈ 0.02 fall into the no-learning zone first)
        epochs: 10000, reportEpochs: [2500, 5000, 10000], seeds: range(3),
        // odd indices of the paper's rank-one grid (15 points up to 0.1); every third index 5 … 26 of the full-rank
        // grid (8 points, 7.3e-4 … 3.04)
        rankOneLearningRates: rankOneGrid.filter((_, i) => i % 2 === 1), confidence: 10,
        fullRankLearningRates: fullGrid.filter((_, i) => i % 3 === 2 && i >= 5 && i <= 26),
        learnedLevel: 0.05,
      },
      rankK: {
        ranks: [1, 2, 5, 10, 30, 50],
        // four learning rates of the paper's grid, 0.0215 … 0.215, where the ranks differ
        learningRates: rankKGrid.slice(4, 8), seeds: range(3), epochs: 2000, learnedLevel: 1e-2, curvePoints: 60,
      },
      reduction:
        "(a) 3 seeds, 10,000 epochs (report 2.5k, 5k, 10k) instead of 10 seeds and 200,001 epochs; 15 of the 30 rank-one and 8 of " +
        "the 30 full-rank learning rates; learned = normalised loss < 0.05 instead of 1e-2. (b) K ∈ {1, 2, 5, 10, 30, 50} " +
        "(no 3, 4, 100), learning rates 0.0215 … 0.215 (4 of 10), 3 seeds, 2,000 instead of 500,000 epochs",
    };
  }
  return {
    ...base,
    comparison: {
      epochs: 2000, reportEpochs: [500, 1000, 2000], seeds: range(2),
      rankOneLearningRates: Array.from(logspace(-3, -1, 5)), confidence: 10,
      fullRankLearningRates: Array.from(logspace(-3, 1, 5)),
      learnedLevel: 0.05,
    },
    rankK: { ranks: [1, 10, 50], learningRates: [rankKGrid[5], rankKGrid[6]], seeds: range(2), epochs: 2000, learnedLevel: 1e-2, curvePoints: 40 },
    reduction:
      "(a) 2 seeds, 2,000 epochs, 5 learning rates per model; (b) K ∈ {1, 10, 50}, learning rates 0.0464 and 0.1, 2 seeds, 2,000 epochs",
  };
}

/**
 * Checks the fields of a {@link FigRankConfig} that {@link figRankSpecs} turns into sweeps (GhostError naming
 * `config.<path>`): size integer in [1, 4096]; gradFloor finite > 0; comparison.epochs and rankK.epochs integers
 * in [1, 1e8]; window integer in [1, min of both epochs]; comparison.reportEpochs strictly increasing integers in
 * [1, comparison.epochs]; seeds non-empty integers ≥ 0; learning rates non-empty, finite > 0; confidence and
 * learnedLevel finite > 0; rankK.ranks non-empty integers in [1, size]; rankK.curvePoints integer in [0, 10000].
 */
function validateFigRankConfig(config: FigRankConfig): void {
  requireObject("config", config, "a FigRankConfig (see figRankConfig)");
  const N = requireInteger("config.size", config.size, 1, 4096);
  requirePositive("config.gradFloor", config.gradFloor);
  const c = requireObject("config.comparison", config.comparison, "the rank one vs full rank part { epochs, reportEpochs, seeds, ... }");
  const E = requireInteger("config.comparison.epochs", c.epochs, 1, 1e8);
  requireReportEpochs("config.comparison.reportEpochs", c.reportEpochs, E);
  requireSeeds("config.comparison.seeds", c.seeds);
  requireLearningRates("config.comparison.rankOneLearningRates", c.rankOneLearningRates);
  requirePositive("config.comparison.confidence", c.confidence);
  requireLearningRates("config.comparison.fullRankLearningRates", c.fullRankLearningRates);
  requirePositive("config.comparison.learnedLevel", c.learnedLevel);
  const k = requireObject("config.rankK", config.rankK, "the rank-K part { ranks, learningRates, seeds, epochs, learnedLevel, curvePoints }");
  const ranks = requireFiniteArray("config.rankK.ranks", k.ranks);
  for (let i = 0; i < ranks.length; i++) requireInteger(`config.rankK.ranks[${i}]`, ranks[i], 1, N);
  requireLearningRates("config.rankK.learningRates", k.learningRates);
  requireSeeds("config.rankK.seeds", k.seeds);
  const Ek = requireInteger("config.rankK.epochs", k.epochs, 1, 1e8);
  requirePositive("config.rankK.learnedLevel", k.learnedLevel);
  requireInteger("config.rankK.curvePoints", k.curvePoints, 0, 10000);
  const maxWindow = Math.min(E, Ek);
  if (typeof config.window !== "number" || !Number.isInteger(config.window) || config.window < 1 || config.window > maxWindow) {
    throw new GhostError("config.window", config.window, `an integer in [1, ${maxWindow}] (at most comparison.epochs and rankK.epochs)`);
  }
}

/**
 * The three kinds of sweep of a config: rank one, full rank, and one per K. The config must describe valid
 * sweeps (see validateFigRankConfig above: positive rates and levels, integer epochs, seeds and ranks in range).
 */
export function figRankSpecs(config: FigRankConfig): { rankOne: LrSweepSpec; fullRank: LrSweepSpec; rankK: LrSweepSpec[] } {
  validateFigRankConfig(config);
  const c = config.comparison;
  const common = { size: config.size, window: config.window, gradFloor: config.gradFloor };
  // The rank-one part is an S1 sweep (spec A8): at equal parameters its runs are the same daTrain configs as
  // Fig S1's, so the two figures share them through the cache (at "full" scale, all of them).
  const rankOne: LrSweepSpec = {
    ...common, model: "rankOne", confidence: c.confidence, learningRates: [...c.rankOneLearningRates], seeds: [...c.seeds],
    epochs: c.epochs, reportEpochs: [...c.reportEpochs], learnedLevel: c.learnedLevel, curvePoints: 0,
  };
  const fullRank: LrSweepSpec = {
    ...common, model: "fullRank", learningRates: [...c.fullRankLearningRates], seeds: [...c.seeds], epochs: c.epochs,
    reportEpochs: [...c.reportEpochs], learnedLevel: c.learnedLevel, curvePoints: 0,
  };
  const k = config.rankK;
  const rankK = Array.from(k.ranks, (rank): LrSweepSpec => ({
    ...common, model: "lowRank", rank, learningRates: [...k.learningRates], seeds: [...k.seeds], epochs: k.epochs,
    reportEpochs: [k.epochs], learnedLevel: k.learnedLevel, curvePoints: k.curvePoints,
  }));
  return { rankOne, fullRank, rankK };
}

/** The rank-K summary: fraction of seeds that learned, per learning rate and K. */
export interface RankKSummary {
  ranks: number[];
  learningRates: number[];
  /** [lr][K]: learned seeds / seeds (final normalised loss < learnedLevel). */
  fractionLearned: number[][];
  /** [lr][K]: diverged seeds. */
  diverged: number[][];
  /** [lr][K]: median final normalised loss over the seeds (a diverged run counts as +∞; NaN if the median is). */
  medianNormalisedLoss: number[][];
  /** Per K: learning rates at which at least half of the seeds learned (lowest, highest, decades), or null. */
  windows: ({ low: number; high: number; decades: number } | null)[];
}

/** Plain, serialisable data of the trainable-rank figure. */
export interface FigRankData {
  config: FigRankConfig;
  rankOne: LrSweepData;
  fullRank: LrSweepData;
  /** One sweep per K (same order as config.rankK.ranks), with learning curves. */
  rankK: LrSweepData[];
  summary: {
    rankOne: FigS1Summary;
    fullRank: FigS1Summary;
    rankK: RankKSummary;
  };
  run: LrSweepRunStats;
}

/** Median with non-finite values (diverged runs) counted as +∞; NaN when the median itself is not finite. */
function median(xs: number[]): number {
  const v = xs.map((x) => (Number.isFinite(x) ? x : Infinity)).sort((a, b) => a - b);
  const m = v.length >> 1;
  const med = v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
  return Number.isFinite(med) ? med : NaN;
}

/**
 * Fraction learned, divergences, median loss and learning window per K (from the per-K sweeps).
 * @param ranks the K of each sweep: integers ≥ 1, as many as `sweeps`.
 * @param sweeps non-empty array of reduced sweeps (reduceLrSweep) over the same learning rates (GhostError naming
 *   e.g. `sweeps[2].counts.diverged` for a missing or mis-shaped field).
 */
export function summariseRankK(ranks: number[], sweeps: LrSweepData[]): RankKSummary {
  if (!Array.isArray(sweeps) || sweeps.length === 0) throw new GhostError("sweeps", sweeps, "a non-empty array of reduced sweeps (one per K)");
  const ks = requireFiniteArray("ranks", ranks, { length: sweeps.length });
  for (let i = 0; i < ks.length; i++) requireInteger(`ranks[${i}]`, ks[i], 1);
  for (let k = 0; k < sweeps.length; k++) requireLrSweepData(`sweeps[${k}]`, sweeps[k]); // holes too
  const learningRates = sweeps[0].learningRates;
  sweeps.forEach((s, k) => {
    const same = s.learningRates.length === learningRates.length && learningRates.every((lr, i) => s.learningRates[i] === lr);
    if (!same) throw new GhostError(`sweeps[${k}].learningRates`, s.learningRates, "the learning rates of sweeps[0] (every K shares one grid)");
  });
  return {
    ranks: [...ranks],
    learningRates: [...learningRates],
    fractionLearned: Array.from(learningRates, (_, i) => sweeps.map((s) => s.fractionLearned[i])),
    diverged: Array.from(learningRates, (_, i) => sweeps.map((s) => s.counts.diverged[i])),
    medianNormalisedLoss: Array.from(learningRates, (_, i) => sweeps.map((s) => median(Array.from(s.normalisedFinalLoss[i])))),
    windows: sweeps.map((s) => s.learningWindow),
  };
}

/** Runs the figure (see the module comment): all runs of (a) and (b) as one batch on the sweep engine. */
export async function runFigRank(config: FigRankConfig = figRankConfig("paper"), opts: LrSweepOptions = {}): Promise<FigRankData> {
  requireKnownKeys("config", config, figRankConfig(knownScale(config)));
  requireObject("config", config, "a FigRankConfig (figures.figRankConfig(scale))");
  requireOneOf("scale", config.scale, ["ci", "paper", "full"] as const);
  const specs = figRankSpecs(config);
  const { sweeps, stats } = await runLrSweeps([specs.rankOne, specs.fullRank, ...specs.rankK], opts);
  const [rankOne, fullRank, ...rankK] = sweeps;
  return {
    config,
    rankOne,
    fullRank,
    rankK,
    summary: { rankOne: summariseLrSweep(rankOne), fullRank: summariseLrSweep(fullRank), rankK: summariseRankK(config.rankK.ranks, rankK) },
    run: stats,
  };
}
