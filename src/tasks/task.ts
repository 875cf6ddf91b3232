/**
 * The batched task interface of the task RNNs (spec B1) and the paper's working-memory tasks: the delayed cue
 * discrimination task (DCDT) and delayed match-to-sample (DMTS), with the presets of the B1 table, plus
 * {@link defineTask} for custom tasks and {@link validateTask} for any task.
 *
 * A task is a batch of B trials of S steps: inputs u [B, S, Din], targets y [B, S, Dout] (contiguous row-major
 * float64 ndarrays, `.data[(b·S + t)·D + d]`), the trial type of each trial [B], an optional mask [B, S, Dout] of
 * weights ≥ 0 (loss and accuracy count only entries with weight > 0), the time step dt in ms and an accuracy rule.
 *
 * Step counts are int(interval / dt) as in the authors' `Single_Dataset`, computed so that a quotient that is an
 * integer up to rounding (e.g. 0.03 / 0.005 = 5.999…) counts as that integer ({@link stepCount}).
 *
 * @example a custom go/no-go task in a notebook cell (two trial types, 4 steps, one input, one output):
 *   const goNoGo = tasks.defineTask({
 *     name: "go-no-go",
 *     steps: 4, types: 2, copies: 1,
 *     input: (type, t) => (t === 0 ? (type === 0 ? 1 : -1) : 0),
 *     target: (type, t) => (t >= 2 && type === 0 ? 1 : 0),
 *   });
 */
import { GhostError, requireFinite, requireInteger, requireObject, requireOneOf, requireOptions, requirePositive } from "../core/errors";
import { F64Array, isFloat64Nd, ndFloat64, requireNd, shapeString } from "../core/nd";

/**
 * How outputs are scored against targets (spec B1):
 *   "ternary": ŷ ≥ threshold → +1, ŷ ≤ −threshold → −1, else 0 (DCDT, threshold 0.33);
 *   "binary":  ŷ ≥ threshold → 1, else 0 (DMTS, threshold 0.5);
 *   "none":    no accuracy (reported as NaN), e.g. for a regression task.
 * Accuracy = fraction of (trial, step, output) entries (with mask weight > 0) whose score equals the target.
 */
export type AccuracyRule = { kind: "ternary"; threshold: number } | { kind: "binary"; threshold: number } | { kind: "none" };

/** A batch of trials with inputs and targets (spec B1). All arrays contiguous row-major float64 ndarrays. */
export interface Task {
  /** Name, e.g. "dcdt", "dmts" or a custom name (non-empty). */
  name: string;
  /** Time step in ms (> 0; the paper's 5 ms). Information for plots (the model's leak α = dt/τ is separate). */
  dt: number;
  /** Inputs u [B, S, Din], finite. */
  inputs: F64Array;
  /** Targets y [B, S, Dout], finite. */
  targets: F64Array;
  /** Trial type of each trial, integers ≥ 0, length B (DCDT: j mod 2, DMTS: j mod 4 for trial j). */
  trialTypes: Int32Array;
  /** Per-entry loss weights [B, S, Dout] (finite, ≥ 0, not all 0), or null for all ones. */
  mask: F64Array | null;
  /** How outputs are scored (see {@link AccuracyRule}). */
  accuracy: AccuracyRule;
  /** Optional label per trial type (index = type), e.g. ["Match", "Match", "No-Match", "No-Match"]. */
  typeLabels?: string[];
  /** How the task was built (preset name and intervals): provenance, plain JSON. */
  spec?: Record<string, unknown>;
}

/** Batch size B, steps S, input and output dimensions of a task (shapes only; see {@link validateTask}). */
export interface TaskDims {
  batch: number;
  steps: number;
  inputs: number;
  outputs: number;
}

/** Anything with a config giving its input and output dimensions (a models.TaskRnn): for {@link validateTask}. */
export interface TaskConsumer {
  config: { inputs: number; outputs: number };
}

/** Largest batch·steps·dimension product accepted for a task array (the ndarray limit, 1e8 doubles). */
const MAX_TASK_ENTRIES = 100_000_000;

