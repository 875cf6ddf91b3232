/**
 * The WebAssembly rank-one kernel (src/kernels/assembly/rankOne.ts) against its JS twin (bit for bit), central
 * finite differences (every parameter group) and the Math.tanh reference training/bptt.ts rankOneLatentKernel;
 * determinism; the fused SGD loop against trainRnn with GHOST_KERNELS=wasm.
 */
import { createRankOneBuffers, createWasmKernels, FAST_TANH_ULP_BOUND, rankOneTwinPass, setKernelMode, WasmKernels } from "../../src/kernels";
import { createRnn, createRankOneRnn, LowRankParams, RnnModel } from "../../src/models/rnn";
import { delayedActivationTask } from "../../src/tasks/delayedActivation";
import { createWorkspace, forwardBackward } from "../../src/training/bptt";
import { trainRnn } from "../../src/training/trainRnn";
import { Rng } from "../../src/core/rng";
import { ensureWasm } from "./ensureWasm";

const task = delayedActivationTask(20);
const S = task.steps;
const U = Math.pow(2, -53);
let wasm: WasmKernels;
beforeAll(() => { wasm = ensureWasm(); });
afterEach(() => setKernelMode(undefined));

/** The .data of a rank-one model's parameter ndarrays (m = M, n = P, b). */
const data = (md: RnnModel) => { const p = md.params as LowRankParams; return { M: p.M.data, P: p.P.data, b: p.b.data }; };
const gradData = (ws: { grads: unknown }) => { const g = ws.grads as LowRankParams; return { M: g.M.data, P: g.P.data, b: g.b.data }; };

/** A rank-one latent model of size N, parameters jittered so outputs are not saturated (informative gradients). */
function model(seed: number, N: number, jitter: number, confidence = 10): RnnModel {
  const m = createRnn(seed, { size: N, rank: 1, readout: "latent", confidence });
  const rng = new Rng(seed + 77);
  for (const g of ["M", "P", "b"] as const) { const p = data(m)[g]; for (let i = 0; i < p.length; i++) p[i] += jitter * rng.normal(); }
  return m;
}

interface Pass { loss: number; accuracy: number; gm: Float64Array; gn: Float64Array; gb: Float64Array; kappa: Float64Array; output: Float64Array; x: Float64Array }

function runWasm(md: RnnModel, withGradient = true): Pass {
  const c = md.config, p = data(md), N = c.size;
  const ws = createRankOneBuffers(N, S), gm = new Float64Array(N), gn = new Float64Array(N), gb = new Float64Array(N);
  const loss = wasm.rankOnePass(p.M, p.P, p.b, c.leak, c.confidence, c.initialState, task.targets, task.lossScale, ws, gm, gn, gb, withGradient, true);
  return { loss, accuracy: ws.accuracy, gm, gn, gb, kappa: ws.kappa, output: ws.output, x: ws.x };
}
function runTwin(md: RnnModel): Pass {
  const c = md.config, p = data(md), N = c.size;
  const ws = createRankOneBuffers(N, S), gm = new Float64Array(N), gn = new Float64Array(N), gb = new Float64Array(N);
  const loss = rankOneTwinPass(p.M, p.P, p.b, c.leak, c.confidence, c.initialState, task.targets, task.lossScale, ws, gm, gn, gb);
  return { loss, accuracy: ws.accuracy, gm, gn, gb, kappa: ws.kappa, output: ws.output, x: ws.x };
}
function runReference(md: RnnModel): Pass {
  const ws = createWorkspace(md, task);
  const loss = forwardBackward(md, task, ws, true);
  const g = gradData(ws);
  return { loss, accuracy: ws.accuracy, gm: g.M, gn: g.P, gb: g.b, kappa: ws.kappa, output: ws.output, x: ws.x };
}
const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe("WebAssembly rank-one kernel = its JS twin, bit for bit", () => {
  test.each([[100, 0.3], [101, 0.3], [7, 0.5], [2, 0.5], [1, 0.5], [100, 0]])("N = %i, jitter %f: loss, accuracy, κ, outputs, states and every gradient identical", (N, jitter) => {
    for (const seed of [1, 2, 3]) {
      const md = model(seed, N, jitter);
      const w = runWasm(md), t = runTwin(md);
      expect(Object.is(w.loss, t.loss)).toBe(true);
      expect(w.accuracy).toBe(t.accuracy);
      for (const k of ["gm", "gn", "gb", "kappa", "output", "x"] as const) expect(same(w[k], t[k])).toBe(true);
    }
  });

  test("the paper's initialisation (createRankOneRnn, N = 100) and c = 2: identical", () => {
    for (const md of [createRankOneRnn(5), model(9, 100, 0.2, 2)]) {
      const w = runWasm(md), t = runTwin(md);
      expect(Object.is(w.loss, t.loss)).toBe(true);
      expect(same(w.gm, t.gm) && same(w.gn, t.gn) && same(w.gb, t.gb)).toBe(true);
    }
  });
});

