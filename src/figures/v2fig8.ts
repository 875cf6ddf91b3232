/**
 * v2 Figure 8, panels A and B (spec B6.1, B6.2): output confidence and the no-learning zone.
 *
 *  (A) |dE/dr| against r on r = linspace(−r*, 2r*, 100) for the toy model (spec A3's simulation) at confidences
 *      c ∈ {0.01, 0.1, 0.5, 1, 2}, each divided by its own maximum, and for the analytic high-confidence error
 *      E(r) (`Figure8/code/A/plot_loss_function.py`). The derivative is numpy.gradient's (central differences
 *      inside, one-sided at the ends; core/arrays.uniformGradient). The analytic E is flat (= T) for r ≤ r* /4, so its
 *      derivative is exactly 0 there — absent on a log axis — while every finite confidence leaves a non-zero slope
 *      inside the zone: a lower confidence turns the no-learning zone into a (slow) learning zone.
 *  (B) learnable confidence (`Figure8/code/B - learnable confidence/run_with_learnable_confidence.py`): the rank-one
 *      DA network of seed 40 trained by SGD (lr 0.02) for 10 000 epochs with c a parameter starting at 10, then
 *      the trained m, n, b with c := 1 (still trainable) for 10 000 more; loss and gradient norm concatenated.
 *
 *  (C) the output-confidence intervention in full-rank DCDT (B6.3, `Figure8/code/C/*`): per seed, 10 000 epochs of
 *      Adam (lr 0.1), then from that same state 10 000 more per c ∈ {0.1, 0.5, 1, 3, ∞} with the readout rescaled to
 *      ‖W_out‖₁ = c at the start of every forward pass (c = ∞: no rescaling); accuracy (±0.33 binarisation) every
 *      200 epochs, mean ± SEM over seeds 0…99 (protocols.runConfidenceIntervention, one engine run per seed).
 *
 * A and B cost a few seconds on one core, so every scale runs the paper's A and B. C costs about 60 000 task-RNN
 * epochs per seed (for 100 seeds ≈ 6 million epochs, ≈ 7 core-hours at the ≈ 4 ms per epoch of the WebAssembly
 * kernels; ≈ 20 at the 12 ms of the JS kernels): "full" is the spec, "paper" a stated reduction (`reduction`).
 */
import { GhostError, requireFinite, requireInteger, requireObject, requireOneOf, requirePositive, requireFiniteArray } from "../core/errors";
import { knownScale, requireKnownKeys } from "../core/checks";
import { linspace, toNumbers, uniformGradient } from "../core/arrays";
import { rStar, simulatedLoss, toyError } from "../models/saddleNode";
import { createRankOneRnn } from "../models/rnn";
import { trainLearnableConfidence } from "../training/learnableConfidence";
import { ConfidenceInterventionConfig, ConfidenceInterventionResult, validateConfidenceInterventionConfig } from "../protocols/confidenceIntervention";
import { runConfidenceSweep } from "../protocols/confidenceSweep";
import type { TaskSweepOptions } from "../protocols/taskSweep";
import { experimentPreset } from "../tasks/task";

/** Scales (A and B: the paper's protocol at every scale; C: see V2Fig8Config.intervention and `reduction`). */
export type V2Fig8Scale = "ci" | "paper" | "full";