function requireRule(name: string, rule: unknown): AccuracyRule {
  const r = requireObject(name, rule, 'an accuracy rule { kind: "ternary" | "binary", threshold } or { kind: "none" }');
  const kind = requireOneOf(`${name}.kind`, r.kind, ["ternary", "binary", "none"] as const);
  if (kind === "none") {
    requireOptions(name, rule, ["kind"]);
    return { kind };
  }
  requireOptions(name, rule, ["kind", "threshold"]);
  const threshold = requireFinite(`${name}.threshold`, r.threshold);
  if (kind === "ternary" && !(threshold > 0)) throw new GhostError(`${name}.threshold`, threshold, "a finite number > 0 (ternary scores ±1 beyond ±threshold)");
  return { kind, threshold };
}

/**
 * Checks a task and returns it (narrowed): name a non-empty string, dt finite > 0, inputs [B, S, Din] and targets
 * [B, S, Dout] contiguous float64 ndarrays with B, S, Din, Dout ≥ 1 and finite entries, trialTypes an Int32Array of
 * length B with entries ≥ 0, mask null or [B, S, Dout] with finite entries ≥ 0 not all zero, a valid accuracy rule
 * (ternary/binary targets must be scores the rule can produce), typeLabels absent or strings. With `model`, also
 * Din = model.config.inputs and Dout = model.config.outputs. Throws a GhostError naming the first bad field,
 * e.g. `task.targets[3, 5, 0] = NaN is not allowed: expected a finite number`.
 */
export function validateTask(task: unknown, model?: TaskConsumer): Task {
  const t = requireObject("task", task, "a Task { name, dt, inputs [B, S, Din], targets [B, S, Dout], trialTypes [B], mask, accuracy }") as unknown as Task;
  if (typeof t.name !== "string" || t.name.length === 0) throw new GhostError("task.name", t.name, "a non-empty string");
  requirePositive("task.dt", t.dt);
  if (!isFloat64Nd(t.inputs) || t.inputs.shape.length !== 3) throw new GhostError("task.inputs", t.inputs, "a float64 ndarray of shape [B, S, Din]");
  const [B, S, Din] = t.inputs.shape;
  if (B < 1) throw new GhostError("task.inputs", t.inputs, "a batch of at least one trial (B >= 1)", `got shape ${shapeString(t.inputs.shape)}`);
  if (S < 1 || Din < 1) throw new GhostError("task.inputs", t.inputs, "at least one step and one input (S >= 1, Din >= 1)", `got shape ${shapeString(t.inputs.shape)}`);
  requireNd("task.inputs", t.inputs, [B, S, Din], { finite: true });
  if (!isFloat64Nd(t.targets) || t.targets.shape.length !== 3) throw new GhostError("task.targets", t.targets, `a float64 ndarray of shape [${B}, ${S}, Dout]`);
  const Dout = t.targets.shape[2];
  if (Dout < 1) throw new GhostError("task.targets", t.targets, `a float64 ndarray of shape [${B}, ${S}, Dout] with Dout >= 1`);
  requireNd("task.targets", t.targets, [B, S, Dout], { finite: true });
  if (!(t.trialTypes instanceof Int32Array) || t.trialTypes.length !== B) throw new GhostError("task.trialTypes", t.trialTypes, `an Int32Array of length B = ${B}`);
  for (let b = 0; b < B; b++) if (t.trialTypes[b] < 0) throw new GhostError(`task.trialTypes[${b}]`, t.trialTypes[b], "an integer >= 0");
  if (t.mask !== null) {
    if (t.mask === undefined) throw new GhostError("task.mask", t.mask, `null or a float64 ndarray of shape [${B}, ${S}, ${Dout}]`);
    const m = requireNd("task.mask", t.mask, [B, S, Dout], { finite: true }).data;
    let any = false;
    for (let i = 0; i < m.length; i++) {
      if (m[i] < 0) throw new GhostError(`task.mask(flat ${i})`, m[i], "a weight >= 0");
      if (m[i] > 0) any = true;
    }
    if (!any) throw new GhostError("task.mask", t.mask, "at least one weight > 0 (an all-zero mask scores nothing)");
  }
  const rule = requireRule("task.accuracy", t.accuracy);
  if (rule.kind !== "none") {
    const y = t.targets.data;
    const allowed = rule.kind === "ternary" ? [-1, 0, 1] : [0, 1];
    for (let i = 0; i < y.length; i++) {
      if (!allowed.includes(y[i])) {
        throw new GhostError(`task.targets(flat ${i})`, y[i], `one of ${allowed.join(", ")} (the scores of the ${rule.kind} accuracy rule), or accuracy { kind: "none" }`);
      }
    }
  }
  if (t.typeLabels !== undefined && (!Array.isArray(t.typeLabels) || !t.typeLabels.every((s) => typeof s === "string"))) {
    throw new GhostError("task.typeLabels", t.typeLabels, "an array of strings or undefined");
  }
  if (model !== undefined) {
    const cfg = requireObject("model", model, "a model { config: { inputs, outputs } }").config as Record<string, unknown> | undefined;
    requireObject("model.config", cfg, "a model config { inputs, outputs }");
    if (cfg!.inputs !== Din) throw new GhostError("task.inputs", t.inputs, `inputs with Din = model.config.inputs = ${describeDim(cfg!.inputs)}`, `the task has Din = ${Din}`);
    if (cfg!.outputs !== Dout) throw new GhostError("task.targets", t.targets, `targets with Dout = model.config.outputs = ${describeDim(cfg!.outputs)}`, `the task has Dout = ${Dout}`);
  }
  return t;
}

