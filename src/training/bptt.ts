/**
 * Forward pass + hand-written BPTT for the RNN models of models/rnn.ts on a one-trial task (spec D2).
 *
 * Loss = Σ_{t=1}^{S} (o_t − y_t)² / lossScale (DA: S = 2T, lossScale = T = 20); accuracy = mean over the S
 * outputs of [(o_t > 0.5) == y_t]; the output is read AFTER each update (o_{t+1} from x_{t+1}). Gradients are the
 * exact derivatives of that loss. One hot kernel per model kind, each a plain function of typed arrays and
 * scalars writing into a preallocated {@link Workspace}: no allocation per call (the loss is returned, the
 * accuracy left in `ws.accuracy`), so a kernel can later be batched over networks or moved to WebAssembly
 * without touching callers.
 */
import { GhostError } from "../core/errors";
import { sigmoid } from "../core/math";
import { F64Array, ndFloat64 } from "../core/nd";
import { FullRankParams, LowRankParams, RnnModel, RnnParams, copyParams, lowRankParams, parameterShapes, validateRnnModel } from "../models/rnn";
import { TrialTask, validateTrialTask } from "../tasks/delayedActivation";

/** Preallocated buffers of one (model shape, task) pair, plus the gradient of every parameter group. */
export interface Workspace<P extends RnnParams = RnnParams> {
  /** N. */
  size: number;
  /** K of a low-rank model; 0 for full rank. */
  rank: number;
  /** S = task.steps. */
  steps: number;
  /** States x_0…x_S, shape [(S+1)×N]. */
  x: Float64Array;
  /** tanh(u_t) for t = 0…S−1, shape [S×N]. */
  phi: Float64Array;
  /** Latent κ_t = P x_t, shape [(S+1)×K] (low rank only; length 1 for full rank). */
  kappa: Float64Array;
  /** Outputs o_1…o_S, shape [S]. */
  output: Float64Array;
  /** ∂loss/∂z_t of the readout pre-activation z_t, shape [S]. */
  dz: Float64Array;
  /** Scratch, shape [N]: ∂loss/∂x_t running backwards. */
  gx: Float64Array;
  /** Scratch, shape [N]: pre-activations (forward, full rank) and ∂loss/∂u_t (backward). */
  du: Float64Array;
  /** Scratch, shape [max(K,1)]: ∂loss/∂κ_t. */
  dk: Float64Array;
  /**
   * Gradients ∂loss/∂p: the same type, group names and shapes as the model's parameters (contiguous float64
   * ndarrays, e.g. grads.M [N, K]); the kernels write into their `.data`.
   */
  grads: P;
  /** Loss of the last pass. */
  loss: number;
  /** Accuracy of the last pass, in [0, 1]. */
  accuracy: number;
}

/** Allocates a workspace for `model` on `task` (both validated: models.validateRnnModel, tasks.validateTrialTask). */
export function createWorkspace<P extends RnnParams>(model: RnnModel<P>, task: TrialTask): Workspace<P> {
  validateRnnModel(model);
  validateTrialTask(task);
  const N = model.config.size, K = model.config.kind === "fullRank" ? 0 : model.config.rank, S = task.steps;
  const grads: Record<string, F64Array> = {};
  for (const [g, shape] of Object.entries(parameterShapes(model.config))) grads[g] = ndFloat64(shape);
  return {
    size: N, rank: K, steps: S,
    x: new Float64Array((S + 1) * N), phi: new Float64Array(S * N), kappa: new Float64Array((S + 1) * Math.max(K, 1)),
    output: new Float64Array(S), dz: new Float64Array(S), gx: new Float64Array(N), du: new Float64Array(N),
    dk: new Float64Array(Math.max(K, 1)), grads: grads as unknown as P, loss: NaN, accuracy: NaN,
  };
}

/** Result of one forward + backward pass. */
export interface PassResult {
  loss: number;
  accuracy: number;
}


