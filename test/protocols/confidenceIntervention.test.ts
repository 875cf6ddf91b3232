/**
 * The confidenceIntervention runner (v2 Fig 8C, spec B6.3): the readout rescaling gives ‖W_out‖₁ = c at every
 * phase-2 pass; every continuation starts from the identical phase-1 state (model, Adam moments and step, Rng), so
 * the c = ∞ continuation IS the uninterrupted run and a finite-c continuation equals one uninterrupted run whose hook
 * starts rescaling at the switch — bit for bit; bad configs are refused with the field named.
 */
import { GhostError } from "../../src/core/errors";
import { getRunner } from "../../src/engine";
import { rescaleReadout, TaskRnn } from "../../src/models/taskRnn";
import {
  confidenceInterventionCost, confidenceRescaleHook, runConfidenceIntervention, runConfidenceSweep, validateConfidenceInterventionConfig,
} from "../../src/protocols";
import { taskTrainModel, taskTrainTask, TaskTrainSpec } from "../../src/protocols/taskTrain";
import { trainTask } from "../../src/training/trainTask";

function bitsOf(values: ArrayLike<number>): string[] {
  const b = Buffer.alloc(8);
  return Array.from(values, (v) => {
    b.writeDoubleLE(v);
    return b.toString("hex");
  });
}

const l1 = (m: TaskRnn) => Array.from(m.params.Wout.data).reduce((s, x) => s + Math.abs(x), 0);
/** Rounding bound of the rescaling and re-summation over N = 100 weights: (3N + 1)·ε relative (figures/v2fig8Check.ts). */
const TOL = (3 * 100 + 1) * Number.EPSILON;

const E1 = 20, E2 = 15;
const spec: TaskTrainSpec = { preset: "fig8c-dcdt", seed: 5, copies: 2, epochs: E1 + E2, optimizer: "adam", learningRate: 0.1, snapshotEpochs: [] };
const base = { seed: 5, epochs1: E1, epochs2: E2, every: 1, copies: 2, learningRate: 0.1 };

