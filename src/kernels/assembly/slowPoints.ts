/**
 * The Adam search for slow points of a full-rank task RNN (AssemblyScript; exported through rankOne.ts, the compiled
 * entry point). JS twin: analysis/slowPoints.ts slowPointAdamJs (its flowRows, gradRow and Adam loop): the same
 * float64 operations in the same order, so the two agree bit for bit (test/kernels/slowPointsWasm.test.ts).
 *
 * Every dot product Σ_{k<n} a_k b_k follows the JS `dot` of analysis/slowPoints.ts: four partial sums s_r over
 * k ≡ r (mod 4), in increasing k (here two f64x2 accumulators: lanes (s0, s1) and (s2, s3)), the tail k ≥ 4⌊n/4⌋
 * added to s0, and the result (s0 + s1) + (s2 + s3). WebAssembly has no fused multiply-add and SIMD lanes round like
 * scalars, so each partial sum rounds exactly as in JS. Two rows share each pass over the other operand (two dot
 * products at once: more independent add chains, half the loads of the shared row); each keeps its own order.
 *
 * tanh stays in JS (Math.tanh, as the JS search uses): the host computes φ = tanh(U) between {@link slowFlowDrive}
 * and {@link slowAdamStep}, one call each per Adam iteration.
 */

import { ld, ldv, st, stv } from "./fastMath";

/** Two dot products a·c (lane 0) and b·c (lane 1) of length n (byte offsets; n4 = n & ~3), each in the JS dot's order. */
// @ts-ignore: decorator
@inline function dot2(a: usize, b: usize, c: usize, n: i32, n4: i32): v128 {
  let a01 = f64x2.splat(0.0), a23 = f64x2.splat(0.0), b01 = f64x2.splat(0.0), b23 = f64x2.splat(0.0);
  let k = 0;
  for (; k < n4; k += 4) {
    const c0 = ldv(c, k), c2 = ldv(c, k + 2);
    a01 = f64x2.add(a01, f64x2.mul(ldv(a, k), c0));
    b01 = f64x2.add(b01, f64x2.mul(ldv(b, k), c0));
    a23 = f64x2.add(a23, f64x2.mul(ldv(a, k + 2), c2));
    b23 = f64x2.add(b23, f64x2.mul(ldv(b, k + 2), c2));
  }
  // tails into s0 in increasing k (JS: s0 += a[k]·b[k] after the 4-wide loop)
  let ta = f64x2.extract_lane(a01, 0), tb = f64x2.extract_lane(b01, 0);
  for (; k < n; k++) {
    const ck = ld(c, k);
    ta += ld(a, k) * ck;
    tb += ld(b, k) * ck;
  }
  const ra = (ta + f64x2.extract_lane(a01, 1)) + (f64x2.extract_lane(a23, 0) + f64x2.extract_lane(a23, 1));
  const rb = (tb + f64x2.extract_lane(b01, 1)) + (f64x2.extract_lane(b23, 0) + f64x2.extract_lane(b23, 1));
  return f64x2.replace_lane(f64x2.splat(ra), 1, rb);
}

/** One dot product in the JS dot's order. */
// @ts-ignore: decorator
@inline function dot1(a: usize, c: usize, n: i32, n4: i32): f64 {
  let a01 = f64x2.splat(0.0), a23 = f64x2.splat(0.0);
  let k = 0;
  for (; k < n4; k += 4) {
    a01 = f64x2.add(a01, f64x2.mul(ldv(a, k), ldv(c, k)));
    a23 = f64x2.add(a23, f64x2.mul(ldv(a, k + 2), ldv(c, k + 2)));
  }
  let t = f64x2.extract_lane(a01, 0);
  for (; k < n; k++) t += ld(a, k) * ld(c, k);
  return (t + f64x2.extract_lane(a01, 1)) + (f64x2.extract_lane(a23, 0) + f64x2.extract_lane(a23, 1));
}

/**
 * The drive of S states: U[s, j] = b_j + X_s·WT_j (WT = W_recᵀ, row-major [N, N], so WT_j is column j of W_rec),
 * as the JS flowRows computes the argument of tanh. Byte offsets of float64 arrays X, U [S, N], WT [N, N], b [N].
 */
