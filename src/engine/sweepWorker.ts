/**
 * Worker-thread entry of the sweep engine (compiled to dist/engine/sweepWorker.js; never imported).
 *
 * workerData: `{ runner: string; modules: string[] }`. The worker loads each module (the one that registered
 * the runner, then the caller's extra modules; each registers runners), looks the runner up by name, and answers each
 * `{ type: "run", index, config }` message with `{ type: "result", index, json, elapsedMs }` — the result encoded
 * by core/io's encodeJson, so every number crosses the thread boundary exactly as it will be cached — or with
 * `{ type: "error", index, name, message, stack }`. A startup failure is reported once as `{ type: "fatal", … }`.
 * While a run works, its progress (the runner's `context.onProgress(done, total)`) is posted as
 * `{ type: "progress", index, done, total }` (engine.runInWorker forwards it; the sweep pool ignores it).
 */
import { parentPort, workerData } from "worker_threads";
import { performance } from "perf_hooks";
import { encodeJson } from "../core/io";
import { getRunner, RunnerDefinition } from "./runners";

interface RunMessage {
  type: "run";
  index: number;
  config: unknown;
}

function describeError(err: unknown): { name: string; message: string; stack?: string } {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: "Error", message: String(err) };
}

const port = parentPort;
if (port) {
  let def: RunnerDefinition | undefined;
  try {
    const data = workerData as { runner: string; modules: string[] };
    for (const m of data.modules) require(m);
    def = getRunner(data.runner);
  } catch (err) {
    port.postMessage({ type: "fatal", ...describeError(err) });
  }
  if (def) {
    const runner = def;
    port.on("message", (msg: RunMessage) => {
      if (msg?.type !== "run") return;
      void (async () => {
        const t0 = performance.now();
        try {
          const onProgress = (done: number, total: number): void => {
            port.postMessage({ type: "progress", index: msg.index, done, total });
          };
          const result = await runner.run(msg.config, { onProgress });
          const json = encodeJson(result);
          port.postMessage({ type: "result", index: msg.index, json, elapsedMs: performance.now() - t0 });
        } catch (err) {
          port.postMessage({ type: "error", index: msg.index, ...describeError(err) });
        }
      })();
    });
  }
}
