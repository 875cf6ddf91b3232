/**
 * Figure 2 (spec A2–A4): the toy loss landscape and gradient descent on r.
 *
 *  (A) analytic loss L(r) vs the simulated loss L_sim(r) for confidences c = 0.1 and c = 1 on
 *      r = linspace(−r*, 2r*, 100) (`Figure2/code/plot_loss_function.py`);
 *  (B, C) GD r_{k+1} = r_k − η g(r_k) from r₀ = 10 r* for η = 1e-10 and 1e-9, 3000 epochs: loss and r per epoch
 *      (`loss_function_gradient.py`);
 *  (D) mean ± SEM loss at epochs 1000…10000 vs η on logspace(−11, −8, 100), 10 instances per grid point with
 *      r₀ ~ N(10r*, (r* /10)²) drawn from Rng(grid index), and the number of instances stuck in the no-learning zone
 *      (`loss_function_gradient_lr.py`).
 *
 * The whole figure costs about a second on one core, so the "ci" scale is the paper's scale (same config).
 */
import { GhostError, requireFinite, requireFiniteArray, requireInteger, requireObject, requireOneOf, requirePositive } from "../core/errors";
import { linspace, logspace } from "../core/arrays";
import {
  criticalLearningRate, plateauLength, rStar, simulatedLoss, toyGradient, toyLoss,
} from "../models/saddleNode";
import { toyGradientDescent, toyLearningRateSweep, ToyLearningRateSweepResult } from "../training/toyGradientDescent";
import { requireNumberMatrix, knownScale, requireKnownKeys } from "../core/checks";

/** Scales. Fig 2 at the paper's parameters takes about a second, so both scales use the paper's parameters. */
export type Fig2Scale = "ci" | "paper";

/** Full parameter set of Figure 2 (plain data; defaults = spec A3/A4). */
export interface Fig2Config {
  scale: Fig2Scale;
  /** Task timescale T (100). */
  horizon: number;
  /** Readout threshold x* (10). */
  threshold: number;
  /** Euler step of the simulated loss (0.1). */
  dt: number;
  /** Panel A: r = linspace(−r*, 2r*, points) (100), one simulated curve per confidence ([0.1, 1]). */
  landscape: { points: number; confidences: number[] };
  /** Panels B, C: r₀ = r0Factor·r* (10), `epochs` (3000), one run per learning rate ([1e-10, 1e-9]). */
  runs: { r0Factor: number; epochs: number; learningRates: number[] };
  /**
   * Panel D: η = logspace(exponentStart, exponentStop, points) (−11, −8, 100), `instances` (10) per grid point,
   * `epochs` (10000), mean ± SEM at `reportEpochs` ([1000, 2000, 3000, 5000, 10000]); grid point i uses seed i.
   */
  sweep: { exponentStart: number; exponentStop: number; points: number; instances: number; epochs: number; reportEpochs: number[] };
}

/** The Figure 2 config at a scale ("ci" = "paper": the figure is cheap). */
export function fig2Config(scale: Fig2Scale = "paper"): Fig2Config {
  requireOneOf("scale", scale, ["ci", "paper"] as const);
  return {
    scale,
    horizon: 100,
    threshold: 10,
    dt: 0.1,
    landscape: { points: 100, confidences: [0.1, 1] },
    runs: { r0Factor: 10, epochs: 3000, learningRates: [1e-10, 1e-9] },
    sweep: { exponentStart: -11, exponentStop: -8, points: 100, instances: 10, epochs: 10000, reportEpochs: [1000, 2000, 3000, 5000, 10000] },
  };
}

/** Closed-form constants of the toy model at the config's horizon (spec Part C). */
export interface Fig2Constants {
  /** r* = π²/(4T²). */
  rStar: number;
  /** r* /4 = π²/(16T²), the edge of the no-learning zone. */
  rStarQuarter: number;
  /** L(10 r*) = 1 − √(1/10). */
  lossAt10RStar: number;
  /** |g(r*)| = 2T³/π² (gradient of the unnormalised error E). */
  gradientAtRStar: number;
  /** η_c = 3π⁴/(32T⁵). */
  criticalLearningRate: number;
  /** k* = 8(r₀^{5/2} − r*^{5/2})/(5πη) for r₀ = r0Factor·r* and η = the first run's learning rate. */
  plateauLength: number;
  /** The η of `plateauLength`. */
  plateauLearningRate: number;
}