function describeDim(v: unknown): string {
  return typeof v === "number" ? String(v) : JSON.stringify(String(v));
}

/** B, S, Din, Dout of a task (validated first). */
export function taskDims(task: Task): TaskDims {
  validateTask(task);
  const [batch, steps, inputs] = task.inputs.shape;
  return { batch, steps, inputs, outputs: task.targets.shape[2] };
}

/**
 * Number of steps of an interval: int(interval / dt) as in the authors' code (truncation), except that a quotient
 * within 1e-9 (relative) of an integer counts as that integer, so float error never loses a step
 * (30 ms / 5 ms → 6, also 0.03 s / 0.005 s → 6; 12 ms / 5 ms → 2).
 * @param interval duration ≥ 0 (same unit as dt). @param dt time step > 0.
 */
export function stepCount(interval: number, dt: number): number {
  requireFinite("interval", interval);
  if (interval < 0) throw new GhostError("interval", interval, "a finite number >= 0");
  requirePositive("dt", dt);
  const q = interval / dt;
  if (!(q <= MAX_TASK_ENTRIES)) throw new GhostError("interval", interval, `at most ${MAX_TASK_ENTRIES} steps of dt = ${dt}`);
  const r = Math.round(q);
  return Math.abs(q - r) <= 1e-9 * Math.max(1, q) ? r : Math.trunc(q);
}

/** Intervals of the working-memory tasks, in ms (spec B1). */
export interface WorkingMemoryOptions {
  /** Cue duration in ms (n_in steps), > 0. */
  inputMs: number;
  /** Delay in ms (n_delay steps), ≥ 0. */
  delayMs: number;
  /** Response period in ms (n_react steps), > 0. */
  reactMs: number;
  /** Time step in ms, > 0; default 5. */
  dt?: number;
  /** Copies of each trial type in the batch (`num_of_samples_per_each_class`), integer ≥ 1; default 1. */
  copies?: number;
}

const WM_OPTIONS = ["inputMs", "delayMs", "reactMs", "dt", "copies"];

function wmSteps(options: WorkingMemoryOptions): { nIn: number; nDelay: number; nReact: number; dt: number; copies: number } {
  const o = requireOptions<WorkingMemoryOptions>("options", options, WM_OPTIONS);
  if (options === undefined) throw new GhostError("options", options, "an options object { inputMs, delayMs, reactMs, dt?, copies? }");
  const dt = requirePositive("options.dt", o.dt ?? 5);
  const nIn = stepCount(requirePositive("options.inputMs", o.inputMs), dt);
  const nDelay = stepCount(requireFinite("options.delayMs", o.delayMs), dt);
  const nReact = stepCount(requirePositive("options.reactMs", o.reactMs), dt);
  if (nIn < 1) throw new GhostError("options.inputMs", o.inputMs, `at least one step (>= dt = ${dt} ms)`);
  if (nReact < 1) throw new GhostError("options.reactMs", o.reactMs, `at least one step (>= dt = ${dt} ms)`);
  const copies = requireInteger("options.copies", o.copies ?? 1, 1, 1_000_000);
  return { nIn, nDelay, nReact, dt, copies };
}

