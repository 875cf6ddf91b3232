/**
 * Optimisers with PyTorch's semantics and defaults, over any parameter object of named float64 ndarrays (the
 * task RNNs' { Win, bIn, Sl, Sr | Wrec, Wout, bOut }), updated in place:
 *
 *   SGD  (torch.optim.SGD, no momentum, no weight decay):  p ← p − lr·g
 *   Adam (torch.optim.Adam, amsgrad off, no weight decay), step k = 1, 2, …:
 *        m ← m + (1 − β1)(g − m)            (torch's lerp; = β1 m + (1 − β1) g)
 *        v ← β2 v + (1 − β2) g²
 *        p ← p − (lr / (1 − β1^k)) · m / (√v / √(1 − β2^k) + ε)
 *        defaults β = (0.9, 0.999), ε = 1e-8; m and v start at 0.
 *
 * The optimiser's state (step count and, for Adam, the moment estimates m and v per group) is plain data: it goes
 * into checkpoints ({@link optimizerToJson} / {@link optimizerFromJson}) so that a resumed run is bit-identical.
 */
import { GhostError, requireInRange, requireInteger, requireObject, requireOneOf, requireOptions, requirePositive } from "../core/errors";
import { F64Array, isFloat64Nd, ndFloat64, requireNd } from "../core/nd";

/** What optimiser to use: SGD or Adam with PyTorch defaults (β1 0.9, β2 0.999, ε 1e-8). */
export type OptimizerSpec =
  | { kind: "sgd"; learningRate: number }
  | { kind: "adam"; learningRate: number; beta1?: number; beta2?: number; eps?: number };

/** An optimiser bound to the groups of one parameter object; its state is changed by {@link optimizerStep}. */
export interface Optimizer {
  kind: "sgd" | "adam";
  learningRate: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Updates applied so far. */
  step: number;
  /** Group names, in update order. */
  groups: string[];
  /** Adam first-moment estimates per group (same shapes as the parameters); empty for SGD. */
  m: Record<string, F64Array>;
  /** Adam second-moment estimates per group; empty for SGD. */
  v: Record<string, F64Array>;
}

/** Plain-JSON form of an optimiser (arrays as number[] row-major, with shapes). */
export interface OptimizerJson {
  kind: "sgd" | "adam";
  learningRate: number;
  beta1: number;
  beta2: number;
  eps: number;
  step: number;
  groups: string[];
  shapes: Record<string, number[]>;
  m: Record<string, number[]>;
  v: Record<string, number[]>;
}

/** Checks and completes an optimiser spec (unknown keys refused). */
export function resolveOptimizerSpec(spec: OptimizerSpec): Required<{ kind: "sgd" | "adam"; learningRate: number; beta1: number; beta2: number; eps: number }> {
  const s = requireObject("optimizer", spec, '{ kind: "sgd" | "adam", learningRate, beta1?, beta2?, eps? }');
  const kind = requireOneOf("optimizer.kind", s.kind, ["sgd", "adam"] as const);
  requireOptions("optimizer", spec, kind === "sgd" ? ["kind", "learningRate"] : ["kind", "learningRate", "beta1", "beta2", "eps"]);
  const learningRate = requirePositive("optimizer.learningRate", s.learningRate);
  const beta1 = requireInRange("optimizer.beta1", s.beta1 ?? 0.9, 0, 1, { maxExclusive: true });
  const beta2 = requireInRange("optimizer.beta2", s.beta2 ?? 0.999, 0, 1, { maxExclusive: true });
  const eps = requirePositive("optimizer.eps", s.eps ?? 1e-8);
  return { kind, learningRate, beta1, beta2, eps };
}

function paramEntries(params: unknown): [string, F64Array][] {
  const p = requireObject("params", params, "an object of named float64 ndarrays");
  const entries = Object.entries(p);
  if (entries.length === 0) throw new GhostError("params", params, "at least one parameter group");
  return entries.map(([g, a]) => {
    if (!isFloat64Nd(a)) throw new GhostError(`params.${g}`, a, "a float64 ndarray");
    return [g, requireNd(`params.${g}`, a, a.shape.slice())];
  });
}

/** A fresh optimiser (step 0, zero moments) for the groups of `params`. */
export function createOptimizer(spec: OptimizerSpec, params: Record<string, F64Array> | object): Optimizer {
  const s = resolveOptimizerSpec(spec);
  const entries = paramEntries(params);
  const m: Record<string, F64Array> = {}, v: Record<string, F64Array> = {};
  if (s.kind === "adam") for (const [g, a] of entries) { m[g] = ndFloat64(a.shape.slice()); v[g] = ndFloat64(a.shape.slice()); }
  return { ...s, step: 0, groups: entries.map(([g]) => g), m, v };
}

/**
 * Applies one update to `params` in place from `grads` (same groups and shapes; validated) and advances the
 * optimiser's step. Returns the optimiser.
 */
export function optimizerStep(opt: Optimizer, params: Record<string, F64Array> | object, grads: Record<string, F64Array> | object): Optimizer {
  requireOptimizer(opt);
  const p = requireObject("params", params, "the parameter object the optimiser was made for");
  const g = requireObject("grads", grads, "gradients with the parameters' groups and shapes");
  for (const name of opt.groups) {
    const a = p[name];
    if (!isFloat64Nd(a)) throw new GhostError(`params.${name}`, a, "a float64 ndarray (a group the optimiser was made for)");
    requireNd(`params.${name}`, a, a.shape.slice());
    requireNd(`grads.${name}`, g[name], a.shape.slice());
    if (opt.kind === "adam") requireNd(`optimizer.m.${name}`, opt.m[name], a.shape.slice());
  }
  optimizerStepKernel(opt, params as Record<string, F64Array>, grads as Record<string, F64Array>);
  return opt;
}

