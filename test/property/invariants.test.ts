/**
 * Properties of the public API over random VALID inputs (fast-check): ranges the spec guarantees (toy loss in
 * [0, 1], RNN loss with sigmoid outputs in [0, 2], accuracy in [0, 1]), finite gradients, determinism, exact
 * round trips, divergence reported (never thrown, never silently NaN), bounded searches. Bounds come from the
 * math stated beside each property, not from observed values.
 */
import fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GhostError, Rng, decodeJson, encodeJson, linspace, mean, meanSemColumns, ndFloat64, sem, std, tryReadCheckedJson, writeCheckedJson } from "../../src/core";
import { analyseGhost, bifurcationEvents, classifyRun, classifyRuns, findFixedPoints, firstEpochBelow, rankOneFlow } from "../../src/analysis";
import { classifyDaRun, runDaTrain, runRankOneTrain } from "../../src/protocols";
import { runSelfTest } from "../../src/engine";
import { loadCheckpoint, saveCheckpoint, tryLoadCheckpoint } from "../../src/io";
import {
  RnnOptions,
  cloneRnn,
  createRnn,
  criticalLearningRate,
  paramGroup,
  rStar,
  simulatedLoss,
  toyError,
  toyFixedPoints,
  toyGradient,
  toyLoss,
  validateRnnModel,
} from "../../src/models";
import { delayedActivationTask } from "../../src/tasks";
import { evaluateRnn, runToyGdInstance, toyGradientDescent, trainRnn } from "../../src/training";
import { fcParams } from "./helpers";

const finite = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
/** 10^u with u uniform in [lo, hi]: spans many decades. */
const logUniform = (lo: number, hi: number) => finite(lo, hi).map((u) => Math.pow(10, u));

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Random valid RNN options: rank one (latent readout), rank K (linear readout) or full rank; N in [1, 8]. */
const rnnOptions: fc.Arbitrary<RnnOptions> = fc
  .record({
    kind: fc.constantFrom("rankOne", "lowRank", "fullRank"),
    size: fc.integer({ min: 1, max: 8 }),
    rankFraction: finite(0, 1),
    confidence: logUniform(-2, 2),
    leak: finite(1e-3, 1),
    initialState: finite(-3, 3),
  })
  .map(({ kind, size, rankFraction, confidence, leak, initialState }) =>
    kind === "rankOne"
      ? { kind: "lowRank" as const, size, rank: 1, readout: "latent" as const, confidence, leak, initialState }
      : kind === "lowRank"
        ? { kind: "lowRank" as const, size, rank: 1 + Math.floor(rankFraction * (size - 1)), readout: "linear" as const, leak, initialState }
        : { kind: "fullRank" as const, size, leak, initialState },
  );
const seed = fc.integer({ min: 0, max: 1_000_000 });
const horizon = fc.integer({ min: 1, max: 8 });

