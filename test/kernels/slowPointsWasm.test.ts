/**
 * The Adam phase of the slow-point search (v2 Fig 5, analysis.findSlowPoints): the WebAssembly SIMD kernel
 * (assembly/slowPoints.ts, kernels.WasmKernels.slowPointAdam) against its JS twin analysis.slowPointAdamJs, bit for
 * bit (Object.is on every coordinate of every start), over shapes whose N is and is not a multiple of 4 and 2, odd
 * and even numbers of starts, weights small and large enough to saturate tanh; and its input checks.
 */
import { WasmKernels } from "../../src/kernels";
import { findSlowPoints, slowPointAdamJs } from "../../src/analysis/slowPoints";
import { GhostError } from "../../src/core/errors";
import { ndFloat64 } from "../../src/core/nd";
import { Rng } from "../../src/core/rng";
import { ensureWasm } from "./ensureWasm";

let wasm: WasmKernels;
beforeAll(() => { wasm = ensureWasm(); });

/** W ~ N(0, (g²/N)), b ~ N(0, 0.3²), starts X ~ tanh(N(0, 1)) (S rows). */
function problem(N: number, S: number, gain: number, seed: number) {
  const rng = new Rng(seed);
  const W = new Float64Array(N * N), b = new Float64Array(N), X = new Float64Array(S * N);
  for (let i = 0; i < N * N; i++) W[i] = (gain / Math.sqrt(N)) * rng.normal();
  for (let i = 0; i < N; i++) b[i] = 0.3 * rng.normal();
  for (let i = 0; i < S * N; i++) X[i] = Math.tanh(rng.normal());
  return { W, b, X };
}

function firstDifference(a: Float64Array, b: Float64Array): string | null {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `entry ${i}: ${a[i]} vs ${b[i]}`;
  return null;
}

describe("slow-point Adam: WebAssembly vs its JS twin, bit for bit", () => {
  const cases: [number, number, number, number][] = [
    // N, S, gain, iterations
    [1, 1, 1.5, 40], [2, 1, 1.5, 40], [3, 2, 1.5, 40], [4, 3, 1.5, 40], [5, 2, 2, 40], [7, 5, 1.5, 60], [8, 4, 0.5, 60],
    [13, 3, 3, 60], [100, 2, 1.5, 30], [100, 9, 2.5, 20], [101, 4, 1.5, 20], [64, 1, 8, 50],
  ];
  test.each(cases)("N = %i, S = %i, gain %f, %i iterations", (N, S, gain, iterations) => {
    const { W, b, X } = problem(N, S, gain, 1000 * N + S);
    const js = X.slice(), wa = X.slice();
    slowPointAdamJs(W, b, js, N, iterations, 1e-2);
    wasm.slowPointAdam(W, b, wa, N, iterations, 1e-2);
    expect(firstDifference(wa, js)).toBeNull();
    // the search moved the points (a kernel that does nothing would also "agree" with a JS loop that does nothing)
    if (iterations > 0) expect(firstDifference(wa, X)).not.toBeNull();
  });

  test("zero iterations leave the starts unchanged; a large learning rate still agrees", () => {
    const { W, b, X } = problem(10, 3, 1.5, 7);
    const wa = X.slice();
    wasm.slowPointAdam(W, b, wa, 10, 0, 1e-2);
    expect(firstDifference(wa, X)).toBeNull();
    const js = X.slice(), wb = X.slice();
    slowPointAdamJs(W, b, js, 10, 25, 0.7);
    wasm.slowPointAdam(W, b, wb, 10, 25, 0.7);
    expect(firstDifference(wb, js)).toBeNull();
  });

  test("findSlowPoints (which runs the WebAssembly phase here) reaches the speeds the JS phase reaches", () => {
    // End to end: the report's points are the JS twin's Adam result followed by the same JS Newton step, so the
    // Adam result fed to both must coincide; check the reported loss after Adam against the twin's.
    const N = 12, S = 6;
    const { W, b, X } = problem(N, S, 1.8, 99);
    const report = findSlowPoints({ Wrec: ndFloat64([N, N], W), bIn: ndFloat64([N], b) }, ndFloat64([S, N], X.slice()), { iterations: 200, newtonSteps: 0 });
    const js = X.slice();
    slowPointAdamJs(W, b, js, N, 200, 1e-2);
    let q = 0;
    for (let s = 0; s < S; s++) {
      for (let j = 0; j < N; j++) {
        let u = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
        for (; k + 3 < N; k += 4) {
          s0 += js[s * N + k] * W[k * N + j]; s1 += js[s * N + k + 1] * W[(k + 1) * N + j];
          s2 += js[s * N + k + 2] * W[(k + 2) * N + j]; s3 += js[s * N + k + 3] * W[(k + 3) * N + j];
        }
        for (; k < N; k++) s0 += js[s * N + k] * W[k * N + j];
        u = b[j] + ((s0 + s1) + (s2 + s3));
        const F = Math.tanh(u) - js[s * N + j];
        q += F * F;
      }
    }
    expect(Object.is(report.lossAfterAdam, q / S)).toBe(true);
  });
});

describe("slow-point Adam: input checks name the parameter", () => {
  const { W, b, X } = problem(4, 2, 1, 3);
  test.each([
    ["W", () => wasm.slowPointAdam(W.subarray(1), b, X.slice(), 4, 1, 1e-2)],
    ["b", () => wasm.slowPointAdam(W, b.subarray(1), X.slice(), 4, 1, 1e-2)],
    ["X", () => wasm.slowPointAdam(W, b, X.subarray(1), 4, 1, 1e-2)],
    ["X", () => wasm.slowPointAdam(W, b, new Float64Array(0), 4, 1, 1e-2)],
    ["N", () => wasm.slowPointAdam(W, b, X.slice(), 0, 1, 1e-2)],
    ["iterations", () => wasm.slowPointAdam(W, b, X.slice(), 4, -1, 1e-2)],
  ] as [string, () => void][])("%s", (name, call) => {
    let err: unknown;
    try { call(); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(GhostError);
    expect((err as GhostError).message).toContain(name);
  });
});
