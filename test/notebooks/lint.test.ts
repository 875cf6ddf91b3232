// Every committed notebook: valid nbformat 4.5 JSON, tslab kernel, unique cell ids, no outputs.
import { notebookFiles, readNotebook, cellSource } from "./helpers";
import * as path from "path";
import * as fs from "fs";

describe("committed notebooks are clean", () => {
  test("every notebook file is valid JSON", () => {
    for (const f of notebookFiles()) expect(() => JSON.parse(fs.readFileSync(f, "utf8"))).not.toThrow();
  });
  const files = notebookFiles();
  test("there are figure notebooks", () => {
    expect(files.length).toBeGreaterThanOrEqual(1);
  });
  test.each(files.map((f) => [path.basename(f), f]))("%s", (_name, file) => {
    const nb = readNotebook(file);
    expect(nb.nbformat).toBe(4);
    expect(nb.nbformat_minor).toBeGreaterThanOrEqual(5);
    expect(nb.metadata.kernelspec?.name).toBe("tslab");
    const ids = nb.cells.map((c) => c.id);
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9_-]{1,64}$/); // nbformat 4.5 cell id rule
    for (const c of nb.cells) {
      if (c.cell_type === "code") {
        expect(c.outputs).toEqual([]);
        expect(c.execution_count).toBeNull();
      }
    }
    // the design's structure: a parameters cell reading the scale and a check-against-the-paper section
    // tslab compiles cells with rootDir = notebooks/: import the built package by name, never ../src
    for (const c of nb.cells) if (c.cell_type === "code") expect(cellSource(c)).not.toMatch(/from\s+["']\.\.?\//);
    const text = nb.cells.map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source)).join("\n");
    expect(text).toMatch(/GHOST_SCALE/);
    if (!path.basename(file).startsWith("00-")) expect(text).toMatch(/Check against the paper/i);
    // Think! prompts keep their answers folded: every Think! cell has as many <details> blocks as questions, each
    // with a summary, so a student can try first.
    for (const c of nb.cells) {
      const s = cellSource(c);
      if (c.cell_type !== "markdown" || !/Think!/.test(s)) continue;
      const questions = (s.match(/^\*\*\d+\./gm) ?? []).length || 1;
      expect((s.match(/<details><summary>Answer<\/summary>/g) ?? []).length).toBe(questions);
      expect((s.match(/<\/details>/g) ?? []).length).toBe(questions);
    }
  });
  test.each(files.filter((f) => !path.basename(f).startsWith("00-")).map((f) => [path.basename(f), f]))(
    "%s: the check section is one call of the library's paper check, last among the code cells",
    (_name, file) => {
      const nb = readNotebook(file);
      const withoutComments = (s: string) => s.split("\n").filter((l) => !l.trim().startsWith("//")).join("\n").trim();
      const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => withoutComments(cellSource(c)));
      const checkCells = code.filter((s) => /check(?:V2)?Fig|showChecks/.test(s));
      expect(checkCells).toHaveLength(1);
      expect(checkCells[0]).toMatch(/^display\.showChecks\(figures\.check(?:V2)?Fig\w+\([^;]*\)\);$/);
      expect(code[code.length - 1]).toBe(checkCells[0]);
      expect(code.join("\n")).not.toMatch(/all checks passed|throw new Error/); // test-like cells live in the library
    },
  );
  test.each([["02-toy-loss-landscape-and-gd"], ["04-confidence-rescue"]])("%s has a predict-then-re-run exercise with a folded answer", (name) => {
    const nb = readNotebook(path.join(path.dirname(files[0]), `${name}.ipynb`));
    const cell = nb.cells.find((c) => c.cell_type === "markdown" && /Predict, then change a parameter and re-run/.test(cellSource(c)));
    expect(cell).toBeDefined();
    expect(cellSource(cell!)).toMatch(/<details><summary>Answer<\/summary>[\s\S]+<\/details>/);
  });
});
