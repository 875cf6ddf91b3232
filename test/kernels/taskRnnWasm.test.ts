/**
 * The WebAssembly SIMD task-RNN kernels (src/kernels/assembly/taskRnn.ts via WasmKernels.taskPass and
 * training.taskRnnWasmPass) against
 *   - the JS kernels (models.taskRnnForwardKernel + training.taskRnnBackwardKernel), BIT FOR BIT: the same
 *     deterministic fastTanh/fastSigmoid and the same summation order (the SIMD lanes are put on the index that is
 *     not summed), on N = 1, 2, 7, 100, 101, B = 1, 3, 1000, K = 1, 2, 3, full rank, both readouts, with and without
 *     mask / r_0 / noise, Din and Dout 1 and 2;
 *   - central finite differences of the WASM loss, every parameter group (tolerance derived below), with negative
 *     controls;
 *   - itself (determinism: repeated calls, two instances);
 *   - the trainer: trainTask with GHOST_KERNELS=wasm gives the same history, parameters, snapshots and resume as
 *     with the JS kernels.
 */
import { Rng } from "../../src/core/rng";
import { F64Array } from "../../src/core/nd";
import { GhostError } from "../../src/core/errors";
import { createWasmKernels, setKernelMode, TaskPassParams, WasmKernels } from "../../src/kernels";
import { createTaskRnn, TaskRnn, taskRnnForwardKernel, taskRnnShapes } from "../../src/models/taskRnn";
import { defineTask, dcdtTask, dmtsTask, Task } from "../../src/tasks/task";
import { createTaskBpttWorkspace, taskRnnBackwardKernel, taskRnnWasmPass, TaskBpttWorkspace } from "../../src/training/taskBptt";
import { trainTask } from "../../src/training/trainTask";
import { ensureWasm } from "./ensureWasm";

const U = 2 ** -53;
beforeAll(() => { ensureWasm(); });
afterEach(() => setKernelMode(undefined));

const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
/** Index of the first differing entry (−1 when bit-identical), for readable failures. */
const firstDiff = (a: Float64Array, b: Float64Array) => (a.length !== b.length ? -2 : a.findIndex((v, i) => !Object.is(v, b[i])));

/** A random task: B trials of S steps, Din inputs ~ N(0, 1), Dout targets the rule's scores (−1/0/1 or 0/1); mask weights 0, 0.5, 1.5. */
function randomTask(B: number, S: number, Din: number, Dout: number, output: "tanh" | "sigmoid", mask: boolean, seed = 11): Task {
  const rng = new Rng(seed);
  const inputs = Array.from({ length: B }, () => Array.from({ length: S }, () => Array.from({ length: Din }, () => rng.normal())));
  const targets = Array.from({ length: B }, () => Array.from({ length: S }, () => Array.from({ length: Dout }, () => (output === "tanh" ? Math.floor(rng.uniform() * 3) - 1 : Math.floor(rng.uniform() * 2)))));
  const m = mask ? Array.from({ length: B }, (_, b) => Array.from({ length: S }, (_, t) => Array.from({ length: Dout }, (_, o) => ((b + t + o) % 3 === 0 ? 0 : 0.5 + (t % 2))))) : undefined;
  return defineTask({ name: "random", inputs, targets, mask: m, accuracy: { kind: output === "tanh" ? "ternary" : "binary", threshold: output === "tanh" ? 0.33 : 0.5 } as never });
}

interface Case { kind: "lowRank" | "fullRank"; N: number; K?: number; Din: number; Dout: number; output: "tanh" | "sigmoid"; mask: boolean; rho: number; sigma: number }

function net(c: Case, seed = 5): TaskRnn {
  return createTaskRnn({ kind: c.kind, size: c.N, rank: c.kind === "lowRank" ? c.K : undefined, inputs: c.Din, outputs: c.Dout, output: c.output, rateSigma: c.rho, noiseSigma: c.sigma, leak: 0.4, seed });
}

