/**
 * Forward pass + hand-written BPTT for the RNN models of models/rnn.ts on a one-trial task (spec D2).
 *
 * Loss = Σ_{t=1}^{S} (o_t − y_t)² / lossScale (DA: S = 2T, lossScale = T); accuracy = mean_t [(o_t > 0.5) = y_t];
 * the outputs are read AFTER each update (o_{t+1} from x_{t+1}). Gradients are exact derivatives of that loss.
 * Everything runs in a preallocated {@link Workspace}: no allocation per call. One kernel per model kind.
 */
import { GhostError } from "../core/errors";
import { RnnModel, parameterGroups, parameterShapes, validateRnnModel } from "../models/rnn";
import { Task } from "../tasks/delayedActivation";

/** Preallocated buffers of one (model shape, task) pair, plus the gradient of every parameter group. */
export interface Workspace {
  size: number;
  rank: number;
  steps: number;
  /** States x_0…x_S, shape [(S+1)×N]. */
  x: Float64Array;
  /** tanh(u_t) for t = 0…S−1, shape [S×N]. */
  phi: Float64Array;
  /** Latent κ_t = P x_t, shape [(S+1)×K] (low rank only). */
  kappa: Float64Array;
  /** Outputs o_1…o_S, shape [S]. */
  output: Float64Array;
  /** ∂loss/∂z_t of the readout pre-activation, shape [S]. */
  dz: Float64Array;
  gx: Float64Array;
  du: Float64Array;
  dk: Float64Array;
  /** Gradients, same shapes as the parameters. */
  grads: Record<string, Float64Array>;
}

/** Allocates a workspace for `model` on `task`. */
export function createWorkspace(model: RnnModel, task: Task): Workspace {
  const N = model.config.size, K = model.config.kind === "fullRank" ? 0 : model.config.rank, S = task.steps;
  const grads: Record<string, Float64Array> = {};
  for (const [g, shape] of Object.entries(parameterShapes(model.config))) grads[g] = new Float64Array(shape.reduce((a, b) => a * b, 1));
  return {
    size: N, rank: K, steps: S,
    x: new Float64Array((S + 1) * N), phi: new Float64Array(S * N), kappa: new Float64Array((S + 1) * Math.max(K, 1)),
    output: new Float64Array(S), dz: new Float64Array(S), gx: new Float64Array(N), du: new Float64Array(N),
    dk: new Float64Array(Math.max(K, 1)), grads,
  };
}

