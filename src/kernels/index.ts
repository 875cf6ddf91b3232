/**
 * The hot kernels and their loader (design.md "Hot kernels in one place").
 *
 * - WebAssembly SIMD (f64x2) kernels compiled from assembly/rankOne.ts by `npm run build:wasm` (part of
 *   `npm run build`) into dist/kernels/kernels.wasm: the rank-one latent RNN's forward + BPTT pass
 *   ({@link WasmKernels.rankOnePass}) and its fused SGD loop ({@link WasmKernels.rankOneTrain}), plus the
 *   vectorised tanh and exp they use.
 * - Their JS twins, bit-identical: fastMath.ts (fastTanh, fastExp, fastSigmoid) and rankOneTwin.ts.
 * - Kernel selection: {@link kernelMode} reads {@link setKernelMode} (this thread) or the environment variable
 *   GHOST_KERNELS = js | wasm | auto. The DEFAULT is "js": the reference kernels of training/bptt.ts with
 *   Math.tanh, so every result stays bit-identical to earlier releases until the WebAssembly path's fidelity is
 *   shown; "wasm" opts in (and throws when WebAssembly SIMD is missing); "auto" takes wasm where SIMD exists.
 *
 * One WebAssembly instance per thread ({@link wasmKernels}: module state is per worker thread). Calls are
 * synchronous and copy their inputs into the instance's memory and their outputs back, so callers keep plain
 * Float64Arrays (the `.data` of ndarray views).
 */
import { GhostError } from "../core/errors";
import { RankOneBuffers } from "./rankOneTwin";

export { FAST_EXP_ULP_BOUND, FAST_TANH_ULP_BOUND, fastExp, fastSigmoid, fastTanh } from "./fastMath";
export { RankOneBuffers, createRankOneBuffers, rankOneTwinPass } from "./rankOneTwin";

/**
 * The part of the WebAssembly JS API used here (the project compiles with lib ES2020 and no DOM types, which is
 * where TypeScript keeps WebAssembly's declarations; the global exists in Node and every browser).
 */
declare namespace WebAssembly {
  interface Memory { readonly buffer: ArrayBuffer; grow(pages: number): number }
  class Module { constructor(bytes: Uint8Array) }
  class Instance { constructor(module: Module, imports: Record<string, Record<string, unknown>>); readonly exports: Record<string, unknown> }
  function validate(bytes: Uint8Array): boolean;
}

/** Which implementation of the hot kernels runs. */
export type KernelMode = "js" | "wasm";
/** Accepted values of GHOST_KERNELS and {@link setKernelMode}. */
export const KERNEL_MODES: readonly string[] = ["js", "wasm", "auto"];
/** The environment variable that selects the kernels (inherited by worker threads). */
export const KERNEL_ENV = "GHOST_KERNELS";

/** A minimal module using a v128 instruction (i8x16.splat; i8x16.popcnt): validates iff SIMD is supported. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
let simdCache: boolean | undefined;

/** True when this runtime has WebAssembly with fixed-width SIMD (Node ≥ 16.4, current browsers). */
export function simdSupported(): boolean {
  if (simdCache === undefined) {
    try {
      simdCache = typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
    } catch {
      simdCache = false;
    }
  }
  return simdCache as boolean;
}

/**
 * The kernel mode for a requested value (undefined or "" → "js", the default of this release). "wasm" without
 * SIMD throws; "auto" → "wasm" when `simd`, else "js". Anything else throws a GhostError naming GHOST_KERNELS.
 */
export function resolveKernelMode(requested: string | undefined, simd: boolean): KernelMode {
  if (requested !== undefined && typeof requested !== "string") throw new GhostError(KERNEL_ENV, requested, `one of ${KERNEL_MODES.join(", ")} (a string)`);
  const r = requested === undefined ? "" : requested.trim().toLowerCase();
  if (r === "" || r === "js") return "js";
  if (r === "auto") return simd ? "wasm" : "js";
  if (r === "wasm") {
    if (!simd) throw new GhostError(KERNEL_ENV, requested, `"js" or "auto" on this runtime`, "WebAssembly SIMD is not supported here");
    return "wasm";
  }
  throw new GhostError(KERNEL_ENV, requested, `one of ${KERNEL_MODES.join(", ")} (default js)`);
}

