/**
 * WebAssembly SIMD kernels of the v2 task RNN (models/taskRnn.ts taskRnnForwardKernel, training/taskBptt.ts
 * taskRnnBackwardKernel), batched over trials, low rank (any K) and full rank, tanh or sigmoid readout, optional
 * mask, r_0 and input noise drawn by the host.
 *
 * Bit identity with the JS kernels: every float64 value is computed with the same operations in the same order.
 * tanh runs two lanes at a time over the N units (elementwise, so lanes do not change it). Every reduction keeps
 * the JS kernel's sequential order by putting the lanes on the OTHER index:
 *   q_k = Σ_i r_i Sl[i, k]         lanes over k (pairs of k), i sequential          (Sl [N, K])
 *   h_j += r_i W[i, j]             lanes over j, i sequential (rows of W)           (full rank drive)
 *   s_k = Σ_j Sr[k, j] dh_j        lanes over k, j sequential                       (SrT = Srᵀ [N, K])
 *   gprev_i = Σ_k Sl[i, k] gq_k    lanes over i, k sequential                       (SlT = Slᵀ [K, N])
 *   gprev_i = Σ_j W[i, j] dh_j     lanes over i, j sequential                       (WT = Wᵀ [N, N])
 *   ∂W[i, j] += Σ_m r_m dh_m       lanes over j, per step t (descending) and block of 4 trials (as the JS loop)
 * The readout sums (a = bOut + Σ Wout·q or Wout·r) and the loss (summed in (t, b, o) order) stay scalar.
 * Rank 2 with one input (v2 Fig 4) runs the fused kernel taskPassRank2 (forward and BPTT chunk by chunk of trials).
 *
 * Memory (byte offsets of float64 arrays, laid out by the host kernels/index.ts WasmKernels.taskPass), b = trial,
 * t = step:
 *   R [B, S + 1, N]: on entry R[b, 0] = ξ_b (when ρ > 0) and R[b, t + 1] = η_(b, t) (when σ_n > 0), the host's
 *   draws in the Rng's order; on exit the rates r_0…r_S (r_0 = tanh(ρ ξ), r_(t+1) overwrites η_t after use).
 *   Z [B·S, N] = z_t = tanh(h_t) (the backward pass overwrites it with dh_t); Q [B·S, K] = r_t·Sl (low rank);
 *   O [B·S, Dout] = ŷ_t; H [N] scratch.
 */
import { ld, ldv, sigmoid1, st, stv, tanh1, tanh2 } from "./fastMath";
import { normalBlocks } from "./rng";

// @ts-ignore: decorator
@inline function splat(x: f64): v128 {
  return f64x2.splat(x);
}
// @ts-ignore: decorator
@inline function vadd(a: v128, b: v128): v128 {
  return f64x2.add(a, b);
}
// @ts-ignore: decorator
@inline function vmul(a: v128, b: v128): v128 {
  return f64x2.mul(a, b);
}

/** H[j] = bIn[j] + Σ_d Win[j, d]·U[uOff + d] (d sequential), lanes over j. */
// @ts-ignore: decorator
@inline function driveInput(N: i32, Din: i32, Win: usize, bIn: usize, U: usize, uOff: i32, H: usize): void {
  const N2 = N & ~1;
  for (let j = 0; j < N2; j += 2) {
    let h = ldv(bIn, j);
    for (let d = 0; d < Din; d++) {
      const w = Din == 1 ? ldv(Win, j) : f64x2.replace_lane(splat(ld(Win, j * Din + d)), 1, ld(Win, (j + 1) * Din + d));
      h = vadd(h, vmul(w, splat(ld(U, uOff + d))));
    }
    stv(H, j, h);
  }
  if (N2 < N) {
    let s = ld(bIn, N2);
    for (let d = 0; d < Din; d++) s += ld(Win, N2 * Din + d) * ld(U, uOff + d);
    st(H, N2, s);
  }
}

/**
 * Forward pass over B trials (see the module doc for the layout): r_0, then for t = 0…S − 1 the readout
 * ŷ_t = g(readout(r_t)), z_t = tanh(h_t + σ_n η_t), r_(t+1) = (1 − α) r_t + α z_t. Returns Σ m (ŷ − y)² in (b, t, o)
 * order (m = 1 without a mask); the host divides by the loss denominator. low ≠ 0: rank K (Sl [N, K], Sr [K, N],
 * Wout [Dout, K]); else full rank (W [N, N], Wout [Dout, N]). sig ≠ 0: sigmoid readout, else tanh.
 */
