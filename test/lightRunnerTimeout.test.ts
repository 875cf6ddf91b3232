/**
 * The light runner's watchdog (scripts/jest/light-runner.mjs): a light test file that runs past the per-file limit
 * (GHOST_LIGHT_SUITE_TIMEOUT_MS) fails with a message naming the file and the limit, its child process is killed,
 * and the run ends instead of hanging — for a synchronous endless loop (which blocks every timer inside the child)
 * and for a promise that never settles; the other files of the run are unaffected. Run in a child jest over the
 * fixtures in test/fixtures/lightTimeout (*.fixture.ts: outside the normal testMatch).
 */
import { spawnSync } from "child_process";
import * as path from "path";

const root = path.resolve(__dirname, "..");
const jestBin = require.resolve("jest/bin/jest");
const config = JSON.stringify({
  rootDir: root,
  projects: [{
    displayName: "light", rootDir: root, roots: ["<rootDir>/test/fixtures/lightTimeout"], testMatch: ["**/*.fixture.ts"],
    runner: "<rootDir>/scripts/jest/light-runner.mjs", setupFiles: ["<rootDir>/scripts/jest/register-ts.mjs"],
  }],
});

/** A child jest over the fixtures with the given limit (env value); a 180 s backstop so this test cannot hang. */
function runFixtures(limit: string, args: string[] = []) {
  const env: NodeJS.ProcessEnv = { ...process.env, GHOST_LIGHT_SUITE_TIMEOUT_MS: limit, FORCE_COLOR: "0", CI: "1" };
  for (const k of Object.keys(env)) if (k.startsWith("TINYPOOL_") || k === "JEST_WORKER_ID") delete env[k];
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [jestBin, "--config", config, "--maxWorkers=1", ...args], { cwd: root, env, encoding: "utf8", timeout: 180_000, killSignal: "SIGKILL" });
  return { status: r.status, signal: r.signal, out: `${r.stdout}\n${r.stderr}`, ms: Date.now() - t0 };
}

test("a light file past the limit fails with its name and the limit, its process is killed, the run ends; other files pass", () => {
  const limit = 3000;
  const r = runFixtures(String(limit));
  expect(r.signal).toBeNull(); // ended by itself, not by the backstop
  expect(r.status).toBe(1);
  for (const f of ["hangs.fixture.ts", "awaitsForever.fixture.ts"]) {
    const file = `test/fixtures/lightTimeout/${f}`;
    expect(r.out).toContain(`FAIL light ${file}`);
    expect(r.out).toContain(`light test file ${file} ran longer than the light runner's per-file limit of ${limit} ms (GHOST_LIGHT_SUITE_TIMEOUT_MS): its child process was killed.`);
  }
  expect(r.out).toContain("PASS light test/fixtures/lightTimeout/passes.fixture.ts");
  expect(r.out).toMatch(/Test Suites: 2 failed, 1 passed, 3 total/);
  // Bound: the two hanging files run one after the other (maxWorkers 1), each stopped at the limit; plus jest's and
  // two children's start-up and the kill (SIGTERM, tinypool's SIGKILL fallback), generously 60 s on a loaded machine.
  expect(r.ms).toBeLessThan(2 * limit + 60_000);
  expect(r.ms).toBeGreaterThanOrEqual(2 * limit); // both files really ran until the limit
}, 200_000);

test("a malformed GHOST_LIGHT_SUITE_TIMEOUT_MS is refused with the variable, the value and what is allowed", () => {
  const r = runFixtures("soon", ["--testPathPatterns", "passes"]);
  expect(r.status).not.toBe(0);
  expect(r.out).toContain('GHOST_LIGHT_SUITE_TIMEOUT_MS = "soon" is not allowed: expected a positive integer');
}, 200_000);
