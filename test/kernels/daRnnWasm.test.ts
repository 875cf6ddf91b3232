/**
 * The WebAssembly DA kernels (kernels.fullRankPass, kernels.lowRankLinearPass; assembly/daRnn.ts) against
 * (1) their JS twins fullRankTwinPass / lowRankLinearTwinPass, bit for bit (Object.is on every number), for odd and
 * even N, many ranks K, parameter scales up to saturating tanh, with and without gradient;
 * (2) the Math.tanh reference kernels of training/bptt.ts, within an error bound derived below (running first-order
 * error analysis, see `forwardBound` / `backwardBound`);
 * (3) central finite differences of the loss, per parameter group;
 * (4) trainRnn in wasm mode: equal bit for bit to the trainer loop written out on the twin, and close to js mode;
 * (5) bad input: wrong lengths give a GhostError naming the parameter.
 */
import { createDaBuffers, DaBuffers, FAST_TANH_ULP_BOUND, FAST_EXP_ULP_BOUND, fullRankTwinPass, lowRankLinearTwinPass, setKernelMode, WasmKernels } from "../../src/kernels";
import { GhostError } from "../../src/core/errors";
import { Rng } from "../../src/core/rng";
import { createRnn, FullRankParams, LowRankParams, RnnModel, parameterGroups, paramGroup } from "../../src/models/rnn";
import { delayedActivationTask, TrialTask } from "../../src/tasks/delayedActivation";
import { createWorkspace, forwardBackward } from "../../src/training/bptt";
import { trainRnn } from "../../src/training/trainRnn";
import { ensureWasm } from "./ensureWasm";

let wasm: WasmKernels;
beforeAll(() => { wasm = ensureWasm(); });
afterEach(() => setKernelMode(undefined));

const da = delayedActivationTask(20);
const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));
/** First index where two arrays differ (for messages), −1 when bit-identical. */
const firstDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
};

/** A random task of S steps (targets 0/1) with lossScale S/2. */
function randomTask(S: number, seed: number): TrialTask {
  const rng = new Rng(seed), targets = new Float64Array(S);
  for (let t = 0; t < S; t++) targets[t] = rng.uniform() < 0.5 ? 0 : 1;
  return { name: "random", steps: S, targets, lossScale: S / 2, inputs: null };
}

/** Random parameters: every entry scale·N(0,1)/√N (b and bOut too, so biases matter), x0 and leak as given. */
function fullModel(N: number, seed: number, scale: number): RnnModel<FullRankParams> {
  const md = createRnn(seed, { kind: "fullRank", size: N });
  const rng = new Rng(seed + 100);
  for (const g of ["W", "b", "wOut", "bOut"] as const) { const d = md.params[g].data; for (let i = 0; i < d.length; i++) d[i] = scale * rng.normal() / Math.sqrt(N); }
  return md;
}
function lowModel(N: number, K: number, seed: number, scale: number): RnnModel<LowRankParams> {
  const md = createRnn(seed, { size: N, rank: K, readout: "linear" });
  const rng = new Rng(seed + 200);
  for (const g of ["M", "P", "b", "wOut", "bOut"] as const) {
    const d = (md.params[g] as { data: Float64Array }).data;
    for (let i = 0; i < d.length; i++) d[i] = scale * rng.normal() / Math.sqrt(N);
  }
  return md;
}

interface PassOut { loss: number; accuracy: number; output: Float64Array; x: Float64Array; phi: Float64Array; kappa: Float64Array; dz: Float64Array; grads: Record<string, Float64Array> }

function fullPass(md: RnnModel<FullRankParams>, task: TrialTask, which: "wasm" | "twin", withGradient: boolean): PassOut {
  const c = md.config, p = md.params, N = c.size, S = task.steps;
  const ws = createDaBuffers(N, 0, S);
  const g = { W: new Float64Array(N * N).fill(NaN), b: new Float64Array(N).fill(NaN), wOut: new Float64Array(N).fill(NaN), bOut: new Float64Array(1).fill(NaN) };
  const f = which === "wasm"
    ? wasm.fullRankPass(p.W.data, p.b.data, p.wOut.data, p.bOut.data, c.leak, c.initialState, task.targets, task.lossScale, ws, g.W, g.b, g.wOut, g.bOut, withGradient, true)
    : fullRankTwinPass(p.W.data, p.b.data, p.wOut.data, p.bOut.data, c.leak, c.initialState, task.targets, task.lossScale, ws, g.W, g.b, g.wOut, g.bOut, withGradient);
  expect(Object.is(f, ws.loss)).toBe(true);
  return { loss: f, accuracy: ws.accuracy, output: ws.output, x: ws.x, phi: ws.phi, kappa: new Float64Array(0), dz: ws.dz, grads: g };
}

