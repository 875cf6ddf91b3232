// Errors a student can read (issue 14, item 2): in a tslab notebook an uncaught GhostError prints as its one-line
// message and the student's own cell line (not ~20 lines of library source, node:vm/tslab frames and a
// {parameter, value, allowed} dump); GHOST_STACK=1 brings the full stack back. Executed through the real kernel.
import * as fs from "fs";
import { executeNotebook, makeNotebook, scratchDir, streamText } from "./helpers";

const dir = scratchDir("errors-");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const IMPORT = 'import { figures, models, core } from "ghost-mechanism";\nconst params = figures.fig2Config("ci");';
const FAILING = '// predict, then change a parameter\nconst T: number = -100;\ninterface Note { text: string }\nparams.horizon = T;\nconsole.log("running Fig 2");\nconst data = figures.runFig2(params);';
const MESSAGE = "GhostError: config.horizon = -100 is not allowed: expected a finite number > 0";

beforeAll(() => {
  if (!fs.existsSync("/usr/bin/jupyter")) throw new Error("MISSING /usr/bin/jupyter: run bash scripts/ensure-env.sh");
});

test("a GhostError in a cell prints as 3 lines: the message, the student's line, how to get the stack", () => {
  const { ok, executed } = executeNotebook(makeNotebook([IMPORT, FAILING, 'console.log("must not run");']), dir, "short");
  expect(ok).toBe(false);
  const cell = executed.cells[1];
  expect(streamText(cell, "stdout")).toBe("running Fig 2\n");
  const lines = streamText(cell, "stderr").trimEnd().split("\n");
  expect(lines).toEqual([
    MESSAGE,
    "  in your cell, line 6: const data = figures.runFig2(params);",
    '  (full stack: error.stack, or process.env.GHOST_STACK = "1" and re-run)',
  ]);
  expect(executed.cells[2].outputs ?? []).toEqual([]);
});

test("an asynchronous cell's GhostError is as short, and errors that are not GhostErrors are left as Node prints them", () => {
  const { ok, executed } = executeNotebook(makeNotebook([
    IMPORT,
    'try {\n  JSON.parse("{oops");\n} catch (e) {\n  console.error(e);\n}',
    'const p4 = figures.fig4Config("ci");\nconst rescued = await figures.runFig4({ ...p4, learningRate: -0.02 });',
  ]), dir, "async");
  expect(ok).toBe(false);
  const typeError = streamText(executed.cells[1], "stderr");
  expect(typeError).toMatch(/^SyntaxError: .*JSON/);
  expect(typeError.split("\n").length).toBeGreaterThan(3); // its stack, untouched
  const lines = streamText(executed.cells[2], "stderr").trimEnd().split("\n");
  expect(lines[0]).toMatch(/^GhostError: config\.learningRate = -0\.02 is not allowed/);
  expect(lines[1]).toBe("  in your cell, line 2: const rescued = await figures.runFig4({ ...p4, learningRate: -0.02 });");
  expect(lines).toHaveLength(3);
});

test("GHOST_STACK=1 (set in a cell) prints the full stack and fields again", () => {
  const { ok, executed } = executeNotebook(makeNotebook([IMPORT, 'process.env.GHOST_STACK = "1";', FAILING]), dir, "full");
  expect(ok).toBe(false);
  const text = streamText(executed.cells[2], "stderr");
  expect(text).toContain(MESSAGE);
  expect(text).toMatch(/at requirePositive \(.*dist[\\/]core[\\/]errors\.js:\d+:\d+\)/);
  expect(text).toContain("evalmachine.<anonymous>");
  expect(text).toContain("parameter: 'config.horizon'");
  expect(text.split("\n").length).toBeGreaterThan(10);
});