interface PassResult { loss: number; accuracy: number; ws: TaskBpttWorkspace; rngAfter: string }

function runJs(model: TaskRnn, task: Task, seed: number): PassResult {
  const ws = createTaskBpttWorkspace(model, task), rng = new Rng(seed);
  const loss = taskRnnForwardKernel(model, task, rng, ws);
  taskRnnBackwardKernel(model, task, ws);
  return { loss, accuracy: ws.accuracy, ws, rngAfter: JSON.stringify(rng.getState()) };
}
function runWasm(model: TaskRnn, task: Task, seed: number): PassResult {
  const ws = createTaskBpttWorkspace(model, task), rng = new Rng(seed);
  const loss = taskRnnWasmPass(model, task, rng, ws, true, true);
  return { loss, accuracy: ws.accuracy, ws, rngAfter: JSON.stringify(rng.getState()) };
}

function expectIdentical(a: PassResult, b: PassResult, model: TaskRnn): void {
  expect(Object.is(a.loss, b.loss)).toBe(true);
  expect(Object.is(a.accuracy, b.accuracy)).toBe(true);
  expect(b.rngAfter).toBe(a.rngAfter); // the same number of draws
  expect(firstDiff(a.ws.outputs.data, b.ws.outputs.data)).toBe(-1);
  expect(firstDiff(a.ws.rates.data, b.ws.rates.data)).toBe(-1);
  const ga = a.ws.grads as unknown as Record<string, F64Array>, gb = b.ws.grads as unknown as Record<string, F64Array>;
  for (const g of Object.keys(taskRnnShapes(model.config))) expect([g, firstDiff(ga[g].data, gb[g].data)]).toEqual([g, -1]);
}

