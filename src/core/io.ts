/**
 * Safe files: atomic writes and checksummed, versioned JSON.
 *
 * Used by the sweep cache (src/engine/cache.ts) and by training checkpoints. Three guarantees:
 *
 * 1. **Atomic.** {@link writeFileAtomic} writes a temporary file in the destination's directory, flushes it to
 *    disk (fsync), then renames it over the destination (rename is atomic on POSIX file systems within one
 *    directory). A reader therefore sees either the old complete file or the new complete file, never a
 *    half-written one, even if the writer is killed with SIGKILL at any instant. At worst a stray
 *    `.<name>.<...>.tmp` file is left behind; readers never look at those.
 * 2. **Checked.** {@link writeCheckedJson} stores the payload inside an envelope together with the SHA-256 of its
 *    compact JSON text, a `kind` and a `schemaVersion`. {@link readCheckedJson} re-hashes the payload and refuses
 *    (throws a {@link GhostError}) a truncated, corrupted, foreign or wrong-version file;
 *    {@link tryReadCheckedJson} reports the same conditions as a value, so a cache can treat them as "missing".
 * 3. **Exact numbers.** Doubles are written with JavaScript's shortest round-trip representation, so a finite
 *    float64 survives write → read bit for bit. Values JSON cannot hold are tagged and restored exactly:
 *    NaN, +Infinity, −Infinity and −0 are written as `{"$number": "NaN" | "Infinity" | "-Infinity" | "-0"}`.
 *    Typed arrays (Float64Array, Int32Array, …) are written as plain number arrays and read back as `number[]`.
 *
 * Envelope layout (one JSON object; readable by any JSON parser):
 *
 *     { "format": "ghost-mechanism/checked-json", "formatVersion": 1, "kind": "...", "schemaVersion": 1,
 *       "libraryVersion": "0.1.0", "writtenAt": "2026-...Z", "sha256": "<64 hex>", "payload": ... }
 *
 * `sha256` is the SHA-256 of `JSON.stringify(payload)` in its encoded (tagged) form, compact, so the file may
 * be pretty-printed without changing the checksum.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { threadId } from "worker_threads";
import { LIBRARY_VERSION } from "../version";
import { GhostError, requireInteger, requireOptions } from "./errors";

/** The `format` string of every checked JSON envelope. */
export const CHECKED_JSON_FORMAT = "ghost-mechanism/checked-json";
/** Version of the envelope layout itself (not of the payload; that is `schemaVersion`). */
export const CHECKED_JSON_FORMAT_VERSION = 1;

/** Key used to tag numbers JSON cannot represent (NaN, ±Infinity, −0). Reserved: plain objects may not use it. */
const NUMBER_TAG = "$number";
/** Maximum nesting depth accepted when encoding (guards against cycles and runaway recursion). */
const MAX_DEPTH = 512;

/** SHA-256 of a string (UTF-8) or bytes, as 64 lowercase hex digits. */
export function sha256Hex(data: string | Uint8Array): string {
  if (typeof data !== "string" && !(data instanceof Uint8Array)) throw new GhostError("data", data, "a string or a Uint8Array");
  return crypto.createHash("sha256").update(data).digest("hex");
}

/**
 * Converts a value into a JSON-safe tree (plain objects, arrays, strings, finite numbers, booleans, null), the
 * form in which {@link writeCheckedJson} stores it. Rules: finite numbers unchanged except −0; NaN, ±Infinity,
 * −0 → `{"$number": "..."}`; typed arrays → number arrays; `undefined` object members dropped (as JSON does);
 * `undefined` array entries → null (as JSON does); Date → ISO string.
 *
 * @param sortKeys when true, object keys are emitted in sorted order (canonical form for hashing).
 * @throws GhostError for functions, symbols, bigints, Map, Set, cycles / nesting deeper than 512, and objects
 *   that use the reserved key "$number".
 */