export function taskForward(
  low: i32, N: i32, K: i32, Din: i32, Dout: i32, B: i32, S: i32,
  alpha: f64, rho: f64, sigma: f64, sig: i32, hasMask: i32,
  Win: usize, bIn: usize, Sl: usize, Sr: usize, W: usize, Wout: usize, bOut: usize,
  U: usize, Y: usize, M: usize,
  R: usize, Z: usize, Q: usize, O: usize, H: usize,
): f64 {
  const keep = 1.0 - alpha;
  const N2 = N & ~1, K2 = K & ~1;
  const av = splat(alpha), kv = splat(keep), sv = splat(sigma), rv = splat(rho), zero = splat(0.0);
  for (let b = 0; b < B; b++) {
    const r0 = b * (S + 1) * N;
    if (rho > 0) {
      for (let i = 0; i < N2; i += 2) stv(R, r0 + i, tanh2(vmul(rv, ldv(R, r0 + i))));
      if (N2 < N) st(R, r0 + N2, tanh1(rho * ld(R, r0 + N2)));
    } else {
      for (let i = 0; i < N; i++) st(R, r0 + i, 0.0);
    }
    for (let t = 0; t < S; t++) {
      const rOff = r0 + t * N, rNext = rOff + N, bt = b * S + t, zOff = bt * N, qOff = bt * K;
      driveInput(N, Din, Win, bIn, U, bt * Din, H);
      if (low) {
        for (let k = 0; k < K2; k += 2) {
          let acc = zero;
          for (let i = 0; i < N; i++) acc = vadd(acc, vmul(splat(ld(R, rOff + i)), ldv(Sl, i * K + k)));
          stv(Q, qOff + k, acc);
        }
        if (K2 < K) {
          let s = 0.0;
          for (let i = 0; i < N; i++) s += ld(R, rOff + i) * ld(Sl, i * K + K2);
          st(Q, qOff + K2, s);
        }
        for (let k = 0; k < K; k++) {
          const qk = ld(Q, qOff + k), qv = splat(qk), row = k * N;
          for (let j = 0; j < N2; j += 2) stv(H, j, vadd(ldv(H, j), vmul(qv, ldv(Sr, row + j))));
          if (N2 < N) st(H, N2, ld(H, N2) + qk * ld(Sr, row + N2));
        }
      } else {
        // h_j += r_i W[i, j], i sequential (every row, as taskRnnDriveRow), 8 columns per block.
        let j = 0;
        for (; j + 8 <= N; j += 8) {
          let h0 = ldv(H, j), h1 = ldv(H, j + 2), h2 = ldv(H, j + 4), h3 = ldv(H, j + 6);
          for (let i = 0; i < N; i++) {
            const r = splat(ld(R, rOff + i)), p = i * N + j;
            h0 = vadd(h0, vmul(r, ldv(W, p)));
            h1 = vadd(h1, vmul(r, ldv(W, p + 2)));
            h2 = vadd(h2, vmul(r, ldv(W, p + 4)));
            h3 = vadd(h3, vmul(r, ldv(W, p + 6)));
          }
          stv(H, j, h0); stv(H, j + 2, h1); stv(H, j + 4, h2); stv(H, j + 6, h3);
        }
        for (; j + 2 <= N; j += 2) {
          let h0 = ldv(H, j);
          for (let i = 0; i < N; i++) h0 = vadd(h0, vmul(splat(ld(R, rOff + i)), ldv(W, i * N + j)));
          stv(H, j, h0);
        }
        if (j < N) {
          let s = ld(H, j);
          for (let i = 0; i < N; i++) s += ld(R, rOff + i) * ld(W, i * N + j);
          st(H, j, s);
        }
      }
      // Readout of r_t (before the update).
      for (let o = 0; o < Dout; o++) {
        let a = ld(bOut, o);
        if (low) for (let k = 0; k < K; k++) a += ld(Wout, o * K + k) * ld(Q, qOff + k);
        else for (let i = 0; i < N; i++) a += ld(Wout, o * N + i) * ld(R, rOff + i);
        st(O, bt * Dout + o, sig ? sigmoid1(a) : tanh1(a));
      }
      // Noise (η_t sits in R[b, t + 1]), tanh, leaky update (overwrites η_t).
      // (two independent tanh2 per iteration where N allows: the CPU overlaps their dependency chains; elementwise,
      // so the same bits as one per iteration)
      const N4 = N & ~3;
      if (sigma > 0) {
        for (let j = 0; j < N4; j += 4) {
          const z = tanh2(vadd(ldv(H, j), vmul(sv, ldv(R, rNext + j))));
          const y = tanh2(vadd(ldv(H, j + 2), vmul(sv, ldv(R, rNext + j + 2))));
          stv(Z, zOff + j, z);
          stv(Z, zOff + j + 2, y);
          stv(R, rNext + j, vadd(vmul(kv, ldv(R, rOff + j)), vmul(av, z)));
          stv(R, rNext + j + 2, vadd(vmul(kv, ldv(R, rOff + j + 2)), vmul(av, y)));
        }
        for (let j = N4; j < N2; j += 2) {
          const z = tanh2(vadd(ldv(H, j), vmul(sv, ldv(R, rNext + j))));
          stv(Z, zOff + j, z);
          stv(R, rNext + j, vadd(vmul(kv, ldv(R, rOff + j)), vmul(av, z)));
        }
        if (N2 < N) {
          const z = tanh1(ld(H, N2) + sigma * ld(R, rNext + N2));
          st(Z, zOff + N2, z);
          st(R, rNext + N2, keep * ld(R, rOff + N2) + alpha * z);
        }
      } else {
        for (let j = 0; j < N4; j += 4) {
          const z = tanh2(ldv(H, j)), y = tanh2(ldv(H, j + 2));
          stv(Z, zOff + j, z);
          stv(Z, zOff + j + 2, y);
          stv(R, rNext + j, vadd(vmul(kv, ldv(R, rOff + j)), vmul(av, z)));
          stv(R, rNext + j + 2, vadd(vmul(kv, ldv(R, rOff + j + 2)), vmul(av, y)));
        }
        for (let j = N4; j < N2; j += 2) {
          const z = tanh2(ldv(H, j));
          stv(Z, zOff + j, z);
          stv(R, rNext + j, vadd(vmul(kv, ldv(R, rOff + j)), vmul(av, z)));
        }
        if (N2 < N) {
          const z = tanh1(ld(H, N2));
          st(Z, zOff + N2, z);
          st(R, rNext + N2, keep * ld(R, rOff + N2) + alpha * z);
        }
      }
    }
  }
  // Σ m (ŷ − y)² in the JS kernel's order: step t outer, then trial b, then output o.
  let sq = 0.0;
  for (let t = 0; t < S; t++) {
    for (let b = 0; b < B; b++) {
      const i0 = (b * S + t) * Dout;
      for (let i = i0; i < i0 + Dout; i++) {
        const e = ld(O, i) - ld(Y, i);
        sq += hasMask ? ld(M, i) * e * e : e * e;
      }
    }
  }
  return sq;
}