/** Builds [B, S, 1] inputs/targets from per-type rows (each row S numbers), trial j of type j mod types. */
function fromTypeRows(name: string, dt: number, copies: number, inRows: number[][], outRows: number[][], accuracy: AccuracyRule, typeLabels: string[], spec: Record<string, unknown>): Task {
  const types = inRows.length, S = inRows[0].length, B = copies * types;
  if (B * S > MAX_TASK_ENTRIES) throw new GhostError("options.copies", copies, `a batch of at most ${MAX_TASK_ENTRIES} entries (B·S = ${B}·${S})`);
  const inputs = ndFloat64([B, S, 1]), targets = ndFloat64([B, S, 1]);
  const trialTypes = new Int32Array(B);
  for (let j = 0; j < B; j++) {
    const k = j % types;
    trialTypes[j] = k;
    inputs.data.set(inRows[k], j * S);
    targets.data.set(outRows[k], j * S);
  }
  return { name, dt, inputs, targets, trialTypes, mask: null, accuracy, typeLabels, spec };
}

/**
 * The delayed cue discrimination task (spec B1): 2 trial types. Input +1 (type 0) or −1 (type 1) for n_in steps,
 * then 0 for n_delay + n_react steps; target 0 for n_in + n_delay steps, then +1 (type 0) / −1 (type 1) for n_react
 * steps. Batch: `copies` copies of [type 0, type 1] (trial j has type j mod 2); Din = Dout = 1; ternary accuracy
 * with threshold 0.33. Step counts by {@link stepCount}.
 */
export function dcdtTask(options: WorkingMemoryOptions): Task {
  const { nIn, nDelay, nReact, dt, copies } = wmSteps(options);
  const S = nIn + nDelay + nReact;
  const rows = (sign: number) => ({
    input: Array.from({ length: S }, (_, t) => (t < nIn ? sign : 0)),
    target: Array.from({ length: S }, (_, t) => (t >= nIn + nDelay ? sign : 0)),
  });
  const a = rows(1), b = rows(-1);
  return fromTypeRows("dcdt", dt, copies, [a.input, b.input], [a.target, b.target], { kind: "ternary", threshold: 0.33 }, ["+1 cue", "−1 cue"],
    { task: "dcdt", inputMs: options.inputMs, delayMs: options.delayMs, reactMs: options.reactMs, dt, copies, steps: { input: nIn, delay: nDelay, react: nReact } });
}

/**
 * Delayed match-to-sample (spec B1): 4 trial types with (cue 1, cue 2) = (+1, +1), (−1, −1), (−1, +1), (+1, −1);
 * input: cue 1 for n_in steps, 0 for n_delay, cue 2 for n_in, 0 for n_react; target 0 for 2·n_in + n_delay steps,
 * then 1 for a match (types 0, 1) / 0 for a non-match (types 2, 3) for n_react steps. Batch: `copies` copies of
 * [type 0, 1, 2, 3] (trial j has type j mod 4); Din = Dout = 1; binary accuracy with threshold 0.5.
 */
export function dmtsTask(options: WorkingMemoryOptions): Task {
  const { nIn, nDelay, nReact, dt, copies } = wmSteps(options);
  const S = 2 * nIn + nDelay + nReact;
  const cues: [number, number][] = [[1, 1], [-1, -1], [-1, 1], [1, -1]];
  const inRows = cues.map(([c1, c2]) => Array.from({ length: S }, (_, t) => (t < nIn ? c1 : t >= nIn + nDelay && t < 2 * nIn + nDelay ? c2 : 0)));
  const outRows = cues.map((_, k) => Array.from({ length: S }, (_, t) => (t >= 2 * nIn + nDelay && k < 2 ? 1 : 0)));
  return fromTypeRows("dmts", dt, copies, inRows, outRows, { kind: "binary", threshold: 0.5 }, ["Match", "Match", "No-Match", "No-Match"],
    { task: "dmts", inputMs: options.inputMs, delayMs: options.delayMs, reactMs: options.reactMs, dt, copies, steps: { input: nIn, delay: nDelay, react: nReact } });
}

/**
 * The delayed-activation task (spec A1) in the batched interface: one trial of 2T steps, a constant zero input
 * (Din = 1), target 0 for T steps then 1; binary accuracy at 0.5. (The rank-one DA models of models/rnn.ts read
 * their output after the update and normalise the loss by T; a task RNN trained on this task reads before the
 * update and takes the mean, spec B1.)
 * @param horizon T in steps, integer in [1, 100000] (default 20).
 */
