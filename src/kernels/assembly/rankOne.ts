/**
 * AssemblyScript source of the WebAssembly kernels (compiled by `npm run build:wasm` into dist/kernels/kernels.wasm;
 * NOT compiled by tsc: this folder is excluded from tsconfig.json). The JS twins in ../fastMath.ts and
 * ../rankOneTwin.ts perform the same float64 operations in the same order, so WASM and JS agree bit for bit
 * (WebAssembly SIMD has no fused multiply-add, and JS never contracts a·b + c).
 *
 * Memory: the host (../index.ts) owns the layout of linear memory above {@link heapBase}; every kernel takes byte
 * offsets of float64 arrays. Nothing here allocates.
 */

import { exp1, ld, ldv, sigmoid1, st, stv, tanh1, tanh2 } from "./fastMath";

export { exp1, sigmoid1, tanh1 } from "./fastMath";
export { taskForward, taskBackward } from "./taskRnn";
export { logFdlibm, logLanesArray, normalBlocks, rngGetState, rngSetState } from "./rng";
export { taskDraws, taskPassRank2 } from "./taskRnn";
export { rankOneFlowGrid } from "./rankOneFlow";
export { slowFlowDrive, slowAdamStep } from "./slowPoints";
export { daAccuracy, daGradBOut, daTrain, daTrainBound, daTrainStatus, fullRankPass, lowRankLinearPass } from "./daRnn";

/** out[i] = tanh(in[i]), i < len (two lanes at a time, scalar tail). Byte offsets of float64 arrays. */
export function tanhArray(pin: usize, pout: usize, len: i32): void {
  let i = 0;
  for (; i + 1 < len; i += 2) v128.store(pout + (<usize>i << 3), tanh2(v128.load(pin + (<usize>i << 3))));
  if (i < len) store<f64>(pout + (<usize>i << 3), tanh1(load<f64>(pin + (<usize>i << 3))));
}

/** out[i] = exp(in[i]) (scalar). */
export function expArray(pin: usize, pout: usize, len: i32): void {
  for (let i = 0; i < len; i++) store<f64>(pout + (<usize>i << 3), exp1(load<f64>(pin + (<usize>i << 3))));
}

/** Start of free linear memory (the host lays its arrays out above it). */
export function heapBase(): usize {
  return __heap_base;
}

// ---- the rank-one latent kernel ---------------------------------------------------------------------------------

let lastAccuracy: f64 = NaN;
let lastStatus: i32 = 0;
let lastBound: f64 = 0.0;

/** Accuracy of the last {@link rankOnePass}. */
export function accuracy(): f64 {
  return lastAccuracy;
}

/** How the last {@link rankOneTrain} ended: 0 all epochs run, 1 a non-finite loss or norm, 2 the overflow guard. */
export function trainStatus(): i32 {
  return lastStatus;
}

/** max |p| over m, n, b after the last update of {@link rankOneTrain} (its bound for the next epoch). */
export function trainBound(): f64 {
  return lastBound;
}

/**
 * Forward + BPTT of the rank-one latent RNN (training/bptt.ts rankOneLatentKernel, same loop order; the two
 * reductions κ = n·x and ∂κ run on two lanes, even and odd i, summed at the end, then an odd tail):
 *   κ_0 = x0·Σn, x_{t+1} = (1 − α)x_t + α tanh(m κ_t + b), κ_{t+1} = n·x_{t+1}, o_{t+1} = σ(c(κ_{t+1} − 1)),
 *   loss = Σ_t (o_t − y_t)²/lossScale.
 * Arrays (byte offsets): m, n, b, gm, gn, gb, gx [N]; targets, o, dz [S]; x [(S+1)N]; phi [SN]; kap [S+1].
 * Returns the loss; the accuracy is read with {@link accuracy}. Gradients are written only when withGradient ≠ 0.
 *
 * Loop structure (the JS twin ../rankOneTwin.ts performs the same operations per entry in the same order, so the
 * two agree bit for bit): the forward loop evaluates four independent tanh2 per iteration (eight entries), so the
 * CPU overlaps their long dependency chains; the lane sums still add the pairs (i, i+1) in order of i. The backward
 * step t adds ∂loss/∂κ_{t+1} = ∂κ_{t+1} (through step t+1) + dz_t (through the readout) once:
 * gn += (∂κ_{t+1} + dz_t)·x_{t+1}, g = gx + (∂κ_{t+1} + dz_t)·n, with gx = (1 − α)·g of step t+1; after step 0,
 * gn += ∂κ_0·x_0 and gx += ∂κ_0·n. So each step reads gn, gx and x once. (training/bptt.ts adds the two terms
 * separately, in a second loop: the same gradient, other roundings.)
 */
