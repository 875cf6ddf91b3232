/**
 * Paper checks: each figure module exports `checkFigN(data)`, which compares the figure's data with the paper and
 * returns one {@link CheckRow} per quantity. The same rows serve the notebooks (`display.showChecks(rows)`: a table
 * that throws on a failed must-hold row), the command line (`ghost run <figure> --check`: the table as text, exit
 * code 1 on a failure) and the tests.
 *
 * A row is *must-hold* when the claim does not depend on the random stream (the mechanism, closed forms, theorems)
 * and the data was computed with the figure's own protocol at its scale; statistics of the random draws (counts
 * that PyTorch's stream would give differently) are informational (`mustHold: false`). When the data's config was
 * edited (a notebook exercise: another horizon, learning rate, …), the paper's numbers no longer apply:
 * {@link protocolRows} then marks every row informational and says which fields differ.
 */
import { GhostError, requireFiniteArray, requireNumber, requireObject, requirePositive } from "../core/errors";

/** One row of a paper check. */
export interface CheckRow {
  /** What is compared, e.g. "r* (T = 100)". */
  quantity: string;
  /** The paper's value or claim, as text. */
  paper: string;
  /** Our value, as text. */
  ours: string;
  /** Whether our value satisfies the claim; null for an informational row that has no criterion. */
  holds: boolean | null;
  /** True when a failure (`holds === false`) is an error: the notebook cell throws, the CLI exits 1. */
  mustHold: boolean;
  /** The criterion in words and where it comes from (the math, the spec), e.g. "|ours/paper − 1| ≤ 1e-6". */
  why: string;
}

/** The rows that fail: must-hold rows whose `holds` is false. */
export function failedChecks(rows: readonly CheckRow[]): CheckRow[] {
  requireCheckRows(rows);
  return rows.filter((r) => r.mustHold && r.holds === false);
}

function quantitiesOf(rows: unknown): string[] {
  requireCheckRows(rows);
  return rows.map((r) => r.quantity);
}

/** Thrown by {@link assertChecks} (and `display.showChecks`) when a must-hold row fails; `rows` lists them. */
export class PaperCheckError extends GhostError {
  /** The failing must-hold rows. */
  readonly rows: CheckRow[];

  constructor(rows: CheckRow[]) {
    super("paper check", quantitiesOf(rows), "every must-hold row to hold");
    this.name = "PaperCheckError";
    this.rows = rows;
    this.message =
      `paper check failed: ${rows.length} must-hold row${rows.length === 1 ? "" : "s"} did not hold: ` +
      rows.map((r) => `${r.quantity}: ours ${r.ours}, paper ${r.paper} (${r.why})`).join("; ");
  }
}

/** Throws a {@link PaperCheckError} listing the failed must-hold rows; returns the rows otherwise. */
export function assertChecks(rows: readonly CheckRow[]): readonly CheckRow[] {
  const failed = failedChecks(rows);
  if (failed.length) throw new PaperCheckError(failed);
  return rows;
}

/**
 * Validates one check row (GhostError naming `name.field`): quantity, paper, ours, why strings; holds true, false or
 * null; mustHold boolean; a must-hold row must have a criterion (holds not null).
 */
export function requireCheckRow(name: string, row: unknown): asserts row is CheckRow {
  if (row === null || typeof row !== "object" || Array.isArray(row)) throw new GhostError(name, row, "a check row {quantity, paper, ours, holds, mustHold, why}");
  const r = row as Record<string, unknown>;
  for (const f of ["quantity", "paper", "ours", "why"]) {
    if (typeof r[f] !== "string") throw new GhostError(`${name}.${f}`, r[f], "a string");
  }
  if (!(r.holds === true || r.holds === false || r.holds === null)) throw new GhostError(`${name}.holds`, r.holds, "true, false or null");
  if (typeof r.mustHold !== "boolean") throw new GhostError(`${name}.mustHold`, r.mustHold, "a boolean");
  if (r.mustHold && r.holds === null) throw new GhostError(`${name}.holds`, r.holds, "true or false for a must-hold row");
}

