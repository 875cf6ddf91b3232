/**
 * v2 Figure 7 (spec B1, B5, B7): full-rank RNNs trained with plain SGD over the learning-rate grid
 * logspace(−3, 1, 20) on DCDT and DMTS (ρ = σ_n = 0, so each run is deterministic given its seed), summarised per run
 * by the MEAN over all epochs of the loss, of ‖∇W_rec‖ and of ‖W_rec‖ (protocols.TaskTrainResult.means); example
 * runs; and the saturation analysis of one DMTS run at lr 1.43845: the single SGD update after which the units and
 * the output saturate and the gradient collapses (the no-learning zone of a full-rank network).
 *
 * Our random stream is not PyTorch's, so the saturating update is FOUND, not taken from the paper (its epoch 5751):
 * it is the update with the largest one-epoch change of ‖W_rec‖ (findSaturatingUpdate). The run is then repeated
 * with parameter snapshots around it and each forward pass in the window is re-run from the parameters it used
 * (bit-identical: same kernel, nothing is drawn), measuring saturation on the output, the pre-activations and the
 * rates (B7: |r| alone can miss it).
 *
 * Conventions (protocols/taskTrain): records[e] belong to epoch e's forward pass (parameters before its update);
 * weightNorm[e] is ‖W_rec‖ AFTER epoch e's update. "Update e" maps the parameters of forward pass e to those of e + 1.
 */
import { GhostError, requireFiniteArray, requireInteger, requireObject, requireOneOf, requirePositive } from "../core/errors";
import { knownScale, requireKnownKeys } from "../core/checks";
import { FullRankTaskParams, taskRnnForward } from "../models/taskRnn";
import { runTaskSweep, TaskSweepOptions } from "../protocols/taskSweep";
import { snapshotParams, TaskTrainResult, TaskTrainSpec, taskTrainModel, taskTrainTask } from "../protocols/taskTrain";

/** Scales: "ci" (seconds), "paper" (a stated reduction, minutes on 2 cores), "full" (the spec's protocol). */
export type V2Fig7Scale = "ci" | "paper" | "full";

/** The spec's grid: logspace(−3, 1, 20) = 10^(−3 + 4i/19), i = 0…19 (numpy's linspace step, then the power). */
export function v2Fig7LearningRates(): number[] {
  const step = 4 / 19;
  return Array.from({ length: 20 }, (_, i) => (i === 19 ? 10 : 10 ** (-3 + i * step)));
}

/** One task's sweep. */
export interface V2Fig7SweepConfig {
  /** B1 preset: "fig7-dcdt" or "fig7-dmts". */
  preset: "fig7-dcdt" | "fig7-dmts";
  /** Indices into config.learningRates that are run (full: all 20). */
  lrIndices: number[];
  seeds: number[];
  epochs: number;
  /** Curves keep every this many epochs (the means always cover every epoch). */
  recordEvery: number;
  /** Example runs (lr index, seed): the paper's DCDT (12; 1, 9), DMTS (15; 12, 0), or the nearest that exist. */
  examples: { lrIndex: number; seed: number }[];
}

/** The saturation analysis (DMTS, spec B5). */
export interface V2Fig7SaturationConfig {
  preset: "fig7-dmts-saturation";
  learningRate: number;
  seed: number;
  epochs: number;
  /** Forward passes shown on each side of the saturating update (and ± 5·window epochs of the norm traces). */
  window: number;
  /** Rate-histogram bin edges: linspace(−1, 1, binEdges). */
  binEdges: number;
}

