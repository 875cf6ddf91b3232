/**
 * Slurm job scripts for a sharded sweep: an array job (one shard per task, each task using its CPUs with worker
 * threads) and a collect job that depends on it (`afterok`) and assembles the result from the shared cache.
 *
 * The engine knows no figure: the caller (the CLI's `ghost slurm`) passes the two command lines — the shard
 * command, in which the placeholder {@link SHARD_PLACEHOLDER} stands for the task's `i/n`, and the collect command —
 * and this module only writes them into sbatch scripts, checking every option that ends up in them (nothing the
 * user typed reaches the shell unquoted).
 *
 * Requeue-safety comes from the engine, not from Slurm: a shard's slice is deterministic and every finished run is
 * in the cache, so a task killed, timed out, preempted or requeued (`--requeue`) computes only the runs it had not
 * finished. The collect job has `--kill-on-invalid-dep=yes`: when a task fails or is cancelled, it is removed
 * instead of waiting forever; resubmitting the same scripts then completes the sweep.
 */
import * as path from "path";
import { GhostError, requireInteger } from "../core/errors";

/** Stands for the task's shard ("<task id>/<count>") in {@link SlurmJobOptions.shardCommand}. */
export const SHARD_PLACEHOLDER = "{shard}";

/** Options of {@link slurmScripts}. */
export interface SlurmJobOptions {
  /** Job name (letters, digits, `_`, `-`, `.`; ≤ 64), e.g. "ghost-fig4-full"; the collect job adds "-collect". */
  name: string;
  /** Array tasks = shards, integer in [1, 10000]. */
  tasks: number;
  /** CPUs per task (worker threads of each shard), integer in [1, 1024]. */
  cpusPerTask: number;
  /** Wall-time limit per task in a Slurm format (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS); optional. */
  time?: string;
  /** Partition(s), comma-separated names; optional. */
  partition?: string;
  /** Memory per node, e.g. "4G", "2000M", "8000"; optional. */
  mem?: string;
  /** Absolute folder of the scripts; logs go to `<dir>/logs/`. */
  dir: string;
  /** Absolute working directory of the jobs. */
  workdir: string;
  /** Command of one array task, one argv element each; contains {@link SHARD_PLACEHOLDER} once. */
  shardCommand: readonly string[];
  /** Command of the collect job, one argv element each. */
  collectCommand: readonly string[];
  /** One line saying what generated the scripts (a comment at their top). */
  comment?: string;
}

/** The three scripts: submit them with `bash submit.sh`, or the CLI's `--submit`. */
export interface SlurmScripts {
  /** The sbatch array script (one shard per task). */
  array: string;
  /** The sbatch collect script (run with `--dependency=afterok:<array job id>`). */
  collect: string;
  /** A bash script that submits both and prints the job ids. */
  submit: string;
}

/** Quotes `s` for bash (single quotes; a single quote becomes '\''). */
export function shellQuote(s: string): string {
  if (typeof s !== "string") throw new GhostError("argument", s, "a string");
  if (s.includes("\0") || s.includes("\n")) throw new GhostError("argument", s, "a command-line argument without NUL or newline characters");
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const TIME = /^(?:\d{1,7}|\d{1,7}:\d{1,2}|\d{1,4}:\d{1,2}:\d{1,2}|\d{1,4}-\d{1,2}|\d{1,4}-\d{1,2}:\d{1,2}|\d{1,4}-\d{1,2}:\d{1,2}:\d{1,2})$/;
const PARTITION = /^[A-Za-z0-9_.-]{1,64}(?:,[A-Za-z0-9_.-]{1,64}){0,15}$/;
const MEM = /^\d{1,9}[KMGT]?$/;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Checks a Slurm wall-time limit ("90", "1:30:00", "2-00:00:00", …); returns it or throws a GhostError naming `name`. */
export function requireSlurmTime(name: string, value: unknown): string {
  if (typeof value !== "string" || !TIME.test(value)) {
    throw new GhostError(name, value, "a Slurm time: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (e.g. 4:00:00)");
  }
  return value;
}

/** Checks a Slurm partition list ("debug", "cpu,long"); returns it or throws a GhostError naming `name`. */
export function requireSlurmPartition(name: string, value: unknown): string {
  if (typeof value !== "string" || !PARTITION.test(value)) throw new GhostError(name, value, "partition names (letters, digits, _ . -), comma-separated");
  return value;
}

/** Checks a Slurm memory size ("4G", "2000M", "8000" = MB); returns it or throws a GhostError naming `name`. */
export function requireSlurmMem(name: string, value: unknown): string {
  if (typeof value !== "string" || !MEM.test(value)) throw new GhostError(name, value, "a memory size: an integer with an optional unit K, M, G or T (e.g. 4G)");
  return value;
}

function requireAbsolute(name: string, value: unknown): string {
  if (typeof value !== "string" || !path.isAbsolute(value) || value.includes("\n") || value.includes("\0")) {
    throw new GhostError(name, value, "an absolute path without newline characters");
  }
  return value;
}

function requireCommand(name: string, value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) throw new GhostError(name, value, "a non-empty array of command-line arguments");
  value.forEach((a, i) => {
    if (typeof a !== "string" || a.length === 0 || a.includes("\n") || a.includes("\0")) {
      throw new GhostError(`${name}[${i}]`, a, "a non-empty argument without newline or NUL characters");
    }
  });
  return value as string[];
}