export function delayedActivationBatchTask(horizon = 20): Task {
  const T = requireInteger("horizon", horizon, 1, 100000);
  const row = Array.from({ length: 2 * T }, (_, t) => (t >= T ? 1 : 0));
  return fromTypeRows("delayed-activation", 5, 1, [new Array(2 * T).fill(0)], [row], { kind: "binary", threshold: 0.5 }, ["DA"], { task: "delayed-activation", horizon: T });
}

/** Model and training settings of one row of the B1 table (plain data; the models/training layers read them). */
export interface ExperimentPreset {
  /** Preset name, e.g. "fig4-dcdt". */
  name: string;
  /** The figure panels it belongs to. */
  figure: string;
  /** The task: "dcdt" or "dmts" with its intervals (ms) and copies per trial type. */
  task: { kind: "dcdt" | "dmts" } & Required<WorkingMemoryOptions>;
  /** Task RNN settings: kind, rank (low rank), output nonlinearity, ρ (rateSigma), σ_n (noiseSigma). */
  model: { kind: "lowRank" | "fullRank"; rank: number | null; output: "tanh" | "sigmoid"; rateSigma: number; noiseSigma: number };
  /** Optimiser, learning rate(s), epochs (phase lengths for Fig 8C), seeds. */
  training: { optimizer: "sgd" | "adam"; learningRate: number | null; learningRates?: string; epochs: number; seeds: number[] };
}

const PRESETS: Record<string, ExperimentPreset> = {
  "fig4-dcdt": {
    name: "fig4-dcdt", figure: "v2 Fig 4 A–D (rank 2)",
    task: { kind: "dcdt", inputMs: 10, delayMs: 50, reactMs: 50, dt: 5, copies: 500 },
    model: { kind: "lowRank", rank: 2, output: "tanh", rateSigma: 0.3, noiseSigma: 0 },
    training: { optimizer: "sgd", learningRate: 1e-3, epochs: 100_000, seeds: [0] },
  },
  "fig4-dmts": {
    name: "fig4-dmts", figure: "v2 Fig 4 E–H (rank 2)",
    task: { kind: "dmts", inputMs: 30, delayMs: 80, reactMs: 50, dt: 5, copies: 500 },
    model: { kind: "lowRank", rank: 2, output: "sigmoid", rateSigma: 0.3, noiseSigma: 1e-2 },
    training: { optimizer: "adam", learningRate: 1e-4, epochs: 20_000, seeds: [0] },
  },
  "fig5-dcdt": {
    name: "fig5-dcdt", figure: "v2 Fig 5 A–C (full rank)",
    task: { kind: "dcdt", inputMs: 10, delayMs: 50, reactMs: 50, dt: 5, copies: 1 },
    model: { kind: "fullRank", rank: null, output: "tanh", rateSigma: 0.1, noiseSigma: 1e-2 },
    training: { optimizer: "sgd", learningRate: 1e-2, epochs: 3001, seeds: [3] },
  },
  "fig5-dmts": {
    name: "fig5-dmts", figure: "v2 Fig 5 D–F (full rank)",
    task: { kind: "dmts", inputMs: 10, delayMs: 150, reactMs: 50, dt: 5, copies: 1 },
    model: { kind: "fullRank", rank: null, output: "sigmoid", rateSigma: 0.1, noiseSigma: 1e-2 },
    training: { optimizer: "sgd", learningRate: 1e-2, epochs: 100_001, seeds: [3] },
  },
  "fig7-dcdt": {
    name: "fig7-dcdt", figure: "v2 Fig 7 (full rank, lr sweep)",
    task: { kind: "dcdt", inputMs: 30, delayMs: 80, reactMs: 50, dt: 5, copies: 1 },
    model: { kind: "fullRank", rank: null, output: "tanh", rateSigma: 0, noiseSigma: 0 },
    training: { optimizer: "sgd", learningRate: null, learningRates: "logspace(-3, 1, 20)", epochs: 20_000, seeds: Array.from({ length: 20 }, (_, i) => i) },
  },
  "fig7-dmts": {
    name: "fig7-dmts", figure: "v2 Fig 7 (full rank, lr sweep)",
    task: { kind: "dmts", inputMs: 30, delayMs: 80, reactMs: 50, dt: 5, copies: 1 },
    model: { kind: "fullRank", rank: null, output: "sigmoid", rateSigma: 0, noiseSigma: 0 },
    training: { optimizer: "sgd", learningRate: null, learningRates: "logspace(-3, 1, 20)", epochs: 20_000, seeds: Array.from({ length: 20 }, (_, i) => i) },
  },
  "fig7-dmts-saturation": {
    name: "fig7-dmts-saturation", figure: "v2 Fig 7 saturation analysis (full rank)",
    task: { kind: "dmts", inputMs: 30, delayMs: 80, reactMs: 50, dt: 5, copies: 1 },
    model: { kind: "fullRank", rank: null, output: "sigmoid", rateSigma: 0, noiseSigma: 0 },
    training: { optimizer: "sgd", learningRate: 1.438449888287663, epochs: 6000, seeds: [0] },
  },
  "fig8c-dcdt": {
    name: "fig8c-dcdt", figure: "v2 Fig 8C (full rank, confidence intervention; 10 000 + 10 000 epochs)",
    task: { kind: "dcdt", inputMs: 10, delayMs: 50, reactMs: 50, dt: 5, copies: 10 },
    model: { kind: "fullRank", rank: null, output: "tanh", rateSigma: 0.1, noiseSigma: 1e-3 },
    training: { optimizer: "adam", learningRate: 0.1, epochs: 20_000, seeds: Array.from({ length: 100 }, (_, i) => i) },
  },
};

