/**
 * Beyond one machine: the sbatch scripts, the sharding options of the command line, many processes racing on one
 * cache, and a REAL single-node Slurm (scripts/slurm-local.sh): a sweep as a 4-task array + collect job equals the
 * serial run bit for bit; a task cancelled mid-run and resubmitted loses nothing and recomputes only its unfinished
 * runs. The Slurm tests need root and apt-get (or Slurm installed); elsewhere they print one line and skip.
 * Runs the built command line and engine (dist/; build first).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as Engine from "../../src/engine";
import { shellQuote, slurmScripts, SHARD_PLACEHOLDER } from "../../src/engine";
import { bits } from "../bits";

const root = path.resolve(__dirname, "../..");
const cli = path.join(root, "dist", "cli.js");
for (const [src, out] of [["src/cli.ts", "dist/cli.js"], ["src/engine/sweep.ts", "dist/engine/sweep.js"], ["src/engine/shard.ts", "dist/engine/shard.js"], ["src/engine/slurm.ts", "dist/engine/slurm.js"]]) {
  const o = path.join(root, out);
  if (!fs.existsSync(o) || fs.statSync(o).mtimeMs < fs.statSync(path.join(root, src)).mtimeMs) {
    throw new Error(`${out} is missing or older than ${src}: build first (npm run build)`);
  }
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const engine: typeof Engine = require(path.join(root, "dist", "engine"));

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-slurm-"));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function ghost(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: opts.cwd ?? tmp, encoding: "utf8", env: { ...process.env, CI: "true", ...opts.env }, timeout: 120000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function writeGrid(configs: unknown[]): string {
  const file = path.join(tmp, "grid.json");
  fs.writeFileSync(file, JSON.stringify({ configs }));
  return file;
}

/** Results of a `ghost sweep --out` file (checked JSON, exact encoding decoded). */
function sweepResults(file: string): unknown[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const core = require(path.join(root, "dist", "core"));
  return core.readCheckedJson(file, { kind: "sweep-output", schemaVersion: 1 }).results;
}