/** Parameter set of v2 Fig 8 A–B (defaults = spec B6.1, B6.2). */
export interface V2Fig8Config {
  scale: V2Fig8Scale;
  /** Panel A: toy model (spec A3) T (100), x* (10), dt (0.1), r grid points (100) and confidences. */
  gradient: { horizon: number; threshold: number; dt: number; points: number; confidences: number[] };
  /**
   * Panel B: rank-one DA network of `seed` (40), SGD `learningRate` (0.02), `epochs` per phase (10 000), c starts
   * at `initialConfidence` (10) and is reset to `resetConfidence` (1) for phase 2; DA horizon (20 steps).
   */
  learnable: { seed: number; learningRate: number; epochs: number; initialConfidence: number; resetConfidence: number; horizon: number };
  /**
   * Panel C: `seeds` (0…99), phase-1 and phase-2 epochs (10 000 each), confidences ({0.1, 0.5, 1, 3, ∞}; Infinity =
   * no rescaling), accuracy sampled `every` (200) epochs, `copies` per trial type (10), Adam `learningRate` (0.1).
   */
  intervention: { seeds: number[]; epochs1: number; epochs2: number; confidences: number[]; every: number; copies: number; learningRate: number };
  /** How this scale's panel C differs from the spec ("" at full). */
  reduction: string;
}

/**
 * Panel C at "paper" scale: a reduction of 48 000 task-RNN epochs, ≈ 3 core-minutes (measured with the WebAssembly
 * kernels: 191 s of CPU, 97 s on 2 free cores for the whole figure; 587 s of CPU with the JS kernels); full: 100 seeds
 * × (10 000 + 5 × 10 000) epochs ≈ 7 core-hours.
 */
const PAPER_C = {
  seeds: 8, epochs1: 1000, epochs2: 1000, every: 20,
  reduction: "panel C with 8 seeds (0–7) instead of 100 and 1000 + 1000 epochs instead of 10 000 + 10 000, sampled every 20 instead of 200 epochs (100 samples, as the paper's)",
};

/** The paper's confidences of panel C (c = ∞ is Infinity: no rescaling). */
export const V2FIG8C_CONFIDENCES: readonly number[] = [0.1, 0.5, 1, 3, Infinity];

/** The v2 Fig 8 config: A and B are the paper's protocol at every scale; C is reduced below "full" (`reduction`). */
export function v2Fig8Config(scale: V2Fig8Scale = "paper"): V2Fig8Config {
  requireOneOf("scale", scale, ["ci", "paper", "full"] as const);
  const seeds = (n: number) => Array.from({ length: n }, (_, i) => i);
  const c = (n: number, epochs1: number, epochs2: number, every: number) => ({ seeds: seeds(n), epochs1, epochs2, confidences: [...V2FIG8C_CONFIDENCES], every, copies: 10, learningRate: 0.1 });
  const [intervention, reduction] =
    scale === "full" ? [c(100, 10000, 10000, 200), ""]
      : scale === "paper" ? [c(PAPER_C.seeds, PAPER_C.epochs1, PAPER_C.epochs2, PAPER_C.every), PAPER_C.reduction]
        : [c(2, 60, 60, 10), "ci: panel C with seeds 0–1 and 60 + 60 epochs sampled every 10 (the code path, not the paper's numbers)"];
  return {
    scale,
    gradient: { horizon: 100, threshold: 10, dt: 0.1, points: 100, confidences: [0.01, 0.1, 0.5, 1, 2] },
    learnable: { seed: 40, learningRate: 0.02, epochs: 10000, initialConfidence: 10, resetConfidence: 1, horizon: 20 },
    intervention,
    reduction,
  };
}

/** One |dE/dr| curve of panel A. */
export interface V2Fig8GradientCurve {
  /** c of the simulation; null for the analytic (c → ∞) curve. */
  confidence: number | null;
  /** E(r) on the grid: the analytic E, or T·L_sim (= dt·Σ(o − y)², the authors' `error·dt`). */
  error: number[];
  /** |dE/dr| / max |dE/dr| on the grid (numpy.gradient). */
  slope: number[];
  /** max |dE/dr| (the normaliser). */
  maxSlope: number;
  /** Mean of `slope` over the grid points strictly inside the zone r < r* /4 − dr (away from the edge stencil). */
  zoneMeanSlope: number;
  /** Number of grid points strictly inside the zone where `slope` is exactly 0. */
  zoneZeros: number;
}