/** Parameter set of v2 Fig 7. */
export interface V2Fig7Config {
  scale: V2Fig7Scale;
  /** The whole grid logspace(−3, 1, 20); the sweeps pick indices from it. */
  learningRates: number[];
  dcdt: V2Fig7SweepConfig;
  dmts: V2Fig7SweepConfig;
  saturation: V2Fig7SaturationConfig;
  /** What differs from the spec's protocol ("" at full). */
  reduction: string;
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

/** The config at a scale (see `reduction`). */
export function v2Fig7Config(scale: V2Fig7Scale = "paper"): V2Fig7Config {
  requireOneOf("scale", scale, ["ci", "paper", "full"] as const);
  const learningRates = v2Fig7LearningRates();
  const saturation: V2Fig7SaturationConfig = { preset: "fig7-dmts-saturation", learningRate: 1.438449888287663, seed: 0, epochs: 6000, window: 3, binEdges: 30 };
  if (scale === "full") {
    return {
      scale, learningRates,
      dcdt: { preset: "fig7-dcdt", lrIndices: range(20), seeds: range(20), epochs: 20000, recordEvery: 10, examples: [{ lrIndex: 12, seed: 1 }, { lrIndex: 12, seed: 9 }] },
      dmts: { preset: "fig7-dmts", lrIndices: range(20), seeds: range(20), epochs: 20000, recordEvery: 10, examples: [{ lrIndex: 15, seed: 12 }, { lrIndex: 15, seed: 0 }] },
      saturation, reduction: "",
    };
  }
  if (scale === "paper") {
    const lrIndices = [0, 2, 4, 6, 8, 10, 12, 14, 15, 16, 18, 19];
    return {
      scale, learningRates,
      dcdt: { preset: "fig7-dcdt", lrIndices, seeds: range(3), epochs: 1500, recordEvery: 1, examples: [{ lrIndex: 12, seed: 1 }, { lrIndex: 12, seed: 2 }] },
      dmts: { preset: "fig7-dmts", lrIndices, seeds: range(3), epochs: 1500, recordEvery: 1, examples: [{ lrIndex: 15, seed: 2 }, { lrIndex: 15, seed: 0 }] },
      saturation,
      reduction: "12 of the 20 learning rates (indices 0, 2, …, 18 and 15, 19: the example and saturation rates included) × seeds 0–2 × 1500 epochs instead of 20 × 20 × 20 000; example runs DCDT lr index 12 seeds 1 and 2 (the paper's seed 9 is not run), DMTS lr index 15 seeds 2 (paper: 12) and 0; the saturation analysis is the spec's (6000 epochs)",
    };
  }
  return {
    scale, learningRates,
    dcdt: { preset: "fig7-dcdt", lrIndices: [4, 12, 19], seeds: [0, 1], epochs: 60, recordEvery: 1, examples: [{ lrIndex: 12, seed: 1 }] },
    dmts: { preset: "fig7-dmts", lrIndices: [4, 15, 19], seeds: [0, 1], epochs: 60, recordEvery: 1, examples: [{ lrIndex: 15, seed: 0 }] },
    saturation: { ...saturation, epochs: 40, window: 2 },
    reduction: "ci: 3 learning rates × 2 seeds × 60 epochs per task, saturation run 40 epochs (the code path, not the paper's numbers)",
  };
}

function validateSweep(name: string, c: V2Fig7SweepConfig, nRates: number): void {
  requireObject(name, c, "a V2Fig7SweepConfig");
  requireOneOf(`${name}.preset`, c.preset, ["fig7-dcdt", "fig7-dmts"] as const);
  requireFiniteArray(`${name}.lrIndices`, c.lrIndices, { minLength: 1 });
  c.lrIndices.forEach((i, k) => requireInteger(`${name}.lrIndices[${k}]`, i, 0, nRates - 1));
  if (new Set(c.lrIndices).size !== c.lrIndices.length) throw new GhostError(`${name}.lrIndices`, c.lrIndices, "distinct indices");
  requireFiniteArray(`${name}.seeds`, c.seeds, { minLength: 1 });
  c.seeds.forEach((s, k) => requireInteger(`${name}.seeds[${k}]`, s, 0));
  if (new Set(c.seeds).size !== c.seeds.length) throw new GhostError(`${name}.seeds`, c.seeds, "distinct seeds");
  requireInteger(`${name}.epochs`, c.epochs, 1, 1e8);
  requireInteger(`${name}.recordEvery`, c.recordEvery, 1, c.epochs);
  if (!Array.isArray(c.examples)) throw new GhostError(`${name}.examples`, c.examples, "an array of { lrIndex, seed } among the runs");
  c.examples.forEach((x, k) => {
    requireObject(`${name}.examples[${k}]`, x, "{ lrIndex, seed }");
    requireKnownKeys(`${name}.examples[${k}]`, x, { lrIndex: 0, seed: 0 });
    if (!c.lrIndices.includes(x.lrIndex)) throw new GhostError(`${name}.examples[${k}].lrIndex`, x.lrIndex, `one of the swept indices ${c.lrIndices.join(", ")}`);
    if (!c.seeds.includes(x.seed)) throw new GhostError(`${name}.examples[${k}].seed`, x.seed, `one of the swept seeds ${c.seeds.join(", ")}`);
  });
}

/** Validates a v2 Fig 7 config (GhostError naming the field). */
export function validateV2Fig7Config(config: unknown): V2Fig7Config {
  requireKnownKeys("config", config, v2Fig7Config(knownScale(config)));
  const c = requireObject("config", config, "a V2Fig7Config (see figures.v2Fig7Config)") as unknown as V2Fig7Config;
  requireOneOf("config.scale", c.scale, ["ci", "paper", "full"] as const);
  requireFiniteArray("config.learningRates", c.learningRates, { minLength: 1 });
  c.learningRates.forEach((v, i) => requirePositive(`config.learningRates[${i}]`, v));
  validateSweep("config.dcdt", c.dcdt, c.learningRates.length);
  validateSweep("config.dmts", c.dmts, c.learningRates.length);
  if (c.dcdt.preset !== "fig7-dcdt") throw new GhostError("config.dcdt.preset", c.dcdt.preset, '"fig7-dcdt"');
  if (c.dmts.preset !== "fig7-dmts") throw new GhostError("config.dmts.preset", c.dmts.preset, '"fig7-dmts"');
  const s = requireObject("config.saturation", c.saturation, "a V2Fig7SaturationConfig") as unknown as V2Fig7SaturationConfig;
  requireOneOf("config.saturation.preset", s.preset, ["fig7-dmts-saturation"] as const);
  requirePositive("config.saturation.learningRate", s.learningRate);
  requireInteger("config.saturation.seed", s.seed, 0);
  requireInteger("config.saturation.epochs", s.epochs, 2, 1e8);
  requireInteger("config.saturation.window", s.window, 1, 1000);
  requireInteger("config.saturation.binEdges", s.binEdges, 2, 1000);
  return c;
}

/** The sweep's training specs of one task, lr index major, seed minor (spec.recordEvery set). */
export function v2Fig7SweepSpecs(config: V2Fig7Config, task: "dcdt" | "dmts"): TaskTrainSpec[] {
  validateV2Fig7Config(config);
  requireOneOf("task", task, ["dcdt", "dmts"] as const);
  const c = config[task];
  return c.lrIndices.flatMap((i) => c.seeds.map((seed) => ({
    preset: c.preset, seed, copies: 1, epochs: c.epochs, optimizer: "sgd" as const, learningRate: config.learningRates[i], snapshotEpochs: [], recordEvery: c.recordEvery,
  })));
}

/** The saturation run: full records (phase 1), or with parameter snapshots at `snapshotEpochs` (phase 2, `epochs` long). */
export function v2Fig7SaturationSpec(config: V2Fig7Config, snapshotEpochs: number[] = [], epochs?: number): TaskTrainSpec {
  validateV2Fig7Config(config);
  const s = config.saturation;
  const E = epochs === undefined ? s.epochs : requireInteger("epochs", epochs, 1, s.epochs);
  requireFiniteArray("snapshotEpochs", snapshotEpochs, { minLength: 0 });
  snapshotEpochs.forEach((e, i) => requireInteger(`snapshotEpochs[${i}]`, e, 0, E - 1));
  return { preset: s.preset, seed: s.seed, copies: 1, epochs: E, optimizer: "sgd", learningRate: s.learningRate, snapshotEpochs: snapshotEpochs.slice() };
}

/**
 * The update with the largest one-epoch change |‖W_rec‖ after update e − ‖W_rec‖ before it| (weightNorm[e] is the
 * norm after update e; before update 0 it is `initialWeightNorm`). Ties go to the earliest. Non-finite entries are
 * skipped (a diverged run's last record).
 * @returns the update's epoch e (its forward pass is the last one before it), the signed jump, and the runner-up's
 * size (how clearly it stands out).
 */
export function findSaturatingUpdate(weightNorm: ArrayLike<number>, initialWeightNorm: number): { epoch: number; jump: number; runnerUp: number } {
  const isArr = Array.isArray(weightNorm) || weightNorm instanceof Float64Array;
  if (!isArr) throw new GhostError("weightNorm", weightNorm, "an array (or Float64Array) of ‖W_rec‖ per epoch");
  const all = Array.from(weightNorm as ArrayLike<unknown>);
  // a diverged run's records end with non-finite entries; epochs keep their numbering
  let n = all.findIndex((x) => typeof x !== "number" || !Number.isFinite(x));
  if (n < 0) n = all.length;
  if (n === 0 || all.slice(n).some((x) => typeof x !== "number")) throw new GhostError("weightNorm", weightNorm, "at least one finite number, then only numbers (non-finite ones only at the end)");
  if (all.slice(n).some((x) => Number.isFinite(x))) throw new GhostError("weightNorm", weightNorm, "finite numbers (non-finite entries only after the last finite one)");
  const w = all.slice(0, n) as number[];
  requirePositive("initialWeightNorm", initialWeightNorm);
  let best = -1, bestAbs = -1, second = 0;
  for (let e = 0; e < w.length; e++) {
    const d = Math.abs(w[e] - (e === 0 ? initialWeightNorm : w[e - 1]));
    if (d > bestAbs) {
      second = Math.max(second, bestAbs);
      best = e;
      bestAbs = d;
    } else second = Math.max(second, d);
  }
  return { epoch: best, jump: w[best] - (best === 0 ? initialWeightNorm : w[best - 1]), runnerUp: second };
}

/** Saturation thresholds: a unit or output counts as saturated where its nonlinearity's slope is below 1 % of its peak. */
export const SATURATION = {
  /** |h| > atanh(√0.99) ⇔ tanh'(h) = 1 − tanh²(h) < 0.01 (peak 1). */
  preActivation: Math.atanh(Math.sqrt(0.99)),
  /** |r| > 0.99 (B7: printed, but |r| alone can miss saturation — r is a leaky average of tanh outputs). */
  rate: 0.99,
  /** Output slope below 1 % of its peak: tanh' < 0.01 (DCDT) or σ' = ŷ(1 − ŷ) < 0.0025 (DMTS). */
  slopeFraction: 0.01,
} as const;

/** One forward pass in the saturation window. */
export interface V2Fig7Pass {
  /** Epoch of the forward pass (parameters before update `epoch`). */
  epoch: number;
  loss: number;
  accuracy: number;
  /** ‖∇W_rec‖ of this pass. */
  gradMetric: number;
  /** ‖W_rec‖ of the parameters this pass ran with. */
  weightNorm: number;
  /** Fractions of saturated entries (see SATURATION): outputs (all trials, steps), unit pre-activations h_t, rates r_1…r_S. */
  outputSaturated: number;
  preActivationSaturated: number;
  rateSaturated: number;
  /** Trial 0: output ŷ_t (t = 0…S − 1) and the histogram counts of its rates r_0…r_S over the bins. */
  trial0Output: number[];
  trial0RateCounts: number[];
}

/** The saturation analysis's data. */
export interface V2Fig7SaturationData {
  config: V2Fig7SaturationConfig;
  epochsRun: number;
  /** The found update and its jump of ‖W_rec‖ (the paper's, in PyTorch's stream: update 5751 of seed 0). */
  update: { epoch: number; jump: number; runnerUp: number };
  /** Norm traces around it (epochs e − 5·window … e + 5·window, clipped): loss, ‖∇W_rec‖, ‖W_rec‖ (after update e). */
  trace: { epoch: number[]; loss: number[]; gradMetric: number[]; weightNorm: number[] };
  /** Forward passes update.epoch − window + 1 … update.epoch + window (clipped to the run). */
  passes: V2Fig7Pass[];
  /** Index in `passes` of the last pass before the update ("before") and the first after it ("after"). */
  before: number;
  after: number;
  binEdges: number[];
  /** Trial 0's target. */
  trial0Target: number[];
  /** Whole run: final loss / accuracy, and mean ‖∇W_rec‖ before and after the update. */
  finalLoss: number;
  finalAccuracy: number;
  meanGradBefore: number;
  meanGradAfter: number;
  /** The update with the largest one-epoch drop of log10 ‖∇W_rec‖ (printed beside the found one). */
  largestGradDrop: { epoch: number; decades: number };
  diverged: { epoch: number; reason: string } | null;
}

/** One run of a sweep, summarised. */
export interface V2Fig7Run {
  lrIndex: number;
  learningRate: number;
  seed: number;
  meanLoss: number;
  meanGrad: number;
  meanWeight: number;
  finalLoss: number;
  finalAccuracy: number;
  diverged: boolean;
}

/** One task's sweep data. */
export interface V2Fig7SweepData {
  config: V2Fig7SweepConfig;
  runs: V2Fig7Run[];
  /** Per swept lr (in lrIndices order): medians over seeds of the run means. */
  perRate: { lrIndex: number; learningRate: number; medianLoss: number; medianGrad: number; medianWeight: number; learnedFraction: number }[];
  examples: { lrIndex: number; learningRate: number; seed: number; epoch: number[]; loss: number[]; gradMetric: number[]; weightNorm: number[]; finalAccuracy: number }[];
}

/** Data of v2 Fig 7 (plain, JSON-serialisable). */
export interface V2Fig7Data {
  config: V2Fig7Config;
  dcdt: V2Fig7SweepData;
  dmts: V2Fig7SweepData;
  saturation: V2Fig7SaturationData;
  /** Sweep statistics: runs computed / cached, wall time. */
  runs: number;
  cached: number;
  wallMs: number;
}

/** Accuracy at or above which a run's final epoch counts as learned (the per-rate learnedFraction). */
export const V2FIG7_LEARNED_ACCURACY = 0.95;

const median = (x: number[]): number => {
  const s = x.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Summarises one task's sweep results (in v2Fig7SweepSpecs order). */
export function analyseV2Fig7Sweep(config: V2Fig7Config, task: "dcdt" | "dmts", results: TaskTrainResult[]): V2Fig7SweepData {
  const specs = v2Fig7SweepSpecs(config, task);
  if (!Array.isArray(results) || results.length !== specs.length) throw new GhostError("results", results, `${specs.length} TaskTrainResult (one per spec of v2Fig7SweepSpecs, same order)`);
  const c = config[task];
  const runs: V2Fig7Run[] = results.map((r, k) => {
    const o = requireObject(`results[${k}]`, r, "a TaskTrainResult with means") as unknown as TaskTrainResult;
    requireObject(`results[${k}].means`, o.means, "means { loss, gradMetric, weightNorm } (runner taskTrain version ≥ 2)");
    const n = o.loss.length;
    return {
      lrIndex: c.lrIndices[Math.floor(k / c.seeds.length)], learningRate: specs[k].learningRate, seed: specs[k].seed,
      meanLoss: o.means.loss, meanGrad: o.means.gradMetric, meanWeight: o.means.weightNorm,
      finalLoss: o.loss[n - 1], finalAccuracy: o.accuracy[n - 1], diverged: o.diverged !== null,
    };
  });
  const perRate = c.lrIndices.map((i) => {
    const rs = runs.filter((r) => r.lrIndex === i);
    return {
      lrIndex: i, learningRate: config.learningRates[i], medianLoss: median(rs.map((r) => r.meanLoss)), medianGrad: median(rs.map((r) => r.meanGrad)),
      medianWeight: median(rs.map((r) => r.meanWeight)), learnedFraction: rs.filter((r) => r.finalAccuracy >= V2FIG7_LEARNED_ACCURACY).length / rs.length,
    };
  });
  const examples = c.examples.map((x) => {
    const k = c.lrIndices.indexOf(x.lrIndex) * c.seeds.length + c.seeds.indexOf(x.seed);
    const r = results[k];
    const epoch = r.recordEpochs ? r.recordEpochs.slice() : range(r.loss.length);
    return {
      lrIndex: x.lrIndex, learningRate: config.learningRates[x.lrIndex], seed: x.seed, epoch,
      loss: Array.from(r.loss), gradMetric: Array.from(r.gradMetric), weightNorm: Array.from(r.weightNorm), finalAccuracy: runs[k].finalAccuracy,
    };
  });
  return { config: c, runs, perRate, examples };
}

/** Pre-activations h_t = b_in + W_in u_t + r_t·W_rec of every trial and step t = 0…S − 1 of a full-rank network, flat [B·S·N]. */
function preActivations(p: FullRankTaskParams, inputs: Float64Array, rates: Float64Array, B: number, S: number, N: number, Din: number): Float64Array {
  const out = new Float64Array(B * S * N);
  const W = p.Wrec.data, win = p.Win.data, bin = p.bIn.data;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < S; t++) {
      const r = (b * (S + 1) + t) * N, o = (b * S + t) * N, u = (b * S + t) * Din;
      for (let j = 0; j < N; j++) {
        let s = bin[j];
        for (let d = 0; d < Din; d++) s += win[j * Din + d] * inputs[u + d];
        out[o + j] = s;
      }
      for (let i = 0; i < N; i++) {
        const ri = rates[r + i], row = i * N;
        for (let j = 0; j < N; j++) out[o + j] += ri * W[row + j];
      }
    }
  }
  return out;
}

