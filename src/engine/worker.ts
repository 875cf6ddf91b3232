/**
 * One run of a registered runner on its own worker thread, with its progress: the building block for running a
 * few long, different computations side by side (e.g. the two halves of Fig 3 on two cores) while the calling
 * thread stays free to draw their progress bars.
 *
 * The worker is the sweep engine's (`dist/engine/sweepWorker.js`): it loads the runner's module, runs the config
 * and sends the result through core/io's exact JSON encoding, so the result equals the same run in the calling
 * thread after `decodeJson(encodeJson(result))` — bit for bit (runners are pure; see runners.ts) — which is also
 * exactly what a cache hit returns. Only the compiled library has the worker script: from TypeScript source,
 * {@link workerThreadsAvailable} is false and {@link runInWorker} throws a GhostError (callers fall back to running
 * in their own thread).
 */
import * as fs from "fs";
import * as path from "path";
import { Worker } from "worker_threads";
import { GhostError, requireOptions } from "../core/errors";
import { decodeJson } from "../core/io";
import { getRunner } from "./runners";
import { sweepWorkerScript } from "./sweep";

/** Options of {@link runInWorker}. */
export interface RunInWorkerOptions<C = unknown> {
  /** Name of a registered runner (runners.ts). */
  runner: string;
  /** Its config (plain JSON-like data; validated by the runner's `validate` first, in the calling thread). */
  config: C;
  /** The run's progress (done, total), forwarded from the worker as the runner reports it. */
  onProgress?: (done: number, total: number) => void;
  /** Absolute paths of extra modules that register runners, loaded by the worker after the runner's own module. */
  modules?: readonly string[];
  /**
   * Environment variables set in the worker on top of this process's (e.g. `{ GHOST_KERNELS: "js" }`: a worker
   * reads the environment, not the calling thread's in-memory settings). String values.
   */
  env?: Record<string, string>;
  /** Aborts the run: the worker is terminated and the promise rejects with an AbortError. */
  signal?: AbortSignal;
}

/** True when worker threads can run the library here (the compiled worker script exists: `npm run build`). */
export function workerThreadsAvailable(): boolean {
  return fs.existsSync(path.join(__dirname, "sweepWorker.js"));
}

function abortError(runner: string): Error {
  const e = new Error(`run of "${runner}" aborted`);
  e.name = "AbortError";
  return e;
}

/**
 * Runs `config` through the named runner on a new worker thread and resolves to its result (decoded from the exact
 * JSON the worker sent; see the module comment). The worker is terminated when the run ends, fails or is aborted.
 *
 * @throws (rejects with) GhostError for a bad option, an unknown runner, an invalid config (the runner's
 *   `validate`, before the worker starts), a missing worker script (running from source), or naming the runner
 *   when its run threw in the worker; AbortError when `signal` aborts.
 */
export async function runInWorker<R = unknown, C = unknown>(opts: RunInWorkerOptions<C>): Promise<R> {
  const o = requireOptions<RunInWorkerOptions<C>>("opts", opts, ["runner", "config", "onProgress", "modules", "env", "signal"]);
  const def = getRunner(o.runner as string);
  if (o.onProgress !== undefined && typeof o.onProgress !== "function") throw new GhostError("onProgress", o.onProgress, "a function (done, total) or undefined");
  if (o.modules !== undefined && (!Array.isArray(o.modules) || o.modules.some((m) => typeof m !== "string" || !path.isAbsolute(m)))) {
    throw new GhostError("modules", o.modules, "an array of absolute module paths or undefined");
  }
  if (o.env !== undefined) {
    if (o.env === null || typeof o.env !== "object") throw new GhostError("env", o.env, "an object of string values or undefined");
    for (const [k, v] of Object.entries(o.env)) if (typeof v !== "string") throw new GhostError(`env.${k}`, v, "a string");
  }
  def.validate?.(o.config);
  const script = sweepWorkerScript();
  const modules = [...new Set([...(def.module ? [def.module] : []), ...(o.modules ?? [])])];
  if (o.signal?.aborted) throw abortError(def.name);
  return new Promise<R>((resolve, reject) => {
    const worker = new Worker(script, { workerData: { runner: def.name, modules }, env: { ...process.env, ...(o.env ?? {}) } });
    let settled = false;
    const settle = (err: Error | null, value?: R): void => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener("abort", onAbort);
      const done = () => (err ? reject(err) : resolve(value as R));
      void worker.terminate().then(done, done);
    };
    const onAbort = (): void => settle(abortError(def.name));
    o.signal?.addEventListener("abort", onAbort);
    worker.on("message", (m: { type: string; index: number; json: string; name: string; message: string; stack?: string; done: number; total: number }) => {
      if (settled) return;
      if (m.type === "progress") {
        o.onProgress?.(m.done, m.total);
      } else if (m.type === "result") {
        let value: R;
        try {
          value = decodeJson(m.json) as R;
        } catch (err) {
          return settle(err as Error);
        }
        settle(null, value);
      } else if (m.type === "error") {
        const e = new GhostError("runner", def.name, "a run that completes", `${m.name}: ${m.message}`);
        if (m.stack) e.stack = `${e.name}: ${e.message}\n--- runner stack ---\n${m.stack}`;
        settle(e);
      } else {
        settle(new GhostError("runner", def.name, "a runner the worker threads can load", `${m.name}: ${m.message}`));
      }
    });
    worker.on("error", (err) => settle(err));
    worker.on("exit", (code) => settle(new Error(`worker of "${def.name}" exited unexpectedly with code ${code}`)));
    worker.postMessage({ type: "run", index: 0, config: o.config });
  });
}
