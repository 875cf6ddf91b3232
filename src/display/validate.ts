/**
 * Shape checks shared by the figure builders (internal: not re-exported from display/index). The builders take the
 * plain data produced by the figures and protocols (or loaded back from JSON); these helpers check that the fields a builder
 * reads exist with the right type and consistent lengths, and throw a GhostError naming the path (e.g.
 * `low.loss.value`) otherwise. Data arrays may hold NaN/±Infinity (diverged runs, gaps on log axes): only types and
 * shapes are checked there; axis positions, ranges and reference lines must be finite.
 */
import { GhostError, requireNumber, requireNumberMatrix, requireNumbers, requireObject, requireOneOf } from "../core/errors";
import type { LrSweepData } from "../protocols/lrSweep";

/** Throws unless `value` is a string. */
export function requireString(name: string, value: unknown): string {
  if (typeof value !== "string") throw new GhostError(name, value, "a string");
  return value;
}

/** Throws unless `value` is a string or undefined. */
export function requireOptionalString(name: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== "string") throw new GhostError(name, value, "a string or undefined");
  return value;
}

/** Throws unless `value` is null or an integer ≥ min. */
export function requireIntegerOrNull(name: string, value: unknown, min = -1): number | null {
  if (value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > Number.MAX_SAFE_INTEGER) {
    throw new GhostError(name, value, `an integer >= ${min} or null`);
  }
  return value;
}

/**
 * Throws unless `value` is an array (with the given length or at least minLength entries). Returns a dense copy, so
 * that forEach/map over it also visit holes (undefined) and the entry checks reject them.
 */
export function requireArray(name: string, value: unknown, what: string, opts: { length?: number; minLength?: number } = {}): unknown[] {
  const size = opts.length !== undefined ? ` of length ${opts.length}` : opts.minLength ? ` with at least ${opts.minLength} entr${opts.minLength === 1 ? "y" : "ies"}` : "";
  const allowed = `an array${size} of ${what}`;
  if (!Array.isArray(value)) throw new GhostError(name, value, allowed);
  if (opts.length !== undefined ? value.length !== opts.length : value.length < (opts.minLength ?? 0)) {
    throw new GhostError(name, value, allowed);
  }
  return Array.from(value);
}

/** Throws unless `value` is [lo, hi] with finite lo ≤ hi (an axis range). */
export function requireAxisRange(name: string, value: unknown): [number, number] {
  const allowed = "[lo, hi]: two finite numbers with lo <= hi";
  if (!Array.isArray(value) || value.length !== 2) throw new GhostError(name, value, allowed);
  const [lo, hi] = value;
  if (typeof lo !== "number" || typeof hi !== "number" || !Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) {
    throw new GhostError(name, value, allowed);
  }
  return [lo, hi];
}

/**
 * Checks the fields of a learning-rate sweep (protocols.LrSweepData) that the S1-type builders read: learningRates
 * and reportEpochs number arrays, seeds an array, meanLoss and semLoss [reportEpochs][learningRates] number matrices
 * (NaN allowed), counts { learned, other, stuck, diverged } number arrays of the learning rates' length, spec.epochs
 * a number. GhostError naming the path (e.g. `sweep.meanLoss[2]`) otherwise.
 */
export function checkLrSweep(name: string, value: unknown): asserts value is LrSweepData {
  const s = requireObject(name, value, "an LrSweepData object (see protocols.runLrSweeps)");
  const nLr = requireNumbers(`${name}.learningRates`, s.learningRates).length;
  const nEpochs = requireNumbers(`${name}.reportEpochs`, s.reportEpochs).length;
  requireArray(`${name}.seeds`, s.seeds, "seeds");
  requireNumberMatrix(`${name}.meanLoss`, s.meanLoss, nEpochs, nLr);
  requireNumberMatrix(`${name}.semLoss`, s.semLoss, nEpochs, nLr);
  const counts = requireObject(`${name}.counts`, s.counts, "an object { learned, other, stuck, diverged, … } of per-learning-rate counts");
  for (const k of ["learned", "other", "stuck", "diverged"]) requireNumbers(`${name}.counts.${k}`, counts[k], { length: nLr });
  const spec = requireObject(`${name}.spec`, s.spec, "an LrSweepSpec object");
  requireNumber(`${name}.spec.epochs`, spec.epochs);
}

/**
 * One task's part ("dcdt" or "dmts") of a v2 task-RNN figure's data (v2 Fig 4, v2 Fig 5), checked for what the
 * builders read: curves { epoch, loss, gradMetric, accuracy } number arrays of one length, and a non-empty snapshot
 * list whose entries `checkSnapshot(snapshot, path)` checks (GhostError naming the path). `dataAllowed` and
 * `taskAllowed` and `snapshotAllowed` describe the figure's types in messages. Returns the task's object.
 */
export function requireV2TaskData(
  data: unknown, task: unknown, dataAllowed: string, taskAllowed: string, snapshotAllowed: string,
  checkSnapshot: (snapshot: Record<string, unknown>, path: string) => void,
): Record<string, unknown> {
  const d = requireObject("data", data, dataAllowed);
  const name = requireOneOf("task", task, ["dcdt", "dmts"] as const);
  const t = requireObject(`data.${name}`, d[name], taskAllowed);
  const c = requireObject(`data.${name}.curves`, t.curves, "{ epoch, loss, gradMetric, accuracy }");
  const n = requireNumbers(`data.${name}.curves.epoch`, c.epoch).length;
  for (const k of ["loss", "gradMetric", "accuracy"]) requireNumbers(`data.${name}.curves.${k}`, c[k], { length: n });
  const snaps = requireArray(`data.${name}.snapshots`, t.snapshots, "snapshots");
  if (snaps.length === 0) throw new GhostError(`data.${name}.snapshots`, snaps, "at least one snapshot");
  snaps.forEach((s, i) => checkSnapshot(requireObject(`data.${name}.snapshots[${i}]`, s, snapshotAllowed), `data.${name}.snapshots[${i}]`));
  return t;
}