/**
 * Loss, accuracy and dz_t = ∂loss/∂z_t = (2/lossScale)(o_t − y_t) o_t (1 − o_t) · slope from ws.output.
 * `slope` = dz/d(pre-activation): c for the latent readout σ(c(κ − 1)), 1 for σ(w·x + b). Sets ws.accuracy.
 */
function readoutLoss(ws: Workspace, targets: Float64Array, lossScale: number, slope: number): number {
  const S = ws.steps, o = ws.output, dz = ws.dz;
  const f = 2 / lossScale;
  let loss = 0, correct = 0;
  for (let t = 0; t < S; t++) {
    const ot = o[t], y = targets[t];
    const e = ot - y;
    loss += e * e;
    if ((ot > 0.5 ? 1 : 0) === y) correct++;
    dz[t] = f * e * ot * (1 - ot) * slope;
  }
  ws.accuracy = correct / S;
  ws.loss = loss / lossScale;
  return ws.loss;
}

/**
 * The rank-one hot kernel with the latent readout o = σ(c(κ − 1)) (the paper's model; spec A5, D2), fused:
 * forward  κ_0 = x0·Σn, x_{t+1} = (1 − α)x_t + α tanh(m κ_t + b), κ_{t+1} = n·x_{t+1}, o_{t+1} = σ(c(κ_{t+1} − 1));
 * backward (when `withGradient`) into gm, gn, gb (each length N, overwritten).
 * Not validated (hot path: the trainer validates the model and task once; {@link evaluateRnn} validates).
 * @param m, n, b the `.data` of the contiguous parameter ndarrays M [N, 1], P [1, N], b [N] (length N each);
 *   gm, gn, gb likewise of the gradients. @param targets length ws.steps. @returns the loss (accuracy in ws.accuracy).
 */
export function rankOneLatentKernel(
  m: Float64Array, n: Float64Array, b: Float64Array,
  leak: number, confidence: number, initialState: number,
  targets: Float64Array, lossScale: number,
  ws: Workspace, gm: Float64Array, gn: Float64Array, gb: Float64Array, withGradient: boolean,
): number {
  const N = ws.size, S = ws.steps;
  const a = leak, c = confidence, keep = 1 - a;
  const x = ws.x, phi = ws.phi, kap = ws.kappa, o = ws.output;
  let k0 = 0;
  for (let i = 0; i < N; i++) {
    x[i] = initialState;
    k0 += n[i] * initialState;
  }
  kap[0] = k0;
  for (let t = 0; t < S; t++) {
    const k = kap[t];
    const xo = t * N, xn = xo + N;
    let kn = 0;
    for (let i = 0; i < N; i++) {
      const p = Math.tanh(m[i] * k + b[i]);
      phi[xo + i] = p;
      const v = keep * x[xo + i] + a * p;
      x[xn + i] = v;
      kn += n[i] * v;
    }
    kap[t + 1] = kn;
    o[t] = sigmoid(c * (kn - 1));
  }
  const loss = readoutLoss(ws, targets, lossScale, c);
  if (!withGradient) return loss;
  const gx = ws.gx, dz = ws.dz;
  gm.fill(0); gn.fill(0); gb.fill(0); gx.fill(0);
  for (let t = S - 1; t >= 0; t--) {
    const d = dz[t];
    const xo = t * N, xn = xo + N;
    const k = kap[t];
    // readout at step t+1 (κ_{t+1} = n·x_{t+1}), then the update x_{t+1} = (1−α)x_t + α tanh(mκ_t + b)
    let dk = 0;
    for (let i = 0; i < N; i++) {
      const g = gx[i] + d * n[i];
      gn[i] += d * x[xn + i];
      const p = phi[xo + i];
      const du = a * g * (1 - p * p);
      gb[i] += du;
      gm[i] += du * k;
      dk += m[i] * du;
      gx[i] = keep * g;
    }
    for (let i = 0; i < N; i++) {
      gn[i] += dk * x[xo + i];
      gx[i] += dk * n[i];
    }
  }
  return loss;
}

