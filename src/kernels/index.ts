/**
 * The hot kernels and their loader (design.md "Hot kernels in one place").
 *
 * - WebAssembly SIMD (f64x2) kernels compiled from assembly/rankOne.ts by `npm run build:wasm` (part of
 *   `npm run build`) into dist/kernels/kernels.wasm: the rank-one latent RNN's forward + BPTT pass
 *   ({@link WasmKernels.rankOnePass}) and its fused SGD loop ({@link WasmKernels.rankOneTrain}), plus the
 *   vectorised tanh and exp they use.
 * - The v2 task RNN's forward + BPTT over a batch of trials ({@link WasmKernels.taskPass}, assembly/taskRnn.ts:
 *   low rank any K with a fused rank-2 path, full rank in blocks of 4 trials, tanh/sigmoid readout, mask), with
 *   r_0 and the input noise drawn by a WebAssembly copy of core/rng.ts's generator (assembly/rng.ts, same stream).
 *   Its JS twin is the library's own task kernels (models.taskRnnForwardKernel, training.taskRnnBackwardKernel):
 *   same fastTanh/fastSigmoid and same summation orders, so the two are bit-identical. trainTask uses it in
 *   "wasm" mode (training.taskRnnWasmPass).
 * - The delayed-activation (DA) networks with the linear readout: the full-rank and rank-K forward + BPTT
 *   ({@link WasmKernels.fullRankPass}, {@link WasmKernels.lowRankLinearPass}; assembly/daRnn.ts), bit-identical to
 *   their JS twins fullRankTwinPass / lowRankLinearTwinPass (daTwin.ts), and their fused SGD loop
 *   ({@link WasmKernels.daTrainInto}); trainRnn uses them in "wasm" mode (the fused loop when every group is
 *   trainable, else the pass with the norm and update in JS). GHOST_KERNELS=js keeps training/bptt.ts's Math.tanh kernels.
 * - The rank-one latent flow f(κ) = −κ + Σ_i n_i tanh(m_i κ + b_i) on a whole grid ({@link WasmKernels.rankOneFlowGrid},
 *   assembly/rankOneFlow.ts), whose JS twin is models.rankOneLatentFlow (fastTanh, the trainer's summation order):
 *   the analysis layer's flow grids use it wherever SIMD exists, in every kernel mode (the same bits as the JS loop).
 * - Their JS twins, bit-identical: fastMath.ts (fastTanh, fastExp, fastSigmoid), rankOneTwin.ts and daTwin.ts.
 * - Kernel selection: {@link kernelMode} reads {@link setKernelMode} (this thread) or the environment variable
 *   GHOST_KERNELS = js | wasm | auto. The DEFAULT (unset or "") is "auto": the WebAssembly kernels wherever
 *   WebAssembly SIMD exists (every current Node and browser), else the JS kernels. "js" forces the JS reference
 *   kernels (the DA trainers then use Math.tanh, as releases before the speed issue's third step did, so
 *   those results are reproduced exactly); "wasm" requires the WebAssembly kernels (throws without SIMD).
 *   The rank-one results differ between the modes by tanh's rounding only (fastTanh vs Math.tanh, ≤ 4 ulp), which
 *   the chaotic high-learning-rate runs amplify: see the README's fidelity table.
 *
 * One WebAssembly instance per thread ({@link wasmKernels}: module state is per worker thread). Calls are
 * synchronous and copy their inputs into the instance's memory and their outputs back, so callers keep plain
 * Float64Arrays (the `.data` of ndarray views).
 */
import { GhostError, requireInteger } from "../core/errors";
import { Rng } from "../core/rng";
import { DaBuffers } from "./daTwin";
import { RankOneBuffers } from "./rankOneTwin";

export { FAST_EXP_ULP_BOUND, FAST_TANH_ULP_BOUND, fastExp, fastSigmoid, fastTanh } from "./fastMath";
export { RankOneBuffers, createRankOneBuffers, rankOneTwinPass } from "./rankOneTwin";
export { DaBuffers, createDaBuffers, fullRankTwinPass, lowRankLinearTwinPass } from "./daTwin";

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
 * The kernel mode for a requested value (undefined or "" → "auto", the default). "wasm" without SIMD throws;
 * "auto" → "wasm" when `simd`, else "js". Anything else throws a GhostError naming GHOST_KERNELS.
 */
export function resolveKernelMode(requested: string | undefined, simd: boolean): KernelMode {
  if (requested !== undefined && typeof requested !== "string") throw new GhostError(KERNEL_ENV, requested, `one of ${KERNEL_MODES.join(", ")} (a string)`);
  const r = requested === undefined ? "" : requested.trim().toLowerCase();
  if (r === "js") return "js";
  if (r === "" || r === "auto") return simd ? "wasm" : "js";
  if (r === "wasm") {
    if (!simd) throw new GhostError(KERNEL_ENV, requested, `"js" or "auto" on this runtime`, "WebAssembly SIMD is not supported here");
    return "wasm";
  }
  throw new GhostError(KERNEL_ENV, requested, `one of ${KERNEL_MODES.join(", ")} (default auto)`);
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

/** The kernel mode in effect: {@link setKernelMode}'s value, else GHOST_KERNELS, else "auto" (wasm where SIMD exists). */
export function kernelMode(): KernelMode {
  const requested = modeOverride ?? (typeof process === "object" ? process.env[KERNEL_ENV] : undefined);
  return resolveKernelMode(requested, simdSupported());
}

/**
 * The kernels of the v2 task RNNs (training.trainTask): the same as {@link kernelMode} (kept as its own name for
 * callers of earlier releases, when the rank-one kernels still defaulted to JS). The task RNN's WebAssembly and JS
 * kernels are bit-identical (same fastTanh, same summation orders; test/kernels/taskRnnWasm.test.ts).
 */
export function taskKernelMode(): KernelMode {
  return kernelMode();
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
    learningRate: number, epochs: number, lossOut: number, accOut: number, normOut: number, bound: number,
  ): number;
  trainStatus(): number;
  trainBound(): number;
  daAccuracy(): number;
  daGradBOut(): number;
  daTrainStatus(): number;
  daTrainBound(): number;
  daTrain(
    low: number, N: number, K: number, S: number, W: number, P: number, b: number, wOut: number, bOut: number,
    leak: number, x0: number, targets: number, lossScale: number,
    x: number, phi: number, kap: number, o: number, dz: number, du: number, gx: number, dk: number,
    G: number, gP: number, gb: number, gw: number, gbo: number,
    learningRate: number, epochs: number, lossOut: number, accOut: number, normOut: number, bound: number,
  ): number;
  fullRankPass(
    N: number, S: number, W: number, b: number, wOut: number, bOut: number, leak: number, x0: number, targets: number, lossScale: number,
    x: number, phi: number, o: number, dz: number, du: number, gx: number, gW: number, gb: number, gw: number, withGradient: number,
  ): number;
  lowRankLinearPass(
    N: number, K: number, S: number, MT: number, P: number, b: number, wOut: number, bOut: number, leak: number, x0: number, targets: number, lossScale: number,
    x: number, phi: number, kap: number, o: number, dz: number, du: number, gx: number, dk: number,
    gMT: number, gP: number, gb: number, gw: number, withGradient: number,
  ): number;
  rankOneFlowGrid(N: number, G: number, m: number, n: number, b: number, grid: number, out: number): void;
  slowFlowDrive(N: number, S: number, X: number, WT: number, b: number, U: number): void;
  slowAdamStep(N: number, S: number, X: number, W: number, phi: number, F: number, g: number, T: number, m: number, v: number, scale: number, step: number, sq: number): void;
  rngSetState(a: number, b: number, c: number, d: number, spare: number, hasSpare: number): void;
  rngGetState(i: number): number;
  normalBlocks(p: number, blocks: number, blockLen: number, stride: number): void;
  taskDraws(R: number, B: number, S: number, N: number, xi: number, eta: number): void;
  taskPassRank2(
    N: number, Dout: number, B: number, S: number, alpha: number, rho: number, sigma: number, scale: number, sig: number, hasMask: number,
    withGrad: number, copyStates: number, chunk: number,
    Win: number, bIn: number, Sl: number, Sr: number, SlT: number, SrT: number, Wout: number, bOut: number,
    U: number, Y: number, M: number, R: number, Rc: number, Z: number, Q: number, O: number,
    E: number, GR: number, gWin: number, gbIn: number, gSlT: number, gSr: number, gWout: number, gbOut: number,
  ): number;
  logFdlibm(x: number): number;
  taskForward(
    low: number, N: number, K: number, Din: number, Dout: number, B: number, S: number, alpha: number, rho: number, sigma: number, sig: number, hasMask: number,
    Win: number, bIn: number, Sl: number, Sr: number, W: number, Wout: number, bOut: number, U: number, Y: number, M: number,
    R: number, Z: number, Q: number, O: number, H: number,
  ): number;
  taskBackward(
    low: number, N: number, K: number, Din: number, Dout: number, B: number, S: number, alpha: number, scale: number, sig: number, hasMask: number,
    SlT: number, SrT: number, WT: number, Wout: number, U: number, Y: number, M: number, R: number, Z: number, Q: number, O: number,
    E: number, GQ: number, GR: number, GP: number, gWin: number, gbIn: number, gSlT: number, gSr: number, gW: number, gWout: number, gbOut: number,
  ): void;
}