let modeOverride: string | undefined;

/**
 * Selects the kernels for THIS thread (worker threads read GHOST_KERNELS instead; set the environment variable
 * before a sweep to switch its workers). `undefined` clears the override. Validated now.
 */
export function setKernelMode(mode: string | undefined): void {
  if (mode !== undefined) resolveKernelMode(mode, simdSupported());
  modeOverride = mode;
}

/** The kernel mode in effect: {@link setKernelMode}'s value, else GHOST_KERNELS, else "js". */
export function kernelMode(): KernelMode {
  const requested = modeOverride ?? (typeof process === "object" ? process.env[KERNEL_ENV] : undefined);
  return resolveKernelMode(requested, simdSupported());
}

/** Candidate locations of the compiled module: beside this file (dist/kernels), or dist/ when run from src/. */
function wasmCandidates(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const path = require("path") as typeof import("path");
  return [path.join(__dirname, "kernels.wasm"), path.join(__dirname, "..", "..", "dist", "kernels", "kernels.wasm")];
}

/** Path of the compiled kernels (throws a GhostError naming the build command when it is missing). */
export function wasmPath(): string {
  const fs = require("fs") as typeof import("fs");
  const c = wasmCandidates();
  for (const p of c) if (fs.existsSync(p)) return p;
  throw new GhostError("kernels.wasm", c[0], "the compiled WebAssembly kernels (run `npm run build:wasm` or `npm run build`)");
}

/** The raw exports of kernels.wasm (byte offsets of float64 arrays in its memory). */
interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  accuracy(): number;
  tanhArray(pin: number, pout: number, len: number): void;
  expArray(pin: number, pout: number, len: number): void;
  rankOnePass(
    N: number, S: number, m: number, n: number, b: number, leak: number, c: number, x0: number, targets: number, lossScale: number,
    x: number, phi: number, kap: number, o: number, dz: number, gx: number, gm: number, gn: number, gb: number, withGradient: number,
  ): number;
  rankOneTrain(
    N: number, S: number, m: number, n: number, b: number, leak: number, c: number, x0: number, targets: number, lossScale: number,
    x: number, phi: number, kap: number, o: number, dz: number, gx: number, gm: number, gn: number, gb: number,
    learningRate: number, epochs: number, lossOut: number, accOut: number, normOut: number,
  ): number;
}

/** Float64 offsets (in elements) of the rank-one buffers for one (N, S), and views on them. */
interface RankOneLayout {
  N: number; S: number;
  m: number; n: number; b: number; targets: number; x: number; phi: number; kap: number; o: number; dz: number;
  gx: number; gm: number; gn: number; gb: number; end: number;
  /** Views on the arrays above (made once per layout and memory buffer: no allocation per call). */
  v: Record<"m" | "n" | "b" | "targets" | "x" | "phi" | "kap" | "o" | "dz" | "gx" | "gm" | "gn" | "gb", Float64Array>;
  buffer: ArrayBuffer;
}

/** Result of {@link WasmKernels.rankOneTrain}: per-epoch records, length epochsRun. */
export interface RankOneTrainResult {
  loss: Float64Array;
  accuracy: Float64Array;
  gradNorm: Float64Array;
  epochsRun: number;
}

/**
 * One instance of the compiled kernels (get it from {@link wasmKernels}: one per thread). Every method copies its
 * inputs into linear memory, runs, and copies its outputs back; nothing is retained between calls.
 */
export class WasmKernels {
  private readonly ex: KernelExports;
  private f64: Float64Array;
  private readonly base: number; // first free float64 index, 16-byte aligned
  private layout: RankOneLayout | null = null;

  constructor(module: WebAssembly.Module) {
    if (!(module instanceof WebAssembly.Module)) throw new GhostError("module", module, "a compiled WebAssembly.Module (use wasmKernels())");
    const instance = new WebAssembly.Instance(module, {
      env: { abort: () => { throw new Error("kernels.wasm aborted"); } },
    });
    this.ex = instance.exports as unknown as KernelExports;
    this.base = ((this.ex.heapBase() + 15) & ~15) / 8;
    this.f64 = new Float64Array(this.ex.memory.buffer);
  }