/**
 * General low-rank kernel (rank K, latent or linear readout): κ_t = P x_t, u_t = M κ_t + b,
 * x_{t+1} = (1 − α)x_t + α tanh(u_t), o_{t+1} = σ(c(κ_{t+1,0} − 1)) (latent, K = 1) or σ(wOut·x_{t+1} + bOut[0]).
 * Gradients into the `.data` of ws.grads (M, P, b, and wOut, bOut for the linear readout). Also the reference the fused
 * rank-one kernel is tested against. Not validated (hot path; see {@link forwardBackward}).
 * @param M, P, b, wOut, bOut the `.data` of the contiguous parameter ndarrays M [N, K], P [K, N], b [N], wOut [N], bOut [1].
 * @returns the loss (accuracy in ws.accuracy).
 */
export function lowRankKernel(
  M: Float64Array, P: Float64Array, b: Float64Array, wOut: Float64Array | undefined, bOut: Float64Array | undefined,
  latent: boolean, leak: number, confidence: number, initialState: number,
  targets: Float64Array, lossScale: number, ws: Workspace, withGradient: boolean,
): number {
  const N = ws.size, K = ws.rank, S = ws.steps;
  if (!latent && (!wOut || !bOut)) throw new GhostError("wOut/bOut", wOut, "readout weights for the linear readout");
  const a = leak, c = confidence, keep = 1 - a;
  const x = ws.x, phi = ws.phi, kap = ws.kappa, o = ws.output;
  for (let i = 0; i < N; i++) x[i] = initialState;
  for (let t = 0; t <= S; t++) {
    const xo = t * N;
    for (let q = 0; q < K; q++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += P[q * N + i] * x[xo + i];
      kap[t * K + q] = s;
    }
    if (t > 0) {
      let z: number;
      if (latent) z = c * (kap[t * K] - 1);
      else {
        z = (bOut as Float64Array)[0];
        for (let i = 0; i < N; i++) z += (wOut as Float64Array)[i] * x[xo + i];
      }
      o[t - 1] = sigmoid(z);
    }
    if (t === S) break;
    for (let i = 0; i < N; i++) {
      let u = b[i];
      for (let q = 0; q < K; q++) u += M[i * K + q] * kap[t * K + q];
      const p = Math.tanh(u);
      phi[xo + i] = p;
      x[xo + N + i] = keep * x[xo + i] + a * p;
    }
  }
  const loss = readoutLoss(ws, targets, lossScale, latent ? c : 1);
  if (!withGradient) return loss;
  const grads = ws.grads as LowRankParams;
  const gM = grads.M.data, gP = grads.P.data, gb = grads.b.data, gx = ws.gx, du = ws.du, dk = ws.dk, dz = ws.dz;
  gM.fill(0); gP.fill(0); gb.fill(0); gx.fill(0);
  // Readout gradients exist for the linear readout only (used below only when !latent).
  const gw = grads.wOut?.data as Float64Array, gbo = grads.bOut?.data as Float64Array;
  if (!latent) { gw.fill(0); gbo.fill(0); }
  for (let t = S - 1; t >= 0; t--) {
    const d = dz[t];
    const xo = t * N, xn = xo + N;
    if (latent) {
      for (let i = 0; i < N; i++) { gx[i] += d * P[i]; gP[i] += d * x[xn + i]; }
    } else {
      const w = wOut as Float64Array;
      for (let i = 0; i < N; i++) { gx[i] += d * w[i]; gw[i] += d * x[xn + i]; }
      gbo[0] += d;
    }
    for (let i = 0; i < N; i++) {
      const p = phi[xo + i];
      du[i] = a * gx[i] * (1 - p * p);
      gb[i] += du[i];
    }
    for (let q = 0; q < K; q++) {
      const kq = kap[t * K + q];
      let s = 0;
      for (let i = 0; i < N; i++) {
        gM[i * K + q] += du[i] * kq;
        s += M[i * K + q] * du[i];
      }
      dk[q] = s;
    }
    for (let i = 0; i < N; i++) {
      let g = keep * gx[i];
      for (let q = 0; q < K; q++) {
        gP[q * N + i] += dk[q] * x[xo + i];
        g += dk[q] * P[q * N + i];
      }
      gx[i] = g;
    }
  }
  return loss;
}

