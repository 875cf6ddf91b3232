import { createRnn, createRankOneRnn, paramGroup, parameterGroups, rankOneParams, rankOneLatentStep, rankOneInitialKappa, RnnModel, RnnOptions, RnnParams } from "../../src/models/rnn";
import { delayedActivationTask } from "../../src/tasks/delayedActivation";
import { createWorkspace, forwardBackward, lossAndGradient, evaluateRnn, lowRankPass } from "../../src/training/bptt";
import { Rng } from "../../src/core/rng";
import { GhostError } from "../../src/core/errors";

const task = delayedActivationTask(20);
const U = Math.pow(2, -53);

/** Perturb parameters so that outputs are not saturated (so every gradient entry is informative). */
function informative<P extends RnnParams>(model: RnnModel<P>, seed: number, scale: number): RnnModel<P> {
  const rng = new Rng(seed + 1000);
  for (const g of parameterGroups(model.config)) {
    const p = paramGroup(model.params, g).data;
    for (let i = 0; i < p.length; i++) p[i] += scale * rng.normal();
  }
  return model;
}

/**
 * Central-difference check of one parameter group. Returns the worst ratio |analytic − FD| / tolerance over
 * entries, where tolerance = 1e-5·|analytic| (spec: ≤ 1e-5 relative) + the FD rounding floor 40·u·|L|/ε
 * (u = 2^-53; L is a sum of 40 rounded squared errors, and the difference of two such losses is divided by 2ε).
 * A ratio < 1 passes. maxRelError is the plain relative error over entries well above that floor.
 */
function gradientCheck(model: RnnModel, group: string, eps = 1e-6): { worstRatio: number; maxRelError: number; maxAbsGrad: number } {
  const ws = createWorkspace(model, task);
  const L = forwardBackward(model, task, ws, true);
  const analytic = Float64Array.from(paramGroup(ws.grads, group).data);
  const p = paramGroup(model.params, group).data;
  const roundingFloor = (40 * U * Math.abs(L)) / eps;
  let worst = 0, maxRel = 0, maxAbs = 0;
  for (const a of analytic) maxAbs = Math.max(maxAbs, Math.abs(a));
  for (let i = 0; i < p.length; i++) {
    const keep = p[i];
    p[i] = keep + eps;
    const up = forwardBackward(model, task, ws, false);
    p[i] = keep - eps;
    const down = forwardBackward(model, task, ws, false);
    p[i] = keep;
    const fd = (up - down) / (2 * eps);
    const diff = Math.abs(analytic[i] - fd);
    worst = Math.max(worst, diff / (1e-5 * Math.abs(analytic[i]) + roundingFloor));
    if (roundingFloor < 1e-6 * Math.abs(analytic[i])) maxRel = Math.max(maxRel, diff / Math.abs(analytic[i]));
  }
  return { worstRatio: worst, maxRelError: maxRel, maxAbsGrad: maxAbs };
}