describe("confidenceIntervention runner", () => {
  const res = runConfidenceIntervention({ ...base, confidences: [Infinity, 0.5, 3, Infinity] });

  test("sample epochs: 0 … epochs1 − 1 in phase 1, epochs1 … in phase 2", () => {
    expect(res.phase1Epochs).toEqual(Array.from({ length: E1 }, (_, i) => i));
    expect(res.phase2Epochs).toEqual(Array.from({ length: E2 }, (_, i) => E1 + i));
    const thin = runConfidenceIntervention({ ...base, confidences: [1], every: 7 });
    expect([...thin.phase1Epochs, ...thin.phase2Epochs]).toEqual([0, 7, 14, 21, 28]);
    expect(thin.continuations[0].accuracy.length).toBe(2);
    expect(thin.phase1.accuracy.length).toBe(3);
  });

  test("c = ∞ continuation equals an uninterrupted run of epochs1 + epochs2 epochs, bit for bit (twice: order does not matter)", () => {
    const h = trainTask(taskTrainModel(spec), taskTrainTask(spec), { epochs: E1 + E2, optimizer: { kind: "adam", learningRate: 0.1 }, seed: 5 }).history;
    expect(bitsOf(res.phase1.accuracy)).toEqual(bitsOf(h.accuracy.slice(0, E1)));
    expect(bitsOf(res.phase1.loss)).toEqual(bitsOf(h.loss.slice(0, E1)));
    for (const k of [0, 3]) {
      expect(res.continuations[k].confidence).toBe(Infinity);
      expect(bitsOf(res.continuations[k].loss)).toEqual(bitsOf(h.loss.slice(E1)));
      expect(bitsOf(res.continuations[k].accuracy)).toEqual(bitsOf(h.accuracy.slice(E1)));
      expect(res.continuations[k].readoutL1RelativeError).toBe(0);
    }
  });

  test("a finite-c continuation equals ONE uninterrupted run that starts rescaling at the switch, bit for bit (same Adam state and Rng)", () => {
    for (const [k, c] of [[1, 0.5], [2, 3]] as const) {
      const h = trainTask(taskTrainModel(spec), taskTrainTask(spec), {
        epochs: E1 + E2, optimizer: { kind: "adam", learningRate: 0.1 }, seed: 5, beforeEpoch: (e, m) => void (e >= E1 && rescaleReadout(m, c)),
      }).history;
      expect(bitsOf(res.continuations[k].loss)).toEqual(bitsOf(h.loss.slice(E1)));
      expect(bitsOf(res.continuations[k].accuracy)).toEqual(bitsOf(h.accuracy.slice(E1)));
      // negative control: the intervention changes the run
      expect(bitsOf(res.continuations[k].loss)).not.toEqual(bitsOf(res.continuations[0].loss));
    }
  });

  test("‖W_out‖₁ = c at every phase-2 pass (to the rounding bound); the update moves it away again, so each pass must rescale", () => {
    for (const k of [1, 2]) {
      const c = res.continuations[k];
      expect(c.readoutL1RelativeError).toBeLessThanOrEqual(TOL);
      expect(Math.abs(c.readoutL1.min - c.confidence)).toBeLessThanOrEqual(TOL * c.confidence);
      expect(Math.abs(c.readoutL1.max - c.confidence)).toBeLessThanOrEqual(TOL * c.confidence);
    }
    // Independently of the runner's own bookkeeping: the hook, checked inside every forward pass.
    const c = 0.1;
    const model = taskTrainModel(spec);
    const seen: number[] = [], after: number[] = [];
    const hook = confidenceRescaleHook(c);
    let ratioSpread = 0;
    trainTask(model, taskTrainTask(spec), {
      epochs: 12, optimizer: { kind: "adam", learningRate: 0.1 }, seed: 5,
      beforeEpoch: (e, m) => {
        const w0 = Float64Array.from(m.params.Wout.data), b0 = m.params.bOut.data[0];
        hook(e, m);
        seen.push(l1(m));
        // W_out and b_out divided by the same factor ‖W_out‖₁/c
        const f = m.params.bOut.data[0] / b0;
        for (let i = 0; i < w0.length; i++) if (w0[i] !== 0) ratioSpread = Math.max(ratioSpread, Math.abs(m.params.Wout.data[i] / w0[i] - f) / Math.abs(f));
      },
      onEpoch: (_r, m) => void after.push(l1(m)),
    });
    expect(seen.length).toBe(12);
    for (const s of seen) expect(Math.abs(s - c) / c).toBeLessThanOrEqual(TOL);
    expect(ratioSpread).toBeLessThanOrEqual(4 * Number.EPSILON);
    expect(after.some((a) => Math.abs(a - c) / c > 1e-6)).toBe(true); // Adam moves W_out: without the hook the norm drifts
    // c = ∞: the hook leaves the parameters alone
    const m2 = taskTrainModel(spec);
    const w = Array.from(m2.params.Wout.data);
    confidenceRescaleHook(Infinity)(0, m2);
    expect(Array.from(m2.params.Wout.data)).toEqual(w);
  });

  test("through the engine (serial): the same result as calling the runner, and the cost counts every continuation", async () => {
    const cfg = { ...base, epochs1: 6, epochs2: 4, confidences: [0.5, Infinity], every: 2 };
    const { results } = await runConfidenceSweep([cfg], { workers: 1, cache: false });
    const direct = runConfidenceIntervention(cfg);
    expect(bitsOf(results[0].continuations[0].accuracy)).toEqual(bitsOf(direct.continuations[0].accuracy));
    expect(results[0].continuations[1].confidence).toBe(Infinity);
    expect(confidenceInterventionCost(cfg)).toBeCloseTo((6 + 2 * 4) / 6 * confidenceInterventionCost({ ...cfg, epochs2: 1, confidences: [1], epochs1: 5 }), 6);
    expect(getRunner("confidenceIntervention").cost!(cfg)).toBe(confidenceInterventionCost(cfg));
  });

  test("bad configs are refused up front with the field named", async () => {
    const ok = { ...base, confidences: [0.5, Infinity] };
    expect(validateConfidenceInterventionConfig(ok)).toBe(ok);
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ confidences: [] }, /confidences/], [{ confidences: [0] }, /confidences\[0\]/], [{ confidences: [0.5, -Infinity] }, /confidences\[1\]/],
      [{ confidences: [NaN] }, /confidences\[0\]/], [{ confidences: "0.5" }, /confidences/], [{ epochs1: 0 }, /epochs1/], [{ epochs2: 1.5 }, /epochs2/],
      [{ every: 0 }, /every/], [{ learningRate: -0.1 }, /learningRate/], [{ copies: 0 }, /copies/], [{ seed: -1 }, /seed/], [{ epochz: 3 }, /epochz/],
    ];
    for (const [patch, re] of bad) {
      expect(() => validateConfidenceInterventionConfig({ ...ok, ...patch })).toThrow(GhostError);
      expect(() => getRunner("confidenceIntervention").validate!({ ...ok, ...patch })).toThrow(re);
    }
    expect(() => confidenceRescaleHook(0)).toThrow(/confidence/);
    expect(() => confidenceRescaleHook(1, 3 as never)).toThrow(/observe/);
    await expect(runConfidenceSweep([], {})).rejects.toThrow(/configs/);
    await expect(runConfidenceSweep([ok], { workerz: 1 } as never)).rejects.toThrow(/workerz/);
  });
});