describe("toy saddle-node model (spec A1–A4)", () => {
  test("L(r) = E(r)/T ∈ [0, 1] and g(r) finite for every finite r and T in [1e-6, 1e6]; E = T·L", () => {
    fc.assert(
      fc.property(fc.oneof(finite(-1e300, 1e300), logUniform(-300, 300), logUniform(-20, 5).map((x) => -x)), logUniform(-6, 6), (r, T) => {
        const L = toyLoss(r, T);
        expect(L).toBeGreaterThanOrEqual(0);
        expect(L).toBeLessThanOrEqual(1);
        expect(Number.isFinite(toyGradient(r, T))).toBe(true);
        expect(Math.abs(toyError(r, T) - T * L)).toBeLessThanOrEqual(4 * Number.EPSILON * T);
      }),
      fcParams(300),
    );
  });

  test("simulated loss dt·Σ(o − y)²/T ∈ [0, 2 + dt/(2T)] (n = round(2T/dt) terms, each ≤ 1), noise or not", () => {
    fc.assert(
      fc.property(finite(-0.5, 0.5), logUniform(-1, 1), finite(1, 20), finite(0.05, 1), fc.boolean(), seed, (r, c, T, dt, noisy, s) => {
        const L = simulatedLoss(r, { confidence: c, horizon: T, dt, threshold: 5, ...(noisy ? { noise: 0.1, rng: new Rng(s) } : {}) });
        expect(L).toBeGreaterThanOrEqual(0);
        expect(L).toBeLessThanOrEqual(2 + dt / (2 * T));
      }),
      fcParams(60),
    );
  });

  test("fixed points: ±√(−r) with residual ≤ 2ε|r|, the left one stable; none for r > 0", () => {
    fc.assert(
      fc.property(finite(-1e6, 1e6), (r) => {
        const fps = toyFixedPoints(r);
        expect(fps.length).toBe(r > 0 ? 0 : r === 0 ? 1 : 2);
        for (const p of fps) {
          expect(Math.abs(p.residual)).toBeLessThanOrEqual(2 * Number.EPSILON * Math.abs(r));
          expect(p.stability).toBe(p.x < 0 ? "stable" : p.x > 0 ? "unstable" : "degenerate");
        }
      }),
      fcParams(200),
    );
  });

  test("GD below the critical rate α_c = 3π⁴/(32T⁵) never enters the no-learning zone r ≤ r*/4 from r₀ > r*/4", () => {
    // One step from r > r* moves by α·π/(4r^{3/2}) < α_c·π/(4r*^{3/2}) = 3r*/4, so it cannot reach r*/4; from
    // r*/4 < r < r* the gradient is negative and r increases. Hence r_k > r*/4 and L < 1 for every k.
    fc.assert(
      fc.property(finite(0.26, 20), finite(0.01, 0.98), finite(20, 200), fc.integer({ min: 1, max: 400 }), (r0Factor, alphaFactor, T, epochs) => {
        const rs = rStar(T);
        const h = toyGradientDescent(r0Factor * rs, alphaFactor * criticalLearningRate(T), epochs, T);
        for (let k = 0; k <= epochs; k++) {
          expect(h.r[k]).toBeGreaterThan(rs / 4);
          expect(h.loss[k]).toBeLessThan(1);
          expect(h.loss[k]).toBeGreaterThanOrEqual(0);
        }
      }),
      fcParams(100),
    );
  });

  test("the Fig 2D grid point is a pure function of its config (bit-identical reruns)", () => {
    fc.assert(
      fc.property(logUniform(-11, -8), seed, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 300 }), (learningRate, s, instances, epochs) => {
        const cfg = { learningRate, seed: s, instances, epochs, reportEpochs: [0, epochs] };
        expect(encodeJson(runToyGdInstance(cfg))).toBe(encodeJson(runToyGdInstance(cfg)));
      }),
      fcParams(30),
    );
  });
});

