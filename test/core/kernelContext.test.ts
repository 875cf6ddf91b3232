// The short notebook form of errors (issue 14, item 2): outside a tslab kernel nothing changes; the student's
// cell line is found from the stack and the cell's source.
import * as util from "util";
import { GhostError } from "../../src/core/errors";
import { cellLineOf, inTslab } from "../../src/core/kernelContext";

const STACK = [
  "GhostError: config.horizon = -100 is not allowed: expected a finite number > 0",
  "    at requirePositive (/x/dist/core/errors.js:88:15)",
  "    at validateConfig (/x/dist/figures/fig2.js:40:34)",
  "    at Object.runFig2 (/x/dist/figures/fig2.js:111:5)",
  "    at evalmachine.<anonymous>:8:38",
  "    at evalmachine.<anonymous>:10:3",
  "    at sigintHandlersWrap (node:vm:280:12)",
].join("\n");

test("not a tslab kernel under jest: GhostError prints as Node prints errors (stack and fields)", () => {
  expect(inTslab()).toBe(false);
  const text = util.inspect(new GhostError("config.horizon", -100, "a finite number > 0"));
  expect(text).toMatch(/^GhostError: config\.horizon = -100 is not allowed: expected a finite number > 0\n\s+at /);
  expect(text).toContain("parameter: 'config.horizon'");
});

test("a stray __tslab__ global alone does not count as a kernel", () => {
  (globalThis as Record<string, unknown>).__tslab__ = { exports: {}, require };
  try {
    expect(inTslab()).toBe(false);
  } finally {
    delete (globalThis as Record<string, unknown>).__tslab__;
  }
});

describe("cellLineOf", () => {
  test("the one source line calling the library function above the cell frame", () => {
    const src = "// a comment\nconst x: number = 1;\ninterface Foo { a: number }\nparams.horizon = -100;\nconsole.log(\"before\");\nconst data = figures.runFig2(params);";
    expect(cellLineOf(STACK, src)).toEqual({ line: 6, text: "const data = figures.runFig2(params);" });
  });
  test("of several calls, the one nearest the compiled line; commented-out calls do not count", () => {
    const src = "// figures.runFig2(a)\nconst a = figures.runFig2(p1);\nconst b = 2;\nconst c = 3;\nconst d = 4;\nconst e = 5;\nconst f = 6;\nconst g = figures.runFig2(p2);";
    expect(cellLineOf(STACK, src)).toEqual({ line: 8, text: "const g = figures.runFig2(p2);" });
  });
  test("null when it cannot be told", () => {
    expect(cellLineOf(STACK, null)).toBeNull();
    expect(cellLineOf(STACK, "const y = somethingElse();")).toBeNull();
    expect(cellLineOf("Error: x\n    at f (/a.js:1:1)", "f()")).toBeNull(); // no cell frame
    expect(cellLineOf("Error: x\n    at evalmachine.<anonymous>:1:1", "f()")).toBeNull(); // thrown by the cell itself
  });
});
