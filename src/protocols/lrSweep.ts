/**
 * Learning-rate sweeps of delayed-activation RNNs (Fig S1, the trainable-rank figure, spec A8 and B4.2): every
 * (learning rate, seed) pair is one `daTrain` run of the sweep engine — parallel on all cores, cached on disk,
 * resumable — and the per-seed results are reduced to the paper's statistics.
 *
 * Statistics (spec A8): at each report epoch e the loss of epoch e (computed before its update, array index
 * e − 1) is averaged over the seeds, with SEM = population std / √n (numpy `std(0)/sqrt(n)`); n counts the seeds
 * whose loss is finite there (a diverged run is NaN from its divergence on and is left out and counted).
 *
 * Classification of each run at the end of training (all thresholds are config fields):
 *   diverged — the loss or gradient became NaN/Inf (or an update overflowed) during training;
 *   learned  — final normalised loss L(E)/L(1) < learnedLevel (spec B4.2: 1e-2);
 *   stuck    — in the no-learning zone: no output on the correct side of the threshold over the last `window`
 *              epochs (max accuracy ≤ 0.5) AND a vanished gradient (max gradient norm over that window
 *              < gradFloor). Rank one: the untrained plateau has ‖∇‖ ≈ 1e-3 and a network trapped by a
 *              saddle-node bifurcation ≈ 1e-18, so gradFloor = 1e-8 separates them by five orders of magnitude
 *              either way; with lr ≤ 0.1 such a gradient moves the parameters by < 2e-4 in 200,000 epochs;
 *   other    — none of these: still on the plateau, or learning / oscillating above the learned level.
 * Independently, `fellIn` counts the spec-A7 rule "learned at some point, stuck at the end": max accuracy over
 * all epochs > 0.5 and max accuracy over the last `window` epochs ≤ 0.5.
 */
import { GhostError, requireFiniteArray, requireIncreasing, requireInteger, requireNumber, requireObject, requireOneOf, requirePositive } from "../core/errors";
import { meanSem } from "../core/stats";
import type { CacheOptions } from "../engine/cache";
import type { ClusterSweepOptions } from "../engine/shard";
import { requireName, requireNumberArray, requireNumberMatrix } from "../core/checks";
import "./runners"; // registers the daTrain runner that runLrSweeps names
import { DA_MODEL_KINDS, DaModelKind, DaTrainConfig, DaTrainResult, epochCost } from "./daTrain";
export { epochCost } from "./daTrain";
import { runSweep, SweepProgress, SweepStats } from "../engine/sweep";

/** One learning-rate sweep: a model, a learning-rate grid, seeds, and what to report. */
export interface LrSweepSpec {
  /** "rankOne" (latent readout, confidence c), "lowRank" (rank K, linear readout) or "fullRank". */
  model: DaModelKind;
  /** Rank K of a "lowRank" model (integer in [1, N]); ignored otherwise. */
  rank?: number;
  /** Units N (paper 100). */
  size: number;
  /** Confidence c of the "rankOne" readout (paper 10); ignored otherwise. */
  confidence?: number;
  /** Learning rates, finite > 0 (any order; kept in the given order). */
  learningRates: number[];
  /** Seeds of the networks (paper 0…9). */
  seeds: number[];
  /** Epochs of every run (paper 200,001 for S1, 500,000 for the rank sweep). */
  epochs: number;
  /** Epoch counts (1-based, increasing, ≤ epochs) whose loss is reported (paper 10k, 20k, 30k, 50k, 100k, 200k). */
  reportEpochs: number[];
  /** Final window of the classification (paper rule: 50 epochs). */
  window: number;
  /** Vanishing-gradient level of the "stuck" class (1e-8, see the module comment). */
  gradFloor: number;
  /** Normalised final loss below which a run has learned (spec B4.2: 1e-2). */
  learnedLevel: number;
  /** Log-spaced points of each run's learning curve (0 = none). */
  curvePoints: number;
}

/** Outcome class of one run (see the module comment). */
export type RunStatus = "diverged" | "learned" | "stuck" | "other";

