/**
 * Figure 4 (v1; = v2 Fig 8B): lowering the output confidence rescues rank-one RNNs stuck in the no-learning zone
 * (spec A7).
 *
 * Protocol: for seed = 0…99 build the paper's rank-one RNN (c = 10), train 6000 epochs of SGD at lr 0.02, recording
 * accuracy and gradient norm per epoch (before each update). Then for each c in logspace(−3, 1, 30), copy the
 * trained network, set the confidence to c and train 100 more epochs at the same lr. Classify: learned = max
 * accuracy over epochs 0…5999 > 0.5; stuck = max accuracy over the last 50 epochs ≤ 0.5; the plotted set is
 * learned ∧ stuck (the paper's 54 of 100; 74 learned). All runs go through the sweep engine (parallel, cached).
 */
import { GhostError, requireFiniteArray, requireInteger, requireObject, requireOneOf, requireOptions, requirePositive } from "../core/errors";
import { logspace } from "../core/arrays";
import { meanSemColumns } from "../core/stats";
import { classifyRuns } from "../analysis/classify";
import { analyseRankOneSnapshot } from "../analysis/rankOne";
import { createRankOneRnn, rankOneInitialKappa, withConfidence, RnnModel } from "../models/rnn";
import { delayedActivationTask } from "../tasks/delayedActivation";
import { evaluateRnn } from "../training/bptt";
import { trainRnn } from "../training/trainRnn";
import { requireSeeds, knownScale, requireKnownKeys } from "../core/checks";
import { runSweep, SweepProgress } from "../engine/sweep";
import "../protocols/runners"; // registers the rankOneTrain runner that runFig4 names
import type { CacheOptions } from "../engine/cache";
import type { RankOneTrainConfig, RankOneTrainResult } from "../protocols/daTrain";
import type { ClusterSweepOptions } from "../engine/shard";

/**
 * Scales: "paper" and "full" are the paper's protocol (100 networks; ≈ 40 s on 2 cores, cached afterwards);
 * "ci" keeps the protocol but trains 24 networks (seeds 0…23) — 6000 epochs are needed: at lr 0.02 almost no
 * network has learned by epoch 3000.
 */
export type Fig4Scale = "ci" | "paper" | "full";

/** Full parameter set of the Fig 4 experiment. */
export interface Fig4Config {
  scale: Fig4Scale;
  /** Seeds of the networks (paper: 0…99). */
  seeds: number[];
  /** Rank-one network size N (paper 100). */
  size: number;
  /** Confidence during the main training (paper 10). */
  confidence: number;
  learningRate: number;
  /** Epochs of the main training (paper 6000). */
  epochs: number;
  /** Confidences of the ablation: logspace(−3, 1, 30). */
  ablationConfidences: number[];
  /** Epochs of each ablation continuation (paper 100). */
  ablationEpochs: number;
  /** Window of the "stuck" rule (paper 50). */
  stuckWindow: number;
  /** First epoch plotted (paper 5800). */
  plotFrom: number;
}

/** The config at a scale. */
export function fig4Config(scale: Fig4Scale = "paper"): Fig4Config {
  requireOneOf("scale", scale, ["ci", "paper", "full"] as const);
  const ci = scale === "ci";
  return {
    scale,
    seeds: Array.from({ length: ci ? 24 : 100 }, (_, i) => i),
    size: 100,
    confidence: 10,
    learningRate: 0.02,
    epochs: 6000,
    ablationConfidences: Array.from(logspace(-3, 1, 30)),
    ablationEpochs: 100,
    stuckWindow: 50,
    plotFrom: 5800,
  };
}

/** Mean ± SEM curve over the selected networks for one confidence (epochs plotFrom … epochs + ablationEpochs − 1). */
export interface Fig4Curve {
  confidence: number;
  /** Epoch index of every point (0-based; the switch happens at `epochs`). */
  epoch: number[];
  accuracyMean: number[];
  accuracySem: number[];
  gradNormMean: number[];
  gradNormSem: number[];
}

/** Why lowering c works, on one stuck network. */
export interface Fig4Example {
  seed: number;
  /** Flow f(κ) of the stuck network at the end of the main training (display window) and its analysis. */
  stuckFlow: { kappa: number[]; dkappaDt: number[]; kappa0: number; fixedPoints: number[]; signFlips: number; ghostHeight: number };
  /** The same after 100 epochs at the rescue confidence. */
  rescuedFlow: { kappa: number[]; dkappaDt: number[]; kappa0: number; fixedPoints: number[]; signFlips: number; ghostHeight: number; confidence: number; accuracy: number };
  /** Gradient norm of the stuck network (same parameters) as a function of c. */
  gradientVsConfidence: { confidence: number[]; gradNorm: number[] };
}