/**
 * Dimensions and settings of a task-RNN pass ({@link WasmKernels.taskPass}); the model of models/taskRnn.ts
 * (spec B1). lowRank: W_rec = Sl·Sr with K = rank; else a full Wrec (rank = N).
 */
export interface TaskPassShape {
  lowRank: boolean;
  /** N units. */ size: number;
  /** K (low rank; N for full rank). */ rank: number;
  /** Din. */ inputs: number;
  /** Dout. */ outputs: number;
  /** B trials. */ batch: number;
  /** S steps. */ steps: number;
  /** α ∈ (0, 1]. */ leak: number;
  /** ρ ≥ 0: r_0 = tanh(ρ ξ). */ rateSigma: number;
  /** σ_n ≥ 0: input noise. */ noiseSigma: number;
  /** Readout g = σ (true) or tanh (false). */ sigmoid: boolean;
}

/** Parameters (or gradients) of a task RNN as flat row-major arrays: Win [N, Din], bIn [N], Sl [N, K], Sr [K, N] or Wrec [N, N], Wout [Dout, K or N], bOut [Dout]. */
export interface TaskPassParams {
  Win: Float64Array;
  bIn: Float64Array;
  Sl?: Float64Array;
  Sr?: Float64Array;
  Wrec?: Float64Array;
  Wout: Float64Array;
  bOut: Float64Array;
}

/** The task: inputs [B, S, Din], targets [B, S, Dout], mask [B, S, Dout] or null, and the loss denominator D (Σ mask or B·S·Dout). */
export interface TaskPassData {
  inputs: Float64Array;
  targets: Float64Array;
  mask: Float64Array | null;
  lossDenominator: number;
}

/** Where {@link WasmKernels.taskPass} copies its states: outputs ŷ [B, S, Dout] always; the others when not null. */
export interface TaskPassOutput {
  outputs: Float64Array;
  /** r_0…r_S [B, S + 1, N]. */
  rates: Float64Array | null;
  /** z_t = tanh(h_t) [B·S·N] (copied after the forward pass). */
  z: Float64Array | null;
  /** q_t = r_t·Sl [B·S·K] (low rank). */
  latent: Float64Array | null;
}

/** Float64 offsets (in elements) of the rank-one buffers for one (N, S), and views on them. */
interface RankOneLayout {
  kind: "rankOne";
  N: number; S: number;
  m: number; n: number; b: number; targets: number; x: number; phi: number; kap: number; o: number; dz: number;
  gx: number; gm: number; gn: number; gb: number; lossOut: number; accOut: number; normOut: number; end: number;
  /** Capacity of the per-epoch record arrays lossOut, accOut, normOut (epochs). */
  records: number;
  /** Views on the arrays above (made once per layout and memory buffer: no allocation per call). */
  v: Record<"m" | "n" | "b" | "targets" | "x" | "phi" | "kap" | "o" | "dz" | "gx" | "gm" | "gn" | "gb" | "lossOut" | "accOut" | "normOut", Float64Array>;
  buffer: ArrayBuffer;
}

/** Arrays of the DA full-rank / rank-K kernels (float64 offsets). */
type DaArray = "W" | "b" | "wOut" | "bOut" | "targets" | "x" | "phi" | "kap" | "o" | "dz" | "du" | "gx" | "dk" | "gW" | "gb" | "gw" | "gbo" | "lossOut" | "accOut" | "normOut";

/**
 * Float64 offsets of the DA kernels' arrays for one (kind, N, K, S) and views on them (made once per layout and
 * memory buffer). Full rank: W, gW [N·N]; rank K: W holds Mᵀ [K·N] and P follows it, gW holds ∂Mᵀ and gP follows.
 * du [S·N] and dk [S·K] keep ∂loss/∂u_t and ∂loss/∂κ_t of every step (the gradient matrices are summed at the end).
 */
interface DaLayout {
  kind: "fullRank" | "lowRank";
  N: number; K: number; S: number;
  /** Capacity of the per-epoch record arrays lossOut, accOut, normOut (epochs of {@link WasmKernels.daTrainInto}). */
  records: number;
  off: Record<DaArray | "P" | "gP", number>;
  v: Record<DaArray | "P" | "gP", Float64Array>;
  buffer: ArrayBuffer;
}

/** Result of {@link WasmKernels.rankOneTrain}: per-epoch records, length epochsRun. */
export interface RankOneTrainResult {
  loss: Float64Array;
  accuracy: Float64Array;
  gradNorm: Float64Array;
  epochsRun: number;
  /** How the run ended (see {@link RankOneChunk.status}). */
  status: RankOneChunk["status"];
}

/** What {@link WasmKernels.rankOneTrainInto} did. */
export interface RankOneChunk {
  /** Epochs whose record was written (the last one WITHOUT its update unless status is "done"). */
  epochsRun: number;
  /**
   * "done": every requested epoch ran and was applied; "nonFinite": the last recorded epoch's loss or gradient norm
   * is NaN/±Inf (not applied); "guard": bound + learningRate·norm ≤ 1e300 failed at the last recorded epoch (not
   * applied; its gradient was copied to `grads` so the caller can test the update entry by entry).
   */
  status: "done" | "nonFinite" | "guard";
  /** max |p| over m, n, b after the last applied update (the input bound when none was applied). */
  bound: number;
}