describe("RNN models on the delayed-activation task (spec A5, A8, B4.2)", () => {
  test("loss ∈ [0, 2] (2T sigmoid outputs, each (o − y)² ≤ 1, over T), accuracy a multiple of 1/(2T) in [0, 1], outputs in [0, 1], gradient finite, deterministic", () => {
    fc.assert(
      fc.property(rnnOptions, seed, horizon, (opts, s, T) => {
        const task = delayedActivationTask(T);
        const model = createRnn(s, opts);
        const again = createRnn(s, opts);
        for (const g of Object.keys(model.params)) expect(sameBits(paramGroup(model.params, g).data, paramGroup(again.params, g).data)).toBe(true);
        const a = evaluateRnn(model, task);
        const b = evaluateRnn(again, task);
        expect(a.loss).toBeGreaterThanOrEqual(0);
        expect(a.loss).toBeLessThanOrEqual(2);
        expect(a.accuracy).toBeGreaterThanOrEqual(0);
        expect(a.accuracy).toBeLessThanOrEqual(1);
        expect(Number.isInteger(Math.round(a.accuracy * 2 * T * 1e6) / 1e6)).toBe(true);
        for (const o of a.outputs) expect(o >= 0 && o <= 1).toBe(true);
        for (const g of Object.keys(a.grads)) {
          const ga = paramGroup(a.grads, g);
          expect(ga.shape).toEqual(paramGroup(model.params, g).shape);
          for (const v of ga.data) expect(Number.isFinite(v)).toBe(true);
          expect(sameBits(ga.data, paramGroup(b.grads, g).data)).toBe(true);
        }
        expect(Object.is(a.loss, b.loss)).toBe(true);
      }),
      fcParams(150),
    );
  });

  test("training at any learning rate 1e-8 … 1e300 never throws by default: it finishes or reports 'diverged at epoch k' with finite parameters", () => {
    fc.assert(
      fc.property(rnnOptions, seed, horizon, logUniform(-8, 300), fc.integer({ min: 1, max: 25 }), fc.integer({ min: 0, max: 1000 }), (opts, s, T, lr, epochs, startEpoch) => {
        const task = delayedActivationTask(T);
        const model = createRnn(s, opts);
        const copy = cloneRnn(model);
        const h = trainRnn(model, { learningRate: lr, epochs, task, startEpoch });
        validateRnnModel(model); // parameters stay finite: a diverging update is never applied
        expect(h.epochsRun).toBe(h.diverged ? h.diverged.epoch - startEpoch + 1 : epochs);
        const last = h.epochsRun - 1;
        for (let e = 0; e < h.epochsRun; e++) {
          expect(h.accuracy[e] >= 0 && h.accuracy[e] <= 1).toBe(true);
          if (h.diverged && e === last) continue; // the diverged epoch's loss/gradient may be non-finite
          expect(h.loss[e] >= 0 && h.loss[e] <= 2).toBe(true);
          expect(Number.isFinite(h.gradNorm[e]) && h.gradNorm[e] >= 0).toBe(true);
        }
        if (h.diverged) expect(h.diverged.reason.length).toBeGreaterThan(0);
        // Same run with onDivergence "throw": throws exactly when the first one diverged, naming the epoch.
        let thrown: unknown = null;
        try {
          const h2 = trainRnn(copy, { learningRate: lr, epochs, task, startEpoch, onDivergence: "throw" });
          expect(sameBits(h2.loss, h.loss)).toBe(true);
        } catch (e) {
          thrown = e;
        }
        if (h.diverged) {
          expect(thrown).toBeInstanceOf(GhostError);
          expect((thrown as Error).message).toContain(`diverged at epoch ${h.diverged.epoch}`);
        } else expect(thrown).toBeNull();
      }),
      fcParams(120),
    );
  });

  test("training is deterministic: two runs of the same config give bit-identical histories and parameters", () => {
    fc.assert(
      fc.property(rnnOptions, seed, logUniform(-3, 0), fc.integer({ min: 1, max: 40 }), (opts, s, lr, epochs) => {
        const a = createRnn(s, opts), b = createRnn(s, opts);
        const ha = trainRnn(a, { learningRate: lr, epochs, task: delayedActivationTask(4) });
        const hb = trainRnn(b, { learningRate: lr, epochs, task: delayedActivationTask(4) });
        for (const k of ["loss", "accuracy", "gradNorm"] as const) expect(sameBits(ha[k], hb[k])).toBe(true);
        for (const g of Object.keys(a.params)) expect(sameBits(paramGroup(a.params, g).data, paramGroup(b.params, g).data)).toBe(true);
      }),
      fcParams(40),
    );
  });

  test("sweep runners count a diverged run as 'diverged' (daTrain at a huge learning rate); rankOneTrain reports it", () => {
    fc.assert(
      fc.property(fc.constantFrom("lowRank", "fullRank"), seed, logUniform(290, 305), (model, s, lr) => {
        const r = runDaTrain({ model, seed: s, learningRate: lr, epochs: 5, N: 6, rank: model === "lowRank" ? 2 : undefined });
        if (r.diverged) expect(classifyDaRun(r, { gradFloor: 1e-3, learnedLevel: 0.5 })).toBe("diverged");
        else expect(r.final.loss).toBeLessThanOrEqual(2); // saturated instead of diverging: finite and in range
      }),
      fcParams(20),
    );
    const r1 = runRankOneTrain({ seed: 1, N: 10, learningRate: 1e300, epochs: 5 });
    expect(r1.diverged === null ? r1.final?.loss ?? NaN : r1.diverged.epoch).not.toBeNaN();
  });
});