/**
 * BPTT over B trials from the buffers of the last {@link taskForward} (Z is overwritten with dh). Gradients
 * (overwritten): gWin [N, Din], gbIn [N], gWout, gbOut [Dout]; low rank gSlT = (∂L/∂Sl)ᵀ [K, N] and gSr [K, N];
 * full rank gW [N, N]. Parameters: SlT = Slᵀ [K, N], SrT = Srᵀ [N, K] (low rank), WT = Wᵀ [N, N] (full rank).
 * Scratch: E [4·Dout], GQ [K], GR [B·N], GP [8·N]. scale = 2/D (D the loss denominator). Low rank: trial by trial,
 * t = S − 1…0 (as the JS kernel); full rank: {@link fullRankBackward}.
 */
export function taskBackward(
  low: i32, N: i32, K: i32, Din: i32, Dout: i32, B: i32, S: i32,
  alpha: f64, scale: f64, sig: i32, hasMask: i32,
  SlT: usize, SrT: usize, WT: usize, Wout: usize,
  U: usize, Y: usize, M: usize, R: usize, Z: usize, Q: usize, O: usize,
  E: usize, GQ: usize, GR: usize, GP: usize,
  gWin: usize, gbIn: usize, gSlT: usize, gSr: usize, gW: usize, gWout: usize, gbOut: usize,
): void {
  const keep = 1.0 - alpha;
  const N2 = N & ~1, K2 = K & ~1;
  const av = splat(alpha), kv = splat(keep), one = splat(1.0), zero = splat(0.0);
  memory.fill(gWin, 0, <usize>(N * Din) << 3);
  memory.fill(gbIn, 0, <usize>N << 3);
  memory.fill(gbOut, 0, <usize>Dout << 3);
  if (low) {
    memory.fill(gWout, 0, <usize>(Dout * K) << 3);
    memory.fill(gSlT, 0, <usize>(K * N) << 3);
    memory.fill(gSr, 0, <usize>(K * N) << 3);
  } else {
    memory.fill(gWout, 0, <usize>(Dout * N) << 3);
    memory.fill(gW, 0, <usize>(N * N) << 3);
  }
  if (!low) {
    fullRankBackward(N, Din, Dout, B, S, alpha, scale, sig, hasMask, WT, Wout, U, Y, M, R, Z, O, E, GR, GP, gWin, gbIn, gW, gWout, gbOut);
    return;
  }
  for (let b = 0; b < B; b++) {
    memory.fill(GR, 0, <usize>N << 3);
    const r0 = b * (S + 1) * N;
    for (let t = S - 1; t >= 0; t--) {
      const rOff = r0 + t * N, bt = b * S + t, zOff = bt * N, uOff = bt * Din, qOff = bt * K;
      // dh = α g_r ⊙ (1 − z²) (into Z), ∇bIn, ∇Win
      if (Din == 1) {
        const uv = splat(ld(U, uOff));
        for (let j = 0; j < N2; j += 2) {
          const z = ldv(Z, zOff + j);
          const d = vmul(vmul(av, ldv(GR, j)), f64x2.sub(one, vmul(z, z)));
          stv(Z, zOff + j, d);
          stv(gbIn, j, vadd(ldv(gbIn, j), d));
          stv(gWin, j, vadd(ldv(gWin, j), vmul(d, uv)));
        }
      } else {
        for (let j = 0; j < N2; j += 2) {
          const z = ldv(Z, zOff + j);
          const d = vmul(vmul(av, ldv(GR, j)), f64x2.sub(one, vmul(z, z)));
          stv(Z, zOff + j, d);
          stv(gbIn, j, vadd(ldv(gbIn, j), d));
        }
        for (let j = 0; j < N2; j++) {
          const d = ld(Z, zOff + j);
          for (let k = 0; k < Din; k++) st(gWin, j * Din + k, ld(gWin, j * Din + k) + d * ld(U, uOff + k));
        }
      }
      if (N2 < N) {
        const z = ld(Z, zOff + N2);
        const d = alpha * ld(GR, N2) * (1.0 - z * z);
        st(Z, zOff + N2, d);
        st(gbIn, N2, ld(gbIn, N2) + d);
        for (let k = 0; k < Din; k++) st(gWin, N2 * Din + k, ld(gWin, N2 * Din + k) + d * ld(U, uOff + k));
      }
      // Readout error of step t.
      for (let o = 0; o < Dout; o++) {
        const idx = bt * Dout + o, yhat = ld(O, idx);
        const w = hasMask ? ld(M, idx) : 1.0;
        const deriv = sig ? yhat * (1.0 - yhat) : 1.0 - yhat * yhat;
        const e = scale * w * (yhat - ld(Y, idx)) * deriv;
        st(E, o, e);
        st(gbOut, o, ld(gbOut, o) + e);
      }
      if (low) {
        // g_q = Sr·dh + Woutᵀe (lanes over k), ∇Sr, ∇Wout
        for (let k = 0; k < K2; k += 2) {
          let acc = zero;
          for (let j = 0; j < N; j++) acc = vadd(acc, vmul(ldv(SrT, j * K + k), splat(ld(Z, zOff + j))));
          for (let o = 0; o < Dout; o++) acc = vadd(acc, vmul(ldv(Wout, o * K + k), splat(ld(E, o))));
          stv(GQ, k, acc);
        }
        if (K2 < K) {
          let s = 0.0;
          for (let j = 0; j < N; j++) s += ld(SrT, j * K + K2) * ld(Z, zOff + j);
          for (let o = 0; o < Dout; o++) s += ld(Wout, o * K + K2) * ld(E, o);
          st(GQ, K2, s);
        }
        for (let k = 0; k < K; k++) {
          const qk = ld(Q, qOff + k), qv = splat(qk), row = k * N;
          for (let j = 0; j < N2; j += 2) stv(gSr, row + j, vadd(ldv(gSr, row + j), vmul(qv, ldv(Z, zOff + j))));
          if (N2 < N) st(gSr, row + N2, ld(gSr, row + N2) + qk * ld(Z, zOff + N2));
          for (let o = 0; o < Dout; o++) st(gWout, o * K + k, ld(gWout, o * K + k) + ld(E, o) * qk);
        }
        // g_prev = Sl·g_q (lanes over i), ∇Sl (transposed), g_r ← (1 − α) g_r + g_prev
        for (let i = 0; i < N2; i += 2) {
          let acc = zero;
          const rv = ldv(R, rOff + i);
          for (let k = 0; k < K; k++) {
            const g = splat(ld(GQ, k)), p = k * N + i;
            stv(gSlT, p, vadd(ldv(gSlT, p), vmul(rv, g)));
            acc = vadd(acc, vmul(ldv(SlT, p), g));
          }
          stv(GR, i, vadd(vmul(kv, ldv(GR, i)), acc));
        }
        if (N2 < N) {
          let s = 0.0;
          const ri = ld(R, rOff + N2);
          for (let k = 0; k < K; k++) {
            const g = ld(GQ, k), p = k * N + N2;
            st(gSlT, p, ld(gSlT, p) + ri * g);
            s += ld(SlT, p) * g;
          }
          st(GR, N2, keep * ld(GR, N2) + s);
        }
      }
    }
  }
}