describe("sbatch scripts (engine/slurm.ts)", () => {
  const base = {
    name: "ghost-fig4-full", tasks: 8, cpusPerTask: 4, dir: "/shared/my jobs", workdir: "/home/o'brien",
    shardCommand: ["/usr/bin/node", "/opt/ghost/dist/cli.js", "run", "fig4", "--shard", SHARD_PLACEHOLDER],
    collectCommand: ["/usr/bin/node", "/opt/ghost/dist/cli.js", "run", "fig4", "--from-cache", "--shards", "8"],
  };

  test("array of one shard per task, collect job that dies with its dependency, quoted paths", () => {
    const s = slurmScripts({ ...base, time: "4:00:00", partition: "cpu,long", mem: "4G" });
    expect(s.array).toMatch(/^#!\/bin\/bash\n/);
    for (const line of ["#SBATCH --array=0-7", "#SBATCH --cpus-per-task=4", "#SBATCH --requeue", "#SBATCH --time=4:00:00", "#SBATCH --partition=cpu,long", "#SBATCH --mem=4G"]) {
      expect(s.array).toContain(line);
    }
    expect(s.array).toContain(`#SBATCH --output='/shared/my jobs/logs/shard-%a.log'`);
    expect(s.array).toContain(`cd '/home/o'\\''brien'`);
    expect(s.array).toContain(`--shard "\${SLURM_ARRAY_TASK_ID}/8"`);
    expect(s.array).toContain('export GHOST_WORKERS="${SLURM_CPUS_PER_TASK:-4}"');
    expect(s.collect).toContain("#SBATCH --kill-on-invalid-dep=yes");
    expect(s.collect).toContain("--from-cache --shards 8");
    expect(s.collect).not.toContain("--array");
    expect(s.submit).toContain("--dependency=afterok:$array");
    // bash accepts all three
    for (const text of [s.array, s.collect, s.submit]) {
      const f = path.join(tmp, "s.sh");
      fs.writeFileSync(f, text);
      expect(spawnSync("bash", ["-n", f]).status).toBe(0);
    }
    expect(shellQuote("a b'c")).toBe(`'a b'\\''c'`);
  });

  test.each([
    [{ time: "4 hours" }, /time.*Slurm time/],
    [{ partition: "a;rm -rf /" }, /partition/],
    [{ mem: "lots" }, /mem.*memory size/],
    [{ name: "a b" }, /name.*job name/],
    [{ tasks: 0 }, /tasks/],
    [{ cpusPerTask: 1.5 }, /cpusPerTask/],
    [{ dir: "relative" }, /dir.*absolute/],
    [{ shardCommand: ["node", "cli.js"] }, /shardCommand.*exactly one/],
    [{ collectCommand: ["node", "a\nb"] }, /collectCommand\[1\]/],
  ])("refuses %p", (patch, message) => {
    expect(() => slurmScripts({ ...base, ...(patch as object) })).toThrow(message);
  });
});

describe("command line: shards, assembly, status, ghost slurm", () => {
  const configs = Array.from({ length: 9 }, (_, seed) => ({ seed, count: 5, iterations: 200 }));

  test("sweep --shard i/n, --status, --from-cache naming missing shards, then assembly equal to the serial sweep", () => {
    const grid = writeGrid(configs);
    const cache = path.join(tmp, "cache");
    const r0 = ghost(["sweep", "selfTest", "--grid", grid, "--cache-dir", cache, "--shard", "0/3"]);
    expect(r0.code).toBe(0);
    expect(r0.stdout).toMatch(/selfTest: shard 0\/3 done: 3\/3 runs \(3 computed, 0 cached\)/);
    const st = ghost(["sweep", "selfTest", "--grid", grid, "--cache-dir", cache, "--status", "--shards", "3"]);
    expect(st.code).toBe(0);
    expect(st.stdout).toMatch(/3\/9 runs done/);
    expect(st.stdout).toMatch(/shard +0\/3 +3\/3 +done/);
    expect(st.stdout).toMatch(/shard +2\/3 +0\/3/);
    const miss = ghost(["sweep", "selfTest", "--grid", grid, "--cache-dir", cache, "--from-cache", "--shards", "3", "--out", path.join(tmp, "out.json")]);
    expect(miss.code).toBe(1);
    expect(miss.stderr.trim().split("\n")).toHaveLength(1);
    expect(miss.stderr).toMatch(/6 of 9 runs are not in the cache .*shards 1-2 of 3/);
    expect(fs.existsSync(path.join(tmp, "out.json"))).toBe(false);
    for (const s of ["1/3", "2/3"]) expect(ghost(["sweep", "selfTest", "--grid", grid, "--cache-dir", cache, "--shard", s]).code).toBe(0);
    const ok = ghost(["sweep", "selfTest", "--grid", grid, "--cache-dir", cache, "--from-cache", "--shards", "3", "--out", path.join(tmp, "out.json")]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/9 cached, 0 computed/);
    const serial = engine.runSweepSync({ runner: "selfTest", configs, cache: false });
    expect(bits(sweepResults(path.join(tmp, "out.json")))).toBe(bits(serial));
  });

  test.each([
    [["run", "fig1", "--shard", "0/2"], /fig1 does not run as one sweep.*fig4, figS1, figRank/],
    [["run", "fig4", "--shard", "2/2"], /--shard.*\[0, 1\]/],
    [["run", "fig4", "--shard", "0/2", "--status"], /--shard and --status exclude each other/],
    [["run", "fig4", "--shards", "4"], /--shards N goes with --from-cache or --status/],
    [["run", "fig4", "--from-cache", "--no-cache"], /needs the result cache/],
    [["slurm", "fig2"], /fig2 does not run as one sweep/],
    [["slurm", "sweep", "selfTest"], /--grid FILE is required/],
    [["slurm", "fig4", "--time", "soon"], /--time.*Slurm time/],
    [["slurm", "fig4", "--array", "0"], /--array "0" is not an integer in \[1, 10000\]/],
  ])("ghost %p is a one-line usage error", (args, message) => {
    const r = ghost(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  test("slurm writes the scripts; --submit without sbatch is a one-line error saying so", () => {
    const grid = writeGrid(configs);
    const outDir = path.join(tmp, "jobs");
    const bin = path.join(tmp, "bin"); // a PATH with node and without sbatch
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, "node"));
    const env = { PATH: bin };
    const r = ghost(["slurm", "sweep", "selfTest", "--grid", grid, "--array", "3", "--cpus-per-task", "2", "--cache-dir", path.join(tmp, "c"), "--out", outDir, "--submit"], { env });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/sbatch not found on PATH.*leave off --submit/);
    for (const f of ["array.sbatch", "collect.sbatch", "submit.sh", "grid.json"]) expect(fs.existsSync(path.join(outDir, f))).toBe(true);
    const array = fs.readFileSync(path.join(outDir, "array.sbatch"), "utf8");
    expect(array).toContain("#SBATCH --array=0-2");
    expect(array).toContain(`sweep selfTest --grid ${path.join(outDir, "grid.json")} --cache-dir ${path.join(tmp, "c")} --shard "\${SLURM_ARRAY_TASK_ID}/3"`);
    const fig = ghost(["slurm", "figS1", "--scale", "full", "--array", "16", "--out", path.join(tmp, "s1")]);
    expect(fig.code).toBe(0);
    expect(fs.readFileSync(path.join(tmp, "s1", "collect.sbatch"), "utf8")).toMatch(/run figS1 --scale full --cache-dir \S+ --from-cache --shards 16 --out \S+\/s1\/results/);
  });
});

describe("many writers, one cache", () => {
  test("processes racing on the same keys leave exactly one valid entry per key and no temp files", async () => {
    const cache = path.join(tmp, "cache");
    const configs = Array.from({ length: 40 }, (_, seed) => ({ seed, count: 20, iterations: 300 }));
    const start = Date.now() + 1500; // a common start line, so the writers overlap
    const script = `
      const engine = require(${JSON.stringify(path.join(root, "dist", "engine"))});
      const configs = ${JSON.stringify(configs)};
      while (Date.now() < ${start}) {}
      // "refresh": every process computes and writes every key
      engine.runSweepSync({ runner: "selfTest", configs, cache: { dir: ${JSON.stringify(cache)}, mode: "refresh" } });
    `;
    const procs = Array.from({ length: 4 }, () =>
      new Promise<number>((resolve) => spawn(process.execPath, ["-e", script], { stdio: "inherit" }).on("exit", (code) => resolve(code ?? -1))),
    );
    expect(await Promise.all(procs)).toEqual([0, 0, 0, 0]);
    const files = fs.readdirSync(path.join(cache, "selfTest"));
    expect(files.filter((f) => /^[0-9a-f]{64}\.json$/.test(f))).toHaveLength(configs.length);
    expect(files).toHaveLength(configs.length); // no stray temp files
    const serial = engine.runSweepSync({ runner: "selfTest", configs, cache: false });
    configs.forEach((c, i) => {
      const hit = engine.readCacheEntry(cache, "selfTest", "1", c);
      expect(hit.status).toBe("hit");
      if (hit.status === "hit") expect(bits(hit.entry.result)).toBe(bits(serial[i]));
    });
  }, 60000);
});

// ------------------------------------------------------------------------------------------------------------
// A real Slurm (single node, scripts/slurm-local.sh)
// ------------------------------------------------------------------------------------------------------------

function has(cmd: string): boolean {
  return spawnSync("bash", ["-c", `command -v ${cmd}`]).status === 0;
}

function whySkip(): string | null {
  if (process.env.GHOST_SKIP_SLURM === "1") return "GHOST_SKIP_SLURM=1";
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return "not root (scripts/slurm-local.sh start needs root to install and run Slurm)";
  if (!has("slurmctld") && !has("apt-get")) return "Slurm is not installed and there is no apt-get to install it";
  return null;
}
const skip = whySkip();
if (skip) process.stdout.write(`slurm.test.ts: real-Slurm tests skipped: ${skip}\n`);
const slurmDescribe = skip ? describe.skip : describe;

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Waits (≤ limitMs) until none of the jobs is pending or running. */
async function waitGone(ids: string[], limitMs: number): Promise<void> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    const r = spawnSync("squeue", ["-h", "-j", ids.join(","), "-o", "%i %T"], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim() === "") return;
    if (r.status !== 0 && /Invalid job id/.test(r.stderr)) return;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`jobs ${ids.join(",")} still queued after ${limitMs / 1000} s: ${sh("squeue", [])}`);
}