/**
 * Full-rank kernel (spec A8, D2): u_j = Σ_i x_i W_ij + b_j, x_{t+1} = (1 − α)x_t + α tanh(u),
 * o_{t+1} = σ(wOut·x_{t+1} + bOut[0]). Gradients into the `.data` of ws.grads (W, b, wOut, bOut). Not validated
 * (hot path; see {@link forwardBackward}). @param W, b, wOut, bOut the `.data` of W [N, N], b [N], wOut [N], bOut [1].
 * @returns the loss.
 */
export function fullRankKernel(
  W: Float64Array, b: Float64Array, wOut: Float64Array, bOut: Float64Array,
  leak: number, initialState: number, targets: Float64Array, lossScale: number, ws: Workspace, withGradient: boolean,
): number {
  const N = ws.size, S = ws.steps;
  const a = leak, keep = 1 - a;
  const x = ws.x, phi = ws.phi, o = ws.output, du = ws.du;
  for (let i = 0; i < N; i++) x[i] = initialState;
  for (let t = 0; t < S; t++) {
    const xo = t * N, xn = xo + N;
    for (let j = 0; j < N; j++) du[j] = b[j];
    for (let i = 0; i < N; i++) {
      const xi = x[xo + i];
      const row = i * N;
      for (let j = 0; j < N; j++) du[j] += xi * W[row + j];
    }
    let z = bOut[0];
    for (let j = 0; j < N; j++) {
      const p = Math.tanh(du[j]);
      phi[xo + j] = p;
      const v = keep * x[xo + j] + a * p;
      x[xn + j] = v;
      z += wOut[j] * v;
    }
    o[t] = sigmoid(z);
  }
  const loss = readoutLoss(ws, targets, lossScale, 1);
  if (!withGradient) return loss;
  const grads = ws.grads as FullRankParams;
  const gW = grads.W.data, gb = grads.b.data, gw = grads.wOut.data, gbo = grads.bOut.data, gx = ws.gx, dz = ws.dz;
  gW.fill(0); gb.fill(0); gw.fill(0); gbo.fill(0); gx.fill(0);
  for (let t = S - 1; t >= 0; t--) {
    const d = dz[t];
    const xo = t * N, xn = xo + N;
    for (let j = 0; j < N; j++) { gx[j] += d * wOut[j]; gw[j] += d * x[xn + j]; }
    gbo[0] += d;
    for (let j = 0; j < N; j++) {
      const p = phi[xo + j];
      du[j] = a * gx[j] * (1 - p * p);
      gb[j] += du[j];
    }
    for (let i = 0; i < N; i++) {
      const xi = x[xo + i];
      const row = i * N;
      let s = 0;
      for (let j = 0; j < N; j++) {
        gW[row + j] += xi * du[j];
        s += W[row + j] * du[j];
      }
      gx[i] = keep * gx[i] + s;
    }
  }
  return loss;
}

/**
 * Forward pass (and, when `withGradient`, the exact gradient into `ws.grads`) of `model` on `task`, without
 * allocating: returns the loss and leaves the accuracy in `ws.accuracy`. Dispatches to the model's kernel (the
 * rank-one latent model has its own fused kernel). The model and task are NOT validated here (hot path; the
 * trainer validates once); the workspace shape is checked.
 */
