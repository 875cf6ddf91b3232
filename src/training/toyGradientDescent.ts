/**
 * Gradient descent on the toy parameter r (spec A4): r_{k+1} = r_k − η·g(r_k) with the authors' gradient
 * g = dE/dr (unnormalised error), and the learning-rate sweep of Fig 2D.
 */
import { GhostError, requireFinite, requireFiniteArray, requireInteger, requirePositive } from "../core/errors";
import { Rng } from "../core/rng";
import { meanSemColumns } from "../core/stats";
import { rStar, toyErrorKernel, toyGradientKernel } from "../models/saddleNode";

/** History of one GD run: arrays of length epochs + 1 (index 0 = initial value). */
export interface ToyGdHistory {
  /** r_k, shape [epochs + 1]. */
  r: Float64Array;
  /** L(r_k) (normalised analytic loss, 1 in the no-learning zone), shape [epochs + 1]. */
  loss: Float64Array;
}

/**
 * Runs `epochs` steps of r ← r − η g(r) from r₀ (deterministic).
 * @param r0 initial r (finite)
 * @param learningRate η > 0
 * @param epochs integer ≥ 0
 * @param horizon T > 0 (default 100)
 */
export function toyGradientDescent(r0: number, learningRate: number, epochs: number, horizon = 100): ToyGdHistory {
  requireFinite("r0", r0);
  requirePositive("learningRate", learningRate);
  requireInteger("epochs", epochs, 0, 1e8);
  requirePositive("horizon", horizon);
  const r = new Float64Array(epochs + 1);
  const loss = new Float64Array(epochs + 1);
  const rs = rStar(horizon);
  let x = r0;
  for (let k = 0; k <= epochs; k++) {
    if (!(x - x === 0)) throw new GhostError("r", x, `a finite value (GD diverged at epoch ${k})`); // NaN/±Inf
    r[k] = x;
    loss[k] = toyErrorKernel(x, horizon, rs) / horizon; // = toyLoss(x, horizon), bit-identical
    if (k < epochs) x = x - learningRate * toyGradientKernel(x, rs); // = toyGradient(x, horizon)
  }
  return { r, loss };
}

/** Config of one Fig 2D grid point: `instances` runs from r₀ ~ N(10r*, (r* / 10)²) drawn with Rng(seed). */
export interface ToyGdInstanceConfig {
  learningRate: number;
  /** Seed of this grid point's Rng (the authors seed numpy with the grid index). */
  seed: number;
  /** Number of instances (default 10). */
  instances?: number;
  /** GD epochs per instance (default 10 000). */
  epochs?: number;
  /** Epochs at which to report mean ± SEM of the loss (default [1000, 2000, 3000, 5000, 10000]). */
  reportEpochs?: number[];
  /** Task timescale T (default 100). */
  horizon?: number;
}

/** Result of one Fig 2D grid point (plain, serialisable). */
export interface ToyGdInstanceResult {
  learningRate: number;
  seed: number;
  reportEpochs: number[];
  /** Mean loss over instances at each report epoch. */
  meanLoss: number[];
  /** SEM (population std / √n) at each report epoch. */
  semLoss: number[];
  /** Instances whose final r lies in the no-learning zone r ≤ r* / 4 (loss 1 forever). */
  stuck: number;
  /** Number of instances. */
  instances: number;
  /** The initial values r₀ drawn. */
  r0: number[];
}

/**
 * One Fig 2D grid point (pure function of its config): draws `instances` initial values
 * r₀ = 10r* + (r* / 10)·N(0,1) from Rng(seed), runs GD on each, and reports mean ± SEM of the loss at the
 * report epochs and how many instances ended in the no-learning zone.
 */
export function runToyGdInstance(config: ToyGdInstanceConfig): ToyGdInstanceResult {
  if (config === null || typeof config !== "object") throw new GhostError("config", config, "a ToyGdInstanceConfig object");
  const learningRate = requirePositive("learningRate", config.learningRate);
  const seed = requireInteger("seed", config.seed, 0);
  const instances = config.instances === undefined ? 10 : requireInteger("instances", config.instances, 1, 1e6);
  const epochs = config.epochs === undefined ? 10000 : requireInteger("epochs", config.epochs, 0, 1e8);
  const horizon = config.horizon === undefined ? 100 : requirePositive("horizon", config.horizon);
  const reportEpochs = config.reportEpochs ?? [1000, 2000, 3000, 5000, 10000].filter((e) => e <= epochs);
  requireFiniteArray("reportEpochs", reportEpochs);
  reportEpochs.forEach((e, i) => requireInteger(`reportEpochs[${i}]`, e, 0, epochs));
  const rs = rStar(horizon);
  const rng = new Rng(seed);
  const r0: number[] = [];
  const rows: Float64Array[] = [];
  let stuck = 0;
  for (let i = 0; i < instances; i++) {
    const start = 10 * rs + (rs / 10) * rng.normal();
    r0.push(start);
    const h = toyGradientDescent(start, learningRate, epochs, horizon);
    rows.push(Float64Array.from(reportEpochs, (e) => h.loss[e]));
    if (h.r[epochs] <= rs / 4) stuck++;
  }
  const stats = reportEpochs.length > 0 ? meanSemColumns(rows) : { mean: new Float64Array(0), sem: new Float64Array(0) };
  return {
    learningRate, seed, reportEpochs: [...reportEpochs], instances, stuck, r0,
    meanLoss: Array.from(stats.mean), semLoss: Array.from(stats.sem),
  };
}

