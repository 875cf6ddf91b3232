/**
 * Shared pieces of the property-based tests (fast-check): run counts, a pool of hostile values, and the
 * "only a GhostError, never anything else" assertion.
 *
 * Run counts are kept modest so the property suite runs in CI on 2 shared cores; set GHOST_FC_RUNS=k to multiply
 * every count by k (e.g. for a long local fuzzing session).
 *
 * Seeds: by default every property runs from the fixed seed {@link DEFAULT_FC_SEED}, so `npm test` checks the same
 * inputs on every machine and a red CI is never a coin toss. GHOST_FC_SEED=<integer> runs another seed (or replays
 * the one a failure printed); GHOST_FC_SEED=random lets fast-check draw a fresh seed per property (exploration —
 * a failure prints its seed, which GHOST_FC_SEED then replays with the same GHOST_FC_RUNS; `npm run fuzz`).
 */
import fc from "fast-check";
import { GhostError } from "../../src/core/errors";

/** Multiplier of every numRuns (env GHOST_FC_RUNS, default 1). */
export const RUN_SCALE = Math.max(1, Number(process.env.GHOST_FC_RUNS ?? 1) || 1);

/** The seed every property uses unless GHOST_FC_SEED says otherwise. */
export const DEFAULT_FC_SEED = 20250105;

/** The fast-check seed from GHOST_FC_SEED: unset → DEFAULT_FC_SEED, "random" → undefined (fresh), else an integer. */
export function fcSeed(env: string | undefined = process.env.GHOST_FC_SEED): number | undefined {
  if (env === undefined || env === "") return DEFAULT_FC_SEED;
  if (env === "random") return undefined;
  const seed = Number(env);
  if (!Number.isInteger(seed)) throw new Error(`GHOST_FC_SEED = ${JSON.stringify(env)} is not allowed: expected an integer or "random"`);
  return seed;
}

/** fast-check parameters: `runs` scaled by GHOST_FC_RUNS, seed from {@link fcSeed}. */
export function fcParams<T>(runs: number): fc.Parameters<T> {
  const seed = fcSeed();
  return { numRuns: Math.round(runs * RUN_SCALE), ...(seed !== undefined ? { seed } : {}) };
}

/**
 * Hostile values for any argument: wrong types, non-finite and edge numbers, huge counts that would allocate
 * gigabytes if not rejected, malformed arrays and objects, functions, symbols, bigints.
 */
export function hostileValues(): unknown[] {
  return [
    undefined, null, NaN, Infinity, -Infinity, -1, 0, -0, 0.5, 1, 2, 3, 1e308, -1e308, 2 ** 31, 2 ** 40, 2 ** 53,
    Number.MIN_VALUE, "1", "", "x", true, false, [], [NaN], [1, 2, 3], [3, 2, 1], [1, 1], {}, { length: 3 },
    new Float64Array(0), new Float64Array([NaN, 1]), new Float64Array([1, 2, 3]), new Int32Array(2), () => 1,
    Symbol("s"), BigInt(10), new Map(), new Set([1]), new Date(0), Object.create(null), { f: () => NaN, df: () => NaN },
    { f: (k: number) => k, df: () => 1 }, { config: null, params: {} }, [{}], [[1, 2], [3]],
  ];
}

/** An arbitrary over {@link hostileValues} plus small fast-check `anything()` trees. */
export function hostile(): fc.Arbitrary<unknown> {
  const pool = hostileValues();
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pool) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2, maxKeys: 3, withBoxedValues: false }) },
  );
}

/** Short printable form of a value for failure messages (never throws). */
export function show(v: unknown): string {
  try {
    if (typeof v === "bigint") return `${v}n`;
    if (typeof v === "symbol") return v.toString();
    if (typeof v === "function") return "function";
    if (ArrayBuffer.isView(v)) return `${v.constructor.name}[${Array.from(v as unknown as ArrayLike<number>).slice(0, 5).join(",")}]`;
    const s = JSON.stringify(v, (_k, x) => (typeof x === "number" && !Number.isFinite(x) ? String(x) : typeof x === "bigint" ? `${x}n` : x));
    return s === undefined ? String(v) : s.length > 120 ? s.slice(0, 117) + "..." : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** The outcome of calling `fn`: "ok", "ghost" (a GhostError), or the other error (returned for the assertion). */
export function outcome(fn: () => unknown): { kind: "ok"; value: unknown } | { kind: "ghost"; error: GhostError } | { kind: "other"; error: unknown } {
  try {
    return { kind: "ok", value: fn() };
  } catch (e) {
    return e instanceof GhostError ? { kind: "ghost", error: e } : { kind: "other", error: e };
  }
}

/**
 * Asserts that `fn` throws a GhostError whose parameter (or message) matches `parameter` (a string that the
 * GhostError's `parameter` must contain, or a RegExp tested on the message). Returns the error.
 */
export function expectGhost(fn: () => unknown, parameter?: string | RegExp, context = ""): GhostError {
  const r = outcome(fn);
  if (r.kind === "ok") throw new Error(`${context}: expected a GhostError, the call returned ${show(r.value)}`);
  if (r.kind === "other") {
    const e = r.error as Error;
    throw new Error(`${context}: expected a GhostError, got ${e?.constructor?.name ?? typeof e}: ${e?.message ?? String(e)}`);
  }
  const e = r.error;
  if (typeof parameter === "string" && !e.parameter.includes(parameter)) {
    throw new Error(`${context}: GhostError names parameter "${e.parameter}", expected one containing "${parameter}" (message: ${e.message})`);
  }
  if (parameter instanceof RegExp && !parameter.test(e.message)) {
    throw new Error(`${context}: GhostError message ${JSON.stringify(e.message)} does not match ${parameter}`);
  }
  if (!/ is not allowed: expected /.test(e.message)) throw new Error(`${context}: message lacks "is not allowed: expected": ${e.message}`);
  return e;
}
