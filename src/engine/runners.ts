/**
 * The runner registry: named, pure run functions that a sweep applies to each config.
 *
 * Worker threads cannot receive functions, so a sweep names its runner (`runSweep({ runner: "rankOneTrain", … })`)
 * and every thread looks the name up here. The engine knows no model and no figure: runners are registered by the
 * layers above (the library's own in protocols/runners.ts), and a definition names the module that registers it
 * (`module`), which every worker thread loads before looking the name up, so a name always means the same code.
 * The engine registers only `selfTest`, a cheap deterministic computation that tests the machinery.
 *
 * A runner must be **pure**: its result depends only on its config (which carries its own seed), never on the
 * thread, the time or the order of runs. That is what makes a parallel sweep equal a serial one bit for bit and
 * what makes caching results by config sound. Its result must be JSON-serialisable data (typed arrays are stored
 * as number[]; NaN/±Infinity/−0 survive, see core/io).
 *
 * To add a runner from outside the library, put `registerRunner({ ..., module: __filename })` in a module of your
 * own and import it in the main thread (or pass its absolute path in `runSweep({ modules: [path] })`).
 */
import * as path from "path";
import { GhostError, requireBoolean, requireInteger, requireOptions } from "../core/errors";
import { Rng } from "../core/rng";

/**
 * What a run may use besides its config (the second argument of `run`; optional, and nothing in it may change the
 * result): a progress callback. In a worker thread (engine.runInWorker) the calls are forwarded to the caller's
 * `onProgress`; sweeps report whole runs and pass none.
 */
export interface RunContext {
  /** Progress of this run: (done, total) in the runner's own units (e.g. epochs), at most ~100 calls. */
  onProgress?: (done: number, total: number) => void;
}

/** A registered runner. `C` is the config type, `R` the result type. */
export interface RunnerDefinition<C = any, R = unknown> {
  /** Unique name, a file-name-safe identifier: letters, digits, `_` or `-`, starting with a letter. */
  name: string;
  /**
   * Version of the runner's algorithm/result layout. It is part of the cache key: bump it whenever the runner's
   * output for a given config changes, so stale cached results are not reused. Non-empty string.
   */
  version: string;
  /**
   * Optional: the part of the numerics that changes a run's result but is neither in its config nor in the code,
   * e.g. which kernels compute it (`() => kernelMode()`). Its current value joins the version in every cache key
   * ({@link runnerCacheVersion}), so results computed one way are never returned for the other.
   */
  variant?: () => string;
  /** One line: what a run computes and what the result holds. */
  description: string;
  /**
   * Absolute path of the compiled module that registers this runner (usually `__filename`); worker threads load
   * it before looking the runner up. Omit only for runners that need no worker (serial sweeps) or whose module
   * is passed in `runSweep({ modules })`.
   */
  module?: string;
  /**
   * The pure run function: config → result (or a Promise of it, for the asynchronous sweep only). `context` (may be
   * absent) only reports progress; the result must not depend on it.
   */
  run: (config: C, context?: RunContext) => R | Promise<R>;
  /** Optional up-front validation (throws GhostError); a sweep checks every config before starting any work. */
  validate?: (config: C) => void;
  /**
   * Optional estimate of a run's cost (finite, ≥ 0; any unit proportional to its CPU time, e.g. epochs × network
   * work per epoch), called on validated configs. Sharded sweeps balance their shards by it (shard.ts); without it
   * every run counts 1.
   */
  cost?: (config: C) => number;
}