describe("1-D flow analysis (fixed points, ghosts, classification)", () => {
  test("cubic flows a(κ − r₁)(κ − r₂)(κ − r₃): exactly the three roots, refined to 1e-9, stability from the sign of f′, bounded iterations", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: -90, max: 90 }), { minLength: 3, maxLength: 3 }),
        finite(0.013, 0.087),
        finite(0.1, 10),
        fc.boolean(),
        (ints, jitter, scale, flip) => {
          const roots = ints.map((i) => i / 10 + jitter).sort((x, y) => x - y); // spaced ≥ 0.1, off the grid points
          const a = flip ? -scale : scale;
          const f = (k: number) => a * (k - roots[0]) * (k - roots[1]) * (k - roots[2]);
          const df = (k: number) => a * ((k - roots[1]) * (k - roots[2]) + (k - roots[0]) * (k - roots[2]) + (k - roots[0]) * (k - roots[1]));
          const report = findFixedPoints({ f, df }, { maxIterations: 100 });
          expect(report.fixedPoints.map((p) => p.kappa).length).toBe(3);
          report.fixedPoints.forEach((p, i) => {
            expect(Math.abs(p.kappa - roots[i])).toBeLessThanOrEqual(1e-9);
            expect(p.iterations).toBeLessThanOrEqual(100);
            expect(p.stability).toBe(p.slope < 0 ? "stable" : "unstable");
            expect(Math.sign(p.slope)).toBe(Math.sign(df(roots[i])));
          });
          expect(report.signFlipCount).toBe(3);
        },
      ),
      fcParams(100),
    );
  });

  test("rank-one flows from random m, n, b: every fixed point is a root (|f| small), sorted, inside the grid, stability = sign of f′", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), seed, finite(0.3, 4), (N, s, spread) => {
        const rng = new Rng(s);
        const p = { m: ndFloat64([N], rng.normalArray(N, spread)), n: ndFloat64([N], rng.normalArray(N, spread)), b: ndFloat64([N], rng.normalArray(N, spread / 2)) };
        const flow = rankOneFlow(p);
        const report = findFixedPoints(flow);
        const scale = 15 + p.n.data.reduce((acc, x) => acc + Math.abs(x), 0); // bound on |κ| + |F(κ)| on the grid
        let prev = -Infinity;
        for (const fp of report.fixedPoints) {
          expect(fp.kappa).toBeGreaterThan(prev);
          prev = fp.kappa;
          expect(fp.kappa >= -15 && fp.kappa <= 15).toBe(true);
          if (fp.origin !== "tangency") expect(Math.abs(flow.f(fp.kappa))).toBeLessThanOrEqual(1e-9 * scale);
          expect(fp.stability).toBe(Math.abs(fp.slope) <= 1e-9 ? "degenerate" : fp.slope < 0 ? "stable" : "unstable");
        }
        expect(report.fixedPoints.filter((q) => q.origin === "sign-change").length).toBe(report.signFlipCount);
      }),
      fcParams(100),
    );
  });

  test("ghost of f = (κ − c)² + h between κ₀ and 1: h > 0 → ghost at c with r_eff = h, passage π/√h; h < 0 → bifurcated, roots c ± √−h", () => {
    fc.assert(
      fc.property(finite(-2, 0.5), finite(0.1, 0.9), logUniform(-4, 0), fc.boolean(), (k0, cFrac, hMag, positive) => {
        const c = k0 + cFrac * (1 - k0);
        const h = positive ? hMag : -hMag;
        const g = analyseGhost({ f: (k) => (k - c) ** 2 + h, df: (k) => 2 * (k - c), d2f: () => 2 }, k0);
        expect(g.kappaGhost).toBeGreaterThanOrEqual(g.interval[0]);
        expect(g.kappaGhost).toBeLessThanOrEqual(g.interval[1]);
        if (positive) {
          expect(g.classification).toBe("ghost");
          expect(Math.abs(g.kappaGhost - c)).toBeLessThanOrEqual(1e-6);
          expect(Math.abs(g.height - h)).toBeLessThanOrEqual(1e-12 + 1e-10 * h);
          expect(Math.abs((g.canonical?.rEff ?? NaN) - h) / h).toBeLessThanOrEqual(1e-9);
          expect(Math.abs((g.canonical?.passageTime ?? NaN) - Math.PI / Math.sqrt(h)) / (Math.PI / Math.sqrt(h))).toBeLessThanOrEqual(1e-9);
        } else {
          expect(g.classification).toBe("bifurcated");
          const inside = [c - Math.sqrt(-h), c + Math.sqrt(-h)].filter((x) => x >= g.interval[0] && x <= g.interval[1]);
          const found = g.fixedPoints.map((p) => p.kappa);
          for (const x of inside) expect(found.some((y) => Math.abs(y - x) <= 1e-9)).toBe(true);
          expect(g.canonical).toBeNull();
        }
      }),
      fcParams(150),
    );
  });

  test("run classification: selected = learned ∧ stuck, counts add up; firstEpochBelow is the first index below; events alternate", () => {
    const acc = fc.array(fc.integer({ min: 0, max: 40 }).map((k) => k / 40), { minLength: 50, maxLength: 120 });
    fc.assert(
      fc.property(fc.array(acc, { minLength: 1, maxLength: 6 }), finite(0, 1), (runs, level) => {
        const set = classifyRuns(runs);
        set.runs.forEach((r, i) => {
          expect(r).toEqual(classifyRun(runs[i]));
          expect(r.selected).toBe(r.learned && r.stuck);
          expect(r.learned).toBe(Math.max(...runs[i]) > 0.5);
        });
        expect(set.learnedCount).toBe(set.runs.filter((r) => r.learned).length);
        expect(set.selectedIndices).toEqual(set.runs.flatMap((r, i) => (r.selected ? [i] : [])));
        const e = firstEpochBelow(runs[0], level);
        if (e === null) expect(runs[0].every((v) => v >= level)).toBe(true);
        else {
          expect(runs[0][e]).toBeLessThan(level);
          expect(runs[0].slice(0, e).every((v) => v >= level)).toBe(true);
        }
        const events = bifurcationEvents(runs[0].map((v) => v - level));
        events.forEach((ev, i) => i > 0 && expect(ev.kind).not.toBe(events[i - 1].kind));
      }),
      fcParams(100),
    );
  });
});

