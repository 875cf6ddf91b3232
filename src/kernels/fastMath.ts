/**
 * Deterministic float64 tanh, exp and sigmoid: range reduction + polynomial, written with IEEE-754 operations
 * only (+, −, ×, ÷, min, exact scaling by 2^k), so the result is the same on every platform and Node version
 * (Math.tanh and Math.exp are not specified to the last bit). These are the scalar JS twins of the WebAssembly
 * kernels (assembly/rankOne.ts: tanh2/tanh1, exp1, sigmoid1): same operations in the same order, bit-identical.
 *
 * tanh(x): y = min(2|x|, 44); y = k·ln2/256 + r with k = round(256·y/ln2) ∈ [0, 16 251], |r| ≤ ln2/512 (ln2/256
 * split in a high part with 21 trailing zero bits and a low part, so k·hi is exact); p = expm1(r) = r + r²·((C2 +
 * C3 r) + (C4 + C5 r) r²), Taylor (truncation < 7e-18·|r|); with j = k mod 256, q = k div 256 and the table
 * T_j = 2^(j/256) − 1 (expm1Table.ts, correctly rounded), X = 2^(j/256)·e^r − 1 = T_j + (p + T_j·p) and
 * E = expm1(y) = 2^q·X + (2^q − 1); tanh|x| = E/(E + 2); the sign of x is restored (tanh(±0) = ±0, NaN → NaN,
 * tanh(±∞) = ±1). For |x| ≥ 22 the true tanh rounds to ±1 (1 − tanh 22 < 2^−63), hence the clamp. The table
 * replaced (at the speed issue's third step) a degree-13 polynomial on |r| ≤ ln2/2: in WebAssembly the short
 * polynomial and two scalar loads cost about 30 % less time than the long polynomial, at the same error bound.
 *
 * Error bound, stated and tested (test/kernels/fastMath.test.ts, 1.2·10^7 points: uniform on [−25, 25],
 * log-uniform magnitudes 1e−323…1e3, the range-reduction edges (k + ½)·ln2/2, |x| < 1e−8, arbitrary bit
 * patterns, ±0, ±∞, NaN, subnormals): |fastTanh(x) − Math.tanh(x)| ≤ {@link FAST_TANH_ULP_BOUND} = 4 ulp of
 * Math.tanh(x). The bound is attained: of 10^8 further points uniform on five intervals of [0, 22], 79 reached
 * 4 ulp, all with |x| < 0.52; about 1.5 % exceed 1 ulp; for |x| > 4 the error is ≤ 1 ulp. Where it comes from:
 * relative errors of ≲ 1.5u in X and E (the sums T_j + (p + T_j·p) and 2^q·X + 2^q − 1 can cancel by about a
 * half when p < 0), ≤ u in rounding E + 2, ½u in the division (u = 2^−53), counted in ulp of the result
 * (one ulp is between u and 2u relative), plus Math.tanh's own error; so ≤ 5 ulp from the true tanh. Results
 * are exactly ±1 from |x| = 19.0141 (Math.tanh from 19.0615; 1 ulp apart in between) and within 1 ulp of x for
 * |x| < 2^−27 (subnormals included).
 *
 * exp(x): x = k·ln2 + r, exp(x) = 2^k·(1 + expm1(r)) scaled by two exact powers of two (so subnormal results
 * need no special case); +∞ above 709.78, 0 below −745.14. Bound {@link FAST_EXP_ULP_BOUND} ulp for normal
 * results.
 *
 * Contract (these run ~10^7 times a second inside the kernels' JS twins and the task RNN's loops, so they are not
 * validated; their callers validate once, outside the loop): any number is allowed — NaN in gives NaN out and no
 * other number gives NaN; the special values are listed on each function. A non-number argument is outside the
 * contract: it is NOT coerced as Number(x) would be (comparisons and additions come before the first
 * multiplication, so fastTanh("3") concatenates "33" and returns tanh(16.5)); the call returns some number, or
 * JavaScript's own TypeError for a symbol, a bigint or an object without a primitive value. Never a GhostError.
 * (test/property/hostileArguments.test.ts checks both statements.)
 */

import { EXPM1_TABLE } from "./expm1Table";

/** ln 2 = LN2_HI + LN2_LO (fdlibm split; LN2_HI has 21 trailing zero bits). */
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700e+00;
/** 1.5·2^52: (y + SHIFTER) − SHIFTER rounds y to the nearest integer, ties to even (as f64x2.nearest). */
const SHIFTER = 6755399441055744.0;
/** 2|x| is clamped to 44 (|x| ≥ 22 gives ±1 anyway). */
const TANH_CLAMP = 44.0;
const C2 = 0.5, C3 = 1.0 / 6.0, C4 = 1.0 / 24.0, C5 = 1.0 / 120.0, C6 = 1.0 / 720.0, C7 = 1.0 / 5040.0;
const C8 = 1.0 / 40320.0, C9 = 1.0 / 362880.0, C10 = 1.0 / 3628800.0, C11 = 1.0 / 39916800.0;
const C12 = 1.0 / 479001600.0, C13 = 1.0 / 6227020800.0;
/** tanh's finer reduction y = k·ln2/256 + r (exact scalings of INV_LN2, LN2_HI, LN2_LO by 2^±8). */
const INV_LN2_256 = INV_LN2 * 256.0, LN2_HI_256 = LN2_HI / 256.0, LN2_LO_256 = LN2_LO / 256.0;

