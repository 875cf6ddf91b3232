/**
 * The task RNN of the v2 working-memory experiments (spec B1): firing rates r (row vectors, N units), inputs u
 * (Din), outputs ŷ (Dout), leak α = dt/τ, one step
 *
 *   ŷ_t     = g(readout(r_t))                                  (the output reads r_t BEFORE the update)
 *   z_t     = tanh(W_in·u_t + b_in + r_t·W_rec + η_t),  η_t ~ N(0, σ_n² I)
 *   r_{t+1} = (1 − α) r_t + α z_t,                             r_0 = tanh(ρ ξ), ξ ~ N(0, I_N) per trial and pass
 *
 * with g = tanh or sigmoid and, by kind (parameter names and shapes fixed for the analysis layer):
 *   low rank K:  W_rec = Sl·Sr, Sl [N, K], Sr [K, N] (drive_j = Σ_k (r·Sl)_k Sr[k, j]); readout = Wout·(r·Sl) + bOut,
 *                Wout [Dout, K];
 *   full rank:   Wrec [N, N] (drive_j = Σ_i r_i Wrec[i, j]); readout = Wout·r + bOut, Wout [Dout, N];
 *   both:        Win [N, Din] (drive_j += Σ_d Win[j, d] u_d, PyTorch weight layout), bIn [N], bOut [Dout].
 *
 * Loss = mean over (trial, step, output) of (ŷ − y)² (nn.MSELoss), or Σ m (ŷ − y)² / Σ m with a task mask m.
 * Accuracy per the task's rule (DCDT: ternary at ±0.33; DMTS: ŷ ≥ 0.5), over all entries (mask weight > 0).
 *
 * The stored rate history INCLUDES r_0: rates [B, S + 1, N], rates[b, t] = r_t for t = 0…S (the Fig 5 convention;
 * the Fig 4/7/8C scripts keep r_1…r_S, i.e. rates[:, 1:]). BPTT needs r_0…r_{S−1}; the analysis gets every state.
 *
 * Randomness: every forward pass draws from the Rng passed in, in the order of PyTorch's calls: first N normals
 * of ξ for each trial in batch order (only when ρ > 0; ρ = 0 gives r_0 = 0 exactly and draws nothing), then at
 * each step t the N normals of η for each trial in batch order (only when σ_n > 0). So a model with ρ = σ_n = 0
 * (Fig 7) is deterministic and needs no Rng.
 *
 * The continuous flow of the same rule (time in units of τ) is F(r) = −r + tanh(r·W_rec + W_in·u + b_in)
 * ({@link taskRnnVelocity}); the forward pass and the flow share {@link taskRnnDriveRow}.
 *
 * tanh and the sigmoid are the library's deterministic kernels (kernels/fastMath.ts: ≤ 4 ulp from Math.tanh,
 * the same bits on every platform and the JS twins of the WebAssembly kernels), so a run is bit-identical across
 * machines and Node versions. The WebAssembly SIMD kernels (kernels/assembly/taskRnn.ts, training.taskRnnWasmPass,
 * used by trainTask when kernels.kernelMode() is "wasm") follow the same operations and summation orders as the
 * kernels here and in training/taskBptt.ts: the two modes give the same bits (test/kernels/taskRnnWasm.test.ts).
 */
import { GhostError, requireFinite, requireInRange, requireInteger, requireNonNegative, requireObject, requireOneOf, requireOptions, requirePositive } from "../core/errors";
import { fastSigmoid, fastTanh } from "../kernels/fastMath";
import { F64Array, copyNd, ndFloat64, requireNd, shapeString } from "../core/nd";
import { Rng } from "../core/rng";
import { AccuracyRule, Task, validateTask } from "../tasks/task";

/** Kind of task RNN: recurrent weights as Sl·Sr (rank K) or a full Wrec. */
export type TaskRnnKind = "lowRank" | "fullRank";
/** Output nonlinearity g: tanh (DCDT, targets ±1) or sigmoid (DMTS, targets 0/1). */
export type TaskRnnOutput = "tanh" | "sigmoid";

/** Everything needed to rebuild a task RNN (with its parameters). Plain JSON. */
export interface TaskRnnConfig {
  kind: TaskRnnKind;
  /** N units, integer in [1, 4096]. */
  size: number;
  /** K, integer in [1, N] (low rank); equal to N for full rank. */
  rank: number;
  /** Din, integer in [1, 1024]. */
  inputs: number;
  /** Dout, integer in [1, 1024]. */
  outputs: number;
  /** α = dt/τ ∈ (0, 1] (paper 0.5). */
  leak: number;
  /** Output nonlinearity g. */
  output: TaskRnnOutput;
  /** ρ ≥ 0: r_0 = tanh(ρ ξ) (firing_rate_sigma). */
  rateSigma: number;
  /** σ_n ≥ 0: the input noise η ~ N(0, σ_n²) (noise_sigma). */
  noiseSigma: number;
  /** Seed the parameters were drawn from (new Rng(seed)). */
  seed: number;
  /** Full rank only: null = xavier-uniform Wrec (default); a number sd > 0 = Wrec ~ N(0, sd²/N). */
  recurrentSd: number | null;
}