/** Reduced data of one learning-rate sweep. Index order: j = report epoch, i = learning rate, k = seed. */
export interface LrSweepData {
  spec: LrSweepSpec;
  /** Rank of the model (1 for rank one, N for full rank). */
  rank: number;
  learningRates: number[];
  seeds: number[];
  reportEpochs: number[];
  /** Per-seed loss at each report epoch, [j][i][k] (NaN after a divergence). */
  loss: number[][][];
  /** Mean over the finite seeds, [j][i] (NaN when none is finite). */
  meanLoss: number[][];
  /** SEM = population std / √n over the finite seeds, [j][i]. */
  semLoss: number[][];
  /** n of each mean, [j][i]. */
  finiteCount: number[][];
  /** Loss of epoch 1 (untrained network), [i][k]. */
  initialLoss: number[][];
  /** Loss of the last epoch, [i][k]; normalisedFinalLoss = finalLoss / initialLoss. */
  finalLoss: number[][];
  normalisedFinalLoss: number[][];
  /** Gradient norm of the last epoch, [i][k]. */
  finalGradNorm: number[][];
  /** Class of each run, [i][k]. */
  status: RunStatus[][];
  /** Per learning rate: number of runs of each class, and of the spec-A7 "learned, then stuck" rule. */
  counts: { learned: number[]; stuck: number[]; diverged: number[]; other: number[]; fellIn: number[] };
  /** Per learning rate: learned / seeds. */
  fractionLearned: number[];
  /** Per report epoch: the learning rate of the lowest mean loss (NaN when no mean is finite). */
  bestLearningRate: number[];
  /**
   * The learning rates at which at least half of the seeds learned: lowest, highest and the width
   * log10(high/low) in decades; null when there is none.
   */
  learningWindow: { low: number; high: number; decades: number } | null;
  /** Learning curves (when spec.curvePoints > 0): epoch counts and per-run loss, [i][k][point]. */
  curves: { epoch: number[]; loss: number[][][] } | null;
}

/**
 * Validates a sweep spec (GhostError naming the field, and nothing else for any input): model one of
 * DA_MODEL_KINDS; size integer in [1, 4096]; rank (lowRank) integer in [1, size]; confidence undefined or > 0;
 * learningRates non-empty, finite > 0; seeds non-empty integers ≥ 0; epochs integer in [1, 1e8]; reportEpochs
 * strictly increasing integers in [1, epochs]; window integer in [1, epochs]; gradFloor, learnedLevel finite > 0;
 * curvePoints integer in [0, 10000]. `name` (non-empty string, default "spec") prefixes the field names.
 */
export function validateLrSweepSpec(spec: LrSweepSpec, name = "spec"): void {
  requireName("name", name);
  if (spec === null || typeof spec !== "object") throw new GhostError(name, spec, "an LrSweepSpec object");
  requireOneOf(`${name}.model`, spec.model, DA_MODEL_KINDS);
  const N = requireInteger(`${name}.size`, spec.size, 1, 4096);
  if (spec.model === "lowRank") requireInteger(`${name}.rank`, spec.rank, 1, N);
  if (spec.confidence !== undefined) requirePositive(`${name}.confidence`, spec.confidence);
  requireFiniteArray(`${name}.learningRates`, spec.learningRates);
  spec.learningRates.forEach((lr, i) => requirePositive(`${name}.learningRates[${i}]`, lr));
  requireFiniteArray(`${name}.seeds`, spec.seeds);
  spec.seeds.forEach((s, i) => requireInteger(`${name}.seeds[${i}]`, s, 0));
  const E = requireInteger(`${name}.epochs`, spec.epochs, 1, 1e8);
  requireIncreasing(`${name}.reportEpochs`, spec.reportEpochs, 1);
  spec.reportEpochs.forEach((e, j) => requireInteger(`${name}.reportEpochs[${j}]`, e, 1, E));
  requireInteger(`${name}.window`, spec.window, 1, E);
  requirePositive(`${name}.gradFloor`, spec.gradFloor);
  requirePositive(`${name}.learnedLevel`, spec.learnedLevel);
  requireInteger(`${name}.curvePoints`, spec.curvePoints, 0, 10000);
}

/** The `daTrain` configs of a spec, learning rate major, seed minor (index i·seeds + k). */
export function lrSweepConfigs(spec: LrSweepSpec): DaTrainConfig[] {
  validateLrSweepSpec(spec);
  const out: DaTrainConfig[] = [];
  for (const learningRate of spec.learningRates) {
    for (const seed of spec.seeds) {
      const c: DaTrainConfig = {
        model: spec.model, seed, learningRate, epochs: spec.epochs, N: spec.size,
        reportEpochs: [...spec.reportEpochs], window: spec.window,
      };
      if (spec.model === "lowRank") c.rank = spec.rank;
      if (spec.model === "rankOne") c.confidence = spec.confidence ?? 10;
      if (spec.curvePoints > 0) c.curvePoints = spec.curvePoints;
      out.push(c);
    }
  }
  return out;
}