/** Names of the B1 presets ("fig4-dcdt", "fig4-dmts", "fig5-dcdt", "fig5-dmts", "fig7-dcdt", "fig7-dmts", …). */
export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

/** A deep copy of the B1 table row `name` (task, model and training settings). */
export function experimentPreset(name: string): ExperimentPreset {
  const key = requireOneOf("name", name, Object.keys(PRESETS));
  return JSON.parse(JSON.stringify(PRESETS[key])) as ExperimentPreset;
}

/**
 * The task of B1 preset `name` (e.g. presetTask("fig4-dcdt") = DCDT 10/50/50 ms, 500 copies per type: B = 1000,
 * S = 22), optionally with another number of copies per trial type (e.g. a smaller batch for a quick run).
 */
export function presetTask(name: string, options: { copies?: number } = {}): Task {
  const o = requireOptions<{ copies?: number }>("options", options, ["copies"]);
  const p = experimentPreset(name);
  const opts: WorkingMemoryOptions = { inputMs: p.task.inputMs, delayMs: p.task.delayMs, reactMs: p.task.reactMs, dt: p.task.dt, copies: o.copies ?? p.task.copies };
  const task = p.task.kind === "dcdt" ? dcdtTask(opts) : dmtsTask(opts);
  task.spec = { ...task.spec, preset: p.name };
  return task;
}

/** A per-step value of a custom task: a number (one dimension) or an array of numbers (one per dimension). */
export type StepValue = number | ArrayLike<number>;

/**
 * A custom task, by arrays or by per-type functions (see {@link defineTask}).
 * Arrays: `inputs` and `targets` as nested arrays [B][S][D] (or [B][S] for D = 1) or float64 ndarrays [B, S, D].
 * Functions: `steps`, `types`, `copies` and `input(type, step)`, `target(type, step)` returning a number or an array;
 * trial j then has type j mod types (the B1 batch order).
 */
export interface TaskDefinition {
  name: string;
  /** Time step in ms (default 5). */
  dt?: number;
  inputs?: F64Array | ArrayLike<ArrayLike<StepValue>>;
  targets?: F64Array | ArrayLike<ArrayLike<StepValue>>;
  /** Trial types [B] (array form; default 0, 1, …, B − 1). */
  trialTypes?: ArrayLike<number>;
  /** Loss weights, same forms and shape as targets (default: all ones). */
  mask?: F64Array | ArrayLike<ArrayLike<StepValue>> | null;
  /** Accuracy rule; default inferred: targets in {0, 1} → binary at 0.5, in {−1, 0, 1} → ternary at 0.33, else none. */
  accuracy?: AccuracyRule;
  typeLabels?: string[];
  /** Function form: steps per trial (integer ≥ 1). */
  steps?: number;
  /** Function form: number of trial types (integer ≥ 1). */
  types?: number;
  /** Function form: copies of each type (default 1). */
  copies?: number;
  input?: (type: number, step: number) => StepValue;
  target?: (type: number, step: number) => StepValue;
  maskAt?: (type: number, step: number) => StepValue;
}

