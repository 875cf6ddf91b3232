/**
 * The JS twins of the WebAssembly DA kernels (assembly/daRnn.ts fullRankPass and lowRankLinearPass): the same
 * float64 operations in the same order, with the deterministic {@link fastTanh} / {@link fastSigmoid}, so the two
 * agree bit for bit (test/kernels/daRnnWasm.test.ts).
 *
 * They differ from the Math.tanh reference kernels training/bptt.ts fullRankKernel and lowRankKernel (linear
 * readout) only in (1) tanh and σ (fastTanh/fastSigmoid instead of Math.tanh and core/math sigmoid) and (2) every
 * reduction over the unit index — the readout Σ_i wOut_i x_i, κ_q = Σ_i P[q,i] x_i, Σ_j W[i,j] du_j and
 * ∂κ_q = Σ_i M[i,q] du_i — summed as (Σ_{i even < N2} + Σ_{i odd < N2}) + odd tail (the two SIMD lanes;
 * N2 = N rounded down to even), with the readout z = bOut + that sum. Every other entry keeps the reference order.
 *
 * Models (spec A8, B4.2, D2): full rank u_j = b_j + Σ_i x_i W[i,j]; rank K κ_t = P x_t, u_t = b + M κ_t; then
 * x_{t+1} = (1 − α)x_t + α tanh(u_t), o_{t+1} = σ(wOut·x_{t+1} + bOut), loss = Σ_{t=1}^{S} (o_t − y_t)²/lossScale.
 */
import { requireInteger } from "../core/errors";
import { fastSigmoid, fastTanh } from "./fastMath";

/**
 * Buffers of one (N, K, S) (training/bptt.ts Workspace has these fields and can be passed as is): x [(S+1)·N],
 * phi [S·N], kappa [(S+1)·max(K,1)], output [S], dz [S], gx [N], du [N], dk [max(K,1)]; loss and accuracy of the
 * last pass. rank = K (0 for full rank).
 */
export interface DaBuffers {
  size: number;
  rank: number;
  steps: number;
  x: Float64Array;
  phi: Float64Array;
  kappa: Float64Array;
  output: Float64Array;
  dz: Float64Array;
  gx: Float64Array;
  du: Float64Array;
  dk: Float64Array;
  loss: number;
  accuracy: number;
}

/**
 * Allocates {@link DaBuffers}. @param N integer in [1, 4096]. @param K rank, integer in [0, N] (0: full rank).
 * @param S integer in [1, 1e6].
 */
export function createDaBuffers(N: number, K: number, S: number): DaBuffers {
  requireInteger("N", N, 1, 4096);
  requireInteger("K", K, 0, N);
  requireInteger("S", S, 1, 1e6);
  const k = Math.max(K, 1);
  return {
    size: N, rank: K, steps: S, x: new Float64Array((S + 1) * N), phi: new Float64Array(S * N), kappa: new Float64Array((S + 1) * k),
    output: new Float64Array(S), dz: new Float64Array(S), gx: new Float64Array(N), du: new Float64Array(N), dk: new Float64Array(k),
    loss: NaN, accuracy: NaN,
  };
}

/** Σ_i p[po + i]·q[qo + i], i < N, on two lanes (even, odd) summed, then the odd tail. */
function dot2(p: Float64Array, po: number, q: Float64Array, qo: number, N: number): number {
  const N2 = N & ~1;
  let s0 = 0, s1 = 0;
  for (let i = 0; i < N2; i += 2) {
    s0 += p[po + i] * q[qo + i];
    s1 += p[po + i + 1] * q[qo + i + 1];
  }
  let s = s0 + s1;
  if (N2 < N) s += p[po + N2] * q[qo + N2];
  return s;
}