/**
 * The end of a pass method: copies its per-step results from linear memory into `ws` — outputs and dz, κ when
 * `withKappa`, and x, φ (and gx after a gradient pass) when `copyStates` — sets ws.loss and ws.accuracy, returns the loss.
 */
function passOut(
  ws: RankOneBuffers | DaBuffers, v: Record<"o" | "dz" | "kap" | "x" | "phi" | "gx", Float64Array>, withKappa: boolean,
  loss: number, accuracy: number, withGradient: boolean, copyStates: boolean,
): number {
  ws.output.set(v.o); ws.dz.set(v.dz);
  if (withKappa) ws.kappa.set(v.kap);
  if (copyStates) { ws.x.set(v.x); ws.phi.set(v.phi); if (withGradient) ws.gx.set(v.gx); }
  ws.loss = loss;
  ws.accuracy = accuracy;
  return loss;
}

/**
 * One instance of the compiled kernels (get it from {@link wasmKernels}: one per thread). Every method copies its
 * inputs into linear memory, runs, and copies its outputs back; nothing is retained between calls.
 */
export class WasmKernels {
  private readonly ex: KernelExports;
  private f64: Float64Array;
  private readonly base: number; // first free float64 index, 16-byte aligned
  /** The cached layout of the last rank-one or DA call (null after any other method wrote above the heap base). */
  private layout: RankOneLayout | DaLayout | null = null;
  private normalsOk: boolean | undefined;

  constructor(module: WebAssembly.Module) {
    if (!(module instanceof WebAssembly.Module)) throw new GhostError("module", module, "a compiled WebAssembly.Module (use wasmKernels())");
    const instance = new WebAssembly.Instance(module, {
      env: { abort: () => { throw new Error("kernels.wasm aborted"); } },
    });
    this.ex = instance.exports as unknown as KernelExports;
    this.base = ((this.ex.heapBase() + 15) & ~15) / 8;
    this.f64 = new Float64Array(this.ex.memory.buffer);
  }