/**
 * Central differences of the WebAssembly loss (ε = 1e-6). Tolerance per entry: 1e-5·|analytic| (as the reference
 * kernels' check, test/training/bptt.test.ts) + the FD rounding floor (40 + S·N·B)·u·|L|/ε: the 40 rounded squared
 * errors of the loss as there, plus the S·N tanh values, each within B = FAST_TANH_ULP_BOUND ulp, each entering
 * the loss with a weight of at most |L| (outputs in [0, 1], |tanh| ≤ 1).
 */
function gradientCheck(md: RnnModel, group: "M" | "P" | "b", eps = 1e-6): { worstRatio: number; maxRelError: number; maxAbsGrad: number } {
  const ref = runWasm(md);
  const analytic = group === "M" ? ref.gm : group === "P" ? ref.gn : ref.gb;
  const p = data(md)[group], N = md.config.size;
  const floor = ((40 + S * N * FAST_TANH_ULP_BOUND) * U * Math.abs(ref.loss)) / eps;
  let worst = 0, maxRel = 0, maxAbs = 0;
  for (const a of analytic) maxAbs = Math.max(maxAbs, Math.abs(a));
  for (let i = 0; i < p.length; i++) {
    const keep = p[i];
    p[i] = keep + eps;
    const up = runWasm(md, false).loss;
    p[i] = keep - eps;
    const down = runWasm(md, false).loss;
    p[i] = keep;
    const diff = Math.abs(analytic[i] - (up - down) / (2 * eps));
    worst = Math.max(worst, diff / (1e-5 * Math.abs(analytic[i]) + floor));
    if (floor < 1e-6 * Math.abs(analytic[i])) maxRel = Math.max(maxRel, diff / Math.abs(analytic[i]));
  }
  return { worstRatio: worst, maxRelError: maxRel, maxAbsGrad: maxAbs };
}

describe("WebAssembly rank-one gradients against central finite differences (ε = 1e-6), per group m (M), n (P), b", () => {
  test.each([[8, 0.5, 10], [7, 0.5, 10], [8, 0.5, 2], [100, 0.15, 10]])("N = %i, jitter %f, c = %f", (N, jitter, c) => {
    for (const seed of N === 100 ? [1] : [1, 2, 3]) {
      const md = model(seed, N, jitter, c);
      for (const g of ["M", "P", "b"] as const) {
        const r = gradientCheck(md, g);
        expect(r.maxAbsGrad).toBeGreaterThan(1e-8);
        expect(r.worstRatio).toBeLessThan(1);
        expect(r.maxRelError).toBeLessThan(1e-5);
      }
    }
  });

  test("a wrong gradient is caught (1e-4 relative perturbation of the largest n entry exceeds the tolerance)", () => {
    const md = model(2, 8, 0.5);
    const r = runWasm(md), eps = 1e-6;
    let j = 0;
    for (let i = 1; i < 8; i++) if (Math.abs(r.gn[i]) > Math.abs(r.gn[j])) j = i;
    const keep = data(md).P[j];
    data(md).P[j] = keep + eps; const up = runWasm(md, false).loss;
    data(md).P[j] = keep - eps; const down = runWasm(md, false).loss;
    data(md).P[j] = keep;
    const g = r.gn[j] * (1 + 1e-4);
    expect(Math.abs(g - (up - down) / (2 * eps))).toBeGreaterThan(1e-5 * Math.abs(g) + ((40 + S * 8 * FAST_TANH_ULP_BOUND) * U * r.loss) / eps);
  });
});

