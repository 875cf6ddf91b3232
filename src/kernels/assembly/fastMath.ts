/**
 * Deterministic float64 tanh / exp / sigmoid of the WebAssembly kernels (two-lane tanh2 and scalar twins), and
 * the load/store helpers shared by rankOne.ts and taskRnn.ts. Moved here unchanged from rankOne.ts; the JS twins
 * are in ../fastMath.ts (bit-identical).
 */

// ---- fast tanh / exp: range reduction + polynomial ----------------------------------------------------------------

/** ln 2 split (fdlibm): LN2_HI has 11 trailing zero bits, so k·LN2_HI is exact for |k| < 2^11. */
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.44269504088896338700e+00;
/** 1.5·2^52: y + SHIFTER rounds y to the nearest integer (ties to even), held in the low mantissa bits. */
const SHIFTER: f64 = 6755399441055744.0;
/** tanh needs only 2|x| ≤ 44: for |x| ≥ 22, 1 − tanh|x| < 2^−63, so tanh rounds to ±1. */
const TANH_CLAMP: f64 = 44.0;
// Taylor coefficients 1/j! of expm1(r) = r + r²(C2 + C3 r + … + C13 r^11), |r| ≤ ln2/2; truncation < 1.2e-17·|r|.
const C2: f64 = 0.5;
const C3: f64 = 1.0 / 6.0;
const C4: f64 = 1.0 / 24.0;
const C5: f64 = 1.0 / 120.0;
const C6: f64 = 1.0 / 720.0;
const C7: f64 = 1.0 / 5040.0;
const C8: f64 = 1.0 / 40320.0;
const C9: f64 = 1.0 / 362880.0;
const C10: f64 = 1.0 / 3628800.0;
const C11: f64 = 1.0 / 39916800.0;
const C12: f64 = 1.0 / 479001600.0;
const C13: f64 = 1.0 / 6227020800.0;

/**
 * Vector constants in linear memory (read with v128.load: V8 materialises a v128.const on every use, a load from a
 * fixed address is one operand; measured 1.45× faster tanh): two lanes each, index j at byte K + 16j.
 */
const K = memory.data<f64>([
  TANH_CLAMP, TANH_CLAMP, INV_LN2, INV_LN2, SHIFTER, SHIFTER, LN2_HI, LN2_HI, LN2_LO, LN2_LO,
  C2, C2, C3, C3, C4, C4, C5, C5, C6, C6, C7, C7, C8, C8, C9, C9, C10, C10, C11, C11, C12, C12, C13, C13,
  1.0, 1.0, 2.0, 2.0,
], 16);
const K_CLAMP = 0, K_INV_LN2 = 1, K_SHIFTER = 2, K_LN2_HI = 3, K_LN2_LO = 4, K_C2 = 5, K_ONE = 17, K_TWO = 18;

// @ts-ignore: decorator
@inline function kv(j: i32): v128 {
  return v128.load(K + (<usize>j << 4));
}

/**
 * expm1(r) for |r| ≤ ln2/2, two lanes: r + r²·p(r), p(r) = C2 + C3 r + … + C13 r^11 by Estrin's scheme
 * (pairs q_j = C_{2j+2} + C_{2j+3} r, then s_j = q_{2j} + q_{2j+1} r², p = (s_0 + s_1 r⁴) + s_2 r⁸): a shorter
 * dependency chain than Horner (measured 1.15× faster).
 */
// @ts-ignore: decorator
@inline function expm1Reduced2(r: v128): v128 {
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const q0 = f64x2.add(kv(K_C2), f64x2.mul(kv(K_C2 + 1), r));
  const q1 = f64x2.add(kv(K_C2 + 2), f64x2.mul(kv(K_C2 + 3), r));
  const q2 = f64x2.add(kv(K_C2 + 4), f64x2.mul(kv(K_C2 + 5), r));
  const q3 = f64x2.add(kv(K_C2 + 6), f64x2.mul(kv(K_C2 + 7), r));
  const q4 = f64x2.add(kv(K_C2 + 8), f64x2.mul(kv(K_C2 + 9), r));
  const q5 = f64x2.add(kv(K_C2 + 10), f64x2.mul(kv(K_C2 + 11), r));
  const s0 = f64x2.add(q0, f64x2.mul(q1, r2));
  const s1 = f64x2.add(q2, f64x2.mul(q3, r2));
  const s2 = f64x2.add(q4, f64x2.mul(q5, r2));
  const p = f64x2.add(f64x2.add(s0, f64x2.mul(s1, r4)), f64x2.mul(s2, r8));
  return f64x2.add(r, f64x2.mul(r2, p));
}