/**
 * Writes the sbatch array script, the collect script and submit.sh for a sharded run (see the module doc). Pure:
 * returns the texts; the caller writes them. Every option is checked (GhostError naming it).
 */
export function slurmScripts(opts: SlurmJobOptions): SlurmScripts {
  if (opts === null || typeof opts !== "object") throw new GhostError("opts", opts, "SlurmJobOptions");
  if (typeof opts.name !== "string" || !NAME.test(opts.name)) throw new GhostError("name", opts.name, "a job name of letters, digits, _ . - (≤ 64)");
  const tasks = requireInteger("tasks", opts.tasks, 1, 10000);
  const cpus = requireInteger("cpusPerTask", opts.cpusPerTask, 1, 1024);
  const dir = requireAbsolute("dir", opts.dir);
  const workdir = requireAbsolute("workdir", opts.workdir);
  const shardCmd = requireCommand("shardCommand", opts.shardCommand);
  const collectCmd = requireCommand("collectCommand", opts.collectCommand);
  const holders = shardCmd.filter((a) => a.includes(SHARD_PLACEHOLDER)).length;
  if (holders !== 1) throw new GhostError("shardCommand", shardCmd.join(" "), `a command with ${SHARD_PLACEHOLDER} in exactly one argument`);
  const extra: string[] = [];
  if (opts.time !== undefined) extra.push(`#SBATCH --time=${requireSlurmTime("time", opts.time)}`);
  if (opts.partition !== undefined) extra.push(`#SBATCH --partition=${requireSlurmPartition("partition", opts.partition)}`);
  if (opts.mem !== undefined) extra.push(`#SBATCH --mem=${requireSlurmMem("mem", opts.mem)}`);
  const comment = (opts.comment ?? "").replace(/[\r\n]+/g, " ");
  const logs = path.join(dir, "logs");
  const quoteShard = (a: string) => {
    if (!a.includes(SHARD_PLACEHOLDER)) return shellQuote(a);
    const [before, after] = a.split(SHARD_PLACEHOLDER);
    return `${before ? shellQuote(before) : ""}"\${SLURM_ARRAY_TASK_ID}/${tasks}"${after ? shellQuote(after) : ""}`;
  };
  const header = (lines: string[]) => ["#!/bin/bash", ...lines, ...extra, ...(comment ? [`# ${comment}`] : [])];
  const array = [
    ...header([
      `#SBATCH --job-name=${opts.name}`,
      `#SBATCH --array=0-${tasks - 1}`,
      "#SBATCH --ntasks=1",
      `#SBATCH --cpus-per-task=${cpus}`,
      `#SBATCH --output=${shellQuote(path.join(logs, "shard-%a.log"))}`,
      "#SBATCH --open-mode=append",
      "#SBATCH --requeue",
    ]),
    "# One shard per array task: task i computes shard i/" + tasks + " of the runs into the shared cache, on",
    "# SLURM_CPUS_PER_TASK worker threads. Killed, timed out, preempted or requeued: it resumes from the cache.",
    "set -euo pipefail",
    `cd ${shellQuote(workdir)}`,
    `echo "[$(date -Is)] $(hostname) task \${SLURM_ARRAY_TASK_ID} of job \${SLURM_ARRAY_JOB_ID:-?} (restart \${SLURM_RESTART_COUNT:-0})"`,
    `export GHOST_WORKERS="\${SLURM_CPUS_PER_TASK:-${cpus}}"`,
    shardCmd.map(quoteShard).join(" "),
    "",
  ].join("\n");
  const collect = [
    ...header([
      `#SBATCH --job-name=${opts.name}-collect`,
      "#SBATCH --ntasks=1",
      "#SBATCH --cpus-per-task=1",
      `#SBATCH --output=${shellQuote(path.join(logs, "collect.log"))}`,
      "#SBATCH --open-mode=append",
      "#SBATCH --kill-on-invalid-dep=yes",
    ]),
    "# Assembles the result from the shared cache once every array task has succeeded (afterok); computes nothing",
    "# and fails, naming the shards, if runs are missing.",
    "set -euo pipefail",
    `cd ${shellQuote(workdir)}`,
    `echo "[$(date -Is)] $(hostname) collect job \${SLURM_JOB_ID:-?}"`,
    "export GHOST_WORKERS=1",
    collectCmd.map(shellQuote).join(" "),
    "",
  ].join("\n");
  const submit = [
    "#!/bin/bash",
    "# Submits the array job and its collect job (afterok); prints the two job ids.",
    ...(comment ? [`# ${comment}`] : []),
    "set -euo pipefail",
    `mkdir -p ${shellQuote(logs)}`,
    `array=$(sbatch --parsable ${shellQuote(path.join(dir, "array.sbatch"))})`,
    'array=${array%%;*}',
    `collect=$(sbatch --parsable --dependency=afterok:$array ${shellQuote(path.join(dir, "collect.sbatch"))})`,
    'collect=${collect%%;*}',
    'echo "array job $array, collect job $collect"',
    "",
  ].join("\n");
  return { array, collect, submit };
}