/** Low-rank parameters: Win [N, Din], bIn [N], Sl [N, K], Sr [K, N], Wout [Dout, K], bOut [Dout]. */
export interface LowRankTaskParams {
  Win: F64Array;
  bIn: F64Array;
  Sl: F64Array;
  Sr: F64Array;
  Wout: F64Array;
  bOut: F64Array;
}

/** Full-rank parameters: Win [N, Din], bIn [N], Wrec [N, N], Wout [Dout, N], bOut [Dout]. */
export interface FullRankTaskParams {
  Win: F64Array;
  bIn: F64Array;
  Wrec: F64Array;
  Wout: F64Array;
  bOut: F64Array;
}

/** Parameters of a task RNN: named contiguous row-major float64 ndarrays (gradients have the same type). */
export type TaskRnnParams = LowRankTaskParams | FullRankTaskParams;

/** A task RNN: its config and parameters. */
export interface TaskRnn<P extends TaskRnnParams = TaskRnnParams> {
  config: TaskRnnConfig;
  params: P;
}

/** Options of {@link createTaskRnn}; `seed` is required, the rest default to the paper's values. */
export interface TaskRnnOptions {
  /** "lowRank" (default) or "fullRank". */
  kind?: TaskRnnKind;
  /** N, default 100. */
  size?: number;
  /** K for low rank, default 2 (ignored, = N, for full rank). */
  rank?: number;
  /** Din, default 1. */
  inputs?: number;
  /** Dout, default 1. */
  outputs?: number;
  /** α, default 0.5. */
  leak?: number;
  /** g, default "tanh". */
  output?: TaskRnnOutput;
  /** ρ, default 0. */
  rateSigma?: number;
  /** σ_n, default 0. */
  noiseSigma?: number;
  /** Integer ≥ 0, required: the parameters are drawn from new Rng(seed). */
  seed: number;
  /** Full rank: null (xavier, default) or sd > 0 (Wrec ~ N(0, sd²/N)). */
  recurrentSd?: number | null;
}

/** The option names of {@link createTaskRnn}. */
export const TASK_RNN_OPTIONS: readonly string[] = ["kind", "size", "rank", "inputs", "outputs", "leak", "output", "rateSigma", "noiseSigma", "seed", "recurrentSd"];

/** Validates and completes a config (also used to check a stored config). Throws a GhostError naming the field. */
export function resolveTaskRnnConfig(options: TaskRnnOptions): TaskRnnConfig {
  const o = requireOptions<TaskRnnOptions>("options", options, TASK_RNN_OPTIONS);
  if (options === undefined) throw new GhostError("options", options, "task RNN options { seed, kind?, size?, … }");
  const kind = requireOneOf("options.kind", o.kind ?? "lowRank", ["lowRank", "fullRank"] as const);
  const size = requireInteger("options.size", o.size ?? 100, 1, 4096);
  const rank = kind === "fullRank" ? size : requireInteger("options.rank", o.rank ?? 2, 1, size);
  if (kind === "fullRank" && o.rank !== undefined && o.rank !== size) throw new GhostError("options.rank", o.rank, `undefined or N = ${size} for a full-rank model`);
  const inputs = requireInteger("options.inputs", o.inputs ?? 1, 1, 1024);
  const outputs = requireInteger("options.outputs", o.outputs ?? 1, 1, 1024);
  const leak = requireInRange("options.leak", o.leak ?? 0.5, 0, 1, { minExclusive: true });
  const output = requireOneOf("options.output", o.output ?? "tanh", ["tanh", "sigmoid"] as const);
  const rateSigma = requireNonNegative("options.rateSigma", o.rateSigma ?? 0);
  const noiseSigma = requireNonNegative("options.noiseSigma", o.noiseSigma ?? 0);
  const seed = requireInteger("options.seed", o.seed, 0, Number.MAX_SAFE_INTEGER);
  let recurrentSd: number | null = null;
  if (o.recurrentSd !== undefined && o.recurrentSd !== null) {
    if (kind !== "fullRank") throw new GhostError("options.recurrentSd", o.recurrentSd, "null or absent for a low-rank model (Sl ~ N(0, 1/N), Sr ~ N(0, 1))");
    recurrentSd = requirePositive("options.recurrentSd", o.recurrentSd);
  }
  return { kind, size, rank, inputs, outputs, leak, output, rateSigma, noiseSigma, seed, recurrentSd };
}