// ---- fused fast path for rank 2 with one input (the paper's v2 Fig 4 models) --------------------------------------
// The same operations in the same order as the general path above (and the JS kernels), in fewer passes over the
// units: the drive, noise, tanh and update of step t and the latent q_(t+1) = r_(t+1)·Sl (lanes over k, units in
// order) in one loop; in BPTT, dh, ∇bIn, ∇Win, ∇Sr and s_k = Σ_j Sr[k, j] dh_j (units in order) in one loop.

// @ts-ignore: decorator
@inline function lane0(v: v128): v128 {
  return f64x2.splat(f64x2.extract_lane(v, 0));
}
// @ts-ignore: decorator
@inline function lane1(v: v128): v128 {
  return f64x2.splat(f64x2.extract_lane(v, 1));
}

function forwardRank2Trial(
  b: i32, N: i32, Dout: i32, S: i32, alpha: f64, rho: f64, sigma: f64, sig: i32,
  Win: usize, bIn: usize, Sl: usize, Sr: usize, Wout: usize, bOut: usize, U: usize, D: usize, R: usize, Z: usize, Q: usize, O: usize,
): void {
  // R, Z, Q: this trial's rates [S + 1, N], z [S, N], q [S, 2]; D: this trial's draws [S + 1, N] (may be R itself).
  const keep = 1.0 - alpha, N2 = N & ~1;
  const av = splat(alpha), kv = splat(keep), sv = splat(sigma), rv = splat(rho), zero = splat(0.0);
  const r0 = 0;
  if (rho > 0) {
    for (let i = 0; i < N2; i += 2) stv(R, r0 + i, tanh2(vmul(rv, ldv(D, r0 + i))));
    if (N2 < N) st(R, r0 + N2, tanh1(rho * ld(D, r0 + N2)));
  } else {
    for (let i = 0; i < N; i++) st(R, r0 + i, 0.0);
  }
  let q = zero;
  for (let i = 0; i < N; i++) q = vadd(q, vmul(splat(ld(R, r0 + i)), ldv(Sl, 2 * i)));
  for (let t = 0; t < S; t++) {
    const rOff = r0 + t * N, rNext = rOff + N, bt = b * S + t, zOff = t * N;
    stv(Q, 2 * t, q);
    const q0 = f64x2.extract_lane(q, 0), q1 = f64x2.extract_lane(q, 1);
    for (let o = 0; o < Dout; o++) {
      let a = ld(bOut, o);
      a += ld(Wout, 2 * o) * q0;
      a += ld(Wout, 2 * o + 1) * q1;
      st(O, bt * Dout + o, sig ? sigmoid1(a) : tanh1(a));
    }
    const u = ld(U, bt), uv = splat(u), q0v = splat(q0), q1v = splat(q1);
    let qn = zero;
    // two independent tanh2 per iteration (four units), so the CPU overlaps their dependency chains; qn still adds
    // the units in increasing j (the same operations in the same order as the two-unit loop below)
    const N4 = N & ~3;
    let j = 0;
    for (; j < N4; j += 4) {
      let h = vadd(ldv(bIn, j), vmul(ldv(Win, j), uv));
      let g = vadd(ldv(bIn, j + 2), vmul(ldv(Win, j + 2), uv));
      h = vadd(h, vmul(q0v, ldv(Sr, j)));
      g = vadd(g, vmul(q0v, ldv(Sr, j + 2)));
      h = vadd(h, vmul(q1v, ldv(Sr, N + j)));
      g = vadd(g, vmul(q1v, ldv(Sr, N + j + 2)));
      if (sigma > 0) {
        h = vadd(h, vmul(sv, ldv(D, rNext + j)));
        g = vadd(g, vmul(sv, ldv(D, rNext + j + 2)));
      }
      const z = tanh2(h), y = tanh2(g);
      stv(Z, zOff + j, z);
      stv(Z, zOff + j + 2, y);
      const rn = vadd(vmul(kv, ldv(R, rOff + j)), vmul(av, z));
      const rm = vadd(vmul(kv, ldv(R, rOff + j + 2)), vmul(av, y));
      stv(R, rNext + j, rn);
      stv(R, rNext + j + 2, rm);
      qn = vadd(qn, vmul(lane0(rn), ldv(Sl, 2 * j)));
      qn = vadd(qn, vmul(lane1(rn), ldv(Sl, 2 * j + 2)));
      qn = vadd(qn, vmul(lane0(rm), ldv(Sl, 2 * j + 4)));
      qn = vadd(qn, vmul(lane1(rm), ldv(Sl, 2 * j + 6)));
    }
    for (; j < N2; j += 2) {
      let h = vadd(ldv(bIn, j), vmul(ldv(Win, j), uv));
      h = vadd(h, vmul(q0v, ldv(Sr, j)));
      h = vadd(h, vmul(q1v, ldv(Sr, N + j)));
      if (sigma > 0) h = vadd(h, vmul(sv, ldv(D, rNext + j)));
      const z = tanh2(h);
      stv(Z, zOff + j, z);
      const rn = vadd(vmul(kv, ldv(R, rOff + j)), vmul(av, z));
      stv(R, rNext + j, rn);
      qn = vadd(qn, vmul(lane0(rn), ldv(Sl, 2 * j)));
      qn = vadd(qn, vmul(lane1(rn), ldv(Sl, 2 * j + 2)));
    }
    if (N2 < N) {
      const j = N2;
      let h = ld(bIn, j) + ld(Win, j) * u;
      h += q0 * ld(Sr, j);
      h += q1 * ld(Sr, N + j);
      if (sigma > 0) h += sigma * ld(D, rNext + j);
      const z = tanh1(h);
      st(Z, zOff + j, z);
      const rn = keep * ld(R, rOff + j) + alpha * z;
      st(R, rNext + j, rn);
      qn = vadd(qn, vmul(splat(rn), ldv(Sl, 2 * j)));
    }
    q = qn;
  }
}

