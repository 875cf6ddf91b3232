/**
 * The library's one error class and the validation helpers every public function uses.
 *
 * Every message names the parameter, shows the bad value and states what is allowed, e.g.
 * `learningRate = -0.1 is not allowed: expected a finite number > 0`.
 *
 * In a tslab notebook an uncaught GhostError prints as its one-line message plus the student's own cell line
 * (instead of ~20 lines of library source, node:vm and tslab frames and a `{parameter, value, allowed}` dump);
 * `error.stack` keeps the full stack, and GHOST_STACK=1 in the kernel's environment (`process.env.GHOST_STACK =
 * "1"` in a cell works too) prints it as before. Everywhere else (scripts, the CLI, tests) nothing changes.
 */
import * as util from "util";
import { cellLineOf, currentCellSource, inTslab, installCellSourceCapture } from "./kernelContext";

installCellSourceCapture(); // records the running cell's source in a tslab kernel (no-op elsewhere)

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

  /**
   * How `console.log` / `util.inspect` (and so tslab, for an uncaught error) print it: in a tslab kernel without
   * GHOST_STACK, the short form of {@link shortErrorText}; otherwise Node's default (stack and fields).
   */
  [Symbol.for("nodejs.util.inspect.custom")](_depth: number, options: util.InspectOptions): string {
    if (inTslab() && !fullStackWanted()) return shortErrorText(this);
    return util.inspect(this, { ...(options ?? {}), customInspect: false });
  }
}