/** One phase of panel B. */
export interface V2Fig8Phase {
  /** c at the start of the phase. */
  startConfidence: number;
  loss: number[];
  gradNorm: number[];
  accuracy: number[];
  /** c used at each epoch plus the final one (length epochs + 1). */
  confidence: number[];
  diverged: { epoch: number; reason: string } | null;
}

/** Data of v2 Fig 8 A–B (plain, JSON-serialisable). */
export interface V2Fig8Data {
  config: V2Fig8Config;
  /** Panel A. */
  gradient: {
    r: number[];
    rStar: number;
    rStarQuarter: number;
    /** Grid step dr. */
    spacing: number;
    /** Indices of the grid points strictly inside the zone (r < r* /4 − dr). */
    zoneIndices: number[];
    analytic: V2Fig8GradientCurve;
    simulated: V2Fig8GradientCurve[];
  };
  /** Panel B: phase 1 (c from 10) and phase 2 (c := 1). */
  learnable: { phases: [V2Fig8Phase, V2Fig8Phase] };
  /** Panel C. */
  intervention: V2Fig8InterventionData;
}

/** Panel C's mean ± SEM accuracy curve of one confidence (phase-1 samples shared, then that c's phase 2). */
export interface V2Fig8InterventionCurve {
  /** c (Infinity = no rescaling). */
  confidence: number;
  /** At `epochs`: mean and SEM (population std / √n, as the authors) over the seeds that did not diverge. */
  mean: number[];
  sem: number[];
  /** Seeds averaged at each sample. */
  count: number[];
  /** Mean ± SEM over seeds of the accuracy at the last sample. */
  finalMean: number;
  finalSem: number;
}

/** Panel C's data. */
export interface V2Fig8InterventionData {
  /** Run-global sample epochs 0, every, … < epochs1 + epochs2. */
  epochs: number[];
  /** First epoch of phase 2 (the switch). */
  switchEpoch: number;
  curves: V2Fig8InterventionCurve[];
  /** Per seed: the engine's result (sampled accuracy/loss of phase 1 and of every continuation). */
  runs: ConfidenceInterventionResult[];
  /** Accuracy entries per forward pass and how many of them have target 0 (for the check's bound). */
  entries: { total: number; silent: number; copies: number; responseSteps: number; steps: number };
  /** Engine statistics: runs computed / taken from the cache, wall time. */
  computed: number;
  cached: number;
  wallMs: number;
}

function validateIntervention(c: V2Fig8Config["intervention"], name = "config.intervention"): void {
  const i = requireObject(name, c, "an object { seeds, epochs1, epochs2, confidences, every, copies, learningRate }");
  if (!Array.isArray(i.seeds) || i.seeds.length === 0) throw new GhostError(`${name}.seeds`, i.seeds, "a non-empty array of seeds");
  c.seeds.forEach((s, k) => requireInteger(`${name}.seeds[${k}]`, s, 0));
  if (new Set(c.seeds).size !== c.seeds.length) throw new GhostError(`${name}.seeds`, c.seeds, "distinct seeds");
  requireInteger(`${name}.copies`, i.copies, 1, 100000);
  validateConfidenceInterventionConfig(interventionRunConfig(c, c.seeds[0]), name);
}

/** The engine config of one seed of panel C. */
function interventionRunConfig(c: V2Fig8Config["intervention"], seed: number): ConfidenceInterventionConfig {
  return { seed, epochs1: c.epochs1, epochs2: c.epochs2, confidences: c.confidences, every: c.every, copies: c.copies, learningRate: c.learningRate };
}

