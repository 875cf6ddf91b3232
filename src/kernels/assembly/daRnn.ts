/**
 * WebAssembly SIMD kernels of the delayed-activation (DA) RNNs with the LINEAR readout σ(wOut·x + bOut): the
 * full-rank network (training/bptt.ts fullRankKernel) and the rank-K network (training/bptt.ts lowRankKernel with
 * the linear readout, any K ≥ 1). Forward + BPTT in one call; nothing allocates; every array is a byte offset of a
 * float64 array in linear memory laid out by the host (../index.ts). The JS twins (../daTwin.ts) perform the same
 * float64 operations in the same order, so the two agree bit for bit.
 *
 * Differences from the Math.tanh reference kernels of bptt.ts (and nothing else):
 *  - tanh is {@link tanh2}/{@link tanh1} (JS: fastTanh), σ is {@link sigmoid1} (JS: fastSigmoid);
 *  - every reduction over the unit index (the readout Σ_i wOut_i x_i, κ_q = Σ_i P[q,i] x_i, Σ_j W[i,j] du_j,
 *    ∂κ_q = Σ_i M[i,q] du_i) runs on the two SIMD lanes: s = (Σ_{i even < N2} + Σ_{i odd < N2}) + the odd tail
 *    (N2 = N rounded down to even), and the readout is z = bOut + s.
 * Every other entry (u_j = b_j + x_0 W[0,j] + x_1 W[1,j] + …, u_i = b_i + M[i,0]κ_0 + M[i,1]κ_1 + …, the gradient
 * accumulations over t) keeps the reference's order of operations.
 */

import { ld, ldv, sigmoid1, st, stv, tanh1, tanh2 } from "./fastMath";

let daLastAccuracy: f64 = NaN;
let daLastGradBOut: f64 = 0.0;

/** Accuracy of the last {@link fullRankPass} or {@link lowRankLinearPass}. */
export function daAccuracy(): f64 {
  return daLastAccuracy;
}

/** ∂loss/∂bOut of the last pass with gradient. */
export function daGradBOut(): f64 {
  return daLastGradBOut;
}