function backwardRank2Trial(
  b: i32, N: i32, Dout: i32, S: i32, alpha: f64, scale: f64, sig: i32, hasMask: i32,
  SlT: usize, SrT: usize, Wout: usize, U: usize, Y: usize, M: usize, R: usize, Z: usize, Q: usize, O: usize,
  E: usize, GR: usize, gWin: usize, gbIn: usize, gSlT: usize, gSr: usize, gWout: usize, gbOut: usize,
): void {
  const keep = 1.0 - alpha, N2 = N & ~1;
  const av = splat(alpha), kv = splat(keep), one = splat(1.0), zero = splat(0.0);
  // R, Z, Q: this trial's rates [S + 1, N], z [S, N] (overwritten by dh), q [S, 2].
  for (let t = S - 1; t >= 0; t--) {
    const rOff = t * N, bt = b * S + t, zOff = t * N;
    const u = ld(U, bt), uv = splat(u);
    const q0 = ld(Q, 2 * t), q1 = ld(Q, 2 * t + 1), q0v = splat(q0), q1v = splat(q1);
    let acc = zero;
    // Byte offsets: one induction variable, base pointers hoisted (fewer address computations per access).
    const pZ = Z + (<usize>zOff << 3), pS1 = gSr + (<usize>N << 3), N2b = <usize>N2 << 3;
    for (let o: usize = 0; o < N2b; o += 16) {
      const z = v128.load(pZ + o);
      const d = vmul(vmul(av, v128.load(GR + o)), f64x2.sub(one, vmul(z, z)));
      v128.store(pZ + o, d);
      v128.store(gbIn + o, vadd(v128.load(gbIn + o), d));
      v128.store(gWin + o, vadd(v128.load(gWin + o), vmul(d, uv)));
      v128.store(gSr + o, vadd(v128.load(gSr + o), vmul(q0v, d)));
      v128.store(pS1 + o, vadd(v128.load(pS1 + o), vmul(q1v, d)));
      const pT = SrT + (o << 1);
      acc = vadd(acc, vmul(v128.load(pT), lane0(d)));
      acc = vadd(acc, vmul(v128.load(pT, 16), lane1(d)));
    }
    if (N2 < N) {
      const j = N2;
      const z = ld(Z, zOff + j);
      const d = alpha * ld(GR, j) * (1.0 - z * z);
      st(Z, zOff + j, d);
      st(gbIn, j, ld(gbIn, j) + d);
      st(gWin, j, ld(gWin, j) + d * u);
      st(gSr, j, ld(gSr, j) + q0 * d);
      st(gSr, N + j, ld(gSr, N + j) + q1 * d);
      acc = vadd(acc, vmul(ldv(SrT, 2 * j), splat(d)));
    }
    for (let o = 0; o < Dout; o++) {
      const idx = bt * Dout + o, yhat = ld(O, idx);
      const w = hasMask ? ld(M, idx) : 1.0;
      const deriv = sig ? yhat * (1.0 - yhat) : 1.0 - yhat * yhat;
      const e = scale * w * (yhat - ld(Y, idx)) * deriv;
      st(E, o, e);
      st(gbOut, o, ld(gbOut, o) + e);
    }
    for (let o = 0; o < Dout; o++) acc = vadd(acc, vmul(ldv(Wout, 2 * o), splat(ld(E, o))));
    for (let o = 0; o < Dout; o++) {
      const e = ld(E, o);
      st(gWout, 2 * o, ld(gWout, 2 * o) + e * q0);
      st(gWout, 2 * o + 1, ld(gWout, 2 * o + 1) + e * q1);
    }
    const g0 = lane0(acc), g1 = lane1(acc);
    const pR = R + (<usize>rOff << 3), pG1 = gSlT + (<usize>N << 3), pL1 = SlT + (<usize>N << 3);
    for (let o: usize = 0; o < N2b; o += 16) {
      const rv = v128.load(pR + o);
      v128.store(gSlT + o, vadd(v128.load(gSlT + o), vmul(rv, g0)));
      v128.store(pG1 + o, vadd(v128.load(pG1 + o), vmul(rv, g1)));
      const gp = vadd(vadd(zero, vmul(v128.load(SlT + o), g0)), vmul(v128.load(pL1 + o), g1));
      v128.store(GR + o, vadd(vmul(kv, v128.load(GR + o)), gp));
    }
    if (N2 < N) {
      const i = N2, ri = ld(R, rOff + i), a0 = f64x2.extract_lane(acc, 0), a1 = f64x2.extract_lane(acc, 1);
      st(gSlT, i, ld(gSlT, i) + ri * a0);
      st(gSlT, N + i, ld(gSlT, N + i) + ri * a1);
      st(GR, i, keep * ld(GR, i) + ((0.0 + ld(SlT, i) * a0) + ld(SlT, N + i) * a1));
    }
  }
}

