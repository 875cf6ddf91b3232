import { createRnn, createRankOneRnn, parameterGroups, rankOneParams, rankOneLatentStep, rankOneInitialKappa, RnnModel, RnnOptions } from "../../src/models/rnn";
import { delayedActivationTask } from "../../src/tasks/delayedActivation";
import { createWorkspace, lossAndGradient, evaluateRnn, lowRankPass } from "../../src/training/bptt";
import { trainRnn } from "../../src/training/trainRnn";
import { GhostError } from "../../src/core/errors";
import { Rng } from "../../src/core/rng";

const task = delayedActivationTask(20);

/** Perturb parameters so that outputs are not saturated (so every gradient entry is informative). */
function informative(model: RnnModel, seed: number, scale: number): RnnModel {
  const rng = new Rng(seed + 1000);
  for (const g of parameterGroups(model.config)) {
    const p = model.params[g];
    for (let i = 0; i < p.length; i++) p[i] += scale * rng.normal();
  }
  return model;
}

/**
 * Central-difference check of one parameter group. Returns the worst ratio |analytic − FD| / tolerance over
 * entries, where tolerance = 1e-5·|analytic| (spec Part C: ≤ 1e-5 relative) + the FD rounding floor
 * 40·u·|L|/ε (u = 2^-53; L is a sum of 40 squared errors, each rounded, and the difference of two such
 * losses is divided by 2ε). A ratio < 1 passes.
 */
function gradientCheck(model: RnnModel, group: string, eps = 1e-6): { worstRatio: number; maxRelError: number; maxAbsGrad: number } {
  const ws = createWorkspace(model, task);
  const L = lossAndGradient(model, task, ws, true).loss;
  const analytic = Float64Array.from(ws.grads[group]);
  const p = model.params[group];
  const roundingFloor = (40 * Math.pow(2, -53) * Math.abs(L)) / eps;
  let worst = 0, maxRel = 0, maxAbs = 0;
  for (const a of analytic) maxAbs = Math.max(maxAbs, Math.abs(a));
  for (let i = 0; i < p.length; i++) {
    const keep = p[i];
    p[i] = keep + eps;
    const up = lossAndGradient(model, task, ws, false).loss;
    p[i] = keep - eps;
    const down = lossAndGradient(model, task, ws, false).loss;
    p[i] = keep;
    const fd = (up - down) / (2 * eps);
    const diff = Math.abs(analytic[i] - fd);
    worst = Math.max(worst, diff / (1e-5 * Math.abs(analytic[i]) + roundingFloor));
    if (roundingFloor < 1e-6 * Math.abs(analytic[i])) maxRel = Math.max(maxRel, diff / Math.abs(analytic[i]));
  }
  return { worstRatio: worst, maxRelError: maxRel, maxAbsGrad: maxAbs };
}

describe("BPTT gradients against central finite differences (ε = 1e-6, float64), every parameter group", () => {
  const reported: string[] = [];
  afterAll(() => {
    if (process.env.GHOST_REPORT_GRADCHECK) console.log(reported.join("\n"));
  });
  const cases: [string, RnnOptions, number][] = [
    ["rank one, latent readout (paper model, c = 2 so outputs are not saturated)", { size: 8, rank: 1, readout: "latent", confidence: 2 }, 0.5],
    ["rank one, linear readout", { size: 7, rank: 1, readout: "linear" }, 0.3],
    ["rank two, linear readout", { size: 6, rank: 2, readout: "linear" }, 0.3],
    ["rank three, linear readout", { size: 9, rank: 3, readout: "linear" }, 0.3],
    ["full rank", { kind: "fullRank", size: 6 }, 0.3],
  ];
  test.each(cases)("%s", (_name, opts, scale) => {
    for (const seed of [1, 2]) {
      const model = informative(createRnn(seed, opts), seed, scale);
      for (const g of parameterGroups(model.config)) {
        const { worstRatio, maxRelError, maxAbsGrad } = gradientCheck(model, g);
        expect(maxAbsGrad).toBeGreaterThan(1e-8); // the check is informative
        expect(worstRatio).toBeLessThan(1);
        // entries well above the FD rounding floor: plain relative error ≤ 1e-5 (spec Part C)
        expect(maxRelError).toBeLessThan(1e-5);
        reported.push(`${_name} seed ${seed} ${g}: max rel error ${maxRelError.toExponential(2)}`);
      }
    }
  });
});

