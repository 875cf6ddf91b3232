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

/** A fresh folder inside the checkout (output/, git-ignored) where a notebook can import the package by name. */
export function scratchDir(prefix: string): string {
  const base = path.join(ROOT, "output");
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, prefix));
}

/** The environment notebooks are executed in: the project-local kernelspec, its tslab on PATH, CI scale. */
export function kernelEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GHOST_SCALE: "ci",
    JUPYTER_PATH: path.join(ROOT, ".jupyter", "share", "jupyter"),
    PATH: `${path.join(ROOT, "node_modules", ".bin")}:${process.env.PATH}`,
    ...extra,
  };
}

/**
 * Executes `nb` (written to `dir/name.ipynb`) with nbclient through the real tslab kernel (scripts/execute_notebook.py)
 * and returns the executed notebook (also when a cell failed: execution stops there), whether every cell ran, and
 * the runner's stderr.
 */
export function executeNotebook(nb: Notebook, dir: string, name: string, env: NodeJS.ProcessEnv = kernelEnv(), timeoutSeconds = 600):
  { ok: boolean; executed: Notebook; stderr: string } {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { spawnSync } = require("child_process") as typeof import("child_process");
  const input = path.join(dir, `${name}.ipynb`);
  const output = path.join(dir, `${name}.executed.ipynb`);
  fs.writeFileSync(input, JSON.stringify(nb, null, 1));
  const run = spawnSync("/usr/bin/python3", [path.join(ROOT, "scripts", "execute_notebook.py"), input, output, String(timeoutSeconds)], {
    cwd: dir, encoding: "utf8", maxBuffer: 1 << 28, env,
  });
  if (!fs.existsSync(output)) throw new Error(`the notebook ${name} was not executed (exit ${run.status}):\n${run.stderr}\n${run.error ?? ""}`);
  return { ok: run.status === 0, executed: readNotebook(output), stderr: `${run.stderr ?? ""}` };
}

/** Text of a cell's stream outputs (`name`: "stdout", "stderr" or both), ANSI colours removed. */
export function streamText(c: NotebookCell, name?: "stdout" | "stderr"): string {
  return ((c.outputs ?? []) as { output_type: string; name?: string; text?: string | string[] }[])
    .filter((o) => o.output_type === "stream" && (name === undefined || o.name === name))
    .map((o) => (Array.isArray(o.text) ? o.text.join("") : o.text ?? ""))
    .join("")
    .replace(/\x1b\[[0-9;]*m/g, "");
}