/**
 * Measures one forward pass of the saturation run with the parameters it used (see V2Fig7Pass): the forward is
 * re-run with taskRnnForward (the training kernel; nothing is drawn at ρ = σ_n = 0).
 */
function measurePass(spec: TaskTrainSpec, params: FullRankTaskParams, epoch: number, records: TaskTrainResult, edges: number[]): V2Fig7Pass {
  const model = { ...taskTrainModel(spec), params };
  const task = taskTrainTask(spec);
  const f = taskRnnForward(model, task, null);
  const [B, S] = task.inputs.shape;
  const N = model.config.size, Din = model.config.inputs;
  const h = preActivations(params, task.inputs.data, f.rates.data, B, S, N, Din);
  const sig = model.config.output === "sigmoid";
  const slopePeak = sig ? 0.25 : 1;
  let outSat = 0;
  for (const y of f.outputs.data) if ((sig ? y * (1 - y) : 1 - y * y) < SATURATION.slopeFraction * slopePeak) outSat++;
  let hSat = 0;
  for (const v of h) if (Math.abs(v) > SATURATION.preActivation) hSat++;
  let rSat = 0, rCount = 0;
  for (let b = 0; b < B; b++) for (let t = 1; t <= S; t++) for (let i = 0; i < N; i++) {
    rCount++;
    if (Math.abs(f.rates.data[(b * (S + 1) + t) * N + i]) > SATURATION.rate) rSat++;
  }
  const counts = new Array(edges.length - 1).fill(0);
  const lo = edges[0], hi = edges[edges.length - 1], width = (hi - lo) / (edges.length - 1);
  for (let k = 0; k < (S + 1) * N; k++) {
    const v = f.rates.data[k];
    if (v < lo || v > hi) continue;
    counts[Math.min(edges.length - 2, Math.floor((v - lo) / width))]++; // numpy: the last bin is closed
  }
  let wn = 0;
  for (const w of params.Wrec.data) wn += w * w;
  return {
    epoch, loss: f.loss, accuracy: f.accuracy, gradMetric: records.gradMetric[epoch], weightNorm: Math.sqrt(wn),
    outputSaturated: outSat / f.outputs.data.length, preActivationSaturated: hSat / h.length, rateSaturated: rSat / rCount,
    trial0Output: Array.from(f.outputs.data.subarray(0, S)), trial0RateCounts: counts,
  };
}

