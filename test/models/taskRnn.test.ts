/** The task RNN (spec B1): initialisation, forward semantics, randomness, accuracy rules, metrics, validation. */
import { GhostError } from "../../src/core/errors";
import { ndFloat64, ndFrom } from "../../src/core/nd";
import { Rng } from "../../src/core/rng";
import { fastTanh } from "../../src/kernels/fastMath";
import {
  FullRankTaskParams, LowRankTaskParams, TaskRnn, cloneTaskRnn, rescaleReadout, createTaskRnn, recurrentMatrix, taskAccuracy, taskRnnForward, taskRnnMetrics,
  taskRnnOptionsFromPreset, taskRnnShapes, taskRnnVelocity, validateTaskRnn, zeroTaskParams,
} from "../../src/models/taskRnn";
import { defineTask, dcdtTask, dmtsTask, experimentPreset, Task } from "../../src/tasks/task";

const U = 2 ** -53;

function sampleStats(a: Float64Array): { mean: number; variance: number; maxAbs: number } {
  let m = 0, mx = 0;
  for (const x of a) { m += x; mx = Math.max(mx, Math.abs(x)); }
  m /= a.length;
  let v = 0;
  for (const x of a) v += (x - m) ** 2;
  return { mean: m, variance: v / a.length, maxAbs: mx };
}

/**
 * A sample of n draws from a law with variance σ²: the sample variance has standard deviation ≈ σ²·√(2/n) (normal)
 * or smaller (uniform: √(4/(5n))·σ²); we allow 5 such deviations, a failure probability below 1e-6 per check.
 */
function expectVariance(a: Float64Array, sigma2: number): void {
  const { variance } = sampleStats(a);
  expect(Math.abs(variance - sigma2)).toBeLessThan(5 * sigma2 * Math.sqrt(2 / a.length));
}

describe("initialisation (spec B1)", () => {
  test("low rank K = 2, N = 100: shapes, xavier bounds, N(0, 1/N), N(0, 1), b_in ~ N(0, 0.1²), b_out ~ U(±1/√K)", () => {
    const m = createTaskRnn({ kind: "lowRank", rank: 2, seed: 0 });
    const p = m.params as LowRankTaskParams;
    expect(Object.fromEntries(Object.entries(p).map(([g, a]) => [g, a.shape]))).toEqual({ Win: [100, 1], bIn: [100], Sl: [100, 2], Sr: [2, 100], Wout: [1, 2], bOut: [1] });
    const winBound = Math.sqrt(6 / 101);
    expect(sampleStats(p.Win.data).maxAbs).toBeLessThanOrEqual(winBound);
    expect(sampleStats(p.Win.data).maxAbs).toBeGreaterThan(0.9 * winBound); // P(all 100 below 0.9·bound) = 0.9^100 ≈ 3e-5
    expectVariance(p.Win.data, winBound ** 2 / 3);
    expectVariance(p.bIn.data, 0.01);
    expectVariance(p.Sl.data, 1 / 100);
    expectVariance(p.Sr.data, 1);
    expect(sampleStats(p.Wout.data).maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / 3));
    expect(Math.abs(p.bOut.data[0])).toBeLessThanOrEqual(1 / Math.sqrt(2));
  });
  test("full rank N = 100: Wrec xavier ±√(6/200), b_in ~ U(−1, 1), Wout ±√(6/101), b_out ~ U(±0.1); recurrentSd variant", () => {
    const m = createTaskRnn({ kind: "fullRank", seed: 3, output: "sigmoid" });
    const p = m.params as FullRankTaskParams;
    expect(p.Wrec.shape).toEqual([100, 100]);
    expect(p.Wout.shape).toEqual([1, 100]);
    const wb = Math.sqrt(6 / 200);
    expect(sampleStats(p.Wrec.data).maxAbs).toBeLessThanOrEqual(wb);
    expectVariance(p.Wrec.data, wb ** 2 / 3);
    expect(sampleStats(p.bIn.data).maxAbs).toBeLessThanOrEqual(1);
    expectVariance(p.bIn.data, 1 / 3);
    expect(sampleStats(p.Wout.data).maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / 101));
    expect(Math.abs(p.bOut.data[0])).toBeLessThanOrEqual(0.1);
    const s = createTaskRnn({ kind: "fullRank", seed: 3, recurrentSd: 1.5 }).params as FullRankTaskParams;
    expectVariance(s.Wrec.data, 1.5 ** 2 / 100);
  });
  test("same seed → identical parameters; another seed → different", () => {
    const a = createTaskRnn({ kind: "fullRank", size: 10, seed: 4 }), b = createTaskRnn({ kind: "fullRank", size: 10, seed: 4 });
    for (const g of Object.keys(a.params)) expect(Array.from((a.params as never as Record<string, { data: Float64Array }>)[g].data)).toEqual(Array.from((b.params as never as Record<string, { data: Float64Array }>)[g].data));
    const c = createTaskRnn({ kind: "fullRank", size: 10, seed: 5 });
    expect((c.params as FullRankTaskParams).Wrec.data[0]).not.toBe((a.params as FullRankTaskParams).Wrec.data[0]);
  });
  test("options from a B1 preset", () => {
    const o = taskRnnOptionsFromPreset(experimentPreset("fig4-dmts"), 0);
    expect(o).toEqual({ kind: "lowRank", rank: 2, output: "sigmoid", rateSigma: 0.3, noiseSigma: 0.01, seed: 0 });
    expect(createTaskRnn(o).config.rank).toBe(2);
  });
});