export function toJsonSafe(value: unknown, sortKeys = false): unknown {
  return encodeValue(value, "value", 0, sortKeys);
}

function encodeNumber(x: number): unknown {
  if (Number.isNaN(x)) return { [NUMBER_TAG]: "NaN" };
  if (x === Infinity) return { [NUMBER_TAG]: "Infinity" };
  if (x === -Infinity) return { [NUMBER_TAG]: "-Infinity" };
  if (x === 0 && 1 / x < 0) return { [NUMBER_TAG]: "-0" };
  return x;
}

function encodeValue(value: unknown, where: string, depth: number, sortKeys: boolean): unknown {
  if (depth > MAX_DEPTH) {
    throw new GhostError(where, value, `nesting depth <= ${MAX_DEPTH}`, "cyclic or too deeply nested data");
  }
  switch (typeof value) {
    case "number":
      return encodeNumber(value);
    case "string":
    case "boolean":
      return value;
    case "undefined":
      return undefined;
    case "bigint":
    case "function":
    case "symbol":
      throw new GhostError(where, String(value), "JSON-serialisable data (numbers, strings, booleans, arrays, plain objects)");
  }
  if (value === null) return null;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const arr = value as unknown as ArrayLike<number | bigint>;
    const out = new Array<unknown>(arr.length);
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (typeof v !== "number") throw new GhostError(`${where}[${i}]`, String(v), "a number (BigInt64Array is not supported)");
      out[i] = encodeNumber(v);
    }
    return out;
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const e = encodeValue(value[i], `${where}[${i}]`, depth + 1, sortKeys);
      out[i] = e === undefined ? null : e;
    }
    return out;
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map || value instanceof Set || value instanceof ArrayBuffer || value instanceof DataView) {
    throw new GhostError(where, value, "JSON-serialisable data (convert Map/Set/ArrayBuffer to arrays or objects)");
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (sortKeys) keys.sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (k === NUMBER_TAG) {
      throw new GhostError(`${where}.${k}`, obj[k], `no member named "${NUMBER_TAG}" (reserved for non-finite numbers)`);
    }
    const e = encodeValue(obj[k], `${where}.${k}`, depth + 1, sortKeys);
    if (e !== undefined) out[k] = e;
  }
  return out;
}

/** Inverse of {@link toJsonSafe}'s number tagging: restores NaN, ±Infinity and −0 in a parsed JSON tree. */
export function fromJsonSafe<T = unknown>(tree: unknown): T {
  return decodeValue(tree, 0) as T;
}

function decodeValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_DEPTH) throw new GhostError("payload", "(deep)", `nesting depth <= ${MAX_DEPTH}`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (v !== null && typeof v === "object") value[i] = decodeValue(v, depth + 1);
    }
    return value;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === NUMBER_TAG) {
    switch (obj[NUMBER_TAG]) {
      case "NaN":
        return NaN;
      case "Infinity":
        return Infinity;
      case "-Infinity":
        return -Infinity;
      case "-0":
        return -0;
      default:
        throw new GhostError(NUMBER_TAG, obj[NUMBER_TAG], '"NaN", "Infinity", "-Infinity" or "-0"');
    }
  }
  for (const k of keys) {
    const v = obj[k];
    if (v !== null && typeof v === "object") obj[k] = decodeValue(v, depth + 1);
  }
  return obj;
}

/**
 * Compact JSON text of `value` in the encoded form of {@link toJsonSafe} (non-finite numbers and −0 tagged,
 * typed arrays as arrays). `JSON.parse` + {@link fromJsonSafe} restores every number bit for bit.
 */
export function encodeJson(value: unknown, indent?: number): string {
  return JSON.stringify(toJsonSafe(value), null, indent);
}

/** Parses text written by {@link encodeJson} and restores tagged numbers. Throws a GhostError on bad JSON. */
export function decodeJson<T = unknown>(text: string): T {
  if (typeof text !== "string") throw new GhostError("text", text, "a string of JSON text (written by encodeJson)");
  let tree: unknown;
  try {
    tree = JSON.parse(text);
  } catch (err) {
    throw new GhostError("text", text, "valid JSON text (written by encodeJson)", (err as Error).message);
  }
  return fromJsonSafe<T>(tree);
}

