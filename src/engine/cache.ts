/**
 * On-disk cache of sweep results, one checked JSON file per finished run.
 *
 * Key = SHA-256 of the canonical JSON (keys sorted) of `{ runner, runnerVersion, config, libraryVersion,
 * codeFingerprint }`, so a result is reused only for the same runner version, the same full config, the same
 * library version and the same numerics code: {@link codeFingerprint} hashes the library's own core, tasks, models,
 * training and analysis modules and the runner modules, so a rebuilt library whose numerics changed (during
 * development LIBRARY_VERSION does not move) never reuses results of the old code, while edits to display, CLI or
 * notebooks keep the cache.
 * Files: `<dir>/<runner>/<key>.json`, written atomically (core/io: temp + fsync + rename) with a SHA-256 of the
 * payload inside; a truncated, corrupted or foreign file is treated as missing (recomputed and overwritten),
 * never used. Killing a sweep at any instant loses at most the runs in flight.
 *
 * Default directory: `$GHOST_CACHE_DIR` if set, else `<project>/.cache/ghost-mechanism` when the library runs from
 * its own checkout (git-ignored), else `<cwd>/.cache/ghost-mechanism`.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { GhostError, requireOneOf, requireOptions } from "../core/errors";
import {
  canonicalJson, CheckedJsonResult, decodeJson, encodeJson, isAtomicTempFile, sha256Hex, tryReadCheckedJson, writeCheckedJson,
} from "../core/io";
import { LIBRARY_VERSION } from "../version";
import { requireName } from "../core/checks";

/** How a sweep uses the cache: read and write ("use"), ignore and write ("refresh"), or neither ("bypass"). */
export type CacheMode = "use" | "bypass" | "refresh";
/** The allowed cache modes. */
export const CACHE_MODES: readonly CacheMode[] = ["use", "bypass", "refresh"];

/** Cache settings of a sweep. */
export interface CacheOptions {
  /** Cache directory; default {@link defaultCacheDir}(). */
  dir?: string;
  /** Default "use". */
  mode?: CacheMode;
}

/** `kind` of cache files (see core/io). */
export const CACHE_KIND = "sweep-result";
/** Layout version of a cache entry's payload. */
export const CACHE_SCHEMA_VERSION = 2;

/**
 * Library folders and modules whose code can change a cached result (relative to the library root): the numerics
 * and the protocols, where every computation that runs through the cache lives (sweep runners and cachedRun
 * computations). The engine names layers, never a figure; figure modules only assemble and summarise.
 */
const FINGERPRINT_DIRS = ["core", "kernels", "tasks", "models", "training", "analysis", "protocols"];
const FINGERPRINT_MODULES = ["version"];
const fingerprints = new Map<string, string>();

/**
 * SHA-256 (hex) of the library code that sweep results depend on: every module file (extension `ext`, default
 * that of this module: ".js" in dist/, ".ts" from source; never .d.ts) under `root`'s core, kernels, tasks,
 * models, training, analysis and protocols folders, plus version, hashed with their relative paths in sorted
 * order. Part of every cache key. Computed once per process and root. `root` must be a directory holding at least
 * one such module and `ext` a non-empty extension such as ".js" (otherwise a GhostError: a fingerprint of no code
 * would silently match any other empty fingerprint).
 */
export function codeFingerprint(root: string = path.resolve(__dirname, ".."), ext: string = path.extname(__filename)): string {
  requireDir("root", root);
  if (typeof ext !== "string" || !/^\.[A-Za-z0-9]+$/.test(ext)) throw new GhostError("ext", ext, 'a file extension such as ".js" or ".ts"');
  const memo = `${root}\0${ext}`;
  const known = fingerprints.get(memo);
  if (known !== undefined) return known;
  const files: string[] = [];
  // Modules, and the WebAssembly the kernels load (built next to them in dist/kernels).
  const isModule = (name: string) => (name.endsWith(ext) && !name.endsWith(".d.ts")) || name.endsWith(".wasm");
  const walk = (rel: string, depth: number): void => {
    if (depth > 8) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = path.posix.join(rel, e.name);
      if (e.isDirectory()) walk(r, depth + 1);
      else if (isModule(e.name)) files.push(r);
    }
  };
  FINGERPRINT_DIRS.forEach((d) => walk(d, 0));
  for (const m of FINGERPRINT_MODULES) if (fs.existsSync(path.join(root, m + ext))) files.push(m + ext);
  if (files.length === 0) {
    throw new GhostError("root", root, `the library root: a directory holding ${FINGERPRINT_DIRS.join("/, ")}/ modules ending in "${ext}"`, "none found");
  }
  files.sort();
  const hash = crypto.createHash("sha256");
  for (const f of files) hash.update(f).update("\0").update(fs.readFileSync(path.join(root, f))).update("\0");
  const digest = hash.digest("hex");
  fingerprints.set(memo, digest);
  return digest;
}

