#!/usr/bin/env python3
"""NumPy twin of the rank-one workload, batched over networks (structure of arrays), manual BPTT, plain SGD.

Same math and update as src/training/bptt.ts rankOneLatentKernel + trainRnn (delayed-activation task, T = 20,
S = 40 steps, leak 0.5, x0 = -0.3, c = 10): for B networks at once, arrays [B, N]:
  forward  kappa_0 = x0 * sum(n), x_{t+1} = (1-a) x_t + a tanh(m kappa_t + b), kappa_{t+1} = n . x_{t+1},
           o_{t+1} = sigmoid(c (kappa_{t+1} - 1)),  loss = sum_t (o_t - y_t)^2 / T
  backward gx, du = a g (1 - phi^2), dk = m . du, then p <- p - lr grad.
Written with in-place ufuncs (out=) and preallocated buffers: what an expert NumPy port does. Run with one BLAS
thread (OPENBLAS_NUM_THREADS=1; the work is elementwise anyway).

  python3 bench/numpy_rank_one.py --networks 100 --epochs 200 --repeats 3
Prints one JSON line: network-epochs/s by wall clock and by process CPU time (best of the repeats).
"""
import argparse, json, os, time
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("--networks", type=int, default=100)
p.add_argument("--epochs", type=int, default=200)
p.add_argument("--repeats", type=int, default=3)
p.add_argument("--size", type=int, default=100)
p.add_argument("--params", help="JSON {m, n, b} of ONE network: train it --epochs epochs, print its loss (cross-check)")
args = p.parse_args()
if args.params:
    args.networks, args.size = 1, len(json.load(open(args.params))["m"])

B, N, T = args.networks, args.size, 20
S = 2 * T
a, c, x0, lr = 0.5, 10.0, -0.3, 0.02
keep = 1.0 - a
y = np.concatenate([np.zeros(T), np.ones(T)])


def train(m, n, b, epochs):
    x = np.empty((S + 1, B, N)); phi = np.empty((S, B, N)); kap = np.empty((S + 1, B))
    o = np.empty((S, B)); gx = np.empty((B, N)); g = np.empty((B, N)); du = np.empty((B, N)); tmp = np.empty((B, N))
    gm = np.empty((B, N)); gn = np.empty((B, N)); gb = np.empty((B, N))
    loss = None
    for _ in range(epochs):
        x[0].fill(x0)
        kap[0] = x0 * n.sum(axis=1)
        for t in range(S):
            np.multiply(m, kap[t][:, None], out=tmp)
            tmp += b
            np.tanh(tmp, out=phi[t])
            np.multiply(x[t], keep, out=x[t + 1])
            x[t + 1] += a * phi[t]
            np.einsum("ij,ij->i", n, x[t + 1], out=kap[t + 1])
        z = c * (kap[1:] - 1.0)
        o[:] = 0.5 * (1.0 + np.tanh(0.5 * z))  # sigmoid, overflow-free
        err = o - y[:, None]
        loss = (err * err).sum(axis=0) / T
        dz = (2.0 / T) * err * o * (1.0 - o) * c          # [S, B]
        gm.fill(0.0); gn.fill(0.0); gb.fill(0.0); gx.fill(0.0)
        for t in range(S - 1, -1, -1):
            d = dz[t][:, None]
            np.multiply(n, d, out=g); g += gx                 # g = gx + d n
            np.multiply(x[t + 1], d, out=tmp); gn += tmp      # gn += d x_{t+1}
            np.multiply(phi[t], phi[t], out=du)
            np.subtract(1.0, du, out=du); du *= g; du *= a    # du = a g (1 - phi^2)
            gb += du
            np.multiply(du, kap[t][:, None], out=tmp); gm += tmp
            dk = np.einsum("ij,ij->i", m, du)[:, None]
            np.multiply(g, keep, out=gx)
            np.multiply(x[t], dk, out=tmp); gn += tmp
            np.multiply(n, dk, out=tmp); gx += tmp
        m -= lr * gm; n -= lr * gn; b -= lr * gb
    return loss


if args.params:
    P = json.load(open(args.params))
    m, n, b = (np.array([P[k]], dtype=float) for k in ("m", "n", "b"))
    L = train(m, n, b, args.epochs)
    print(json.dumps({"loss": float(L[0]), "m0": float(m[0, 0])}))
    raise SystemExit(0)

rng = np.random.default_rng(0)
best_wall = best_cpu = float("inf")
for _ in range(args.repeats):
    m = rng.normal(0, 1, (B, N)) / np.sqrt(N); n = rng.normal(0, 1, (B, N)) / np.sqrt(N) + 0.3; b = rng.normal(0, 0.1, (B, N))
    w0, c0 = time.perf_counter(), time.process_time()
    train(m, n, b, args.epochs)
    best_wall = min(best_wall, time.perf_counter() - w0); best_cpu = min(best_cpu, time.process_time() - c0)
work = B * args.epochs
print(json.dumps({"numpy": np.__version__, "networks": B, "epochs": args.epochs, "wallRate": work / best_wall, "cpuRate": work / best_cpu,
                  "blasThreads": os.environ.get("OPENBLAS_NUM_THREADS")}))