function validateConfig(c: V2Fig8Config): void {
  requireObject("config", c, "a V2Fig8Config (see figures.v2Fig8Config)");
  requireOneOf("config.scale", c.scale, ["ci", "paper", "full"] as const);
  const g = requireObject("config.gradient", c.gradient, "an object { horizon, threshold, dt, points, confidences }");
  requirePositive("config.gradient.horizon", g.horizon);
  requireFinite("config.gradient.threshold", g.threshold);
  requirePositive("config.gradient.dt", g.dt);
  requireInteger("config.gradient.points", g.points, 3, 100000);
  requireFiniteArray("config.gradient.confidences", g.confidences);
  c.gradient.confidences.forEach((v, i) => requirePositive(`config.gradient.confidences[${i}]`, v));
  const l = requireObject("config.learnable", c.learnable, "an object { seed, learningRate, epochs, initialConfidence, resetConfidence, horizon }");
  requireInteger("config.learnable.seed", l.seed, 0);
  requirePositive("config.learnable.learningRate", l.learningRate);
  requireInteger("config.learnable.epochs", l.epochs, 0, 1e8);
  requirePositive("config.learnable.initialConfidence", l.initialConfidence);
  requireFinite("config.learnable.resetConfidence", l.resetConfidence);
  requireInteger("config.learnable.horizon", l.horizon, 1, 100000);
  validateIntervention(c.intervention);
  if (typeof c.reduction !== "string") throw new GhostError("config.reduction", c.reduction, "a string");
}

function slopeCurve(confidence: number | null, error: number[], spacing: number, zone: number[]): V2Fig8GradientCurve {
  const d = uniformGradient(error, spacing);
  let max = 0;
  for (let i = 0; i < d.length; i++) max = Math.max(max, Math.abs(d[i]));
  const slope = Array.from(d, (v) => Math.abs(v) / max);
  let sum = 0, zeros = 0;
  for (const i of zone) {
    sum += slope[i];
    if (slope[i] === 0) zeros++;
  }
  return { confidence, error, slope, maxSlope: max, zoneMeanSlope: zone.length ? sum / zone.length : NaN, zoneZeros: zeros };
}

/** Options of {@link runV2Fig8} and {@link runV2Fig8C}: the engine's (cache, workers, signal, cluster) and progress. */
export interface V2Fig8Options extends TaskSweepOptions {}

const OPTION_KEYS = { cache: 0, workers: 0, onProgress: 0, signal: 0, cluster: 0 };

/**
 * Computes v2 Fig 8 (deterministic: panel A has no randomness, panel B's network is drawn from its seed, panel C's
 * from seeds 0…). A and B run in this thread (seconds); C runs through the engine (worker threads, cached per seed).
 * @param config see {@link v2Fig8Config}
 * @param opts onProgress (done, total) counts panel C's seeds; cache, workers, signal, cluster go to the engine.
 */
export async function runV2Fig8(config: V2Fig8Config = v2Fig8Config("paper"), opts: V2Fig8Options = {}): Promise<V2Fig8Data> {
  requireKnownKeys("config", config, v2Fig8Config(knownScale(config)));
  validateConfig(config);
  requireKnownKeys("opts", requireObject("opts", opts, "V2Fig8Options { cache?, workers?, onProgress?, signal?, cluster? }"), OPTION_KEYS);
  const ab = panelsAB(config);
  const intervention = await runV2Fig8C(config.intervention, opts);
  return { config, ...ab, intervention };
}

