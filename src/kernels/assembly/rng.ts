/**
 * The library's random stream (core/rng.ts Rng: xoshiro128** with 53-bit uniforms and polar Box–Muller normals) in
 * WebAssembly, bit-identical to it, so the task-RNN kernels can draw r_0 and the input noise without a JS call per
 * number. The state is copied in from an Rng and back out after the draws (kernels/index.ts), so the JS Rng
 * continues exactly as if it had drawn them itself.
 *
 * Bit identity: the integer part is exact; the uniforms are exact (a·2^26 + b)/2^53; the normal is
 * u·√(−2 ln s / s) with √ correctly rounded in both; ln is fdlibm's e_log.c, ported below operation for operation
 * — the algorithm V8 uses for Math.log (src/base/ieee754.cc). The host checks the match at run time and draws in
 * JS otherwise (kernels/index.ts); test/kernels/taskRnnDraws.test.ts compares ln (scalar and two-lane) with Math.log
 * on 10^6 points each and the streams.
 */

let s0: u32 = 1, s1: u32 = 0, s2: u32 = 0, s3: u32 = 0;
let spare: f64 = 0.0;
let hasSpare: i32 = 0;

/** Loads an Rng state: the four words, and the spare normal when hasSpareIn ≠ 0. */
export function rngSetState(a: u32, b: u32, c: u32, d: u32, spareIn: f64, hasSpareIn: i32): void {
  s0 = a; s1 = b; s2 = c; s3 = d; spare = spareIn; hasSpare = hasSpareIn;
}

/** Reads the state back: i = 0…3 the words (as f64), 4 the spare, 5 whether there is one (1/0). */
export function rngGetState(i: i32): f64 {
  if (i == 0) return <f64>s0;
  if (i == 1) return <f64>s1;
  if (i == 2) return <f64>s2;
  if (i == 3) return <f64>s3;
  if (i == 4) return spare;
  return <f64>hasSpare;
}

const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const TWO54: f64 = 1.80143985094819840000e+16;
const LG1: f64 = 6.666666666666735130e-01;
const LG2: f64 = 3.999999999940941908e-01;
const LG3: f64 = 2.857142874366239149e-01;
const LG4: f64 = 2.222219843214978396e-01;
const LG5: f64 = 1.818357216161805012e-01;
const LG6: f64 = 1.531383769920937332e-01;
const LG7: f64 = 1.479819860511658591e-01;

/** ln x, fdlibm e_log.c (as V8's Math.log): x = 2^k (1 + f), ln(1 + f) = f − s(f − R), s = f/(2 + f). */
export function logFdlibm(x: f64): f64 {
  return logCore(x);
}

// @ts-ignore: decorator
@inline function logCore(x: f64): f64 {
  let bits = reinterpret<u64>(x);
  let hx = <i32>(bits >> 32);
  const lx = <u32>bits;
  let k: i32 = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) == 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= TWO54;
    bits = reinterpret<u64>(x);
    hx = <i32>(bits >> 32);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  let i = (hx + 0x95f64) & 0x100000;
  x = reinterpret<f64>((<u64>(hx | (i ^ 0x3ff00000)) << 32) | (bits & 0xffffffff));
  k += i >> 20;
  const f = x - 1.0;
  let dk: f64;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f == 0.0) {
      if (k == 0) return 0.0;
      dk = <f64>k;
      return dk * LN2_HI + dk * LN2_LO;
    }
    const R0 = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - R0;
    dk = <f64>k;
    return dk * LN2_HI - ((R0 - dk * LN2_LO) - f);
  }
  const s = f / (2.0 + f);
  dk = <f64>k;
  const z = s * s;
  i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const R = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + R));
    return dk * LN2_HI - ((hfsq - (s * (hfsq + R) + dk * LN2_LO)) - f);
  }
  if (k == 0) return f - s * (f - R);
  return dk * LN2_HI - ((s * (f - R) - dk * LN2_LO) - f);
}


/**
 * ln of two lanes x ∈ [2^−1022, 1) (the polar method's s), lane by lane the operations of {@link logCore} (its
 * branches computed both ways and selected; k ≥ −1022 so no subnormal scaling). The rare |f| < 2^−20 case is
 * flagged in `logSmall` and recomputed by the caller with logCore.
 */
