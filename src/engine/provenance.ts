/**
 * Provenance of saved results: which library, code revision, runtime and scale produced them, and when.
 */
import { execFileSync } from "child_process";
import * as os from "os";
import * as path from "path";
import { LIBRARY_VERSION } from "../version";

/** Where a result came from. Stored beside every saved figure result and sweep output. */
export interface Provenance {
  /** LIBRARY_VERSION of the code that computed the result. */
  libraryVersion: string;
  /** `git rev-parse HEAD` of the library's checkout, or null when not in a git checkout / git unavailable. */
  gitCommit: string | null;
  /** True when the checkout had uncommitted changes to tracked files; null when unknown. */
  gitDirty: boolean | null;
  /** process.version, e.g. "v20.20.2". */
  nodeVersion: string;
  /** `${os.platform()}-${os.arch()}`. */
  platform: string;
  /** Logical CPUs seen by the process. */
  cpus: number;
  /**
   * The kernels that computed it (kernels.kernelMode(), passed by the caller: "wasm", the default where WebAssembly
   * SIMD exists, or "js", the Math.tanh reference of GHOST_KERNELS=js; rank-one results differ between them by
   * tanh's rounding); null when not given.
   */
  kernels: string | null;
  /** "ci" or "paper" for figure runs; null otherwise. */
  scale: string | null;
  /** The command line (argv after node and script), when run from the CLI; null otherwise. */
  command: string[] | null;
  /** ISO 8601 start and end times, and the wall time between them in ms. */
  startedAt: string;
  finishedAt: string;
  wallMs: number;
}

/** Commit and dirty flag of the git checkout containing `dir` (default: this library); nulls when unknown. */
export function gitRevision(dir: string = path.resolve(__dirname, "..", "..")): { commit: string | null; dirty: boolean | null } {
  const git = (args: string[]): string | null => {
    try {
      return execFileSync("git", args, { cwd: dir, encoding: "utf8", timeout: 5000, stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return null;
    }
  };
  const commit = git(["rev-parse", "HEAD"]);
  if (commit === null || !/^[0-9a-f]{40}$/.test(commit)) return { commit: null, dirty: null };
  const status = git(["status", "--porcelain", "--untracked-files=no"]);
  return { commit, dirty: status === null ? null : status.length > 0 };
}

/** Builds a {@link Provenance} for a run that started at `startedAt` and finishes now. */
export function collectProvenance(
  startedAt: Date,
  opts: { scale?: string | null; command?: string[] | null; gitDir?: string; kernels?: string | null } = {},
): Provenance {
  const finished = new Date();
  const { commit, dirty } = gitRevision(opts.gitDir);
  return {
    libraryVersion: LIBRARY_VERSION,
    gitCommit: commit,
    gitDirty: dirty,
    nodeVersion: process.version,
    platform: `${os.platform()}-${os.arch()}`,
    cpus: os.cpus().length,
    kernels: opts.kernels ?? null,
    scale: opts.scale ?? null,
    command: opts.command ?? null,
    startedAt: startedAt.toISOString(),
    finishedAt: finished.toISOString(),
    wallMs: finished.getTime() - startedAt.getTime(),
  };
}
