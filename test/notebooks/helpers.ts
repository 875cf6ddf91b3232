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