describe("WebAssembly rank-one kernel against the Math.tanh reference (rankOneLatentKernel)", () => {
  test.each([[100, 0.3, 10], [101, 0.1, 10], [8, 0.5, 2]])("N = %i, jitter %f, c = %f: loss and gradients within the derived tolerance", (N, jitter, c) => {
    const tol = c * S * S * (FAST_TANH_ULP_BOUND + 4 + N) * U;
    for (const seed of [1, 2, 3, 4]) {
      const md = model(seed, N, jitter, c);
      const w = runWasm(md), r = runReference(md);
      expect(Math.abs(w.loss - r.loss)).toBeLessThanOrEqual(tol * Math.max(r.loss, 1e-300));
      for (const [a, b] of [[w.gm, r.gm], [w.gn, r.gn], [w.gb, r.gb]]) {
        let scale = 0, d = 0;
        for (let i = 0; i < N; i++) { scale = Math.max(scale, Math.abs(b[i])); d = Math.max(d, Math.abs(a[i] - b[i])); }
        expect(d).toBeLessThanOrEqual(tol * scale);
      }
    }
  });
});

describe("determinism and the fused SGD loop", () => {
  test("repeated passes and a fresh instance give bit-identical results", () => {
    const md = model(4, 100, 0.3);
    const a = runWasm(md), b = runWasm(md);
    const fresh = createWasmKernels();
    expect(fresh).not.toBe(wasm);
    const c = md.config, p = data(md);
    const ws = createRankOneBuffers(100, S), gm = new Float64Array(100), gn = new Float64Array(100), gb = new Float64Array(100);
    const loss = fresh.rankOnePass(p.M, p.P, p.b, c.leak, c.confidence, c.initialState, task.targets, task.lossScale, ws, gm, gn, gb);
    expect(Object.is(a.loss, b.loss) && Object.is(a.loss, loss)).toBe(true);
    expect(same(a.gm, b.gm) && same(a.gn, b.gn) && same(a.gb, b.gb) && same(a.gm, gm) && same(a.gn, gn) && same(a.gb, gb)).toBe(true);
  });

  test("rankOneTrain (fused, in WebAssembly) = trainRnn with GHOST_KERNELS=wasm, bit for bit; twice the same", () => {
    const base = createRankOneRnn(11);
    const c = base.config, epochs = 300, lr = 0.02;
    const runs = [0, 1].map(() => {
      const d = data(base), m = Float64Array.from(d.M), n = Float64Array.from(d.P), b = Float64Array.from(d.b);
      const r = wasm.rankOneTrain(m, n, b, c.leak, c.confidence, c.initialState, task.targets, task.lossScale, lr, epochs);
      return { ...r, m, n, b };
    });
    const viaTrainer = createRankOneRnn(11);
    const prev = process.env.GHOST_KERNELS;
    process.env.GHOST_KERNELS = "wasm";
    let h;
    try { h = trainRnn(viaTrainer, { learningRate: lr, epochs, task }); } finally {
      if (prev === undefined) delete process.env.GHOST_KERNELS; else process.env.GHOST_KERNELS = prev;
    }
    for (const r of runs) {
      expect(r.epochsRun).toBe(epochs);
      expect(same(r.loss, h.loss) && same(r.accuracy, h.accuracy) && same(r.gradNorm, h.gradNorm)).toBe(true);
      expect(same(r.m, data(viaTrainer).M) && same(r.n, data(viaTrainer).P) && same(r.b, data(viaTrainer).b)).toBe(true);
    }
  });
});