/** bptt.ts readoutLoss with slope 1 (loss, accuracy, dz). */
function readoutLoss(ws: DaBuffers, targets: Float64Array, lossScale: number): number {
  const S = ws.steps, o = ws.output, dz = ws.dz;
  const f = 2 / lossScale;
  let loss = 0, correct = 0;
  for (let t = 0; t < S; t++) {
    const ot = o[t], y = targets[t];
    const e = ot - y;
    loss += e * e;
    if ((ot > 0.5 ? 1 : 0) === y) correct++;
    dz[t] = f * e * ot * (1 - ot) * 1;
  }
  ws.accuracy = correct / S;
  ws.loss = loss / lossScale;
  return ws.loss;
}

/**
 * One backward step through the linear readout and tanh (both twins; assembly/daRnn.ts readoutBackStep): for every
 * unit i, gx_i += dz_t·wOut_i, gwOut_i += dz_t·x_{t+1,i}, du_i = α·gx_i·(1 − φ_{t,i}²), gb_i += du_i.
 */
function readoutBackStep(N: number, d: number, a: number, xo: number, xn: number, gx: Float64Array, wOut: Float64Array, gw: Float64Array,
  x: Float64Array, phi: Float64Array, du: Float64Array, gb: Float64Array): void {
  for (let i = 0; i < N; i++) {
    const g = gx[i] + d * wOut[i];
    gx[i] = g;
    gw[i] += d * x[xn + i];
    const p = phi[xo + i];
    const u = a * g * (1 - p * p);
    du[i] = u;
    gb[i] += u;
  }
}

/**
 * Full-rank pass (JS twin of the WebAssembly fullRankPass). W, gW [N·N] row-major; b, wOut, gb, gw [N]; bOut, gbOut
 * [1]; targets [S]; N = ws.size, S = ws.steps. Writes the gradients (when withGradient), ws.x, ws.phi, ws.output,
 * ws.dz, ws.loss, ws.accuracy; returns the loss. Not validated (hot path).
 */
export function fullRankTwinPass(
  W: Float64Array, b: Float64Array, wOut: Float64Array, bOut: Float64Array,
  leak: number, initialState: number, targets: Float64Array, lossScale: number, ws: DaBuffers,
  gW: Float64Array, gb: Float64Array, gw: Float64Array, gbOut: Float64Array, withGradient = true,
): number {
  const N = ws.size, S = ws.steps, N2 = N & ~1;
  const a = leak, keep = 1 - a;
  const x = ws.x, phi = ws.phi, o = ws.output, du = ws.du;
  for (let i = 0; i < N; i++) x[i] = initialState;
  for (let t = 0; t < S; t++) {
    const xo = t * N, xn = xo + N;
    for (let j = 0; j < N; j++) du[j] = b[j];
    for (let i = 0; i < N; i++) {
      const xi = x[xo + i], row = i * N;
      for (let j = 0; j < N; j++) du[j] += xi * W[row + j];
    }
    for (let j = 0; j < N; j++) {
      const p = fastTanh(du[j]);
      phi[xo + j] = p;
      x[xn + j] = keep * x[xo + j] + a * p;
    }
    o[t] = fastSigmoid(bOut[0] + dot2(wOut, 0, x, xn, N));
  }
  const loss = readoutLoss(ws, targets, lossScale);
  if (!withGradient) return loss;
  const gx = ws.gx, dz = ws.dz;
  gW.fill(0); gb.fill(0); gw.fill(0); gx.fill(0);
  let gbo = 0;
  for (let t = S - 1; t >= 0; t--) {
    const d = dz[t];
    const xo = t * N, xn = xo + N;
    readoutBackStep(N, d, a, xo, xn, gx, wOut, gw, x, phi, du, gb);
    gbo += d;
    for (let i = 0; i < N; i++) {
      const xi = x[xo + i], row = i * N;
      let s0 = 0, s1 = 0;
      for (let j = 0; j < N2; j += 2) {
        const u0 = du[j], u1 = du[j + 1];
        gW[row + j] += xi * u0;
        s0 += W[row + j] * u0;
        gW[row + j + 1] += xi * u1;
        s1 += W[row + j + 1] * u1;
      }
      let s = s0 + s1;
      if (N2 < N) {
        const u = du[N2];
        gW[row + N2] += xi * u;
        s += W[row + N2] * u;
      }
      gx[i] = keep * gx[i] + s;
    }
  }
  gbOut[0] = gbo;
  return loss;
}