describe("core: statistics, random numbers, grids, exact JSON", () => {
  test("mean ∈ [min, max], std ≥ 0, SEM = std/√n; column statistics equal per-column statistics", () => {
    fc.assert(
      fc.property(fc.array(fc.array(finite(-1e6, 1e6), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 20 }), (rows) => {
        const col = rows.map((r) => r[0]);
        const m = mean(col);
        expect(m).toBeGreaterThanOrEqual(Math.min(...col) - 1e-9 * Math.max(1, Math.abs(m)));
        expect(m).toBeLessThanOrEqual(Math.max(...col) + 1e-9 * Math.max(1, Math.abs(m)));
        expect(std(col)).toBeGreaterThanOrEqual(0);
        expect(sem(col)).toBeCloseTo(std(col) / Math.sqrt(col.length), 6);
        const c = meanSemColumns(rows);
        expect(c.mean[0]).toBeCloseTo(m, 6);
      }),
      fcParams(100),
    );
  });

  test("Rng: same seed same stream; a saved state continues exactly; uniform ∈ [0, 1)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 50 }), (s, skip) => {
        const a = new Rng(s), b = new Rng(s);
        for (let i = 0; i < skip; i++) expect(a.normal()).toBe(b.normal());
        const resumed = Rng.fromState(JSON.parse(JSON.stringify(a.getState())));
        for (let i = 0; i < 10; i++) {
          const u = a.uniform();
          expect(u >= 0 && u < 1).toBe(true);
          expect(resumed.uniform()).toBe(u);
        }
      }),
      fcParams(100),
    );
  });

  test("linspace: n points, exact end points, monotone in the direction start → stop, all finite", () => {
    // Any finite doubles: small ranges (subnormal spacing), ordinary ones, and ±1e308 (stop − start overflows).
    const anyFinite = fc.oneof(finite(-1e10, 1e10), finite(-1e-300, 1e-300), finite(-Number.MAX_VALUE, Number.MAX_VALUE));
    fc.assert(
      fc.property(anyFinite, anyFinite, fc.integer({ min: 1, max: 500 }), (a, b, n) => {
        const g = linspace(a, b, n);
        expect(g.length).toBe(n);
        // == on numbers: the end points are exact values (−0 and 0 are the same end point).
        expect(g[0] === a).toBe(true);
        expect(g[n - 1] === (n === 1 ? a : b)).toBe(true);
        for (let i = 1; i < n; i++) {
          expect(Number.isFinite(g[i])).toBe(true);
          if (a <= b) expect(g[i]).toBeGreaterThanOrEqual(g[i - 1]);
          else expect(g[i]).toBeLessThanOrEqual(g[i - 1]);
        }
      }),
      fcParams(200),
    );
  });

  test("encodeJson → decodeJson restores every double bit for bit (NaN, ±Infinity, −0, subnormals) in nested data", () => {
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.double(),
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(fc.string().filter((k) => k !== "$number" && k !== "__proto__"), tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(tree, (v) => {
        expect(encodeJson(decodeJson(encodeJson(v)))).toBe(encodeJson(v));
        const same = (x: unknown, y: unknown): boolean =>
          typeof x === "number" ? Object.is(x, y) : Array.isArray(x) ? Array.isArray(y) && x.length === y.length && x.every((e, i) => same(e, (y as unknown[])[i]))
            : x !== null && typeof x === "object" ? Object.keys(x).every((k) => same((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k])) : x === y;
        expect(same(v, decodeJson(encodeJson(v)))).toBe(true);
      }),
      fcParams(200),
    );
  });
});