/** Names of the parameter groups, in a fixed order: Win, bIn, Sl, Sr (or Wrec), Wout, bOut. */
export function taskRnnGroups(config: TaskRnnConfig): string[] {
  const c = requireObject("config", config, "a TaskRnnConfig");
  return c.kind === "fullRank" ? ["Win", "bIn", "Wrec", "Wout", "bOut"] : ["Win", "bIn", "Sl", "Sr", "Wout", "bOut"];
}

/** Shape of each parameter group of a config (see the module doc). */
export function taskRnnShapes(config: TaskRnnConfig): Record<string, number[]> {
  const c = resolveTaskRnnConfig(config);
  const N = c.size, K = c.rank, Din = c.inputs, Dout = c.outputs;
  return c.kind === "fullRank"
    ? { Win: [N, Din], bIn: [N], Wrec: [N, N], Wout: [Dout, N], bOut: [Dout] }
    : { Win: [N, Din], bIn: [N], Sl: [N, K], Sr: [K, N], Wout: [Dout, K], bOut: [Dout] };
}

/** Uniform draws U(−bound, bound) into a new [shape] array. */
function uniformNd(rng: Rng, shape: number[], bound: number): F64Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return ndFloat64(shape, rng.uniformArray(n, -bound, bound));
}

/**
 * Builds a task RNN with B1's initialisation, drawn from new Rng(seed) in this order:
 *   Win  [N, Din]  xavier-uniform, bound √(6/(Din + N))           (0.2437 for Din = 1, N = 100)
 *   bIn  [N]       low rank: N(0, 0.1²) (explicitly re-initialised); full rank: U(−1/√Din, 1/√Din) (PyTorch Linear)
 *   low rank: Sl [N, K] ~ N(0, 1/N), Sr [K, N] ~ N(0, 1);  full rank: Wrec [N, N] xavier, bound √(6/(2N)) (0.1732),
 *             or N(0, sd²/N) with recurrentSd = sd
 *   Wout [Dout, K or N] xavier-uniform, bound √(6/(fan_in + Dout))  (1.414 for K = 2; 0.2437 for N = 100)
 *   bOut [Dout]    U(−1/√fan_in, 1/√fan_in) (PyTorch Linear default; ±0.7071 for K = 2, ±0.1 for N = 100)
 */
export function createTaskRnn(options: TaskRnnOptions): TaskRnn {
  const config = resolveTaskRnnConfig(options);
  const rng = new Rng(config.seed);
  const N = config.size, K = config.rank, Din = config.inputs, Dout = config.outputs;
  const Win = uniformNd(rng, [N, Din], Math.sqrt(6 / (Din + N)));
  if (config.kind === "lowRank") {
    const bIn = ndFloat64([N], rng.normalArray(N, 0.1));
    const Sl = ndFloat64([N, K], rng.normalArray(N * K, 1 / Math.sqrt(N)));
    const Sr = ndFloat64([K, N], rng.normalArray(K * N, 1));
    const Wout = uniformNd(rng, [Dout, K], Math.sqrt(6 / (K + Dout)));
    const bOut = uniformNd(rng, [Dout], 1 / Math.sqrt(K));
    return { config, params: { Win, bIn, Sl, Sr, Wout, bOut } };
  }
  const bIn = uniformNd(rng, [N], 1 / Math.sqrt(Din));
  const Wrec = config.recurrentSd === null ? uniformNd(rng, [N, N], Math.sqrt(6 / (2 * N))) : ndFloat64([N, N], rng.normalArray(N * N, config.recurrentSd / Math.sqrt(N)));
  const Wout = uniformNd(rng, [Dout, N], Math.sqrt(6 / (N + Dout)));
  const bOut = uniformNd(rng, [Dout], 1 / Math.sqrt(N));
  return { config, params: { Win, bIn, Wrec, Wout, bOut } };
}

/**
 * Checks a task RNN: config valid (resolveTaskRnnConfig), every group of {@link taskRnnShapes} present as a
 * contiguous float64 ndarray of its shape with finite entries, no other group. Returns it.
 */
export function validateTaskRnn(model: unknown): TaskRnn {
  const m = requireObject("model", model, "a TaskRnn { config, params }") as unknown as TaskRnn;
  requireObject("model.config", m.config, "a TaskRnnConfig");
  const c = resolveTaskRnnConfig(m.config as unknown as TaskRnnOptions);
  if (c.rank !== m.config.rank) throw new GhostError("model.config.rank", m.config.rank, `N = ${c.size} for a full-rank model`);
  const shapes = taskRnnShapes(c);
  const params = requireObject("model.params", m.params, `an object of float64 ndarrays { ${Object.entries(shapes).map(([g, s]) => `${g}: ${shapeString(s)}`).join(", ")} }`);
  for (const [g, shape] of Object.entries(shapes)) requireNd(`model.params.${g}`, params[g], shape, { finite: true });
  for (const k of Object.keys(params)) if (!(k in shapes)) throw new GhostError(`model.params.${k}`, params[k], `one of the groups ${Object.keys(shapes).join(", ")}`);
  return m;
}