export function rankOnePass(
  N: i32, S: i32, m: usize, n: usize, b: usize,
  leak: f64, c: f64, x0: f64, targets: usize, lossScale: f64,
  x: usize, phi: usize, kap: usize, o: usize, dz: usize, gx: usize,
  gm: usize, gn: usize, gb: usize, withGradient: i32,
): f64 {
  const a = leak, keep = 1.0 - a;
  const N2 = N & ~1, N8 = N & ~7;
  const av = f64x2.splat(a), keepv = f64x2.splat(keep);
  // x_0 and κ_0
  let acc = f64x2.splat(0.0);
  const x0v = f64x2.splat(x0);
  for (let i = 0; i < N2; i += 2) {
    stv(x, i, x0v);
    acc = f64x2.add(acc, f64x2.mul(ldv(n, i), x0v));
  }
  let k0 = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (N2 < N) { st(x, N2, x0); k0 += ld(n, N2) * x0; }
  st(kap, 0, k0);
  for (let t = 0; t < S; t++) {
    const k = ld(kap, t);
    const kv = f64x2.splat(k);
    const xo = t * N, xn = xo + N;
    acc = f64x2.splat(0.0);
    let i = 0;
    for (; i < N8; i += 8) {
      const p0 = tanh2(f64x2.add(f64x2.mul(ldv(m, i), kv), ldv(b, i)));
      const p1 = tanh2(f64x2.add(f64x2.mul(ldv(m, i + 2), kv), ldv(b, i + 2)));
      const p2 = tanh2(f64x2.add(f64x2.mul(ldv(m, i + 4), kv), ldv(b, i + 4)));
      const p3 = tanh2(f64x2.add(f64x2.mul(ldv(m, i + 6), kv), ldv(b, i + 6)));
      stv(phi, xo + i, p0);
      stv(phi, xo + i + 2, p1);
      stv(phi, xo + i + 4, p2);
      stv(phi, xo + i + 6, p3);
      const v0 = f64x2.add(f64x2.mul(keepv, ldv(x, xo + i)), f64x2.mul(av, p0));
      const v1 = f64x2.add(f64x2.mul(keepv, ldv(x, xo + i + 2)), f64x2.mul(av, p1));
      const v2 = f64x2.add(f64x2.mul(keepv, ldv(x, xo + i + 4)), f64x2.mul(av, p2));
      const v3 = f64x2.add(f64x2.mul(keepv, ldv(x, xo + i + 6)), f64x2.mul(av, p3));
      stv(x, xn + i, v0);
      stv(x, xn + i + 2, v1);
      stv(x, xn + i + 4, v2);
      stv(x, xn + i + 6, v3);
      acc = f64x2.add(acc, f64x2.mul(ldv(n, i), v0));
      acc = f64x2.add(acc, f64x2.mul(ldv(n, i + 2), v1));
      acc = f64x2.add(acc, f64x2.mul(ldv(n, i + 4), v2));
      acc = f64x2.add(acc, f64x2.mul(ldv(n, i + 6), v3));
    }
    for (; i < N2; i += 2) {
      const p = tanh2(f64x2.add(f64x2.mul(ldv(m, i), kv), ldv(b, i)));
      stv(phi, xo + i, p);
      const v = f64x2.add(f64x2.mul(keepv, ldv(x, xo + i)), f64x2.mul(av, p));
      stv(x, xn + i, v);
      acc = f64x2.add(acc, f64x2.mul(ldv(n, i), v));
    }
    let kn = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    if (N2 < N) {
      const i = N2;
      const p = tanh1(ld(m, i) * k + ld(b, i));
      st(phi, xo + i, p);
      const v = keep * ld(x, xo + i) + a * p;
      st(x, xn + i, v);
      kn += ld(n, i) * v;
    }
    st(kap, t + 1, kn);
    st(o, t, sigmoid1(c * (kn - 1.0)));
  }
  // loss, accuracy, dz (training/bptt.ts readoutLoss, slope c)
  const f = 2.0 / lossScale;
  let loss = 0.0;
  let correct = 0;
  for (let t = 0; t < S; t++) {
    const ot = ld(o, t), y = ld(targets, t);
    const e = ot - y;
    loss += e * e;
    if ((ot > 0.5 ? 1.0 : 0.0) == y) correct++;
    st(dz, t, f * e * ot * (1.0 - ot) * c);
  }
  lastAccuracy = <f64>correct / <f64>S;
  loss = loss / lossScale;
  if (withGradient == 0) return loss;
  const zero = f64x2.splat(0.0), one = f64x2.splat(1.0);
  for (let i = 0; i < N2; i += 2) { stv(gm, i, zero); stv(gn, i, zero); stv(gb, i, zero); stv(gx, i, zero); }
  if (N2 < N) { st(gm, N2, 0.0); st(gn, N2, 0.0); st(gb, N2, 0.0); st(gx, N2, 0.0); }
  // dkp = ∂loss/∂κ_{t+1} through step t+1 (the reduction Σ m·du of the step done before; 0 before the first)
  let dkp = 0.0;
  for (let t = S - 1; t >= 0; t--) {
    const d = ld(dz, t);
    const e = dkp + d; // ∂loss/∂κ_{t+1} in all: through the next step (dkp) and through the readout (d)
    const ev = f64x2.splat(e);
    const xo = t * N, xn = xo + N;
    const k = ld(kap, t);
    const kv = f64x2.splat(k);
    acc = f64x2.splat(0.0);
    for (let i = 0; i < N2; i += 2) {
      const g = f64x2.add(ldv(gx, i), f64x2.mul(ev, ldv(n, i)));
      stv(gn, i, f64x2.add(ldv(gn, i), f64x2.mul(ev, ldv(x, xn + i))));
      const p = ldv(phi, xo + i);
      const du = f64x2.mul(f64x2.mul(av, g), f64x2.sub(one, f64x2.mul(p, p)));
      stv(gb, i, f64x2.add(ldv(gb, i), du));
      stv(gm, i, f64x2.add(ldv(gm, i), f64x2.mul(du, kv)));
      acc = f64x2.add(acc, f64x2.mul(ldv(m, i), du));
      stv(gx, i, f64x2.mul(keepv, g));
    }
    let dk = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    if (N2 < N) {
      const i = N2;
      const g = ld(gx, i) + e * ld(n, i);
      st(gn, i, ld(gn, i) + e * ld(x, xn + i));
      const p = ld(phi, xo + i);
      const du = a * g * (1.0 - p * p);
      st(gb, i, ld(gb, i) + du);
      st(gm, i, ld(gm, i) + du * k);
      dk += ld(m, i) * du;
      st(gx, i, keep * g);
    }
    dkp = dk;
  }
  // the last step's (t = 0) second loop: gn += ∂κ_0·x_0, gx += ∂κ_0·n
  const dkv = f64x2.splat(dkp);
  for (let i = 0; i < N2; i += 2) {
    stv(gn, i, f64x2.add(ldv(gn, i), f64x2.mul(dkv, ldv(x, i))));
    stv(gx, i, f64x2.add(ldv(gx, i), f64x2.mul(dkv, ldv(n, i))));
  }
  if (N2 < N) {
    st(gn, N2, ld(gn, N2) + dkp * ld(x, N2));
    st(gx, N2, ld(gx, N2) + dkp * ld(n, N2));
  }
  return loss;
}