  /** Makes linear memory hold float64 indices < `end` (grows it; refreshes the view). */
  private ensure(end: number): void {
    const bytes = end * 8, have = this.ex.memory.buffer.byteLength;
    if (bytes > have) this.ex.memory.grow(Math.ceil((bytes - have) / 65536));
    if (this.f64.buffer !== this.ex.memory.buffer) this.f64 = new Float64Array(this.ex.memory.buffer);
  }

  /** Vectorised {@link fastTanh} of every entry (bit-identical to it). Returns `out` (allocated when omitted). */
  tanh(input: Float64Array, out: Float64Array = new Float64Array(input.length)): Float64Array {
    return this.map(input, out, false);
  }

  /** {@link fastExp} of every entry, in WebAssembly (bit-identical to it). */
  exp(input: Float64Array, out: Float64Array = new Float64Array(input.length)): Float64Array {
    return this.map(input, out, true);
  }

  private map(input: Float64Array, out: Float64Array, exp: boolean): Float64Array {
    if (!(input instanceof Float64Array)) throw new GhostError("input", input, "a Float64Array");
    if (!(out instanceof Float64Array) || out.length !== input.length) throw new GhostError("out", out, `a Float64Array of length ${input.length}`);
    const len = input.length, pin = this.base, pout = pin + ((len + 1) & ~1);
    this.layout = null;
    this.ensure(pout + len);
    this.f64.set(input, pin);
    (exp ? this.ex.expArray : this.ex.tanhArray)(pin * 8, pout * 8, len);
    out.set(this.f64.subarray(pout, pout + len));
    return out;
  }

  private rankOneLayout(N: number, S: number): RankOneLayout {
    const L = this.layout;
    if (L && L.N === N && L.S === S && L.buffer === this.ex.memory.buffer) return L;
    let at = this.base;
    const take = (len: number) => { const p = at; at += (len + 1) & ~1; return p; }; // keeps 16-byte alignment
    const off = {
      m: take(N), n: take(N), b: take(N), targets: take(S), x: take((S + 1) * N), phi: take(S * N), kap: take(S + 1),
      o: take(S), dz: take(S), gx: take(N), gm: take(N), gn: take(N), gb: take(N),
    };
    this.ensure(at);
    const len = { m: N, n: N, b: N, targets: S, x: (S + 1) * N, phi: S * N, kap: S + 1, o: S, dz: S, gx: N, gm: N, gn: N, gb: N };
    const v = {} as RankOneLayout["v"];
    for (const k of Object.keys(off) as (keyof typeof off)[]) v[k] = this.f64.subarray(off[k], off[k] + len[k]);
    const nl: RankOneLayout = { N, S, ...off, end: at, v, buffer: this.ex.memory.buffer };
    this.layout = nl;
    return nl;
  }

  private loadRankOne(m: Float64Array, n: Float64Array, b: Float64Array, targets: Float64Array, N: number, S: number): RankOneLayout {
    if (m.length !== N || n.length !== N || b.length !== N) throw new GhostError("m/n/b", `${m.length}/${n.length}/${b.length}`, `length N = ${N} each`);
    if (targets.length !== S) throw new GhostError("targets", targets.length, `length S = ${S}`);
    const L = this.rankOneLayout(N, S), v = L.v;
    v.m.set(m); v.n.set(n); v.b.set(b); v.targets.set(targets);
    return L;
  }