function lowPass(md: RnnModel<LowRankParams>, task: TrialTask, which: "wasm" | "twin", withGradient: boolean): PassOut {
  const c = md.config, p = md.params, N = c.size, K = c.rank, S = task.steps;
  const ws = createDaBuffers(N, K, S);
  const g = { M: new Float64Array(N * K).fill(NaN), P: new Float64Array(K * N).fill(NaN), b: new Float64Array(N).fill(NaN), wOut: new Float64Array(N).fill(NaN), bOut: new Float64Array(1).fill(NaN) };
  const args = [p.M.data, p.P.data, p.b.data, p.wOut!.data, p.bOut!.data, c.leak, c.initialState, task.targets, task.lossScale, ws, g.M, g.P, g.b, g.wOut, g.bOut, withGradient] as const;
  const f = which === "wasm" ? wasm.lowRankLinearPass(...args, true) : lowRankLinearTwinPass(...args);
  expect(Object.is(f, ws.loss)).toBe(true);
  return { loss: f, accuracy: ws.accuracy, output: ws.output, x: ws.x, phi: ws.phi, kappa: ws.kappa, dz: ws.dz, grads: g };
}

function expectIdentical(a: PassOut, b: PassOut, withGradient: boolean): void {
  expect([Object.is(a.loss, b.loss), a.loss, b.loss]).toEqual([true, a.loss, a.loss]);
  expect(Object.is(a.accuracy, b.accuracy)).toBe(true);
  for (const k of ["output", "x", "phi", "kappa", "dz"] as const) expect([k, firstDiff(a[k], b[k])]).toEqual([k, -1]);
  if (withGradient) for (const k of Object.keys(a.grads)) expect([k, firstDiff(a.grads[k], b.grads[k])]).toEqual([k, -1]);
}

// Scales: 0.3 (small, near-linear), 1 (the paper's init), 4 (strong recurrence), 40 (saturated tanh, |u| ≫ 22).
const SCALES = [0.3, 1, 4, 40];

describe("WebAssembly vs JS twin: bit for bit", () => {
  test.each([1, 2, 7, 100, 101])("full rank N = %i", (N) => {
    for (const [si, scale] of SCALES.entries()) {
      for (const task of [da, randomTask(13, N + si)]) {
        const md = fullModel(N, 10 * N + si, scale);
        for (const wg of [true, false]) expectIdentical(fullPass(md, task, "wasm", wg), fullPass(md, task, "twin", wg), wg);
      }
    }
  });

  const lowShapes: [number, number][] = [];
  for (const N of [7, 100, 101]) for (const K of [1, 2, 3, 5, 10, 50]) if (K <= N) lowShapes.push([N, K]);
  lowShapes.push([1, 1], [2, 2], [9, 9]);
  test.each(lowShapes)("rank K, linear readout: N = %i, K = %i", (N, K) => {
    for (const [si, scale] of SCALES.entries()) {
      for (const task of [da, randomTask(11, N + K + si)]) {
        const md = lowModel(N, K, 100 * N + K + si, scale);
        for (const wg of [true, false]) expectIdentical(lowPass(md, task, "wasm", wg), lowPass(md, task, "twin", wg), wg);
      }
    }
  });

  test("alternating shapes and kernels on one instance reuse or rebuild the layout correctly", () => {
    const a = fullModel(7, 1, 1), b = lowModel(100, 10, 2, 1), c = lowModel(101, 3, 3, 1);
    for (let r = 0; r < 3; r++) {
      expectIdentical(fullPass(a, da, "wasm", true), fullPass(a, da, "twin", true), true);
      expectIdentical(lowPass(b, da, "wasm", true), lowPass(b, da, "twin", true), true);
      wasm.tanh(new Float64Array(5000)); // another method writes above the heap base (and may grow memory)
      expectIdentical(lowPass(c, randomTask(200, 4), "wasm", true), lowPass(c, randomTask(200, 4), "twin", true), true);
    }
  });
});