  /**
   * A bump allocator over linear memory above the heap base: take(len) returns the float64 offset of the next array
   * of `len` entries, each 16-byte aligned; end() is the first offset past them (pass it to ensure BEFORE making views).
   */
  private arena(): { take: (len: number) => number; end: () => number } {
    let at = this.base;
    return { take: (len: number) => { const p = at; at += (len + 1) & ~1; return p; }, end: () => at };
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

  /**
   * The rank-one latent flow on a grid, in WebAssembly SIMD (assembly/rankOneFlow.ts):
   * out[j] = −κ_j + Σ_i n_i tanh(m_i κ_j + b_i), F summed as (Σ_{i even} + Σ_{i odd}) + odd tail with the
   * deterministic tanh, bit-identical to models.rankOneLatentFlow at every κ_j (its JS twin). m, n, b: Float64Arrays
   * of one length N ≥ 1; grid: G numbers (any array-like); out: a Float64Array of length G (allocated when omitted).
   * Lengths are validated (O(1)); the values are not (NaN in, NaN out). Returns `out`.
   */
  rankOneFlowGrid(m: Float64Array, n: Float64Array, b: Float64Array, grid: ArrayLike<number>, out?: Float64Array): Float64Array {
    for (const [k, a] of [["m", m], ["n", n], ["b", b]] as const) {
      if (!(a instanceof Float64Array)) throw new GhostError(k, a, "a Float64Array");
    }
    const N = m.length;
    if (N < 1 || n.length !== N || b.length !== N) throw new GhostError("m/n/b", `${m.length}/${n.length}/${b.length}`, "one length N ≥ 1 each");
    if (grid === null || typeof grid !== "object" || typeof grid.length !== "number") throw new GhostError("grid", grid, "an array of κ values");
    const G = grid.length;
    const res = out ?? new Float64Array(G);
    if (!(res instanceof Float64Array) || res.length !== G) throw new GhostError("out", res, `a Float64Array of length ${G} (the grid's length)`);
    // Layout above the heap base (each array 16-byte aligned); grow memory BEFORE taking the view.
    const { take, end } = this.arena();
    const pm = take(N), pn = take(N), pb = take(N), pg = take(G), po = take(G);
    this.layout = null;
    this.ensure(end());
    const f = this.f64;
    f.set(m, pm); f.set(n, pn); f.set(b, pb);
    if (grid instanceof Float64Array || Array.isArray(grid)) f.set(grid as ArrayLike<number>, pg);
    else for (let j = 0; j < G; j++) f[pg + j] = grid[j];
    this.ex.rankOneFlowGrid(N, G, pm * 8, pn * 8, pb * 8, pg * 8, po * 8);
    res.set(f.subarray(po, po + G));
    return res;
  }

  /**
   * The Adam phase of the slow-point search of a full-rank task RNN (analysis/slowPoints.ts findSlowPoints, its JS
   * twin) in WebAssembly SIMD (assembly/slowPoints.ts), bit for bit: `iterations` steps of PyTorch's Adam
   * (β = (0.9, 0.999), ε = 1e-8, learning rate `learningRate`) on mean_s ‖F(x_s)‖², F(x) = −x + tanh(x·W + b), with
   * the JS search's dot-product order, and tanh = Math.tanh (evaluated here in JS between the two kernel calls of an
   * iteration, as the JS search does). The S starts are the rows of X [S·N], updated IN PLACE. W [N·N] row-major
   * (drive_j = Σ_i x_i W[i, j]), b [N]. Lengths are validated (O(1)); the values are not.
   */
  slowPointAdam(W: Float64Array, b: Float64Array, X: Float64Array, N: number, iterations: number, learningRate: number): void {
    requireInteger("N", N, 1, 4096);
    requireInteger("iterations", iterations, 0, 1_000_000);
    if (!(W instanceof Float64Array) || W.length !== N * N) throw new GhostError("W", W, `a Float64Array of length N·N = ${N * N}`);
    if (!(b instanceof Float64Array) || b.length !== N) throw new GhostError("b", b, `a Float64Array of length N = ${N}`);
    if (!(X instanceof Float64Array) || X.length === 0 || X.length % N !== 0) throw new GhostError("X", X, `a non-empty Float64Array of S·N entries (N = ${N})`);
    const S = X.length / N, SN = X.length;
    const { take, end } = this.arena();
    const pW = take(N * N), pWT = take(N * N), pb = take(N), pX = take(SN), pU = take(SN), pPhi = take(SN), pF = take(SN);
    const pg = take(SN), pT = take(SN), pm = take(SN), pv = take(SN);
    this.layout = null;
    this.ensure(end());
    const f = this.f64;
    f.set(W, pW); f.set(b, pb); f.set(X, pX);
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) f[pWT + j * N + i] = W[i * N + j];
    f.fill(0, pm, pm + SN); f.fill(0, pv, pv + SN);
    const ex = this.ex, scale = 2 / S, beta1 = 0.9, beta2 = 0.999;
    for (let t = 1; t <= iterations; t++) {
      ex.slowFlowDrive(N, S, pX * 8, pWT * 8, pb * 8, pU * 8);
      for (let k = 0; k < SN; k++) f[pPhi + k] = Math.tanh(f[pU + k]);
      // the JS search's bias corrections, computed here in JS (the same ** and Math.sqrt)
      const bc1 = 1 - beta1 ** t, bc2 = 1 - beta2 ** t;
      ex.slowAdamStep(N, S, pX * 8, pW * 8, pPhi * 8, pF * 8, pg * 8, pT * 8, pm * 8, pv * 8, scale, learningRate / bc1, Math.sqrt(bc2));
    }
    X.set(f.subarray(pX, pX + SN));
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

  /**
   * The rank-one arrays in linear memory for (N, S) with room for `records` per-epoch records (reused while N and S
   * match, the capacity suffices and memory has not grown). Grows memory BEFORE making the views, so no view ever
   * points into a detached buffer.
   */
  private rankOneLayout(N: number, S: number, records = 0): RankOneLayout {
    const L = this.layout !== null && this.layout.kind === "rankOne" ? this.layout : null;
    if (L && L.N === N && L.S === S && L.records >= records && L.buffer === this.ex.memory.buffer) return L;
    const R = Math.max(records, L && L.N === N && L.S === S ? L.records : 0, 64);
    const { take, end } = this.arena();
    const off = {
      m: take(N), n: take(N), b: take(N), targets: take(S), x: take((S + 1) * N), phi: take(S * N), kap: take(S + 1),
      o: take(S), dz: take(S), gx: take(N), gm: take(N), gn: take(N), gb: take(N), lossOut: take(R), accOut: take(R), normOut: take(R),
    };
    this.ensure(end());
    const len = { m: N, n: N, b: N, targets: S, x: (S + 1) * N, phi: S * N, kap: S + 1, o: S, dz: S, gx: N, gm: N, gn: N, gb: N, lossOut: R, accOut: R, normOut: R };
    const v = {} as RankOneLayout["v"];
    for (const k of Object.keys(off) as (keyof typeof off)[]) v[k] = this.f64.subarray(off[k], off[k] + len[k]);
    const nl: RankOneLayout = { kind: "rankOne", N, S, ...off, records: R, end: end(), v, buffer: this.ex.memory.buffer };
    this.layout = nl;
    return nl;
  }

  private loadRankOne(m: Float64Array, n: Float64Array, b: Float64Array, targets: Float64Array, N: number, S: number, records = 0): RankOneLayout {
    if (m.length !== N || n.length !== N || b.length !== N) throw new GhostError("m/n/b", `${m.length}/${n.length}/${b.length}`, `length N = ${N} each`);
    if (targets.length !== S) throw new GhostError("targets", targets.length, `length S = ${S}`);
    const L = this.rankOneLayout(N, S, records), v = L.v;
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
    return passOut(ws, v, true, loss, this.ex.accuracy(), withGradient, copyStates);
  }

  /**
   * Full-batch SGD of one rank-one latent network for `epochs` epochs, entirely in WebAssembly, updating m, n, b
   * IN PLACE: per epoch one {@link rankOnePass}, the gradient norm √(Σ gm² + Σ gn² + Σ gb²) (sequential, as
   * training/trainRnn.ts), then p ← p − learningRate·∇p. Stops (without that epoch's update) at the first epoch
   * whose loss or norm is not finite, or whose update might overflow (trainRnn's guard). Same parameters, losses
   * and norms, bit for bit, as trainRnn with the wasm kernel on an all-trainable model (test/kernels/rankOne.test.ts).
   */
  rankOneTrain(
    m: Float64Array, n: Float64Array, b: Float64Array,
    leak: number, confidence: number, initialState: number, targets: Float64Array, lossScale: number,
    learningRate: number, epochs: number,
  ): RankOneTrainResult {
    requireInteger("epochs", epochs, 0, 1e8);
    const loss = new Float64Array(epochs), accuracy = new Float64Array(epochs), gradNorm = new Float64Array(epochs);
    let bound = 0;
    for (const p of [m, n, b]) for (let i = 0; i < p.length; i++) bound = Math.max(bound, Math.abs(p[i]));
    let done = 0, status: RankOneChunk["status"] = "done";
    while (done < epochs && status === "done") {
      const r = this.rankOneTrainInto(m, n, b, leak, confidence, initialState, targets, lossScale, learningRate, Math.min(epochs - done, 65536), bound, loss, accuracy, gradNorm, done);
      done += r.epochsRun; status = r.status; bound = r.bound;
    }
    return { loss: loss.slice(0, done), accuracy: accuracy.slice(0, done), gradNorm: gradNorm.slice(0, done), epochsRun: done, status };
  }

  /**
   * The fused SGD loop of {@link rankOneTrain} for at most `epochs` epochs, writing the per-epoch records into
   * loss, accuracy and gradNorm from index `offset` (no allocation: trainRnn's chunks between snapshot, progress and
   * hook epochs). `bound` is max |p| over m, n, b now (trainRnn's paramBound). m, n, b are updated in place with
   * every applied update. When the run stops at the overflow guard, that epoch's gradients are copied into
   * `grads` (when given). Lengths are validated (O(1)); the values are not.
   */
  rankOneTrainInto(
    m: Float64Array, n: Float64Array, b: Float64Array,
    leak: number, confidence: number, initialState: number, targets: Float64Array, lossScale: number,
    learningRate: number, epochs: number, bound: number,
    loss: Float64Array, accuracy: Float64Array, gradNorm: Float64Array, offset: number,
    grads?: { gm: Float64Array; gn: Float64Array; gb: Float64Array },
  ): RankOneChunk {
    const N = m.length, S = targets.length;
    requireInteger("epochs", epochs, 0, 1e8);
    requireInteger("offset", offset, 0);
    for (const [k, a] of [["loss", loss], ["accuracy", accuracy], ["gradNorm", gradNorm]] as const) {
      if (!(a instanceof Float64Array) || a.length < offset + epochs) throw new GhostError(k, a instanceof Float64Array ? a.length : a, `a Float64Array of length ≥ offset + epochs = ${offset + epochs}`);
    }
    const L = this.loadRankOne(m, n, b, targets, N, S, epochs);
    const run = this.ex.rankOneTrain(N, S, L.m * 8, L.n * 8, L.b * 8, leak, confidence, initialState, L.targets * 8, lossScale,
      L.x * 8, L.phi * 8, L.kap * 8, L.o * 8, L.dz * 8, L.gx * 8, L.gm * 8, L.gn * 8, L.gb * 8,
      learningRate, epochs, L.lossOut * 8, L.accOut * 8, L.normOut * 8, bound);
    const v = L.v, code = this.ex.trainStatus();
    m.set(v.m); n.set(v.n); b.set(v.b);
    loss.set(v.lossOut.subarray(0, run), offset);
    accuracy.set(v.accOut.subarray(0, run), offset);
    gradNorm.set(v.normOut.subarray(0, run), offset);
    const status = code === 0 ? "done" : code === 1 ? "nonFinite" : "guard";
    if (status === "guard" && grads) { grads.gm.set(v.gm); grads.gn.set(v.gn); grads.gb.set(v.gb); }
    const applied = status === "done" ? run : run - 1;
    return { epochsRun: run, status, bound: applied > 0 ? this.ex.trainBound() : bound };
  }

  /**
   * The DA kernels' arrays in linear memory for (kind, N, K, S), reused while they match and memory has not grown
   * (no allocation per call). Grows memory BEFORE making the views, so no view points into a detached buffer.
   */
  private daLayout(kind: "fullRank" | "lowRank", N: number, K: number, S: number, records = 0): DaLayout {
    const L0 = this.layout, L = L0 !== null && L0.kind !== "rankOne" && L0.kind === kind && L0.N === N && L0.K === K && L0.S === S ? L0 : null;
    if (L && L.records >= records && L.buffer === this.ex.memory.buffer) return L;
    const R = Math.max(records, L ? L.records : 0, 64);
    const low = kind === "lowRank", mat = low ? K * N : N * N;
    const len: Record<DaArray | "P" | "gP", number> = {
      W: mat, P: low ? K * N : 0, b: N, wOut: N, bOut: 1, targets: S, x: (S + 1) * N, phi: S * N, kap: low ? (S + 1) * K : 0, o: S, dz: S,
      du: S * N, gx: N, dk: S * Math.max(K, 1), gW: mat, gP: low ? K * N : 0, gb: N, gw: N, gbo: 1, lossOut: R, accOut: R, normOut: R,
    };
    const { take, end } = this.arena();
    const off = {} as DaLayout["off"], v = {} as DaLayout["v"];
    const keys = Object.keys(len) as (keyof typeof len)[];
    for (const k of keys) off[k] = take(len[k]);
    this.ensure(end());
    for (const k of keys) v[k] = this.f64.subarray(off[k], off[k] + len[k]);
    const nl: DaLayout = { kind, N, K, S, records: R, off, v, buffer: this.ex.memory.buffer };
    this.layout = nl;
    return nl;
  }

  /**
   * One forward + BPTT pass of the full-rank DA network (training/bptt.ts fullRankKernel's model: u_j = b_j +
   * Σ_i x_i W[i,j], x_{t+1} = (1 − α)x_t + α tanh(u), o_{t+1} = σ(wOut·x_{t+1} + bOut), loss Σ(o − y)²/lossScale)
   * in WebAssembly SIMD (assembly/daRnn.ts), bit-identical to its JS twin {@link fullRankTwinPass} (fastTanh,
   * fastSigmoid, lane-split reductions). W, gW [N·N] row-major; b, wOut, gb, gw [N]; bOut, gbOut [1]; targets [S]
   * (N = ws.size, S = ws.steps). Writes the gradients (when withGradient), ws.output, ws.dz, ws.loss, ws.accuracy;
   * ws.x, ws.phi and ws.gx only when `copyStates`. Lengths are validated (O(1)); the values are not. @returns the loss.
   */
  fullRankPass(
    W: Float64Array, b: Float64Array, wOut: Float64Array, bOut: Float64Array,
    leak: number, initialState: number, targets: Float64Array, lossScale: number, ws: DaBuffers,
    gW: Float64Array, gb: Float64Array, gw: Float64Array, gbOut: Float64Array, withGradient = true, copyStates = false,
  ): number {
    const { N, S } = daShape(ws, false);
    needF64("W", W, N * N); needF64("b", b, N); needF64("wOut", wOut, N); needF64("bOut", bOut, 1); needF64("targets", targets, S);
    if (withGradient) { needF64("gW", gW, N * N); needF64("gb", gb, N); needF64("gw", gw, N); needF64("gbOut", gbOut, 1); }
    const L = this.daLayout("fullRank", N, 0, S), v = L.v, o = L.off;
    v.W.set(W); v.b.set(b); v.wOut.set(wOut); v.targets.set(targets);
    const loss = this.ex.fullRankPass(N, S, o.W * 8, o.b * 8, o.wOut * 8, bOut[0], leak, initialState, o.targets * 8, lossScale,
      o.x * 8, o.phi * 8, o.o * 8, o.dz * 8, o.du * 8, o.gx * 8, o.gW * 8, o.gb * 8, o.gw * 8, withGradient ? 1 : 0);
    if (withGradient) { gW.set(v.gW); gb.set(v.gb); gw.set(v.gw); gbOut[0] = this.ex.daGradBOut(); }
    return passOut(ws, v, false, loss, this.ex.daAccuracy(), withGradient, copyStates);
  }

  /**
   * One forward + BPTT pass of the rank-K DA network with the LINEAR readout (training/bptt.ts lowRankKernel's model:
   * κ_t = P x_t, x_{t+1} = (1 − α)x_t + α tanh(M κ_t + b), o_{t+1} = σ(wOut·x_{t+1} + bOut)) in WebAssembly SIMD
   * (assembly/daRnn.ts; M is copied transposed so the lanes run over units), bit-identical to its JS twin
   * {@link lowRankLinearTwinPass}. M, gM [N·K] row-major; P, gP [K·N]; b, wOut, gb, gw [N]; bOut, gbOut [1];
   * targets [S] (N = ws.size, K = ws.rank ≥ 1, S = ws.steps). Writes the gradients (when withGradient), ws.output,
   * ws.dz, ws.kappa, ws.loss, ws.accuracy; ws.x, ws.phi and ws.gx only when `copyStates`. Lengths are validated
   * (O(1)); the values are not. @returns the loss.
   */
  lowRankLinearPass(
    M: Float64Array, P: Float64Array, b: Float64Array, wOut: Float64Array, bOut: Float64Array,
    leak: number, initialState: number, targets: Float64Array, lossScale: number, ws: DaBuffers,
    gM: Float64Array, gP: Float64Array, gb: Float64Array, gw: Float64Array, gbOut: Float64Array, withGradient = true, copyStates = false,
  ): number {
    const { N, K, S } = daShape(ws, true);
    needF64("M", M, N * K); needF64("P", P, K * N); needF64("b", b, N); needF64("wOut", wOut, N); needF64("bOut", bOut, 1); needF64("targets", targets, S);
    if (withGradient) { needF64("gM", gM, N * K); needF64("gP", gP, K * N); needF64("gb", gb, N); needF64("gw", gw, N); needF64("gbOut", gbOut, 1); }
    const L = this.daLayout("lowRank", N, K, S), v = L.v, o = L.off;
    const MT = v.W;
    for (let i = 0; i < N; i++) for (let q = 0, r = i * K; q < K; q++) MT[q * N + i] = M[r + q];
    v.P.set(P); v.b.set(b); v.wOut.set(wOut); v.targets.set(targets);
    const loss = this.ex.lowRankLinearPass(N, K, S, o.W * 8, o.P * 8, o.b * 8, o.wOut * 8, bOut[0], leak, initialState, o.targets * 8, lossScale,
      o.x * 8, o.phi * 8, o.kap * 8, o.o * 8, o.dz * 8, o.du * 8, o.gx * 8, o.dk * 8, o.gW * 8, o.gP * 8, o.gb * 8, o.gw * 8, withGradient ? 1 : 0);
    if (withGradient) {
      const gMT = v.gW;
      for (let i = 0; i < N; i++) for (let q = 0, r = i * K; q < K; q++) gM[r + q] = gMT[q * N + i];
      gP.set(v.gP); gb.set(v.gb); gw.set(v.gw); gbOut[0] = this.ex.daGradBOut();
    }
    return passOut(ws, v, true, loss, this.ex.daAccuracy(), withGradient, copyStates);
  }

  /**
   * The fused SGD loop of a full-rank or rank-K linear-readout DA network (assembly/daRnn.ts daTrain), every group
   * trainable: at most `epochs` epochs of pass ({@link fullRankPass} / {@link lowRankLinearPass}), global gradient
   * norm (sequential, group order of models.parameterGroups) and p ← p − learningRate·g, with trainRnn's checks
   * (a non-finite loss or norm, the overflow guard bound + learningRate·norm ≤ 1e300) — the same operations as
   * trainRnn's per-epoch loop on the pass, bit for bit. `params` and `grads` hold the `.data` of the groups, keyed by
   * group name (W, b, wOut, bOut or M, P, b, wOut, bOut); the parameters are updated IN PLACE by every applied
   * update; when the run stops at the guard, that epoch's gradients are copied into `grads`. Records from index
   * `offset` of loss, accuracy, gradNorm. `bound` is max |p| now. Lengths are validated (O(1)); the values are not.
   */
  daTrainInto(
    params: Record<string, Float64Array>, grads: Record<string, Float64Array>,
    leak: number, initialState: number, targets: Float64Array, lossScale: number, ws: DaBuffers,
    learningRate: number, epochs: number, bound: number,
    loss: Float64Array, accuracy: Float64Array, gradNorm: Float64Array, offset: number,
  ): RankOneChunk {
    if (params === null || typeof params !== "object") throw new GhostError("params", params, "the parameter arrays by group name");
    if (grads === null || typeof grads !== "object") throw new GhostError("grads", grads, "the gradient arrays by group name");
    const low = ws !== null && typeof ws === "object" && ws.rank > 0;
    const { N, K, S } = daShape(ws, low);
    requireInteger("epochs", epochs, 0, 1e8);
    requireInteger("offset", offset, 0);
    for (const [k, a] of [["loss", loss], ["accuracy", accuracy], ["gradNorm", gradNorm]] as const) {
      if (!(a instanceof Float64Array) || a.length < offset + epochs) throw new GhostError(k, a instanceof Float64Array ? a.length : a, `a Float64Array of length ≥ offset + epochs = ${offset + epochs}`);
    }
    const mat = low ? "M" : "W";
    needF64(`params.${mat}`, params[mat], low ? N * K : N * N);
    if (low) needF64("params.P", params.P, K * N);
    needF64("params.b", params.b, N); needF64("params.wOut", params.wOut, N); needF64("params.bOut", params.bOut, 1);
    needF64(`grads.${mat}`, grads[mat], low ? N * K : N * N);
    if (low) needF64("grads.P", grads.P, K * N);
    needF64("grads.b", grads.b, N); needF64("grads.wOut", grads.wOut, N); needF64("grads.bOut", grads.bOut, 1);
    needF64("targets", targets, S);
    const L = this.daLayout(low ? "lowRank" : "fullRank", N, K, S, epochs), v = L.v, o = L.off;
    if (low) {
      const M = params.M, MT = v.W;
      for (let i = 0; i < N; i++) for (let q = 0, r = i * K; q < K; q++) MT[q * N + i] = M[r + q];
      v.P.set(params.P);
    } else v.W.set(params.W);
    v.b.set(params.b); v.wOut.set(params.wOut); v.bOut.set(params.bOut); v.targets.set(targets);
    const run = this.ex.daTrain(low ? 1 : 0, N, K, S, o.W * 8, o.P * 8, o.b * 8, o.wOut * 8, o.bOut * 8, leak, initialState, o.targets * 8, lossScale,
      o.x * 8, o.phi * 8, o.kap * 8, o.o * 8, o.dz * 8, o.du * 8, o.gx * 8, o.dk * 8, o.gW * 8, o.gP * 8, o.gb * 8, o.gw * 8, o.gbo * 8,
      learningRate, epochs, o.lossOut * 8, o.accOut * 8, o.normOut * 8, bound);
    if (low) {
      const M = params.M, MT = v.W;
      for (let i = 0; i < N; i++) for (let q = 0, r = i * K; q < K; q++) M[r + q] = MT[q * N + i];
      params.P.set(v.P);
    } else params.W.set(v.W);
    params.b.set(v.b); params.wOut.set(v.wOut); params.bOut.set(v.bOut);
    loss.set(v.lossOut.subarray(0, run), offset);
    accuracy.set(v.accOut.subarray(0, run), offset);
    gradNorm.set(v.normOut.subarray(0, run), offset);
    const code = this.ex.daTrainStatus();
    const status = code === 0 ? "done" : code === 1 ? "nonFinite" : "guard";
    if (status === "guard") {
      if (low) { const gM = grads.M, gMT = v.gW; for (let i = 0; i < N; i++) for (let q = 0, r = i * K; q < K; q++) gM[r + q] = gMT[q * N + i]; grads.P.set(v.gP); }
      else grads.W.set(v.gW);
      grads.b.set(v.gb); grads.wOut.set(v.gw); grads.bOut.set(v.gbo);
    }
    const applied = status === "done" ? run : run - 1;
    return { epochsRun: run, status, bound: applied > 0 ? this.ex.daTrainBound() : bound };
  }

  /**
   * True when this instance's WebAssembly copy of the Rng (assembly/rng.ts: xoshiro128**, polar Box–Muller with
   * fdlibm's ln) reproduces this runtime's Rng.normal bit for bit (checked once: 4,096 normals across a spare
   * boundary and ln at 1,000 points, against Math.log). V8's Math.log is fdlibm's, so this holds in Node; where it
   * does not, the task pass draws in JS (same stream, slower).
   */
  wasmNormalsMatch(): boolean {
    if (this.normalsOk === undefined) {
      const ref = new Rng(20261125), probe = new Rng(20261125);
      ref.normal(); probe.normal(); // start with a spare
      const st = probe.getState(), n = 4096;
      this.ensure(this.base + n);
      this.ex.rngSetState(st.s[0], st.s[1], st.s[2], st.s[3], st.spare ?? 0, st.spare === null ? 0 : 1);
      this.ex.normalBlocks(this.base * 8, 1, n, 0);
      this.layout = null;
      let ok = true;
      for (let i = 0; i < n && ok; i++) ok = Object.is(this.f64[this.base + i], ref.normal());
      const u = new Rng(7);
      for (let i = 0; i < 1000 && ok; i++) { const x = i < 500 ? u.uniform() : Math.exp(700 * (u.uniform() - 0.5)); ok = Object.is(this.ex.logFdlibm(x), Math.log(x)); }
      this.normalsOk = ok;
    }
    return this.normalsOk;
  }

  /**
   * One forward (+ BPTT when `grads` is given) pass of the task RNN over a batch of trials, in WebAssembly SIMD
   * (assembly/taskRnn.ts), bit-identical to the JS kernels taskRnnForwardKernel + taskRnnBackwardKernel
   * (models/taskRnn.ts, training/taskBptt.ts; test/kernels/taskRnnWasm.test.ts). The draws come from `rng` in the
   * JS kernel's order (PyTorch's: N normals of ξ for each trial when ρ > 0, then at each step N normals of η for each trial when σ_n > 0), so the random
   * stream is the same in both modes; `rng` may be null only when ρ = σ_n = 0. Writes `out` (see
   * {@link TaskPassOutput}) and, when not null, every group of `grads` (overwritten). Lengths are validated
   * (O(1) per call); the values are not. @returns the loss Σ m (ŷ − y)² / D.
   */
  taskPass(shape: TaskPassShape, params: TaskPassParams, data: TaskPassData, rng: Rng | null, grads: TaskPassParams | null, out: TaskPassOutput): number {
    const sh = shape;
    if (sh === null || typeof sh !== "object") throw new GhostError("shape", sh, "a TaskPassShape");
    const low = sh.lowRank === true, N = sh.size, K = low ? sh.rank : sh.size, Din = sh.inputs, Dout = sh.outputs, B = sh.batch, S = sh.steps;
    for (const [k, v, hi] of [["size", N, 4096], ["rank", K, 4096], ["inputs", Din, 1024], ["outputs", Dout, 1024], ["batch", B, 1e8], ["steps", S, 1e8]] as const) {
      if (!Number.isInteger(v) || v < 1 || v > hi) throw new GhostError(`shape.${k}`, v, `an integer in [1, ${hi}]`);
    }
    if (K > N) throw new GhostError("shape.rank", K, `an integer in [1, N = ${N}]`);
    if (B * (S + 1) * N > 1e8) throw new GhostError("shape", `${B}x${S}x${N}`, "B·(S + 1)·N ≤ 1e8");
    const alpha = sh.leak, rho = sh.rateSigma, sigma = sh.noiseSigma;
    if (!(alpha > 0 && alpha <= 1)) throw new GhostError("shape.leak", alpha, "a number in (0, 1]");
    if (!(rho >= 0 && rho < Infinity)) throw new GhostError("shape.rateSigma", rho, "a finite number ≥ 0");
    if (!(sigma >= 0 && sigma < Infinity)) throw new GhostError("shape.noiseSigma", sigma, "a finite number ≥ 0");
    if ((rho > 0 || sigma > 0) && !(rng instanceof Rng)) throw new GhostError("rng", rng, "an Rng (the model draws r_0 or noise)");
    const need = (name: string, a: unknown, len: number): Float64Array => {
      if (!(a instanceof Float64Array) || a.length !== len) throw new GhostError(name, a, `a Float64Array of length ${len}`);
      return a;
    };
    const rw = low ? K : N;
    const groups: [keyof TaskPassParams, number][] = low
      ? [["Win", N * Din], ["bIn", N], ["Sl", N * K], ["Sr", K * N], ["Wout", Dout * K], ["bOut", Dout]]
      : [["Win", N * Din], ["bIn", N], ["Wrec", N * N], ["Wout", Dout * N], ["bOut", Dout]];
    if (params === null || typeof params !== "object") throw new GhostError("params", params, "task RNN parameters");
    for (const [g, len] of groups) need(`params.${g}`, params[g], len);
    if (grads !== null) {
      if (typeof grads !== "object") throw new GhostError("grads", grads, "gradient arrays with the parameter lengths, or null");
      for (const [g, len] of groups) need(`grads.${g}`, grads[g], len);
    }
    if (data === null || typeof data !== "object") throw new GhostError("data", data, "a TaskPassData");
    need("data.inputs", data.inputs, B * S * Din);
    need("data.targets", data.targets, B * S * Dout);
    if (data.mask !== null) need("data.mask", data.mask, B * S * Dout);
    if (!(data.lossDenominator > 0 && data.lossDenominator < Infinity)) throw new GhostError("data.lossDenominator", data.lossDenominator, "a finite number > 0");
    if (out === null || typeof out !== "object") throw new GhostError("out", out, "a TaskPassOutput");
    need("out.outputs", out.outputs, B * S * Dout);
    if (out.rates !== null) need("out.rates", out.rates, B * (S + 1) * N);
    if (out.z !== null) need("out.z", out.z, B * S * N);
    if (out.latent !== null) need("out.latent", out.latent, low ? B * S * K : 0);

    const wasmDraws = (rho > 0 || sigma > 0) && this.wasmNormalsMatch(); // (its one-time check uses the memory below)
    // Layout (float64 indices, each array 16-byte aligned) above the heap base; the rank-one layout is invalidated.
    const { take, end } = this.arena();
    const pWin = take(N * Din), pbIn = take(N), pSl = take(low ? N * K : 0), pSlT = take(low ? K * N : 0), pSr = take(low ? K * N : 0), pSrT = take(low ? N * K : 0);
    const pW = take(low ? 0 : N * N), pWT = take(low || grads === null ? 0 : N * N), pWout = take(Dout * rw), pbOut = take(Dout);
    const pU = take(B * S * Din), pY = take(B * S * Dout), pM = take(data.mask === null ? 0 : B * S * Dout);
    // Rank 2 with one input (v2 Fig 4): the fused kernel taskPassRank2, forward then backward in chunks of trials
    // whose rates and z fit in ~256 KB (cache), so z is only a chunk buffer and the rates too unless copied out.
    const rank2 = low && K === 2 && Din === 1 && out.z === null;
    const chunk = rank2 ? Math.max(1, Math.min(B, Math.floor(262144 / ((2 * S + 1) * N * 8)))) : B;
    const pRc = take(rank2 ? chunk * (S + 1) * N : 0);
    const pR = take(B * (S + 1) * N), pZ = take(chunk * S * N), pQ = take(low ? B * S * K : 0), pO = take(B * S * Dout), pH = take(N);
    const pE = take(4 * Dout), pGQ = take(K), pGR = take(low ? N : B * N), pGP = take(8 * N);
    const gWin = take(N * Din), gbIn = take(N), gSlT = take(low ? K * N : 0), gSr = take(low ? K * N : 0), gW = take(low ? 0 : N * N), gWout = take(Dout * rw), gbOut = take(Dout);
    this.layout = null;
    this.ensure(end());
    const f = this.f64;
    f.set(params.Win, pWin); f.set(params.bIn, pbIn); f.set(params.Wout, pWout); f.set(params.bOut, pbOut);
    if (low) {
      const Sl = params.Sl!, Sr = params.Sr!;
      f.set(Sl, pSl); f.set(Sr, pSr);
      for (let i = 0; i < N; i++) for (let k = 0; k < K; k++) { f[pSlT + k * N + i] = Sl[i * K + k]; f[pSrT + i * K + k] = Sr[k * N + i]; }
    } else {
      const W = params.Wrec!;
      f.set(W, pW);
      if (grads !== null) for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) f[pWT + j * N + i] = W[i * N + j];
    }
    f.set(data.inputs, pU); f.set(data.targets, pY);
    if (data.mask !== null) f.set(data.mask, pM);
    // The draws, in the JS kernel's order (ξ of every trial, then step by step η of every trial), into R (ξ_b at
    // r_0's slot, η_(b,t) at r_(t+1)'s slot): by the
    // WebAssembly copy of the generator (assembly/rng.ts) when it reproduces this runtime's stream, else in JS.
    if (wasmDraws) {
      const g = rng as Rng, st = g.getState(), ex = this.ex;
      ex.rngSetState(st.s[0], st.s[1], st.s[2], st.s[3], st.spare ?? 0, st.spare === null ? 0 : 1);
      ex.taskDraws(pR * 8, B, S, N, rho > 0 ? 1 : 0, sigma > 0 ? 1 : 0);
      g.setState({ algorithm: "xoshiro128**", s: [ex.rngGetState(0), ex.rngGetState(1), ex.rngGetState(2), ex.rngGetState(3)], seed: g.seed, spare: ex.rngGetState(5) ? ex.rngGetState(4) : null });
    } else if (rho > 0 || sigma > 0) {
      const g = rng as Rng;
      if (rho > 0) for (let b = 0; b < B; b++) for (let i = pR + b * (S + 1) * N, end = i + N; i < end; i++) f[i] = g.normal();
      if (sigma > 0) for (let t = 0; t < S; t++) for (let b = 0; b < B; b++) for (let i = pR + (b * (S + 1) + t + 1) * N, end = i + N; i < end; i++) f[i] = g.normal();
    }
    const sig = sh.sigmoid ? 1 : 0, hasMask = data.mask === null ? 0 : 1;
    if (rank2) {
      const sq2 = this.ex.taskPassRank2(N, Dout, B, S, alpha, rho, sigma, 2 / data.lossDenominator, sig, hasMask, grads === null ? 0 : 1, out.rates === null ? 0 : 1, chunk,
        pWin * 8, pbIn * 8, pSl * 8, pSr * 8, pSlT * 8, pSrT * 8, pWout * 8, pbOut * 8, pU * 8, pY * 8, pM * 8, pR * 8, pRc * 8, pZ * 8, pQ * 8, pO * 8,
        pE * 8, pGR * 8, gWin * 8, gbIn * 8, gSlT * 8, gSr * 8, gWout * 8, gbOut * 8);
      out.outputs.set(f.subarray(pO, pO + B * S * Dout));
      if (out.rates !== null) out.rates.set(f.subarray(pR, pR + B * (S + 1) * N));
      if (out.latent !== null) out.latent.set(f.subarray(pQ, pQ + B * S * K));
      if (grads !== null) this.copyTaskGrads(grads, f, N, K, Din, Dout, low, gWin, gbIn, gSlT, gSr, gW, gWout, gbOut);
      return sq2 / data.lossDenominator;
    }
    const sq = this.ex.taskForward(low ? 1 : 0, N, K, Din, Dout, B, S, alpha, rho, sigma, sig, hasMask,
      pWin * 8, pbIn * 8, pSl * 8, pSr * 8, pW * 8, pWout * 8, pbOut * 8, pU * 8, pY * 8, pM * 8, pR * 8, pZ * 8, pQ * 8, pO * 8, pH * 8);
    out.outputs.set(f.subarray(pO, pO + B * S * Dout));
    if (out.rates !== null) out.rates.set(f.subarray(pR, pR + B * (S + 1) * N));
    if (out.z !== null) out.z.set(f.subarray(pZ, pZ + B * S * N));
    if (out.latent !== null && low) out.latent.set(f.subarray(pQ, pQ + B * S * K));
    const loss = sq / data.lossDenominator;
    if (grads === null) return loss;
    this.ex.taskBackward(low ? 1 : 0, N, K, Din, Dout, B, S, alpha, 2 / data.lossDenominator, sig, hasMask,
      pSlT * 8, pSrT * 8, pWT * 8, pWout * 8, pU * 8, pY * 8, pM * 8, pR * 8, pZ * 8, pQ * 8, pO * 8,
      pE * 8, pGQ * 8, pGR * 8, pGP * 8, gWin * 8, gbIn * 8, gSlT * 8, gSr * 8, gW * 8, gWout * 8, gbOut * 8);
    this.copyTaskGrads(grads, f, N, K, Din, Dout, low, gWin, gbIn, gSlT, gSr, gW, gWout, gbOut);
    return loss;
  }

