/**
 * The library's random stream (core/rng.ts Rng: xoshiro128** with 53-bit uniforms and polar Box–Muller normals) in
 * WebAssembly, bit-identical to it, so the task-RNN kernels can draw r_0 and the input noise without a JS call per
 * number. The state is copied in from an Rng and back out after the draws (kernels/index.ts), so the JS Rng
 * continues exactly as if it had drawn them itself.
 *
 * Bit identity: the integer part is exact; the uniforms are exact (a·2^26 + b)/2^53; the normal is
 * u·√(−2 ln s / s) with √ correctly rounded in both; ln is fdlibm's e_log.c, ported below operation for operation
 * — the algorithm V8 uses for Math.log (src/base/ieee754.cc). The host checks the match at run time and draws in
 * JS otherwise (kernels/index.ts); test/kernels/taskRnnWasm.test.ts compares ln on 10^6 points and the streams.
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
