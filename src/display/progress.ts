/**
 * Progress for long cells: one output updated in place in a tslab notebook (done / total, percent, rate, time
 * left), throttled to a few updates per second. Outside a kernel it is silent (set GHOST_PROGRESS_LOG=1 to get
 * one summary line on stderr when it finishes). Never throws from update/finish.
 *
 * Time left is estimated from the WORK done, not the count of runs: a sweep reports each run's cost (the runner's
 * cost estimate, epochs × cost per epoch) as `work` / `workTotal`, so ten full-rank runs of 30,000 epochs weigh
 * what they cost and runs read from the cache (`cachedWork`) do not inflate the rate.
 *
 * An interrupted cell (kernel interrupt = SIGINT) leaves no frozen bar: the bar ends with
 * "interrupted at 19.0 % (…)". Asynchronous cells (sweeps on worker threads) receive the signal through
 * `process.on("SIGINT")`; a synchronous cell is stopped by Node inside the computation (no JavaScript runs), so
 * a bar whose synchronous computation ended without `finish()` is closed the same way as soon as the event loop
 * turns again (see {@link progress}).
 */
import { kernelWriter } from "./show";
import { GhostError, requireNonNegative, requireObject } from "../core/errors";
import { requireOptionalString, requireString } from "./validate";

/**
 * Work weights of a progress report: `work` of `workTotal` units done (runs weighted by their cost, e.g. epochs),
 * of which `cachedWork` (default 0) was read from a cache rather than computed. The sweep engine's onProgress
 * info (engine.SweepProgress) has these fields.
 */
export interface ProgressWork {
  work: number;
  workTotal: number;
  cachedWork?: number;
  /**
   * The reporter's own estimate of the milliseconds left, used as is when finite and ≥ 0: the sweep engine's,
   * which also knows the runs in flight on its workers and each worker's speed (engine.SweepProgress.etaMs).
   */
  etaMs?: number;
}

/** A progress display. `callback` has the `(done, total, info?)` shape the training functions and sweeps call. */
export interface Progress {
  update(done: number, note?: string): void;
  callback: (done: number, total: number, info?: unknown) => void;
  finish(note?: string): void;
  /**
   * Aborted when the kernel's interrupt (SIGINT) ends the bar: pass it as a sweep's `signal` (runFig4, runFigS1,
   * runFigRank, engine.runSweep) so an interrupted cell also stops its worker threads.
   */
  signal: AbortSignal;
}

/**
 * A duration for people: "9.5 s", "59.9 s", "1 min 0 s", "6 min 59 s", "1 h 0 min" — rounded once, at the
 * precision shown, so a carry goes into the next unit (never "6 min 60 s" or "60.0 s"). Not finite → "?".
 * Negative values are refused (GhostError).
 */
