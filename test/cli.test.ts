/**
 * The `ghost` command line, run as users run it: `node dist/cli.js …` in a child process (build first:
 * npm run build). Exit codes: 0 ok, 1 computation failed, 2 bad command line (exactly one line on stderr).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as Core from "../src/core";
import type * as Figures from "../src/catalogue";
import type * as Cli from "../src/cli";
import type * as Checks from "../src/figures/checks";

const root = path.resolve(__dirname, "..");
const cli = path.join(root, "dist", "cli.js");

for (const [src, out] of [
  ["src/cli.ts", "dist/cli.js"],
  ["src/catalogue.ts", "dist/catalogue.js"],
]) {
  const o = path.join(root, out);
  if (!fs.existsSync(o) || fs.statSync(o).mtimeMs < fs.statSync(path.join(root, src)).mtimeMs) {
    throw new Error(`${out} is missing or older than ${src}: build first (npm run build)`);
  }
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const figures: typeof Figures = require(path.join(root, "dist", "catalogue"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const core: typeof Core = require(path.join(root, "dist", "core"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cliModule: typeof Cli = require(path.join(root, "dist", "cli"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const checks: typeof Checks = require(path.join(root, "dist", "figures", "checks"));

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-cli-"));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function ghost(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: tmp,
    encoding: "utf8",
    env: { ...process.env, CI: "true", GHOST_CACHE_DIR: path.join(tmp, "cache"), ...env },
    timeout: 60000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("ghost CLI", () => {
  test("the built file keeps its shebang and package.json declares the bin", () => {
    expect(fs.readFileSync(cli, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    expect(pkg.bin).toEqual({ ghost: "dist/cli.js" });
  });

  test("--help lists every command and every registered figure", () => {
    const r = ghost(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["list", "run", "sweep", "slurm", "cache", "bench"]) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, "m"));
    for (const f of figures.listFigures()) expect(r.stdout).toContain(`  ${f.id}`);
  });

  test("every command has --help (exit 0, starts with its usage line)", () => {
    for (const c of ["list", "run", "sweep", "slurm", "cache", "bench"]) {
      const r = ghost([c, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(`usage: ghost ${c}`)).toBe(true);
    }
  });

  test.each([
    [["frobnicate"], /unknown command "frobnicate"/],
    [["--frob"], /unknown option "--frob"/],
    [[], /missing command/],
    [["list", "--bogus"], /unknown option --bogus/],
    [["list", "extra"], /unexpected argument "extra"/],
    [["run"], /missing argument/],
    [["run", "no-such-figure"], /unknown figure "no-such-figure"/],
    [["run", "x", "--scale", "huge"], /--scale "huge" is not one of ci, paper, full/],
    [["run", "x", "--scale"], /needs a value/],
    [["sweep", "selfTest"], /--grid FILE is required/],
    [["sweep", "nope", "--grid", "g.json"], /unknown runner "nope"/],
    [["sweep", "selfTest", "--grid", "missing.json"], /cannot read grid file/],
    [["sweep", "selfTest", "--grid", "."], /cannot read grid file \.: not a regular file/],
    [["sweep", "selfTest", "--grid", "/dev/zero"], /cannot read grid file \/dev\/zero: not a regular file/],
    [["sweep", "selfTest", "--grid", "g.json", "--workers", "0"], /--workers "0" is not an integer/],
    [["cache", "wipe"], /unknown action "wipe"/],
    [["bench", "--runs", "-3"], /--runs "-3"/],
  ])("bad arguments %j → exit 2 and exactly one line on stderr", (args, pattern) => {
    fs.writeFileSync(path.join(tmp, "g.json"), JSON.stringify({ grid: { seed: [0] }, base: { count: 2 } }));
    const r = ghost(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n").filter((l) => l.length > 0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern as RegExp);
  });

  test("a grid file with an invalid config is a usage error naming the config", () => {
    fs.writeFileSync(path.join(tmp, "g.json"), JSON.stringify([{ seed: 0, count: 2 }, { seed: -3, count: 2 }]));
    const r = ghost(["sweep", "selfTest", "--grid", "g.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/config 1: seed = -3/);
  });

  test("sweep writes checked results with stats and provenance; a second call is served from the cache", () => {
    fs.writeFileSync(path.join(tmp, "g.json"), JSON.stringify({ grid: { seed: [0, 1, 2] }, base: { count: 5 } }));
    const first = ghost(["sweep", "selfTest", "--grid", "g.json", "--out", "r.json"]);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe(""); // CI=true: no progress bar
    expect(first.stdout).toMatch(/selfTest: 3 runs \(0 cached, 3 computed\)/);
    const saved = core.readCheckedJson<{
      runner: string;
      configs: unknown[];
      results: { seed: number }[];
      stats: { computed: number };
      provenance: { libraryVersion: string; nodeVersion: string; gitCommit: string | null; startedAt: string };
    }>(path.join(tmp, "r.json"), { kind: "sweep-output" });
    expect(saved.runner).toBe("selfTest");
    expect(saved.results.map((r) => r.seed)).toEqual([0, 1, 2]);
    expect(saved.provenance.nodeVersion).toBe(process.version);
    expect(saved.provenance.gitCommit === null || /^[0-9a-f]{40}$/.test(saved.provenance.gitCommit)).toBe(true);
    const second = ghost(["sweep", "selfTest", "--grid", "g.json", "--out", "r2.json"]);
    expect(second.stdout).toMatch(/3 runs \(3 cached, 0 computed\)/);
    const info = ghost(["cache", "info", "--json"]);
    expect(JSON.parse(info.stdout).totalEntries).toBe(3);
    expect(ghost(["cache", "clear"]).stdout).toMatch(/removed 3 files/);
    expect(JSON.parse(ghost(["cache", "info", "--json"]).stdout).totalEntries).toBe(0);
  });

  test("run fig1 --scale ci writes checked JSON (data, config, provenance) and a standalone HTML figure", () => {
    expect(figures.listFigures().map((f) => f.id)).toEqual(expect.arrayContaining(["fig1", "fig2"]));
    const r = ghost(["run", "fig1", "--scale", "ci", "--out", "o"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const saved = core.readCheckedJson<{
      figure: { id: string };
      scale: string;
      config: Record<string, unknown>;
      data: unknown;
      provenance: { libraryVersion: string; scale: string; nodeVersion: string; startedAt: string; finishedAt: string };
    }>(path.join(tmp, "o", "fig1-ci.json"), { kind: "figure-result" });
    expect(saved.figure.id).toBe("fig1");
    expect(saved.scale).toBe("ci");
    expect(saved.config).toEqual(JSON.parse(JSON.stringify(figures.getFigure("fig1").config("ci"))));
    expect(saved.provenance).toMatchObject({ scale: "ci", nodeVersion: process.version });
    expect(Date.parse(saved.provenance.finishedAt)).toBeGreaterThanOrEqual(Date.parse(saved.provenance.startedAt));
    const html = fs.readFileSync(path.join(tmp, "o", "fig1-ci.html"), "utf8");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain("Plotly.newPlot");
  });

  test("run --check prints the paper check after computing (exit 0 when every must-hold row holds); run --help documents it", () => {
    expect(ghost(["run", "--help"]).stdout).toMatch(/--check +print the paper check after computing; exit 1 when a must-hold row fails/);
    const r = ghost(["run", "fig2", "--scale", "ci", "--out", "o", "--check"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^paper check, fig2 \(ci\):$/m);
    expect(r.stdout).toMatch(/^✓ +r\* \(T = 100\) +2\.4674011e-4 +2\.4674011e-4$/m);
    expect(r.stdout).toMatch(/^ +must hold: theorem \(spec A2\): below η_c no step from r0 > r\* can enter the zone$/m);
    expect(r.stdout).toMatch(/^all \d+ must-hold rows hold \(\d+ informational\)$/m);
    // without --check: no table
    expect(ghost(["run", "fig1", "--scale", "ci", "--out", "o"]).stdout).not.toContain("paper check");
  });

  test("the catalogue's check fails on tampered data (the function run --check calls)", () => {
    const fig1 = figures.getFigure("fig1");
    const data = fig1.run("ci", { cache: false }) as { schematic: { fixedPoints: { stability: string }[] }[] };
    expect(checks.failedChecks(fig1.check(data))).toEqual([]);
    data.schematic[1].fixedPoints[0].stability = "unstable";
    const failed = checks.failedChecks(fig1.check(data));
    expect(failed.map((r) => r.quantity)).toEqual(["r = −0.5: fixed points"]);
  });

  test("--scale full is accepted: figures whose paper scale is the paper's protocol (fig1, fig2) run it as paper", () => {
    for (const f of figures.listFigures()) expect(() => f.config("full")).not.toThrow();
    expect(figures.getFigure("fig1").config("full")).toEqual(figures.getFigure("fig1").config("paper"));
    expect(figures.getFigure("fig4").config("full")).toMatchObject({ scale: "full" });
    const r = ghost(["run", "fig1", "--scale", "full", "--out", "o"]);
    expect(r.code).toBe(0);
    const saved = core.readCheckedJson<{ scale: string; provenance: { scale: string } }>(path.join(tmp, "o", "fig1-full.json"), { kind: "figure-result" });
    expect([saved.scale, saved.provenance.scale]).toEqual(["full", "full"]);
  });

  test("list --json names the runners and figures", () => {
    const r = ghost(["list", "--json"]);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.runners.map((x: { name: string }) => x.name)).toContain("selfTest");
    expect(parsed.figures.map((x: { id: string }) => x.id)).toEqual(figures.listFigures().map((f) => f.id));
  });

  test("bench reports a speed-up and identical results", () => {
    const r = ghost(["bench", "--runner", "selfTest", "--runs", "4", "--workers", "2", "--json"]);
    expect(r.code).toBe(0);
    const b = JSON.parse(r.stdout);
    expect(b).toMatchObject({ runner: "selfTest", runs: 4, workers: 2, identical: true });
    expect(b.speedup).toBeGreaterThan(0);
  });
});

// Last: it registers a test figure in this process's catalogue (the spawned CLI above never sees it).
describe("ghost run --check, in-process", () => {
  test("run --check exits 1 and names the failed rows when a must-hold row fails", async () => {
    figures.registerFigure({
      id: "failingCheck",
      title: "test figure whose paper check fails",
      paperRef: "none",
      config: (scale) => ({ scale }),
      run: () => ({ value: 2 }),
      build: () => [{ data: [], layout: {} }],
      check: (d: { value: number }) => [
        { quantity: "value", paper: "1", ours: String(d.value), holds: d.value === 1, mustHold: true, why: "it must be 1" },
        { quantity: "note", paper: "-", ours: "-", holds: null, mustHold: false, why: "informational" },
      ],
    }, { replace: true });
    const written: string[] = [];
    const out = jest.spyOn(process.stdout, "write").mockImplementation((s) => (written.push(String(s)), true));
    const err = jest.spyOn(process.stderr, "write").mockImplementation((s) => (written.push(String(s)), true));
    try {
      const code = await cliModule.main(["run", "failingCheck", "--scale", "ci", "--out", path.join(tmp, "o"), "--check"]);
      expect(code).toBe(1);
      const text = written.join("");
      expect(text).toMatch(/^✗ +value +1 +2$/m);
      expect(text).toMatch(/^FAILED: 1 of 1 must-hold row did not hold \(1 informational\)$/m);
      expect(text).toContain("ghost run: failingCheck (ci): paper check failed: value");
      written.length = 0;
      expect(await cliModule.main(["run", "failingCheck", "--scale", "ci", "--out", path.join(tmp, "o")])).toBe(0); // no --check: no verdict
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