/**
 * Canonical JSON of `value`: the encoded form of {@link toJsonSafe} with object keys sorted at every level,
 * compact. Two values that differ only in key order give the same text; used to build cache keys.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(toJsonSafe(value, true));
}

let tempCounter = 0;

/**
 * Writes `data` to `file` atomically (synchronous): a temporary file `.<name>.<pid>.<thread>.<n>.<random>.tmp` is
 * created in the same directory, written, fsync-ed and renamed over `file`; the directory is then fsync-ed
 * (best effort). Missing parent directories are created. On any error the temporary file is removed and the
 * error is re-thrown; `file` keeps its previous content.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  if (typeof file !== "string" || file.length === 0) throw new GhostError("file", file, "a non-empty path");
  if (typeof data !== "string" && !(data instanceof Uint8Array)) throw new GhostError("data", data, "a string or a Uint8Array");
  const target = path.resolve(file);
  const dir = path.dirname(target);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw fileSystemError(file, err);
  }
  tempCounter = (tempCounter + 1) % 1e9;
  const tmp = path.join(
    dir,
    `.${path.basename(target)}.${process.pid}.${threadId}.${tempCounter}.${crypto.randomBytes(4).toString("hex")}.tmp`,
  );
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, "wx", 0o644);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let offset = 0;
    // Bounded: every successful writeSync advances offset by >= 1 byte (a 0-byte write is treated as an error).
    while (offset < bytes.length) {
      const n = fs.writeSync(fd, bytes, offset, bytes.length - offset);
      if (n <= 0) throw new Error(`writeFileAtomic: write to ${tmp} made no progress`);
      offset += n;
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* may not exist */
    }
    throw fileSystemError(file, err);
  }
  fsyncDirectory(dir);
}

/**
 * A file-system failure while writing `file` (its parent is a file, it is a directory, no permission, disk
 * full, …) as a GhostError naming the path and the system's reason; the original error is kept as `cause`.
 */
function fileSystemError(
  file: string,
  err: unknown,
  allowed = "a writable file path (not a directory; its parent a directory that exists or can be created)",
): GhostError {
  const e = err as NodeJS.ErrnoException;
  const g = new GhostError("file", file, allowed, `${e?.code ?? "error"}: ${e?.message ?? String(err)}`);
  (g as Error & { cause?: unknown }).cause = err;
  return g;
}

function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    /* not supported on every platform / file system; the rename itself is still atomic */
  } finally {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* ignore */
      }
    }
  }
}

/** True for the temporary files {@link writeFileAtomic} creates (`.<name>.<...>.tmp`). */
export function isAtomicTempFile(fileName: string): boolean {
  if (typeof fileName !== "string") throw new GhostError("fileName", fileName, "a file name or path string");
  const base = path.basename(fileName);
  return base.startsWith(".") && base.endsWith(".tmp");
}

/** Options of {@link writeCheckedJson}. */
export interface WriteCheckedJsonOptions {
  /** What the payload is, e.g. "sweep-result", "checkpoint", "figure-result". Non-empty, checked on read. */
  kind: string;
  /** Version of the payload's layout (integer >= 1); bump it when the layout changes. Default 1. */
  schemaVersion?: number;
  /** Pretty-print with this many spaces (0–8); default compact. The checksum does not depend on it. */
  indent?: number;
}

/** The envelope fields of a checked JSON file, without the payload. */
export interface CheckedJsonHeader {
  format: typeof CHECKED_JSON_FORMAT;
  formatVersion: number;
  kind: string;
  schemaVersion: number;
  /** LIBRARY_VERSION of the library that wrote the file. */
  libraryVersion: string;
  /** ISO 8601 time of writing. */
  writtenAt: string;
  /** SHA-256 (hex) of the payload's compact encoded JSON text. */
  sha256: string;
}