let logSmall: i32 = 0;
// @ts-ignore: decorator
@inline function log2Lanes(x: v128): v128 {
  const bits = x;
  const hx = i64x2.shr_u(bits, 32);
  let k = i64x2.sub(i64x2.shr_s(hx, 20), i64x2.splat(1023));
  const hxm = v128.and(hx, i64x2.splat(0xfffff));
  const i = v128.and(i64x2.add(hxm, i64x2.splat(0x95f64)), i64x2.splat(0x100000));
  const newhi = v128.or(hxm, v128.xor(i, i64x2.splat(0x3ff00000)));
  const xn = v128.or(i64x2.shl(newhi, 32), v128.and(bits, i64x2.splat(0xffffffff)));
  k = i64x2.add(k, i64x2.shr_s(i, 20));
  const f = f64x2.sub(xn, f64x2.splat(1.0));
  const small = i64x2.lt_s(v128.and(i64x2.add(hxm, i64x2.splat(2)), i64x2.splat(0xfffff)), i64x2.splat(3));
  logSmall = v128.any_true(small) ? 1 : 0;
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2.0), f));
  const dk = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(k, k, 0, 2, 0, 2));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(f64x2.splat(LG2), f64x2.mul(w, f64x2.add(f64x2.splat(LG4), f64x2.mul(w, f64x2.splat(LG6))))));
  const t2 = f64x2.mul(z, f64x2.add(f64x2.splat(LG1), f64x2.mul(w, f64x2.add(f64x2.splat(LG3), f64x2.mul(w, f64x2.add(f64x2.splat(LG5), f64x2.mul(w, f64x2.splat(LG7))))))));
  const ii = v128.or(i64x2.sub(hxm, i64x2.splat(0x6147a)), i64x2.sub(i64x2.splat(0x6b851), hxm));
  const iPos = i64x2.gt_s(ii, i64x2.splat(0));
  const R = f64x2.add(t2, t1);
  const hfsq = f64x2.mul(f64x2.mul(f64x2.splat(0.5), f), f);
  const sR = f64x2.mul(s, f64x2.add(hfsq, R));
  const dkHi = f64x2.mul(dk, f64x2.splat(LN2_HI)), dkLo = f64x2.mul(dk, f64x2.splat(LN2_LO));
  const A1 = f64x2.sub(f, f64x2.sub(hfsq, sR));
  const A2 = f64x2.sub(dkHi, f64x2.sub(f64x2.sub(hfsq, f64x2.add(sR, dkLo)), f));
  const sfR = f64x2.mul(s, f64x2.sub(f, R));
  const B1 = f64x2.sub(f, sfR);
  const B2 = f64x2.sub(dkHi, f64x2.sub(f64x2.sub(sfR, dkLo), f));
  const kz = i64x2.eq(k, i64x2.splat(0));
  return v128.bitselect(v128.bitselect(A1, A2, kz), v128.bitselect(B1, B2, kz), iPos);
}

/**
 * Fills `blocks` blocks of `blockLen` normals, block b starting at element b·stride of the float64 array at p: the
 * same numbers as that many calls of Rng.normal (polar Box–Muller: the spare first when there is one; then per
 * accepted pair u, v with s = u² + v² ∈ (0, 1), u·f out and v·f kept as the spare, f = √(−2 ln s / s)). The
 * generator state lives in locals during the loop (WebAssembly globals are memory accesses) and is stored back.
 */