/** One GD run of panels B/C. */
export interface Fig2Run {
  learningRate: number;
  /** r_k, length epochs + 1 (index 0 = r₀). */
  r: number[];
  /** L(r_k), length epochs + 1. */
  loss: number[];
  /** First epoch k with r_k ≤ r* (the end of the plateau, the abrupt drop), or null. */
  dropEpoch: number | null;
  /** First epoch with r_k ≤ r* /4 (entered the no-learning zone), or null. */
  enteredZoneEpoch: number | null;
  /** Smallest r over the run (> 0 means r never changed sign). */
  minR: number;
  /** True when the final r is in the no-learning zone (L = 1, zero gradient: stuck forever). */
  endsStuck: boolean;
  /** Continuum plateau length k* for this η (null when r₀ ≤ r*). */
  plateauLength: number | null;
}

/** Best learning rate of panel D at one report epoch. */
export interface Fig2Best {
  epoch: number;
  /** The grid η with the smallest mean loss at that epoch. */
  learningRate: number;
  meanLoss: number;
  /** Grid index of that η. */
  index: number;
}

/** Data of Figure 2 (plain, JSON-serialisable). */
export interface Fig2Data {
  config: Fig2Config;
  constants: Fig2Constants;
  /** Panel A: the r grid, the analytic L(r) and one simulated curve per confidence (all of length points). */
  landscape: { r: number[]; analytic: number[]; simulated: { confidence: number; loss: number[] }[] };
  /** Panels B, C: one run per learning rate. */
  runs: Fig2Run[];
  /** Panel D: the sweep (matrices [report epoch][grid point]) and the best η per report epoch. */
  sweep: ToyLearningRateSweepResult & { best: Fig2Best[] };
}

function validateConfig(c: Fig2Config): void {
  if (c === null || typeof c !== "object") throw new GhostError("config", c, "a Fig2Config (see fig2Config)");
  requireOneOf("config.scale", c.scale, ["ci", "paper"] as const);
  requirePositive("config.horizon", c.horizon);
  requireFinite("config.threshold", c.threshold);
  requirePositive("config.dt", c.dt);
  requireInteger("config.landscape.points", c.landscape?.points, 1, 100000);
  requireFiniteArray("config.landscape.confidences", c.landscape?.confidences);
  c.landscape.confidences.forEach((v, i) => requirePositive(`config.landscape.confidences[${i}]`, v));
  requirePositive("config.runs.r0Factor", c.runs?.r0Factor);
  requireInteger("config.runs.epochs", c.runs?.epochs, 0, 1e8);
  requireFiniteArray("config.runs.learningRates", c.runs?.learningRates);
  c.runs.learningRates.forEach((v, i) => requirePositive(`config.runs.learningRates[${i}]`, v));
  requireFinite("config.sweep.exponentStart", c.sweep?.exponentStart);
  requireFinite("config.sweep.exponentStop", c.sweep?.exponentStop);
  requireInteger("config.sweep.points", c.sweep?.points, 1, 100000);
  requireInteger("config.sweep.instances", c.sweep?.instances, 1, 1e6);
  requireInteger("config.sweep.epochs", c.sweep?.epochs, 0, 1e8);
  requireFiniteArray("config.sweep.reportEpochs", c.sweep?.reportEpochs);
  c.sweep.reportEpochs.forEach((e, i) => requireInteger(`config.sweep.reportEpochs[${i}]`, e, 0, c.sweep.epochs));
}

/** First index k with values[k] ≤ level, or null. */
function firstAtOrBelow(values: ArrayLike<number>, level: number): number | null {
  for (let k = 0; k < values.length; k++) if (values[k] <= level) return k;
  return null;
}