/**
 * Writes `payload` atomically as a checked JSON envelope (see the module doc) and returns the header written.
 * Synchronous. The payload must be JSON-serialisable data as accepted by {@link toJsonSafe}.
 *
 * @throws GhostError for a bad kind/schemaVersion/indent or non-serialisable payload (the file is not touched).
 */
export function writeCheckedJson(file: string, payload: unknown, opts: WriteCheckedJsonOptions): CheckedJsonHeader {
  if (typeof opts?.kind !== "string" || opts.kind.length === 0) throw new GhostError("kind", opts?.kind, "a non-empty string");
  const schemaVersion = requireInteger("schemaVersion", opts.schemaVersion ?? 1, 1);
  const indent = requireInteger("indent", opts.indent ?? 0, 0, 8);
  const encoded = toJsonSafe(payload);
  const compact = JSON.stringify(encoded);
  if (compact === undefined) throw new GhostError("payload", payload, "JSON-serialisable data (not undefined)");
  const header: CheckedJsonHeader = {
    format: CHECKED_JSON_FORMAT,
    formatVersion: CHECKED_JSON_FORMAT_VERSION,
    kind: opts.kind,
    schemaVersion,
    libraryVersion: LIBRARY_VERSION,
    writtenAt: new Date().toISOString(),
    sha256: sha256Hex(compact),
  };
  const text =
    indent === 0
      ? JSON.stringify(header).slice(0, -1) + `,"payload":${compact}}\n`
      : JSON.stringify({ ...header, payload: encoded }, null, indent) + "\n";
  writeFileAtomic(file, text);
  return header;
}

/** Options of {@link readCheckedJson} / {@link tryReadCheckedJson}. */
export interface ReadCheckedJsonOptions {
  /** Required `kind`; a file of another kind is refused. */
  kind?: string;
  /** Required `schemaVersion`; a file of another version is refused (`reason: "schema"`). */
  schemaVersion?: number;
}

/** Why a checked JSON file could not be used. */
export type CheckedJsonFailure =
  /** The file does not exist. */
  | "missing"
  /** Not valid JSON (e.g. truncated), not an envelope, or the checksum does not match the payload. */
  | "corrupt"
  /** A valid envelope of another kind, schema version or envelope format version. */
  | "schema";

/** Result of {@link tryReadCheckedJson}. */
export type CheckedJsonResult<T> =
  | { ok: true; payload: T; header: CheckedJsonHeader }
  | { ok: false; reason: CheckedJsonFailure; message: string };

/**
 * Reads and verifies a checked JSON file without throwing for bad content: returns the payload and header, or
 * `{ ok: false, reason, message }` when the file is missing, corrupt (truncated, unparsable, checksum mismatch,
 * not an envelope) or of another kind / schema version. Other failures to read the file (it is a directory, a
 * component of its path is a file, permission denied, …) throw a GhostError naming the file, the system error kept
 * as `cause`; so does a path that is not a regular file (a device such as /dev/zero, a FIFO, a socket), which is
 * never read. Synchronous.
 */
export function tryReadCheckedJson<T = unknown>(file: string, opts: ReadCheckedJsonOptions = {}): CheckedJsonResult<T> {
  if (typeof file !== "string" || file.length === 0 || file.includes("\0")) throw new GhostError("file", file, "a non-empty path string");
  requireOptions("options", opts);
  let text: string;
  try {
    // A device, FIFO or socket could be read forever (/dev/zero) or block forever (a FIFO without a writer).
    const st = fs.statSync(file);
    if (!st.isFile() && !st.isDirectory()) throw new GhostError("file", file, "a regular file (not a device, FIFO or socket)");
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof GhostError) throw err;
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      return { ok: false, reason: "missing", message: `${file}: no such file` };
    }
    throw fileSystemError(file, err, "a readable file (not a directory; every component of its path a directory)");
  }
  return verifyCheckedJsonText<T>(text, file, opts);
}