/** Deep copy of task RNN parameters (or gradients): every group copied into a new contiguous ndarray. */
export function copyTaskParams<P extends TaskRnnParams>(params: P): P {
  const p = requireObject("params", params, "an object of parameter ndarrays");
  const out: Record<string, F64Array> = {};
  for (const [g, v] of Object.entries(p)) out[g] = copyNd(requireNd(`params.${g}`, v, (v as F64Array)?.shape ?? ["?"]));
  return out as unknown as P;
}

/** Deep copy of a task RNN (config and parameters). */
export function cloneTaskRnn<P extends TaskRnnParams>(model: TaskRnn<P>): TaskRnn<P> {
  validateTaskRnn(model);
  return { config: { ...model.config }, params: copyTaskParams(model.params) };
}

/** Zero-filled arrays with the shapes of a model's parameters (a gradient buffer). */
export function zeroTaskParams(config: TaskRnnConfig): TaskRnnParams {
  const shapes = taskRnnShapes(config);
  return Object.fromEntries(Object.entries(shapes).map(([g, s]) => [g, ndFloat64(s)])) as unknown as TaskRnnParams;
}

/** The effective recurrent matrix W_rec [N, N]: Wrec (a copy) or Sl·Sr (drive_j = Σ_i r_i W[i, j]). */
export function recurrentMatrix(model: TaskRnn): F64Array {
  validateTaskRnn(model);
  const { size: N, rank: K } = model.config;
  if (model.config.kind === "fullRank") return copyNd((model.params as FullRankTaskParams).Wrec);
  const { Sl, Sr } = model.params as LowRankTaskParams;
  const W = ndFloat64([N, N]);
  for (let i = 0; i < N; i++) for (let k = 0; k < K; k++) {
    const s = Sl.data[i * K + k];
    for (let j = 0; j < N; j++) W.data[i * N + j] += s * Sr.data[k * N + j];
  }
  return W;
}

// ----------------------------------------------------------------------------------------------------------------
// The one rule: drive h = W_in·u + b_in + r·W_rec (+ η), used by the forward pass and by the flow.

/**
 * Writes the drive h_j = Σ_d Win[j, d] u_d + bIn[j] + (r·W_rec)_j into h[hOff … hOff + N − 1] for ONE state r (entries
 * r[rOff … rOff + N − 1]) and input u (u[uOff … uOff + Din − 1], or none when u is null), and for low rank the
 * latent q = r·Sl into q[qOff …] (length K). Not validated (hot loop): callers pass a validated model.
 */
export function taskRnnDriveRow(model: TaskRnn, r: Float64Array, rOff: number, u: Float64Array | null, uOff: number, h: Float64Array, hOff: number, q: Float64Array | null, qOff: number): void {
  const c = model.config, N = c.size, Din = c.inputs;
  const win = model.params.Win.data, bin = model.params.bIn.data;
  for (let j = 0; j < N; j++) {
    let s = bin[j];
    if (u !== null) for (let d = 0; d < Din; d++) s += win[j * Din + d] * u[uOff + d];
    h[hOff + j] = s;
  }
  if (c.kind === "fullRank") {
    const W = (model.params as FullRankTaskParams).Wrec.data;
    for (let i = 0; i < N; i++) {
      const ri = r[rOff + i];
      const row = i * N;
      for (let j = 0; j < N; j++) h[hOff + j] += ri * W[row + j];
    }
    return;
  }
  const K = c.rank;
  const Sl = (model.params as LowRankTaskParams).Sl.data, Sr = (model.params as LowRankTaskParams).Sr.data;
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let i = 0; i < N; i++) s += r[rOff + i] * Sl[i * K + k];
    if (q !== null) q[qOff + k] = s;
    const row = k * N;
    for (let j = 0; j < N; j++) h[hOff + j] += s * Sr[row + j];
  }
}

/**
 * The continuous flow of the rule, F(r) = −r + tanh(r·W_rec + W_in·u + b_in) (time in units of τ; noise-free), for
 * M states at once: rates [M, N] → velocities [M, N]. `input` is u [Din] (default 0: the input-free delay-period
 * flow). The discrete step is r_{t+1} = r_t + α F(r_t) (+ noise), so fixed points of F are those of the network.
 */