/**
 * {@link optimizerStep} without validation (hot loop: the trainer checks once). Not validated. The update order
 * is the group order, entry by entry; the arithmetic is that of the module doc.
 */
export function optimizerStepKernel(opt: Optimizer, params: Record<string, F64Array>, grads: Record<string, F64Array>): void {
  opt.step += 1;
  const lr = opt.learningRate;
  if (opt.kind === "sgd") {
    for (const name of opt.groups) {
      const p = params[name].data, g = grads[name].data;
      for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
    }
    return;
  }
  const b1 = opt.beta1, b2 = opt.beta2, eps = opt.eps, k = opt.step;
  const w1 = 1 - b1, w2 = 1 - b2;
  const stepSize = lr / (1 - Math.pow(b1, k));
  const bc2Sqrt = Math.sqrt(1 - Math.pow(b2, k));
  for (const name of opt.groups) {
    const p = params[name].data, g = grads[name].data, m = opt.m[name].data, v = opt.v[name].data;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      const mi = m[i] + w1 * (gi - m[i]);
      const vi = b2 * v[i] + w2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] -= stepSize * (mi / (Math.sqrt(vi) / bc2Sqrt + eps));
    }
  }
}

/** Throws unless `opt` is a well-formed Optimizer (from createOptimizer / optimizerFromJson). */
export function requireOptimizer(opt: unknown): Optimizer {
  const o = requireObject("optimizer", opt, "an Optimizer (training.createOptimizer)") as unknown as Optimizer;
  resolveOptimizerSpec(o.kind === "sgd" ? { kind: o.kind, learningRate: o.learningRate } : { kind: o.kind, learningRate: o.learningRate, beta1: o.beta1, beta2: o.beta2, eps: o.eps });
  requireInteger("optimizer.step", o.step, 0);
  if (!Array.isArray(o.groups) || o.groups.length === 0 || !o.groups.every((g) => typeof g === "string")) throw new GhostError("optimizer.groups", o.groups, "a non-empty array of group names");
  requireObject("optimizer.m", o.m, "an object of moment arrays");
  requireObject("optimizer.v", o.v, "an object of moment arrays");
  if (o.kind === "adam") for (const g of o.groups) {
    const m = o.m[g], v = o.v[g];
    if (!isFloat64Nd(m)) throw new GhostError(`optimizer.m.${g}`, m, "a float64 ndarray");
    requireNd(`optimizer.v.${g}`, v, m.shape.slice(), { finite: true });
    requireNd(`optimizer.m.${g}`, m, m.shape.slice(), { finite: true });
  }
  return o;
}

/** The optimiser's full state as plain JSON (moments copied row-major). */
export function optimizerToJson(opt: Optimizer): OptimizerJson {
  requireOptimizer(opt);
  const shapes: Record<string, number[]> = {}, m: Record<string, number[]> = {}, v: Record<string, number[]> = {};
  if (opt.kind === "adam") for (const g of opt.groups) {
    shapes[g] = opt.m[g].shape.slice();
    m[g] = Array.from(opt.m[g].data);
    v[g] = Array.from(opt.v[g].data);
  }
  return { kind: opt.kind, learningRate: opt.learningRate, beta1: opt.beta1, beta2: opt.beta2, eps: opt.eps, step: opt.step, groups: opt.groups.slice(), shapes, m, v };
}

/** Rebuilds an optimiser from {@link optimizerToJson} output (validated: shapes, lengths, finite moments). */
export function optimizerFromJson(json: OptimizerJson): Optimizer {
  const j = requireObject("optimizer", json, "an OptimizerJson (training.optimizerToJson)") as unknown as OptimizerJson;
  const spec = resolveOptimizerSpec(j.kind === "sgd" ? { kind: "sgd", learningRate: j.learningRate } : { kind: "adam", learningRate: j.learningRate, beta1: j.beta1, beta2: j.beta2, eps: j.eps });
  const step = requireInteger("optimizer.step", j.step, 0);
  if (!Array.isArray(j.groups) || j.groups.length === 0 || !j.groups.every((g) => typeof g === "string")) throw new GhostError("optimizer.groups", j.groups, "a non-empty array of group names");
  const m: Record<string, F64Array> = {}, v: Record<string, F64Array> = {};
  if (spec.kind === "adam") {
    requireObject("optimizer.shapes", j.shapes, "an object of shapes per group");
    requireObject("optimizer.m", j.m, "an object of number arrays per group");
    requireObject("optimizer.v", j.v, "an object of number arrays per group");
    for (const g of j.groups) {
      const shape = j.shapes[g];
      if (!Array.isArray(shape)) throw new GhostError(`optimizer.shapes.${g}`, shape, "an array of dimensions");
      const a = ndFloat64(shape.slice()), b = ndFloat64(shape.slice());
      for (const [arr, src, name] of [[a, j.m[g], "m"], [b, j.v[g], "v"]] as const) {
        if (!Array.isArray(src) || src.length !== arr.data.length) throw new GhostError(`optimizer.${name}.${g}`, src, `an array of ${arr.data.length} finite numbers`);
        for (let i = 0; i < src.length; i++) {
          if (typeof src[i] !== "number" || !Number.isFinite(src[i])) throw new GhostError(`optimizer.${name}.${g}[${i}]`, src[i], "a finite number");
          arr.data[i] = src[i];
        }
      }
      m[g] = a;
      v[g] = b;
    }
  }
  return { ...spec, step, groups: j.groups.slice(), m, v };
}