/** Config of the Fig 2D learning-rate sweep (spec A4.2). */
export interface ToyLearningRateSweepConfig {
  /** The η grid (each > 0), e.g. logspace(−11, −8, 100); grid point i uses Rng(seedOffset + i). */
  learningRates: ArrayLike<number>;
  /** Instances per grid point (default 10). */
  instances?: number;
  /** GD epochs per instance (default 10 000). */
  epochs?: number;
  /** Epochs at which mean ± SEM are reported (default [1000, 2000, 3000, 5000, 10000] ∩ [0, epochs]). */
  reportEpochs?: number[];
  /** Task timescale T (default 100). */
  horizon?: number;
  /** Seed of grid point i is seedOffset + i (default 0: the authors' `np.random.seed(i)`). */
  seedOffset?: number;
}

/** Result of the Fig 2D sweep (plain, serialisable). Matrices are indexed [report epoch][grid point]. */
export interface ToyLearningRateSweepResult {
  learningRates: number[];
  reportEpochs: number[];
  instances: number;
  epochs: number;
  /** Mean loss, shape [reportEpochs.length][learningRates.length]. */
  meanLoss: number[][];
  /** SEM (population std / √instances), same shape. */
  semLoss: number[][];
  /** Instances ending in the no-learning zone (r ≤ r* / 4), shape [learningRates.length]. */
  stuck: number[];
  /** Seeds used, shape [learningRates.length]. */
  seeds: number[];
}

/**
 * The Fig 2D sweep, serially: for each grid point i, {@link runToyGdInstance} with seed = seedOffset + i.
 * Each grid point is a pure function of its config, so a sweep engine may run them in parallel with identical
 * results. `onProgress(done, total)` is called after each grid point (at most ~100 calls).
 */
export function toyLearningRateSweep(
  config: ToyLearningRateSweepConfig,
  onProgress?: (done: number, total: number) => void,
): ToyLearningRateSweepResult {
  if (config === null || typeof config !== "object") throw new GhostError("config", config, "a ToyLearningRateSweepConfig object");
  const lrs = requireFiniteArray("learningRates", config.learningRates, { minLength: 1 });
  for (let i = 0; i < lrs.length; i++) requirePositive(`learningRates[${i}]`, lrs[i]);
  const seedOffset = config.seedOffset === undefined ? 0 : requireInteger("seedOffset", config.seedOffset, 0);
  const epochs = config.epochs === undefined ? 10000 : requireInteger("epochs", config.epochs, 0, 1e8);
  const reportEpochs = config.reportEpochs ?? [1000, 2000, 3000, 5000, 10000].filter((e) => e <= epochs);
  if (!Array.isArray(reportEpochs) || reportEpochs.length === 0) {
    throw new GhostError("reportEpochs", reportEpochs, `a non-empty array of integers in [0, ${epochs}]`);
  }
  if (onProgress !== undefined && typeof onProgress !== "function") throw new GhostError("onProgress", onProgress, "a function or undefined");
  const n = lrs.length;
  const meanLoss = reportEpochs.map(() => new Array<number>(n));
  const semLoss = reportEpochs.map(() => new Array<number>(n));
  const stuck: number[] = [];
  const seeds: number[] = [];
  let instances = 0;
  const every = Math.max(1, Math.ceil(n / 100));
  for (let i = 0; i < n; i++) {
    const res = runToyGdInstance({
      learningRate: lrs[i], seed: seedOffset + i, instances: config.instances, epochs, reportEpochs, horizon: config.horizon,
    });
    instances = res.instances;
    for (let j = 0; j < reportEpochs.length; j++) {
      meanLoss[j][i] = res.meanLoss[j];
      semLoss[j][i] = res.semLoss[j];
    }
    stuck.push(res.stuck);
    seeds.push(res.seed);
    if (onProgress && ((i + 1) % every === 0 || i + 1 === n)) onProgress(i + 1, n);
  }
  return { learningRates: Array.from(lrs), reportEpochs: [...reportEpochs], instances, epochs, meanLoss, semLoss, stuck, seeds };
}