/**
 * Checks the fields of a daTrain result that {@link classifyDaRun} reads: diverged (null or an object),
 * initialLoss, final.{loss, accuracy, gradNorm}, maxAccuracy, windowMaxAccuracy, windowMaxGradNorm (numbers; NaN
 * is allowed, a diverged run has NaN there).
 */
function requireDaTrainResult(name: string, value: unknown): DaTrainResult {
  const r = requireObject(name, value, "a daTrain result (see runDaTrain)");
  if (r.diverged !== null) requireObject(`${name}.diverged`, r.diverged, "null or { epoch, reason }");
  requireNumber(`${name}.initialLoss`, r.initialLoss);
  const final = requireObject(`${name}.final`, r.final, "{ loss, accuracy, gradNorm } (numbers)");
  for (const k of ["loss", "accuracy", "gradNorm"]) requireNumber(`${name}.final.${k}`, final[k]);
  for (const k of ["maxAccuracy", "windowMaxAccuracy", "windowMaxGradNorm"]) requireNumber(`${name}.${k}`, r[k]);
  return value as DaTrainResult;
}

/**
 * Class of one run (see the module comment).
 * @param run a daTrain result: diverged null or an object; initialLoss, final.loss/accuracy/gradNorm, maxAccuracy,
 *   windowMaxAccuracy, windowMaxGradNorm numbers (NaN allowed).
 * @param spec gradFloor and learnedLevel, finite > 0.
 */
export function classifyDaRun(run: DaTrainResult, spec: Pick<LrSweepSpec, "gradFloor" | "learnedLevel">): RunStatus {
  requireDaTrainResult("run", run);
  requireObject("spec", spec, "{ gradFloor, learnedLevel }");
  requirePositive("spec.gradFloor", spec.gradFloor);
  requirePositive("spec.learnedLevel", spec.learnedLevel);
  return classify(run, spec);
}

/** {@link classifyDaRun} without the checks (the caller has validated both arguments). */
function classify(r: DaTrainResult, spec: Pick<LrSweepSpec, "gradFloor" | "learnedLevel">): RunStatus {
  if (r.diverged !== null) return "diverged";
  if (r.final.loss / r.initialLoss < spec.learnedLevel) return "learned";
  if (r.windowMaxAccuracy <= 0.5 && r.windowMaxGradNorm < spec.gradFloor) return "stuck";
  return "other";
}

/**
 * Mean and SEM (population std / √n) of the finite values; NaN and n = 0 when there is none.
 * @param values an array (or typed array) of numbers, any length; NaN and ±Infinity entries are skipped.
 */
export function finiteMeanSem(values: readonly number[]): { mean: number; sem: number; n: number } {
  requireNumberArray("values", values);
  const xs = Array.prototype.filter.call(values, (v: number) => Number.isFinite(v)) as number[];
  if (xs.length === 0) return { mean: NaN, sem: NaN, n: 0 };
  return { ...meanSem(xs), n: xs.length };
}

/**
 * Reduces the per-run results of a spec (in {@link lrSweepConfigs} order) to {@link LrSweepData}.
 * @param spec a valid spec (see {@link validateLrSweepSpec}).
 * @param results learning rates × seeds daTrain results, each with the fields {@link classifyDaRun} reads, rank a
 *   number, report.loss of length reportEpochs.length and (curvePoints > 0) curve.epoch and curve.loss arrays of
 *   one common length (numbers; NaN allowed).
 */
