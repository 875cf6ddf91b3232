/**
 * Progress for long cells: one output updated in place in a tslab notebook (done / total, percent, rate, time
 * left), throttled to a few updates per second. Outside a kernel it is silent (set GHOST_PROGRESS_LOG=1 to get
 * one summary line on stderr when it finishes). Never throws from update/finish.
 */
import { kernelWriter } from "./show";
import { requireNonNegative } from "../core/errors";
import { requireOptionalString, requireString } from "./validate";

/** A progress display. `callback` has the `(done, total)` shape the training functions accept as `onProgress`. */
export interface Progress {
  update(done: number, note?: string): void;
  callback: (done: number, total: number) => void;
  finish(note?: string): void;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}

/**
 * Text of one progress line (exported for tests). Accepts: label a string; done, total, elapsedSeconds finite
 * numbers >= 0; note a string or undefined.
 */
export function progressLine(label: string, done: number, total: number, elapsedSeconds: number, note?: string): string {
  requireString("label", label);
  requireNonNegative("done", done);
  requireNonNegative("total", total);
  requireNonNegative("elapsedSeconds", elapsedSeconds);
  requireOptionalString("note", note);
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const left = rate > 0 ? (total - done) / rate : NaN;
  const width = 30;
  const filled = Math.round(frac * width);
  const bar = "█".repeat(filled) + "░".repeat(width - filled);
  const rateText = rate >= 100 ? rate.toFixed(0) : rate.toPrecision(3);
  return `${label} ${bar} ${done}/${total} (${(100 * frac).toFixed(1)} %) · ${rateText}/s · elapsed ${formatSeconds(elapsedSeconds)} · left ${formatSeconds(left)}${note ? ` · ${note}` : ""}`;
}

let displayCounter = 0;

/**
 * Starts a progress display for `total` units of work labelled `label` (total: a finite number ≥ 0, else a
 * GhostError). `update(done)` and `callback(done, total)` (the `onProgress` shape; a different `total` there
 * replaces the initial one) redraw at most 5 times per second; `finish()` draws the final line. None of the three
 * ever throws: a progress bar must never break a computation.
 */
export function progress(label: string, total: number): Progress {
  requireNonNegative("total", total);
  const started = Date.now();
  const displayId = `ghost-progress-${process.pid}-${Date.now().toString(36)}-${displayCounter++}`;
  let lastDraw = 0;
  let first = true;
  let lastDone = 0;
  let finished = false;

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

  const update = (done: number, note?: string) => {
    if (finished || typeof done !== "number" || !Number.isFinite(done)) return;
    lastDone = done;
    try {
      draw(progressLine(label, done, total, (Date.now() - started) / 1000, note), false);
    } catch {
      /* never break the computation for a progress bar */
    }
  };

  return {
    update,
    callback: (done: number, newTotal?: number) => {
      if (typeof newTotal === "number" && Number.isFinite(newTotal) && newTotal >= 0) total = newTotal;
      update(done);
    },
    finish(note?: string) {
      if (finished) return;
      finished = true;
      try {
        const elapsed = (Date.now() - started) / 1000;
        const rate = elapsed > 0 ? lastDone / elapsed : 0;
        const text = `${label}: done ${lastDone}/${total} in ${formatSeconds(elapsed)}` +
          `${rate > 0 ? ` (${rate >= 100 ? rate.toFixed(0) : rate.toPrecision(3)}/s)` : ""}${note ? ` · ${note}` : ""}`;
        draw(text, true);
        if (!kernelWriter() && process.env.GHOST_PROGRESS_LOG) process.stderr.write(text + "\n");
      } catch {
        /* never break the computation for a progress bar */
      }
    },
  };
}