/**
 * The saturation analysis from the phase-1 run (full records) and the phase-2 run (snapshots around the update;
 * {@link v2Fig7SaturationWindow}).
 */
export function analyseV2Fig7Saturation(config: V2Fig7Config, phase1: TaskTrainResult, phase2: TaskTrainResult): V2Fig7SaturationData {
  validateV2Fig7Config(config);
  const s = config.saturation;
  const spec = v2Fig7SaturationSpec(config);
  const p1 = requireObject("phase1", phase1, "the saturation run's TaskTrainResult (full records)") as unknown as TaskTrainResult;
  requireObject("phase2", phase2, "the saturation re-run's TaskTrainResult (snapshots)");
  const init = taskTrainModel(spec).params as FullRankTaskParams;
  let w0 = 0;
  for (const w of init.Wrec.data) w0 += w * w;
  const update = findSaturatingUpdate(p1.weightNorm, Math.sqrt(w0));
  const win = v2Fig7SaturationWindow(config, update.epoch, p1.epochsRun);
  const byEpoch = new Map(phase2.snapshots.map((x) => [x.epoch, x]));
  const edges = Array.from({ length: s.binEdges }, (_, k) => -1 + (2 * k) / (s.binEdges - 1));
  const passes = win.passes.map((f) => {
    let params: FullRankTaskParams;
    if (f === 0) params = init;
    else {
      const snap = byEpoch.get(f - 1);
      if (!snap) throw new GhostError("phase2.snapshots", phase2.snapshots.map((x) => x.epoch), `a snapshot at epoch ${f - 1} (v2Fig7SaturationWindow's snapshotEpochs)`);
      params = snapshotParams(snap) as FullRankTaskParams;
    }
    return measurePass(spec, params, f, p1, edges);
  });
  const before = win.passes.indexOf(update.epoch), after = win.passes.indexOf(update.epoch + 1);
  const E = p1.epochsRun;
  const lo = Math.max(0, update.epoch - 5 * s.window), hi = Math.min(E - 1, update.epoch + 5 * s.window);
  const ep = range(hi - lo + 1, lo);
  const g = Array.from(p1.gradMetric);
  const avg = (x: number[]) => (x.length ? x.reduce((a, b) => a + b, 0) / x.length : NaN);
  let drop = { epoch: 0, decades: -Infinity };
  for (let e = 0; e + 1 < g.length; e++) {
    const d = Math.log10(g[e] / g[e + 1]);
    if (d > drop.decades) drop = { epoch: e, decades: d };
  }
  const task = taskTrainTask(spec);
  const S = task.inputs.shape[1];
  return {
    config: s, epochsRun: E, update,
    trace: { epoch: ep, loss: ep.map((e) => p1.loss[e]), gradMetric: ep.map((e) => p1.gradMetric[e]), weightNorm: ep.map((e) => p1.weightNorm[e]) },
    passes, before, after, binEdges: edges, trial0Target: Array.from(task.targets.data.subarray(0, S)),
    finalLoss: p1.loss[E - 1], finalAccuracy: p1.accuracy[E - 1],
    meanGradBefore: avg(g.slice(0, update.epoch + 1)), meanGradAfter: avg(g.slice(update.epoch + 1)),
    largestGradDrop: drop, diverged: p1.diverged,
  };
}