/** The same as {@link expm1Reduced2} on one lane (same operations, same order). */
// @ts-ignore: decorator
@inline function expm1Reduced(r: f64): f64 {
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
 * tanh of two lanes: y = min(2|x|, 44), y = k·ln2 + r (k = round(y/ln2) ∈ [0, 64], |r| ≤ ln2/2),
 * E = expm1(y) = 2^k·expm1(r) + (2^k − 1), tanh|x| = E/(E + 2), sign of x restored (tanh(−0) = −0, NaN → NaN).
 */
// @ts-ignore: decorator
@inline export function tanh2(x: v128): v128 {
  const ax = f64x2.abs(x);
  // pmin(a, b) = b < a ? b : a, so pmin(2|x|, 44) = 44 < 2|x| ? 44 : 2|x| (NaN stays NaN: a NaN input gives NaN)
  const y = f64x2.pmin(f64x2.add(ax, ax), kv(K_CLAMP));
  const kd = f64x2.add(f64x2.mul(y, kv(K_INV_LN2)), kv(K_SHIFTER));
  const k = f64x2.sub(kd, kv(K_SHIFTER));
  const r = f64x2.sub(f64x2.sub(y, f64x2.mul(k, kv(K_LN2_HI))), f64x2.mul(k, kv(K_LN2_LO)));
  const em = expm1Reduced2(r);
  // 2^k from the integer in kd's low mantissa bits: bits(2^k) = (k << 52) + bits(1.0)
  const scale = i64x2.add(i64x2.shl(kd, 52), kv(K_ONE));
  const e = f64x2.add(f64x2.mul(scale, em), f64x2.sub(scale, kv(K_ONE)));
  const t = f64x2.div(e, f64x2.add(e, kv(K_TWO)));
  return v128.or(t, v128.andnot(x, ax)); // t ≥ +0 takes the sign bit of x
}

/** Scalar tanh: the same operations as one lane of {@link tanh2}. */
export function tanh1(x: f64): f64 {
  const ax = abs<f64>(x);
  const y = min<f64>(ax + ax, TANH_CLAMP);
  const kd = y * INV_LN2 + SHIFTER;
  const k = kd - SHIFTER;
  const r = (y - k * LN2_HI) - k * LN2_LO;
  const em = expm1Reduced(r);
  const scale = reinterpret<f64>((reinterpret<i64>(kd) << 52) + (<i64>1023 << 52));
  const e = scale * em + (scale - 1.0);
  const t = e / (e + 2.0);
  return reinterpret<f64>(reinterpret<i64>(t) | (reinterpret<i64>(x) & <i64>0x8000000000000000));
}

/** 2^j for integer j ∈ [−1022, 1023], built from its bits. */
// @ts-ignore: decorator
@inline function pow2(j: i32): f64 {
  return reinterpret<f64>(<i64>(j + 1023) << 52);
}

/**
 * exp(x): x = k·ln2 + r, exp(x) = 2^k·(1 + expm1(r)), the scaling split in two exact halves so that
 * subnormal results and k = 1024 need no special case; exp(x) = +∞ above 709.78, 0 below −745.14.
 */
export function exp1(x: f64): f64 {
  if (x != x) return x;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.1332191019412) return 0.0;
  const kd = x * INV_LN2 + SHIFTER;
  const k = kd - SHIFTER;
  const r = (x - k * LN2_HI) - k * LN2_LO;
  const p = 1.0 + expm1Reduced(r);
  const ki = <i32>k;
  const k1 = ki >> 1;
  return (p * pow2(k1)) * pow2(ki - k1);
}

/** σ(z) = 1/(1 + e^(−z)) for z ≥ 0, e^z/(1 + e^z) otherwise (never overflows), with {@link exp1}. */
export function sigmoid1(z: f64): f64 {
  if (z >= 0) return 1.0 / (1.0 + exp1(-z));
  const e = exp1(z);
  return e / (1.0 + e);
}

// ---- load / store of float64 arrays at byte offsets ---------------------------------------------------------------

// @ts-ignore: decorator
@inline export function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline export function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}
// @ts-ignore: decorator
@inline export function ldv(p: usize, i: i32): v128 {
  return v128.load(p + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline export function stv(p: usize, i: i32, v: v128): void {
  v128.store(p + (<usize>i << 3), v);
}