  /**
   * One forward + BPTT pass of the rank-one latent RNN in WebAssembly (same contract and arithmetic as
   * {@link rankOneTwinPass}, with which it agrees bit for bit). Writes gm, gn, gb (when withGradient), ws.loss,
   * ws.accuracy, ws.output, ws.kappa and ws.dz; ws.x, ws.phi and ws.gx only when `copyStates` (2·S·N copies).
   * N = ws.size, S = ws.steps. @returns the loss.
   */
  rankOnePass(
    m: Float64Array, n: Float64Array, b: Float64Array,
    leak: number, confidence: number, initialState: number, targets: Float64Array, lossScale: number,
    ws: RankOneBuffers, gm: Float64Array, gn: Float64Array, gb: Float64Array, withGradient = true, copyStates = false,
  ): number {
    const N = ws.size, S = ws.steps;
    const L = this.loadRankOne(m, n, b, targets, N, S);
    const loss = this.ex.rankOnePass(N, S, L.m * 8, L.n * 8, L.b * 8, leak, confidence, initialState, L.targets * 8, lossScale,
      L.x * 8, L.phi * 8, L.kap * 8, L.o * 8, L.dz * 8, L.gx * 8, L.gm * 8, L.gn * 8, L.gb * 8, withGradient ? 1 : 0);
    const v = L.v;
    if (withGradient) { gm.set(v.gm); gn.set(v.gn); gb.set(v.gb); }
    ws.output.set(v.o); ws.dz.set(v.dz); ws.kappa.set(v.kap);
    if (copyStates) { ws.x.set(v.x); ws.phi.set(v.phi); if (withGradient) ws.gx.set(v.gx); }
    ws.loss = loss;
    ws.accuracy = this.ex.accuracy();
    return loss;
  }

  /**
   * Full-batch SGD of one rank-one latent network for `epochs` epochs, entirely in WebAssembly, updating m, n, b
   * IN PLACE: per epoch one {@link rankOnePass}, the gradient norm √(Σ gm² + Σ gn² + Σ gb²) (sequential, as
   * training/trainRnn.ts), then p ← p − learningRate·∇p. Stops (without that epoch's update) at the first epoch
   * whose loss or norm is not finite. Same parameters, losses and norms, bit for bit, as trainRnn with the wasm
   * kernel on an all-trainable model (test/kernels/rankOne.test.ts).
   */
  rankOneTrain(
    m: Float64Array, n: Float64Array, b: Float64Array,
    leak: number, confidence: number, initialState: number, targets: Float64Array, lossScale: number,
    learningRate: number, epochs: number,
  ): RankOneTrainResult {
    const N = m.length, S = targets.length;
    const L = this.loadRankOne(m, n, b, targets, N, S);
    const E = (epochs + 1) & ~1;
    const lossOut = L.end, accOut = lossOut + E, normOut = accOut + E;
    this.ensure(normOut + E);
    const run = this.ex.rankOneTrain(N, S, L.m * 8, L.n * 8, L.b * 8, leak, confidence, initialState, L.targets * 8, lossScale,
      L.x * 8, L.phi * 8, L.kap * 8, L.o * 8, L.dz * 8, L.gx * 8, L.gm * 8, L.gn * 8, L.gb * 8,
      learningRate, epochs, lossOut * 8, accOut * 8, normOut * 8);
    const f = this.f64;
    m.set(L.v.m); n.set(L.v.n); b.set(L.v.b);
    return {
      loss: f.slice(lossOut, lossOut + run), accuracy: f.slice(accOut, accOut + run), gradNorm: f.slice(normOut, normOut + run), epochsRun: run,
    };
  }
}

let compiled: WebAssembly.Module | undefined;
let instance: WasmKernels | undefined;

/**
 * A NEW instance of the WebAssembly kernels (its own memory; the compiled module is shared within the thread).
 * Throws a GhostError when SIMD is missing or the module was not built. Prefer {@link wasmKernels}.
 */
export function createWasmKernels(): WasmKernels {
  if (!simdSupported()) throw new GhostError(KERNEL_ENV, "wasm", `"js"`, "WebAssembly SIMD is not supported here");
  if (compiled === undefined) {
    const fs = require("fs") as typeof import("fs");
    compiled = new WebAssembly.Module(fs.readFileSync(wasmPath()));
  }
  return new WasmKernels(compiled);
}

/** This thread's instance of the WebAssembly kernels (created on first use by {@link createWasmKernels}). */
export function wasmKernels(): WasmKernels {
  if (instance === undefined) instance = createWasmKernels();
  return instance;
}
