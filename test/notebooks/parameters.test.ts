// Every parameter a notebook's parameters cell exposes flows through every cell that depends on it (issue 14,
// item 1): committed notebooks executed through the real tslab kernel at CI scale with their parameters cell
// changed, the printed and plotted quantities compared with the library's closed forms for the NEW parameters.
import * as fs from "fs";
import * as path from "path";
import { cellSource, executeNotebook, Notebook, NOTEBOOK_DIR, plotlyOutputs, readNotebook, scratchDir, streamText } from "./helpers";
import { criticalLearningRate, rStar, simulatedCrossingTime, toyLoss, toyRegime } from "../../src/models/saddleNode";

const dir = scratchDir("parameters-");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  if (!fs.existsSync("/usr/bin/jupyter")) throw new Error("MISSING /usr/bin/jupyter: run bash scripts/ensure-env.sh");
});

/** The committed notebook with `lines` inserted after the `const params = …` line of its parameters cell. */
function withParameters(file: string, lines: string[]): Notebook {
  const nb = readNotebook(path.join(NOTEBOOK_DIR, file));
  const cell = nb.cells.find((c) => c.cell_type === "code" && /^const params = /m.test(cellSource(c)));
  if (!cell) throw new Error(`${file} has no parameters cell (const params = …)`);
  const src = cellSource(cell).split("\n");
  const at = src.findIndex((l) => l.startsWith("const params = "));
  src.splice(at + 1, 0, ...lines);
  cell.source = src.join("\n");
  return nb;
}

function run(file: string, lines: string[]): { out: (id: string) => string; figures: (id: string) => Record<string, unknown>[]; nb: Notebook } {
  const { ok, executed, stderr } = executeNotebook(withParameters(file, lines), dir, path.basename(file, ".ipynb"));
  const failed = executed.cells.find((c) => (c.outputs ?? []).some((o) => (o as { output_type: string }).output_type === "error") || streamText(c, "stderr").includes("Error"));
  if (!ok) throw new Error(`${file} failed with ${lines.join(" ")}:\n${stderr.slice(-2000)}\n${failed ? `${cellSource(failed)}\n${streamText(failed)}` : ""}`);
  const cell = (id: string) => {
    const c = executed.cells.find((x) => x.id === id);
    if (!c) throw new Error(`${file}: no cell ${id}`);
    return c;
  };
  return { out: (id) => streamText(cell(id), "stdout"), figures: (id) => plotlyOutputs({ cells: [cell(id)] }), nb: executed };
}

/** The number after `label` in `text` (e.g. "η_c = 2.922273e-8"), and its last printed digit's size. */
function printed(text: string, label: string): { value: number; ulp: number } {
  const m = new RegExp(`${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*(-?\\d+(?:\\.(\\d+))?(?:e([-+]?\\d+))?)`).exec(text);
  if (!m) throw new Error(`"${label}" not printed in:\n${text}`);
  return { value: Number(m[1]), ulp: 10 ** (-(m[2]?.length ?? 0) + Number(m[3] ?? 0)) };
}