/**
 * Full-rank BPTT in the JS kernel's order (training/taskBptt.ts fullRankBackward): t = S − 1…0 outer, trials in
 * blocks of 4; per block ∇W[i, j] += ((r0 d0 + r1 d1) + r2 d2) + r3 d3, or r0 d0 + r1 d1 for a block of ≤ 2 (the
 * JS kernel's zero padding row of a block of 1 or 3 adds +0: one "+ 0" here, the same bits), g_prev,m = W·dh_m
 * with j sequential (lanes over i, the trials of the block sharing each load of Wᵀ), then the readout terms (skipped when e = 0) and g_r,m ← (1 − α) g_r,m + g_prev,m. dh and r of the block are
 * kept in GP[4N…8N) and GP[0…4N) holds g_prev. GR [B·N] carries g_r of every trial.
 */
function fullRankBackward(
  N: i32, Din: i32, Dout: i32, B: i32, S: i32, alpha: f64, scale: f64, sig: i32, hasMask: i32,
  WT: usize, Wout: usize, U: usize, Y: usize, M: usize, R: usize, Z: usize, O: usize,
  E: usize, GR: usize, GP: usize, gWin: usize, gbIn: usize, gW: usize, gWout: usize, gbOut: usize,
): void {
  const keep = 1.0 - alpha, N2 = N & ~1;
  const av = splat(alpha), kv = splat(keep), one = splat(1.0), zero = splat(0.0);
  const DH: usize = GP + (<usize>(4 * N) << 3);
  memory.fill(GR, 0, <usize>(B * N) << 3);
  for (let t = S - 1; t >= 0; t--) {
    for (let b0 = 0; b0 < B; b0 += 4) {
      const count = min<i32>(4, B - b0);
      for (let m = 0; m < count; m++) {
        const b = b0 + m, bt = b * S + t, rOff = (b * (S + 1) + t) * N, zOff = bt * N, uOff = bt * Din, gOff = b * N, o = m * N;
        for (let j = 0; j < N2; j += 2) {
          const z = ldv(Z, zOff + j);
          const d = vmul(vmul(av, ldv(GR, gOff + j)), f64x2.sub(one, vmul(z, z)));
          stv(DH, o + j, d);
          stv(gbIn, j, vadd(ldv(gbIn, j), d));
          if (Din == 1) stv(gWin, j, vadd(ldv(gWin, j), vmul(d, splat(ld(U, uOff)))));
        }
        if (N2 < N) {
          const z = ld(Z, zOff + N2);
          const d = alpha * ld(GR, gOff + N2) * (1.0 - z * z);
          st(DH, o + N2, d);
          st(gbIn, N2, ld(gbIn, N2) + d);
          if (Din == 1) st(gWin, N2, ld(gWin, N2) + d * ld(U, uOff));
        }
        if (Din != 1) {
          for (let j = 0; j < N; j++) {
            const d = ld(DH, o + j);
            for (let k = 0; k < Din; k++) st(gWin, j * Din + k, ld(gWin, j * Din + k) + d * ld(U, uOff + k));
          }
        }
        for (let q = 0; q < Dout; q++) {
          const idx = bt * Dout + q, yhat = ld(O, idx);
          const w = hasMask ? ld(M, idx) : 1.0;
          const deriv = sig ? yhat * (1.0 - yhat) : 1.0 - yhat * yhat;
          const e = scale * w * (yhat - ld(Y, idx)) * deriv;
          st(E, m * Dout + q, e);
          st(gbOut, q, ld(gbOut, q) + e);
        }
      }
      // ∇W[i, j] += ((r0 d0 + r1 d1) + r2 d2) + r3 d3, lanes over j.
      const rb = (b0 * (S + 1) + t) * N, rs = (S + 1) * N;
      for (let i = 0; i < N; i++) {
        const row = i * N;
        const r0v = splat(ld(R, rb + i));
        const r1v = count > 1 ? splat(ld(R, rb + rs + i)) : zero;
        const r2v = count > 2 ? splat(ld(R, rb + 2 * rs + i)) : zero;
        const r3v = count > 3 ? splat(ld(R, rb + 3 * rs + i)) : zero;
        for (let j = 0; j < N2; j += 2) {
          let a = vmul(r0v, ldv(DH, j));
          if (count > 1) a = vadd(a, vmul(r1v, ldv(DH, N + j)));
          if (count > 2) a = vadd(a, vmul(r2v, ldv(DH, 2 * N + j)));
          if (count > 3) a = vadd(a, vmul(r3v, ldv(DH, 3 * N + j)));
          else if (count != 2) a = vadd(a, zero); // the JS kernel's zero padding row (blocks of 1 and 3)
          stv(gW, row + j, vadd(ldv(gW, row + j), a));
        }
        if (N2 < N) {
          const j = N2;
          let a = f64x2.extract_lane(r0v, 0) * ld(DH, j);
          if (count > 1) a += f64x2.extract_lane(r1v, 0) * ld(DH, N + j);
          if (count > 2) a += f64x2.extract_lane(r2v, 0) * ld(DH, 2 * N + j);
          if (count > 3) a += f64x2.extract_lane(r3v, 0) * ld(DH, 3 * N + j);
          else if (count != 2) a += 0.0;
          st(gW, row + j, ld(gW, row + j) + a);
        }
      }
      // g_prev,m[i] = Σ_j W[i, j] dh_m[j] (j sequential from 0), lanes over i, the four trials sharing Wᵀ loads.
      let i = 0;
      for (; i < N2; i += 2) {
        let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        if (count == 4) {
          for (let j = 0; j < N; j++) {
            const w = ldv(WT, j * N + i);
            a0 = vadd(a0, vmul(w, splat(ld(DH, j))));
            a1 = vadd(a1, vmul(w, splat(ld(DH, N + j))));
            a2 = vadd(a2, vmul(w, splat(ld(DH, 2 * N + j))));
            a3 = vadd(a3, vmul(w, splat(ld(DH, 3 * N + j))));
          }
        } else {
          for (let j = 0; j < N; j++) {
            const w = ldv(WT, j * N + i);
            a0 = vadd(a0, vmul(w, splat(ld(DH, j))));
            if (count > 1) a1 = vadd(a1, vmul(w, splat(ld(DH, N + j))));
            if (count > 2) a2 = vadd(a2, vmul(w, splat(ld(DH, 2 * N + j))));
          }
        }
        stv(GP, i, a0); stv(GP, N + i, a1); stv(GP, 2 * N + i, a2); stv(GP, 3 * N + i, a3);
      }
      if (N2 < N) {
        for (let m = 0; m < count; m++) {
          let s = 0.0;
          for (let j = 0; j < N; j++) s += ld(WT, j * N + N2) * ld(DH, m * N + j);
          st(GP, m * N + N2, s);
        }
      }
      for (let m = 0; m < count; m++) {
        const o = m * N, gOff = (b0 + m) * N, rOff = ((b0 + m) * (S + 1) + t) * N;
        for (let q = 0; q < Dout; q++) {
          const eq = ld(E, m * Dout + q);
          if (eq == 0) continue;
          const ev = splat(eq), row = q * N;
          for (let i2 = 0; i2 < N2; i2 += 2) {
            stv(gWout, row + i2, vadd(ldv(gWout, row + i2), vmul(ev, ldv(R, rOff + i2))));
            stv(GP, o + i2, vadd(ldv(GP, o + i2), vmul(ldv(Wout, row + i2), ev)));
          }
          if (N2 < N) {
            st(gWout, row + N2, ld(gWout, row + N2) + eq * ld(R, rOff + N2));
            st(GP, o + N2, ld(GP, o + N2) + ld(Wout, row + N2) * eq);
          }
        }
        for (let i2 = 0; i2 < N2; i2 += 2) stv(GR, gOff + i2, vadd(vmul(kv, ldv(GR, gOff + i2)), ldv(GP, o + i2)));
        if (N2 < N) st(GR, gOff + N2, keep * ld(GR, gOff + N2) + ld(GP, o + N2));
      }
    }
  }
}