/** Result of one forward + backward pass. */
export interface PassResult {
  loss: number;
  accuracy: number;
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Readout loss, accuracy and dz from the outputs (shared by every kind). `slope` = dz/d(pre-activation) factor. */
function readoutLoss(ws: Workspace, task: Task, slope: number): PassResult {
  const S = ws.steps, y = task.targets, o = ws.output, dz = ws.dz;
  const scale = task.lossScale;
  let loss = 0, correct = 0;
  for (let t = 0; t < S; t++) {
    const e = o[t] - y[t];
    loss += e * e;
    if ((o[t] > 0.5 ? 1 : 0) === y[t]) correct++;
    dz[t] = ((2 / scale) * e * o[t] * (1 - o[t])) * slope;
  }
  return { loss: loss / scale, accuracy: correct / S };
}

/**
 * Rank-one kernel with the latent readout o = σ(c(κ − 1)) (the paper's model; spec D2).
 * Writes the gradients of M (= m), P (= n) and b into ws.grads.
 */
function rankOneLatentPass(model: RnnModel, task: Task, ws: Workspace, withGradient: boolean): PassResult {
  const N = ws.size, S = ws.steps;
  const m = model.params.M, n = model.params.P, b = model.params.b;
  const { leak: a, confidence: c, initialState } = model.config;
  const x = ws.x, phi = ws.phi, kap = ws.kappa, o = ws.output;
  let k0 = 0;
  for (let i = 0; i < N; i++) {
    x[i] = initialState;
    k0 += n[i] * initialState;
  }
  kap[0] = k0;
  const keep = 1 - a;
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
  const res = readoutLoss(ws, task, c);
  if (!withGradient) return res;
  const gm = ws.grads.M, gn = ws.grads.P, gb = ws.grads.b, gx = ws.gx, dz = ws.dz;
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
  return res;
}

/**
 * General low-rank kernel (rank K, latent or linear readout). κ_t = P x_t, u = Mκ + b. Exported as the
 * reference the fused rank-one kernel is tested against.
 */
export function lowRankPass(model: RnnModel, task: Task, ws: Workspace, withGradient: boolean): PassResult {
  const N = ws.size, K = ws.rank, S = ws.steps;
  const M = model.params.M, P = model.params.P, b = model.params.b;
  const latent = model.config.readout === "latent";
  const wOut = model.params.wOut, bOut = model.params.bOut;
  const { leak: a, confidence: c, initialState } = model.config;
  const x = ws.x, phi = ws.phi, kap = ws.kappa, o = ws.output;
  const keep = 1 - a;
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
        z = bOut[0];
        for (let i = 0; i < N; i++) z += wOut[i] * x[xo + i];
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
  const res = readoutLoss(ws, task, latent ? c : 1);
  if (!withGradient) return res;
  const gM = ws.grads.M, gP = ws.grads.P, gb = ws.grads.b, gx = ws.gx, du = ws.du, dk = ws.dk, dz = ws.dz;
  gM.fill(0); gP.fill(0); gb.fill(0); gx.fill(0);
  const gw = ws.grads.wOut, gbo = ws.grads.bOut;
  if (!latent) { gw.fill(0); gbo.fill(0); }
  for (let t = S - 1; t >= 0; t--) {
    const d = dz[t];
    const xo = t * N, xn = xo + N;
    if (latent) {
      for (let i = 0; i < N; i++) { gx[i] += d * P[i]; gP[i] += d * x[xn + i]; }
    } else {
      for (let i = 0; i < N; i++) { gx[i] += d * wOut[i]; gw[i] += d * x[xn + i]; }
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
  return res;
}

/** Full-rank kernel (spec A8, D2): u_j = Σ_i x_i W_ij + b_j, o = σ(w_out·x + b_out). */
function fullRankPass(model: RnnModel, task: Task, ws: Workspace, withGradient: boolean): PassResult {
  const N = ws.size, S = ws.steps;
  const W = model.params.W, b = model.params.b, wOut = model.params.wOut, bOut = model.params.bOut;
  const { leak: a, initialState } = model.config;
  const x = ws.x, phi = ws.phi, o = ws.output, du = ws.du;
  const keep = 1 - a;
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
  const res = readoutLoss(ws, task, 1);
  if (!withGradient) return res;
  const gW = ws.grads.W, gb = ws.grads.b, gw = ws.grads.wOut, gbo = ws.grads.bOut, gx = ws.gx, dz = ws.dz;
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
  return res;
}

/**
 * Forward pass (and, unless `withGradient` is false, the exact gradient into `ws.grads`) of `model` on `task`.
 * Dispatches to the model's kernel; the rank-one latent model has its own fused kernel.
 */
export function lossAndGradient(model: RnnModel, task: Task, ws: Workspace, withGradient = true): PassResult {
  if (ws.size !== model.config.size || ws.steps !== task.steps) {
    throw new GhostError("workspace", `${ws.size}×${ws.steps}`, `a workspace for size ${model.config.size} and ${task.steps} steps`);
  }
  if (model.config.kind === "fullRank") return fullRankPass(model, task, ws, withGradient);
  if (model.config.rank === 1 && model.config.readout === "latent") return rankOneLatentPass(model, task, ws, withGradient);
  return lowRankPass(model, task, ws, withGradient);
}

/** Convenience (allocating): loss, accuracy, outputs, latent trajectory and a copy of every gradient. */
export function evaluateRnn(model: RnnModel, task: Task): PassResult & { outputs: Float64Array; kappa: Float64Array; states: Float64Array; grads: Record<string, Float64Array> } {
  validateRnnModel(model);
  const ws = createWorkspace(model, task);
  const r = lossAndGradient(model, task, ws, true);
  return {
    ...r,
    outputs: Float64Array.from(ws.output),
    kappa: model.config.kind === "fullRank" ? new Float64Array(0) : Float64Array.from(ws.kappa),
    states: Float64Array.from(ws.x),
    grads: Object.fromEntries(parameterGroups(model.config).map((g) => [g, Float64Array.from(ws.grads[g])])),
  };
}