/** Payload stored in each cache file. */
export interface CacheEntry<R = unknown> {
  runner: string;
  runnerVersion: string;
  libraryVersion: string;
  /** {@link codeFingerprint} of the code that computed the result. */
  codeFingerprint: string;
  key: string;
  config: unknown;
  result: R;
  /** Wall time of the run itself, milliseconds. */
  elapsedMs: number;
  /** ISO time the run finished. */
  finishedAt: string;
}

/** Outcome of a cache lookup. */
export type CacheLookup<R> =
  | { status: "hit"; entry: CacheEntry<R> }
  | { status: "missing" }
  | { status: "corrupt"; message: string };

/** Finds the project root (directory of ghost-mechanism's package.json) above this module; undefined if none. */
function packageRoot(): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const pkg = path.join(dir, "package.json");
    try {
      if (JSON.parse(fs.readFileSync(pkg, "utf8")).name === "ghost-mechanism") return dir;
    } catch {
      /* keep walking up */
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/**
 * The default cache directory: `$GHOST_CACHE_DIR` (resolved against the cwd) if set; else
 * `<project>/.cache/ghost-mechanism` when the library runs from its own checkout; else (installed under
 * node_modules) `<cwd>/.cache/ghost-mechanism`.
 */
export function defaultCacheDir(): string {
  const env = process.env.GHOST_CACHE_DIR;
  if (env && env.length > 0) return path.resolve(env);
  const root = packageRoot();
  if (root && !root.split(path.sep).includes("node_modules")) return path.join(root, ".cache", "ghost-mechanism");
  return path.resolve(".cache", "ghost-mechanism");
}

/**
 * The cache key (64 hex digits) of one run: SHA-256 of the canonical JSON of
 * {runner, runnerVersion, config, libraryVersion, codeFingerprint}.
 */
export function cacheKey(runner: string, runnerVersion: string, config: unknown): string {
  return sha256Hex(canonicalJson({ runner, runnerVersion, config, libraryVersion: LIBRARY_VERSION, codeFingerprint: codeFingerprint() }));
}

/** Runner names as the runner registry allows them (file-name safe; same rule as engine/runners). */
const RUNNER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const CACHE_KEY = /^[0-9a-f]{64}$/;

/** Throws unless `dir` is a non-empty path string without NUL characters. */
function requireDir(name: string, dir: unknown): string {
  if (typeof dir !== "string" || dir.length === 0 || dir.includes("\0")) throw new GhostError(name, dir, "a non-empty directory path");
  return dir;
}

function requireRunnerName(name: string, runner: unknown): string {
  if (typeof runner !== "string" || !RUNNER_NAME.test(runner)) {
    throw new GhostError(name, runner, "a runner name: letters, digits, _ or - starting with a letter (max 64)");
  }
  return runner;
}

/**
 * Path of the cache file of `key` for `runner` under `dir`.
 * @param dir non-empty path. @param runner a runner name (letters, digits, _ or -, starting with a letter, ≤ 64).
 * @param key a cache key: 64 lowercase hex digits (see {@link cacheKey}).
 */
export function cacheFilePath(dir: string, runner: string, key: string): string {
  requireDir("dir", dir);
  requireRunnerName("runner", runner);
  if (typeof key !== "string" || !CACHE_KEY.test(key)) throw new GhostError("key", key, "a cache key: 64 lowercase hex digits (see cacheKey)");
  return path.join(dir, runner, `${key}.json`);
}

/**
 * Looks a run up: "hit" with the stored entry; "missing"; or "corrupt" (unreadable, checksum mismatch, other
 * schema, or an entry whose runner/config does not match; the caller recomputes and overwrites it).
 * @param dir non-empty path of the cache directory (a path component that is a file: GhostError).
 * @param runner a runner name (see {@link cacheFilePath}). @param runnerVersion non-empty string.
 * @param config any value {@link cacheKey} accepts (JSON-like: canonicalJson).
 */
export function readCacheEntry<R = unknown>(dir: string, runner: string, runnerVersion: string, config: unknown): CacheLookup<R> {
  requireDir("dir", dir);
  requireRunnerName("runner", runner);
  if (typeof runnerVersion !== "string" || runnerVersion.length === 0) throw new GhostError("runnerVersion", runnerVersion, "a non-empty string");
  const key = cacheKey(runner, runnerVersion, config);
  const file = cacheFilePath(dir, runner, key);
  let r: CheckedJsonResult<CacheEntry<R>>;
  try {
    r = tryReadCheckedJson<CacheEntry<R>>(file, { kind: CACHE_KIND, schemaVersion: CACHE_SCHEMA_VERSION });
  } catch (err) {
    const cause = (err as { cause?: NodeJS.ErrnoException })?.cause;
    if (cause?.code === "ENOTDIR") throw new GhostError("dir", dir, "a cache directory (a component of the path is a file)");
    throw err;
  }
  if (!r.ok) return r.reason === "missing" ? { status: "missing" } : { status: "corrupt", message: r.message };
  const e = r.payload;
  if (
    e === null ||
    typeof e !== "object" ||
    e.key !== key ||
    e.runner !== runner ||
    e.runnerVersion !== runnerVersion ||
    e.libraryVersion !== LIBRARY_VERSION ||
    e.codeFingerprint !== codeFingerprint() ||
    !("result" in e) ||
    canonicalJson(e.config) !== canonicalJson(config)
  ) {
    return { status: "corrupt", message: `${file}: entry does not match its key (runner, version or config differ)` };
  }
  return { status: "hit", entry: e };
}

/** Writes one finished run atomically; returns the file path. */
export function writeCacheEntry(
  dir: string,
  runner: string,
  runnerVersion: string,
  config: unknown,
  result: unknown,
  elapsedMs: number,
): string {
  const key = cacheKey(runner, runnerVersion, config);
  const file = cacheFilePath(dir, runner, key);
  const entry: CacheEntry = {
    runner,
    runnerVersion,
    libraryVersion: LIBRARY_VERSION,
    codeFingerprint: codeFingerprint(),
    key,
    config,
    result,
    elapsedMs,
    finishedAt: new Date().toISOString(),
  };
  writeCheckedJson(file, entry, { kind: CACHE_KIND, schemaVersion: CACHE_SCHEMA_VERSION });
  return file;
}

/**
 * The cache settings of a sweep or a {@link cachedRun}, checked and resolved: false = bypass; undefined or true =
 * the default directory, mode "use"; or { dir?: non-empty path, mode?: "use" | "refresh" | "bypass" } (other keys
 * are refused as misspellings). `dir` is absolute, or null when the cache is bypassed.
 * @param name non-empty string: how the argument is named in errors (default "cache": `cache.mode`, `cache.dir`, …).
 */
export function resolveCacheOptions(cache: unknown, name: string = "cache"): { mode: CacheMode; dir: string | null } {
  requireName("name", name);
  const opt = cache === false ? { mode: "bypass" as CacheMode } : cache === true ? {} : requireOptions<CacheOptions>(name, cache, ["dir", "mode"]);
  const mode = requireOneOf(`${name}.mode`, opt.mode ?? "use", CACHE_MODES);
  const dir = mode === "bypass" ? null : path.resolve(requireDir(`${name}.dir`, opt.dir ?? defaultCacheDir()));
  return { mode, dir };
}

/** Outcome of {@link cachedRun}. */
export interface CachedRunResult<R> {
  /** The result: the cached one, or the computed one after the same exact-JSON round trip a cache hit goes through. */
  result: R;
  /** True when the result came from the cache (compute was not called). */
  cached: boolean;
  /** True when a cache file existed but was corrupt, truncated or did not match (it was recomputed and overwritten). */
  corrupt: boolean;
  /** The cache directory used, or null when the cache was bypassed. */
  cacheDir: string | null;
  /** Wall time of the computation in ms (for a hit: that of the run that filled the cache). */
  elapsedMs: number;
}

/**
 * One computation through the result cache, in the calling thread (the single-run counterpart of a sweep, for long
 * runs that report their own progress, e.g. Fig 3's 500,000-epoch run). With mode "use" (default) a stored result
 * for (runner, runnerVersion, config) under the current library version and code fingerprint is returned without
 * calling `compute`; otherwise `compute()` runs and its result is stored atomically ("use", "refresh") or not
 * ("bypass"). Computed and cached results are the same value: both pass core/io's exact JSON encoding.
 *
 * @param runner a name as for {@link cacheFilePath} (letters, digits, _ or -, starting with a letter, ≤ 64).
 * @param runnerVersion non-empty string; bump it when the computation's output changes meaning.
 * @param config JSON-like value (canonicalJson) that fully determines the result.
 * @param cache false (bypass), undefined or true (default directory, mode "use"), or { dir?, mode? } with mode one
 *   of "use", "refresh", "bypass".
 * @param compute the computation; its result must be JSON-like (numbers, strings, booleans, null, arrays, typed
 *   arrays, plain objects).
 * @throws GhostError for a bad argument (before compute runs), or when the cache directory cannot be written.
 */
export function cachedRun<R>(
  runner: string,
  runnerVersion: string,
  config: unknown,
  cache: boolean | CacheOptions | undefined,
  compute: () => R,
): CachedRunResult<R> {
  const look = lookUpRun<R>(runner, runnerVersion, config, cache, compute);
  if (look.hit) return look.hit;
  const t0 = performance.now();
  const computed = compute();
  const elapsedMs = performance.now() - t0;
  if ((computed as unknown) instanceof Promise) throw new GhostError("compute", compute, "a synchronous function (it returned a Promise)");
  return storeRun(look, runner, runnerVersion, config, computed, elapsedMs);
}

/**
 * {@link cachedRun} for an asynchronous computation (e.g. one on a worker thread, engine.runInWorker): the same
 * key, the same files, the same result (both pass core/io's exact JSON encoding), so a result stored by one is a hit
 * for the other. `compute` returns a Promise (or a value). Arguments as for {@link cachedRun}.
 */
export async function cachedRunAsync<R>(
  runner: string,
  runnerVersion: string,
  config: unknown,
  cache: boolean | CacheOptions | undefined,
  compute: () => R | Promise<R>,
): Promise<CachedRunResult<R>> {
  const look = lookUpRun<R>(runner, runnerVersion, config, cache, compute);
  if (look.hit) return look.hit;
  const t0 = performance.now();
  const computed = await compute();
  const elapsedMs = performance.now() - t0;
  return storeRun(look, runner, runnerVersion, config, computed, elapsedMs);
}

/** What {@link lookUpRun} found: the cached result (hit), or where to store a computed one. */
interface RunLookup<R> {
  hit: CachedRunResult<R> | null;
  dir: string | null;
  corrupt: boolean;
}

/**
 * The first half of {@link cachedRun} and {@link cachedRunAsync}: validates the arguments (GhostError before any
 * work, including a config that is not JSON-like) and reads the entry when the cache is used.
 */
function lookUpRun<R>(runner: string, runnerVersion: string, config: unknown, cache: boolean | CacheOptions | undefined, compute: unknown): RunLookup<R> {
  requireRunnerName("runner", runner);
  if (typeof runnerVersion !== "string" || runnerVersion.length === 0) throw new GhostError("runnerVersion", runnerVersion, "a non-empty string");
  if (typeof compute !== "function") throw new GhostError("compute", compute, "a function computing the result");
  const { mode, dir } = resolveCacheOptions(cache);
  cacheKey(runner, runnerVersion, config); // refuses a config that is not JSON-like, before any work
  let corrupt = false;
  if (dir !== null && mode === "use") {
    const hit = readCacheEntry<R>(dir, runner, runnerVersion, config);
    if (hit.status === "hit") return { hit: { result: hit.entry.result, cached: true, corrupt: false, cacheDir: dir, elapsedMs: hit.entry.elapsedMs }, dir, corrupt };
    corrupt = hit.status === "corrupt";
  }
  return { hit: null, dir, corrupt };
}

/** The second half: the result through core/io's exact JSON encoding (as a cache hit returns it), then stored. */
function storeRun<R>(look: RunLookup<R>, runner: string, runnerVersion: string, config: unknown, computed: R, elapsedMs: number): CachedRunResult<R> {
  const result = decodeJson(encodeJson(computed)) as R;
  if (look.dir !== null) writeCacheEntry(look.dir, runner, runnerVersion, config, result, elapsedMs);
  return { result, cached: false, corrupt: look.corrupt, cacheDir: look.dir, elapsedMs };
}

const ENTRY_FILE = /^[0-9a-f]{64}\.json$/;

/** Size summary of a cache directory. */
export interface CacheInfo {
  dir: string;
  exists: boolean;
  runners: { runner: string; entries: number; bytes: number; tempFiles: number }[];
  totalEntries: number;
  totalBytes: number;
}

function runnerDirs(dir: string, runner?: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  return runner === undefined ? names : names.filter((n) => n === runner);
}

/**
 * Counts entries, bytes and stray temporary files per runner under `dir` (default {@link defaultCacheDir}); only
 * folders holding at least one cache entry or temporary file are listed (a wrong `dir` lists no runners).
 * @param opts undefined or { dir?: non-empty path of a directory (or of nothing yet) }.
 */
export function cacheInfo(opts: { dir?: string } = {}): CacheInfo {
  const o = requireOptions<{ dir?: string }>("opts", opts);
  const dir = path.resolve(o.dir === undefined ? defaultCacheDir() : requireDir("opts.dir", o.dir));
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new GhostError("opts.dir", o.dir ?? dir, "a cache directory (the path is a file)");
  const info: CacheInfo = { dir, exists: fs.existsSync(dir), runners: [], totalEntries: 0, totalBytes: 0 };
  for (const runner of runnerDirs(dir)) {
    let entries = 0;
    let bytes = 0;
    let tempFiles = 0;
    for (const f of fs.readdirSync(path.join(dir, runner))) {
      if (ENTRY_FILE.test(f)) {
        entries++;
        bytes += fs.statSync(path.join(dir, runner, f)).size;
      } else if (isAtomicTempFile(f)) tempFiles++;
    }
    if (entries === 0 && tempFiles === 0) continue; // not a cache folder (or an emptied one)
    info.runners.push({ runner, entries, bytes, tempFiles });
    info.totalEntries += entries;
    info.totalBytes += bytes;
  }
  return info;
}

/**
 * Deletes cached results (all runners, or one) under `dir` (default {@link defaultCacheDir}). Only the cache's
 * own files are removed (`<64 hex>.json` entries and stray temporary files), then the runner directories this
 * call emptied; any other file or directory (even an empty one) is left alone, so pointing `dir` at a wrong place
 * cannot wipe unrelated data.
 * Do not clear a cache while a sweep is writing to it.
 */
export function clearCache(opts: { dir?: string; runner?: string } = {}): { filesRemoved: number; bytesRemoved: number } {
  requireOptions("opts", opts, ["dir", "runner"]);
  if (opts.dir !== undefined && (typeof opts.dir !== "string" || opts.dir.length === 0)) throw new GhostError("opts.dir", opts.dir, "a non-empty path or undefined");
  const dir = path.resolve(opts.dir ?? defaultCacheDir());
  if (opts.runner !== undefined && (typeof opts.runner !== "string" || opts.runner.includes("/") || opts.runner.includes(".."))) {
    throw new GhostError("runner", opts.runner, "a runner name");
  }
  let filesRemoved = 0;
  let bytesRemoved = 0;
  for (const runner of runnerDirs(dir, opts.runner)) {
    const rdir = path.join(dir, runner);
    let removedHere = 0;
    for (const f of fs.readdirSync(rdir)) {
      if (ENTRY_FILE.test(f) || isAtomicTempFile(f)) {
        const p = path.join(rdir, f);
        bytesRemoved += fs.statSync(p).size;
        fs.unlinkSync(p);
        removedHere++;
      }
    }
    filesRemoved += removedHere;
    if (removedHere > 0 && fs.readdirSync(rdir).length === 0) fs.rmdirSync(rdir);
  }
  return { filesRemoved, bytesRemoved };
}
