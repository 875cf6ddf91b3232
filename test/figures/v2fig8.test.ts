import { uniformGradient } from "../../src/core/arrays";
import { GhostError } from "../../src/core/errors";
import { runV2Fig8, runV2Fig8C, v2Fig8Config, V2Fig8Data } from "../../src/figures/v2fig8";
import { checkV2Fig8 } from "../../src/figures/v2fig8Check";
import { v2Fig8Figures } from "../../src/display/v2fig8";
import { getFigure } from "../../src/catalogue";
import { rStar, toyGradient } from "../../src/models/saddleNode";
import { createRankOneRnn, withConfidence } from "../../src/models/rnn";
import { evaluateRnn } from "../../src/training/bptt";
import { trainLearnableConfidence } from "../../src/training/learnableConfidence";
import { trainRnn } from "../../src/training/trainRnn";
import { setKernelMode } from "../../src/kernels";
import { delayedActivationTask } from "../../src/tasks/delayedActivation";

describe("uniformGradient (numpy.gradient with a scalar spacing)", () => {
  test("exact for a quadratic inside and for a line at the ends", () => {
    const h = 0.25;
    const q = Array.from({ length: 9 }, (_, i) => 3 * (i * h) ** 2 - 2 * (i * h) + 1);
    const d = uniformGradient(q, h);
    for (let i = 1; i < 8; i++) expect(d[i]).toBeCloseTo(6 * i * h - 2, 12);
    const line = Array.from({ length: 5 }, (_, i) => 7 - 4 * i * h);
    const dl = uniformGradient(line, h);
    expect(dl[0]).toBeCloseTo(-4, 12);
    expect(dl[4]).toBeCloseTo(-4, 12);
  });
  test("bad input names the parameter", () => {
    expect(() => uniformGradient([1], 1)).toThrow(GhostError);
    expect(() => uniformGradient([1, 2], 0)).toThrow(/spacing/);
    expect(() => uniformGradient("ab" as unknown as number[], 1)).toThrow(/values/);
  });
});

describe("learnable confidence (spec B6.2): ∂L/∂c by hand vs central finite differences", () => {
  const task = delayedActivationTask(20);
  // A network part-way through training at c = 1 (the gradient is large there), and one at c = 10.
  const base = createRankOneRnn(40, { confidence: 1 });
  trainRnn(base, { learningRate: 0.02, epochs: 200, task });
  for (const c of [1, 10, 0.3]) {
    test(`c = ${c}: first-epoch ∂L/∂c matches (L(c + h) − L(c − h))/(2h) to a derived tolerance`, () => {
      const h1 = trainLearnableConfidence(base, { learningRate: 1e-12, epochs: 1, confidence: c });
      const gc = h1.confidenceGradient[0];
      const h = 1e-5 * c;
      const Lp = evaluateRnn(withConfidence(base, c + h), task).loss, Lm = evaluateRnn(withConfidence(base, c - h), task).loss;
      const fd = (Lp - Lm) / (2 * h);
      // Error of the central difference: truncation h²·|L'''|/6 plus roundoff ~ 2·eps·L/(2h). L is a sum of 40 smooth
      // sigmoids of c(κ − 1) with |κ − 1| ≲ 3: |L'''| ≲ 40·(2/20)·3³ ≈ 108 bounds it generously.
      const L = h1.loss[0];
      const kappa = evaluateRnn(withConfidence(base, c), task).kappa.data;
      expect(Math.max(...Array.from(kappa, (k) => Math.abs(k - 1)))).toBeLessThanOrEqual(3); // the bound's assumption
      const tol = (h * h * 108) / 6 + (2.3e-16 * Math.max(L, 1e-300)) / h * 4;
      expect(Math.abs(gc - fd)).toBeLessThanOrEqual(tol);
      // negative control: a wrong gradient (10 % off) is caught whenever the gradient is not tiny
      expect(Math.abs(gc)).toBeGreaterThan(100 * tol);
      expect(Math.abs(1.1 * gc - fd)).toBeGreaterThan(tol);
    });
  }
  test("one epoch: loss as evaluateRnn; the norm includes c; c moves by −η·∂L/∂c; m, n, b as trainRnn's SGD", () => {
    const lr = 0.02;
    const h = trainLearnableConfidence(base, { learningRate: lr, epochs: 1, confidence: 1 });
    const ev = evaluateRnn(base, task);
    expect(h.loss[0]).toBe(ev.loss);
    let sq = h.confidenceGradient[0] ** 2;
    for (const g of [ev.grads.M, ev.grads.P, ev.grads.b]) for (const v of g.data) sq += v * v;
    expect(h.gradNorm[0]).toBeCloseTo(Math.sqrt(sq), 14);
    expect(h.confidence[1]).toBe(1 - lr * h.confidenceGradient[0]);
    // trainLearnableConfidence runs the JS reference kernels (Math.tanh, training/bptt.ts): compare with trainRnn on
    // the same kernels (its default is the WebAssembly kernel, whose tanh rounds differently)
    const fixed = withConfidence(base, 1);
    setKernelMode("js");
    try { trainRnn(fixed, { learningRate: lr, epochs: 1, task }); } finally { setKernelMode(undefined); }
    expect(Array.from(h.model.params.M.data)).toEqual(Array.from(fixed.params.M.data));
    expect(Array.from(h.model.params.P.data)).toEqual(Array.from(fixed.params.P.data));
    expect(base.config.confidence).toBe(1); // the input model is not modified
  });
  test("bad options are refused with the parameter named", () => {
    expect(() => trainLearnableConfidence(base, { learningRate: -1, epochs: 1 })).toThrow(/learningRate/);
    expect(() => trainLearnableConfidence(base, { learningRate: 0.1, epochs: 1, epochz: 3 } as never)).toThrow(/epochz/);
    expect(() => trainLearnableConfidence(createRankOneRnn(1, {}) && ({ ...base, config: { ...base.config, readout: "linear" } } as never), { learningRate: 0.1, epochs: 1 })).toThrow(GhostError);
  });
});