/**
 * Full-batch SGD of one rank-one latent network, up to `epochs` epochs, in place: per epoch {@link rankOnePass},
 * the global gradient norm √(Σ gm² + Σ gn² + Σ gb²) (sequential, group order m, n, b, as training/trainRnn.ts),
 * then p ← p − learningRate·g and the new bound max |p| (as trainRnn's ops.norminf). Per-epoch loss, accuracy and
 * norm into lossOut, accOut, normOut [epochs]. Stops BEFORE the update of the first epoch (its record written)
 * whose loss or norm is not finite ({@link trainStatus} 1) or for which bound + learningRate·norm ≤ 1e300 fails
 * (status 2: an update might overflow; the caller decides, with that epoch's gradients still in gm, gn, gb).
 * `bound` is max |p| before the first epoch. Returns the number of epochs whose record was written.
 */
export function rankOneTrain(
  N: i32, S: i32, m: usize, n: usize, b: usize,
  leak: f64, c: f64, x0: f64, targets: usize, lossScale: f64,
  x: usize, phi: usize, kap: usize, o: usize, dz: usize, gx: usize,
  gm: usize, gn: usize, gb: usize,
  learningRate: f64, epochs: i32, lossOut: usize, accOut: usize, normOut: usize, bound: f64,
): i32 {
  const lrv = f64x2.splat(learningRate);
  const N2 = N & ~1;
  lastStatus = 0;
  for (let e = 0; e < epochs; e++) {
    const L = rankOnePass(N, S, m, n, b, leak, c, x0, targets, lossScale, x, phi, kap, o, dz, gx, gm, gn, gb, 1);
    let sq = 0.0;
    for (let i = 0; i < N; i++) { const g = ld(gm, i); sq += g * g; }
    for (let i = 0; i < N; i++) { const g = ld(gn, i); sq += g * g; }
    for (let i = 0; i < N; i++) { const g = ld(gb, i); sq += g * g; }
    const norm = sqrt<f64>(sq);
    st(lossOut, e, L);
    st(accOut, e, lastAccuracy);
    st(normOut, e, norm);
    if (!isFinite<f64>(L) || !isFinite<f64>(norm)) { lastStatus = 1; return e + 1; }
    if (!(bound + learningRate * norm <= 1e300)) { lastStatus = 2; return e + 1; }
    let mx = f64x2.splat(0.0);
    for (let i = 0; i < N2; i += 2) {
      const pm = f64x2.sub(ldv(m, i), f64x2.mul(lrv, ldv(gm, i)));
      const pn = f64x2.sub(ldv(n, i), f64x2.mul(lrv, ldv(gn, i)));
      const pb = f64x2.sub(ldv(b, i), f64x2.mul(lrv, ldv(gb, i)));
      stv(m, i, pm);
      stv(n, i, pn);
      stv(b, i, pb);
      mx = f64x2.pmax(f64x2.pmax(f64x2.pmax(mx, f64x2.abs(pm)), f64x2.abs(pn)), f64x2.abs(pb));
    }
    bound = max<f64>(f64x2.extract_lane(mx, 0), f64x2.extract_lane(mx, 1));
    if (N2 < N) {
      const pm = ld(m, N2) - learningRate * ld(gm, N2);
      const pn = ld(n, N2) - learningRate * ld(gn, N2);
      const pb = ld(b, N2) - learningRate * ld(gb, N2);
      st(m, N2, pm);
      st(n, N2, pn);
      st(b, N2, pb);
      bound = max<f64>(bound, max<f64>(abs<f64>(pm), max<f64>(abs<f64>(pn), abs<f64>(pb))));
    }
    lastBound = bound;
  }
  return epochs;
}