export function taskRnnVelocity(model: TaskRnn, rates: F64Array, input: F64Array | null = null): F64Array {
  validateTaskRnn(model);
  const N = model.config.size;
  if (rates === null || typeof rates !== "object" || !Array.isArray((rates as F64Array).shape)) throw new GhostError("rates", rates, `a float64 ndarray of shape [M, ${N}]`);
  const M = (rates as F64Array).shape[0];
  requireNd("rates", rates, [M, N], { finite: true });
  const u = input === null ? null : requireNd("input", input, [model.config.inputs], { finite: true }).data;
  const out = ndFloat64([M, N]);
  const h = new Float64Array(N);
  for (let m = 0; m < M; m++) {
    taskRnnDriveRow(model, rates.data, m * N, u, 0, h, 0, null, 0);
    for (let j = 0; j < N; j++) out.data[m * N + j] = -rates.data[m * N + j] + fastTanh(h[j]);
  }
  return out;
}

// ----------------------------------------------------------------------------------------------------------------
// Forward pass over a batch.

/** Buffers of a forward pass (reused across epochs by the trainer). Flat arrays are row-major as noted. */
export interface TaskRnnWorkspace {
  batch: number;
  steps: number;
  /** Rates r_0…r_S: [B, S + 1, N]. */
  rates: F64Array;
  /** Outputs ŷ_t: [B, S, Dout]. */
  outputs: F64Array;
  /** z_t = tanh(h_t), t = 0…S − 1: flat [B·S·N]. */
  z: Float64Array;
  /** Low rank: latent q_t = r_t·Sl, t = 0…S − 1, flat [B·S·K] (empty for full rank). */
  latent: Float64Array;
  /** Scratch drives of all trials at one step, [B·N] (row b = trial b). */
  h: Float64Array;
  /** Scratch block of 4 rate rows and 4 drive rows for the blocked full-rank product, [4·N] each. */
  rBlock: Float64Array;
  hBlock: Float64Array;
  /** Loss and accuracy of the last pass. */
  loss: number;
  accuracy: number;
}

/** Allocates the buffers of a forward pass of `model` on `task` (both validated, dimensions matched). */
export function createTaskRnnWorkspace(model: TaskRnn, task: Task): TaskRnnWorkspace {
  validateTaskRnn(model);
  validateTask(task, model);
  const [B, S] = task.inputs.shape;
  const N = model.config.size, K = model.config.rank, Dout = model.config.outputs;
  if (B * (S + 1) * N > 100_000_000) throw new GhostError("task", task, `a batch whose rates fit in 1e8 doubles (B·(S + 1)·N = ${B}·${S + 1}·${N})`);
  return {
    batch: B, steps: S,
    rates: ndFloat64([B, S + 1, N]), outputs: ndFloat64([B, S, Dout]), z: new Float64Array(B * S * N),
    latent: new Float64Array(model.config.kind === "lowRank" ? B * S * K : 0), h: new Float64Array(B * N), rBlock: new Float64Array(4 * N), hBlock: new Float64Array(4 * N), loss: NaN, accuracy: NaN,
  };
}

/** Score of one output under an accuracy rule (ternary ±1/0, binary 1/0). */
function score(rule: AccuracyRule, y: number): number {
  if (rule.kind === "ternary") return y >= rule.threshold ? 1 : y <= -rule.threshold ? -1 : 0;
  return y >= (rule as { threshold: number }).threshold ? 1 : 0;
}

/**
 * Accuracy of outputs [B, S, Dout] against a task (spec B1): the fraction of entries (mask weight > 0) whose score
 * under task.accuracy equals the target — ternary: ŷ ≥ 0.33 → 1, ŷ ≤ −0.33 → −1, else 0 (DCDT); binary: ŷ ≥ 0.5 → 1,
 * else 0 (DMTS). NaN for the rule "none". Outputs that are NaN score 0 (ternary) / 0 (binary).
 */
export function taskAccuracy(task: Task, outputs: F64Array): number {
  validateTask(task);
  const out = requireNd("outputs", outputs, task.targets.shape.slice()).data;
  return taskAccuracyKernel(task, out);
}

/** {@link taskAccuracy} on the flat outputs [B·S·Dout] of a validated task. Not validated (hot loop: once per epoch). */
export function taskAccuracyKernel(task: Task, out: Float64Array): number {
  const rule = task.accuracy;
  if (rule.kind === "none") return NaN;
  const y = task.targets.data, m = task.mask?.data ?? null;
  let hit = 0, count = 0;
  for (let i = 0; i < y.length; i++) {
    if (m !== null && !(m[i] > 0)) continue;
    count++;
    if (score(rule, out[i]) === y[i]) hit++;
  }
  return hit / count;
}

/** The loss normaliser of a task: Σ m (mask) or B·S·Dout (the mean of nn.MSELoss). */
export function lossDenominator(task: Task): number {
  return denominatorOf(validateTask(task));
}

/** {@link lossDenominator} for a validated task (hot path). Not validated. */
export function denominatorOf(task: Task): number {
  if (task.mask === null) return task.targets.data.length;
  let s = 0;
  for (const w of task.mask.data) s += w;
  return s;
}

