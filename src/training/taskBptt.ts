/**
 * Hand-written backpropagation through time for the task RNNs (models/taskRnn.ts, spec B1 and D2), batched over
 * trials. The forward pass stores r_t, z_t (and the latent q_t = r_t·Sl for low rank); r_0 and the noise η are
 * constants of the backward pass. With L = Σ m (ŷ − y)² / D (D = Σ m, or B·S·Dout without a mask), per trial and
 * going back from t = S − 1 to 0, with g_r = ∂L/∂r_{t+1} (0 at t + 1 = S):
 *
 *   dh   = α g_r ⊙ (1 − z_t²)                                   (∂L/∂h_t, h_t the drive)
 *   ∇Win += dh ⊗ u_t ;  ∇bIn += dh
 *   full:  ∇Wrec += r_tᵀ dh ;  g_prev = Wrec·dh                 (Σ_j Wrec[i, j] dh_j)
 *   low:   ∇Sr += q_tᵀ dh ;  g_q = Sr·dh                         (K)
 *   e    = (2/D) m (ŷ_t − y_t) g′(a_t),  g′ = 1 − ŷ² (tanh) or ŷ(1 − ŷ) (sigmoid)   (readout of r_t)
 *   ∇bOut += e ;  full: ∇Wout += e ⊗ r_t, g_prev += Woutᵀ e ;  low: ∇Wout += e ⊗ q_t, g_q += Woutᵀ e
 *   low:   ∇Sl += r_tᵀ g_q ;  g_prev = Sl·g_q
 *   g_r  ← (1 − α) g_r + g_prev                                  (= ∂L/∂r_t)
 *
 * Checked against central finite differences for every parameter group, both kinds and both output
 * nonlinearities (test/training/taskBptt.test.ts).
 */
import { GhostError } from "../core/errors";
import { TaskPassParams, wasmKernels } from "../kernels";
import { requireNd } from "../core/nd";
import { Rng } from "../core/rng";
import {
  FullRankTaskParams, LowRankTaskParams, TaskRnn, TaskRnnParams, TaskRnnWorkspace, createTaskRnnWorkspace, denominatorOf, requireRngFor,
  taskAccuracyKernel, taskRnnForwardKernel, taskRnnShapes, zeroTaskParams,
} from "../models/taskRnn";
import { Task } from "../tasks/task";

/** Workspace of a forward + backward pass: the forward buffers, the gradients and one running vector per trial. */
export interface TaskBpttWorkspace extends TaskRnnWorkspace {
  /** ∂L/∂(each parameter group), shapes of the parameters. */
  grads: TaskRnnParams;
  /** Scratch: g_r [N] (low rank; full rank: [B·N], one row per trial), dh and g_prev [N] (full rank: blocks of 4
   * trials, [4·N]), g_q [K], e [Dout] (full rank: [4·Dout]). */
  gr: Float64Array;
  dh: Float64Array;
  gprev: Float64Array;
  gq: Float64Array;
  e: Float64Array;
}

/** Allocates the buffers of forward + BPTT for `model` on `task` (validated; dimensions must match). */
export function createTaskBpttWorkspace(model: TaskRnn, task: Task): TaskBpttWorkspace {
  const ws = createTaskRnnWorkspace(model, task);
  const N = model.config.size, K = model.config.rank, Dout = model.config.outputs;
  const full = model.config.kind === "fullRank", B = ws.batch;
  return {
    ...ws, grads: zeroTaskParams(model.config), gr: new Float64Array(full ? B * N : N), dh: new Float64Array(full ? 4 * N : N),
    gprev: new Float64Array(full ? 4 * N : N), gq: new Float64Array(K), e: new Float64Array(full ? 4 * Dout : Dout),
  };
}

/**
 * The backward kernel: from the buffers of the last forward pass (taskRnnForwardKernel with the same model, task
 * and workspace), writes ∂L/∂p for every group into ws.grads (overwritten, not accumulated across calls).
 * Not validated (hot loop).
 */