// @ts-ignore: decorator
@inline function lanes(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Σ_i p[i]·q[i] on two lanes (even, odd), summed, then the odd tail. */
function dot2(p: usize, q: usize, N: i32): f64 {
  const N2 = N & ~1;
  let acc = f64x2.splat(0.0);
  for (let i = 0; i < N2; i += 2) acc = f64x2.add(acc, f64x2.mul(ldv(p, i), ldv(q, i)));
  let s = lanes(acc);
  if (N2 < N) s += ld(p, N2) * ld(q, N2);
  return s;
}

/** training/bptt.ts readoutLoss with slope 1: loss = Σ_t (o_t − y_t)²/lossScale, accuracy, dz_t. */
function readoutLoss(S: i32, o: usize, targets: usize, dz: usize, lossScale: f64): f64 {
  const f = 2.0 / lossScale;
  let loss = 0.0;
  let correct = 0;
  for (let t = 0; t < S; t++) {
    const ot = ld(o, t), y = ld(targets, t);
    const e = ot - y;
    loss += e * e;
    if ((ot > 0.5 ? 1.0 : 0.0) == y) correct++;
    st(dz, t, f * e * ot * (1.0 - ot) * 1.0);
  }
  daLastAccuracy = <f64>correct / <f64>S;
  return loss / lossScale;
}

function zero(p: usize, len: i32): void {
  memory.fill(p, 0, <usize>len << 3);
}

/**
 * One backward step through the linear readout and tanh (both DA kernels): for every unit i,
 * gx_i += dz_t·wOut_i, gwOut_i += dz_t·x_{t+1,i}, du_i = α·gx_i·(1 − φ_{t,i}²) (into dut), gb_i += du_i.
 * Two lanes, then the odd tail; elementwise, so the twin's scalar loop gives the same bits.
 */
// @ts-ignore: decorator
@inline function readoutBackStep(N: i32, d: f64, a: f64, xo: i32, xn: i32, gx: usize, wOut: usize, gw: usize, x: usize, phi: usize, dut: usize, gb: usize): void {
  const N2 = N & ~1, dv = f64x2.splat(d), av = f64x2.splat(a), one = f64x2.splat(1.0);
  for (let i = 0; i < N2; i += 2) {
    const g = f64x2.add(ldv(gx, i), f64x2.mul(dv, ldv(wOut, i)));
    stv(gx, i, g);
    stv(gw, i, f64x2.add(ldv(gw, i), f64x2.mul(dv, ldv(x, xn + i))));
    const p = ldv(phi, xo + i);
    const u = f64x2.mul(f64x2.mul(av, g), f64x2.sub(one, f64x2.mul(p, p)));
    stv(dut, i, u);
    stv(gb, i, f64x2.add(ldv(gb, i), u));
  }
  if (N2 < N) {
    const i = N2;
    const g = ld(gx, i) + d * ld(wOut, i);
    st(gx, i, g);
    st(gw, i, ld(gw, i) + d * ld(x, xn + i));
    const p = ld(phi, xo + i);
    const u = a * g * (1.0 - p * p);
    st(dut, i, u);
    st(gb, i, ld(gb, i) + u);
  }
}

/**
 * Full-rank DA network: u_j = b_j + Σ_i x_i W[i,j], x_{t+1} = (1 − α)x_t + α tanh(u), o_{t+1} = σ(wOut·x_{t+1} +
 * bOut), loss = Σ_t (o_t − y_t)²/lossScale. Arrays: W, gW [N·N] row-major; b, wOut, gx, gb, gw [N]; du [S·N];
 * targets, o, dz [S]; x [(S+1)N]; phi [SN]. Returns the loss; accuracy by {@link daAccuracy}, ∂bOut by
 * {@link daGradBOut}. Gradients written only when withGradient ≠ 0.
 *
 * Forward: u for 8 units (four f64x2 registers) at a time, accumulated over every row i in order (the reference's
 * per-entry order), then tanh2 of the four, the state update and the readout lanes. Backward: two rows of W per
 * pass over j (Σ_j W[i,j] du_j on lanes); du_t is kept for every t and ∂W = Σ_t x_t du_tᵀ is summed at the end,
 * per entry in the reference's order of t (so ∂W is written once instead of read and written at every step).
 */
export function fullRankPass(
  N: i32, S: i32, W: usize, b: usize, wOut: usize, bOut: f64,
  leak: f64, x0: f64, targets: usize, lossScale: f64,
  x: usize, phi: usize, o: usize, dz: usize, du: usize, gx: usize,
  gW: usize, gb: usize, gw: usize, withGradient: i32,
): f64 {
  const a = leak, keep = 1.0 - a;
  const N2 = N & ~1, N8 = N & ~7;
  const av = f64x2.splat(a), keepv = f64x2.splat(keep);
  for (let i = 0; i < N; i++) st(x, i, x0);
  for (let t = 0; t < S; t++) {
    const xo = t * N, xn = xo + N;
    let acc = f64x2.splat(0.0);
    let j = 0;
    for (; j < N8; j += 8) {
      let u0 = ldv(b, j), u1 = ldv(b, j + 2), u2 = ldv(b, j + 4), u3 = ldv(b, j + 6);
      for (let i = 0; i < N; i++) {
        const xi = f64x2.splat(ld(x, xo + i));
        const r = i * N + j;
        u0 = f64x2.add(u0, f64x2.mul(xi, ldv(W, r)));
        u1 = f64x2.add(u1, f64x2.mul(xi, ldv(W, r + 2)));
        u2 = f64x2.add(u2, f64x2.mul(xi, ldv(W, r + 4)));
        u3 = f64x2.add(u3, f64x2.mul(xi, ldv(W, r + 6)));
      }
      const p0 = tanh2(u0), p1 = tanh2(u1), p2 = tanh2(u2), p3 = tanh2(u3);
      stv(phi, xo + j, p0); stv(phi, xo + j + 2, p1); stv(phi, xo + j + 4, p2); stv(phi, xo + j + 6, p3);
      const v0 = f64x2.add(f64x2.mul(keepv, ldv(x, xo + j)), f64x2.mul(av, p0));
      const v1 = f64x2.add(f64x2.mul(keepv, ldv(x, xo + j + 2)), f64x2.mul(av, p1));
      const v2 = f64x2.add(f64x2.mul(keepv, ldv(x, xo + j + 4)), f64x2.mul(av, p2));
      const v3 = f64x2.add(f64x2.mul(keepv, ldv(x, xo + j + 6)), f64x2.mul(av, p3));
      stv(x, xn + j, v0); stv(x, xn + j + 2, v1); stv(x, xn + j + 4, v2); stv(x, xn + j + 6, v3);
      acc = f64x2.add(acc, f64x2.mul(ldv(wOut, j), v0));
      acc = f64x2.add(acc, f64x2.mul(ldv(wOut, j + 2), v1));
      acc = f64x2.add(acc, f64x2.mul(ldv(wOut, j + 4), v2));
      acc = f64x2.add(acc, f64x2.mul(ldv(wOut, j + 6), v3));
    }
    for (; j < N2; j += 2) {
      let u = ldv(b, j);
      for (let i = 0; i < N; i++) u = f64x2.add(u, f64x2.mul(f64x2.splat(ld(x, xo + i)), ldv(W, i * N + j)));
      const p = tanh2(u);
      stv(phi, xo + j, p);
      const v = f64x2.add(f64x2.mul(keepv, ldv(x, xo + j)), f64x2.mul(av, p));
      stv(x, xn + j, v);
      acc = f64x2.add(acc, f64x2.mul(ldv(wOut, j), v));
    }
    let s = lanes(acc);
    if (N2 < N) {
      j = N2;
      let u = ld(b, j);
      for (let i = 0; i < N; i++) u += ld(x, xo + i) * ld(W, i * N + j);
      const p = tanh1(u);
      st(phi, xo + j, p);
      const v = keep * ld(x, xo + j) + a * p;
      st(x, xn + j, v);
      s += ld(wOut, j) * v;
    }
    st(o, t, sigmoid1(bOut + s));
  }
  const loss = readoutLoss(S, o, targets, dz, lossScale);
  if (withGradient == 0) return loss;
  zero(gb, N); zero(gw, N); zero(gx, N);
  let gbo = 0.0;
  for (let t = S - 1; t >= 0; t--) {
    const d = ld(dz, t);
    const xo = t * N, xn = xo + N;
    const dut = du + (<usize>xo << 3); // du_t is kept for the deferred ∂W below
    // readout at step t+1, then du = α·gx·(1 − φ²)
    readoutBackStep(N, d, a, xo, xn, gx, wOut, gw, x, phi, dut, gb);
    gbo += d;
    // rows of W, two at a time: s_i = Σ_j W[i,j] du_j (lanes), gx_i = (1 − α)gx_i + s_i
    let i = 0;
    for (; i + 1 < N; i += 2) {
      const ra = i * N, rb = ra + N;
      let aa = f64x2.splat(0.0), ab = f64x2.splat(0.0);
      for (let j = 0; j < N2; j += 2) {
        const u = ldv(dut, j);
        aa = f64x2.add(aa, f64x2.mul(ldv(W, ra + j), u));
        ab = f64x2.add(ab, f64x2.mul(ldv(W, rb + j), u));
      }
      let sa = lanes(aa), sb = lanes(ab);
      if (N2 < N) {
        const u = ld(dut, N2);
        sa += ld(W, ra + N2) * u;
        sb += ld(W, rb + N2) * u;
      }
      st(gx, i, keep * ld(gx, i) + sa);
      st(gx, i + 1, keep * ld(gx, i + 1) + sb);
    }
    if (i < N) {
      const ra = i * N;
      let aa = f64x2.splat(0.0);
      for (let j = 0; j < N2; j += 2) aa = f64x2.add(aa, f64x2.mul(ldv(W, ra + j), ldv(dut, j)));
      let sa = lanes(aa);
      if (N2 < N) sa += ld(W, ra + N2) * ld(dut, N2);
      st(gx, i, keep * ld(gx, i) + sa);
    }
  }
  // ∂W[i,j] = Σ_t x_{t,i} du_{t,j}, accumulated from +0 over t = S−1 … 0: per entry the reference's sequence of
  // additions (gW[i,j] += x_i du_j at each backward step), done once at the end with the sums in registers
  for (let i = 0; i < N; i++) outerAccumulate(gW + (<usize>(i * N) << 3), x + (<usize>i << 3), N, du, N, N, S);
  daLastGradBOut = gbo;
  return loss;
}

/**
 * Rank-K DA network with the linear readout: κ_t = P x_t, u_t = b + M κ_t, x_{t+1} = (1 − α)x_t + α tanh(u_t),
 * o_{t+1} = σ(wOut·x_{t+1} + bOut). M is given TRANSPOSED: MT [K·N] (MT[q,i] = M[i,q]), and ∂M is accumulated
 * transposed into gMT [K·N] (the host transposes back). P, gP [K·N]; b, wOut, gx, gb, gw [N]; du [S·N];
 * kap [(S+1)K]; dk [S·K]; targets, o, dz [S]; x [(S+1)N]; phi [SN]. Returns the loss (accuracy by {@link daAccuracy}, ∂bOut by
 * {@link daGradBOut}).
 */
export function lowRankLinearPass(
  N: i32, K: i32, S: i32, MT: usize, P: usize, b: usize, wOut: usize, bOut: f64,
  leak: f64, x0: f64, targets: usize, lossScale: f64,
  x: usize, phi: usize, kap: usize, o: usize, dz: usize, du: usize, gx: usize, dk: usize,
  gMT: usize, gP: usize, gb: usize, gw: usize, withGradient: i32,
): f64 {
  const a = leak, keep = 1.0 - a;
  const N2 = N & ~1, N8 = N & ~7;
  const av = f64x2.splat(a), keepv = f64x2.splat(keep);
  for (let i = 0; i < N; i++) st(x, i, x0);
  for (let t = 0; t <= S; t++) {
    const xo = t * N, ko = t * K;
    kappaStep(N, K, P, x + (<usize>xo << 3), kap + (<usize>ko << 3));
    if (t > 0) st(o, t - 1, sigmoid1(bOut + dot2(wOut, x + (<usize>xo << 3), N)));
    if (t == S) break;
    const xn = xo + N;
    let i = 0;
    for (; i < N8; i += 8) {
      let u0 = ldv(b, i), u1 = ldv(b, i + 2), u2 = ldv(b, i + 4), u3 = ldv(b, i + 6);
      for (let q = 0; q < K; q++) {
        const kv = f64x2.splat(ld(kap, ko + q));
        const r = q * N + i;
        u0 = f64x2.add(u0, f64x2.mul(ldv(MT, r), kv));
        u1 = f64x2.add(u1, f64x2.mul(ldv(MT, r + 2), kv));
        u2 = f64x2.add(u2, f64x2.mul(ldv(MT, r + 4), kv));
        u3 = f64x2.add(u3, f64x2.mul(ldv(MT, r + 6), kv));
      }
      const p0 = tanh2(u0), p1 = tanh2(u1), p2 = tanh2(u2), p3 = tanh2(u3);
      stv(phi, xo + i, p0); stv(phi, xo + i + 2, p1); stv(phi, xo + i + 4, p2); stv(phi, xo + i + 6, p3);
      stv(x, xn + i, f64x2.add(f64x2.mul(keepv, ldv(x, xo + i)), f64x2.mul(av, p0)));
      stv(x, xn + i + 2, f64x2.add(f64x2.mul(keepv, ldv(x, xo + i + 2)), f64x2.mul(av, p1)));
      stv(x, xn + i + 4, f64x2.add(f64x2.mul(keepv, ldv(x, xo + i + 4)), f64x2.mul(av, p2)));
      stv(x, xn + i + 6, f64x2.add(f64x2.mul(keepv, ldv(x, xo + i + 6)), f64x2.mul(av, p3)));
    }
    for (; i < N2; i += 2) {
      let u = ldv(b, i);
      for (let q = 0; q < K; q++) u = f64x2.add(u, f64x2.mul(ldv(MT, q * N + i), f64x2.splat(ld(kap, ko + q))));
      const p = tanh2(u);
      stv(phi, xo + i, p);
      stv(x, xn + i, f64x2.add(f64x2.mul(keepv, ldv(x, xo + i)), f64x2.mul(av, p)));
    }
    if (N2 < N) {
      let u = ld(b, i);
      for (let q = 0; q < K; q++) u += ld(MT, q * N + i) * ld(kap, ko + q);
      const p = tanh1(u);
      st(phi, xo + i, p);
      st(x, xn + i, keep * ld(x, xo + i) + a * p);
    }
  }
  const loss = readoutLoss(S, o, targets, dz, lossScale);
  if (withGradient == 0) return loss;
  zero(gb, N); zero(gw, N); zero(gx, N);
  let gbo = 0.0;
  for (let t = S - 1; t >= 0; t--) {
    const d = ld(dz, t);
    const xo = t * N, xn = xo + N, ko = t * K;
    const dut = du + (<usize>xo << 3), dkt = dk + (<usize>ko << 3); // kept for the deferred ∂M, ∂P below
    // readout at step t+1, then du = α·gx·(1 − φ²)
    readoutBackStep(N, d, a, xo, xn, gx, wOut, gw, x, phi, dut, gb);
    gbo += d;
    // ∂κ_q = Σ_i M[i,q] du_i (lanes), four q per pass over du
    kappaStep(N, K, MT, dut, dkt);
    // gx_i = (1 − α)gx_i + Σ_q ∂κ_q P[q,i] (in order of q)
    let i = 0;
    for (; i < N8; i += 8) {
      let g0 = f64x2.mul(keepv, ldv(gx, i)), g1 = f64x2.mul(keepv, ldv(gx, i + 2));
      let g2 = f64x2.mul(keepv, ldv(gx, i + 4)), g3 = f64x2.mul(keepv, ldv(gx, i + 6));
      for (let q = 0; q < K; q++) {
        const kv = f64x2.splat(ld(dkt, q)), r = q * N + i;
        g0 = f64x2.add(g0, f64x2.mul(kv, ldv(P, r)));
        g1 = f64x2.add(g1, f64x2.mul(kv, ldv(P, r + 2)));
        g2 = f64x2.add(g2, f64x2.mul(kv, ldv(P, r + 4)));
        g3 = f64x2.add(g3, f64x2.mul(kv, ldv(P, r + 6)));
      }
      stv(gx, i, g0); stv(gx, i + 2, g1); stv(gx, i + 4, g2); stv(gx, i + 6, g3);
    }
    for (; i < N2; i += 2) {
      let g = f64x2.mul(keepv, ldv(gx, i));
      for (let q = 0; q < K; q++) g = f64x2.add(g, f64x2.mul(f64x2.splat(ld(dkt, q)), ldv(P, q * N + i)));
      stv(gx, i, g);
    }
    if (N2 < N) {
      let g = keep * ld(gx, i);
      for (let q = 0; q < K; q++) g += ld(dkt, q) * ld(P, q * N + i);
      st(gx, i, g);
    }
  }
  // ∂Mᵀ[q,i] = Σ_t κ_{t,q} du_{t,i} and ∂P[q,i] = Σ_t ∂κ_{t,q} x_{t,i}, accumulated from +0 over t = S−1 … 0 (per
  // entry the reference's sequence of additions at each backward step), once at the end with the sums in registers
  for (let q = 0; q < K; q++) {
    outerAccumulate(gMT + (<usize>(q * N) << 3), kap + (<usize>q << 3), K, du, N, N, S);
    outerAccumulate(gP + (<usize>(q * N) << 3), dk + (<usize>q << 3), K, x, N, N, S);
  }
  daLastGradBOut = gbo;
  return loss;
}

/**
 * out[j] = Σ_{t = S−1 … 0} c[t·cs] · v[t·vs + j] for j < N, each sum started from +0 and added in that order of t
 * (eight entries at a time in four f64x2 registers, then pairs, then the odd tail). The products are c·v.
 */
function outerAccumulate(out: usize, c: usize, cs: i32, v: usize, vs: i32, N: i32, S: i32): void {
  const N2 = N & ~1, N8 = N & ~7;
  let j = 0;
  for (; j < N8; j += 8) {
    let a0 = f64x2.splat(0.0), a1 = f64x2.splat(0.0), a2 = f64x2.splat(0.0), a3 = f64x2.splat(0.0);
    for (let t = S - 1; t >= 0; t--) {
      const cv = f64x2.splat(ld(c, t * cs)), r = t * vs + j;
      a0 = f64x2.add(a0, f64x2.mul(cv, ldv(v, r)));
      a1 = f64x2.add(a1, f64x2.mul(cv, ldv(v, r + 2)));
      a2 = f64x2.add(a2, f64x2.mul(cv, ldv(v, r + 4)));
      a3 = f64x2.add(a3, f64x2.mul(cv, ldv(v, r + 6)));
    }
    stv(out, j, a0); stv(out, j + 2, a1); stv(out, j + 4, a2); stv(out, j + 6, a3);
  }
  for (; j < N2; j += 2) {
    let a0 = f64x2.splat(0.0);
    for (let t = S - 1; t >= 0; t--) a0 = f64x2.add(a0, f64x2.mul(f64x2.splat(ld(c, t * cs)), ldv(v, t * vs + j)));
    stv(out, j, a0);
  }
  if (N2 < N) {
    let a0 = 0.0;
    for (let t = S - 1; t >= 0; t--) a0 += ld(c, t * cs) * ld(v, t * vs + j);
    st(out, j, a0);
  }
}

/** κ_q = Σ_i P[q,i] x_i for q < K (lanes, then the odd tail), four rows of P per pass over x. */
function kappaStep(N: i32, K: i32, P: usize, x: usize, kap: usize): void {
  const N2 = N & ~1;
  let q = 0;
  for (; q + 3 < K; q += 4) {
    const r0 = q * N, r1 = r0 + N, r2 = r1 + N, r3 = r2 + N;
    let a0 = f64x2.splat(0.0), a1 = f64x2.splat(0.0), a2 = f64x2.splat(0.0), a3 = f64x2.splat(0.0);
    for (let i = 0; i < N2; i += 2) {
      const xv = ldv(x, i);
      a0 = f64x2.add(a0, f64x2.mul(ldv(P, r0 + i), xv));
      a1 = f64x2.add(a1, f64x2.mul(ldv(P, r1 + i), xv));
      a2 = f64x2.add(a2, f64x2.mul(ldv(P, r2 + i), xv));
      a3 = f64x2.add(a3, f64x2.mul(ldv(P, r3 + i), xv));
    }
    let s0 = lanes(a0), s1 = lanes(a1), s2 = lanes(a2), s3 = lanes(a3);
    if (N2 < N) {
      const xt = ld(x, N2);
      s0 += ld(P, r0 + N2) * xt; s1 += ld(P, r1 + N2) * xt; s2 += ld(P, r2 + N2) * xt; s3 += ld(P, r3 + N2) * xt;
    }
    st(kap, q, s0); st(kap, q + 1, s1); st(kap, q + 2, s2); st(kap, q + 3, s3);
  }
  for (; q < K; q++) st(kap, q, dot2(P + (<usize>(q * N) << 3), x, N));
}

// ---- fused SGD loops ------------------------------------------------------------------------------------------------

let daStatus: i32 = 0;
let daBound: f64 = 0.0;

/** How the last {@link daTrain} ended: 0 all epochs run, 1 a non-finite loss or norm, 2 the overflow guard. */
export function daTrainStatus(): i32 {
  return daStatus;
}

/** max |p| over every parameter after the last update of {@link daTrain}. */
export function daTrainBound(): f64 {
  return daBound;
}

/** p[i] ← p[i] − lr·g[i] for i < len (two lanes, then the tail); returns max(m, max_i |p[i]|). */
function sgdStep(p: usize, g: usize, len: i32, lr: f64, m: f64): f64 {
  const len2 = len & ~1, lrv = f64x2.splat(lr);
  let mx = f64x2.splat(m);
  for (let i = 0; i < len2; i += 2) {
    const v = f64x2.sub(ldv(p, i), f64x2.mul(lrv, ldv(g, i)));
    stv(p, i, v);
    mx = f64x2.pmax(mx, f64x2.abs(v));
  }
  let r = max<f64>(f64x2.extract_lane(mx, 0), f64x2.extract_lane(mx, 1));
  if (len2 < len) {
    const v = ld(p, len2) - lr * ld(g, len2);
    st(p, len2, v);
    r = max<f64>(r, abs<f64>(v));
  }
  return r;
}

/** Σ g[i]² added to s in order of i (sequential, as training/trainRnn.ts's norm). */
function sumSquares(g: usize, len: i32, s: f64): f64 {
  for (let i = 0; i < len; i++) { const v = ld(g, i); s += v * v; }
  return s;
}

/**
 * Full-batch SGD of a full-rank (low == 0) or rank-K linear-readout (low ≠ 0) DA network, up to `epochs` epochs, in
 * place, every parameter group trainable: per epoch one pass ({@link fullRankPass} / {@link lowRankLinearPass}),
 * the global gradient norm √(Σ g²) summed sequentially in the trainer's group order (W, b, wOut, bOut or M [N,K]
 * row-major, P, b, wOut, bOut), then p ← p − learningRate·g and the bound max |p|. Records loss, accuracy and norm per
 * epoch into lossOut, accOut, normOut. Stops BEFORE the update of the first epoch whose loss or norm is not finite
 * (status 1) or for which bound + learningRate·norm ≤ 1e300 fails (status 2; that epoch's gradients stay in the
 * gradient arrays, ∂bOut in gbo[0]). W holds W (full) or Mᵀ (low), G its gradient (∂Mᵀ); bOut and gbo are one-entry
 * arrays. Returns the number of epochs whose record was written. The same operations as the trainer's loop on the
 * pass, bit for bit.
 */
export function daTrain(
  low: i32, N: i32, K: i32, S: i32, W: usize, P: usize, b: usize, wOut: usize, bOut: usize,
  leak: f64, x0: f64, targets: usize, lossScale: f64,
  x: usize, phi: usize, kap: usize, o: usize, dz: usize, du: usize, gx: usize, dk: usize,
  G: usize, gP: usize, gb: usize, gw: usize, gbo: usize,
  learningRate: f64, epochs: i32, lossOut: usize, accOut: usize, normOut: usize, bound: f64,
): i32 {
  daStatus = 0;
  for (let e = 0; e < epochs; e++) {
    const L = low != 0
      ? lowRankLinearPass(N, K, S, W, P, b, wOut, ld(bOut, 0), leak, x0, targets, lossScale, x, phi, kap, o, dz, du, gx, dk, G, gP, gb, gw, 1)
      : fullRankPass(N, S, W, b, wOut, ld(bOut, 0), leak, x0, targets, lossScale, x, phi, o, dz, du, gx, G, gb, gw, 1);
    st(gbo, 0, daLastGradBOut);
    let sq = 0.0;
    if (low != 0) {
      for (let i = 0; i < N; i++) for (let q = 0; q < K; q++) { const v = ld(G, q * N + i); sq += v * v; }
      sq = sumSquares(gP, K * N, sq);
    } else {
      sq = sumSquares(G, N * N, sq);
    }
    sq = sumSquares(gb, N, sq);
    sq = sumSquares(gw, N, sq);
    sq = sumSquares(gbo, 1, sq);
    const norm = sqrt<f64>(sq);
    st(lossOut, e, L);
    st(accOut, e, daLastAccuracy);
    st(normOut, e, norm);
    if (!isFinite<f64>(L) || !isFinite<f64>(norm)) { daStatus = 1; return e + 1; }
    if (!(bound + learningRate * norm <= 1e300)) { daStatus = 2; return e + 1; }
    let m = sgdStep(W, G, low != 0 ? K * N : N * N, learningRate, 0.0);
    if (low != 0) m = sgdStep(P, gP, K * N, learningRate, m);
    m = sgdStep(b, gb, N, learningRate, m);
    m = sgdStep(wOut, gw, N, learningRate, m);
    const bo = ld(bOut, 0) - learningRate * ld(gbo, 0);
    st(bOut, 0, bo);
    bound = max<f64>(m, abs<f64>(bo));
    daBound = bound;
  }
  return epochs;
}