describe("WASM task-RNN pass = the JS kernels, bit for bit", () => {
  const cases: Case[] = [];
  for (const N of [1, 2, 7, 100, 101]) {
    for (const K of [1, 2, 3]) {
      if (K > N) continue;
      for (const output of ["tanh", "sigmoid"] as const) {
        cases.push({ kind: "lowRank", N, K, Din: 1, Dout: 1, output, mask: false, rho: 0, sigma: 0 });
        cases.push({ kind: "lowRank", N, K, Din: 2, Dout: 2, output, mask: true, rho: 0.5, sigma: 0.1 });
      }
    }
    for (const output of ["tanh", "sigmoid"] as const) {
      cases.push({ kind: "fullRank", N, Din: 1, Dout: 1, output, mask: false, rho: 0, sigma: 0 });
      cases.push({ kind: "fullRank", N, Din: 2, Dout: 2, output, mask: true, rho: 0.5, sigma: 0.1 });
      cases.push({ kind: "fullRank", N, Din: 1, Dout: 1, output, mask: false, rho: 0.3, sigma: 0.01 });
    }
  }
  test.each(cases.map((c) => [`${c.kind} N=${c.N}${c.K ? ` K=${c.K}` : ""} Din=${c.Din} Dout=${c.Dout} ${c.output}${c.mask ? " mask" : ""} ρ=${c.rho} σ=${c.sigma}`, c] as const))("%s, B = 1, 3 and 6 (trial blocks 4 + 2)", (_name, c) => {
    const model = net(c);
    for (const B of [1, 3, 6]) {
      const task = randomTask(B, 6, c.Din, c.Dout, c.output, c.mask);
      expectIdentical(runJs(model, task, 9), runWasm(model, task, 9), model);
    }
  });

  test("z_t and the latent q_t agree too (WasmKernels.taskPass outputs)", () => {
    const c: Case = { kind: "lowRank", N: 7, K: 3, Din: 2, Dout: 1, output: "tanh", mask: false, rho: 0.5, sigma: 0.1 };
    const model = net(c), task = randomTask(3, 6, 2, 1, "tanh", false);
    const js = runJs(model, task, 4);
    const k = createWasmKernels(), p = model.params as unknown as Record<string, F64Array>;
    const B = 3, S = 6, N = 7, K = 3;
    const out = { outputs: new Float64Array(B * S), rates: new Float64Array(B * (S + 1) * N), z: new Float64Array(B * S * N), latent: new Float64Array(B * S * K) };
    const loss = k.taskPass(
      { lowRank: true, size: N, rank: K, inputs: 2, outputs: 1, batch: B, steps: S, leak: 0.4, rateSigma: 0.5, noiseSigma: 0.1, sigmoid: false },
      { Win: p.Win.data, bIn: p.bIn.data, Sl: p.Sl.data, Sr: p.Sr.data, Wout: p.Wout.data, bOut: p.bOut.data },
      { inputs: task.inputs.data, targets: task.targets.data, mask: null, lossDenominator: B * S }, new Rng(4), null, out,
    );
    expect(Object.is(loss, js.loss)).toBe(true);
    expect(same(out.z, js.ws.z)).toBe(true);
    expect(same(out.latent, js.ws.latent)).toBe(true);
    expect(same(out.rates, js.ws.rates.data)).toBe(true);
  });

  test.each([
    ["v2 Fig 4 DCDT: rank 2, B = 1000, S = 22, N = 100, ρ = 0.3", "lowRank", "dcdt", 500, 0.3, 0],
    ["rank 2 DMTS-like: B = 1000, sigmoid, ρ = 0.3, σ_n = 0.01", "lowRank", "dmts", 250, 0.3, 0.01],
    ["full rank DCDT, B = 1000, ρ = 0.1, σ_n = 0.01", "fullRank", "dcdt", 500, 0.1, 0.01],
  ] as const)("%s", (_name, kind, taskKind, copies, rho, sigma) => {
    const task = taskKind === "dcdt" ? dcdtTask({ inputMs: 10, delayMs: 50, reactMs: 50, dt: 5, copies }) : dmtsTask({ inputMs: 10, delayMs: 20, reactMs: 20, dt: 5, copies });
    expect(task.inputs.shape[0]).toBe(1000);
    const model = createTaskRnn({ kind, size: 100, rank: kind === "lowRank" ? 2 : undefined, output: taskKind === "dcdt" ? "tanh" : "sigmoid", rateSigma: rho, noiseSigma: sigma, seed: 0 });
    const js = runJs(model, task, 1);
    expectIdentical(js, runWasm(model, task, 1), model);
    // Without copying the rates out, the rank-2 kernel keeps rates and z in per-chunk buffers (here chunks of 7
    // trials): the same loss and gradients.
    const ws = createTaskBpttWorkspace(model, task);
    expect(Object.is(taskRnnWasmPass(model, task, new Rng(1), ws, true, false), js.loss)).toBe(true);
    const ga = js.ws.grads as unknown as Record<string, F64Array>, gb = ws.grads as unknown as Record<string, F64Array>;
    for (const g of Object.keys(taskRnnShapes(model.config))) expect([g, firstDiff(ga[g].data, gb[g].data)]).toEqual([g, -1]);
  });
});

/**
 * Finite differences of the WASM loss. D(h) = (L(p + h) − L(p − h))/2h has truncation error h²L‴/6 + O(h⁴),
 * estimated from the data as T = |D(2h) − D(h)|/3 (allowed 2T), and rounding error ≤ δ_L/h, δ_L the absolute
 * rounding error of one loss evaluation: the loss is a mean of B·S·Dout squares, each at the end of a chain of ≤ S
 * steps of O(2N + K + Din) multiply-adds and one tanh per unit; fastTanh is within 4 ulp of Math.tanh, itself
 * within 1 ulp, so ≤ 5 ulp ≈ 10u relative per tanh: n = S·(2N + K + Din + 8 + 10), δ_L = n·u·max(L, 1).
 * Allowed: |g − D(h)| ≤ 2T + 2δ_L/h + 1e-12·|g|.
 */