export function forwardBackward(model: RnnModel, task: TrialTask, ws: Workspace, withGradient = true): number {
  const cfg = model.config;
  if (ws.size !== cfg.size || ws.steps !== task.steps || ws.rank !== (cfg.kind === "fullRank" ? 0 : cfg.rank)) {
    throw new GhostError("workspace", `${ws.size}×${ws.rank}×${ws.steps}`, `a workspace for size ${cfg.size}, rank ${cfg.rank} and ${task.steps} steps (createWorkspace)`);
  }
  if (cfg.kind === "fullRank") {
    const p = model.params as FullRankParams;
    return fullRankKernel(p.W.data, p.b.data, p.wOut.data, p.bOut.data, cfg.leak, cfg.initialState, task.targets, task.lossScale, ws, withGradient);
  }
  const p = model.params as LowRankParams;
  if (cfg.rank === 1 && cfg.readout === "latent") {
    const g = ws.grads as LowRankParams;
    return rankOneLatentKernel(p.M.data, p.P.data, p.b.data, cfg.leak, cfg.confidence, cfg.initialState, task.targets, task.lossScale, ws, g.M.data, g.P.data, g.b.data, withGradient);
  }
  return lowRankKernel(p.M.data, p.P.data, p.b.data, p.wOut?.data, p.bOut?.data, cfg.readout === "latent", cfg.leak, cfg.confidence, cfg.initialState, task.targets, task.lossScale, ws, withGradient);
}

/**
 * {@link forwardBackward} returning { loss, accuracy } (allocates that small object; use forwardBackward in loops).
 * Not validated, like forwardBackward (use {@link evaluateRnn} for a validating call).
 */
export function lossAndGradient(model: RnnModel, task: TrialTask, ws: Workspace, withGradient = true): PassResult {
  const loss = forwardBackward(model, task, ws, withGradient);
  return { loss, accuracy: ws.accuracy };
}

/**
 * Reference path through the general low-rank kernel even for the rank-one latent model (for tests of the
 * fused kernel). Same contract as {@link lossAndGradient} (not validated); low-rank models only.
 */
export function lowRankPass(model: RnnModel, task: TrialTask, ws: Workspace, withGradient = true): PassResult {
  const cfg = model.config;
  if (cfg.kind !== "lowRank") throw new GhostError("model.config.kind", cfg.kind, `"lowRank"`);
  const p = lowRankParams(model);
  const loss = lowRankKernel(p.M.data, p.P.data, p.b.data, p.wOut?.data, p.bOut?.data, cfg.readout === "latent", cfg.leak, cfg.confidence, cfg.initialState, task.targets, task.lossScale, ws, withGradient);
  return { loss, accuracy: ws.accuracy };
}

/** What {@link evaluateRnn} returns (every array a fresh copy). */
export interface RnnEvaluation<P extends RnnParams = RnnParams> extends PassResult {
  /** Outputs o_1…o_S, shape [S]. */
  outputs: Float64Array;
  /** Latent trajectory κ_0…κ_S (κ_t = P x_t), shape [S+1, K]; [S+1, 0] for a full-rank model. */
  kappa: F64Array;
  /** States x_0…x_S, shape [S+1, N]. */
  states: F64Array;
  /** ∂loss/∂p for every parameter group: same type, names and shapes as model.params (a copy). */
  grads: P;
}

/**
 * Convenience (validating, allocating): loss, accuracy, outputs o_1…o_S [S], latent trajectory κ_0…κ_S
 * [S+1, K], states x_0…x_S [S+1, N] and a copy of every gradient (see {@link RnnEvaluation}).
 */
export function evaluateRnn<P extends RnnParams>(model: RnnModel<P>, task: TrialTask): RnnEvaluation<P> {
  validateRnnModel(model);
  validateTrialTask(task);
  const ws = createWorkspace(model, task);
  const loss = forwardBackward(model, task, ws, true);
  const S = task.steps, N = model.config.size, K = model.config.kind === "fullRank" ? 0 : model.config.rank;
  return {
    loss,
    accuracy: ws.accuracy,
    outputs: Float64Array.from(ws.output),
    kappa: ndFloat64([S + 1, K], K === 0 ? new Float64Array(0) : Float64Array.from(ws.kappa)),
    states: ndFloat64([S + 1, N], Float64Array.from(ws.x)),
    grads: copyParams(ws.grads),
  };
}