/**
 * Full-rank drive of up to 4 trials at once, the same arithmetic per entry as {@link taskRnnDriveRow} (b_in + Σ_d
 * W_in u_d, then + r_i·Wrec[i, j] for i = 0…N − 1 in order), so bit-identical to it; blocking 4 trials reuses
 * every row of Wrec 4 times (≈ 2× faster than one trial at a time at N = 100). Rows `count`…3 of the block are
 * zero-padded and ignored.
 */
function fullRankDriveBlock(model: TaskRnn, R: Float64Array, rOffs: number[], U: Float64Array, uOffs: number[], count: number, ws: TaskRnnWorkspace, hOffs: number[]): void {
  const N = model.config.size, Din = model.config.inputs;
  const W = (model.params as FullRankTaskParams).Wrec.data, win = model.params.Win.data, bin = model.params.bIn.data;
  const rb = ws.rBlock, hb = ws.hBlock;
  for (let m = 0; m < 4; m++) {
    const o = m * N;
    if (m < count) {
      const ro = rOffs[m], uo = uOffs[m];
      for (let i = 0; i < N; i++) rb[o + i] = R[ro + i];
      for (let j = 0; j < N; j++) {
        let s = bin[j];
        for (let d = 0; d < Din; d++) s += win[j * Din + d] * U[uo + d];
        hb[o + j] = s;
      }
    } else {
      for (let i = 0; i < N; i++) { rb[o + i] = 0; hb[o + i] = 0; }
    }
  }
  const N2 = 2 * N, N3 = 3 * N;
  if (count <= 2) {
    // Two rows (a batch of 2, the Fig 5/7 DCDT case, or the last trials): no work on padding rows.
    for (let i = 0; i < N; i++) {
      const r0 = rb[i], r1 = rb[N + i], row = i * N;
      for (let j = 0; j < N; j++) {
        const w = W[row + j];
        hb[j] += r0 * w;
        hb[N + j] += r1 * w;
      }
    }
  } else {
    for (let i = 0; i < N; i++) {
      const r0 = rb[i], r1 = rb[N + i], r2 = rb[N2 + i], r3 = rb[N3 + i], row = i * N;
      for (let j = 0; j < N; j++) {
        const w = W[row + j];
        hb[j] += r0 * w;
        hb[N + j] += r1 * w;
        hb[N2 + j] += r2 * w;
        hb[N3 + j] += r3 * w;
      }
    }
  }
  const H = ws.h;
  for (let m = 0; m < count; m++) for (let j = 0; j < N; j++) H[hOffs[m] + j] = hb[m * N + j];
}

/**
 * The forward pass kernel over a batch: fills ws.rates (r_0 drawn from `rng` when ρ > 0), ws.z, ws.latent,
 * ws.outputs, and sets ws.loss and ws.accuracy; returns the loss. Draw order (as PyTorch's randn(B, N) calls): the
 * N normals of ξ for trial 0, 1, …, B − 1; then for each step t the N normals of η for trial 0, 1, …, B − 1.
 * Not validated (hot loop): the model, task and workspace must come from validated calls
 * (createTaskRnnWorkspace); `rng` may be null only when ρ = σ_n = 0.
 */
