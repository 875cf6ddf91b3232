/**
 * The JS twin of the WebAssembly rank-one kernel (assembly/rankOne.ts rankOnePass): the same float64 operations
 * in the same order, with the deterministic {@link fastTanh} / {@link fastSigmoid}, so the two agree bit for bit
 * (test/kernels/rankOne.test.ts). It differs from the reference training/bptt.ts rankOneLatentKernel only in
 * (1) tanh and σ (fastTanh/fastSigmoid instead of Math.tanh/Math.exp), (2) the two reductions
 * κ_{t+1} = Σ_i n_i x_{t+1,i} and ∂loss/∂κ_t = Σ_i m_i ∂loss/∂u_{t,i}, summed as (Σ_{i even} + Σ_{i odd}) + tail
 * (the two SIMD lanes) instead of left to right, and (3) the backward step adds ∂loss/∂κ_{t+1} through step t+1
 * and through the readout as one factor (∂κ_{t+1} + dz_t) instead of in two loops.
 *
 * Model (spec A5, D2): κ_0 = x0·Σn, x_{t+1} = (1 − α)x_t + α tanh(m κ_t + b), κ_{t+1} = n·x_{t+1},
 * o_{t+1} = σ(c(κ_{t+1} − 1)), loss = Σ_{t=1}^{S} (o_t − y_t)²/lossScale; gradients ∂loss/∂m, ∂loss/∂n, ∂loss/∂b.
 */
import { requireInteger } from "../core/errors";
import { fastSigmoid, fastTanh } from "./fastMath";

/**
 * Buffers of one (N, S) pair (training/bptt.ts Workspace has these fields and can be passed as is):
 * x [(S+1)·N], phi [S·N], kappa [S+1], output [S], dz [S], gx [N]; loss and accuracy of the last pass.
 */
export interface RankOneBuffers {
  size: number;
  steps: number;
  x: Float64Array;
  phi: Float64Array;
  kappa: Float64Array;
  output: Float64Array;
  dz: Float64Array;
  gx: Float64Array;
  loss: number;
  accuracy: number;
}

/** Allocates {@link RankOneBuffers} for N units and S steps. @param N integer in [1, 100000]. @param S integer in [1, 1e6]. */
export function createRankOneBuffers(N: number, S: number): RankOneBuffers {
  requireInteger("N", N, 1, 100000);
  requireInteger("S", S, 1, 1e6);
  return {
    size: N, steps: S, x: new Float64Array((S + 1) * N), phi: new Float64Array(S * N), kappa: new Float64Array(S + 1),
    output: new Float64Array(S), dz: new Float64Array(S), gx: new Float64Array(N), loss: NaN, accuracy: NaN,
  };
}

/**
 * One forward + BPTT pass (JS twin of the WebAssembly rankOnePass). m, n, b, gm, gn, gb have length ws.size;
 * targets length ws.steps. Writes gm, gn, gb (when withGradient), ws.loss, ws.accuracy; returns the loss.
 * Not validated (hot path).
 */
export function rankOneTwinPass(
  m: Float64Array, n: Float64Array, b: Float64Array,
  leak: number, confidence: number, initialState: number, targets: Float64Array, lossScale: number,
  ws: RankOneBuffers, gm: Float64Array, gn: Float64Array, gb: Float64Array, withGradient = true,
): number {
  const N = ws.size, S = ws.steps, N2 = N & ~1;
  const a = leak, c = confidence, keep = 1 - a;
  const x = ws.x, phi = ws.phi, kap = ws.kappa, o = ws.output, x0 = initialState;
  let s0 = 0, s1 = 0;
  for (let i = 0; i < N2; i += 2) {
    x[i] = x0; x[i + 1] = x0;
    s0 += n[i] * x0; s1 += n[i + 1] * x0;
  }
  let k0 = s0 + s1;
  if (N2 < N) { x[N2] = x0; k0 += n[N2] * x0; }
  kap[0] = k0;
  for (let t = 0; t < S; t++) {
    const k = kap[t];
    const xo = t * N, xn = xo + N;
    s0 = 0; s1 = 0;
    for (let i = 0; i < N2; i += 2) {
      const p0 = fastTanh(m[i] * k + b[i]), p1 = fastTanh(m[i + 1] * k + b[i + 1]);
      phi[xo + i] = p0; phi[xo + i + 1] = p1;
      const v0 = keep * x[xo + i] + a * p0, v1 = keep * x[xo + i + 1] + a * p1;
      x[xn + i] = v0; x[xn + i + 1] = v1;
      s0 += n[i] * v0; s1 += n[i + 1] * v1;
    }
    let kn = s0 + s1;
    if (N2 < N) {
      const i = N2;
      const p = fastTanh(m[i] * k + b[i]);
      phi[xo + i] = p;
      const v = keep * x[xo + i] + a * p;
      x[xn + i] = v;
      kn += n[i] * v;
    }
    kap[t + 1] = kn;
    o[t] = fastSigmoid(c * (kn - 1));
  }
  const dz = ws.dz, f = 2 / lossScale;
  let loss = 0, correct = 0;
  for (let t = 0; t < S; t++) {
    const ot = o[t], y = targets[t];
    const e = ot - y;
    loss += e * e;
    if ((ot > 0.5 ? 1 : 0) === y) correct++;
    dz[t] = f * e * ot * (1 - ot) * c;
  }
  ws.accuracy = correct / S;
  ws.loss = loss / lossScale;
  if (!withGradient) return ws.loss;
  const gx = ws.gx;
  gm.fill(0); gn.fill(0); gb.fill(0); gx.fill(0);
  // as the WebAssembly backward loop: e = ∂κ_{t+1} (through step t+1) + dz_t (through the readout), added once
  let dkp = 0;
  for (let t = S - 1; t >= 0; t--) {
    const d = dz[t];
    const e = dkp + d;
    const xo = t * N, xn = xo + N;
    const k = kap[t];
    s0 = 0; s1 = 0;
    for (let i = 0; i < N2; i += 2) {
      for (let j = i; j < i + 2; j++) {
        const g = gx[j] + e * n[j];
        gn[j] += e * x[xn + j];
        const p = phi[xo + j];
        const du = a * g * (1 - p * p);
        gb[j] += du;
        gm[j] += du * k;
        if (j === i) s0 += m[j] * du; else s1 += m[j] * du;
        gx[j] = keep * g;
      }
    }
    let dk = s0 + s1;
    if (N2 < N) {
      const i = N2;
      const g = gx[i] + e * n[i];
      gn[i] += e * x[xn + i];
      const p = phi[xo + i];
      const du = a * g * (1 - p * p);
      gb[i] += du;
      gm[i] += du * k;
      dk += m[i] * du;
      gx[i] = keep * g;
    }
    dkp = dk;
  }
  for (let i = 0; i < N; i++) {
    gn[i] += dkp * x[i];
    gx[i] += dkp * n[i];
  }
  return ws.loss;
}