describe("one vector field: the trainer's forward pass is the 1-D κ map", () => {
  test("κ_t from the N-dimensional forward pass equals κ_{t+1} = (1−α)κ_t + α F(κ_t) to 1e-12", () => {
    for (const seed of [0, 1, 2, 3]) {
      const model = informative(createRankOneRnn(seed, { size: 100 }), seed, 0.2);
      const ev = evaluateRnn(model, task);
      const p = rankOneParams(model);
      let k = rankOneInitialKappa(model);
      expect(Math.abs(ev.kappa[0] - k)).toBeLessThanOrEqual(1e-12);
      for (let t = 0; t < task.steps; t++) {
        k = rankOneLatentStep(p, k, model.config.leak);
        expect(Math.abs(ev.kappa[t + 1] - k)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(k)));
      }
    }
  });

  test("the fused rank-one kernel equals the general low-rank kernel (loss, outputs, every gradient) to 1e-12", () => {
    const a = informative(createRankOneRnn(5, { size: 30 }), 5, 0.3);
    const fused = evaluateRnn(a, task);
    const ws = createWorkspace(a, task);
    const r = lowRankPass(a, task, ws, true);
    expect(Math.abs(r.loss - fused.loss)).toBeLessThanOrEqual(1e-12 * fused.loss);
    for (const g of ["M", "P", "b"]) {
      const scale = Math.max(...Array.from(fused.grads[g], Math.abs));
      ws.grads[g].forEach((v, i) => expect(Math.abs(v - fused.grads[g][i])).toBeLessThanOrEqual(1e-12 * scale));
    }
  });
});

describe("the paper's rank-one model at initialisation (N = 100, c = 10)", () => {
  test("loss ≈ 0.9999 and accuracy 0.5 for several seeds", () => {
    for (let seed = 0; seed < 10; seed++) {
      const ev = evaluateRnn(createRankOneRnn(seed), task);
      // κ stays O(1) below threshold → o ≤ σ(c(κ_max − 1)); loss = (Σ_{first 20} o² + Σ_{last 20} (1−o)²)/20.
      const kmax = Math.max(...ev.kappa);
      expect(kmax).toBeLessThan(0.5);
      const oMax = 1 / (1 + Math.exp(-10 * (kmax - 1)));
      expect(ev.loss).toBeGreaterThanOrEqual((1 - oMax) ** 2);
      expect(ev.loss).toBeLessThanOrEqual(1 + oMax ** 2);
      expect(ev.accuracy).toBe(0.5);
    }
  });
});