/** Verifies the text of a checked JSON file (see {@link tryReadCheckedJson}); `source` names it in messages. */
export function verifyCheckedJsonText<T = unknown>(
  text: string,
  source: string,
  opts: ReadCheckedJsonOptions = {},
): CheckedJsonResult<T> {
  const o = requireOptions<ReadCheckedJsonOptions>("options", opts);
  if (typeof text !== "string") throw new GhostError("text", text, "the text of a checked JSON file (a string)");
  if (typeof source !== "string") throw new GhostError("source", source, "a string naming the file (for messages)");
  const corrupt = (why: string): CheckedJsonResult<T> => ({ ok: false, reason: "corrupt", message: `${source}: ${why}` });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return corrupt(`not valid JSON (truncated or damaged): ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return corrupt("not a checked JSON envelope");
  const env = parsed as Record<string, unknown>;
  if (env.format !== CHECKED_JSON_FORMAT) return corrupt(`format is ${JSON.stringify(env.format)}, expected "${CHECKED_JSON_FORMAT}"`);
  if (!("payload" in env) || typeof env.sha256 !== "string" || typeof env.kind !== "string") {
    return corrupt("envelope lacks payload, sha256 or kind");
  }
  if (env.formatVersion !== CHECKED_JSON_FORMAT_VERSION) {
    return { ok: false, reason: "schema", message: `${source}: envelope formatVersion ${String(env.formatVersion)}, expected ${CHECKED_JSON_FORMAT_VERSION}` };
  }
  const actual = sha256Hex(JSON.stringify(env.payload));
  if (actual !== env.sha256) return corrupt(`checksum mismatch (stored ${env.sha256.slice(0, 12)}…, payload hashes to ${actual.slice(0, 12)}…)`);
  if (o.kind !== undefined && env.kind !== o.kind) {
    return { ok: false, reason: "schema", message: `${source}: kind is "${env.kind}", expected "${o.kind}"` };
  }
  if (o.schemaVersion !== undefined && env.schemaVersion !== o.schemaVersion) {
    return {
      ok: false,
      reason: "schema",
      message: `${source}: schemaVersion ${String(env.schemaVersion)}, expected ${o.schemaVersion}`,
    };
  }
  let payload: T;
  try {
    payload = fromJsonSafe<T>(env.payload);
  } catch (err) {
    return corrupt(`bad tagged value: ${(err as Error).message}`);
  }
  const header: CheckedJsonHeader = {
    format: CHECKED_JSON_FORMAT,
    formatVersion: env.formatVersion as number,
    kind: env.kind,
    schemaVersion: env.schemaVersion as number,
    libraryVersion: String(env.libraryVersion),
    writtenAt: String(env.writtenAt),
    sha256: env.sha256,
  };
  return { ok: true, payload, header };
}

/**
 * Reads and verifies a checked JSON file written by {@link writeCheckedJson}; returns its payload (NaN, ±Infinity
 * and −0 restored; typed arrays come back as number[]). Synchronous.
 *
 * @throws GhostError (parameter "file") when the file is missing, truncated, corrupted (checksum mismatch), not an
 *   envelope, or of another kind / schema version than requested; the message says which.
 */
export function readCheckedJson<T = unknown>(file: string, opts: ReadCheckedJsonOptions = {}): T {
  const r = tryReadCheckedJson<T>(file, opts);
  if (r.ok) return r.payload;
  const allowed =
    r.reason === "missing"
      ? "an existing checked JSON file"
      : r.reason === "corrupt"
        ? "a complete, uncorrupted checked JSON file (written by writeCheckedJson)"
        : `a checked JSON file of kind ${opts.kind ?? "(any)"} and schemaVersion ${opts.schemaVersion ?? "(any)"}`;
  throw new GhostError("file", file, allowed, `${r.reason}: ${r.message}`);
}
