/** SGD and Adam with PyTorch semantics: a hand-computed two-step example, defaults, state round trip, errors. */
import { decodeJson, encodeJson } from "../../src/core/io";
import { ndFrom } from "../../src/core/nd";
import { createOptimizer, optimizerFromJson, optimizerStep, optimizerToJson } from "../../src/training/optimizers";

describe("Adam (torch.optim.Adam defaults: β = (0.9, 0.999), ε = 1e-8, bias correction)", () => {
  test("two steps against values computed by hand (40-digit decimal arithmetic of the update rule)", () => {
    // p = [1, −2], lr 0.1; gradients g1 = [0.5, 0.003], g2 = [−0.2, 0.004]. Per step k:
    //   m = β1 m + (1 − β1) g, v = β2 v + (1 − β2) g², p −= lr·(m/(1 − β1^k)) / (√(v/(1 − β2^k)) + ε).
    // The second entry has |g| ~ 1e-3, where ε = 1e-8 changes the step in the 6th digit (ε added after √).
    // Tolerances: float64 stores 0.999 with an error ≤ ulp/2 = 2^-54, and 1 − β2 = 0.001 inherits it as a relative
    // error ≤ 2^-54/0.001 ≈ 5.6e-14 (any float64 Adam, PyTorch's included); √v halves it in the step. Everything
    // else is a handful of roundings (≤ 8u relative).
    const U = 2 ** -53, RB2 = 2 ** -54 / 0.001;
    const tolP = (p: number, step: number) => 8 * U * Math.abs(p) + Math.abs(step) * (RB2 / 2 + 8 * U);
    const params = { w: ndFrom([1, -2]) };
    const opt = createOptimizer({ kind: "adam", learningRate: 0.1 }, params);
    expect([opt.beta1, opt.beta2, opt.eps]).toEqual([0.9, 0.999, 1e-8]);
    optimizerStep(opt, params, { w: ndFrom([0.5, 0.003]) });
    expect(Math.abs(params.w.data[0] - 0.90000000199999996000000079999998)).toBeLessThanOrEqual(tolP(0.9, 0.1));
    expect(Math.abs(params.w.data[1] - -2.0999996666677777740740864197119)).toBeLessThanOrEqual(tolP(2.1, 0.1));
    // Moments: (1 − β1) = 0.1 is itself rounded in float64 (relative 2u), then one product: ≤ 4u·|m|.
    expect(Math.abs(opt.m.w.data[0] - 0.05)).toBeLessThanOrEqual(4 * 2 ** -53 * 0.05);
    expect(Math.abs(opt.v.w.data[0] - 0.00025)).toBeLessThanOrEqual((RB2 + 4 * U) * 0.00025);
    optimizerStep(opt, params, { w: ndFrom([-0.2, 0.004]) });
    expect(opt.step).toBe(2);
    expect(Math.abs(params.w.data[0] - 0.86543941811651058536283127714108)).toBeLessThanOrEqual(tolP(0.9, 0.1) + tolP(0.87, 0.035));
    expect(Math.abs(params.w.data[1] - -2.1997316723885530032787046913852)).toBeLessThanOrEqual(tolP(2.1, 0.1) + tolP(2.2, 0.1));
    expect(Math.abs(opt.m.w.data[1] - 0.00067)).toBeLessThanOrEqual(8 * 2 ** -53 * 0.00067);
    expect(Math.abs(opt.v.w.data[1] - 2.4991e-8)).toBeLessThanOrEqual((RB2 + 8 * U) * 2.4991e-8);
  });
  test("negative control: without the ε term the second entry misses the hand value by ~3e-6 relative", () => {
    const params = { w: ndFrom([1, -2]) };
    const opt = createOptimizer({ kind: "adam", learningRate: 0.1, eps: 1e-300 }, params);
    optimizerStep(opt, params, { w: ndFrom([0.5, 0.003]) });
    expect(Math.abs(params.w.data[1] - -2.0999996666677777740740864197119)).toBeGreaterThan(1e-8);
  });
  test("the first Adam step moves every entry by ≈ lr·sign(g) (bias correction), whatever |g|", () => {
    const params = { a: ndFrom([0, 0, 0]) };
    const opt = createOptimizer({ kind: "adam", learningRate: 1e-3 }, params);
    optimizerStep(opt, params, { a: ndFrom([1e3, -1, 1e-2]) });
    // Step = lr·g/(|g| + ε): relative deviation ε/|g| ≤ 1e-6 for |g| ≥ 1e-2.
    [-1e-3, 1e-3, -1e-3].forEach((x, i) => expect(Math.abs(params.a.data[i] - x)).toBeLessThanOrEqual(1e-3 * 1e-6 + 1e-18));
  });
});

describe("SGD (torch.optim.SGD: no momentum, no weight decay)", () => {
  test("p ← p − lr·g, exactly", () => {
    const params = { a: ndFrom([1, 2]), b: ndFrom([3], [1]) };
    const opt = createOptimizer({ kind: "sgd", learningRate: 0.25 }, params);
    optimizerStep(opt, params, { a: ndFrom([4, -8]), b: ndFrom([0.5], [1]) });
    expect(Array.from(params.a.data)).toEqual([0, 4]);
    expect(Array.from(params.b.data)).toEqual([3 - 0.125]);
  });
});

describe("optimiser state is serialisable: a JSON round trip continues bit for bit", () => {
  test("Adam: 3 steps, save, load, 3 more = 6 uninterrupted steps", () => {
    const grads = (k: number) => ({ w: ndFrom([Math.sin(k), Math.cos(3 * k), 1e-3 * k]) });
    const a = { w: ndFrom([0.1, 0.2, 0.3]) }, b = { w: ndFrom([0.1, 0.2, 0.3]) };
    const oa = createOptimizer({ kind: "adam", learningRate: 0.01, beta1: 0.8 }, a);
    let ob = createOptimizer({ kind: "adam", learningRate: 0.01, beta1: 0.8 }, b);
    for (let k = 1; k <= 6; k++) optimizerStep(oa, a, grads(k));
    for (let k = 1; k <= 3; k++) optimizerStep(ob, b, grads(k));
    ob = optimizerFromJson(decodeJson(encodeJson(optimizerToJson(ob))));
    for (let k = 4; k <= 6; k++) optimizerStep(ob, b, grads(k));
    expect(Array.from(b.w.data)).toEqual(Array.from(a.w.data));
    expect(ob.step).toBe(6);
  });
});

describe("bad optimiser input", () => {
  test("unknown keys, bad hyper-parameters, mismatched gradients", () => {
    const p = { w: ndFrom([1]) };
    expect(() => createOptimizer({ kind: "sgd", learningRate: 0.1, beta1: 0.9 } as never, p)).toThrow(/optimizer.beta1/);
    expect(() => createOptimizer({ kind: "adam", learningRate: 0.1, beta2: 1 }, p)).toThrow(/optimizer.beta2/);
    expect(() => createOptimizer({ kind: "rmsprop", learningRate: 0.1 } as never, p)).toThrow(/optimizer.kind/);
    expect(() => createOptimizer({ kind: "sgd", learningRate: -1 }, p)).toThrow(/optimizer.learningRate/);
    const o = createOptimizer({ kind: "adam", learningRate: 0.1 }, p);
    expect(() => optimizerStep(o, p, { w: ndFrom([1, 2]) })).toThrow(/grads.w/);
    expect(() => optimizerFromJson({ ...optimizerToJson(o), m: { w: [NaN] } })).toThrow(/optimizer.m.w\[0\]/);
  });
});