describe("training", () => {
  test("same seed ⇒ bit-identical History; different seeds differ", () => {
    const a = trainRnn(createRankOneRnn(3), { learningRate: 0.02, epochs: 300 });
    const b = trainRnn(createRankOneRnn(3), { learningRate: 0.02, epochs: 300 });
    const c = trainRnn(createRankOneRnn(4), { learningRate: 0.02, epochs: 300 });
    expect(Array.from(a.loss)).toEqual(Array.from(b.loss));
    expect(Array.from(a.gradNorm)).toEqual(Array.from(b.gradNorm));
    expect(Array.from(a.loss)).not.toEqual(Array.from(c.loss));
  });

  test("one epoch = one SGD step p ← p − lr·∇p with the gradient of that epoch's forward pass", () => {
    const model = createRnn(2, { size: 10, rank: 2 });
    const before = evaluateRnn(model, task);
    const start = Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, Float64Array.from(v)]));
    const h = trainRnn(model, { learningRate: 0.1, epochs: 1 });
    expect(h.loss[0]).toBe(before.loss);
    let sq = 0;
    for (const g of Object.keys(start)) {
      for (let i = 0; i < start[g].length; i++) {
        expect(model.params[g][i]).toBe(start[g][i] - 0.1 * before.grads[g][i]);
        sq += before.grads[g][i] ** 2;
      }
    }
    expect(h.gradNorm[0]).toBeCloseTo(Math.sqrt(sq), 14);
  });

  test("frozen groups do not move and are excluded from the gradient norm", () => {
    const model = createRnn(1, { size: 10, rank: 1, readout: "linear", trainable: { M: false, wOut: false } });
    const M = Float64Array.from(model.params.M), w = Float64Array.from(model.params.wOut), P = Float64Array.from(model.params.P);
    const ev = evaluateRnn(model, task);
    const h = trainRnn(model, { learningRate: 0.05, epochs: 20 });
    expect(Array.from(model.params.M)).toEqual(Array.from(M));
    expect(Array.from(model.params.wOut)).toEqual(Array.from(w));
    expect(Array.from(model.params.P)).not.toEqual(Array.from(P));
    const trainableSq = ["P", "b", "bOut"].reduce((s, g) => s + ev.grads[g].reduce((a, x) => a + x * x, 0), 0);
    expect(h.gradNorm[0]).toBeCloseTo(Math.sqrt(trainableSq), 14);
  });

  test("snapshots are taken after the requested epochs' updates", () => {
    const model = createRankOneRnn(0, { size: 20 });
    const h = trainRnn(model, { learningRate: 0.01, epochs: 5, snapshotEpochs: [0, 4] });
    expect(h.snapshots.map((s) => s.epoch)).toEqual([0, 4]);
    expect(Array.from(h.snapshots[1].params.M)).toEqual(Array.from(model.params.M));
  });

  test("divergence: a NaN loss stops training with 'diverged at epoch k' (or throws)", () => {
    // Rows of ±1e308 with x_0 = −10 make Σ_i x_i W_ij overflow to −Inf + Inf = NaN in the forward pass.
    const model = createRnn(0, { kind: "fullRank", size: 10, initialState: -10 });
    const huge = (W: Float64Array) => W.forEach((_, k) => (W[k] = Math.floor(k / 10) < 5 ? 1e308 : -1e308));
    huge(model.params.W);
    const h = trainRnn(model, { learningRate: 0.1, epochs: 50 });
    expect(h.diverged?.epoch).toBe(0);
    expect(h.epochsRun).toBe(1);
    expect(Number.isNaN(h.loss[0])).toBe(true);
    huge(model.params.W);
    expect(() => trainRnn(model, { learningRate: 0.1, epochs: 50, onDivergence: "throw" })).toThrow(/diverged at epoch 0/);
  });

  test("divergence: an update that would overflow the parameters stops before touching them", () => {
    const model = createRnn(0, { kind: "fullRank", size: 10 });
    // A loss scaled by 1e6 (lossScale 1e-6 instead of T) has gradients of order 1e5, so 1e305 × g overflows.
    const scaledTask = { ...delayedActivationTask(20), lossScale: 1e-6 };
    const W = Float64Array.from(model.params.W);
    const h = trainRnn(model, { learningRate: 1e305, epochs: 5, task: scaledTask });
    expect(h.diverged).not.toBeNull();
    expect(h.diverged?.reason).toMatch(/overflow/);
    expect(Array.from(model.params.W)).toEqual(Array.from(W)); // the last good parameters are kept
    expect(h.epochsRun).toBe(1);
  });

  test("stopWhen ends training early", () => {
    const h = trainRnn(createRankOneRnn(0, { size: 20 }), { learningRate: 0.01, epochs: 100, stopWhen: (r) => r.epoch === 9 });
    expect(h.epochsRun).toBe(10);
    expect(h.stoppedEarly).toBe(true);
  });
});

describe("bad input is rejected with a GhostError naming the parameter", () => {
  test.each([
    [() => createRnn(0, { size: 0 }), /size = 0/],
    [() => createRnn(0, { size: 10, rank: 1.5 }), /rank = 1.5/],
    [() => createRnn(0, { size: 10, rank: 11 }), /rank = 11/],
    [() => createRnn(0, { confidence: NaN }), /confidence = NaN/],
    [() => createRnn(0, { leak: 0 }), /leak = 0/],
    [() => createRnn(0, { size: 10, rank: 2, readout: "latent" }), /readout/],
    [() => createRnn(-3), /seed = -3/],
    [() => createRnn(0, { trainable: { Q: true } as never }), /trainable.Q/],
    [() => trainRnn(createRankOneRnn(0, { size: 5 }), { learningRate: 0, epochs: 1 }), /learningRate = 0/],
    [() => trainRnn(createRankOneRnn(0, { size: 5 }), { learningRate: 0.1, epochs: -1 }), /epochs = -1/],
    [() => delayedActivationTask(0), /horizon = 0/],
  ])("%#", (fn, re) => {
    expect(fn).toThrow(GhostError);
    expect(fn).toThrow(re);
  });
  test("a model with a NaN parameter is rejected before training", () => {
    const m = createRankOneRnn(0, { size: 5 });
    m.params.b[2] = NaN;
    expect(() => trainRnn(m, { learningRate: 0.1, epochs: 1 })).toThrow(/model.params.b\[2\] = NaN/);
  });
});