export function taskRnnBackwardKernel(model: TaskRnn, task: Task, ws: TaskBpttWorkspace): void {
  const c = model.config, N = c.size, K = c.rank, Din = c.inputs, Dout = c.outputs, alpha = c.leak, keep = 1 - alpha;
  const B = ws.batch, S = ws.steps;
  const R = ws.rates.data, Z = ws.z, Q = ws.latent, O = ws.outputs.data;
  const U = task.inputs.data, Y = task.targets.data, Mk = task.mask?.data ?? null;
  const low = c.kind === "lowRank", sig = c.output === "sigmoid";
  if (!low) {
    fullRankBackward(model, task, ws);
    return;
  }
  const p = model.params, g = ws.grads;
  const wout = p.Wout.data;
  const gWin = g.Win.data, gbIn = g.bIn.data, gWout = g.Wout.data, gbOut = g.bOut.data;
  gWin.fill(0); gbIn.fill(0); gWout.fill(0); gbOut.fill(0);
  // Low rank: trial by trial (the work per step is O(N·K); full rank goes to fullRankBackward).
  const lp = p as LowRankTaskParams, lg = g as LowRankTaskParams;
  const Sl = lp.Sl.data, Sr = lp.Sr.data, gSl = lg.Sl.data, gSr = lg.Sr.data;
  gSl.fill(0); gSr.fill(0);
  const scale = 2 / denominatorOf(task);
  const gr = ws.gr, dh = ws.dh, gprev = ws.gprev, gq = ws.gq, e = ws.e;
  for (let b = 0; b < B; b++) {
    gr.fill(0);
    const r0 = b * (S + 1) * N;
    for (let t = S - 1; t >= 0; t--) {
      const rOff = r0 + t * N, bt = b * S + t, zOff = bt * N, uOff = bt * Din, qOff = bt * K;
      for (let j = 0; j < N; j++) {
        const z = Z[zOff + j];
        dh[j] = alpha * gr[j] * (1 - z * z);
      }
      for (let j = 0; j < N; j++) {
        const d = dh[j];
        gbIn[j] += d;
        for (let k = 0; k < Din; k++) gWin[j * Din + k] += d * U[uOff + k];
      }
      // Readout error of step t.
      for (let o = 0; o < Dout; o++) {
        const idx = bt * Dout + o, yhat = O[idx];
        const w = Mk === null ? 1 : Mk[idx];
        const deriv = sig ? yhat * (1 - yhat) : 1 - yhat * yhat;
        e[o] = scale * w * (yhat - Y[idx]) * deriv;
        gbOut[o] += e[o];
      }
      // Sr gradient and g_q = Sr·dh + Woutᵀe; then Sl gradient and g_prev = Sl·g_q.
      for (let k = 0; k < K; k++) {
        const qk = Q[qOff + k], row = k * N;
        let s = 0;
        for (let j = 0; j < N; j++) {
          gSr[row + j] += qk * dh[j];
          s += Sr[row + j] * dh[j];
        }
        for (let o = 0; o < Dout; o++) {
          s += wout[o * K + k] * e[o];
          gWout[o * K + k] += e[o] * qk;
        }
        gq[k] = s;
      }
      for (let i = 0; i < N; i++) {
        const ri = R[rOff + i];
        let s = 0;
        for (let k = 0; k < K; k++) {
          gSl[i * K + k] += ri * gq[k];
          s += Sl[i * K + k] * gq[k];
        }
        gprev[i] = s;
      }
      for (let i = 0; i < N; i++) gr[i] = keep * gr[i] + gprev[i];
    }
  }
}

/**
 * Full-rank BPTT, trials in blocks of 4 at each step (t from S − 1 down to 0), so that every row of Wrec and of
 * its gradient is read once per block instead of once per trial; the same formulas as the module doc. Rows of a
 * short last block are zero (they add exact zeros). Not validated (called by taskRnnBackwardKernel).
 */