/** Panels A and B (pure, a few seconds). */
function panelsAB(config: V2Fig8Config): Pick<V2Fig8Data, "gradient" | "learnable"> {
  const g = config.gradient;
  const rs = rStar(g.horizon);
  const r = toNumbers(linspace(-rs, 2 * rs, g.points));
  const spacing = r[1] - r[0];
  const zone: number[] = [];
  r.forEach((v, i) => { if (v < rs / 4 - spacing) zone.push(i); });
  const analytic = slopeCurve(null, r.map((v) => toyError(v, g.horizon)), spacing, zone);
  const simulated = g.confidences.map((c) =>
    slopeCurve(c, r.map((v) => g.horizon * simulatedLoss(v, { confidence: c, horizon: g.horizon, dt: g.dt, threshold: g.threshold })), spacing, zone));

  const l = config.learnable;
  const phase = (model: ReturnType<typeof createRankOneRnn>, c0: number, offset: number): { phase: V2Fig8Phase; trained: ReturnType<typeof createRankOneRnn> } => {
    const h = trainLearnableConfidence(model, {
      learningRate: l.learningRate, epochs: l.epochs, confidence: c0, horizon: l.horizon,
    });
    return {
      phase: {
        startConfidence: c0, loss: toNumbers(h.loss), gradNorm: toNumbers(h.gradNorm), accuracy: toNumbers(h.accuracy),
        confidence: toNumbers(h.confidence), diverged: h.diverged,
      },
      trained: h.model,
    };
  };
  const first = phase(createRankOneRnn(l.seed, { confidence: l.initialConfidence }), l.initialConfidence, 0);
  // Phase 2: a fresh model that receives the trained m, n, b; c := resetConfidence (B6.2). With SGD there is no
  // optimiser state, so this equals continuing with c reset.
  const second = phase(first.trained, l.resetConfidence, l.epochs);
  return {
    gradient: { r, rStar: rs, rStarQuarter: rs / 4, spacing, zoneIndices: zone, analytic, simulated },
    learnable: { phases: [first.phase, second.phase] },
  };
}

/**
 * Panel C alone (spec B6.3): one engine run per seed (protocols.runConfidenceIntervention; cached, in worker threads),
 * then the mean ± SEM accuracy per c over the seeds. A seed whose run diverged (NaN samples) is left out of the
 * samples it lacks (`count` says how many seeds each point averages).
 * @param c config.intervention of {@link v2Fig8Config}
 * @param opts onProgress (seeds done, seeds); cache, workers, signal, cluster go to the engine.
 */
export async function runV2Fig8C(c: V2Fig8Config["intervention"] = v2Fig8Config("paper").intervention, opts: V2Fig8Options = {}): Promise<V2Fig8InterventionData> {
  requireKnownKeys("config.intervention", c, v2Fig8Config("paper").intervention);
  validateIntervention(c);
  requireKnownKeys("opts", requireObject("opts", opts, "V2Fig8Options { cache?, workers?, onProgress?, signal?, cluster? }"), OPTION_KEYS);
  const { results: runs, stats } = await runConfidenceSweep(c.seeds.map((s) => interventionRunConfig(c, s)), opts);
  const first = runs[0];
  const epochs = [...first.phase1Epochs, ...first.phase2Epochs];
  const curves: V2Fig8InterventionCurve[] = c.confidences.map((conf, k) => {
    const rows = runs.map((r) => [...r.phase1.accuracy, ...r.continuations[k].accuracy]);
    const mean: number[] = [], sem: number[] = [], count: number[] = [];
    for (let j = 0; j < epochs.length; j++) {
      const xs = rows.map((row) => row[j]).filter((v) => Number.isFinite(v));
      const m = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
      const sd = xs.length ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length) : NaN;
      mean.push(m);
      sem.push(xs.length ? sd / Math.sqrt(xs.length) : NaN);
      count.push(xs.length);
    }
    const J = epochs.length - 1;
    return { confidence: conf, mean, sem, count, finalMean: mean[J], finalSem: sem[J] };
  });
  const p = experimentPreset("fig8c-dcdt").task;
  const steps = [p.inputMs, p.delayMs, p.reactMs].map((ms) => Math.max(1, Math.round(ms / p.dt)));
  const S = steps[0] + steps[1] + steps[2];
  const entries = { total: 2 * c.copies * S, silent: 2 * c.copies * (steps[0] + steps[1]), copies: c.copies, responseSteps: steps[2], steps: S };
  return {
    epochs, switchEpoch: c.epochs1, curves, runs, entries,
    computed: stats?.computed ?? runs.length, cached: stats?.cached ?? 0, wallMs: stats?.wallMs ?? 0,
  };
}
