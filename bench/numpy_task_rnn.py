#!/usr/bin/env python3
"""NumPy float64 twin of the v2 task-RNN epoch (spec B1; src/models/taskRnn.ts + src/training/taskBptt.ts):
batched over the B trials (arrays [B, N], time-major buffers [S, B, N]), forward with r_0 = tanh(rho xi) and input
noise drawn from NumPy's generator every epoch, manual BPTT, then one SGD or Adam (PyTorch semantics) update.
Written as an expert NumPy port would: matrix products for the recurrent and readout terms, in-place ufuncs into
preallocated buffers. Run it with one BLAS thread (OPENBLAS_NUM_THREADS=1) for a per-core figure.

  python3 bench/numpy_task_rnn.py --kind low --rank 2 --batch 1000 --steps 22 --output tanh --rho 0.3 --epochs 5
Prints one JSON line: ms per epoch by process CPU time and by wall clock (best of --repeats), and the last loss.
"""
import argparse, json, time
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("--kind", choices=["low", "full"], default="low")
p.add_argument("--size", type=int, default=100)
p.add_argument("--rank", type=int, default=2)
p.add_argument("--batch", type=int, default=1000)
p.add_argument("--steps", type=int, default=22)
p.add_argument("--output", choices=["tanh", "sigmoid"], default="tanh")
p.add_argument("--rho", type=float, default=0.3)
p.add_argument("--sigma", type=float, default=0.0)
p.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
p.add_argument("--lr", type=float, default=1e-3)
p.add_argument("--epochs", type=int, default=5)
p.add_argument("--repeats", type=int, default=3)
a = p.parse_args()

B, S, N, K = a.batch, a.steps, a.size, (a.rank if a.kind == "low" else a.size)
low = a.kind == "low"
alpha, keep = 0.5, 0.5
rng = np.random.default_rng(0)
# task: DCDT-like input (+-1 cue for 2 steps) and +-1 targets at the end (values do not change the cost)
U = np.zeros((S, B, 1)); U[:2, 0::2, 0] = 1.0; U[:2, 1::2, 0] = -1.0
Y = np.zeros((S, B, 1)); Y[S // 2:, 0::2, 0] = 1.0 if a.output == "tanh" else 1.0; Y[S // 2:, 1::2, 0] = -1.0 if a.output == "tanh" else 0.0

P = {"Win": rng.uniform(-0.24, 0.24, (N, 1)), "bIn": rng.normal(0, 0.1, N), "Wout": rng.uniform(-0.2, 0.2, (1, K)), "bOut": rng.uniform(-0.1, 0.1, 1)}
if low:
    P["Sl"] = rng.normal(0, 1 / np.sqrt(N), (N, K)); P["Sr"] = rng.normal(0, 1, (K, N))
else:
    P["W"] = rng.uniform(-0.17, 0.17, (N, N))
G = {k: np.zeros_like(v) for k, v in P.items()}
M1 = {k: np.zeros_like(v) for k, v in P.items()}; M2 = {k: np.zeros_like(v) for k, v in P.items()}

R = np.empty((S + 1, B, N)); Z = np.empty((S, B, N)); Q = np.empty((S, B, K)) if low else None
O = np.empty((S, B, 1)); E = np.empty((S, B, 1))
h = np.empty((B, N)); gr = np.empty((B, N)); dh = np.empty((B, N)); tmp = np.empty((B, N)); gprev = np.empty((B, N))
scale = 2.0 / (B * S)
step = [0]


def epoch():
    global h, gr, E, dh, tmp, gprev
    if a.rho > 0:
        np.tanh(a.rho * rng.standard_normal((B, N)), out=R[0])
    else:
        R[0].fill(0.0)
    for t in range(S):
        r = R[t]
        if low:
            np.matmul(r, P["Sl"], out=Q[t])
            a_ = Q[t] @ P["Wout"].T
            np.matmul(Q[t], P["Sr"], out=h)
        else:
            a_ = r @ P["Wout"].T
            np.matmul(r, P["W"], out=h)
        a_ += P["bOut"]
        if a.output == "tanh":
            np.tanh(a_, out=O[t])
        else:
            np.negative(a_, out=a_); np.exp(a_, out=a_); a_ += 1.0; np.reciprocal(a_, out=O[t])
        h += U[t] @ P["Win"].T
        h += P["bIn"]
        if a.sigma > 0:
            h += a.sigma * rng.standard_normal((B, N))
        np.tanh(h, out=Z[t])
        np.multiply(r, keep, out=R[t + 1]); R[t + 1] += alpha * Z[t]
    err = O - Y
    loss = float(np.mean(err * err))
    deriv = (1.0 - O * O) if a.output == "tanh" else O * (1.0 - O)
    np.multiply(err, deriv, out=E); E *= scale
    for g in G.values():
        g.fill(0.0)
    gr.fill(0.0)
    for t in range(S - 1, -1, -1):
        np.multiply(Z[t], Z[t], out=tmp); np.subtract(1.0, tmp, out=tmp)
        np.multiply(gr, tmp, out=dh); dh *= alpha
        G["bIn"] += dh.sum(axis=0)
        G["Win"] += dh.T @ U[t]
        G["bOut"] += E[t].sum(axis=0)
        if low:
            G["Sr"] += Q[t].T @ dh
            gq = dh @ P["Sr"].T + E[t] @ P["Wout"]
            G["Wout"] += E[t].T @ Q[t]
            G["Sl"] += R[t].T @ gq
            np.matmul(gq, P["Sl"].T, out=gprev)
        else:
            G["W"] += R[t].T @ dh
            np.matmul(dh, P["W"].T, out=gprev)
            gprev += E[t] @ P["Wout"]
            G["Wout"] += E[t].T @ R[t]
        gr *= keep; gr += gprev
    step[0] += 1
    for k in P:
        if a.optimizer == "sgd":
            P[k] -= a.lr * G[k]
        else:
            b1, b2, eps, n = 0.9, 0.999, 1e-8, step[0]
            M1[k] *= b1; M1[k] += (1 - b1) * G[k]
            M2[k] *= b2; M2[k] += (1 - b2) * G[k] * G[k]
            P[k] -= (a.lr / (1 - b1 ** n)) * M1[k] / (np.sqrt(M2[k] / (1 - b2 ** n)) + eps)
    return loss


epoch()  # warm-up
cpu = wall = float("inf")
loss = None
for _ in range(a.repeats):
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(a.epochs):
        loss = epoch()
    cpu = min(cpu, (time.process_time() - c0) * 1000 / a.epochs)
    wall = min(wall, (time.perf_counter() - w0) * 1000 / a.epochs)
print(json.dumps({"numpy": np.__version__, "cpuMsPerEpoch": cpu, "wallMsPerEpoch": wall, "loss": loss}))