function wasmFdCheck(model: TaskRnn, task: Task, seed: number, gradSeed = seed): Record<string, number> {
  const wsG = createTaskBpttWorkspace(model, task);
  taskRnnWasmPass(model, task, new Rng(gradSeed), wsG, true, false);
  const grads = wsG.grads as unknown as Record<string, F64Array>;
  const ws = createTaskBpttWorkspace(model, task);
  const loss = (): number => taskRnnWasmPass(model, task, new Rng(seed), ws, false, false);
  const L0 = loss();
  const { size: N, rank: K, inputs: Din } = model.config;
  const S = task.inputs.shape[1];
  const deltaL = S * (2 * N + K + Din + 18) * U * Math.max(L0, 1);
  const h = 1e-5;
  const perGroup: Record<string, number> = {};
  for (const g of Object.keys(taskRnnShapes(model.config))) {
    const p = (model.params as unknown as Record<string, F64Array>)[g].data;
    let worst = 0;
    for (let i = 0; i < p.length; i++) {
      const x = p[i];
      const D = (step: number) => { p[i] = x + step; const a = loss(); p[i] = x - step; const b = loss(); p[i] = x; return (a - b) / (2 * step); };
      const d1 = D(h), d2 = D(2 * h);
      const allowed = (2 * Math.abs(d2 - d1)) / 3 + (2 * deltaL) / h + 1e-12 * Math.abs(grads[g].data[i]);
      worst = Math.max(worst, Math.abs(grads[g].data[i] - d1) / allowed);
    }
    perGroup[g] = worst;
  }
  return perGroup;
}

describe("WASM gradients = central finite differences, every group", () => {
  for (const kind of ["lowRank", "fullRank"] as const) {
    for (const output of ["tanh", "sigmoid"] as const) {
      test(`${kind}, ${output} readout, r_0 and noise drawn, mask`, () => {
        const model = createTaskRnn({ kind, size: 7, rank: kind === "lowRank" ? 2 : undefined, inputs: 2, outputs: 2, output, rateSigma: 0.5, noiseSigma: 0.1, leak: 0.4, seed: 5 });
        const r = wasmFdCheck(model, randomTask(3, 5, 2, 2, output, output === "sigmoid"), 77);
        expect(Object.keys(r).sort()).toEqual(Object.keys(taskRnnShapes(model.config)).sort());
        for (const [g, ratio] of Object.entries(r)) expect([g, ratio <= 1]).toEqual([g, true]);
      });
    }
  }
  test("rank 3 (odd K, scalar tail), N = 9 (odd N), tanh readout", () => {
    const model = createTaskRnn({ kind: "lowRank", size: 9, rank: 3, inputs: 1, outputs: 1, rateSigma: 0.3, noiseSigma: 0.05, leak: 0.5, seed: 2 });
    const r = wasmFdCheck(model, randomTask(2, 6, 1, 1, "tanh", false), 5);
    for (const [g, ratio] of Object.entries(r)) expect([g, ratio <= 1]).toEqual([g, true]);
  });
  test("negative control: gradients of a different noise/r_0 stream fail the same check", () => {
    const model = createTaskRnn({ kind: "fullRank", size: 7, inputs: 2, outputs: 2, rateSigma: 0.5, noiseSigma: 0.1, leak: 0.4, seed: 5 });
    const r = wasmFdCheck(model, randomTask(3, 5, 2, 2, "tanh", false), 77, 78);
    expect(Math.max(...Object.values(r))).toBeGreaterThan(1);
  });
  test("negative control: a wrong leak in the gradient pass fails the check", () => {
    const model = createTaskRnn({ kind: "lowRank", size: 7, rank: 2, inputs: 1, outputs: 1, rateSigma: 0.5, noiseSigma: 0.1, leak: 0.4, seed: 5 });
    const task = randomTask(3, 5, 1, 1, "tanh", false);
    const wrong = { config: { ...model.config, leak: 0.45 }, params: model.params };
    const ws = createTaskBpttWorkspace(model, task);
    taskRnnWasmPass(wrong, task, new Rng(9), ws, true, false);
    const gw = (ws.grads as unknown as Record<string, F64Array>).Sr.data;
    const p = (model.params as unknown as Record<string, F64Array>).Sr.data;
    const loss = () => taskRnnWasmPass(model, task, new Rng(9), createTaskBpttWorkspace(model, task), false, false);
    let failures = 0;
    for (let i = 0; i < p.length; i++) {
      const x = p[i];
      p[i] = x + 1e-5; const a = loss(); p[i] = x - 1e-5; const b = loss(); p[i] = x;
      const d = (a - b) / 2e-5;
      if (Math.abs(gw[i] - d) > 1e-6 * Math.max(1, Math.abs(d))) failures++;
    }
    expect(failures).toBeGreaterThan(0);
  });
});