/**
 * An independent, plain re-implementation of spec B1's forward pass (nested loops, no shared code), drawing in
 * PyTorch's order: r_0 of every trial (randn(B, N)), then per step the noise of every trial (randn(B, N)).
 */
function referenceForward(m: TaskRnn, task: Task, rng: Rng | null): { out: number[]; rates: number[]; loss: number } {
  const c = m.config, N = c.size, K = c.rank, Din = c.inputs, Dout = c.outputs;
  const [B, S] = task.inputs.shape;
  const W = recurrentMatrix(m).data;
  const p = m.params as unknown as Record<string, { data: Float64Array }>;
  const out = new Array<number>(B * S * Dout), rates = new Array<number>(B * (S + 1) * N);
  let r: number[][] = Array.from({ length: B }, () => Array.from({ length: N }, () => (c.rateSigma > 0 ? Math.tanh(c.rateSigma * rng!.normal()) : 0)));
  r.forEach((rb, b) => rb.forEach((x, i) => { rates[b * (S + 1) * N + i] = x; }));
  let loss = 0;
  for (let t = 0; t < S; t++) {
    const next: number[][] = [];
    for (let b = 0; b < B; b++) {
      const rb = r[b];
      for (let o = 0; o < Dout; o++) {
        let a = p.bOut.data[o];
        if (c.kind === "lowRank") {
          for (let k = 0; k < K; k++) { let q = 0; for (let i = 0; i < N; i++) q += rb[i] * p.Sl.data[i * K + k]; a += p.Wout.data[o * K + k] * q; }
        } else for (let i = 0; i < N; i++) a += p.Wout.data[o * N + i] * rb[i];
        const y = c.output === "tanh" ? Math.tanh(a) : 1 / (1 + Math.exp(-a));
        out[(b * S + t) * Dout + o] = y;
        loss += (y - task.targets.data[(b * S + t) * Dout + o]) ** 2;
      }
      const h = new Array<number>(N);
      for (let j = 0; j < N; j++) {
        let s = p.bIn.data[j];
        for (let d = 0; d < Din; d++) s += p.Win.data[j * Din + d] * task.inputs.data[(b * S + t) * Din + d];
        for (let i = 0; i < N; i++) s += rb[i] * W[i * N + j];
        h[j] = s;
      }
      next.push(h);
    }
    for (let b = 0; b < B; b++) {
      const noise = Array.from({ length: N }, () => (c.noiseSigma > 0 ? c.noiseSigma * rng!.normal() : 0));
      next[b] = r[b].map((ri, j) => (1 - c.leak) * ri + c.leak * Math.tanh(next[b][j] + noise[j]));
      next[b].forEach((x, i) => { rates[(b * (S + 1) + t + 1) * N + i] = x; });
    }
    r = next;
  }
  return { out, rates, loss: loss / task.targets.data.length };
}

