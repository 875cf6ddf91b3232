/**
 * The rank-one latent flow on a grid (AssemblyScript; exported through rankOne.ts, the compiled entry point):
 *
 *   out[j] = f(κ_j) = −κ_j + F(κ_j),   F(κ) = Σ_i n_i tanh(m_i κ + b_i),
 *
 * with F summed in the rank-one trainer's order (rankOnePass's κ = n·x): two lanes, Σ_{i even} and Σ_{i odd},
 * each in increasing i, added at the end, then the odd tail n_{N−1}·tanh(…) when N is odd. Its JS twin is
 * models/lowRankRnn.ts rankOneDrive / rankOneLatentFlow (the same float64 operations in the same order, with the
 * deterministic fastTanh = tanh2/tanh1 here), so the two agree bit for bit (test/kernels/rankOneFlow.test.ts).
 */

import { ld, ldv, st, tanh1, tanh2 } from "./fastMath";

/**
 * out[j] = −κ_j + Σ_i n_i tanh(m_i κ_j + b_i) for j < G (see the module comment for the summation order).
 * Byte offsets of float64 arrays m, n, b [N], grid, out [G]; m, n, b 16-byte aligned. The forward loop evaluates two
 * independent tanh2 per iteration (four entries), so the CPU overlaps their dependency chains; the lane sums
 * still add pair (i, i+1) before pair (i+2, i+3).
 */
export function rankOneFlowGrid(N: i32, G: i32, m: usize, n: usize, b: usize, grid: usize, out: usize): void {
  const N2 = N & ~1, N4 = N & ~3;
  for (let j = 0; j < G; j++) {
    const k = ld(grid, j);
    const kv = f64x2.splat(k);
    let acc = f64x2.splat(0.0);
    let i = 0;
    for (; i < N4; i += 4) {
      const p = tanh2(f64x2.add(f64x2.mul(ldv(m, i), kv), ldv(b, i)));
      const q = tanh2(f64x2.add(f64x2.mul(ldv(m, i + 2), kv), ldv(b, i + 2)));
      acc = f64x2.add(acc, f64x2.mul(ldv(n, i), p));
      acc = f64x2.add(acc, f64x2.mul(ldv(n, i + 2), q));
    }
    for (; i < N2; i += 2) {
      const p = tanh2(f64x2.add(f64x2.mul(ldv(m, i), kv), ldv(b, i)));
      acc = f64x2.add(acc, f64x2.mul(ldv(n, i), p));
    }
    let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    if (N2 < N) s += ld(n, N2) * tanh1(ld(m, N2) * k + ld(b, N2));
    st(out, j, -k + s);
  }
}