describe("files: damaged files are never read as valid", () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-prop-"))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("checked JSON: any one-byte change or truncation is refused, or (a byte outside the payload) leaves the payload intact", () => {
    const file = path.join(dir, "r.json");
    const payload = { seed: 3, loss: [0.5, NaN, -0, 1e-310], note: "ghost" };
    writeCheckedJson(file, payload, { kind: "result" });
    const text = fs.readFileSync(file);
    fc.assert(
      fc.property(fc.nat({ max: text.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.boolean(), (pos, byte, truncate) => {
        const damaged = Buffer.from(text);
        if (!truncate) damaged[pos] = byte;
        fs.writeFileSync(file, truncate ? damaged.subarray(0, pos) : damaged);
        const r = tryReadCheckedJson<typeof payload>(file, { kind: "result" });
        if (truncate && pos < text.length - 1) expect(r.ok).toBe(false); // the last byte is the newline
        if (r.ok) expect(encodeJson(r.payload)).toBe(encodeJson(payload));
      }),
      fcParams(300),
    );
  });

  test("checkpoints of random models: save → load gives a bit-identical model and forward pass; any one-byte change is refused or harmless", () => {
    fc.assert(
      fc.property(rnnOptions, seed, logUniform(-3, 0), fc.integer({ min: 0, max: 12 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (opts, s, lr, epochs, posSeed, byte) => {
        const task = delayedActivationTask(3);
        const model = createRnn(s, opts);
        const history = trainRnn(model, { learningRate: lr, epochs, task });
        const file = path.join(dir, "ck.json");
        saveCheckpoint(file, model, { history, training: { learningRate: lr, task } });
        const c = loadCheckpoint(file);
        expect(c.model.config).toEqual(model.config);
        for (const g of Object.keys(model.params)) expect(sameBits(paramGroup(c.model.params, g).data, paramGroup(model.params, g).data)).toBe(true);
        expect(sameBits(c.history?.loss ?? [], history.loss)).toBe(true);
        expect(Object.is(evaluateRnn(c.model, task).loss, evaluateRnn(model, task).loss)).toBe(true);
        const text = fs.readFileSync(file);
        const damaged = Buffer.from(text);
        damaged[posSeed % text.length] = byte;
        fs.writeFileSync(file, damaged);
        const r = tryLoadCheckpoint(file);
        if (r.ok) {
          for (const g of Object.keys(model.params)) expect(sameBits(paramGroup(r.checkpoint.model.params, g).data, paramGroup(model.params, g).data)).toBe(true);
          expect(sameBits(r.checkpoint.history?.loss ?? [], history.loss)).toBe(true);
        }
      }),
      fcParams(60),
    );
  });

  test("runners are pure: selfTest and rankOneTrain reruns are bit-identical", () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 50 }), (s, count, iterations) => {
        expect(encodeJson(runSelfTest({ seed: s, count, iterations }))).toBe(encodeJson(runSelfTest({ seed: s, count, iterations })));
        const cfg = { seed: s, N: 5, learningRate: 0.05, epochs: 20 };
        expect(encodeJson(runRankOneTrain(cfg))).toBe(encodeJson(runRankOneTrain(cfg)));
      }),
      fcParams(20),
    );
  });
});
