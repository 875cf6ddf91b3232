/**
 * Deterministic float64 tanh / exp / sigmoid of the WebAssembly kernels (two-lane tanh2 and scalar twins), and
 * the load/store helpers shared by rankOne.ts and taskRnn.ts. Moved here unchanged from rankOne.ts; the JS twins
 * are in ../fastMath.ts (bit-identical).
 */

// ---- fast tanh / exp: range reduction + polynomial ----------------------------------------------------------------

import { EXPM1_TABLE } from "./expm1Table";

/** ln 2 split (fdlibm): LN2_HI has 21 trailing zero bits, so k·LN2_HI is exact for |k| < 2^21. */
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
/** tanh's finer reduction y = k·ln2/256 + r: 256/ln2 and ln2/256 split (exact scalings of the constants above). */
const INV_LN2_256: f64 = INV_LN2 * 256.0;
const LN2_HI_256: f64 = LN2_HI / 256.0;
const LN2_LO_256: f64 = LN2_LO / 256.0;
const K = memory.data<f64>([
  TANH_CLAMP, TANH_CLAMP, INV_LN2_256, INV_LN2_256, SHIFTER, SHIFTER, LN2_HI_256, LN2_HI_256, LN2_LO_256, LN2_LO_256,
  C2, C2, C3, C3, C4, C4, C5, C5, 1.0, 1.0, 2.0, 2.0,
], 16);
const K_CLAMP = 0, K_INV = 1, K_SHIFTER = 2, K_HI = 3, K_LO = 4, K_C2 = 5, K_ONE = 9, K_TWO = 10;

// @ts-ignore: decorator
@inline function kv(j: i32): v128 {
  return v128.load(K + (<usize>j << 4));
}

/**
 * tanh of two lanes: y = min(2|x|, 44), y = k·ln2/256 + r (k = round(256·y/ln2) ∈ [0, 16 251], |r| ≤ ln2/512;
 * ln2/256 split in a high part with 21 trailing zero bits, so k·hi is exact), expm1(r) = r + r²·((C2 + C3 r) +
 * (C4 + C5 r) r²) (Taylor, truncation < 7e-18·|r|), T = 2^(j/256) − 1 from the table (j = k mod 256, two
 * scalar loads), X = 2^(j/256)·e^r − 1 = T + (p + T·p), E = expm1(y) = 2^q·X + (2^q − 1) (q = k div 256),
 * tanh|x| = E/(E + 2), sign of x restored (tanh(−0) = −0, NaN → NaN).
 */
// @ts-ignore: decorator
@inline export function tanh2(x: v128): v128 {
  const ax = f64x2.abs(x);
  // pmin(a, b) = b < a ? b : a, so pmin(2|x|, 44) = 44 < 2|x| ? 44 : 2|x| (NaN stays NaN: a NaN input gives NaN)
  const y = f64x2.pmin(f64x2.add(ax, ax), kv(K_CLAMP));
  const kd = f64x2.add(f64x2.mul(y, kv(K_INV)), kv(K_SHIFTER));
  const k = f64x2.sub(kd, kv(K_SHIFTER));
  const r = f64x2.sub(f64x2.sub(y, f64x2.mul(k, kv(K_HI))), f64x2.mul(k, kv(K_LO)));
  const r2 = f64x2.mul(r, r);
  const pp = f64x2.add(f64x2.add(kv(K_C2), f64x2.mul(kv(K_C2 + 1), r)), f64x2.mul(f64x2.add(kv(K_C2 + 2), f64x2.mul(kv(K_C2 + 3), r)), r2));
  const p = f64x2.add(r, f64x2.mul(r2, pp));
  // the integer k sits in kd's low mantissa bits: j = k & 255 indexes the table, q = k >> 8 scales
  const j0 = <usize>(<i32>i64x2.extract_lane(kd, 0) & 255), j1 = <usize>(<i32>i64x2.extract_lane(kd, 1) & 255);
  const T = v128.load64_lane(EXPM1_TABLE + (j1 << 3), v128.load64_zero(EXPM1_TABLE + (j0 << 3)), 1);
  const X = f64x2.add(T, f64x2.add(p, f64x2.mul(T, p)));
  // 2^q from its bits: bits(2^q) = (q << 52) + bits(1.0)
  const scale = i64x2.add(i64x2.shl(i64x2.shr_u(kd, 8), 52), kv(K_ONE));
  const e = f64x2.add(f64x2.mul(scale, X), f64x2.sub(scale, kv(K_ONE)));
  const t = f64x2.div(e, f64x2.add(e, kv(K_TWO)));
  return v128.or(t, v128.andnot(x, ax)); // t ≥ +0 takes the sign bit of x
}

/** Scalar tanh: the same operations as one lane of {@link tanh2}. */
export function tanh1(x: f64): f64 {
  const ax = abs<f64>(x);
  const y = min<f64>(ax + ax, TANH_CLAMP);
  const kd = y * INV_LN2_256 + SHIFTER;
  const k = kd - SHIFTER;
  const r = (y - k * LN2_HI_256) - k * LN2_LO_256;
  const r2 = r * r;
  const p = r + r2 * ((C2 + C3 * r) + (C4 + C5 * r) * r2);
  const kb = reinterpret<i64>(kd);
  const T = load<f64>(EXPM1_TABLE + (<usize>(<i32>kb & 255) << 3));
  const X = T + (p + T * p);
  const scale = reinterpret<f64>(((kb >>> 8) << 52) + (<i64>1023 << 52));
  const e = scale * X + (scale - 1.0);
  const t = e / (e + 2.0);
  return reinterpret<f64>(reinterpret<i64>(t) | (reinterpret<i64>(x) & <i64>0x8000000000000000));
}

/** expm1(r) for |r| ≤ ln2/2 (exp1's reduction): r + r²·p(r), p = C2 + C3 r + … + C13 r^11 by Estrin's scheme. */
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