export function normalBlocks(p: usize, blocks: i32, blockLen: i32, stride: i32): void {
  let a = s0, b = s1, c = s2, d = s3;
  let sp = spare, has = hasSpare;
  for (let bl = 0; bl < blocks; bl++) {
    let q = p + (<usize>(bl * stride) << 3);
    const end = q + (<usize>blockLen << 3);
    while (q < end) {
      if (has) {
        store<f64>(q, sp);
        has = 0;
        q += 8;
        continue;
      }
      if (end - q >= 24) {
        // Two accepted pairs (A then B: the same draws in the same order), both logs in two lanes. At least three
        // outputs remain, so pair B is drawn only when Rng.normal would draw it too.
        let uA: f64, vA: f64, sA: f64, uB: f64, vB: f64, sB: f64;
        do {
          let r = rotl<u32>(b * 5, 7) * 9;
          let t = b << 9;
          c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
          const x1 = r >> 5;
          r = rotl<u32>(b * 5, 7) * 9;
          t = b << 9;
          c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
          const y1 = r >> 6;
          uA = 2.0 * ((<f64>x1 * 67108864.0 + <f64>y1) * 1.1102230246251565e-16) - 1.0;
          r = rotl<u32>(b * 5, 7) * 9;
          t = b << 9;
          c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
          const x2 = r >> 5;
          r = rotl<u32>(b * 5, 7) * 9;
          t = b << 9;
          c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
          const y2 = r >> 6;
          vA = 2.0 * ((<f64>x2 * 67108864.0 + <f64>y2) * 1.1102230246251565e-16) - 1.0;
          sA = uA * uA + vA * vA;
        } while (sA >= 1.0 || sA == 0.0);
        do {
          let r = rotl<u32>(b * 5, 7) * 9;
          let t = b << 9;
          c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
          const x1 = r >> 5;
          r = rotl<u32>(b * 5, 7) * 9;
          t = b << 9;
          c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
          const y1 = r >> 6;
          uB = 2.0 * ((<f64>x1 * 67108864.0 + <f64>y1) * 1.1102230246251565e-16) - 1.0;
          r = rotl<u32>(b * 5, 7) * 9;
          t = b << 9;
          c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
          const x2 = r >> 5;
          r = rotl<u32>(b * 5, 7) * 9;
          t = b << 9;
          c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
          const y2 = r >> 6;
          vB = 2.0 * ((<f64>x2 * 67108864.0 + <f64>y2) * 1.1102230246251565e-16) - 1.0;
          sB = uB * uB + vB * vB;
        } while (sB >= 1.0 || sB == 0.0);
        const sv = f64x2.replace_lane(f64x2.splat(sA), 1, sB);
        let lg = log2Lanes(sv);
        if (logSmall) lg = f64x2.replace_lane(f64x2.splat(logCore(sA)), 1, logCore(sB));
        const fv = f64x2.sqrt(f64x2.div(f64x2.mul(f64x2.splat(-2.0), lg), sv));
        const fA = f64x2.extract_lane(fv, 0), fB = f64x2.extract_lane(fv, 1);
        store<f64>(q, uA * fA);
        store<f64>(q, vA * fA, 8);
        store<f64>(q, uB * fB, 16);
        q += 24;
        sp = vB * fB;
        has = 1;
        continue;
      }
      let u: f64, v: f64, ss: f64;
      do {
        // four xoshiro128** steps (Rng.nextUint32), two per 53-bit uniform (a·2^26 + b)·2^−53
        let r = rotl<u32>(b * 5, 7) * 9;
        let t = b << 9;
        c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
        const x1 = r >> 5;
        r = rotl<u32>(b * 5, 7) * 9;
        t = b << 9;
        c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
        const y1 = r >> 6;
        u = 2.0 * ((<f64>x1 * 67108864.0 + <f64>y1) * 1.1102230246251565e-16) - 1.0;
        r = rotl<u32>(b * 5, 7) * 9;
        t = b << 9;
        c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
        const x2 = r >> 5;
        r = rotl<u32>(b * 5, 7) * 9;
        t = b << 9;
        c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
        const y2 = r >> 6;
        v = 2.0 * ((<f64>x2 * 67108864.0 + <f64>y2) * 1.1102230246251565e-16) - 1.0;
        ss = u * u + v * v;
      } while (ss >= 1.0 || ss == 0.0);
      const f = sqrt<f64>((-2.0 * logCore(ss)) / ss);
      store<f64>(q, u * f);
      q += 8;
      sp = v * f;
      has = 1;
    }
  }
  s0 = a; s1 = b; s2 = c; s3 = d; spare = sp; hasSpare = has;
}

/** ln of x[i], i < n (n even), in place, two lanes at a time as in normalBlocks (for tests: = Math.log). */
export function logLanesArray(p: usize, n: i32): void {
  for (let i = 0; i < n; i += 2) {
    const q = p + (<usize>i << 3);
    const x = v128.load(q);
    let lg = log2Lanes(x);
    if (logSmall) lg = f64x2.replace_lane(f64x2.splat(logCore(f64x2.extract_lane(x, 0))), 1, logCore(f64x2.extract_lane(x, 1)));
    v128.store(q, lg);
  }
}