describe("BPTT gradients against central finite differences (ε = 1e-6, float64, 40-step DA trial), every parameter group", () => {
  const worstPerGroup = new Map<string, number>();
  afterAll(() => {
    // GHOST_REPORT_GRADCHECK=1 npx jest test/training/bptt.test.ts  → the table quoted in reports
    if (process.env.GHOST_REPORT_GRADCHECK) {
      console.log([...worstPerGroup].map(([k, v]) => `${k}: max relative error ${v.toExponential(2)}`).join("\n"));
    }
  });
  const cases: [string, RnnOptions, number][] = [
    ["rank one, latent readout, c = 10 (the paper's model)", { size: 8, rank: 1, readout: "latent", confidence: 10 }, 0.5],
    ["rank one, latent readout, c = 2", { size: 8, rank: 1, readout: "latent", confidence: 2 }, 0.5],
    ["rank one, linear readout", { size: 7, rank: 1, readout: "linear" }, 0.3],
    ["rank two, linear readout", { size: 6, rank: 2, readout: "linear" }, 0.3],
    ["rank three, linear readout", { size: 9, rank: 3, readout: "linear" }, 0.3],
    ["full rank", { kind: "fullRank", size: 6 }, 0.3],
    ["full rank, N = 10", { kind: "fullRank", size: 10 }, 0.2],
  ];
  test.each(cases)("%s", (name, opts, scale) => {
    for (const seed of [1, 2, 3]) {
      const model = informative(createRnn(seed, opts), seed, scale);
      for (const g of parameterGroups(model.config)) {
        const { worstRatio, maxRelError, maxAbsGrad } = gradientCheck(model, g);
        expect(maxAbsGrad).toBeGreaterThan(1e-8); // the check is informative
        expect(worstRatio).toBeLessThan(1);
        expect(maxRelError).toBeLessThan(1e-5);
        const key = `${name} ${g}`;
        worstPerGroup.set(key, Math.max(worstPerGroup.get(key) ?? 0, maxRelError));
      }
    }
  });

  test("a wrong gradient is caught: the check fails when the analytic gradient is perturbed by 1e-4 relative", () => {
    const model = informative(createRankOneRnn(1, { size: 8 }), 1, 0.5);
    const ws = createWorkspace(model, task);
    const L = forwardBackward(model, task, ws, true);
    const g = ws.grads.P.get(0, 3) * (1 + 1e-4);
    const P = model.params.P;
    const eps = 1e-6, keep = P.get(0, 3);
    P.set(0, 3, keep + eps);
    const up = forwardBackward(model, task, ws, false);
    P.set(0, 3, keep - eps);
    const down = forwardBackward(model, task, ws, false);
    P.set(0, 3, keep);
    const fd = (up - down) / (2 * eps);
    expect(Math.abs(g - fd)).toBeGreaterThan(1e-5 * Math.abs(g) + (40 * U * L) / eps);
  });
});

describe("one vector field: the trainer's forward pass is the 1-D κ map", () => {
  test("κ_t from the N-dimensional forward pass equals κ_{t+1} = (1−α)κ_t + α F(κ_t) to 1e-12", () => {
    for (const seed of [0, 1, 2, 3]) {
      for (const leak of [0.5, 0.2]) {
        const model = informative(createRankOneRnn(seed, { size: 100, leak }), seed, 0.2);
        const ev = evaluateRnn(model, task);
        const p = rankOneParams(model);
        let k = rankOneInitialKappa(model);
        expect(ev.kappa.shape).toEqual([task.steps + 1, 1]);
        expect(ev.states.shape).toEqual([task.steps + 1, 100]);
        expect(Math.abs(ev.kappa.get(0, 0) - k)).toBeLessThanOrEqual(1e-12);
        for (let t = 0; t < task.steps; t++) {
          k = rankOneLatentStep(p, k, leak);
          expect(Math.abs(ev.kappa.get(t + 1, 0) - k)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(k)));
          // and the output is the latent readout σ(c(κ − 1)) of that κ
          expect(Math.abs(ev.outputs[t] - 1 / (1 + Math.exp(-10 * (ev.kappa.get(t + 1, 0) - 1))))).toBeLessThanOrEqual(1e-15);
        }
      }
    }
  });

  test("the fused rank-one kernel equals the general low-rank kernel (loss, every gradient) to 1e-12", () => {
    const a = informative(createRankOneRnn(5, { size: 30 }), 5, 0.3);
    const fused = evaluateRnn(a, task);
    const ws = createWorkspace(a, task);
    const r = lowRankPass(a, task, ws, true);
    expect(Math.abs(r.loss - fused.loss)).toBeLessThanOrEqual(1e-12 * fused.loss);
    expect(r.accuracy).toBe(fused.accuracy);
    for (const g of ["M", "P", "b"]) {
      const f = paramGroup(fused.grads, g), w = paramGroup(ws.grads, g);
      expect(w.shape).toEqual(paramGroup(a.params, g).shape); // gradients have the parameters' shapes
      const scale = Math.max(...Array.from(f.data, Math.abs));
      w.data.forEach((v, i) => expect(Math.abs(v - f.data[i])).toBeLessThanOrEqual(1e-12 * scale));
    }
  });

  test("loss and accuracy follow their definitions from the outputs: Σ(o − y)²/T and mean[(o > 0.5) == y]", () => {
    for (const opts of [{}, { size: 9, rank: 2 }, { kind: "fullRank" as const, size: 8 }]) {
      const model = informative(createRnn(4, opts), 4, 0.6);
      const ev = evaluateRnn(model, task);
      let L = 0, correct = 0;
      for (let t = 0; t < 40; t++) {
        const y = t < 20 ? 0 : 1;
        L += (ev.outputs[t] - y) ** 2;
        if ((ev.outputs[t] > 0.5 ? 1 : 0) === y) correct++;
      }
      expect(Math.abs(ev.loss - L / 20)).toBeLessThanOrEqual(40 * U * Math.max(1, L));
      expect(ev.accuracy).toBe(correct / 40);
    }
  });

  test("forwardBackward does not allocate state between calls and is repeatable bit for bit", () => {
    const model = createRnn(2, { size: 12, rank: 3 });
    const ws = createWorkspace(model, task);
    const a = forwardBackward(model, task, ws, true);
    const gM = Float64Array.from(ws.grads.M.data);
    const b = forwardBackward(model, task, ws, true);
    expect(b).toBe(a);
    expect(Array.from(ws.grads.M.data)).toEqual(Array.from(gM));
    expect(lossAndGradient(model, task, ws)).toEqual({ loss: a, accuracy: ws.accuracy });
    const wrong = createWorkspace(createRnn(2, { size: 12, rank: 2 }), task);
    expect(() => forwardBackward(model, task, wrong)).toThrow(GhostError);
  });
});

