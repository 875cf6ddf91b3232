/**
 * Hand-written BPTT of the task RNNs against central finite differences, every parameter group, both kinds and
 * both output nonlinearities, with r_0 and noise drawn, batches of 3 and 6 trials (the FD replays the same Rng stream, so the draws are the
 * same constants in every evaluation).
 *
 * Tolerance, derived: the central difference D(h) = (L(p + h) − L(p − h)) / 2h has truncation error
 * h²·L‴/6 + O(h⁴) and rounding error ≤ δ_L / h, where δ_L bounds the absolute rounding error of one loss
 * evaluation. The truncation term is measured, not guessed: D(2h) − D(h) = 3·(h²L‴/6) + O(h⁴), so
 * T = |D(2h) − D(h)| / 3 estimates it (we allow 2T for the O(h⁴) remainder and the rounding in T itself). δ_L:
 * the loss is a mean of B·S·Dout squared errors, each produced by a chain of at most S steps of O(N + K + Din)
 * multiply-adds and a tanh (≤ 1 ulp in V8), so its relative error is ≤ n·u with n ≈ S·(2N + K + Din + 8) and
 * u = 2^-53; δ_L = n·u·max(L, 1). Allowed: |g − D(h)| ≤ 2T + 2δ_L/h + 1e-12·|g|.
 */
import { Rng } from "../../src/core/rng";
import { TaskRnn, createTaskRnn, taskRnnForward, taskRnnShapes } from "../../src/models/taskRnn";
import { defineTask, Task } from "../../src/tasks/task";
import { taskRnnGradient } from "../../src/training/taskBptt";
import { F64Array } from "../../src/core/nd";

const U = 2 ** -53;

/** A small random task with Din = 2, Dout = 2, B = 3 trials of S = 5 steps; targets fit the output range. */
function smallTask(output: "tanh" | "sigmoid", mask: boolean, B = 3): Task {
  const rng = new Rng(11);
  const S = 5;
  const inputs = Array.from({ length: B }, () => Array.from({ length: S }, () => [rng.normal(), rng.normal()]));
  const targets = Array.from({ length: B }, () => Array.from({ length: S }, () => (output === "tanh" ? [rng.uniform() * 2 - 1, rng.uniform() * 2 - 1] : [rng.uniform(), rng.uniform()])));
  const m = mask ? Array.from({ length: B }, (_, b) => Array.from({ length: S }, (_, t) => [(b + t) % 3 === 0 ? 0 : 1, 0.5])) : undefined;
  return defineTask({ name: "fd", inputs, targets, mask: m, accuracy: { kind: "none" } });
}

function model(kind: "lowRank" | "fullRank", output: "tanh" | "sigmoid"): TaskRnn {
  return createTaskRnn({ kind, size: 7, rank: kind === "lowRank" ? 2 : undefined, inputs: 2, outputs: 2, output, rateSigma: 0.5, noiseSigma: 0.1, leak: 0.4, seed: 5 });
}

interface FdResult { worst: number; checked: number }

/** Compares every entry of every group; returns the worst ratio |g − D| / allowed (≤ 1 passes). */
function fdCheck(net: TaskRnn, task: Task, seed: number, gradSeed = seed): FdResult & { perGroup: Record<string, number> } {
  const grads = taskRnnGradient(net, task, new Rng(gradSeed)).grads as unknown as Record<string, F64Array>;
  const loss = (): number => taskRnnForward(net, task, new Rng(seed)).loss;
  const L0 = loss();
  const { size: N, rank: K, inputs: Din } = net.config;
  const S = task.inputs.shape[1];
  const n = S * (2 * N + K + Din + 8);
  const deltaL = n * U * Math.max(L0, 1);
  const h = 1e-5;
  let worst = 0, checked = 0;
  const perGroup: Record<string, number> = {};
  for (const g of Object.keys(taskRnnShapes(net.config))) {
    const p = (net.params as unknown as Record<string, F64Array>)[g].data;
    let gw = 0;
    for (let i = 0; i < p.length; i++) {
      const x = p[i];
      const D = (step: number) => { p[i] = x + step; const a = loss(); p[i] = x - step; const b = loss(); p[i] = x; return (a - b) / (2 * step); };
      const d1 = D(h), d2 = D(2 * h);
      const T = Math.abs(d2 - d1) / 3;
      const allowed = 2 * T + (2 * deltaL) / h + 1e-12 * Math.abs(grads[g].data[i]);
      const ratio = Math.abs(grads[g].data[i] - d1) / allowed;
      gw = Math.max(gw, ratio);
      checked++;
    }
    perGroup[g] = gw;
    worst = Math.max(worst, gw);
  }
  return { worst, checked, perGroup };
}

describe("task RNN BPTT = central finite differences, every group", () => {
  for (const kind of ["lowRank", "fullRank"] as const) {
    for (const output of ["tanh", "sigmoid"] as const) {
      test(`${kind}, ${output} output, with r0 and noise drawn`, () => {
        const net = model(kind, output);
        const r = fdCheck(net, smallTask(output, false), 77);
        expect(Object.keys(r.perGroup).sort()).toEqual(Object.keys(taskRnnShapes(net.config)).sort());
        for (const [g, ratio] of Object.entries(r.perGroup)) expect([g, ratio <= 1]).toEqual([g, true]);
      });
    }
    test(`${kind}, with a mask (weights 0, 0.5, 1)`, () => {
      const net = model(kind, "sigmoid");
      const r = fdCheck(net, smallTask("sigmoid", true), 3);
      expect(r.worst).toBeLessThanOrEqual(1);
    });
  }

  test("fullRank with B = 6 trials (the backward works in blocks of 4: one full block and one of 2)", () => {
    const net = model("fullRank", "tanh");
    expect(fdCheck(net, smallTask("tanh", true, 6), 12).worst).toBeLessThanOrEqual(1);
  });

  test("negative control: the gradient of a different noise/r0 stream fails the same check", () => {
    const net = model("fullRank", "tanh");
    const r = fdCheck(net, smallTask("tanh", false), 77, 78);
    expect(r.worst).toBeGreaterThan(1);
  });

  test("negative control: a wrong leak in the gradient fails the check", () => {
    const net = model("lowRank", "tanh");
    const task = smallTask("tanh", false);
    const wrong = { config: { ...net.config, leak: 0.45 }, params: net.params };
    const grads = taskRnnGradient(wrong, task, new Rng(9)).grads as unknown as Record<string, F64Array>;
    const right = taskRnnGradient(net, task, new Rng(9)).grads as unknown as Record<string, F64Array>;
    // Same check as above on one group, with the wrong gradient substituted.
    const p = (net.params as unknown as Record<string, F64Array>).Sr.data;
    const loss = () => taskRnnForward(net, task, new Rng(9)).loss;
    let failures = 0;
    for (let i = 0; i < p.length; i++) {
      const x = p[i];
      p[i] = x + 1e-5; const a = loss(); p[i] = x - 1e-5; const b = loss(); p[i] = x;
      const d = (a - b) / 2e-5;
      if (Math.abs(grads.Sr.data[i] - d) > 1e-6 * Math.max(1, Math.abs(d))) failures++;
      expect(Math.abs(right.Sr.data[i] - d)).toBeLessThan(1e-6 * Math.max(1, Math.abs(d)));
    }
    expect(failures).toBeGreaterThan(0);
  });
});