  /** Copies the gradients of a task pass out of linear memory (∂Sl from its transposed layout). */
  private copyTaskGrads(grads: TaskPassParams, f: Float64Array, N: number, K: number, Din: number, Dout: number, low: boolean,
    gWin: number, gbIn: number, gSlT: number, gSr: number, gW: number, gWout: number, gbOut: number): void {
    const rw = low ? K : N;
    grads.Win.set(f.subarray(gWin, gWin + N * Din)); grads.bIn.set(f.subarray(gbIn, gbIn + N));
    grads.Wout.set(f.subarray(gWout, gWout + Dout * rw)); grads.bOut.set(f.subarray(gbOut, gbOut + Dout));
    if (low) {
      const gSl = grads.Sl!;
      for (let i = 0; i < N; i++) for (let k = 0; k < K; k++) gSl[i * K + k] = f[gSlT + k * N + i];
      grads.Sr!.set(f.subarray(gSr, gSr + K * N));
    } else {
      grads.Wrec!.set(f.subarray(gW, gW + N * N));
    }
  }
}

/** Throws a GhostError naming `name` unless `a` is a Float64Array of length `len`. */
function needF64(name: string, a: unknown, len: number): void {
  if (!(a instanceof Float64Array) || a.length !== len) {
    throw new GhostError(name, a instanceof Float64Array ? `a Float64Array of length ${a.length}` : a, `a Float64Array of length ${len}`);
  }
}