describe("determinism", () => {
  test("repeated calls and a second instance give the same bits", () => {
    const model = createTaskRnn({ kind: "fullRank", size: 13, inputs: 1, outputs: 1, rateSigma: 0.2, noiseSigma: 0.05, seed: 1 });
    const task = randomTask(4, 7, 1, 1, "tanh", false);
    const a = runWasm(model, task, 3), b = runWasm(model, task, 3);
    expectIdentical(a, b, model);
    const k2: WasmKernels = createWasmKernels(), p = model.params as unknown as Record<string, F64Array>;
    const flat = (o: Record<string, F64Array>): TaskPassParams => ({ Win: o.Win.data, bIn: o.bIn.data, Wrec: o.Wrec.data, Wout: o.Wout.data, bOut: o.bOut.data });
    const g = flat(Object.fromEntries(Object.entries(p).map(([k, v]) => [k, { ...v, data: new Float64Array(v.data.length) } as F64Array])));
    const out = { outputs: new Float64Array(28), rates: null, z: null, latent: null };
    const loss = k2.taskPass({ lowRank: false, size: 13, rank: 13, inputs: 1, outputs: 1, batch: 4, steps: 7, leak: 0.5, rateSigma: 0.2, noiseSigma: 0.05, sigmoid: false }, flat(p),
      { inputs: task.inputs.data, targets: task.targets.data, mask: null, lossDenominator: 28 }, new Rng(3), g, out);
    expect(Object.is(loss, a.loss)).toBe(true);
    expect(same(g.Wrec!, (a.ws.grads as unknown as Record<string, F64Array>).Wrec.data)).toBe(true);
  });
  test("taskPass refuses wrong lengths and a missing Rng with a GhostError", () => {
    const k = createWasmKernels();
    const shape = { lowRank: true, size: 4, rank: 2, inputs: 1, outputs: 1, batch: 1, steps: 2, leak: 0.5, rateSigma: 0.1, noiseSigma: 0, sigmoid: false };
    const params = { Win: new Float64Array(4), bIn: new Float64Array(4), Sl: new Float64Array(8), Sr: new Float64Array(8), Wout: new Float64Array(2), bOut: new Float64Array(1) };
    const data = { inputs: new Float64Array(2), targets: new Float64Array(2), mask: null, lossDenominator: 2 };
    const out = { outputs: new Float64Array(2), rates: null, z: null, latent: null };
    expect(() => k.taskPass(shape, params, data, null, null, out)).toThrow(GhostError);
    expect(() => k.taskPass(shape, { ...params, Sl: new Float64Array(7) }, data, new Rng(1), null, out)).toThrow(/params\.Sl/);
    expect(() => k.taskPass({ ...shape, rank: 5 }, params, data, new Rng(1), null, out)).toThrow(/shape\.rank/);
    expect(() => k.taskPass(shape, params, { ...data, lossDenominator: 0 }, new Rng(1), null, out)).toThrow(/lossDenominator/);
    expect(Number.isFinite(k.taskPass(shape, params, data, new Rng(1), null, out))).toBe(true);
  });
});