export function taskRnnForwardKernel(model: TaskRnn, task: Task, rng: Rng | null, ws: TaskRnnWorkspace): number {
  const c = model.config, N = c.size, K = c.rank, Din = c.inputs, Dout = c.outputs, alpha = c.leak, keep = 1 - alpha;
  const B = ws.batch, S = ws.steps, S1 = S + 1;
  const rho = c.rateSigma, sigma = c.noiseSigma;
  const R = ws.rates.data, Z = ws.z, Q = ws.latent, O = ws.outputs.data, H = ws.h;
  const U = task.inputs.data, Y = task.targets.data, Mk = task.mask?.data ?? null;
  const wout = model.params.Wout.data, bout = model.params.bOut.data;
  const low = c.kind === "lowRank";
  const sig = c.output === "sigmoid";
  const rOffs = [0, 0, 0, 0], uOffs = [0, 0, 0, 0], hOffs = [0, 0, 0, 0];
  for (let b = 0; b < B; b++) {
    const r0 = b * S1 * N;
    if (rho > 0) for (let i = 0; i < N; i++) R[r0 + i] = fastTanh(rho * rng!.normal());
    else for (let i = 0; i < N; i++) R[r0 + i] = 0;
  }
  let sq = 0;
  for (let t = 0; t < S; t++) {
    // Drives of every trial at step t (the rates r_t are complete for all trials).
    if (low) {
      for (let b = 0; b < B; b++) {
        const bt = b * S + t;
        taskRnnDriveRow(model, R, (b * S1 + t) * N, U, bt * Din, H, b * N, Q, bt * K);
      }
    } else {
      for (let b0 = 0; b0 < B; b0 += 4) {
        const count = Math.min(4, B - b0);
        for (let m = 0; m < count; m++) {
          const b = b0 + m;
          rOffs[m] = (b * S1 + t) * N;
          uOffs[m] = (b * S + t) * Din;
          hOffs[m] = b * N;
        }
        fullRankDriveBlock(model, R, rOffs, U, uOffs, count, ws, hOffs);
      }
    }
    for (let b = 0; b < B; b++) {
      const rOff = (b * S1 + t) * N, rNext = rOff + N, bt = b * S + t, qOff = bt * K, hOff = b * N;
      // Readout from r_t (before the update).
      for (let o = 0; o < Dout; o++) {
        let a = bout[o];
        if (low) for (let k = 0; k < K; k++) a += wout[o * K + k] * Q[qOff + k];
        else for (let i = 0; i < N; i++) a += wout[o * N + i] * R[rOff + i];
        const yhat = sig ? fastSigmoid(a) : fastTanh(a);
        const idx = bt * Dout + o;
        O[idx] = yhat;
        const e = yhat - Y[idx];
        sq += Mk === null ? e * e : Mk[idx] * e * e;
      }
      const zOff = bt * N;
      if (sigma > 0) for (let j = 0; j < N; j++) H[hOff + j] += sigma * rng!.normal();
      for (let j = 0; j < N; j++) {
        const z = fastTanh(H[hOff + j]);
        Z[zOff + j] = z;
        R[rNext + j] = keep * R[rOff + j] + alpha * z;
      }
    }
  }
  ws.loss = sq / denominatorOf(task);
  ws.accuracy = taskAccuracyKernel(task, O);
  return ws.loss;
}

/** Result of {@link taskRnnForward}: copies owned by the caller. */
export interface TaskRnnForward {
  /** MSE loss (mask-weighted mean). */
  loss: number;
  /** Accuracy per the task's rule. */
  accuracy: number;
  /** ŷ [B, S, Dout]. */
  outputs: F64Array;
  /** r_0…r_S [B, S + 1, N] (includes r_0; see the module doc). */
  rates: F64Array;
}

/**
 * Runs `model` on every trial of `task` (validated: dimensions must match) and returns loss, accuracy, outputs and
 * the rate history including r_0. `rng` supplies r_0 = tanh(ρξ) and the noise η (it advances); it may be null when
 * ρ = σ_n = 0 (nothing is drawn).
 */
export function taskRnnForward(model: TaskRnn, task: Task, rng: Rng | null): TaskRnnForward {
  const ws = createTaskRnnWorkspace(model, task);
  requireRngFor(model, rng);
  taskRnnForwardKernel(model, task, rng, ws);
  return { loss: ws.loss, accuracy: ws.accuracy, outputs: ws.outputs, rates: ws.rates };
}

/** Throws unless `rng` is an Rng, or null for a model that draws nothing (ρ = σ_n = 0). */
export function requireRngFor(model: TaskRnn, rng: unknown): Rng | null {
  const cfg = requireObject("model.config", requireObject("model", model, "a TaskRnn").config, "a TaskRnnConfig");
  requireNonNegative("model.config.rateSigma", cfg.rateSigma);
  requireNonNegative("model.config.noiseSigma", cfg.noiseSigma);
  if (rng instanceof Rng) return rng;
  const draws = model.config.rateSigma > 0 || model.config.noiseSigma > 0;
  if (rng === null && !draws) return null;
  throw new GhostError("rng", rng, draws ? `an Rng (core.Rng): the model draws r_0 (ρ = ${model.config.rateSigma}) and noise (σ_n = ${model.config.noiseSigma})` : "an Rng or null (this model draws nothing)");
}

/**
 * Gradient and weight metrics of the v2 figures (spec B1): gradMetric = ‖∇Sl‖_F + ‖∇Sr‖_F (low rank, sum of norms)
 * or ‖∇Wrec‖_F (full rank); weightNorm = ‖Sl·Sr‖_F or ‖Wrec‖_F. `grads` has the shapes of the parameters.
 */
export function taskRnnMetrics(model: TaskRnn, grads: TaskRnnParams): { gradMetric: number; weightNorm: number } {
  validateTaskRnn(model);
  const shapes = taskRnnShapes(model.config);
  const g = requireObject("grads", grads, "gradients with the parameter shapes") as Record<string, unknown>;
  for (const [k, s] of Object.entries(shapes)) requireNd(`grads.${k}`, g[k], s);
  return metricsKernel(model, grads);
}

/** {@link taskRnnMetrics} without validation (hot loop). Not validated. */
export function metricsKernel(model: TaskRnn, grads: TaskRnnParams): { gradMetric: number; weightNorm: number } {
  const g = grads as unknown as Record<string, F64Array>;
  return { gradMetric: gradMetricOf(model, gradMetricGroups(model).map((k) => frobenius(g[k].data))), weightNorm: weightNormKernel(model) };
}