describe("v2 Fig 8 A–C (spec B6.1–B6.3)", () => {
  let data: V2Fig8Data;
  let g: V2Fig8Data["gradient"];
  const rs = rStar(100);
  beforeAll(async () => {
    data = await runV2Fig8(v2Fig8Config("ci"), { workers: 1, cache: false });
    g = data.gradient;
  }, 600_000);
  test("panel A: the grid, the zone, and the analytic slope against the closed form g(r) = dE/dr", () => {
    expect(g.r.length).toBe(100);
    expect(g.r[0]).toBe(-rs);
    expect(g.simulated.map((s) => s.confidence)).toEqual([0.01, 0.1, 0.5, 1, 2]);
    const dr = g.spacing;
    // central difference of a smooth branch: relative error (E'''/E')·dr²/6 = (15/4)r⁻²·dr²/6 = 0.625·(dr/r)² for
    // E = T − π/(2√r) (both r*/4 < r < r* and r > r*); compare only where the 3-point stencil stays in one branch.
    let compared = 0;
    for (let i = 1; i < g.r.length - 1; i++) {
      const [a, r, b] = [g.r[i - 1], g.r[i], g.r[i + 1]];
      const branch = (x: number) => (x <= rs / 4 ? 0 : x <= rs ? 1 : 2);
      if (branch(a) !== branch(r) || branch(b) !== branch(r) || branch(r) === 0) continue;
      const exact = Math.abs(toyGradient(r, 100));
      const ours = g.analytic.slope[i] * g.analytic.maxSlope;
      expect(Math.abs(ours - exact) / exact).toBeLessThanOrEqual(0.625 * (dr / r) ** 2 * 1.5 + 1e-9);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
    for (const i of g.zoneIndices) expect(g.analytic.slope[i]).toBe(0);
  });
  test("panel B: both phases run 10 000 epochs from c = 10 and c = 1 on seed 40", () => {
    const [p1, p2] = data.learnable.phases;
    expect([p1.loss.length, p2.loss.length]).toEqual([10000, 10000]);
    expect([p1.confidence[0], p2.confidence[0]]).toEqual([10, 1]);
    expect(p1.diverged).toBeNull();
  });
  test("the paper check's must-hold rows hold; the figures build; the catalogue knows v2fig8", () => {
    const rows = checkV2Fig8(data);
    const failed = rows.filter((r) => r.mustHold && r.holds === false);
    expect(failed).toEqual([]);
    expect(rows.filter((r) => r.mustHold).length).toBeGreaterThanOrEqual(5);
    const figs = v2Fig8Figures(data);
    expect(figs.length).toBe(3);
    expect((figs[0].data as unknown[]).length).toBe(6);
    expect(getFigure("v2fig8").id).toBe("v2fig8");
    // a broken claim is caught: pretend phase 2 never learned
    const broken = JSON.parse(JSON.stringify(data));
    broken.learnable.phases[1].accuracy = broken.learnable.phases[1].accuracy.map(() => 0.5);
    expect(checkV2Fig8(broken).some((r) => r.mustHold && r.holds === false)).toBe(true);
  });
  test("panel C config: full = the spec (B6.3); A and B are the same protocol at every scale", () => {
    const full = v2Fig8Config("full").intervention;
    expect(full.seeds).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([full.epochs1, full.epochs2, full.every, full.copies, full.learningRate]).toEqual([10000, 10000, 200, 10, 0.1]);
    expect(full.confidences).toEqual([0.1, 0.5, 1, 3, Infinity]);
    expect(v2Fig8Config("full").reduction).toBe("");
    for (const s of ["ci", "paper"] as const) {
      expect(v2Fig8Config(s).reduction.length).toBeGreaterThan(0);
      expect(v2Fig8Config(s).gradient).toEqual(v2Fig8Config("full").gradient);
      expect(v2Fig8Config(s).learnable).toEqual(v2Fig8Config("full").learnable);
      expect(v2Fig8Config(s).intervention.confidences).toEqual(full.confidences);
    }
  });
  test("panel C data: samples every `every` epochs over both phases; each curve is the mean ± SEM of the seeds' runs", () => {
    const c = data.config.intervention;
    const d = data.intervention;
    expect(d.epochs).toEqual(Array.from({ length: (c.epochs1 + c.epochs2) / c.every }, (_, i) => i * c.every));
    expect(d.switchEpoch).toBe(c.epochs1);
    expect(d.runs.map((r) => r.config.seed)).toEqual(c.seeds);
    expect(d.curves.map((x) => x.confidence)).toEqual(c.confidences);
    expect(d.entries).toEqual({ total: 440, silent: 240, copies: 10, responseSteps: 10, steps: 22 });
    d.curves.forEach((curve, k) => {
      const rows = d.runs.map((r) => [...r.phase1.accuracy, ...r.continuations[k].accuracy]);
      curve.mean.forEach((m, j) => {
        const xs = rows.map((r) => r[j]);
        const mu = xs.reduce((a, b) => a + b, 0) / xs.length;
        expect(m).toBeCloseTo(mu, 14);
        expect(curve.sem[j]).toBeCloseTo(Math.sqrt(xs.reduce((a, b) => a + (b - mu) ** 2, 0) / xs.length) / Math.sqrt(xs.length), 14);
        expect(curve.count[j]).toBe(c.seeds.length);
      });
      // phase 1 is shared: every curve agrees before the switch
      expect(curve.mean.slice(0, c.epochs1 / c.every)).toEqual(d.curves[0].mean.slice(0, c.epochs1 / c.every));
    });
    const fig = v2Fig8Figures(data)[2];
    expect((fig.data as { line: { color: string } }[]).map((t) => t.line.color)).toEqual(["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]);
    expect((fig.layout as { yaxis: { range: number[] } }).yaxis.range).toEqual([0, 1]);
  });
  test("panel C check rows: the rounding bound and the c < atanh(0.33) accuracy bound hold; broken data is caught (negative controls)", () => {
    const rows = checkV2Fig8(data);
    const norm = rows.find((r) => r.quantity.startsWith("‖W_out‖₁ at every phase-2"))!;
    const bound = rows.find((r) => r.quantity.startsWith("c = 0.1 < atanh"))!;
    expect([norm.mustHold, norm.holds, bound.mustHold, bound.holds]).toEqual([true, true, true, true]);
    expect(rows.filter((r) => r.quantity.startsWith("stuck seeds rescued")).length).toBe(1);
    // a rescaling that missed by 1e-12 relative, and a c = 0.1 network that told the types apart, are both caught
    const broken = structuredClone(data);
    broken.intervention.runs[0].continuations[1].readoutL1RelativeError = 1e-12;
    broken.intervention.runs[1].continuations[0].accuracy[0] = 0.9;
    const br = checkV2Fig8(broken);
    expect(br.find((r) => r.quantity.startsWith("‖W_out‖₁ at every phase-2"))!.holds).toBe(false);
    expect(br.find((r) => r.quantity.startsWith("c = 0.1 < atanh"))!.holds).toBe(false);
  });
  test("bad configs are refused", async () => {
    const ci = v2Fig8Config("ci");
    await expect(runV2Fig8({ ...ci, gradient: { ...ci.gradient, points: 2 } })).rejects.toThrow(/points/);
    await expect(runV2Fig8({ ...ci, extra: 1 } as never)).rejects.toThrow(/extra/);
    await expect(runV2Fig8(ci, { workerz: 1 } as never)).rejects.toThrow(/workerz/);
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ seeds: [] }, /seeds/], [{ seeds: [0, 0] }, /seeds/], [{ seeds: [-1] }, /seeds\[0\]/], [{ confidences: [0] }, /confidences\[0\]/],
      [{ every: 0 }, /every/], [{ epochs1: 0 }, /epochs1/], [{ copies: 0 }, /copies/], [{ learningRate: 0 }, /learningRate/], [{ epochz: 1 }, /epochz/],
    ];
    for (const [patch, re] of bad) {
      await expect(runV2Fig8({ ...ci, intervention: { ...ci.intervention, ...patch } } as never)).rejects.toThrow(re);
      await expect(runV2Fig8C({ ...ci.intervention, ...patch } as never)).rejects.toThrow(re);
    }
  });
});