describe("trainTask: GHOST_KERNELS=wasm gives the JS run's bits (history, parameters, snapshots, resume)", () => {
  const setup = (kind: "lowRank" | "fullRank") => {
    const task = kind === "lowRank" ? dmtsTask({ inputMs: 10, delayMs: 20, reactMs: 20, dt: 5, copies: 3 }) : dcdtTask({ inputMs: 10, delayMs: 20, reactMs: 20, dt: 5, copies: 2 });
    const model = createTaskRnn({ kind, size: 11, rank: kind === "lowRank" ? 2 : undefined, output: kind === "lowRank" ? "sigmoid" : "tanh", rateSigma: 0.3, noiseSigma: 0.01, seed: 3 });
    return { task, model };
  };
  const hist = (h: ReturnType<typeof trainTask>["history"]) => [h.loss, h.accuracy, h.gradMetric, h.gradNorm, h.weightNorm];
  for (const kind of ["lowRank", "fullRank"] as const) {
    test(`${kind}, Adam, 30 epochs with snapshots; resume at 12 (wasm) = uninterrupted (js)`, () => {
      const run = (mode: string, epochs: number, resume?: ReturnType<ReturnType<typeof trainTask>["state"]>) => {
        setKernelMode(mode);
        const { task, model } = setup(kind);
        const r = resume ? trainTask(model, task, { epochs, resume, snapshotEpochs: [0, 5, 20] }) : trainTask(model, task, { epochs, optimizer: { kind: "adam", learningRate: 0.01 }, seed: 8, snapshotEpochs: [0, 5, 20] });
        setKernelMode(undefined);
        return r;
      };
      const js = run("js", 30), wasm = run("wasm", 30);
      hist(js.history).forEach((a, i) => expect([i, same(a, hist(wasm.history)[i])]).toEqual([i, true]));
      expect(js.history.loss[29]).toBeLessThan(js.history.loss[0]);
      for (const g of Object.keys(js.model.params)) expect(same((js.model.params as never as Record<string, F64Array>)[g].data, (wasm.model.params as never as Record<string, F64Array>)[g].data)).toBe(true);
      expect(wasm.history.snapshots.map((s) => s.epoch)).toEqual([0, 5, 20]);
      js.history.snapshots.forEach((s, i) => {
        const w = wasm.history.snapshots[i];
        expect(same(s.rates.data, w.rates.data) && same(s.outputs.data, w.outputs.data) && Object.is(s.loss, w.loss) && Object.is(s.accuracy, w.accuracy)).toBe(true);
      });
      const first = run("wasm", 12);
      const resumed = run("wasm", 18, first.state());
      hist(resumed.history).forEach((a, i) => expect([i, same(a, hist(js.history)[i])]).toEqual([i, true]));
      expect(resumed.history.snapshots.map((s) => s.epoch)).toEqual([20]);
      expect(same(resumed.history.snapshots[0].rates.data, js.history.snapshots[2].rates.data)).toBe(true);
      expect(JSON.stringify(resumed.state().rng)).toBe(JSON.stringify(js.state().rng));
    });
  }
  test("divergence is reported the same way in both modes", () => {
    const run = (mode: string) => {
      setKernelMode(mode);
      const { task, model } = setup("fullRank");
      const r = trainTask(model, task, { epochs: 200, optimizer: { kind: "sgd", learningRate: 1e4 }, seed: 8 });
      setKernelMode(undefined);
      return r.history;
    };
    const a = run("js"), b = run("wasm");
    expect(b.diverged).toEqual(a.diverged);
    expect(same(a.loss, b.loss)).toBe(true);
  });
});