/** ‖a‖₂ = √(Σ a_i²), summed in increasing i (the order of the recorded metrics). Not validated (hot loop). */
export function frobenius(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/**
 * The gradient groups whose Frobenius norms make gradMetric ("Wrec" for full rank; "Sl", "Sr" for low rank), in the
 * order {@link gradMetricOf} takes them. Not validated (hot loop).
 */
export function gradMetricGroups(model: TaskRnn): readonly string[] {
  return model.config.kind === "fullRank" ? FULL_METRIC : LOW_METRIC;
}
const FULL_METRIC: readonly string[] = ["Wrec"], LOW_METRIC: readonly string[] = ["Sl", "Sr"];

/** gradMetric from the norms of {@link gradMetricGroups} (in that order): ‖∇Wrec‖_F, or ‖∇Sl‖_F + ‖∇Sr‖_F. Not validated. */
export function gradMetricOf(model: TaskRnn, norms: number[]): number {
  return model.config.kind === "fullRank" ? norms[0] : norms[0] + norms[1];
}

/** weightNorm of {@link taskRnnMetrics}: ‖Wrec‖_F, or ‖Sl·Sr‖_F through K×K Gram matrices (O(N K²)). Not validated. */
export function weightNormKernel(model: TaskRnn): number {
  if (model.config.kind === "fullRank") return frobenius((model.params as FullRankTaskParams).Wrec.data);
  const p = model.params as LowRankTaskParams;
  const N = model.config.size, K = model.config.rank;
  // ‖Sl·Sr‖_F² = trace((SlᵀSl)(Sr Srᵀ)): K×K Gram matrices, O(N K²).
  const A = new Float64Array(K * K), C = new Float64Array(K * K);
  for (let k = 0; k < K; k++) for (let l = 0; l < K; l++) {
    let a = 0, cc = 0;
    for (let i = 0; i < N; i++) { a += p.Sl.data[i * K + k] * p.Sl.data[i * K + l]; cc += p.Sr.data[k * N + i] * p.Sr.data[l * N + i]; }
    A[k * K + l] = a; C[k * K + l] = cc;
  }
  let tr = 0;
  for (let k = 0; k < K; k++) for (let l = 0; l < K; l++) tr += A[k * K + l] * C[l * K + k];
  return Math.sqrt(Math.max(0, tr));
}

/**
 * The output-confidence intervention of v2 Fig 8C (spec B6.3), in place: W_out ← W_out·c/‖W_out‖₁ and
 * b_out ← b_out·c/‖W_out‖₁ (‖·‖₁ = sum of |entries| of W_out before the rescaling), so that afterwards ‖W_out‖₁ = c.
 * Meant for trainTask's beforeEpoch hook (the authors rescale at the start of every forward pass, without gradient).
 * @param confidence c, finite > 0. @returns the factor c/‖W_out‖₁ that was applied.
 */
export function rescaleReadout(model: TaskRnn, confidence: number): number {
  validateTaskRnn(model);
  const c = requirePositive("confidence", confidence);
  const w = model.params.Wout.data, b = model.params.bOut.data;
  let l1 = 0;
  for (const x of w) l1 += Math.abs(x);
  if (!(l1 > 0)) throw new GhostError("model.params.Wout", model.params.Wout, "a readout with at least one non-zero weight (‖W_out‖₁ > 0)");
  const norm = l1 / c;
  for (let i = 0; i < w.length; i++) w[i] /= norm;
  for (let i = 0; i < b.length; i++) b[i] /= norm;
  return 1 / norm;
}

/** The B1 row `preset` as task RNN options (kind, rank, output, ρ, σ_n) with the given seed. */
export function taskRnnOptionsFromPreset(preset: { model: { kind: TaskRnnKind; rank: number | null; output: TaskRnnOutput; rateSigma: number; noiseSigma: number } }, seed: number): TaskRnnOptions {
  const p = requireObject("preset", preset, "an ExperimentPreset (tasks.experimentPreset(name))");
  const m = requireObject("preset.model", p.model, "the model settings of a preset") as Record<string, unknown>;
  const kind = requireOneOf("preset.model.kind", m.kind, ["lowRank", "fullRank"] as const);
  const opts: TaskRnnOptions = {
    kind, output: requireOneOf("preset.model.output", m.output, ["tanh", "sigmoid"] as const),
    rateSigma: requireFinite("preset.model.rateSigma", m.rateSigma), noiseSigma: requireFinite("preset.model.noiseSigma", m.noiseSigma), seed: requireInteger("seed", seed, 0),
  };
  if (kind === "lowRank") opts.rank = requireInteger("preset.model.rank", m.rank, 1);
  return opts;
}
