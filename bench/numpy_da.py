#!/usr/bin/env python3
"""NumPy float64 twin of the DA full-rank / rank-K (linear readout) epoch: forward + manual BPTT + plain SGD of ONE
network, as trainRnn does (src/training/bptt.ts fullRankKernel / lowRankKernel; delayed-activation task, T = 20,
S = 40 steps, leak 0.5, x0 = -0.3, linear readout o = sigmoid(wOut . x + bOut), loss = sum_t (o_t - y_t)^2 / T):
  full rank  u = b + x W,         x' = (1-a) x + a tanh(u)
  rank K     kappa = P x, u = b + M kappa, x' = (1-a) x + a tanh(u)
Matrix-vector products through BLAS (np.dot with out=), preallocated buffers, one BLAS thread (OPENBLAS_NUM_THREADS=1).

  python3 bench/numpy_da.py --model full --epochs 200 --repeats 3
  python3 bench/numpy_da.py --model low --rank 10 --epochs 200 --repeats 3
Prints one JSON line: ms per epoch by process CPU time and by wall clock (best of the repeats), and the last loss.
"""
import argparse, json, time
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("--model", choices=["full", "low"], default="full")
p.add_argument("--rank", type=int, default=2)
p.add_argument("--size", type=int, default=100)
p.add_argument("--epochs", type=int, default=200)
p.add_argument("--repeats", type=int, default=3)
p.add_argument("--lr", type=float, default=0.05)
args = p.parse_args()

N, K, T = args.size, args.rank, 20
S = 2 * T
a, x0, lr = 0.5, -0.3, args.lr
keep = 1.0 - a
y = np.concatenate([np.zeros(T), np.ones(T)])
full = args.model == "full"


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z)) if z >= 0 else np.exp(z) / (1.0 + np.exp(z))


def init(seed):
    r = np.random.default_rng(seed)
    s = 1.0 / np.sqrt(N)
    if full:
        return {"W": r.standard_normal((N, N)) * s, "b": np.zeros(N), "wOut": r.standard_normal(N) * s, "bOut": np.array([r.standard_normal() * s])}
    return {"M": r.standard_normal((N, K)) * s, "P": r.standard_normal((K, N)) * s, "b": np.zeros(N),
            "wOut": r.standard_normal(N) * s, "bOut": np.array([r.standard_normal() * s])}


def train(p, epochs):
    x = np.empty((S + 1, N)); phi = np.empty((S, N)); u = np.empty(N); o = np.empty(S)
    kap = np.empty((S + 1, K)); gx = np.empty(N); du = np.empty(N); tmp = np.empty(N); dk = np.empty(K)
    g = {k: np.empty_like(v) for k, v in p.items()}
    loss = None
    for _ in range(epochs):
        x[0].fill(x0)
        for t in range(S):
            if full:
                np.dot(x[t], p["W"], out=u)
            else:
                np.dot(p["P"], x[t], out=kap[t])
                np.dot(p["M"], kap[t], out=u)
            u += p["b"]
            np.tanh(u, out=phi[t])
            np.multiply(x[t], keep, out=x[t + 1])
            np.multiply(phi[t], a, out=tmp)
            x[t + 1] += tmp
            o[t] = sigmoid(p["wOut"].dot(x[t + 1]) + p["bOut"][0])
        if not full:
            np.dot(p["P"], x[S], out=kap[S])
        e = o - y
        loss = float(e.dot(e)) / T
        dz = (2.0 / T) * e * o * (1.0 - o)
        for v in g.values():
            v.fill(0.0)
        gx.fill(0.0)
        for t in range(S - 1, -1, -1):
            d = dz[t]
            gx += d * p["wOut"]
            g["wOut"] += d * x[t + 1]
            g["bOut"][0] += d
            np.multiply(phi[t], phi[t], out=du)
            np.subtract(1.0, du, out=du)
            du *= gx
            du *= a
            g["b"] += du
            gx *= keep
            if full:
                g["W"] += np.outer(x[t], du)
                gx += p["W"].dot(du)
            else:
                g["M"] += np.outer(du, kap[t])
                np.dot(du, p["M"], out=dk)
                g["P"] += np.outer(dk, x[t])
                gx += dk.dot(p["P"])
        for k in p:
            p[k] -= lr * g[k]
    return loss


best_cpu = best_wall = float("inf")
loss = None
for r in range(args.repeats):
    params = init(r)
    w0, c0 = time.perf_counter(), time.process_time()
    loss = train(params, args.epochs)
    best_cpu = min(best_cpu, time.process_time() - c0)
    best_wall = min(best_wall, time.perf_counter() - w0)
print(json.dumps({"numpy": np.__version__, "model": args.model, "rank": K if not full else N, "epochs": args.epochs,
                  "cpuMsPerEpoch": 1000 * best_cpu / args.epochs, "wallMsPerEpoch": 1000 * best_wall / args.epochs, "loss": loss}))
