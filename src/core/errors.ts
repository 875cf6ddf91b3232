/**
 * The library's one error class and the validation helpers every public function uses.
 *
 * Every message names the parameter, shows the bad value and states what is allowed, e.g.
 * `learningRate = -0.1 is not allowed: expected a finite number > 0`.
 */

/** Error thrown by every public entry point of ghost-mechanism on bad input. */
export class GhostError extends Error {
  /** Name of the offending parameter (e.g. `"learningRate"`). */
  readonly parameter: string;
  /** The value that was rejected (as passed). */
  readonly value: unknown;
  /** Human-readable description of the allowed values. */
  readonly allowed: string;

  constructor(parameter: string, value: unknown, allowed: string, detail?: string) {
    const name = safeString(parameter);
    super(
      `${name} = ${describeValue(value)} is not allowed: expected ${safeString(allowed)}` +
        (detail ? ` (${safeString(detail)})` : ""),
    );
    this.name = "GhostError";
    this.parameter = name;
    this.value = value;
    this.allowed = allowed;
  }
}

/** String(x) that never throws (objects without a prototype, symbols). */
function safeString(x: unknown): string {
  if (typeof x === "string") return x;
  try {
    return String(x);
  } catch {
    return Object.prototype.toString.call(x);
  }
}

/** Short printable form of any value, for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    return String(value);
  }
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value);
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (ArrayBuffer.isView(value) || Array.isArray(value)) {
    const arr = value as ArrayLike<unknown>;
    return `${Array.isArray(value) ? "Array" : value.constructor.name}(length ${arr.length})`;
  }
  if (typeof value === "object") return `object ${safeJson(value)}`;
  return safeString(value);
}

function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? safeString(v) : s.length > 60 ? s.slice(0, 57) + "..." : s;
  } catch {
    return safeString(v);
  }
}

/** Throws unless `value` is a finite number. Returns it narrowed. */
export function requireFinite(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new GhostError(name, value, "a finite number");
  }
  return value;
}

/** Throws unless `value` is a finite number strictly greater than 0. */
export function requirePositive(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new GhostError(name, value, "a finite number > 0");
  }
  return value;
}

/** Throws unless `value` is a finite number ≥ 0. */
export function requireNonNegative(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new GhostError(name, value, "a finite number >= 0");
  }
  return value;
}

/** The bounds of a range check must be numbers (a programming error otherwise). */
function requireBounds(min: unknown, max: unknown): void {
  if (typeof min !== "number" || typeof max !== "number" || Number.isNaN(min) || Number.isNaN(max)) {
    throw new GhostError("range bounds", [min, max], "two numbers [min, max]");
  }
}

/** Throws unless `value` is a finite number in [min, max] (inclusive unless told otherwise). */
export function requireInRange(
  name: string,
  value: unknown,
  min: number,
  max: number,
  opts: { minExclusive?: boolean; maxExclusive?: boolean } = {},
): number {
  requireBounds(min, max);
  if (opts === null || typeof opts !== "object") throw new GhostError("opts", opts, "an options object");
  const lo = opts.minExclusive ? "(" : "[";
  const hi = opts.maxExclusive ? ")" : "]";
  const allowed = `a finite number in ${lo}${min}, ${max}${hi}`;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new GhostError(name, value, allowed);
  if (opts.minExclusive ? value <= min : value < min) throw new GhostError(name, value, allowed);
  if (opts.maxExclusive ? value >= max : value > max) throw new GhostError(name, value, allowed);
  return value;
}

/** Throws unless `value` is an integer in [min, max]. */
export function requireInteger(name: string, value: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  requireBounds(min, max);
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new GhostError(name, value, `an integer ${range}`);
  }
  return value;
}

/** Throws unless `value` is a boolean. */
export function requireBoolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new GhostError(name, value, "true or false");
  return value;
}

/** Throws unless `value` is one of `options`. */
export function requireOneOf<T extends string>(name: string, value: unknown, options: readonly T[]): T {
  if (!Array.isArray(options)) throw new GhostError("options", options, "an array of the allowed strings");
  if (typeof value !== "string" || !(options as readonly string[]).includes(value)) {
    throw new GhostError(name, value, `one of ${options.map((o) => JSON.stringify(o)).join(", ")}`);
  }
  return value as T;
}

/** Throws unless `value` is a non-empty array-like of finite numbers (optionally of a given length). */
export function requireFiniteArray(
  name: string,
  value: unknown,
  opts: { length?: number; minLength?: number } = {},
): ArrayLike<number> {
  if (opts === null || typeof opts !== "object") throw new GhostError("opts", opts, "an options object { length?, minLength? }");
  if (opts.length !== undefined) requireInteger("opts.length", opts.length, 0);
  const minLength = requireInteger("opts.minLength", opts.minLength ?? 1, 0);
  const isArrayLike = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  const lengthText = opts.length !== undefined ? `of length ${opts.length}` : `of length >= ${minLength}`;
  const allowed = `an array of finite numbers ${lengthText}`;
  if (!isArrayLike) throw new GhostError(name, value, allowed);
  const arr = value as ArrayLike<unknown>;
  if (opts.length !== undefined ? arr.length !== opts.length : arr.length < minLength) {
    throw new GhostError(name, value, allowed);
  }
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new GhostError(`${name}[${i}]`, v, "a finite number");
    }
  }
  return arr as ArrayLike<number>;
}

/** Throws unless `value` is a finite, strictly increasing array with at least `minLength` entries. */
export function requireIncreasing(name: string, value: unknown, minLength = 2): ArrayLike<number> {
  const arr = requireFiniteArray(name, value, { minLength });
  for (let i = 1; i < arr.length; i++) {
    if (!(arr[i] > arr[i - 1])) {
      throw new GhostError(`${name}[${i}]`, arr[i], `a value > ${name}[${i - 1}] = ${arr[i - 1]} (strictly increasing)`);
    }
  }
  return arr;
}

/** Throws unless `value` is a plain object (for options bags). `undefined` is accepted and returns `{}`. */
export function requireOptions<T extends object>(name: string, value: unknown): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new GhostError(name, value, "an options object or undefined");
  }
  return value as Partial<T>;
}