function fullRankBackward(model: TaskRnn, task: Task, ws: TaskBpttWorkspace): void {
  const c = model.config, N = c.size, Din = c.inputs, Dout = c.outputs, alpha = c.leak, keep = 1 - alpha;
  const B = ws.batch, S = ws.steps, S1 = S + 1;
  const R = ws.rates.data, Z = ws.z, O = ws.outputs.data;
  const U = task.inputs.data, Y = task.targets.data, Mk = task.mask?.data ?? null;
  const sig = c.output === "sigmoid";
  const p = model.params as FullRankTaskParams, g = ws.grads as FullRankTaskParams;
  const W = p.Wrec.data, wout = p.Wout.data;
  const gW = g.Wrec.data, gWin = g.Win.data, gbIn = g.bIn.data, gWout = g.Wout.data, gbOut = g.bOut.data;
  gW.fill(0); gWin.fill(0); gbIn.fill(0); gWout.fill(0); gbOut.fill(0);
  const scale = 2 / denominatorOf(task);
  const GR = ws.gr, dh = ws.dh, gprev = ws.gprev, e = ws.e, rb = ws.rBlock;
  GR.fill(0);
  const N2 = 2 * N, N3 = 3 * N;
  for (let t = S - 1; t >= 0; t--) {
    for (let b0 = 0; b0 < B; b0 += 4) {
      const count = Math.min(4, B - b0);
      for (let m = 0; m < 4; m++) {
        const o = m * N;
        if (m >= count) {
          for (let i = 0; i < N; i++) { dh[o + i] = 0; rb[o + i] = 0; }
          continue;
        }
        const b = b0 + m, bt = b * S + t, rOff = (b * S1 + t) * N, zOff = bt * N, uOff = bt * Din, gOff = b * N;
        for (let j = 0; j < N; j++) {
          const z = Z[zOff + j];
          const d = alpha * GR[gOff + j] * (1 - z * z);
          dh[o + j] = d;
          rb[o + j] = R[rOff + j];
          gbIn[j] += d;
          for (let k = 0; k < Din; k++) gWin[j * Din + k] += d * U[uOff + k];
        }
        for (let q = 0; q < Dout; q++) {
          const idx = bt * Dout + q, yhat = O[idx];
          const w = Mk === null ? 1 : Mk[idx];
          const deriv = sig ? yhat * (1 - yhat) : 1 - yhat * yhat;
          const eq = scale * w * (yhat - Y[idx]) * deriv;
          e[m * Dout + q] = eq;
          gbOut[q] += eq;
        }
      }
      // ∇Wrec += Σ_m r_mᵀ dh_m and g_prev,m = Wrec·dh_m, one pass over Wrec for the block.
      if (count <= 2) {
        // Two rows (a batch of 2 or the last trials): no work on padding rows.
        for (let i = 0; i < N; i++) {
          const r0 = rb[i], r1 = rb[N + i], row = i * N;
          let s0 = 0, s1 = 0;
          for (let j = 0; j < N; j++) {
            const w = W[row + j], d0 = dh[j], d1 = dh[N + j];
            gW[row + j] += r0 * d0 + r1 * d1;
            s0 += w * d0; s1 += w * d1;
          }
          gprev[i] = s0; gprev[N + i] = s1;
        }
      } else {
        for (let i = 0; i < N; i++) {
          const r0 = rb[i], r1 = rb[N + i], r2 = rb[N2 + i], r3 = rb[N3 + i], row = i * N;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let j = 0; j < N; j++) {
            const w = W[row + j], d0 = dh[j], d1 = dh[N + j], d2 = dh[N2 + j], d3 = dh[N3 + j];
            gW[row + j] += r0 * d0 + r1 * d1 + r2 * d2 + r3 * d3;
            s0 += w * d0; s1 += w * d1; s2 += w * d2; s3 += w * d3;
          }
          gprev[i] = s0; gprev[N + i] = s1; gprev[N2 + i] = s2; gprev[N3 + i] = s3;
        }
      }
      for (let m = 0; m < count; m++) {
        const o = m * N, gOff = (b0 + m) * N;
        for (let q = 0; q < Dout; q++) {
          const eq = e[m * Dout + q], row = q * N;
          if (eq === 0) continue;
          for (let i = 0; i < N; i++) {
            gWout[row + i] += eq * rb[o + i];
            gprev[o + i] += wout[row + i] * eq;
          }
        }
        for (let i = 0; i < N; i++) GR[gOff + i] = keep * GR[gOff + i] + gprev[o + i];
      }
    }
  }
}

