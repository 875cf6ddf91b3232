import * as fs from "fs";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..", "..");
export const NOTEBOOK_DIR = path.join(ROOT, "notebooks");

export interface NotebookCell {
  cell_type: string;
  id?: string;
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
  metadata?: unknown;
}
export interface Notebook {
  cells: NotebookCell[];
  metadata: { kernelspec?: { name?: string } };
  nbformat: number;
  nbformat_minor: number;
}

/** Committed notebooks, in name order. */
export function notebookFiles(): string[] {
  return fs.readdirSync(NOTEBOOK_DIR).filter((f) => f.endsWith(".ipynb")).sort().map((f) => path.join(NOTEBOOK_DIR, f));
}

export function readNotebook(file: string): Notebook {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Notebook;
}

export function cellSource(c: NotebookCell): string {
  return Array.isArray(c.source) ? c.source.join("") : c.source;
}

/** A minimal tslab notebook (nbformat 4.5, no outputs) with one code cell per source string; for runner tests. */
export function makeNotebook(codeCells: string[], markdownFirst = false): Notebook {
  const cells: NotebookCell[] = [];
  if (markdownFirst) cells.push({ cell_type: "markdown", id: "m0", metadata: {}, source: "# fixture" });
  codeCells.forEach((s, i) => cells.push({ cell_type: "code", id: `c${i}`, metadata: {}, source: s, outputs: [], execution_count: null }));
  return {
    cells,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } as { name: string } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/** Runs scripts/run-notebooks.mjs with the given arguments; returns exit status and combined output. */
export function runNotebooks(args: string[], env: NodeJS.ProcessEnv = process.env): { status: number | null; output: string } {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { spawnSync } = require("child_process") as typeof import("child_process");
  const run = spawnSync(process.execPath, [path.join(ROOT, "scripts", "run-notebooks.mjs"), ...args], {
    cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28, env: { ...env },
  });
  return { status: run.status, output: `${run.stdout ?? ""}\n${run.stderr ?? ""}${run.error ? `\n${String(run.error)}` : ""}` };
}

/** The notebook's outputs that carry a Plotly figure. */
export function plotlyOutputs(nb: { cells: { outputs?: unknown[] }[] }): Record<string, unknown>[] {
  return nb.cells
    .flatMap((c) => (c.outputs ?? []) as { data?: Record<string, unknown> }[])
    .filter((o) => o.data !== undefined && "application/vnd.plotly.v1+json" in o.data)
    .map((o) => o.data as Record<string, unknown>);
}