/**
 * Fills R with the draws in the JS kernel's (PyTorch's) order: when xi ≠ 0, N normals of ξ for trial 0…B − 1 at
 * R[b, 0]; then, when eta ≠ 0, for each step t the N normals of η for trial 0…B − 1 at R[b, t + 1].
 */
export function taskDraws(R: usize, B: i32, S: i32, N: i32, xi: i32, eta: i32): void {
  if (xi) for (let b = 0; b < B; b++) normalBlocks(R + (<usize>(b * (S + 1) * N) << 3), 1, N, 0);
  if (eta) for (let t = 0; t < S; t++) for (let b = 0; b < B; b++) normalBlocks(R + (<usize>((b * (S + 1) + t + 1) * N) << 3), 1, N, 0);
}

/**
 * Forward (+ BPTT when withGrad ≠ 0) of the rank-2, one-input model in chunks of `chunk` trials: the forward pass
 * of a chunk, then its backward pass while its rates and z are still in cache (trials are independent in both
 * directions; gradients accumulate trial by trial in increasing b, t = S − 1…0, as the JS kernel). Rates go to
 * the global R [B, S + 1, N] when copyStates ≠ 0 (η is read there before it is overwritten, as in taskForward),
 * else to the chunk buffer Rc [chunk, S + 1, N]; z to Z [chunk, S, N]; q to Q [B, S, 2]; ŷ to O. Returns Σ m (ŷ − y)²
 * in (t, b, o) order. The draws are in R (taskDraws). Gradients as {@link taskBackward} (overwritten).
 */
