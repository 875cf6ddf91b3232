/**
 * Paper checks (src/figures/*Check.ts, src/display/checks.ts): every checkFigN on real data at CI scale holds its
 * must-hold rows, and each can fail — tampered data makes the row fail and showChecks throw.
 *
 * Fig 1 and Fig 2 are computed here (about a second). The four long figures come from `ghost run <figure> --scale ci
 * --check` (the built CLI, which must exit 0: the check's own verdict) with the project's default result cache, the
 * one the CI notebook run uses: after either has run, the other takes the stored results.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  assertChecks, CheckRow, editedFields, failedChecks, PaperCheckError, protocolRows, requireCheckRows,
} from "../../src/figures/checks";
import { checkFig1, fig1PassageSlopes, leastSquaresSlope } from "../../src/figures/fig1Check";
import { checkFig2 } from "../../src/figures/fig2Check";
import { checkFig3, fig3Reduction } from "../../src/figures/fig3Check";
import { checkFig4 } from "../../src/figures/fig4Check";
import { checkFigS1 } from "../../src/figures/figS1Check";
import { checkFigRank, learningWindowText } from "../../src/figures/figRankCheck";
import { fig1Config, runFig1 } from "../../src/figures/fig1";
import { fig2Config, runFig2 } from "../../src/figures/fig2";
import { fig3Config, Fig3Data } from "../../src/figures/fig3";
import { fig4Config, Fig4Data } from "../../src/figures/fig4";
import type { FigS1Data } from "../../src/figures/figS1";
import type { FigRankData } from "../../src/figures/figRank";
import { checkMark, checksHtml, checksText, checksVerdict, showChecks } from "../../src/display/checks";
import { setKernelWriterForTesting, WriteDisplayData } from "../../src/display/show";
import { GhostError } from "../../src/core/errors";
import { readCheckedJson } from "../../src/core/io";

const root = path.resolve(__dirname, "../..");
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const row = (rows: CheckRow[], quantity: string | RegExp) => {
  const r = rows.find((x) => (typeof quantity === "string" ? x.quantity === quantity : quantity.test(x.quantity)));
  if (!r) throw new Error(`no row ${quantity} in ${rows.map((x) => x.quantity).join(" | ")}`);
  return r;
};
/** Every must-hold row holds, and there are must-hold rows (a check that asserts nothing would pass trivially). */
function expectAllHold(rows: CheckRow[]) {
  requireCheckRows(rows);
  expect(rows.filter((r) => r.mustHold).length).toBeGreaterThan(0);
  expect(failedChecks(rows).map((r) => `${r.quantity}: ${r.ours} (${r.why})`)).toEqual([]);
  expect(row(rows, "protocol").ours).toMatch(/the figure's config/);
}
/** The row fails, failedChecks lists it and showChecks (silenced) throws a PaperCheckError naming it. */
function expectFails(rows: CheckRow[], quantity: string | RegExp) {
  const r = row(rows, quantity);
  expect(r.mustHold).toBe(true);
  expect(r.holds).toBe(false);
  expect(failedChecks(rows)).toContain(r);
  const out = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
  try {
    expect(() => showChecks(rows)).toThrow(PaperCheckError);
    expect(() => showChecks(rows)).toThrow(r.quantity);
  } finally {
    out.mockRestore();
  }
}

afterEach(() => setKernelWriterForTesting(undefined));

describe("check rows, verdicts and tables", () => {
  const ok: CheckRow = { quantity: "a", paper: "1", ours: "1", holds: true, mustHold: true, why: "equal" };
  const bad: CheckRow = { quantity: "b <i>", paper: "2", ours: "3", holds: false, mustHold: true, why: "2 ≠ 3" };
  const note: CheckRow = { quantity: "c", paper: "7/10", ours: "8/10", holds: null, mustHold: false, why: "a statistic" };
  const off: CheckRow = { quantity: "d", paper: "x", ours: "y", holds: false, mustHold: false, why: "informational" };

  test("failedChecks lists the failed must-hold rows only; assertChecks throws a PaperCheckError (a GhostError) naming them", () => {
    expect(failedChecks([ok, bad, note, off])).toEqual([bad]);
    expect(assertChecks([ok, note, off])).toEqual([ok, note, off]);
    let error: unknown;
    try {
      assertChecks([ok, bad, note]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PaperCheckError);
    expect(error).toBeInstanceOf(GhostError);
    expect((error as PaperCheckError).rows).toEqual([bad]);
    expect((error as Error).message).toBe("paper check failed: 1 must-hold row did not hold: b <i>: ours 3, paper 2 (2 ≠ 3)");
  });

  test("malformed rows are refused with a GhostError naming the field", () => {
    expect(() => failedChecks("rows" as never)).toThrow(/^rows = "rows" is not allowed/);
    expect(() => failedChecks([ok, { ...ok, why: 3 }] as never)).toThrow(/rows\[1\]\.why = 3/);
    expect(() => failedChecks([{ ...ok, holds: "yes" }] as never)).toThrow(/rows\[0\]\.holds/);
    expect(() => failedChecks([{ ...ok, mustHold: 1 }] as never)).toThrow(/rows\[0\]\.mustHold/);
    expect(() => failedChecks([{ ...note, mustHold: true }])).toThrow(/rows\[0\]\.holds = null .*must-hold/);
    expect(() => showChecks([null] as never)).toThrow(GhostError);
    expect(() => failedChecks([])).toThrow(/rows = Array\(length 0\) is not allowed: expected a non-empty array/); // could never fail
  });

  test("a figure check on something that is not its data: a GhostError naming data, never a TypeError", () => {
    expect(() => checkFig1(3 as never)).toThrow(/^data = 3 is not allowed/);
    expect(() => checkFig1({ config: fig1Config("ci") } as never)).toThrow(/^data = .* is not allowed: expected Fig 1 data as returned by figures.runFig1 \(Cannot read/);
    expect(() => checkFig2({} as never)).toThrow(/^data.config = undefined/);
    expect(() => checkFig3({ low: {} } as never)).toThrow(/^data.high = undefined/);
    expect(() => checkFig4({ config: { scale: "huge" } } as never)).toThrow(GhostError);
    expect(() => learningWindowText({ low: "a" } as never)).toThrow(/^w.low = "a"/);
  });

  test("marks, verdict and the text table", () => {
    expect([ok, bad, note, off].map(checkMark)).toEqual(["✓", "✗", "·", "(✗)"]);
    expect(checksVerdict([ok, note])).toBe("all 1 must-hold row hold (1 informational)");
    expect(checksVerdict([ok, bad, off])).toBe("FAILED: 1 of 2 must-hold rows did not hold (1 informational)");
    const text = checksText([ok, bad, note]).split("\n");
    expect(text).toHaveLength(1 + 2 * 3 + 1);
    expect(text[0]).toMatch(/^ +quantity +paper +ours$/);
    expect(text[3]).toMatch(/^✗ +b <i> +2 +3$/);
    expect(text[4]).toBe("     must hold: 2 ≠ 3");
    expect(text[6]).toBe("     info: a statistic");
    expect(text[7]).toMatch(/^FAILED/);
  });

  test("HTML: one row per check, escaped, failed rows highlighted, verdict below", () => {
    const html = checksHtml([ok, bad, note]);
    expect(html.match(/<tr style=/g)).toHaveLength(3);
    expect(html).toContain("b &lt;i&gt;");
    expect(html).not.toContain("<i>");
    expect(html).toContain("background:#fde2e1");
    expect(html).toMatch(/FAILED: 1 of 2 must-hold rows/);
  });

  test("showChecks in a kernel: one output with text/html and text/plain, then returns the rows or throws", () => {
    const sent: Parameters<WriteDisplayData>[0][] = [];
    setKernelWriterForTesting((msg) => void sent.push(msg));
    expect(showChecks([ok, note])).toBeUndefined(); // nothing for tslab to print after the table
    expect(() => showChecks([ok, bad])).toThrow(PaperCheckError);
    expect(sent).toHaveLength(2); // the failing table is shown before the throw
    expect(Object.keys(sent[1].data).sort()).toEqual(["text/html", "text/plain"]);
    expect(sent[1].data["text/plain"]).toBe(checksText([ok, bad]));
  });

  test("showChecks outside a kernel prints the text table to stdout", () => {
    const out = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      showChecks([ok, note]);
      expect(out).toHaveBeenCalledWith(checksText([ok, note]) + "\n");
    } finally {
      out.mockRestore();
    }
  });

  test("an edited config: the protocol row names the fields and no row is asserted any more", () => {
    expect(editedFields({ a: 1, b: [1, 2], scale: "ci" }, { a: 1, b: [1, 3], scale: "ci", c: 0 })).toEqual(["b", "c"]);
    const same = protocolRows({ scale: "ci", x: 1 }, { scale: "ci", x: 1 }, [ok, bad]);
    expect(same.slice(1)).toEqual([ok, bad]);
    expect(failedChecks(same)).toEqual([bad]);
    const edited = protocolRows({ scale: "ci", x: 2 }, { scale: "ci", x: 1 }, [ok, bad]);
    expect(edited[0]).toMatchObject({ quantity: "protocol", ours: "edited: x", mustHold: false, holds: false });
    expect(edited.slice(1).every((r) => !r.mustHold)).toBe(true);
    expect(failedChecks(edited)).toEqual([]);
  });
});

describe("Fig 1 check (ci scale)", () => {
  const data = runFig1(fig1Config("ci"));
  test("all must-hold rows hold; slopes are −1/2", () => {
    expectAllHold(checkFig1(data));
    const s = fig1PassageSlopes(data);
    expect(s.analytic).toBeCloseTo(-0.5, 9);
    expect(Math.abs(s.simulated + 0.5)).toBeLessThan(0.02);
    expect(leastSquaresSlope([0, 1, 2], [1, 3, 5])).toBe(2);
    expect(() => leastSquaresSlope([1], [1])).toThrow(GhostError);
  });
  test("tampered data fails: a wrong stability, a missing crossing, a wrong fixed-point count", () => {
    const a = clone(data);
    a.schematic[1].fixedPoints[0].stability = "unstable";
    expectFails(checkFig1(a), "r = −0.5: fixed points");
    const b = clone(data);
    b.passage.simulated[3] = null;
    expectFails(checkFig1(b), "passage time exponent (Euler, x* = 10)");
    const c = clone(data);
    c.frames[0].fixedPoints = [{ x: 0, stability: "stable" } as never];
    expectFails(checkFig1(c), "fixed points of every slider frame");
  });
  test("an edited config is reported, not asserted", () => {
    const rows = checkFig1(runFig1({ ...fig1Config("ci"), passage: { ...fig1Config("ci").passage, points: 5 } }));
    expect(row(rows, "protocol").ours).toBe("edited: passage");
    expect(failedChecks(rows)).toEqual([]);
  });
});

describe("Fig 2 check (ci scale = the paper's parameters)", () => {
  const data = runFig2(fig2Config("ci"));
  test("all must-hold rows hold", () => expectAllHold(checkFig2(data)));
  test("tampered data fails: a stuck instance below η_c, a run that kept learning at 1e-9, a best η outside [η_E, 2η_E]", () => {
    const a = clone(data);
    a.sweep.stuck[a.sweep.learningRates.findIndex((lr) => lr < data.constants.criticalLearningRate)] = 1;
    expectFails(checkFig2(a), "Fig 2D stuck for η < η_c");
    const b = clone(data);
    b.runs[1].endsStuck = false;
    expectFails(checkFig2(b), "η = 1e-9: end state");
    const c = clone(data);
    c.sweep.best[0].learningRate *= 3;
    expectFails(checkFig2(c), "best η at 1000 epochs");
    const d = clone(data);
    d.constants.rStar *= 1 + 2e-6;
    expectFails(checkFig2(d), "r* (T = 100)");
  });
});

/** Runs `ghost run <figure> --scale ci --check` (default cache) and returns the figure's data and the CLI's output. */
function runCli(figure: string): { data: unknown; stdout: string } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-checks-"));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, CI: "true" };
    delete env.GHOST_SCALE;
    const r = spawnSync(process.execPath, [path.join(root, "dist", "cli.js"), "run", figure, "--scale", "ci", "--check", "--out", out], {
      cwd: root, encoding: "utf8", env, timeout: 20 * 60 * 1000,
    });
    if (r.status !== 0) throw new Error(`ghost run ${figure} --check exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    const doc = readCheckedJson<{ data: unknown }>(path.join(out, `${figure}-ci.json`), { kind: "figure-result" });
    return { data: doc.data, stdout: r.stdout };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

describe("the long figures' checks on their ci-scale data (from the built CLI)", () => {
  const runs: Record<string, { data: unknown; stdout: string }> = {};
  beforeAll(() => {
    if (!fs.existsSync(path.join(root, "dist", "cli.js"))) throw new Error("dist/ is not built: npm run build");
    for (const f of ["fig3", "fig4", "figS1", "figRank"]) runs[f] = runCli(f);
  }, 40 * 60 * 1000);

  test("the CLI printed each table with a passing verdict", () => {
    for (const f of Object.keys(runs)) {
      expect(runs[f].stdout).toContain(`paper check, ${f} (ci):`);
      expect(runs[f].stdout).toMatch(/^all \d+ must-hold rows hold/m);
    }
  });

  test("Fig 3: all must-hold rows hold; tampered runs fail (a bifurcation at low lr, an event that does not persist)", () => {
    const data = runs.fig3.data as Fig3Data;
    expectAllHold(checkFig3(data));
    const a = clone(data);
    a.low.maxFixedPoints.signFlips = 3;
    expectFails(checkFig3(a), "lr 0.003: max fixed points over training (v2 test)");
    const b = clone(data);
    b.high.saddleNode!.persistent = false;
    expectFails(checkFig3(b), "lr 0.02: persistent");
    const c = clone(data);
    c.high.saddleNode = null;
    expectFails(checkFig3(c), "lr 0.02: saddle-node event");
    // ci scale: the paper-scale-only row is informational
    expect(row(checkFig3(data), "lr 0.003: normalised loss < 1e-2").mustHold).toBe(false);
  });

  test("Fig 3's 1-D reduction: the network's κ_t equals the 1-D map to rounding, one fixed point below threshold", () => {
    const r = fig3Reduction(fig3Config("ci"));
    expect(r.maxError).toBeLessThan(1e-12);
    expect(r.fixedPoints).toHaveLength(1);
    expect(r.fixedPoints[0].kappa).toBeLessThan(1);
    expect(r.accuracy).toBe(0.5);
    expect(() => fig3Reduction({ ...fig3Config("ci"), size: 0 })).toThrow(GhostError);
  });

  test("Fig 4: all must-hold rows hold; nothing to rescue or a c = 10 that moved fails; paper scale asserts the counts ±10", () => {
    const data = runs.fig4.data as Fig4Data;
    expectAllHold(checkFig4(data));
    expect(row(checkFig4(data), "networks that learned at some point").mustHold).toBe(false); // ci: printed only
    const a = clone(data);
    a.counts.selected = 0;
    expectFails(checkFig4(a), "learned-and-stuck networks");
    const b = clone(data);
    b.curves[b.curves.length - 1].accuracyMean[50] = 0.55;
    expectFails(checkFig4(b), /^c = 10\.0: accuracy over 100 epochs$/);
    // The paper-scale branch: the same curves under the paper config; counts within ±10 of 74 / 54 hold, 60 learned fails.
    const paper = { ...clone(data), config: fig4Config("paper"), counts: { ...data.counts, total: 100, learned: 70, selected: 50 } };
    expectAllHold(checkFig4(paper));
    expectFails(checkFig4({ ...paper, counts: { ...paper.counts, learned: 63 } }), "networks that learned at some point");
  });

  test("Fig S1: all must-hold rows hold; a diverged run or a plateau that learned fails", () => {
    const data = runs.figS1.data as FigS1Data;
    expectAllHold(checkFigS1(data));
    const a = clone(data);
    a.summary.totals.diverged = 1;
    expectFails(checkFigS1(a), "diverged runs");
    const b = clone(data);
    b.sweep.meanLoss[b.sweep.reportEpochs.length - 1][0] = 0.5;
    expectFails(checkFigS1(b), "smallest lr: mean final loss");
    // The optimum moving right at the last report epoch: significant (the old optimum's loss 10 standard errors above
    // the new one) fails; within noise (1 standard error) holds and is reported.
    const moved = (gapInSe: number) => {
      const c = clone(data);
      const S = c.sweep, last = S.reportEpochs.length - 1, prev = c.summary.bestLearningRateByEpoch[last - 1];
      const iOld = S.learningRates.indexOf(prev.learningRate), iNew = iOld + 1;
      S.semLoss[last][iOld] = S.semLoss[last][iNew] = 1e-4;
      S.meanLoss[last][iNew] = 1e-3;
      S.meanLoss[last][iOld] = 1e-3 + gapInSe * Math.hypot(1e-4, 1e-4);
      c.summary.bestLearningRateByEpoch[last] = { epoch: S.reportEpochs[last], learningRate: S.learningRates[iNew], meanLoss: 1e-3 };
      return c;
    };
    expectFails(checkFigS1(moved(10)), "optimum vs epoch: never moves right");
    const noise = checkFigS1(moved(1));
    expect(row(noise, "optimum vs epoch: never moves right").holds).toBe(true);
    expect(row(noise, "optimum vs epoch: never moves right").why).toMatch(/within noise: .*2 s\.e\./);
  });

  test("trainable rank: all must-hold rows hold; no full-rank window or K that does not help fails", () => {
    const data = runs.figRank.data as FigRankData;
    expectAllHold(checkFigRank(data));
    const a = clone(data);
    a.fullRank.learningWindow = null;
    expectFails(checkFigRank(a), "(a) learning window: full rank vs rank one");
    const b = clone(data);
    for (const fr of b.summary.rankK.fractionLearned) fr[fr.length - 1] = fr[0];
    expectFails(checkFigRank(b), /^\(b\) fraction learned/);
    expect(learningWindowText(null)).toMatch(/^none/);
    expect(learningWindowText({ low: 0.01, high: 0.1, decades: 1 })).toBe("1.00e-2 … 1.00e-1 (1.00 decades)");
  });
});