const DEFINE_KEYS = ["name", "dt", "inputs", "targets", "trialTypes", "mask", "accuracy", "typeLabels", "steps", "types", "copies", "input", "target", "maskAt"];

function stepVector(name: string, v: unknown, dim: number | null): number[] {
  if (typeof v === "number") return [v];
  if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    const a = Array.from(v as ArrayLike<number>);
    if (a.length === 0 || (dim !== null && a.length !== dim)) throw new GhostError(name, v, dim === null ? "a number or a non-empty array of numbers" : `a number or an array of ${dim} numbers (one per dimension)`);
    a.forEach((x, i) => { if (typeof x !== "number") throw new GhostError(`${name}[${i}]`, x, "a number"); });
    return a;
  }
  throw new GhostError(name, v, "a number or an array of numbers");
}

/** Nested [B][S][D] (or [B][S]) numbers or a float64 ndarray → a contiguous [B, S, D] float64 ndarray (copied). */
function toBatchArray(name: string, v: unknown): F64Array {
  if (isFloat64Nd(v)) {
    if (v.shape.length !== 3) throw new GhostError(name, v, "a float64 ndarray of shape [B, S, D]");
    const out = ndFloat64(v.shape.slice());
    const [B, S, D] = v.shape;
    for (let b = 0; b < B; b++) for (let t = 0; t < S; t++) for (let d = 0; d < D; d++) out.data[(b * S + t) * D + d] = v.get(b, t, d);
    return out;
  }
  if (!Array.isArray(v) || v.length === 0) throw new GhostError(name, v, "a non-empty array of trials [B][S][D] (or [B][S]) or a float64 ndarray [B, S, D]");
  const B = v.length;
  const first = v[0];
  if (!Array.isArray(first) || first.length === 0) throw new GhostError(`${name}[0]`, first, "a non-empty array of steps");
  const S = first.length;
  const D = stepVector(`${name}[0][0]`, first[0], null).length;
  if (B * S * D > MAX_TASK_ENTRIES) throw new GhostError(name, v, `at most ${MAX_TASK_ENTRIES} entries`);
  const out = ndFloat64([B, S, D]);
  for (let b = 0; b < B; b++) {
    const trial = v[b];
    if (!Array.isArray(trial) || trial.length !== S) throw new GhostError(`${name}[${b}]`, trial, `an array of S = ${S} steps (every trial has the same length)`);
    for (let t = 0; t < S; t++) out.data.set(stepVector(`${name}[${b}][${t}]`, trial[t], D), (b * S + t) * D);
  }
  return out;
}

function inferRule(targets: F64Array): AccuracyRule {
  let binary = true, ternary = true;
  for (const y of targets.data) {
    if (y !== 0 && y !== 1) binary = false;
    if (y !== 0 && y !== 1 && y !== -1) ternary = false;
  }
  return binary ? { kind: "binary", threshold: 0.5 } : ternary ? { kind: "ternary", threshold: 0.33 } : { kind: "none" };
}

/**
 * Builds (and validates, {@link validateTask}) a custom task. Array form:
 *   defineTask({ name: "go-no-go", inputs: [[1, 0, 0, 0], [-1, 0, 0, 0]], targets: [[0, 0, 1, 1], [0, 0, 0, 0]] })
 * (B = 2 trials of S = 4 steps, one input and one output; nested [B][S][D] arrays for D > 1). Function form:
 *   defineTask({ name: "go-no-go", steps: 4, types: 2, copies: 3,
 *                input: (type, t) => (t === 0 ? 1 - 2 * type : 0), target: (type, t) => (t >= 2 && type === 0 ? 1 : 0) })
 * (trial j has type j mod types). Unknown keys, ragged arrays, NaN entries and an empty batch give a GhostError.
 */