/**
 * The forward passes shown around update e (e − window + 1 … e + window, clipped to [0, epochsRun)) and the phase-2
 * run that provides their parameters: snapshots after updates f − 1 of every pass f > 0, `epochs` = last snapshot + 1.
 */
export function v2Fig7SaturationWindow(config: V2Fig7Config, updateEpoch: number, epochsRun: number): { passes: number[]; snapshotEpochs: number[]; epochs: number } {
  validateV2Fig7Config(config);
  const E = requireInteger("epochsRun", epochsRun, 1, config.saturation.epochs);
  const e = requireInteger("updateEpoch", updateEpoch, 0, E - 1);
  const w = config.saturation.window;
  const passes = range(2 * w, e - w + 1).filter((f) => f >= 0 && f < E);
  const snapshotEpochs = passes.filter((f) => f > 0).map((f) => f - 1);
  return { passes, snapshotEpochs, epochs: Math.max(1, ...snapshotEpochs.map((x) => x + 1)) };
}

/** Options of {@link runV2Fig7}. */
export interface V2Fig7Options extends TaskSweepOptions {}

/**
 * Computes v2 Fig 7: ONE engine sweep (both tasks' runs and the saturation run's phase 1, in worker threads, cached
 * run by run, shardable), then the saturation re-run with snapshots (one cached run, at most update + window epochs),
 * then the analysis.
 */
