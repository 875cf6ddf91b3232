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
 * Panel C (the confidence intervention in full-rank DCDT, B6.3) needs the v2 task RNN and Adam; it is not part of
 * this module yet. The whole of A and B costs a few seconds on one core, so every scale is the paper's.
 */
import { requireFinite, requireInteger, requireObject, requireOneOf, requirePositive, requireFiniteArray } from "../core/errors";
import { knownScale, requireKnownKeys } from "../core/checks";
import { linspace, toNumbers, uniformGradient } from "../core/arrays";
import { rStar, simulatedLoss, toyError } from "../models/saddleNode";
import { createRankOneRnn } from "../models/rnn";
import { trainLearnableConfidence } from "../training/learnableConfidence";

/** Scales (all the same protocol: the figure is cheap). */
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
}

/** The v2 Fig 8 A–B config (every scale is the paper's protocol). */
export function v2Fig8Config(scale: V2Fig8Scale = "paper"): V2Fig8Config {
  requireOneOf("scale", scale, ["ci", "paper", "full"] as const);
  return {
    scale,
    gradient: { horizon: 100, threshold: 10, dt: 0.1, points: 100, confidences: [0.01, 0.1, 0.5, 1, 2] },
    learnable: { seed: 40, learningRate: 0.02, epochs: 10000, initialConfidence: 10, resetConfidence: 1, horizon: 20 },
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

/**
 * Computes v2 Fig 8 A–B (deterministic: panel A has no randomness, panel B's network is drawn from its seed).
 * @param config see {@link v2Fig8Config}
 * @param onProgress (done, total) over panel B's epochs (both phases)
 */
export function runV2Fig8(config: V2Fig8Config = v2Fig8Config("paper"), onProgress?: (done: number, total: number) => void): V2Fig8Data {
  requireKnownKeys("config", config, v2Fig8Config(knownScale(config)));
  validateConfig(config);
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
  const total = 2 * l.epochs;
  const phase = (model: ReturnType<typeof createRankOneRnn>, c0: number, offset: number): { phase: V2Fig8Phase; trained: ReturnType<typeof createRankOneRnn> } => {
    const h = trainLearnableConfidence(model, {
      learningRate: l.learningRate, epochs: l.epochs, confidence: c0, horizon: l.horizon,
      onProgress: onProgress ? (done) => onProgress(offset + done, total) : undefined,
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
    config,
    gradient: { r, rStar: rs, rStarQuarter: rs / 4, spacing, zoneIndices: zone, analytic, simulated },
    learnable: { phases: [first.phase, second.phase] },
  };
}