/**
 * Rank-K linear-readout pass (JS twin of the WebAssembly lowRankLinearPass). M, gM [N·K] row-major; P, gP [K·N];
 * b, wOut, gb, gw [N]; bOut, gbOut [1]; targets [S]; N = ws.size, K = ws.rank ≥ 1, S = ws.steps. Writes the
 * gradients (when withGradient), ws.x, ws.phi, ws.kappa, ws.output, ws.dz, ws.loss, ws.accuracy; returns the loss.
 * Not validated (hot path).
 */
export function lowRankLinearTwinPass(
  M: Float64Array, P: Float64Array, b: Float64Array, wOut: Float64Array, bOut: Float64Array,
  leak: number, initialState: number, targets: Float64Array, lossScale: number, ws: DaBuffers,
  gM: Float64Array, gP: Float64Array, gb: Float64Array, gw: Float64Array, gbOut: Float64Array, withGradient = true,
): number {
  const N = ws.size, K = ws.rank, S = ws.steps, N2 = N & ~1;
  const a = leak, keep = 1 - a;
  const x = ws.x, phi = ws.phi, kap = ws.kappa, o = ws.output;
  for (let i = 0; i < N; i++) x[i] = initialState;
  for (let t = 0; t <= S; t++) {
    const xo = t * N, ko = t * K;
    for (let q = 0; q < K; q++) kap[ko + q] = dot2(P, q * N, x, xo, N);
    if (t > 0) o[t - 1] = fastSigmoid(bOut[0] + dot2(wOut, 0, x, xo, N));
    if (t === S) break;
    for (let i = 0; i < N; i++) {
      let u = b[i];
      for (let q = 0; q < K; q++) u += M[i * K + q] * kap[ko + q];
      const p = fastTanh(u);
      phi[xo + i] = p;
      x[xo + N + i] = keep * x[xo + i] + a * p;
    }
  }
  const loss = readoutLoss(ws, targets, lossScale);
  if (!withGradient) return loss;
  const gx = ws.gx, du = ws.du, dk = ws.dk, dz = ws.dz;
  gM.fill(0); gP.fill(0); gb.fill(0); gw.fill(0); gx.fill(0);
  let gbo = 0;
  for (let t = S - 1; t >= 0; t--) {
    const d = dz[t];
    const xo = t * N, xn = xo + N, ko = t * K;
    readoutBackStep(N, d, a, xo, xn, gx, wOut, gw, x, phi, du, gb);
    gbo += d;
    for (let q = 0; q < K; q++) {
      const kq = kap[ko + q];
      let s0 = 0, s1 = 0;
      for (let i = 0; i < N2; i += 2) {
        const u0 = du[i], u1 = du[i + 1];
        gM[i * K + q] += u0 * kq;
        s0 += M[i * K + q] * u0;
        gM[(i + 1) * K + q] += u1 * kq;
        s1 += M[(i + 1) * K + q] * u1;
      }
      let s = s0 + s1;
      if (N2 < N) {
        const u = du[N2];
        gM[N2 * K + q] += u * kq;
        s += M[N2 * K + q] * u;
      }
      dk[q] = s;
    }
    for (let i = 0; i < N; i++) {
      const xi = x[xo + i];
      let g = keep * gx[i];
      for (let q = 0; q < K; q++) {
        const k = dk[q];
        gP[q * N + i] += k * xi;
        g += k * P[q * N + i];
      }
      gx[i] = g;
    }
  }
  gbOut[0] = gbo;
  return loss;
}