export async function runV2Fig7(config: V2Fig7Config = v2Fig7Config("paper"), opts: V2Fig7Options = {}): Promise<V2Fig7Data> {
  validateV2Fig7Config(config);
  requireObject("opts", opts, "V2Fig7Options { cache?, workers?, onProgress?, signal?, cluster? }");
  const dcdtSpecs = v2Fig7SweepSpecs(config, "dcdt"), dmtsSpecs = v2Fig7SweepSpecs(config, "dmts");
  const specs = [v2Fig7SaturationSpec(config), ...dmtsSpecs, ...dcdtSpecs];
  const { results, stats } = await runTaskSweep(specs, opts);
  const phase1 = results[0];
  const dmts = results.slice(1, 1 + dmtsSpecs.length), dcdt = results.slice(1 + dmtsSpecs.length);
  const init = taskTrainModel(specs[0]).params as FullRankTaskParams;
  let w0 = 0;
  for (const w of init.Wrec.data) w0 += w * w;
  const update = findSaturatingUpdate(phase1.weightNorm, Math.sqrt(w0));
  const win = v2Fig7SaturationWindow(config, update.epoch, phase1.epochsRun);
  const { results: re, stats: s2 } = await runTaskSweep([v2Fig7SaturationSpec(config, win.snapshotEpochs, win.epochs)], { cache: opts.cache, workers: 1, signal: opts.signal });
  return {
    config,
    dcdt: analyseV2Fig7Sweep(config, "dcdt", dcdt),
    dmts: analyseV2Fig7Sweep(config, "dmts", dmts),
    saturation: analyseV2Fig7Saturation(config, phase1, re[0]),
    runs: specs.length + 1, cached: (stats?.cached ?? 0) + (s2?.cached ?? 0), wallMs: (stats?.wallMs ?? 0) + (s2?.wallMs ?? 0),
  };
}