describe("forward pass (spec B1)", () => {
  const task = dmtsTask({ inputMs: 10, delayMs: 15, reactMs: 10, copies: 2 });
  for (const kind of ["lowRank", "fullRank"] as const) {
    test(`${kind}: equals an independent re-implementation (readout before the update, r0 and noise in batch order)`, () => {
      const m = createTaskRnn({ kind, size: 12, rank: kind === "lowRank" ? 3 : undefined, output: "sigmoid", rateSigma: 0.3, noiseSigma: 0.05, seed: 1 });
      // B = 6 (a block of 4 trials + 2) on DCDT, then the DMTS batch of B = 8 checked below.
      const odd = dcdtTask({ inputMs: 10, delayMs: 10, reactMs: 10, copies: 3 });
      const g = taskRnnForward({ ...m, config: { ...m.config, output: "tanh" } }, odd, new Rng(3));
      const refOdd = referenceForward({ ...m, config: { ...m.config, output: "tanh" } }, odd, new Rng(3));
      g.rates.data.forEach((r, i) => expect(Math.abs(r - refOdd.rates[i])).toBeLessThan(1e-12));
      const f = taskRnnForward(m, task, new Rng(8));
      const ref = referenceForward(m, task, new Rng(8));
      // Sums of at most N + K + Din products of O(1) terms in another order: |Δ| ≤ (N + K + Din)·u·Σ|terms| per
      // step, plus ≤ 4 ulp per tanh (the model uses the deterministic kernels' tanh, the reference Math.tanh),
      // amplified through ≤ S steps by a map with Lipschitz constant ≤ 1 + ‖W‖ (≈ 2 here): 1e-12 covers it.
      f.outputs.data.forEach((y, i) => expect(Math.abs(y - ref.out[i])).toBeLessThan(1e-12));
      expect(f.rates.shape).toEqual([8, 10, 12]); // B = 2 copies × 4 types, S + 1 = 2 + 3 + 2 + 2 + 1
      f.rates.data.forEach((r, i) => expect(Math.abs(r - ref.rates[i])).toBeLessThan(1e-12));
      expect(Math.abs(f.loss - ref.loss)).toBeLessThan(1e-12);
    });
  }
  test("rates include r0 = tanh(ρ ξ) with ξ the first N normals of the Rng (trial 0)", () => {
    const m = createTaskRnn({ kind: "fullRank", size: 5, rateSigma: 0.7, seed: 2 });
    const f = taskRnnForward(m, task, new Rng(42));
    const xi = new Rng(42);
    for (let i = 0; i < 5; i++) expect(f.rates.data[i]).toBe(fastTanh(0.7 * xi.normal())); // the deterministic tanh
  });
  test("ρ = σ_n = 0: r0 = 0, the first output is g(b_out) exactly, deterministic, no Rng needed", () => {
    const m = createTaskRnn({ kind: "lowRank", size: 6, output: "tanh", seed: 2 });
    const f = taskRnnForward(m, task, null);
    expect(Array.from(f.rates.data.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(f.outputs.data[0]).toBe(fastTanh(m.params.bOut.data[0]));
    expect(Array.from(taskRnnForward(m, task, null).outputs.data)).toEqual(Array.from(f.outputs.data));
    expect(() => taskRnnForward(createTaskRnn({ kind: "lowRank", size: 6, rateSigma: 0.1, seed: 2 }), task, null)).toThrow(/an Rng/);
  });
  test("fresh r0 and noise every pass: two passes from one Rng differ, the same Rng state replays", () => {
    const m = createTaskRnn({ kind: "fullRank", size: 6, rateSigma: 0.3, noiseSigma: 0.01, seed: 2 });
    const rng = new Rng(5);
    const a = taskRnnForward(m, task, rng).loss, b = taskRnnForward(m, task, rng).loss;
    expect(a).not.toBe(b);
    expect(taskRnnForward(m, task, new Rng(5)).loss).toBe(a);
  });
  test.each(["lowRank", "fullRank"] as const)("one vector field (%s): a noise-free step = r + α F(r), F = taskRnnVelocity (to 4u·|r|), for all 5 trials", (kind) => {
    // 5 trials: the full-rank pass computes drives in blocks of 4 trials plus a remainder of 1.
    const m = createTaskRnn({ kind, size: 8, rank: kind === "lowRank" ? 2 : undefined, rateSigma: 0.5, seed: 9, leak: 0.5 });
    const zero = defineTask({ name: "zero", inputs: Array.from({ length: 5 }, () => [0, 0]), targets: Array.from({ length: 5 }, () => [0, 0]), accuracy: { kind: "none" } });
    const f = taskRnnForward(m, zero, new Rng(1));
    for (let b = 0; b < 5; b++) {
      const r0 = ndFrom(f.rates.data.subarray(b * 24, b * 24 + 8), [1, 8]);
      const F = taskRnnVelocity(m, r0, ndFrom([0]));
      // The drive is bit-identical (same operations); r + αF and (1 − α)r + α·tanh differ by a few roundings.
      for (let j = 0; j < 8; j++) expect(Math.abs(f.rates.data[b * 24 + 8 + j] - (r0.data[j] + 0.5 * F.data[j]))).toBeLessThanOrEqual(4 * U * 2);
    }
  });
  test("dimension mismatch between task and model is refused", () => {
    const m = createTaskRnn({ kind: "lowRank", size: 6, inputs: 2, seed: 2 });
    expect(() => taskRnnForward(m, task, null)).toThrow(/Din = model.config.inputs = 2/);
  });
});

describe("accuracy rules (spec B1)", () => {
  test("DCDT: ternary at ±0.33 (≥ 0.33 → 1, ≤ −0.33 → −1, else 0), every entry counts", () => {
    const t = dcdtTask({ inputMs: 5, delayMs: 0, reactMs: 5 }); // 2 trials × 2 steps, targets [0, 1], [0, −1]
    const out = ndFloat64([2, 2, 1]);
    out.data.set([0.3299, 0.33, -0.3299, -0.33]);
    expect(taskAccuracy(t, out)).toBe(1);
    out.data.set([0.33, 0.3299, -0.33, -0.3299]);
    expect(taskAccuracy(t, out)).toBe(0);
    out.data.set([0, 0.9, 0, 0.9]);
    expect(taskAccuracy(t, out)).toBe(0.75);
  });
  test("DMTS: ŷ ≥ 0.5 → 1 else 0", () => {
    const t = dmtsTask({ inputMs: 5, delayMs: 0, reactMs: 5 }); // 4 trials × 3 steps; last step 1, 1, 0, 0
    const out = ndFloat64([4, 3, 1]);
    out.data.set([0.49, 0.49, 0.5, 0, 0, 0.9, 0, 0, 0.4999, 0, 0, 0.5]);
    expect(taskAccuracy(t, out)).toBe(11 / 12);
  });
  test("a mask restricts the scored entries", () => {
    const t = defineTask({ name: "m", inputs: [[0, 0]], targets: [[1, 1]], mask: [[0, 1]] });
    const out = ndFloat64([1, 2, 1]);
    out.data.set([0, 1]);
    expect(taskAccuracy(t, out)).toBe(1);
  });
});

describe("metrics and validation", () => {
  test("weightNorm of a low-rank model = ‖Sl·Sr‖_F computed directly; gradMetric = ‖∇Sl‖ + ‖∇Sr‖", () => {
    const m = createTaskRnn({ kind: "lowRank", size: 20, rank: 3, seed: 1 });
    const W = recurrentMatrix(m).data;
    let direct = 0;
    for (const w of W) direct += w * w;
    const g = zeroTaskParams(m.config) as LowRankTaskParams;
    g.Sl.data[0] = 3; g.Sr.data[1] = 4; g.Win.data[0] = 100;
    const r = taskRnnMetrics(m, g);
    // Two summation orders of N·N·K products: relative difference ≤ 2·N·K·u.
    expect(Math.abs(r.weightNorm - Math.sqrt(direct)) / Math.sqrt(direct)).toBeLessThan(2 * 20 * 3 * U * 10);
    expect(r.gradMetric).toBe(7);
    const f = createTaskRnn({ kind: "fullRank", size: 4, seed: 1 });
    const gf = zeroTaskParams(f.config) as FullRankTaskParams;
    gf.Wrec.data[0] = 3; gf.Wrec.data[5] = 4;
    expect(taskRnnMetrics(f, gf).gradMetric).toBe(5);
  });
  test("validateTaskRnn names bad groups and shapes; clone is deep", () => {
    const m = createTaskRnn({ kind: "lowRank", size: 5, seed: 1 });
    expect(taskRnnShapes(m.config).Sl).toEqual([5, 2]);
    expect(() => validateTaskRnn({ ...m, params: { ...m.params, Sl: ndFloat64([5, 3]) } })).toThrow(/model.params.Sl.*\[5, 2\]/);
    const bad = cloneTaskRnn(m);
    bad.params.bIn.data[2] = NaN;
    expect(() => validateTaskRnn(bad)).toThrow(/model.params.bIn\[2\] = NaN/);
    expect(Number.isNaN(m.params.bIn.data[2])).toBe(false);
    expect(() => createTaskRnn({ kind: "lowRank", seed: 1, rank: 0 })).toThrow(GhostError);
    expect(() => createTaskRnn({ kind: "lowRank", seed: 1, recurrentSd: 1 })).toThrow(/recurrentSd/);
    expect(() => createTaskRnn({ seed: 1, sizee: 3 } as never)).toThrow(/options.sizee/);
    expect(() => createTaskRnn({} as never)).toThrow(/options.seed/);
  });
});

describe("readout rescaling (v2 Fig 8C)", () => {
  test("‖W_out‖₁ becomes c and b_out is scaled by the same factor", () => {
    const m = createTaskRnn({ kind: "fullRank", size: 10, seed: 1 });
    const w0 = Array.from(m.params.Wout.data), b0 = m.params.bOut.data[0];
    const l1 = w0.reduce((s, x) => s + Math.abs(x), 0);
    const f = rescaleReadout(m, 0.5);
    // Factor and ‖W_out‖₁ to a few roundings (N divisions and an N-term sum): ≤ 2N·u relative.
    expect(Math.abs(f - 0.5 / l1)).toBeLessThanOrEqual(2 * 10 * U * (0.5 / l1));
    const l1After = Array.from(m.params.Wout.data).reduce((s, x) => s + Math.abs(x), 0);
    expect(Math.abs(l1After - 0.5)).toBeLessThanOrEqual(2 * 10 * U * 0.5);
    expect(Math.abs(m.params.bOut.data[0] - b0 * 0.5 / l1)).toBeLessThanOrEqual(4 * U * Math.abs(b0 * 0.5 / l1));
    expect(() => rescaleReadout(m, 0)).toThrow(/confidence/);
  });
});