export function reduceLrSweep(spec: LrSweepSpec, results: readonly DaTrainResult[]): LrSweepData {
  validateLrSweepSpec(spec);
  const nL = spec.learningRates.length, nS = spec.seeds.length;
  if (!Array.isArray(results) || results.length !== nL * nS) {
    throw new GhostError("results", results, `an array of ${nL * nS} daTrain results (learning rates × seeds)`);
  }
  for (let n = 0; n < results.length; n++) {
    const r = results[n], name = `results[${n}]`;
    requireDaTrainResult(name, r);
    requireNumber(`${name}.rank`, r.rank);
    const report = requireObject(`${name}.report`, r.report, "{ epoch, loss, accuracy, gradNorm } (arrays of numbers)");
    requireNumberArray(`${name}.report.loss`, report.loss, { length: spec.reportEpochs.length });
    if (spec.curvePoints > 0) {
      const curve = requireObject(`${name}.curve`, r.curve, "{ epoch, loss } (arrays of numbers)");
      const points = requireNumberArray(`${name}.curve.epoch`, curve.epoch, n === 0 ? {} : { length: results[0].curve.epoch.length }).length;
      requireNumberArray(`${name}.curve.loss`, curve.loss, { length: points });
    }
  }
  const run = (i: number, k: number) => results[i * nS + k];
  const byRun = <T>(f: (r: DaTrainResult) => T) => spec.learningRates.map((_, i) => spec.seeds.map((_, k) => f(run(i, k))));
  const loss = spec.reportEpochs.map((_, j) => byRun((r) => r.report.loss[j]));
  const stats = loss.map((perLr) => perLr.map((values) => finiteMeanSem(values)));
  const status = byRun((r) => classify(r, spec));
  const count = (s: RunStatus) => status.map((row) => row.filter((x) => x === s).length);
  const fellIn = spec.learningRates.map((_, i) => spec.seeds.filter((_, k) => {
    const r = run(i, k);
    return r.diverged === null && r.maxAccuracy > 0.5 && r.windowMaxAccuracy <= 0.5;
  }).length);
  const learned = count("learned");
  const fractionLearned = learned.map((c) => c / nS);
  const meanLoss = stats.map((row) => row.map((s) => s.mean));
  const bestLearningRate = meanLoss.map((row) => {
    let best = NaN, bestValue = Infinity;
    row.forEach((v, i) => {
      if (Number.isFinite(v) && v < bestValue) {
        bestValue = v;
        best = spec.learningRates[i];
      }
    });
    return best;
  });
  const working = spec.learningRates.filter((_, i) => fractionLearned[i] >= 0.5);
  const learningWindow = working.length === 0 ? null : (() => {
    const low = Math.min(...working), high = Math.max(...working);
    return { low, high, decades: Math.log10(high / low) };
  })();
  const first = results[0];
  return {
    spec,
    rank: first ? first.rank : spec.model === "fullRank" ? spec.size : (spec.rank ?? 1),
    learningRates: [...spec.learningRates],
    seeds: [...spec.seeds],
    reportEpochs: [...spec.reportEpochs],
    loss,
    meanLoss,
    semLoss: stats.map((row) => row.map((s) => s.sem)),
    finiteCount: stats.map((row) => row.map((s) => s.n)),
    initialLoss: byRun((r) => r.initialLoss),
    finalLoss: byRun((r) => r.final.loss),
    normalisedFinalLoss: byRun((r) => r.final.loss / r.initialLoss),
    finalGradNorm: byRun((r) => r.final.gradNorm),
    status,
    counts: { learned, stuck: count("stuck"), diverged: count("diverged"), other: count("other"), fellIn },
    fractionLearned,
    bestLearningRate,
    learningWindow,
    curves: spec.curvePoints > 0 ? { epoch: [...first.curve.epoch], loss: byRun((r) => r.curve.loss) } : null,
  };
}

/** Options of {@link runLrSweeps}. */
export interface LrSweepOptions {
  /** Cache settings (false = bypass); default the engine's default cache. */
  cache?: false | CacheOptions;
  /** Worker threads (default all cores; 1 = serial in this thread). */
  workers?: number;
  /** Progress (runs done, total) of the whole batch; info: the engine's SweepProgress (work = runs weighted by cost). */
  onProgress?: (done: number, total: number, info?: SweepProgress) => void;
  /** Aborts the sweep; finished runs stay cached. */
  signal?: AbortSignal;
  /** Shard / from-cache / status options, passed to the engine's runSweep unchanged (engine/shard.ts). */
  cluster?: ClusterSweepOptions;
}

/** Sweep statistics kept with the data (runs computed vs taken from the cache, wall time). */
export interface LrSweepRunStats {
  runs: number;
  computed: number;
  cached: number;
  workers: number;
  wallMs: number;
  computeMs: number;
}