describe("notebook 02 at horizon T = 50 (the exercise of its parameters cell)", () => {
  const T = 50;
  const etaC = (3 * Math.PI ** 4) / (32 * T ** 5); // paper: α_c = 3π⁴/(32 T⁵)
  let nb02: ReturnType<typeof run>;
  beforeAll(() => {
    nb02 = run("02-toy-loss-landscape-and-gd.ipynb", ["params.horizon = 50; params.sweep.exponentStop = -7;"]);
  }, 10 * 60 * 1000);

  test("the constants printed are those of T = 50: η_c = 3π⁴/(32·50⁵) = 2.922e-8, r* of T = 50", () => {
    expect(etaC).toBeCloseTo(2.922e-8, 11);
    expect(criticalLearningRate(T)).toBeCloseTo(etaC, 20);
    const text = nb02.out("c04-01094f86");
    const eta = printed(text, "η_c =");
    expect(Math.abs(eta.value - etaC)).toBeLessThanOrEqual(eta.ulp / 2 + 1e-12 * etaC); // the print's own rounding
    const rs = printed(text, "r* =");
    expect(Math.abs(rs.value - rStar(T))).toBeLessThanOrEqual(rs.ulp / 2 + 1e-12 * rStar(T));
  });

  test("regime, loss and gradient lines use T = 50: r = r* is the oscillatory minimum with L = 0, not 'above optimum L = 0.5000'", () => {
    const text = nb02.out("c06-40342503");
    expect(text).not.toContain("above optimum L = 0.5000");
    const lines = text.split("\n").filter((l) => /^r = /.test(l));
    expect(lines).toHaveLength(5);
    [-1, 1 / 8, 1 / 2, 1, 3].forEach((k, i) => {
      const r = k * rStar(T);
      expect(lines[i]).toContain(toyRegime(r, T));
      const L = printed(lines[i], "L =");
      expect(Math.abs(L.value - toyLoss(r, T))).toBeLessThanOrEqual(L.ulp / 2 + 1e-12);
    });
    expect(lines[3]).toMatch(/^r = {2}1\.000 r\*: {2}oscillatory minimum\s+L = 0\.0000/);
  });

  test("the stuck-instance window follows η_c (0.7665…1.314 η_c), and the Fig 2D chart marks η_c of T = 50", () => {
    const text = nb02.out("c12-f5b38207");
    const listed = /instances stuck in the no-learning zone \(of (\d+)\): (.*)/.exec(text);
    if (!listed) throw new Error(`no stuck-instance line in:\n${text}`);
    const entries = listed[2].split(",  ").filter((e) => e.length > 0).map((e) => e.split(": ").map(Number));
    expect(entries.length).toBeGreaterThan(0);
    for (const [lr, stuck] of entries) {
      // printed with 3 significant digits: the window edges are widened by that rounding only
      expect(lr).toBeGreaterThan(0.7665 * etaC * (1 - 5e-3));
      expect(lr).toBeLessThan(1.314 * etaC * (1 + 5e-3));
      expect(Number.isInteger(stuck) && stuck >= 0 && stuck <= Number(listed[1])).toBe(true);
    }
    const annotations = nb02.figures("c12-f5b38207").flatMap((f) => ((f["application/vnd.plotly.v1+json"] as { layout?: { annotations?: { text?: string; x?: number }[] } }).layout?.annotations ?? []));
    const mark = annotations.find((a) => a.text?.startsWith("η_c = "));
    if (!mark?.text) throw new Error(`no η_c annotation in the Fig 2D chart: ${JSON.stringify(annotations)}`);
    const v = printed(mark.text.replace("−", "-"), "η_c ="); // the chart writes a typographic minus
    expect(Math.abs(v.value - etaC)).toBeLessThanOrEqual(v.ulp / 2 + 1e-12 * etaC);
    expect(Math.abs((mark.x ?? NaN) - Math.log10(etaC))).toBeLessThanOrEqual(1e-12); // placed at η_c (log axis)
  });
});

test("notebook 04 at learning rate 0.01 (its exercise): the networks are trained at 0.01, the counts and checks follow", () => {
  const nb04 = run("04-confidence-rescue.ipynb", ["params.learningRate = 0.01;"]);
  expect(nb04.out("c01-1a24d86b")).toMatch(/^scale ci: 24 networks, lr 0\.01, 6000 epochs/);
  const text = nb04.out("c04-b32fcc1a");
  // printed from the result's own config (what ran), not from the parameters object
  expect(text).toContain("trained at lr 0.01 for 6000 epochs at c = 10");
  for (const label of ["learned at some point:", "stuck at the end:", "learned AND stuck:"]) expect(text).toMatch(new RegExp(`${label}\\s+\\d+ / 24`));
  // the check cell knows the config was edited and asserts nothing about the paper's counts
  const checks = nb04.nb.cells.find((c) => c.id === "c12-7e37d96c");
  expect(JSON.stringify(checks?.outputs ?? [])).toMatch(/edited|differs|not the paper/i);
}, 10 * 60 * 1000);

test("notebook 01 with the passage threshold x* = 5: the Euler crossing times printed are those of x* = 5", () => {
  const nb01 = run("01-saddle-node-ghost.ipynb", ["params.passage.threshold = 5;"]);
  const text = nb01.out("c08-12900cde");
  expect(text).toContain("Euler (x* = 5)");
  for (const r of [0.1, 0.01, 0.001, 0.0001]) {
    const line = text.split("\n").find((l) => l.startsWith(`r = ${r.toExponential(0)}`));
    if (!line) throw new Error(`no line for r = ${r}:\n${text}`);
    const t = printed(line, "Euler time to x* = 5:");
    expect(Math.abs(t.value - simulatedCrossingTime(r, { dt: 0.01, threshold: 5 }))).toBeLessThanOrEqual(t.ulp / 2 + 1e-9);
  }
}, 10 * 60 * 1000);
