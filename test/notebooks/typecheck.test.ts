// Type-checks each notebook's code cells (concatenated into one module) against the built package's types, and
// maps every diagnostic back to "cell k, line j". tsc never sees notebook cells otherwise.
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";
import * as os from "os";
import { ROOT, notebookFiles, readNotebook, cellSource, makeNotebook } from "./helpers";

function checkNotebook(file: string): string[] {
  const nb = readNotebook(file);
  const lines: string[] = [];
  const origin: { cell: number; line: number }[] = [];
  nb.cells.forEach((c, k) => {
    if (c.cell_type !== "code") return;
    cellSource(c).split("\n").forEach((l, j) => {
      lines.push(l);
      origin.push({ cell: k, line: j + 1 });
    });
  });
  lines.push("export {};");
  origin.push({ cell: -1, line: 0 });
  const dir = path.join(ROOT, ".cache", "notebook-typecheck");
  fs.mkdirSync(dir, { recursive: true });
  const tsFile = path.join(dir, path.basename(file, ".ipynb").replace(/[^A-Za-z0-9_-]/g, "_") + ".ts");
  fs.writeFileSync(tsFile, lines.join("\n"));
  const program = ts.createProgram([tsFile], {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true, noImplicitAny: false, esModuleInterop: true, skipLibCheck: true, noEmit: true,
    types: ["node"], typeRoots: [path.join(ROOT, "node_modules", "@types")], lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  });
  return ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === tsFile || !d.file).map((d) => {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (!d.file || d.start === undefined) return msg;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const o = origin[line];
    return `cell ${o.cell}, line ${o.line}: ${msg}`;
  });
}

describe("notebook cells type-check against the built package", () => {
  beforeAll(() => {
    if (!fs.existsSync(path.join(ROOT, "dist", "index.d.ts"))) throw new Error("dist/ is not built: run npm run build first");
  });
  test("control: a type error is reported at its notebook cell and line", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-typecheck-"));
    const file = path.join(dir, "fixture.ipynb");
    fs.writeFileSync(file, JSON.stringify(makeNotebook([
      'import { core } from "ghost-mechanism";',
      'const rng = new core.Rng(1);\nconst z = rng.normal();\nconst wrong: string = z;',
      "core.notAFunction();",
    ], true)));
    const diagnostics = checkNotebook(file);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(diagnostics.length).toBe(2);
    expect(diagnostics[0]).toMatch(/^cell 2, line 3: Type 'number' is not assignable to type 'string'/);
    expect(diagnostics[1]).toMatch(/^cell 3, line 1: .*notAFunction/);
  });
  test.each(notebookFiles().map((f) => [path.basename(f), f]))("%s", (_name, file) => {
    expect(checkNotebook(file)).toEqual([]);
  });
});