/**
 * Runs several learning-rate sweeps as ONE batch on the sweep engine (so all cores stay busy across specs, the
 * most expensive runs first) and reduces each. Results are independent of workers, order and caching.
 */
export async function runLrSweeps(specs: readonly LrSweepSpec[], opts: LrSweepOptions = {}): Promise<{ sweeps: LrSweepData[]; stats: LrSweepRunStats }> {
  if (!Array.isArray(specs) || specs.length === 0) throw new GhostError("specs", specs, "a non-empty array of LrSweepSpec");
  specs.forEach((s, i) => validateLrSweepSpec(s, `specs[${i}]`));
  const perSpec = specs.map((s) => lrSweepConfigs(s));
  const flat: { config: DaTrainConfig; cost: number; spec: number; index: number }[] = [];
  perSpec.forEach((configs, s) =>
    configs.forEach((config, index) => flat.push({ config, spec: s, index, cost: config.epochs * epochCost(config.model, config.rank ?? 1, config.N ?? 100) })),
  );
  // Longest runs first: the pool then finishes with short runs and no core idles at the end.
  const order = flat.map((_, n) => n).sort((a, b) => flat[b].cost - flat[a].cost || a - b);
  let sweepStats: SweepStats | null = null;
  const results = await runSweep<DaTrainConfig, DaTrainResult>({
    runner: "daTrain",
    configs: order.map((n) => flat[n].config),
    workers: opts.workers,
    cache: opts.cache,
    signal: opts.signal,
    ...opts.cluster,
    onProgress: opts.onProgress ? (d, t, info) => opts.onProgress?.(d, t, info) : undefined,
    onFinish: (s) => (sweepStats = s),
  });
  const grouped = perSpec.map((c) => new Array<DaTrainResult>(c.length));
  order.forEach((n, pos) => (grouped[flat[n].spec][flat[n].index] = results[pos]));
  const st = sweepStats as SweepStats | null;
  return {
    sweeps: specs.map((s, i) => reduceLrSweep(s, grouped[i])),
    stats: {
      runs: flat.length, computed: st?.computed ?? 0, cached: st?.cached ?? 0, workers: st?.workers ?? 1,
      wallMs: st?.wallMs ?? 0, computeMs: st?.computeMs ?? 0,
    },
  };
}

/**
 * Checks the fields of a reduced learning-rate sweep ({@link LrSweepData}, from reduceLrSweep) that the summaries
 * read: learningRates (L ≥ 1 finite), seeds (S ≥ 1 finite), reportEpochs (J ≥ 1 finite), meanLoss [J][L],
 * bestLearningRate [J], finalLoss and normalisedFinalLoss [L][S] (numbers, NaN allowed), fractionLearned [L],
 * counts.{learned, stuck, diverged, other, fellIn} [L] (finite), learningWindow (null or { low, high, decades }).
 */
export function requireLrSweepData(name: string, value: unknown): LrSweepData {
  const s = requireObject(name, value, "a reduced learning-rate sweep (LrSweepData, see reduceLrSweep)");
  const L = requireFiniteArray(`${name}.learningRates`, s.learningRates).length;
  const S = requireFiniteArray(`${name}.seeds`, s.seeds).length;
  const J = requireFiniteArray(`${name}.reportEpochs`, s.reportEpochs).length;
  requireNumberMatrix(`${name}.meanLoss`, s.meanLoss, J, L);
  requireNumberArray(`${name}.bestLearningRate`, s.bestLearningRate, { length: J });
  requireNumberMatrix(`${name}.finalLoss`, s.finalLoss, L, S);
  requireNumberMatrix(`${name}.normalisedFinalLoss`, s.normalisedFinalLoss, L, S);
  requireNumberArray(`${name}.fractionLearned`, s.fractionLearned, { length: L });
  const counts = requireObject(`${name}.counts`, s.counts, "{ learned, stuck, diverged, other, fellIn }: run counts per learning rate");
  for (const k of ["learned", "stuck", "diverged", "other", "fellIn"]) {
    requireFiniteArray(`${name}.counts.${k}`, counts[k], { length: L });
  }
  if (s.learningWindow !== null) {
    const w = requireObject(`${name}.learningWindow`, s.learningWindow, "null or { low, high, decades }");
    for (const k of ["low", "high", "decades"]) requireNumber(`${name}.learningWindow.${k}`, w[k]);
  }
  return value as LrSweepData;
}