/**
 * The WebAssembly SIMD twin of taskRnnForwardKernel + taskRnnBackwardKernel (kernels WasmKernels.taskPass, this
 * thread's instance): the same loss, accuracy, outputs, rates and gradients, bit for bit, from the same Rng draws.
 * Writes ws.outputs, ws.loss, ws.accuracy, ws.grads (when withGradient) and ws.rates only when copyStates (the
 * rest of ws — z, latent — is not written). Not validated (hot loop): model, task and ws as for the JS kernels.
 */
export function taskRnnWasmPass(model: TaskRnn, task: Task, rng: Rng | null, ws: TaskBpttWorkspace, withGradient: boolean, copyStates: boolean): number {
  const c = model.config, p = model.params as unknown as Record<string, { data: Float64Array }>;
  const flat = (o: Record<string, { data: Float64Array }>): TaskPassParams => ({
    Win: o.Win.data, bIn: o.bIn.data, Sl: o.Sl?.data, Sr: o.Sr?.data, Wrec: o.Wrec?.data, Wout: o.Wout.data, bOut: o.bOut.data,
  });
  const loss = wasmKernels().taskPass(
    {
      lowRank: c.kind === "lowRank", size: c.size, rank: c.rank, inputs: c.inputs, outputs: c.outputs, batch: ws.batch, steps: ws.steps,
      leak: c.leak, rateSigma: c.rateSigma, noiseSigma: c.noiseSigma, sigmoid: c.output === "sigmoid",
    },
    flat(p),
    { inputs: task.inputs.data, targets: task.targets.data, mask: task.mask?.data ?? null, lossDenominator: denominatorOf(task) },
    rng,
    withGradient ? flat(ws.grads as unknown as Record<string, { data: Float64Array }>) : null,
    { outputs: ws.outputs.data, rates: copyStates ? ws.rates.data : null, z: null, latent: null },
  );
  ws.loss = loss;
  ws.accuracy = taskAccuracyKernel(task, ws.outputs.data);
  return loss;
}

/** Loss, accuracy and gradients of one pass (the gradients are copies owned by the caller). */
export interface TaskGradient {
  loss: number;
  accuracy: number;
  grads: TaskRnnParams;
}

/**
 * One forward + backward pass of `model` on `task` (validated; dimensions must match): the loss, accuracy and
 * ∂L/∂p for every parameter group. `rng` supplies r_0 and the noise (null only when ρ = σ_n = 0); the same
 * draws are constants of the backward pass, so a finite-difference check must replay the same stream.
 */
export function taskRnnGradient(model: TaskRnn, task: Task, rng: Rng | null): TaskGradient {
  const ws = createTaskBpttWorkspace(model, task);
  requireRngFor(model, rng);
  taskRnnForwardKernel(model, task, rng, ws);
  taskRnnBackwardKernel(model, task, ws);
  return { loss: ws.loss, accuracy: ws.accuracy, grads: ws.grads };
}

/** Checks that `grads` has every group of `model` with its shape (for optimisers and metrics). */
export function requireTaskGrads(model: TaskRnn, grads: unknown): TaskRnnParams {
  if (grads === null || typeof grads !== "object") throw new GhostError("grads", grads, "gradients with the parameter shapes");
  for (const [k, s] of Object.entries(taskRnnShapes(model.config))) requireNd(`grads.${k}`, (grads as Record<string, unknown>)[k], s);
  return grads as TaskRnnParams;
}