export function slowFlowDrive(N: i32, S: i32, X: usize, WT: usize, b: usize, U: usize): void {
  const n4 = N & ~3;
  const rowBytes = <usize>N << 3;
  let s = 0;
  for (; s + 1 < S; s += 2) {
    const x0 = X + <usize>s * rowBytes, x1 = x0 + rowBytes;
    const u0 = U + <usize>s * rowBytes, u1 = u0 + rowBytes;
    for (let j = 0; j < N; j++) {
      const d = dot2(x0, x1, WT + <usize>j * rowBytes, N, n4);
      const bj = ld(b, j);
      st(u0, j, bj + f64x2.extract_lane(d, 0));
      st(u1, j, bj + f64x2.extract_lane(d, 1));
    }
  }
  if (s < S) {
    const x0 = X + <usize>s * rowBytes, u0 = U + <usize>s * rowBytes;
    for (let j = 0; j < N; j++) st(u0, j, ld(b, j) + dot1(x0, WT + <usize>j * rowBytes, N, n4));
  }
}

/**
 * The rest of one Adam iteration of the JS search, given φ = tanh(U) from the host:
 *   F = φ − X;  per state s: tmp_j = (1 − φ_j·φ_j)·F_j, g_i = scale·(W_i·tmp − F_i)  (W_i row i of W_rec);
 *   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g·g;  X −= (step·m)/(√v/sq + ε)
 * with β1 = 0.9, β2 = 0.999, ε = 1e-8 and the host's step = lr/(1 − β1^t), sq = √(1 − β2^t) (JS computes the powers).
 * Byte offsets: X, phi, F, g, m, v, T [S, N] (T holds tmp of every state), W [N, N]. All 16-byte aligned.
 */
export function slowAdamStep(N: i32, S: i32, X: usize, W: usize, phi: usize, F: usize, g: usize, T: usize, m: usize, v: usize,
  scale: f64, step: f64, sq: f64): void {
  const SN = S * N, n4 = N & ~3, n2 = SN & ~1;
  const rowBytes = <usize>N << 3;
  // F = φ − X and tmp = (1 − φ²)·F, elementwise over all S·N entries (rows are contiguous)
  const one = f64x2.splat(1.0);
  let k = 0;
  for (; k < n2; k += 2) {
    const p = ldv(phi, k);
    const f = f64x2.sub(p, ldv(X, k));
    stv(F, k, f);
    stv(T, k, f64x2.mul(f64x2.sub(one, f64x2.mul(p, p)), f));
  }
  for (; k < SN; k++) {
    const p = ld(phi, k);
    const f = p - ld(X, k);
    st(F, k, f);
    st(T, k, (1.0 - p * p) * f);
  }
  // g_i = scale·(W_i·tmp_s − F_{s,i}), two rows i of W per pass over tmp_s
  for (let s = 0; s < S; s++) {
    const t = T + <usize>s * rowBytes, fo = F + <usize>s * rowBytes, go = g + <usize>s * rowBytes;
    let i = 0;
    for (; i + 1 < N; i += 2) {
      const d = dot2(W + <usize>i * rowBytes, W + <usize>(i + 1) * rowBytes, t, N, n4);
      st(go, i, scale * (f64x2.extract_lane(d, 0) - ld(fo, i)));
      st(go, i + 1, scale * (f64x2.extract_lane(d, 1) - ld(fo, i + 1)));
    }
    if (i < N) st(go, i, scale * (dot1(W + <usize>i * rowBytes, t, N, n4) - ld(fo, i)));
  }
  // Adam (PyTorch's, bias-corrected through step and sq), the JS loop's operations in its order
  const b1 = f64x2.splat(0.9), c1 = f64x2.splat(1.0 - 0.9), b2 = f64x2.splat(0.999), c2 = f64x2.splat(1.0 - 0.999);
  const stepv = f64x2.splat(step), sqv = f64x2.splat(sq), eps = f64x2.splat(1e-8);
  k = 0;
  for (; k < n2; k += 2) {
    const gi = ldv(g, k);
    const mk = f64x2.add(f64x2.mul(b1, ldv(m, k)), f64x2.mul(c1, gi));
    const vk = f64x2.add(f64x2.mul(b2, ldv(v, k)), f64x2.mul(f64x2.mul(c2, gi), gi));
    stv(m, k, mk);
    stv(v, k, vk);
    stv(X, k, f64x2.sub(ldv(X, k), f64x2.div(f64x2.mul(stepv, mk), f64x2.add(f64x2.div(f64x2.sqrt(vk), sqv), eps))));
  }
  for (; k < SN; k++) {
    const gi = ld(g, k);
    const mk = 0.9 * ld(m, k) + (1.0 - 0.9) * gi;
    const vk = 0.999 * ld(v, k) + (1.0 - 0.999) * gi * gi;
    st(m, k, mk);
    st(v, k, vk);
    st(X, k, ld(X, k) - (step * mk) / (sqrt<f64>(vk) / sq + 1e-8));
  }
}