describe("the paper's rank-one model at initialisation (N = 100, c = 10, T = 20)", () => {
  test("loss ≈ 0.9999 and accuracy 0.5 for seeds 0…9, inside bounds derived from the parameters", () => {
    // Derivation. At init b = 0 and |tanh u| ≤ |u|, so |F(κ)| ≤ S|κ| with S = Σ_i |n_i m_i|, hence
    // |κ_{t+1}| ≤ ρ|κ_t| with ρ = 1 − α + αS, i.e. |κ_t| ≤ B_t = |κ_0| ρ^t (E[S] = 2/π ≈ 0.64 so ρ < 1 typically).
    // With B_t < 1: σ(c(−B_t − 1)) ≤ o_t ≤ σ(c(B_t − 1)) < 0.5, so accuracy = 0.5 exactly (first T right, last T
    // wrong) and loss = [Σ_{t≤T} o_t² + Σ_{t>T} (1 − o_t)²]/T lies between the sums of those bounds. Since
    // ρ^20 ≪ 1, late outputs are ≈ σ(−c) = 4.54e-5 and the loss ≈ (1 − 4.5e-5)² ≈ 0.9999.
    const c = 10, a = 0.5, T = 20;
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    for (let seed = 0; seed < 10; seed++) {
      const model = createRankOneRnn(seed);
      const m = rankOneParams(model).m.data, n = rankOneParams(model).n.data;
      let S = 0;
      for (let i = 0; i < m.length; i++) S += Math.abs(n[i] * m[i]);
      const rho = 1 - a + a * S;
      expect(rho).toBeLessThan(1);
      const k0 = Math.abs(rankOneInitialKappa(model));
      let lo = 0, hi = 0;
      for (let t = 1; t <= 2 * T; t++) {
        const B = k0 * Math.pow(rho, t);
        expect(B).toBeLessThan(1);
        const oLo = sig(c * (-B - 1)), oHi = sig(c * (B - 1));
        if (t <= T) { lo += oLo ** 2; hi += oHi ** 2; } else { lo += (1 - oHi) ** 2; hi += (1 - oLo) ** 2; }
      }
      lo /= T;
      hi /= T;
      const ev = evaluateRnn(model, task);
      expect(ev.loss).toBeGreaterThanOrEqual(lo - 1e-12);
      expect(ev.loss).toBeLessThanOrEqual(hi + 1e-12);
      expect(Math.abs(ev.loss - 0.9999)).toBeLessThan(1e-3);
      expect(ev.accuracy).toBe(0.5);
    }
  });
});
