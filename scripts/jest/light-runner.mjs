// jest-light-runner, always in a child process (jest.config.js, project "light").
//
// jest-light-runner runs the test files of a project in plain Node, without jest's vm sandbox, in a pool of
// worker threads, or in jest's own process when maxWorkers is 1 (always the case on a 2-core machine such as CI).
// This subclass always uses its child_process runtime instead: the suites then never share jest's process (its
// module loader hooks, process.exitCode, globals), process.chdir and signals work as in Node, and the suites still
// share one process per worker (no per-file start-up cost). Pinned: the override sets the runner's `_runtime`.
import { createRunner } from "jest-light-runner";

const Base = createRunner({ runtime: "child_process" });

export default class LightRunnerInChildProcess extends Base {
  constructor(globalConfig, context, runnerConfiguration) {
    super(globalConfig, context, runnerConfiguration);
    this._runtime = "child_process";
  }
}