export function defineTask(definition: TaskDefinition): Task {
  const d = requireOptions<TaskDefinition>("definition", definition, DEFINE_KEYS);
  if (definition === undefined) throw new GhostError("definition", definition, "a task definition { name, inputs, targets } or { name, steps, types, input, target }");
  const dt = requirePositive("definition.dt", d.dt ?? 5);
  const fnForm = d.input !== undefined || d.target !== undefined || d.steps !== undefined || d.types !== undefined;
  let inputs: F64Array, targets: F64Array, mask: F64Array | null = null, trialTypes: Int32Array;
  if (fnForm) {
    for (const k of ["inputs", "targets", "trialTypes", "mask"] as const) {
      if (d[k] !== undefined) throw new GhostError(`definition.${k}`, d[k], "absent in the function form (steps, types, copies, input, target, maskAt)");
    }
    const S = requireInteger("definition.steps", d.steps, 1, 1_000_000);
    const types = requireInteger("definition.types", d.types, 1, 1_000_000);
    const copies = requireInteger("definition.copies", d.copies ?? 1, 1, 1_000_000);
    for (const k of ["input", "target", "maskAt"] as const) {
      if ((k !== "maskAt" || d[k] !== undefined) && typeof d[k] !== "function") throw new GhostError(`definition.${k}`, d[k], "a function (type, step) => number | number[]");
    }
    const B = types * copies;
    const evalRows = (fn: (type: number, step: number) => StepValue, label: string): F64Array => {
      const rows: number[][][] = [];
      let D = -1;
      for (let k = 0; k < types; k++) {
        const row: number[][] = [];
        for (let t = 0; t < S; t++) {
          const v = stepVector(`definition.${label}(${k}, ${t})`, fn(k, t), D < 0 ? null : D);
          D = v.length;
          row.push(v);
        }
        rows.push(row);
      }
      if (B * S * D > MAX_TASK_ENTRIES) throw new GhostError("definition.copies", copies, `a batch of at most ${MAX_TASK_ENTRIES} entries`);
      const out = ndFloat64([B, S, D]);
      for (let j = 0; j < B; j++) for (let t = 0; t < S; t++) out.data.set(rows[j % types][t], (j * S + t) * D);
      return out;
    };
    inputs = evalRows(d.input!, "input");
    targets = evalRows(d.target!, "target");
    if (d.maskAt !== undefined) mask = evalRows(d.maskAt, "maskAt");
    trialTypes = Int32Array.from({ length: B }, (_, j) => j % types);
  } else {
    if (d.copies !== undefined || d.maskAt !== undefined) throw new GhostError("definition.copies", d.copies ?? d.maskAt, "absent in the array form (inputs, targets, trialTypes, mask)");
    inputs = toBatchArray("definition.inputs", d.inputs);
    targets = toBatchArray("definition.targets", d.targets);
    if (d.mask !== undefined && d.mask !== null) mask = toBatchArray("definition.mask", d.mask);
    const B = inputs.shape[0];
    if (d.trialTypes === undefined) trialTypes = Int32Array.from({ length: B }, (_, j) => j);
    else {
      const tt = d.trialTypes;
      if (!(Array.isArray(tt) || (ArrayBuffer.isView(tt) && !(tt instanceof DataView))) || tt.length !== B) throw new GhostError("definition.trialTypes", tt, `an array of B = ${B} integers >= 0`);
      trialTypes = new Int32Array(B);
      for (let j = 0; j < B; j++) trialTypes[j] = requireInteger(`definition.trialTypes[${j}]`, tt[j], 0, 2 ** 31 - 1);
    }
    if (targets.shape[0] !== B || targets.shape[1] !== inputs.shape[1]) {
      throw new GhostError("definition.targets", d.targets, `targets for the same B = ${B} trials of S = ${inputs.shape[1]} steps as the inputs`, `got shape ${shapeString(targets.shape)}`);
    }
  }
  if (typeof d.name !== "string" || d.name.length === 0) throw new GhostError("definition.name", d.name, "a non-empty string");
  for (let i = 0; i < targets.data.length; i++) if (!Number.isFinite(targets.data[i])) throw new GhostError(`definition.targets(flat ${i})`, targets.data[i], "a finite number");
  const accuracy = d.accuracy === undefined ? inferRule(targets) : requireRule("definition.accuracy", d.accuracy);
  const task: Task = { name: d.name, dt, inputs, targets, trialTypes, mask, accuracy, spec: { task: "custom", name: d.name } };
  if (d.typeLabels !== undefined) task.typeLabels = d.typeLabels;
  return validateTask(task);
}