/** N, K, S of DA buffers (validated, O(1)), with the lengths of the buffers the DA kernels write. */
function daShape(ws: DaBuffers, low: boolean): { N: number; K: number; S: number } {
  if (ws === null || typeof ws !== "object") throw new GhostError("ws", ws, "DA buffers (createDaBuffers or a training Workspace)");
  const N = requireInteger("ws.size", ws.size, 1, 4096), S = requireInteger("ws.steps", ws.steps, 1, 1e6);
  const K = low ? requireInteger("ws.rank", ws.rank, 1, N) : 0;
  if (!low && ws.rank !== 0) throw new GhostError("ws.rank", ws.rank, "0 (buffers of a full-rank model)");
  needF64("ws.output", ws.output, S); needF64("ws.dz", ws.dz, S);
  needF64("ws.x", ws.x, (S + 1) * N); needF64("ws.phi", ws.phi, S * N); needF64("ws.gx", ws.gx, N);
  if (low) needF64("ws.kappa", ws.kappa, (S + 1) * K);
  return { N, K, S };
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

let optional: WasmKernels | null | undefined;

/**
 * This thread's WebAssembly kernels where they can run (SIMD and the compiled module present), else null. For the
 * kernels whose JS twin gives the same bits (the rank-one flow grid, the slow-point search), which therefore run in
 * WebAssembly in every kernel mode and fall back to JS silently: the choice never changes a result.
 */
export function optionalWasmKernels(): WasmKernels | null {
  if (optional === undefined) {
    optional = null;
    if (simdSupported()) {
      try {
        wasmPath(); // throws when the module was not built
        optional = wasmKernels();
      } catch {
        optional = null;
      }
    }
  }
  return optional;
}