/** Plain, serialisable data of Fig 4. */
export interface Fig4Data {
  config: Fig4Config;
  counts: { total: number; learned: number; stuck: number; selected: number; diverged: number };
  selectedSeeds: number[];
  /** One curve per ablation confidence (all 30), in order. */
  curves: Fig4Curve[];
  /** Mean ± SEM over the selected networks of the main training, epochs plotFrom…epochs−1. */
  before: { epoch: number[]; accuracyMean: number[]; accuracySem: number[]; gradNormMean: number[]; gradNormSem: number[] };
  example: Fig4Example | null;
  /** Sweep statistics: runs computed vs taken from the cache, wall time. */
  sweep: { computed: number; cached: number; wallMs: number; workers: number };
}

/** Options of {@link runFig4}. */
export interface Fig4Options {
  cache?: false | CacheOptions;
  workers?: number;
  /** Progress (runs done, total; info: the sweep's engine.SweepProgress, whose work fields weight runs by cost). */
  onProgress?: (done: number, total: number, info?: SweepProgress) => void;
  /** Rescue confidence used for the example network (default 0.22, one of the paper's plotted values). */
  exampleConfidence?: number;
  /** Shard / from-cache / status options, passed to the engine's runSweep unchanged (engine/shard.ts). */
  cluster?: ClusterSweepOptions;
  /** Aborts the sweep (e.g. a progress bar's `signal`, aborted by the kernel's interrupt); finished runs stay cached. */
  signal?: AbortSignal;
}

function flowSummary(model: RnnModel) {
  const snap = analyseRankOneSnapshot(model);
  // display window of the spec grid: indices 200…799 (κ ≈ −9…9)
  return {
    kappa: snap.curve.kappa.slice(200, 800),
    dkappaDt: snap.curve.dkappaDt.slice(200, 800),
    kappa0: rankOneInitialKappa(model),
    fixedPoints: snap.fixedPoints.fixedPoints.map((p) => p.kappa),
    signFlips: snap.fixedPoints.signFlipCount,
    ghostHeight: snap.ghost.height,
  };
}

/**
 * Checks a Fig 4 config: scale "ci" | "paper" | "full"; seeds a non-empty array of integers ≥ 0; size an
 * integer in [1, 100000]; confidence, learningRate finite > 0; epochs, ablationEpochs integers in [1, 1e7];
 * ablationConfidences a non-empty array of finite values > 0; stuckWindow an integer in [1, epochs]; plotFrom an
 * integer in [0, epochs − 1]. Throws a GhostError naming `config.<field>`.
 */
export function validateFig4Config(config: unknown): Fig4Config {
  const c = requireObject("config", config, "a Fig4Config (figures.fig4Config(scale))");
  requireOneOf("config.scale", c.scale, ["ci", "paper", "full"] as const);
  requireSeeds("config.seeds", c.seeds);
  requireInteger("config.size", c.size, 1, 100000);
  requirePositive("config.confidence", c.confidence);
  requirePositive("config.learningRate", c.learningRate);
  const epochs = requireInteger("config.epochs", c.epochs, 1, 1e7);
  const cs = requireFiniteArray("config.ablationConfidences", c.ablationConfidences, { minLength: 1 });
  for (let i = 0; i < cs.length; i++) requirePositive(`config.ablationConfidences[${i}]`, cs[i]);
  requireInteger("config.ablationEpochs", c.ablationEpochs, 1, 1e7);
  requireInteger("config.stuckWindow", c.stuckWindow, 1, epochs);
  requireInteger("config.plotFrom", c.plotFrom, 0, epochs - 1);
  return c as unknown as Fig4Config;
}

