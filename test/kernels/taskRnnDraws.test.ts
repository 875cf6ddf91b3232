/**
 * The WebAssembly copy of the library's Rng used by the task kernels to draw r_0 and the input noise
 * (src/kernels/assembly/rng.ts): fdlibm's ln equals Math.log bit for bit (V8's Math.log is fdlibm's), the normal
 * stream equals Rng.normal's (spare handling included), the state handed back lets the JS Rng continue exactly,
 * and the task pass draws in the JS kernel's order (ξ of every trial, then η step by step) for every ρ/σ_n pattern.
 */
import { Rng } from "../../src/core/rng";
import { F64Array } from "../../src/core/nd";
import { createWasmKernels, WasmKernels } from "../../src/kernels";
import { createTaskRnn, taskRnnForwardKernel } from "../../src/models/taskRnn";
import { dcdtTask } from "../../src/tasks/task";
import { createTaskBpttWorkspace, taskRnnWasmPass } from "../../src/training/taskBptt";
import { ensureWasm } from "./ensureWasm";

let k: WasmKernels;
beforeAll(() => { ensureWasm(); k = createWasmKernels(); });

/** The raw export (not part of the typed surface): ln by fdlibm. */
const wasmLog = (x: number): number => ((k as unknown as { ex: { logFdlibm(x: number): number } }).ex).logFdlibm(x);

test("fdlibm ln in WebAssembly = Math.log, bit for bit, on 10^6 points (uniform (0,1), log-uniform 1e-300…1e300, near 1, subnormals, specials)", () => {
  const rng = new Rng(99);
  let bad = 0, n = 0;
  const check = (x: number) => { n++; if (!Object.is(wasmLog(x), Math.log(x))) bad++; };
  for (let i = 0; i < 400_000; i++) check(rng.uniform());
  for (let i = 0; i < 400_000; i++) check(Math.exp((rng.uniform() - 0.5) * 1380));
  for (let i = 0; i < 100_000; i++) check(1 + (rng.uniform() - 0.5) * 2e-6);
  for (let i = 0; i < 100_000; i++) check(rng.uniform() * 2.2e-308);
  for (const x of [0, -0, 1, 2, 0.5, Infinity, -1, NaN, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308]) check(x);
  expect(n).toBeGreaterThanOrEqual(1_000_000);
  expect(bad).toBe(0);
});

test("the two-lane ln used for pairs of s (log2Lanes) = Math.log on 10^6 points of [2^-1022, 1), incl. the |f| < 2^-20 fallback", () => {
  const ex = (k as unknown as { ex: { memory: { buffer: ArrayBuffer; grow(p: number): number }; heapBase(): number; logLanesArray(p: number, n: number): void } }).ex;
  const n = 1 << 20;
  const base = (ex.heapBase() + 15) & ~15;
  const need = base + 8 * n - ex.memory.buffer.byteLength;
  if (need > 0) ex.memory.grow(Math.ceil(need / 65536));
  const rng = new Rng(123);
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = i % 4;
    if (r === 0) xs[i] = rng.uniform() || 0.5; // the polar method's s
    else if (r === 1) xs[i] = Math.exp(-rng.uniform() * 707); // down to 2^-1020
    else if (r === 2) xs[i] = Math.pow(2, -Math.floor(rng.uniform() * 100) - 1) * (1 + (rng.uniform() - 0.5) * 4e-6); // near powers of 2: |f| < 2^-20
    else xs[i] = 1 - rng.uniform() * 1e-3;
  }
  new Float64Array(ex.memory.buffer, base, n).set(xs);
  ex.logLanesArray(base, n);
  const out = new Float64Array(ex.memory.buffer, base, n);
  let bad = 0;
  for (let i = 0; i < n; i++) if (!Object.is(out[i], Math.log(xs[i]))) bad++;
  expect(bad).toBe(0);
});

test("this runtime passes the kernels' own check (so the task pass draws in WebAssembly)", () => {
  expect(k.wasmNormalsMatch()).toBe(true);
});

test("Rng.setState continues a stream exactly (and keeps the provenance seed)", () => {
  const a = new Rng(5), b = new Rng(77);
  a.normal();
  b.setState(a.getState());
  for (let i = 0; i < 1000; i++) expect(Object.is(b.normal(), a.normal())).toBe(true);
  expect(b.seed).toBe(77);
  expect(() => b.setState({ algorithm: "xoshiro128**", s: [0, 0, 0, 0], seed: 1, spare: null })).toThrow(/not all zero/);
});

describe("task pass draws = the JS kernel's draws, for every ρ/σ_n pattern and odd counts (spare carried over)", () => {
  test.each([[0.3, 0], [0, 0.01], [0.3, 0.01]])("ρ = %f, σ_n = %f: same rates, same Rng state after, three epochs in a row", (rho, sigma) => {
    const task = dcdtTask({ inputMs: 10, delayMs: 10, reactMs: 10, dt: 5, copies: 3 });
    const model = createTaskRnn({ kind: "lowRank", size: 7, rank: 2, rateSigma: rho, noiseSigma: sigma, seed: 2 });
    const rj = new Rng(31), rw = new Rng(31);
    rj.normal(); rw.normal(); // start with a spare
    const wj = createTaskBpttWorkspace(model, task), ww = createTaskBpttWorkspace(model, task);
    for (let e = 0; e < 3; e++) {
      taskRnnForwardKernel(model, task, rj, wj);
      taskRnnWasmPass(model, task, rw, ww, false, true);
      const a = (wj.rates as F64Array).data, b = (ww.rates as F64Array).data;
      expect(a.findIndex((v, i) => !Object.is(v, b[i]))).toBe(-1);
      expect(rw.getState()).toEqual(rj.getState());
    }
  });
});