export function taskPassRank2(
  N: i32, Dout: i32, B: i32, S: i32, alpha: f64, rho: f64, sigma: f64, scale: f64, sig: i32, hasMask: i32,
  withGrad: i32, copyStates: i32, chunk: i32,
  Win: usize, bIn: usize, Sl: usize, Sr: usize, SlT: usize, SrT: usize, Wout: usize, bOut: usize,
  U: usize, Y: usize, M: usize, R: usize, Rc: usize, Z: usize, Q: usize, O: usize,
  E: usize, GR: usize, gWin: usize, gbIn: usize, gSlT: usize, gSr: usize, gWout: usize, gbOut: usize,
): f64 {
  const rowsR = <usize>((S + 1) * N) << 3, rowsZ = <usize>(S * N) << 3, rowsQ = <usize>(2 * S) << 3;
  if (withGrad) {
    memory.fill(gWin, 0, <usize>N << 3);
    memory.fill(gbIn, 0, <usize>N << 3);
    memory.fill(gbOut, 0, <usize>Dout << 3);
    memory.fill(gWout, 0, <usize>(2 * Dout) << 3);
    memory.fill(gSlT, 0, <usize>(2 * N) << 3);
    memory.fill(gSr, 0, <usize>(2 * N) << 3);
  }
  for (let b0 = 0; b0 < B; b0 += chunk) {
    const cnt = min<i32>(chunk, B - b0);
    for (let c = 0; c < cnt; c++) {
      const b = b0 + c, Db = R + <usize>b * rowsR;
      const Rt = copyStates ? Db : Rc + <usize>c * rowsR;
      forwardRank2Trial(b, N, Dout, S, alpha, rho, sigma, sig, Win, bIn, Sl, Sr, Wout, bOut, U, Db, Rt, Z + <usize>c * rowsZ, Q + <usize>b * rowsQ, O);
    }
    if (withGrad) {
      for (let c = 0; c < cnt; c++) {
        const b = b0 + c;
        const Rt = copyStates ? R + <usize>b * rowsR : Rc + <usize>c * rowsR;
        memory.fill(GR, 0, <usize>N << 3);
        backwardRank2Trial(b, N, Dout, S, alpha, scale, sig, hasMask, SlT, SrT, Wout, U, Y, M, Rt, Z + <usize>c * rowsZ, Q + <usize>b * rowsQ, O, E, GR, gWin, gbIn, gSlT, gSr, gWout, gbOut);
      }
    }
  }
  let sq = 0.0;
  for (let t = 0; t < S; t++) {
    for (let b = 0; b < B; b++) {
      const i0 = (b * S + t) * Dout;
      for (let i = i0; i < i0 + Dout; i++) {
        const e = ld(O, i) - ld(Y, i);
        sq += hasMask ? ld(M, i) * e * e : e * e;
      }
    }
  }
  return sq;
}