/** Stated bound of {@link fastTanh}: at most this many units in the last place of tanh(x). */
export const FAST_TANH_ULP_BOUND = 4;
/** Stated bound of {@link fastExp} for normal results, in ulp of exp(x). */
export const FAST_EXP_ULP_BOUND = 4;

/** 2^j for j = −1022…1023 at index j + 1022 (exact: built by doubling and halving). */
const POW2 = (() => {
  const t = new Float64Array(2046);
  t[1022] = 1;
  for (let j = 1; j <= 1023; j++) t[1022 + j] = t[1021 + j] * 2;
  for (let j = 1; j <= 1022; j++) t[1022 - j] = t[1023 - j] / 2;
  return t;
})();

/**
 * expm1(r) for |r| ≤ ln2/2: r + r²·p(r), p(r) = C2 + C3 r + … + C13 r^11 by Estrin's scheme (as the WebAssembly
 * expm1Reduced2: s_j = (C_{4j+2} + C_{4j+3} r) + (C_{4j+4} + C_{4j+5} r) r², p = (s_0 + s_1 r⁴) + s_2 r⁸).
 */
function expm1Reduced(r: number): number {
  const r2 = r * r;
  const r4 = r2 * r2;
  const r8 = r4 * r4;
  const s0 = (C2 + C3 * r) + (C4 + C5 * r) * r2;
  const s1 = (C6 + C7 * r) + (C8 + C9 * r) * r2;
  const s2 = (C10 + C11 * r) + (C12 + C13 * r) * r2;
  const p = (s0 + s1 * r4) + s2 * r8;
  return r + r2 * p;
}

/**
 * Deterministic tanh(x) (see the module comment for the algorithm and {@link FAST_TANH_ULP_BOUND}). Bit-identical
 * to the WebAssembly kernels' tanh. Not validated (hot loops; see "Contract" in the module comment): for any
 * number, NaN → NaN, ±∞ → ±1, ±0 → ±0, otherwise a number in [−1, 1] with the sign of x, odd in x.
 */
export function fastTanh(x: number): number {
  if (x !== x) return x; // NaN
  const ax = x < 0 ? -x : x;
  const y = ax + ax < TANH_CLAMP ? ax + ax : TANH_CLAMP;
  const kd = y * INV_LN2_256 + SHIFTER;
  const k = kd - SHIFTER; // an integer in [0, 16 251]
  const r = (y - k * LN2_HI_256) - k * LN2_LO_256;
  const r2 = r * r;
  const p = r + r2 * ((C2 + C3 * r) + (C4 + C5 * r) * r2);
  const T = EXPM1_TABLE[k & 255];
  const X = T + (p + T * p);
  const scale = POW2[1022 + (k >> 8)];
  const e = scale * X + (scale - 1.0);
  const t = e / (e + 2.0);
  return x < 0 ? -t : x === 0 ? x : t;
}

/**
 * Deterministic exp(x) (module comment; {@link FAST_EXP_ULP_BOUND}). Bit-identical to the WebAssembly exp1.
 * Not validated (hot loops; "Contract" in the module comment): for any number, NaN → NaN, +∞ → +∞ (as every x above
 * 709.782712893384), −∞ → 0 (as every x below −745.1332191019412), otherwise a number ≥ 0.
 */
export function fastExp(x: number): number {
  if (x !== x) return x;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.1332191019412) return 0;
  const kd = x * INV_LN2 + SHIFTER;
  const k = kd - SHIFTER;
  const r = (x - k * LN2_HI) - k * LN2_LO;
  const p = 1.0 + expm1Reduced(r);
  const k1 = k >> 1; // k ∈ [−1075, 1024]: both halves are normal powers of two
  return (p * POW2[1022 + k1]) * POW2[1022 + (k - k1)];
}

/**
 * σ(z) = 1/(1 + e^(−z)) for z ≥ 0 and e^z/(1 + e^z) otherwise (never overflows), with {@link fastExp}: the
 * deterministic twin of core/math.ts sigmoid. Bit-identical to the WebAssembly sigmoid1. Not validated (hot
 * loops; "Contract" in the module comment): for any number, NaN → NaN, +∞ → 1, −∞ → 0, otherwise a number in [0, 1].
 */
export function fastSigmoid(z: number): number {
  if (z >= 0) return 1.0 / (1.0 + fastExp(-z));
  const e = fastExp(z);
  return e / (1.0 + e);
}