/** GHOST_STACK set to anything but "", "0" or "false": print full stacks in notebooks. */
function fullStackWanted(): boolean {
  const v = process.env.GHOST_STACK;
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

/**
 * The short form of an error for a notebook: `Name: message`, the cell line that called the library when it can
 * be told, and how to get the full stack.
 */
function shortErrorText(error: Error): string {
  const head = `${error.name}: ${error.message}`;
  const where = cellLineOf(String(error.stack ?? ""), currentCellSource());
  return head + (where ? `\n  in your cell, line ${where.line}: ${where.text}` : "") +
    `\n  (full stack: error.stack, or process.env.GHOST_STACK = "1" and re-run)`;
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
  if (isNdLike(value)) {
    const a = value as { data: { constructor?: { name?: unknown } }; shape: number[] };
    const kind = typeof a.data.constructor?.name === "string" ? a.data.constructor.name : "data";
    return `ndarray(${kind}, shape [${a.shape.join(", ")}])`;
  }
  if (typeof value === "object") return `object ${safeJson(value)}`;
  return safeString(value);
}

/** An ndarray-shaped object ({ data, shape: number[], stride: number[] }): described by its type and shape. */
function isNdLike(v: unknown): boolean {
  if (v === null || typeof v !== "object") return false;
  const a = v as { data?: unknown; shape?: unknown; stride?: unknown };
  return a.data !== null && typeof a.data === "object" && Array.isArray(a.shape) && a.shape.every((d) => typeof d === "number") && Array.isArray(a.stride);
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

/** Options of {@link requireNumbers}. */
export interface NumbersOptions {
  /** Exact length. */
  length?: number;
  /** Minimum length (default 0). */
  minLength?: number;
  /** Maximum length (default: none). */
  maxLength?: number;
  /** Every entry must be finite (default false: NaN/±Infinity allowed, as in plotted data or diverged runs). */
  finite?: boolean;
  /** Entries may be null (gaps), default false. */
  nullable?: boolean;
  /** Every entry must be an integer (implies finite). */
  integer?: boolean;
  /** Numeric typed arrays (Float64Array, …) are accepted too (default false: plain arrays only). */
  typed?: boolean;
}

const NUMBERS_OPTIONS = ["length", "minLength", "maxLength", "finite", "nullable", "integer", "typed"];

/** The caller's NumbersOptions, checked (integer lengths ≥ 0, boolean flags, no unknown keys). */
function checkNumbersOptions(options: unknown): NumbersOptions {
  const o = requireOptions<NumbersOptions>("options", options, NUMBERS_OPTIONS);
  for (const k of ["length", "minLength", "maxLength"] as const) if (o[k] !== undefined) requireInteger(`options.${k}`, o[k]);
  for (const k of ["finite", "nullable", "integer", "typed"] as const) if (o[k] !== undefined) requireBoolean(`options.${k}`, o[k]);
  return o;
}

/**
 * Throws unless `value` is an array (or, with `typed`, a typed array other than a DataView) of numbers with the
 * given length bounds; entries may be NaN/±Infinity unless `finite` or `integer`. Holes are rejected (they read
 * as undefined). Returns it.
 */
export function requireNumbers(name: string, value: unknown, options: NumbersOptions = {}): number[] {
  const opts = checkNumbersOptions(options);
  const kind = opts.integer ? "integers" : opts.finite ? "finite numbers" : "numbers";
  const size = opts.length !== undefined ? ` of length ${opts.length}` : opts.minLength ? ` with at least ${opts.minLength} entr${opts.minLength === 1 ? "y" : "ies"}` : "";
  const allowed = `an array${opts.typed ? " (or typed array)" : ""}${size} of ${kind}${opts.nullable ? " or null" : ""}`;
  const typed = opts.typed === true && ArrayBuffer.isView(value) && !(value instanceof DataView);
  if (!Array.isArray(value) && !typed) throw new GhostError(name, value, allowed);
  const arr = value as ArrayLike<unknown>;
  if (opts.maxLength !== undefined && arr.length > opts.maxLength) throw new GhostError(name, value, `${allowed} (at most ${opts.maxLength} entries)`);
  if (opts.length !== undefined ? arr.length !== opts.length : arr.length < (opts.minLength ?? 0)) {
    throw new GhostError(name, value, allowed);
  }
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (v === null && opts.nullable) continue;
    const ok = typeof v === "number" && (opts.integer ? Number.isInteger(v) : !opts.finite || Number.isFinite(v));
    if (!ok) throw new GhostError(`${name}[${i}]`, v, `${opts.integer ? "an integer" : opts.finite ? "a finite number" : "a number"}${opts.nullable ? " or null" : ""}`);
  }
  return value as number[];
}

/**
 * Throws unless `value` is an array of `rows` rows, each passing {@link requireNumbers} with length `cols` and
 * `rowOptions` (a [rows][cols] matrix; NaN allowed unless the options say otherwise). Returns it.
 */
export function requireNumberMatrix(name: string, value: unknown, rows: number, cols: number, rowOptions: NumbersOptions = {}): number[][] {
  requireInteger("rows", rows);
  requireInteger("cols", cols);
  checkNumbersOptions(rowOptions);
  if (!Array.isArray(value) || value.length !== rows) throw new GhostError(name, value, `an array of ${rows} rows of ${cols} numbers`);
  for (let i = 0; i < rows; i++) requireNumbers(`${name}[${i}]`, value[i], { ...rowOptions, length: cols }); // holes too
  return value as number[][];
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

/**
 * Throws unless `value` is a non-null object that is neither an array nor a typed array (a record of named
 * fields: a config, a result, a History); returns it as a record. `allowed` describes what was expected.
 */
export function requireObject(name: string, value: unknown, allowed = "an object"): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new GhostError(name, value, allowed);
  }
  return value as Record<string, unknown>;
}

/** Throws unless `value` is a number; NaN and ±Infinity are accepted (data of diverged runs, gaps in plots). */
export function requireNumber(name: string, value: unknown, allowed = "a number (NaN allowed)"): number {
  if (typeof value !== "number") throw new GhostError(name, value, allowed);
  return value;
}

/**
 * Throws unless `value` is a plain object (for options bags). `undefined` is accepted and returns `{}`. With
 * `allowedKeys`, an own key outside the list (a misspelled option, e.g. `horizn`) is refused too, naming
 * `<name>.<key>` and listing the options that exist: a typo never silently falls back to a default.
 */
export function requireOptions<T extends object>(name: string, value: unknown, allowedKeys?: readonly string[]): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new GhostError(name, value, "an options object or undefined");
  }
  if (allowedKeys !== undefined) {
    if (!Array.isArray(allowedKeys) || !allowedKeys.every((k) => typeof k === "string")) {
      throw new GhostError("allowedKeys", allowedKeys, "an array of option names (strings) or undefined");
    }
    for (const key of Object.keys(value)) {
      if (!allowedKeys.includes(key)) {
        throw new GhostError(`${name}.${key}`, (value as Record<string, unknown>)[key], `a known option name (${allowedKeys.join(", ")}); "${key}" is not one`);
      }
    }
  }
  return value as Partial<T>;
}
