/**
 * trainRnn's fused WebAssembly stretches (kernels.rankOneTrainInto: pass + norm + update for many epochs per call)
 * against the per-epoch definition of the trainer, written out here on the JS twin of the kernel
 * (kernels.rankOneTwinPass, bit-identical to the WebAssembly pass): for every epoch one pass, the gradient norm
 * √(Σ gm² + Σ gn² + Σ gb²) summed in group order, divergence on a non-finite loss or norm, the overflow guard
 * (per-entry test when max|p| + η‖∇‖ > 1e300), then p ← p − η·g. Records, snapshots, hooks, divergence and the final
 * parameters must agree bit for bit; odd sizes exercise the kernel's 4-wide, 2-wide and scalar tails.
 */
import { createRankOneBuffers, rankOneTwinPass, setKernelMode, WasmKernels } from "../../src/kernels";
import { createRnn, LowRankParams, RnnModel } from "../../src/models/rnn";
import { delayedActivationTask } from "../../src/tasks/delayedActivation";
import { History, trainRnn } from "../../src/training/trainRnn";
import { Rng } from "../../src/core/rng";
import { ensureWasm } from "./ensureWasm";

const task = delayedActivationTask(20);
let wasm: WasmKernels;
beforeAll(() => { wasm = ensureWasm(); });
afterEach(() => setKernelMode(undefined));

const data = (md: RnnModel) => { const p = md.params as LowRankParams; return { m: p.M.data, n: p.P.data, b: p.b.data }; };
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

/** A rank-one latent model, parameters jittered (and scaled) so it learns or saturates as the test needs. */
function model(seed: number, N: number, jitter: number, scale = 1, confidence = 1): RnnModel {
  const md = createRnn(seed, { size: N, rank: 1, readout: "latent", confidence });
  const rng = new Rng(seed + 5);
  for (const p of Object.values(data(md))) for (let i = 0; i < p.length; i++) p[i] = scale * (p[i] + jitter * rng.normal());
  return md;
}

interface Reference {
  loss: number[]; accuracy: number[]; gradNorm: number[];
  params: Map<number, { m: Float64Array; n: Float64Array; b: Float64Array }>;
  diverged: { epoch: number; reason: string } | null;
  final: { m: Float64Array; n: Float64Array; b: Float64Array };
}

/** The trainer's per-epoch definition on the JS twin (see the file comment). */
function reference(md: RnnModel, lr: number, epochs: number): Reference {
  const c = md.config, N = c.size, S = task.steps;
  const { m, n, b } = data(md);
  const p = { m: Float64Array.from(m), n: Float64Array.from(n), b: Float64Array.from(b) };
  const ws = createRankOneBuffers(N, S), gm = new Float64Array(N), gn = new Float64Array(N), gb = new Float64Array(N);
  const out: Reference = { loss: [], accuracy: [], gradNorm: [], params: new Map(), diverged: null, final: p };
  let bound = 0;
  for (const a of [p.m, p.n, p.b]) for (const v of a) bound = Math.max(bound, Math.abs(v));
  for (let e = 0; e < epochs; e++) {
    const L = rankOneTwinPass(p.m, p.n, p.b, c.leak, c.confidence, c.initialState, task.targets, task.lossScale, ws, gm, gn, gb);
    let sq = 0;
    for (const g of [gm, gn, gb]) for (let i = 0; i < N; i++) sq += g[i] * g[i];
    const norm = Math.sqrt(sq);
    out.loss.push(L); out.accuracy.push(ws.accuracy); out.gradNorm.push(norm);
    if (!Number.isFinite(L) || !Number.isFinite(norm)) { out.diverged = { epoch: e, reason: "non-finite" }; break; }
    if (!(bound + lr * norm <= 1e300)) {
      let overflow = false;
      for (const [a, g] of [[p.m, gm], [p.n, gn], [p.b, gb]] as const) for (let i = 0; i < N; i++) if (!Number.isFinite(a[i] - lr * g[i])) overflow = true;
      if (overflow) { out.diverged = { epoch: e, reason: "update overflow" }; break; }
    }
    bound = 0;
    for (const [a, g] of [[p.m, gm], [p.n, gn], [p.b, gb]] as const) {
      for (let i = 0; i < N; i++) { a[i] = a[i] - lr * g[i]; bound = Math.max(bound, Math.abs(a[i])); }
    }
    out.params.set(e, { m: Float64Array.from(p.m), n: Float64Array.from(p.n), b: Float64Array.from(p.b) });
  }
  return out;
}

function expectSameRun(h: History, md: RnnModel, ref: Reference): void {
  expect(h.epochsRun).toBe(ref.loss.length);
  expect(same(h.loss, ref.loss)).toBe(true);
  expect(same(h.accuracy, ref.accuracy)).toBe(true);
  expect(same(h.gradNorm, ref.gradNorm)).toBe(true);
  const d = data(md);
  expect(same(d.m, ref.final.m) && same(d.n, ref.final.n) && same(d.b, ref.final.b)).toBe(true);
}