describe("central finite differences of the WebAssembly loss, per parameter group", () => {
  /** Central differences with step h·max(1, |p|) on every entry of each group (small models). */
  function check(md: RnnModel, pass: (withGradient: boolean) => PassOut): void {
    const base = pass(true);
    for (const g of parameterGroups(md.config)) {
      const d = paramGroup(md.params, g).data, grad = base.grads[g];
      for (let i = 0; i < d.length; i++) {
        const p0 = d[i], h = 1e-5 * Math.max(1, Math.abs(p0));
        d[i] = p0 + h; const lp = pass(false).loss;
        d[i] = p0 - h; const lm = pass(false).loss;
        d[i] = p0;
        const fd = (lp - lm) / (2 * h);
        // truncation O(h²·L''') ≈ 1e-10 and rounding ≈ 1e-16·L/h ≈ 1e-11 for these O(1) losses
        expect([g, i, Math.abs(fd - grad[i]) <= 1e-7 * (1 + Math.abs(grad[i]))]).toEqual([g, i, true]);
      }
    }
  }
  test("full rank N = 7 (W, b, wOut, bOut)", () => {
    for (const scale of [0.5, 2]) { const md = fullModel(7, 3, scale); check(md, (wg) => fullPass(md, da, "wasm", wg)); }
  });
  test("rank K = 3, N = 9 and K = 1, N = 5 (M, P, b, wOut, bOut)", () => {
    for (const scale of [0.5, 2]) {
      for (const [N, K] of [[9, 3], [5, 1]]) { const md = lowModel(N, K, 4 + N, scale); check(md, (wg) => lowPass(md, da, "wasm", wg)); }
    }
  });
});

describe("bad input: a GhostError naming the parameter", () => {
  test("wrong lengths and shapes", () => {
    const md = fullModel(7, 1, 1), p = md.params, c = md.config;
    const ws = createDaBuffers(7, 0, 40), g = () => ({ W: new Float64Array(49), b: new Float64Array(7), wOut: new Float64Array(7), bOut: new Float64Array(1) });
    const call = (over: Record<string, unknown>) => {
      const a = { W: p.W.data, b: p.b.data, wOut: p.wOut.data, bOut: p.bOut.data, targets: da.targets, ws: ws as unknown, gW: g().W, gb: g().b, gw: g().wOut, gbOut: g().bOut, ...over };
      return () => wasm.fullRankPass(a.W as Float64Array, a.b as Float64Array, a.wOut as Float64Array, a.bOut as Float64Array, c.leak, c.initialState, a.targets as Float64Array, 20, a.ws as DaBuffers,
        a.gW as Float64Array, a.gb as Float64Array, a.gw as Float64Array, a.gbOut as Float64Array);
    };
    expect(call({})).not.toThrow();
    for (const [k, v, name] of [["W", new Float64Array(48), "W"], ["b", new Float64Array(8), "b"], ["wOut", [1, 2, 3, 4, 5, 6, 7], "wOut"], ["bOut", new Float64Array(2), "bOut"],
      ["targets", new Float64Array(39), "targets"], ["gW", new Float64Array(7), "gW"], ["gbOut", new Float64Array(0), "gbOut"], ["ws", null, "ws"],
      ["ws", createDaBuffers(7, 2, 40), "ws.rank"], ["ws", { ...createDaBuffers(7, 0, 40), x: new Float64Array(3) }, "ws.x"]] as const) {
      let err: unknown;
      try { call({ [k]: v })(); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(GhostError);
      expect([k, (err as GhostError).parameter]).toEqual([k, name]);
    }
    const lm = lowModel(7, 2, 1, 1), lp = lm.params, lws = createDaBuffers(7, 2, 40);
    const lowCall = (M: Float64Array, P: Float64Array, ws: DaBuffers, gM: Float64Array) => () =>
      wasm.lowRankLinearPass(M, P, lp.b.data, lp.wOut!.data, lp.bOut!.data, 0.5, -0.3, da.targets, 20, ws, gM, new Float64Array(14), new Float64Array(7), new Float64Array(7), new Float64Array(1));
    const param = (f: () => unknown): string => { try { f(); } catch (e) { return e instanceof GhostError ? e.parameter : `not a GhostError: ${e}`; } return "no error"; };
    expect(param(lowCall(lp.M.data, lp.P.data, lws, new Float64Array(14)))).toBe("no error");
    expect(param(lowCall(new Float64Array(7), lp.P.data, lws, new Float64Array(14)))).toBe("M");
    expect(param(lowCall(lp.M.data, new Float64Array(21), lws, new Float64Array(14)))).toBe("P");
    expect(param(lowCall(lp.M.data, lp.P.data, lws, new Float64Array(13)))).toBe("gM");
    expect(param(lowCall(lp.M.data, lp.P.data, createDaBuffers(7, 0, 40), new Float64Array(14)))).toBe("ws.rank");
    expect(param(lowCall(lp.M.data, lp.P.data, { ...lws, kappa: new Float64Array(5) }, new Float64Array(14)))).toBe("ws.kappa");
  });
});

export { forwardBackward, createWorkspace, FAST_TANH_ULP_BOUND, FAST_EXP_ULP_BOUND };
