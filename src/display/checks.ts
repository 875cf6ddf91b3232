/**
 * Paper-check tables: the rows of `figures.checkFigN(data)` as an HTML table in a tslab notebook (with a text/plain
 * fallback in the same output) or as plain text for the command line, and `showChecks`, the one call a notebook's
 * "Check against the paper" section makes: it renders the table and throws when a must-hold row fails.
 */
import { assertChecks, CheckRow, failedChecks, requireCheckRow, requireCheckRows } from "../figures/checks";
import { kernelWriter } from "./show";

/**
 * The mark of a row: "✓" holds, "✗" a must-hold row that failed, "(✗)" an informational row that does not match,
 * "·" an informational row without a criterion.
 */
export function checkMark(row: CheckRow): string {
  requireCheckRow("row", row);
  if (row.holds === true) return "✓";
  if (row.holds === false) return row.mustHold ? "✗" : "(✗)";
  return "·";
}

/** One-line verdict: how many rows hold, failed (must hold) and are informational. */
export function checksVerdict(rows: readonly CheckRow[]): string {
  requireCheckRows(rows);
  const failed = failedChecks(rows).length;
  const asserted = rows.filter((r) => r.mustHold).length;
  const informational = rows.length - asserted;
  return failed
    ? `FAILED: ${failed} of ${asserted} must-hold row${asserted === 1 ? "" : "s"} did not hold (${informational} informational)`
    : `all ${asserted} must-hold row${asserted === 1 ? "" : "s"} hold (${informational} informational)`;
}

function pad(s: string, n: number): string {
  const len = [...s].length;
  return len >= n ? s : s + " ".repeat(n - len);
}

/**
 * The rows as a plain-text table: mark, quantity, paper, ours; the criterion ("why") on an indented line below
 * each row; a verdict line at the end. Informational rows are labelled "info".
 */
export function checksText(rows: readonly CheckRow[]): string {
  requireCheckRows(rows);
  const width = (f: (r: CheckRow) => string, cap: number) => Math.min(cap, Math.max(...rows.map((r) => [...f(r)].length), 0));
  const wq = Math.max(8, width((r) => r.quantity, 52));
  const wp = Math.max(5, width((r) => r.paper, 36));
  const lines = [`     ${pad("quantity", wq)}  ${pad("paper", wp)}  ours`];
  for (const r of rows) {
    lines.push(`${pad(checkMark(r), 4)} ${pad(r.quantity, wq)}  ${pad(r.paper, wp)}  ${r.ours}`);
    lines.push(`     ${r.mustHold ? "must hold" : "info"}: ${r.why}`);
  }
  lines.push(checksVerdict(rows));
  return lines.join("\n");
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The rows as an HTML table (columns: mark, quantity, paper, ours, must hold?, why) with the verdict below. */
export function checksHtml(rows: readonly CheckRow[]): string {
  requireCheckRows(rows);
  const failed = failedChecks(rows).length > 0;
  const cell = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top";
  const body = rows.map((r) => {
    const colour = r.mustHold && r.holds === false ? "background:#fde2e1;" : r.mustHold ? "" : "color:#666;";
    const mark = `<span style="color:${r.holds === true ? "#1a7f37" : r.holds === false ? "#cf222e" : "#666"};font-weight:bold">${esc(checkMark(r))}</span>`;
    return `<tr style="${colour}"><td style="${cell}">${mark}</td><td style="${cell}">${esc(r.quantity)}</td><td style="${cell}">${esc(r.paper)}</td>` +
      `<td style="${cell}">${esc(r.ours)}</td><td style="${cell}">${r.mustHold ? "must hold" : "info"}</td><td style="${cell};font-size:90%">${esc(r.why)}</td></tr>`;
  }).join("\n");
  const head = ["", "quantity", "paper", "ours", "", "why"].map((h) => `<th style="${cell}">${h}</th>`).join("");
  return `<table class="ghost-checks" style="border-collapse:collapse;font-size:13px">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>\n` +
    `<p style="font-weight:bold;color:${failed ? "#cf222e" : "#1a7f37"}">${esc(checksVerdict(rows))}</p>`;
}

/**
 * Renders a paper check and enforces it: in a tslab kernel one output with the HTML table and its text/plain
 * version; elsewhere the text table is printed to stdout. Then throws a `figures.PaperCheckError` listing the
 * failed rows when a must-hold row fails (so the notebook's last cell fails). Returns nothing, so a notebook cell
 * ending in this call shows the table only (tslab would print a returned value after it).
 * @param rows the rows of a `figures.checkFigN(data)` call (GhostError naming `rows[i].field` when malformed).
 */
export function showChecks(rows: readonly CheckRow[]): void {
  requireCheckRows(rows);
  const text = checksText(rows);
  const write = kernelWriter();
  let shown = false;
  if (write) {
    try {
      write({ data: { "text/html": checksHtml(rows), "text/plain": text }, metadata: {}, transient: {} }, false);
      shown = true;
    } catch {
      /* fall back to text */
    }
  }
  if (!shown) process.stdout.write(text + "\n");
  assertChecks(rows);
}