describe("trainRnn in wasm mode runs fused stretches that equal the per-epoch trainer bit for bit", () => {
  test.each([7, 100, 101])("N = %i: records, snapshots, flow snapshots, progress and final parameters", (N) => {
    const epochs = 403, lr = 0.05;
    const ref = reference(model(3, N, 0.3), lr, epochs);
    expect(ref.diverged).toBeNull();
    // the parameters move: the loss changes by more than 10 % over the run (an informative trajectory)
    expect(Math.abs(ref.loss[epochs - 1] - ref.loss[0])).toBeGreaterThan(0.1 * ref.loss[0]);
    setKernelMode("wasm");
    const md = model(3, N, 0.3), progress: number[] = [];
    const snapshotEpochs = [0, 57, 58, 402], flowSnapshotEpochs = [120];
    const h = trainRnn(md, { learningRate: lr, epochs, task, snapshotEpochs, flowSnapshotEpochs, onProgress: (d) => progress.push(d) });
    expectSameRun(h, md, ref);
    expect(h.snapshots.map((s) => s.epoch)).toEqual(snapshotEpochs);
    for (const s of h.snapshots) {
      const r = ref.params.get(s.epoch)!, p = s.params as LowRankParams;
      expect(same(p.M.data, r.m) && same(p.P.data, r.n) && same(p.b.data, r.b)).toBe(true);
    }
    expect(h.flowSnapshots.map((s) => s.epoch)).toEqual([120]);
    // progress every ⌈403/100⌉ = 5 epochs and at the end, as in the per-epoch loop
    const expected: number[] = [];
    for (let r = 1; r <= epochs; r++) if (r % 5 === 0 || r === epochs) expected.push(r);
    expect(progress).toEqual(expected);
  });

  test("with onEpoch and stopWhen (stretches of one epoch): the hook sees each epoch's updated parameters; stopWhen stops", () => {
    const N = 100, lr = 0.05;
    const ref = reference(model(8, N, 0.3), lr, 150);
    setKernelMode("wasm");
    const md = model(8, N, 0.3);
    let checked = 0;
    const h = trainRnn(md, {
      learningRate: lr, epochs: 300, task,
      onEpoch: (rec, live) => {
        expect(Object.is(rec.loss, ref.loss[rec.epoch]) && Object.is(rec.accuracy, ref.accuracy[rec.epoch]) && Object.is(rec.gradNorm, ref.gradNorm[rec.epoch])).toBe(true);
        if (rec.epoch % 37 === 0) {
          const r = ref.params.get(rec.epoch)!, d = data(live);
          expect(same(d.m, r.m) && same(d.n, r.n) && same(d.b, r.b)).toBe(true);
          checked++;
        }
      },
      stopWhen: (rec) => rec.epoch === 149,
    });
    expect(checked).toBe(5);
    expect(h.stoppedEarly).toBe(true);
    expectSameRun(h, md, ref);
  });

  test("past the overflow guard (parameters ~ 5e300): every epoch is checked entry by entry in JS, then goes on fused", () => {
    const N = 101, lr = 0.02;
    const ref = reference(model(5, N, 0.3, 5e300), lr, 40);
    expect(ref.diverged).toBeNull();
    setKernelMode("wasm");
    const md = model(5, N, 0.3, 5e300);
    const h = trainRnn(md, { learningRate: lr, epochs: 40, task });
    expect(h.diverged).toBeNull();
    expectSameRun(h, md, ref);
  });

  test("a non-finite loss (n = ±1.7e308 alternating: κ_0 = (−∞) + (+∞) = NaN): divergence at epoch 0, nothing applied", () => {
    const make = () => { const md = model(6, 100, 0.3), d = data(md); for (let i = 0; i < 100; i++) d.n[i] = i % 2 ? -1.7e308 : 1.7e308; return md; };
    const ref = reference(make(), 0.02, 50);
    expect(ref.diverged).toEqual({ epoch: 0, reason: "non-finite" });
    setKernelMode("wasm");
    const md = make();
    const h = trainRnn(md, { learningRate: 0.02, epochs: 50, task });
    expect(h.diverged?.epoch).toBe(0);
    expect(h.diverged?.reason).toMatch(/^loss = NaN/);
    expectSameRun(h, md, ref);
  });

  test("an update that would overflow (b = ±1e300, κ → 1.01, c = 100, lr 1.7e308): the guard's per-entry test stops it", () => {
    // x → sign(b) within a few steps, so κ = n·x → 1.01 and o = σ(100(κ − 1)) ≈ 0.73: ∂loss/∂n ≈ 18·sign(b), and
    // n − 1.7e308·∂loss/∂n overflows while the loss and the gradient are finite.
    const make = () => {
      const md = model(6, 100, 0, 1, 100), d = data(md), rng = new Rng(2);
      for (let i = 0; i < 100; i++) { const s = rng.uniform() < 0.5 ? -1 : 1; d.b[i] = s * 1e300; d.n[i] = (1.01 * s) / 100; d.m[i] = 1; }
      return md;
    };
    const ref = reference(make(), 1.7e308, 20);
    expect(ref.diverged).toEqual({ epoch: 0, reason: "update overflow" });
    expect(Number.isFinite(ref.loss[0]) && Number.isFinite(ref.gradNorm[0])).toBe(true);
    setKernelMode("wasm");
    const md = make();
    const h = trainRnn(md, { learningRate: 1.7e308, epochs: 20, task });
    expect(h.diverged?.epoch).toBe(0);
    expect(h.diverged?.reason).toMatch(/^update overflow/);
    expectSameRun(h, md, ref);
  });

  test("rankOneTrain over more epochs than linear memory first holds (the record arrays grow memory): no detached views", () => {
    const md = model(9, 100, 0.3), c = md.config, d = data(md);
    const m = Float64Array.from(d.m), n = Float64Array.from(d.n), b = Float64Array.from(d.b);
    const r = wasm.rankOneTrain(m, n, b, c.leak, c.confidence, c.initialState, task.targets, task.lossScale, 0.02, 30000);
    expect(r.epochsRun).toBe(30000);
    expect(r.status).toBe("done");
    const ref = reference(model(9, 100, 0.3), 0.02, 300);
    expect(same(r.loss.subarray(0, 300), ref.loss)).toBe(true);
  });
});