/**
 * The grid η with the smallest mean loss at each report epoch of a sweep (ties: the smaller η).
 * @param sweep a toy learning-rate sweep result: learningRates non-empty finite, reportEpochs finite (any length
 *   J), meanLoss [J][learningRates.length] numbers (NaN allowed); GhostError naming the field otherwise.
 */
export function bestLearningRates(sweep: ToyLearningRateSweepResult): Fig2Best[] {
  requireObject("sweep", sweep, "a toy learning-rate sweep result (see training.toyLearningRateSweep)");
  const L = requireFiniteArray("sweep.learningRates", sweep.learningRates).length;
  const J = requireFiniteArray("sweep.reportEpochs", sweep.reportEpochs, { minLength: 0 }).length;
  requireNumberMatrix("sweep.meanLoss", sweep.meanLoss, J, L);
  return Array.from(sweep.reportEpochs, (epoch, j) => {
    let best = 0;
    for (let i = 1; i < sweep.learningRates.length; i++) if (sweep.meanLoss[j][i] < sweep.meanLoss[j][best]) best = i;
    return { epoch, learningRate: sweep.learningRates[best], meanLoss: sweep.meanLoss[j][best], index: best };
  });
}

/** Runs one GD run of panels B/C (pure). */
export function fig2Run(r0: number, learningRate: number, epochs: number, horizon: number): Fig2Run {
  const rs = rStar(horizon);
  const h = toyGradientDescent(r0, learningRate, epochs, horizon);
  let minR = Infinity;
  for (let k = 0; k < h.r.length; k++) if (h.r[k] < minR) minR = h.r[k];
  return {
    learningRate,
    r: Array.from(h.r),
    loss: Array.from(h.loss),
    dropEpoch: firstAtOrBelow(h.r, rs),
    enteredZoneEpoch: firstAtOrBelow(h.r, rs / 4),
    minR,
    endsStuck: h.r[h.r.length - 1] <= rs / 4,
    plateauLength: r0 > rs ? plateauLength(r0, learningRate, horizon) : null,
  };
}

/**
 * Computes Figure 2's data (deterministic; about a second at the paper's scale).
 * @param config see {@link fig2Config}
 * @param onProgress (done, total) over the panel-D grid points (at most ~100 calls)
 */
export function runFig2(config: Fig2Config = fig2Config("paper"), onProgress?: (done: number, total: number) => void): Fig2Data {
  requireKnownKeys("config", config, fig2Config(knownScale(config)));
  validateConfig(config);
  const T = config.horizon;
  const rs = rStar(T);
  const r0 = config.runs.r0Factor * rs;

  const r = Array.from(linspace(-rs, 2 * rs, config.landscape.points));
  const landscape = {
    r,
    analytic: r.map((v) => toyLoss(v, T)),
    simulated: config.landscape.confidences.map((confidence) => ({
      confidence,
      loss: r.map((v) => simulatedLoss(v, { confidence, horizon: T, dt: config.dt, threshold: config.threshold })),
    })),
  };

  const runs = config.runs.learningRates.map((lr) => fig2Run(r0, lr, config.runs.epochs, T));

  const sweepResult = toyLearningRateSweep(
    {
      learningRates: logspace(config.sweep.exponentStart, config.sweep.exponentStop, config.sweep.points),
      instances: config.sweep.instances,
      epochs: config.sweep.epochs,
      reportEpochs: config.sweep.reportEpochs,
      horizon: T,
    },
    onProgress,
  );

  const plateauLearningRate = config.runs.learningRates[0];
  return {
    config,
    constants: {
      rStar: rs,
      rStarQuarter: rs / 4,
      lossAt10RStar: toyLoss(10 * rs, T),
      gradientAtRStar: Math.abs(toyGradient(rs, T)),
      criticalLearningRate: criticalLearningRate(T),
      plateauLength: plateauLength(10 * rs, plateauLearningRate, T),
      plateauLearningRate,
    },
    landscape,
    runs,
    sweep: { ...sweepResult, best: bestLearningRates(sweepResult) },
  };
}
