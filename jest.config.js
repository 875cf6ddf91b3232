/**
 * Jest configuration: two projects over the tests under test/.
 *
 * - "light": the numeric suites, run by jest-light-runner (scripts/jest/light-runner.mjs) in one plain Node child
 *   process, without jest's vm sandbox, inside which they ran 3–7× slower per suite (e.g. test/figures/fig4.test.ts
 *   110 s → 16 s, test/kernels/fastMath.test.ts 62 s → 9 s, on a loaded 2-core machine). TypeScript is compiled
 *   by tsx (scripts/jest/register-ts.mjs), not ts-jest, so a type error does not fail these suites: `npm test`
 *   type-checks src/ and test/ first (npm run typecheck).
 *   The suites of this project share one process: a suite that changes process-wide state (process.env,
 *   setKernelMode, registries, the kernel writer, stdout spies) must restore it (afterEach / finally). No module
 *   mocks (jest.mock & co.), no per-file module registry, and jest's testTimeout is not enforced here; instead the
 *   runner limits each FILE (GHOST_LIGHT_SUITE_TIMEOUT_MS, default 30 minutes): a file running longer fails with a
 *   message naming it and the limit, and its child process is killed (test/lightRunnerTimeout.test.ts).
 * - "isolated": the default runner (ts-jest, one vm sandbox per file) for the suites listed in ISOLATED: their time
 *   is spent in child processes (Jupyter kernels, Chromium, the CLI, killed writers), so the sandbox costs nothing,
 *   or they change process-wide state that would leak into other suites (SIGINT listeners, process.exitCode, the
 *   figure registry, stdout/stderr/console spies).
 * test/jestProjects.test.ts checks that every test file runs in exactly one project and that light suites use no
 * jest feature the light runner lacks.
 */
const ISOLATED = [
  "<rootDir>/test/notebooks/", // Jupyter kernels, nbconvert, Chromium (live UI), course installs: child processes
  "<rootDir>/test/cli.test.ts", // the CLI in child processes; main() in-process sets process.exitCode, registers a figure
  "<rootDir>/test/core/io.test.ts", // writers killed mid-write in child processes, FIFOs
  "<rootDir>/test/io/kill.test.ts", // training processes killed with SIGKILL and resumed
  "<rootDir>/test/engine/slurm.test.ts", // array jobs run as child processes
  "<rootDir>/test/engine/sweep.test.ts", // worker-thread pools of dist/, a sweep process killed with SIGKILL
  "<rootDir>/test/display/progress.test.ts", // adds SIGINT listeners and emits SIGINT on process
  "<rootDir>/test/display/show.test.ts", // spies on process.stdout/stderr and console.log
  "<rootDir>/test/kernels/rankOneFlow.test.ts", // jest.requireActual (the light runner has no module registry)
];

const shared = {
  rootDir: __dirname,
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Notebook execution and the browser check are slow; give them room (the light runner does not enforce it: it has
  // its per-file limit instead).
  testTimeout: 120000,
};

module.exports = {
  testTimeout: shared.testTimeout,
  projects: [
    {
      ...shared,
      displayName: "light",
      testPathIgnorePatterns: ["/node_modules/", ...ISOLATED],
      runner: "<rootDir>/scripts/jest/light-runner.mjs",
      setupFiles: ["<rootDir>/scripts/jest/register-ts.mjs"],
    },
    {
      ...shared,
      displayName: "isolated",
      testEnvironment: "node",
      testMatch: ISOLATED.map((p) => (p.endsWith("/") ? `${p}**/*.test.ts` : p)),
      transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
    },
  ],
};