/**
 * Validates the rows of a check: a non-empty array (a check without rows could never fail) of rows as in
 * {@link requireCheckRow}; GhostError naming `rows[i].field`.
 */
export function requireCheckRows(rows: unknown): asserts rows is CheckRow[] {
  if (!Array.isArray(rows) || rows.length === 0) throw new GhostError("rows", rows, "a non-empty array of check rows {quantity, paper, ours, holds, mustHold, why}");
  rows.forEach((r, i) => requireCheckRow(`rows[${i}]`, r));
}

/**
 * Runs a figure's check on `data` and turns a crash on malformed data into a GhostError naming the parameter: the
 * checks read many fields of the figure's data; rather than re-validating every one, any error other than a
 * GhostError raised while reading them means `data` is not what `runFigN` returns.
 */
export function guardCheckData<T>(name: string, data: unknown, allowed: string, check: () => T, hasConfig = true): T {
  if (typeof name !== "string") throw new GhostError("name", name, "the data's parameter name (a string)");
  requireObject(name, data, allowed);
  if (hasConfig) requireObject(`${name}.config`, (data as { config?: unknown }).config, "the figure's config object");
  try {
    return check();
  } catch (e) {
    if (e instanceof GhostError) throw e;
    throw new GhostError(name, data, allowed, e instanceof Error ? e.message : String(e));
  }
}

/** A must-hold row. */
export function must(quantity: string, paper: string, ours: string, holds: boolean, why: string): CheckRow {
  const row = { quantity, paper, ours, holds: Boolean(holds), mustHold: true, why };
  requireCheckRow("row", row);
  return row;
}

/** An informational row: printed, never an error (`holds` may still say whether it matches). */
export function info(quantity: string, paper: string, ours: string, why: string, holds: boolean | null = null): CheckRow {
  const row = { quantity, paper, ours, holds, mustHold: false, why };
  requireCheckRow("row", row);
  return row;
}

/** Top-level fields whose values differ between two configs (deep comparison through JSON). */
export function editedFields(config: object, reference: object): string[] {
  requireObject("config", config);
  requireObject("reference", reference);
  const a = config as Record<string, unknown>, b = reference as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/**
 * Prefixes a check with the protocol row: when `config` equals the figure's own config at its scale (`reference`)
 * the rows are returned unchanged (after the protocol row); otherwise every row becomes informational — the
 * paper's numbers are claims about its protocol, not about an edited one — and the protocol row names the fields
 * that differ.
 */
export function protocolRows(config: object, reference: object, rows: CheckRow[]): CheckRow[] {
  requireCheckRows(rows);
  const edited = editedFields(config, reference);
  const scale = String((config as { scale?: unknown }).scale);
  if (edited.length === 0) {
    return [info("protocol", "the paper's", `the figure's config at scale "${scale}"`, "the rows below are asserted for this config", true), ...rows];
  }
  return [
    info("protocol", "the paper's", `edited: ${edited.join(", ")}`,
      `the config differs from the figure's "${scale}" config, so the paper's numbers do not apply: no row is asserted`, false),
    ...rows.map((r) => ({ ...r, mustHold: false })),
  ];
}

/** |a − b| / |b|. */
export function relativeError(a: number, b: number): number {
  requireNumber("a", a);
  requireNumber("b", b);
  return Math.abs(a - b) / Math.abs(b);
}

/** Index of the grid value closest to `target` in log scale (values > 0). */
export function nearestInLog(values: readonly number[], target: number): number {
  const v = requireFiniteArray("values", values, { minLength: 1 });
  for (let i = 0; i < v.length; i++) requirePositive(`values[${i}]`, v[i]);
  requirePositive("target", target);
  let best = 0;
  for (let i = 1; i < values.length; i++) {
    if (Math.abs(Math.log(values[i] / target)) < Math.abs(Math.log(values[best] / target))) best = i;
  }
  return best;
}
