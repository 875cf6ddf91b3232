// jest-light-runner, always in a child process (jest.config.js, project "light"), with a per-file time limit.
//
// jest-light-runner runs the test files of a project in plain Node, without jest's vm sandbox, in a pool of
// worker threads, or in jest's own process when maxWorkers is 1 (always the case on a 2-core machine such as CI).
// This subclass always uses its child_process runtime instead: the suites then never share jest's process (its
// module loader hooks, process.exitCode, globals), process.chdir and signals work as in Node, and the suites still
// share one process per worker (no per-file start-up cost). Pinned: the override sets the runner's `_runtime`.
//
// Watchdog. jest-light-runner 0.7.13 enforces no timeout at all (neither jest's testTimeout nor any per-file limit),
// so one hanging test would hang `npm test` and CI. Wrapping each test function in a timed promise would not help
// against the likely hang of a numeric suite, a synchronous loop that never ends: it blocks the child's event loop
// and every timer in it. So the limit is kept HERE, in jest's process: each test file gets LIGHT_SUITE_LIMIT_MS
// (environment variable GHOST_LIGHT_SUITE_TIMEOUT_MS, default 30 minutes: the slowest light suites take a few
// minutes on a loaded 2-core machine); when it runs longer, its task in the runner's tinypool is aborted with an
// AbortSignal, which makes tinypool terminate the child process running THAT file (SIGTERM, then SIGKILL) and start
// a fresh one for the files still to come, and the file is reported as failed with a message naming it and the limit.
// How: jest-light-runner keeps one { pool, run } per project in its `_testRunners` map (0.7.13; pinned in
// package.json) whose run calls `pool.run(path, options)`; as each entry is stored, its pool's run is replaced by
// one that adds the signal.
import path from "path";
import { createRunner } from "jest-light-runner";

const Base = createRunner({ runtime: "child_process" });

/** Default per-file limit: 30 minutes. */
const DEFAULT_LIMIT_MS = 30 * 60 * 1000;

/** The per-file limit in ms from GHOST_LIGHT_SUITE_TIMEOUT_MS (a positive integer), else the default. */
export function lightSuiteLimitMs(env = process.env.GHOST_LIGHT_SUITE_TIMEOUT_MS) {
  if (env === undefined || env === "") return DEFAULT_LIMIT_MS;
  const ms = Number(env);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new Error(`GHOST_LIGHT_SUITE_TIMEOUT_MS = ${JSON.stringify(env)} is not allowed: expected a positive integer (milliseconds per light test file)`);
  }
  return ms;
}

/** The error reported for a file that ran past the limit. */
function timeoutError(file, ms) {
  const rel = path.relative(process.cwd(), file) || file;
  const e = new Error(
    `light test file ${rel} ran longer than the light runner's per-file limit of ${ms} ms (GHOST_LIGHT_SUITE_TIMEOUT_MS): ` +
      `its child process was killed. A test that never ends (a loop, a promise never settled)?`,
  );
  e.stack = e.message; // the runner's own stack says nothing about the test
  return e;
}

/** pool.run with a watchdog: aborts the task (tinypool then kills its child process) after `ms`. */
function watched(run, ms) {
  return (file, options) => {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, ms);
    return run(file, { ...options, signal: controller.signal }).then(
      (result) => {
        clearTimeout(timer);
        return result;
      },
      (error) => {
        clearTimeout(timer);
        throw timedOut ? timeoutError(file, ms) : error;
      },
    );
  };
}

export default class LightRunnerInChildProcess extends Base {
  constructor(globalConfig, context, runnerConfiguration) {
    super(globalConfig, context, runnerConfiguration);
    this._runtime = "child_process";
    const limit = lightSuiteLimitMs();
    const runners = this._testRunners;
    if (!(runners instanceof Map)) throw new Error("jest-light-runner changed: no _testRunners map (scripts/jest/light-runner.mjs expects 0.7.13)");
    const set = runners.set.bind(runners);
    runners.set = (key, entry) => {
      // entry.run is `test => pool.run(test.path, options)`: shadowing the pool's run adds the signal to every call
      entry.pool.run = watched(entry.pool.run.bind(entry.pool), limit);
      return set(key, entry);
    };
  }
}