/** Runs the Fig 4 experiment (see the module comment). Config checked by {@link validateFig4Config}. */
export async function runFig4(config: Fig4Config = fig4Config("paper"), opts: Fig4Options = {}): Promise<Fig4Data> {
  requireKnownKeys("config", config, fig4Config(knownScale(config)));
  validateFig4Config(config);
  const o = requireOptions<Fig4Options>("opts", opts, ["cache", "workers", "onProgress", "exampleConfidence", "cluster", "signal"]);
  if (o.exampleConfidence !== undefined) requirePositive("opts.exampleConfidence", o.exampleConfidence);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new GhostError("opts.signal", o.signal, "an AbortSignal or undefined");
  const configs: RankOneTrainConfig[] = config.seeds.map((seed) => ({
    seed, N: config.size, learningRate: config.learningRate, epochs: config.epochs, confidence: config.confidence,
    record: ["accuracy", "gradNorm"],
    continuation: { confidences: config.ablationConfidences, epochs: config.ablationEpochs },
  }));
  let stats = { computed: 0, cached: 0, wallMs: 0, workers: 1 };
  const results = await runSweep<RankOneTrainConfig, RankOneTrainResult>({
    runner: "rankOneTrain", configs, workers: opts.workers, cache: opts.cache, signal: o.signal, ...o.cluster,
    onProgress: opts.onProgress ? (d, t, info) => opts.onProgress?.(d, t, info) : undefined,
    onFinish: (s) => (stats = { computed: s.computed, cached: s.cached, wallMs: s.wallMs, workers: s.workers }),
  });
  const ok = results.filter((r) => r.diverged === null);
  const classification = classifyRuns(ok.map((r) => r.accuracy as number[]), { window: config.stuckWindow });
  const selected = classification.selectedIndices.map((i) => ok[i]);
  const from = config.plotFrom, E = config.epochs;
  const span = (arrs: number[][]) => (arrs.length ? meanSemColumns(arrs) : { mean: new Float64Array(0), sem: new Float64Array(0) });
  const accB = span(selected.map((r) => (r.accuracy as number[]).slice(from, E)));
  const grB = span(selected.map((r) => (r.gradNorm as number[]).slice(from, E)));
  const curves: Fig4Curve[] = config.ablationConfidences.map((c, k) => {
    const acc = span(selected.map((r) => (r.continuation as NonNullable<RankOneTrainResult["continuation"]>)[k].accuracy as number[]));
    const gr = span(selected.map((r) => (r.continuation as NonNullable<RankOneTrainResult["continuation"]>)[k].gradNorm as number[]));
    return {
      confidence: c,
      epoch: Array.from({ length: config.ablationEpochs }, (_, i) => E + i),
      accuracyMean: Array.from(acc.mean), accuracySem: Array.from(acc.sem),
      gradNormMean: Array.from(gr.mean), gradNormSem: Array.from(gr.sem),
    };
  });

  // The example: the first selected network, retrained locally (cheap) to show its flow and gradients.
  let example: Fig4Example | null = null;
  if (selected.length > 0) {
    const seed = selected[0].seed;
    const task = delayedActivationTask(20);
    const model = createRankOneRnn(seed, { size: config.size, confidence: config.confidence });
    trainRnn(model, { learningRate: config.learningRate, epochs: E, task });
    const rescueC = opts.exampleConfidence ?? 0.22122162910704501;
    const rescued = withConfidence(model, rescueC);
    trainRnn(rescued, { learningRate: config.learningRate, epochs: config.ablationEpochs, task });
    const cs = config.ablationConfidences;
    example = {
      seed,
      stuckFlow: flowSummary(model),
      rescuedFlow: { ...flowSummary(rescued), confidence: rescueC, accuracy: evaluateRnn(rescued, task).accuracy },
      gradientVsConfidence: {
        confidence: [...cs],
        gradNorm: cs.map((c) => {
          const ev = evaluateRnn(withConfidence(model, c), task);
          return Math.sqrt(Object.values(ev.grads).reduce((s: number, g: { data: Float64Array }) => s + g.data.reduce((a, x) => a + x * x, 0), 0));
        }),
      },
    };
  }
  return {
    config,
    counts: {
      total: results.length, learned: classification.learnedCount, stuck: classification.stuckCount,
      selected: classification.selectedCount, diverged: results.length - ok.length,
    },
    selectedSeeds: selected.map((r) => r.seed),
    curves,
    before: {
      epoch: Array.from({ length: E - from }, (_, i) => from + i),
      accuracyMean: Array.from(accB.mean), accuracySem: Array.from(accB.sem),
      gradNormMean: Array.from(grB.mean), gradNormSem: Array.from(grB.sem),
    },
    example,
    sweep: stats,
  };
}