function jobState(id: string): string {
  const m = /JobState=(\S+)/.exec(spawnSync("scontrol", ["show", "job", id], { encoding: "utf8" }).stdout);
  return m ? m[1] : "UNKNOWN";
}

function submit(args: string[]): { array: string; collect: string } {
  const r = ghost(["slurm", ...args, "--submit"]);
  if (r.code !== 0) throw new Error(`ghost slurm failed: ${r.stderr}`);
  const m = /array job (\d+) .*collect job (\d+)/.exec(r.stdout);
  if (!m) throw new Error(`no job ids in: ${r.stdout}`);
  return { array: m[1], collect: m[2] };
}

slurmDescribe("a real single-node Slurm", () => {
  let startedHere = false;
  beforeAll(() => {
    startedHere = spawnSync("bash", [path.join(root, "scripts", "slurm-local.sh"), "status"]).status !== 0;
    const r = spawnSync("bash", [path.join(root, "scripts", "slurm-local.sh"), "start"], { encoding: "utf8", timeout: 600000 });
    if (r.status !== 0) throw new Error(`scripts/slurm-local.sh start failed (${r.status}): ${r.stdout}${r.stderr}`);
  }, 620000);
  afterAll(() => {
    if (startedHere) spawnSync("bash", [path.join(root, "scripts", "slurm-local.sh"), "stop"]);
  });

  test("a sweep as a 4-task array + collect job equals the serial run bit for bit", async () => {
    const configs = Array.from({ length: 12 }, (_, seed) => ({ seed, count: 30, iterations: 1000 + 100 * (seed % 3) }));
    const grid = writeGrid(configs);
    const outDir = path.join(tmp, "jobs");
    const jobs = submit(["sweep", "selfTest", "--grid", grid, "--array", "4", "--cpus-per-task", "1", "--cache-dir", path.join(tmp, "cache"), "--out", outDir]);
    await waitGone([jobs.array, jobs.collect], 120000);
    expect(jobState(jobs.collect)).toBe("COMPLETED");
    const logs = fs.readdirSync(path.join(outDir, "logs")).sort();
    expect(logs).toEqual(["collect.log", "shard-0.log", "shard-1.log", "shard-2.log", "shard-3.log"]);
    const computed = logs.filter((f) => f.startsWith("shard")).map((f) => Number(/\((\d+) computed/.exec(fs.readFileSync(path.join(outDir, "logs", f), "utf8"))?.[1]));
    expect(computed.reduce((a, b) => a + b)).toBe(12);
    const serial = engine.runSweepSync({ runner: "selfTest", configs, cache: false });
    expect(bits(sweepResults(path.join(outDir, "results", "sweep-selfTest.json")))).toBe(bits(serial));
  }, 180000);

  test("a task cancelled mid-run, resubmitted: nothing is lost and only its unfinished runs are recomputed", async () => {
    const configs = Array.from({ length: 12 }, (_, seed) => ({ seed, count: 2, sleepMs: 500 }));
    const grid = writeGrid(configs);
    const outDir = path.join(tmp, "jobs");
    const cache = path.join(tmp, "cache");
    const args = ["sweep", "selfTest", "--grid", grid, "--array", "4", "--cpus-per-task", "1", "--cache-dir", cache, "--out", outDir];
    const layout = engine.assignShards(configs.map((c) => c.count * 101 + 50_000 * c.sleepMs), 4);
    const fileOf = (c: object) => engine.cacheFilePath(cache, "selfTest", engine.cacheKey("selfTest", "1", c));
    const shard1 = configs.filter((_, k) => layout[k] === 1).map(fileOf);
    expect(shard1).toHaveLength(3);
    const jobs = submit(args);
    // cancel task 1 once it has finished one run and before it finishes all
    const end = Date.now() + 60000;
    while (shard1.filter((f) => fs.existsSync(f)).length === 0) {
      if (Date.now() > end) throw new Error("task 1 finished no run within 60 s");
      await new Promise((res) => setTimeout(res, 50));
    }
    sh("scancel", [`${jobs.array}_1`]);
    await waitGone([jobs.array, jobs.collect], 120000);
    expect(jobState(`${jobs.array}_1`)).toBe("CANCELLED");
    expect(jobState(jobs.collect)).not.toBe("COMPLETED");
    expect(fs.existsSync(path.join(outDir, "results", "sweep-selfTest.json"))).toBe(false);
    const dir = path.join(cache, "selfTest");
    const before = new Map(fs.readdirSync(dir).map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]));
    const finished1 = shard1.filter((f) => before.has(path.basename(f))).length;
    expect(finished1).toBeGreaterThanOrEqual(1);
    expect(finished1).toBeLessThan(3);
    // the other tasks ran to the end
    expect(before.size).toBe(9 + finished1);

    const again = submit(args);
    await waitGone([again.array, again.collect], 120000);
    expect(jobState(again.collect)).toBe("COMPLETED");
    for (const [f, t] of before) expect(fs.statSync(path.join(dir, f)).mtimeMs).toBe(t); // nothing recomputed
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".json"))).toHaveLength(12);
    const lastLine = (shard: number) => {
      const lines = fs.readFileSync(path.join(outDir, "logs", `shard-${shard}.log`), "utf8").trim().split("\n");
      return lines[lines.length - 1];
    };
    expect(lastLine(1)).toMatch(new RegExp(`shard 1/4 done: 3/3 runs \\(${3 - finished1} computed, ${finished1} cached\\)`));
    for (const s of [0, 2, 3]) expect(lastLine(s)).toMatch(/\(0 computed, 3 cached\)/);
    const serial = engine.runSweepSync({ runner: "selfTest", configs: configs.map((c) => ({ ...c, sleepMs: 0 })), cache: false });
    expect(bits(sweepResults(path.join(outDir, "results", "sweep-selfTest.json")))).toBe(bits(serial));
  }, 240000);
});