const registry = new Map<string, RunnerDefinition>();
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * Registers a runner under `def.name`. Registering the same name twice throws unless `replace` is true (a
 * module loaded twice, e.g. by jest's module isolation, may pass `replace: true`).
 */
export function registerRunner<C, R>(def: RunnerDefinition<C, R>, opts: { replace?: boolean } = {}): void {
  if (typeof def?.name !== "string" || !NAME_PATTERN.test(def.name)) {
    throw new GhostError("name", def?.name, "an identifier of letters, digits, _ or - starting with a letter (max 64)");
  }
  if (typeof def.version !== "string" || def.version.length === 0) throw new GhostError("version", def.version, "a non-empty string");
  if (typeof def.run !== "function") throw new GhostError("run", def.run, "a function config → result");
  if (def.cost !== undefined && typeof def.cost !== "function") throw new GhostError("cost", def.cost, "a function config → estimated cost, or undefined");
  if (def.variant !== undefined && typeof def.variant !== "function") throw new GhostError("variant", def.variant, "a function () => string or undefined");
  if (def.module !== undefined && (typeof def.module !== "string" || !path.isAbsolute(def.module))) {
    throw new GhostError("module", def.module, "an absolute path of the module that registers the runner, or undefined");
  }
  if (registry.has(def.name) && !opts.replace) {
    throw new GhostError("name", def.name, "a runner name not registered yet (pass { replace: true } to replace)");
  }
  registry.set(def.name, def as RunnerDefinition);
}

/**
 * The version string a runner's results are cached under: `version`, plus `+<variant>` when the runner declares
 * a variant (e.g. "1+js" or "1+wasm" for the kernel mode).
 */
export function runnerCacheVersion(def: RunnerDefinition): string {
  if (def === null || typeof def !== "object" || typeof def.version !== "string") throw new GhostError("def", def, "a RunnerDefinition");
  if (def.variant === undefined) return def.version;
  if (typeof def.variant !== "function") throw new GhostError("def.variant", def.variant, "a function () => string or undefined");
  const v = def.variant();
  if (typeof v !== "string" || v.length === 0) throw new GhostError(`variant of runner ${def.name}`, v, "a non-empty string");
  return `${def.version}+${v}`;
}

/** The runner registered under `name`; throws a GhostError listing the known names otherwise. */
export function getRunner(name: string): RunnerDefinition {
  const def = typeof name === "string" ? registry.get(name) : undefined;
  if (!def) throw new GhostError("runner", name, `one of ${[...registry.keys()].map((n) => JSON.stringify(n)).join(", ")}`);
  return def;
}

/** Name, version and description of every registered runner, in registration order. */
export function listRunners(): { name: string; version: string; description: string }[] {
  return [...registry.values()].map(({ name, version, description }) => ({ name, version, description }));
}

// ------------------------------------------------------------------------------------------------------------
// Built-in runners
// ------------------------------------------------------------------------------------------------------------

/** Config of the `selfTest` runner. */
export interface SelfTestConfig {
  /** Seed of the run's own Rng (integer >= 0). */
  seed: number;
  /** Number of values to produce, integer in [1, 100000]. */
  count: number;
  /** Iterations of the chaotic map per value, integer in [0, 100000]; default 100 (the CPU work of a run). */
  iterations?: number;
  /** Sleep this long (milliseconds, integer in [0, 60000]) without using the CPU; default 0. For tests. */
  sleepMs?: number;
  /** If true, the run throws a GhostError after its sleep (to test error reporting). Default false. */
  fail?: boolean;
}

/** Result of the `selfTest` runner. */
export interface SelfTestResult {
  seed: number;
  /** values[k] = x after `iterations` steps of x ← tanh(1.7 x + 0.3 z_k) + 0.1 sin(3 x), x_0 = z_k ~ N(0, 1). */
  values: number[];
  /** Sum of values (left to right). */
  sum: number;
}

function validateSelfTest(config: SelfTestConfig): void {
  const c = requireOptions<SelfTestConfig>("config", config);
  requireInteger("seed", c.seed, 0);
  requireInteger("count", c.count, 1, 100000);
  if (c.iterations !== undefined) requireInteger("iterations", c.iterations, 0, 100000);
  if (c.sleepMs !== undefined) requireInteger("sleepMs", c.sleepMs, 0, 60000);
  if (c.fail !== undefined) requireBoolean("fail", c.fail);
}

/**
 * The `selfTest` runner: a cheap, deterministic, floating-point-heavy computation used to test the sweep engine
 * (bit identity across threads, caching, resuming). See {@link SelfTestResult} for what it computes.
 */
export function runSelfTest(config: SelfTestConfig): SelfTestResult {
  validateSelfTest(config);
  if (config.sleepMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, config.sleepMs);
  if (config.fail) throw new GhostError("fail", true, "false", "selfTest was asked to fail");
  const rng = new Rng(config.seed);
  const iterations = config.iterations ?? 100;
  const values = new Array<number>(config.count);
  let sum = 0;
  for (let k = 0; k < config.count; k++) {
    const z = rng.normal();
    let x = z;
    for (let i = 0; i < iterations; i++) x = Math.tanh(1.7 * x + 0.3 * z) + 0.1 * Math.sin(3 * x);
    values[k] = x;
    sum += x;
  }
  return { seed: config.seed, values, sum };
}

registerRunner<SelfTestConfig, SelfTestResult>({
  name: "selfTest",
  version: "1",
  description: "cheap deterministic test computation {seed, count, iterations?, sleepMs?, fail?} → {values, sum}",
  module: __filename,
  run: runSelfTest,
  validate: validateSelfTest,
  // ≈ 50 map iterations per microsecond of CPU; a sleep costs its length.
  cost: (c) => c.count * ((c.iterations ?? 100) + 1) + 50_000 * (c.sleepMs ?? 0),
});