export function formatDuration(seconds: number): string {
  if (typeof seconds !== "number" || Number.isNaN(seconds)) throw new GhostError("seconds", seconds, "a number >= 0 (Infinity prints as ?)");
  if (seconds < 0) throw new GhostError("seconds", seconds, "a number >= 0 (Infinity prints as ?)");
  if (!Number.isFinite(seconds)) return "?";
  const tenths = Math.round(seconds * 10);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The work fields of `info` when it carries them consistently (finite, 0 ≤ cachedWork ≤ work ≤ workTotal), else null. */
function workOf(info: unknown): ProgressWork | null {
  if (info === null || typeof info !== "object") return null;
  const { work, workTotal, cachedWork, etaMs } = info as Partial<ProgressWork>;
  const ok = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
  if (!ok(work) || !ok(workTotal) || work > workTotal) return null;
  if (cachedWork !== undefined && (!ok(cachedWork) || cachedWork > work)) return null;
  return { work, workTotal, cachedWork: cachedWork ?? 0, ...(ok(etaMs) ? { etaMs } : {}) };
}

/**
 * Estimated seconds left (NaN while there is nothing to extrapolate from; 0 when everything is done).
 *
 * With `work` (runs weighted by their cost): its `etaMs` when the reporter gave one (a sweep knows its runs in
 * flight), else (workTotal − work) / rate, where rate = (work − cachedWork) / elapsedSeconds is the work COMPUTED
 * per second (cached work took no time). Without it: (total − done) /
 * (done / elapsedSeconds). Accepts: done, total, elapsedSeconds finite numbers ≥ 0; work undefined or a
 * ProgressWork with 0 ≤ cachedWork ≤ work ≤ workTotal (GhostError otherwise).
 */
export function estimateSecondsLeft(done: number, total: number, elapsedSeconds: number, work?: ProgressWork): number {
  requireNonNegative("done", done);
  requireNonNegative("total", total);
  requireNonNegative("elapsedSeconds", elapsedSeconds);
  if (work !== undefined) {
    requireObject("work", work, "undefined or { work, workTotal, cachedWork? }");
    const w = workOf(work);
    if (w === null || Object.keys(work).some((k) => !["work", "workTotal", "cachedWork", "etaMs"].includes(k))) {
      throw new GhostError("work", work, "{ work, workTotal, cachedWork?, etaMs? }: finite numbers with 0 <= cachedWork <= work <= workTotal");
    }
    if (w.work >= w.workTotal) return 0;
    if (w.etaMs !== undefined) return w.etaMs / 1000;
    const computed = w.work - (w.cachedWork ?? 0);
    const rate = elapsedSeconds > 0 ? computed / elapsedSeconds : 0;
    return rate > 0 ? (w.workTotal - w.work) / rate : NaN;
  }
  if (done >= total) return 0;
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  return rate > 0 ? (total - done) / rate : NaN;
}

const rateText = (rate: number) => (rate >= 100 ? rate.toFixed(0) : rate.toPrecision(3));
const percentText = (done: number, total: number) => `${(100 * (total > 0 ? Math.min(1, done / total) : 1)).toFixed(1)} %`;

/**
 * Text of one progress line (exported for tests). Accepts: label a string; done, total, elapsedSeconds finite
 * numbers >= 0; note a string or undefined; work undefined or a {@link ProgressWork} (then the time left is
 * estimated from the work, see {@link estimateSecondsLeft}).
 */
export function progressLine(label: string, done: number, total: number, elapsedSeconds: number, note?: string, work?: ProgressWork): string {
  requireString("label", label);
  requireOptionalString("note", note);
  const left = estimateSecondsLeft(done, total, elapsedSeconds, work);
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const width = 30;
  const filled = Math.round(frac * width);
  const bar = "█".repeat(filled) + "░".repeat(width - filled);
  // Nothing to extrapolate from yet (no time elapsed or nothing done): the time left is unknown, "?".
  return `${label} ${bar} ${done}/${total} (${percentText(done, total)}) · ${rateText(rate)}/s · elapsed ${formatDuration(elapsedSeconds)} · left ${formatDuration(Number.isNaN(left) ? Infinity : left)}${note ? ` · ${note}` : ""}`;
}

/**
 * The last line of an interrupted bar (exported for tests): "label: interrupted at 19.0 % (1140/6000) after
 * 12.3 s". Accepts: label a string; done, total, elapsedSeconds finite numbers >= 0.
 */
export function interruptedLine(label: string, done: number, total: number, elapsedSeconds: number): string {
  requireString("label", label);
  requireNonNegative("done", done);
  requireNonNegative("total", total);
  requireNonNegative("elapsedSeconds", elapsedSeconds);
  return `${label}: interrupted at ${percentText(done, total)} (${done}/${total}) after ${formatDuration(elapsedSeconds)}`;
}

let displayCounter = 0;

/** Bars drawn in a kernel and not finished: they end with "interrupted at …" on SIGINT. */
const activeBars = new Set<{ interrupt(): void }>();
let sigintListener: (() => void) | null = null;

function watchSigint(bar: { interrupt(): void }): void {
  activeBars.add(bar);
  if (sigintListener === null) {
    sigintListener = () => {
      for (const b of [...activeBars]) b.interrupt();
    };
    process.on("SIGINT", sigintListener);
  }
}

function unwatchSigint(bar: { interrupt(): void }): void {
  activeBars.delete(bar);
  if (activeBars.size === 0 && sigintListener !== null) {
    process.removeListener("SIGINT", sigintListener);
    sigintListener = null;
  }
}

/** Synchronous stretches shorter than this are not taken for an interrupted cell (see {@link progress}). */
const SYNC_STRETCH_MS = 200;

/**
 * Starts a progress display for `total` units of work labelled `label` (total: a finite number ≥ 0, else a
 * GhostError). `update(done)` and `callback(done, total, info)` (the `onProgress` shape; a different `total`
 * there replaces the initial one; an `info` with {@link ProgressWork} fields, as sweeps pass, makes the time left
 * follow the work) redraw at most 5 times per second; `finish()` draws the final line. None of the three ever
 * throws: a progress bar must never break a computation.
 *
 * Interrupts: while a bar is drawn in a kernel and not finished, SIGINT (the kernel's interrupt) ends it with
 * "interrupted at …" (the listener is added when the event loop turns, never inside a running cell: see
 * checkStretch). A synchronous computation is stopped by Node without running any JavaScript, so the bar
 * also checks, when the event loop next turns, whether the synchronous stretch that updated it (at least two
 * updates over ≥ 200 ms) ended without `finish()`: the cell was interrupted (or failed), and the bar says so. Should
 * the bar be updated again after all (an asynchronous computation that reported synchronously for a while), it
 * carries on.
 */
export function progress(label: string, total: number): Progress {
  requireString("label", label);
  requireNonNegative("total", total);
  const started = Date.now();
  const displayId = `ghost-progress-${process.pid}-${Date.now().toString(36)}-${displayCounter++}`;
  let lastDraw = 0;
  let first = true;
  let lastDone = 0;
  let lastWork: ProgressWork | undefined;
  let finished = false;
  let stopped = false; // drawn as interrupted (a later update revives it unless the interrupt was a SIGINT)
  // the current synchronous stretch: updates seen since the event loop last turned
  let stretchUpdates = 0;
  let stretchStart = 0;
  let checkArmed = false;

  const draw = (text: string, force: boolean) => {
    const write = kernelWriter();
    if (!write) return;
    const now = Date.now();
    if (!force && now - lastDraw < 200) return;
    lastDraw = now;
    try {
      write({ data: { "text/plain": text }, metadata: {}, transient: { display_id: displayId } }, !first);
      first = false;
    } catch {
      /* never break the computation for a progress bar */
    }
  };

  const controller = new AbortController();
  const self = {
    interrupt() {
      if (finished) return;
      finished = true;
      unwatchSigint(self);
      try {
        draw(interruptedLine(label, lastDone, total, (Date.now() - started) / 1000), true);
        controller.abort();
      } catch {
        /* never break anything for a progress bar */
      }
    },
  };

  const checkStretch = () => {
    checkArmed = false;
    const updates = stretchUpdates;
    const span = Date.now() - stretchStart;
    stretchUpdates = 0;
    if (finished || first) return; // finished, or never drawn (outside a kernel)
    // Listen for SIGINT only now, between macrotasks: adding a listener while tslab's vm.runInThisContext runs a
    // synchronous cell (breakOnSigint) re-arms libuv's signal handler under Node's SIGINT watchdog, and the
    // kernel's Interrupt then no longer stops the cell.
    if (!activeBars.has(self)) watchSigint(self);
    if (updates >= 2 && span >= SYNC_STRETCH_MS) {
      stopped = true;
      try {
        draw(interruptedLine(label, lastDone, total, (Date.now() - started) / 1000), true);
      } catch {
        /* never break anything for a progress bar */
      }
    }
  };

  const update = (done: number, note?: string) => {
    if (finished || typeof done !== "number" || !Number.isFinite(done) || done < 0) return;
    lastDone = done;
    try {
      if (stopped) {
        stopped = false; // still running after all: draw the live line again
        lastDraw = 0;
      }
      if (kernelWriter()) {
        if (stretchUpdates === 0) stretchStart = Date.now();
        stretchUpdates++;
        if (!checkArmed) {
          checkArmed = true;
          setImmediate(checkStretch).unref();
        }
      }
      draw(progressLine(label, done, total, (Date.now() - started) / 1000, note, lastWork), false);
    } catch {
      /* never break the computation for a progress bar */
    }
  };

  return {
    update,
    signal: controller.signal,
    callback: (done: number, newTotal?: number, info?: unknown) => {
      if (typeof newTotal === "number" && Number.isFinite(newTotal) && newTotal >= 0) total = newTotal;
      lastWork = workOf(info) ?? undefined;
      update(done);
    },
    finish(note?: string) {
      if (finished) return;
      finished = true;
      unwatchSigint(self);
      try {
        const elapsed = (Date.now() - started) / 1000;
        const rate = elapsed > 0 ? lastDone / elapsed : 0;
        const text = `${label}: done ${lastDone}/${total} in ${formatDuration(elapsed)}` +
          `${rate > 0 ? ` (${rateText(rate)}/s)` : ""}${note ? ` · ${note}` : ""}`;
        draw(text, true);
        if (!kernelWriter() && process.env.GHOST_PROGRESS_LOG) process.stderr.write(text + "\n");
      } catch {
        /* never break the computation for a progress bar */
      }
    },
  };
}
