/**
 * Full-rank slow-point analysis (spec B3): the flow, its Jacobian and the Hessian of q = ½‖F‖² against central
 * finite differences; the search on a network built with a known fixed point x* = tanh(x*·W_rec + b_in);
 * deduplication, distances, the budget options and the eigenvalues at the nearest point.
 */
import {
  findSlowPoints,
  fullRankFlow,
  fullRankPcaAnalysis,
  fullRankJacobian,
  fullRankSpeedHessian,
  fullRankSpeeds,
} from "../../src/analysis/slowPoints";
import { pcaFit, pcaTransform, poolStates } from "../../src/analysis/linalg";
import { ndFloat64, ndFrom } from "../../src/core/nd";
import { Rng } from "../../src/core/rng";

const EPS = Number.EPSILON;

/** W_rec with entries N(0, g²/N) and b_in chosen so that x* is an exact fixed point (in real arithmetic). */
function networkWithFixedPoint(N: number, gain: number, seed: number) {
  const rng = new Rng(seed);
  const Wrec = ndFloat64([N, N]);
  for (let i = 0; i < N * N; i++) Wrec.data[i] = (gain * rng.normal()) / Math.sqrt(N);
  const xStar = Array.from({ length: N }, () => 0.8 * (2 * rng.uniform() - 1));
  const bIn = ndFloat64([N]);
  for (let j = 0; j < N; j++) {
    let drive = 0;
    for (let i = 0; i < N; i++) drive += xStar[i] * Wrec.data[i * N + j];
    bIn.data[j] = Math.atanh(xStar[j]) - drive;
  }
  return { params: { Wrec, bIn }, xStar, rng };
}

describe("flow, Jacobian and Hessian of q", () => {
  const N = 6;
  const { params, rng } = networkWithFixedPoint(N, 0.9, 1);
  const x = ndFrom(Array.from({ length: N }, () => 0.7 * rng.normal()));
  const wMax = Math.max(...Array.from(params.Wrec.data, Math.abs));
  const h = 1e-5;

  test("F(x) = −x + tanh(x·W_rec + b_in) row by row, speeds = ‖F‖", () => {
    const X = ndFloat64([2, N]);
    X.data.set(x.data, 0);
    X.data.set(x.data.map((v) => -v), N);
    const F = fullRankFlow(params, X);
    for (let s = 0; s < 2; s++) for (let j = 0; j < N; j++) {
      let u = params.bIn.data[j];
      for (let i = 0; i < N; i++) u += X.data[s * N + i] * params.Wrec.data[i * N + j];
      expect(Math.abs(F.data[s * N + j] - (Math.tanh(u) - X.data[s * N + j]))).toBeLessThan(1e-15 * N * 4);
    }
    const sp = fullRankSpeeds(params, X);
    expect(sp.shape).toEqual([2]);
    expect(sp.data[0]).toBeCloseTo(Math.hypot(...Array.from(F.data.subarray(0, N))), 15);
  });

  test("J[j, i] = ∂F_j/∂x_i vs central differences", () => {
    const J = fullRankJacobian(params, x).data;
    for (let i = 0; i < N; i++) {
      const xp = ndFrom(x.data), xm = ndFrom(x.data);
      xp.data[i] += h;
      xm.data[i] -= h;
      const Fp = fullRankFlow(params, xp).data, Fm = fullRankFlow(params, xm).data;
      // Truncation ≤ h²/6·max|∂³F_j/∂x_i³| ≤ h²/6·2·|W_ij|³; rounding ≤ 2·(N + 2)·eps·(1 + Σ|x W|)/(2h).
      const tol = (h * h * 2 * wMax ** 3) / 6 + ((N + 2) * EPS * (2 + N * wMax)) / h;
      for (let j = 0; j < N; j++) expect(Math.abs(J[j * N + i] - (Fp[j] - Fm[j]) / (2 * h))).toBeLessThanOrEqual(tol);
    }
  });

  test("∇²q vs central differences of ∇q = JᵀF", () => {
    const grad = (y: ReturnType<typeof ndFrom>) => {
      const J = fullRankJacobian(params, y).data, F = fullRankFlow(params, y).data;
      return Array.from({ length: N }, (_, i) => F.reduce((s, Fj, j) => s + J[j * N + i] * Fj, 0));
    };
    const H = fullRankSpeedHessian(params, x).data;
    for (let b = 0; b < N; b++) {
      const xp = ndFrom(x.data), xm = ndFrom(x.data);
      xp.data[b] += h;
      xm.data[b] -= h;
      const gp = grad(xp), gm = grad(xm);
      // Third derivatives of ∇q along x_b: sums over N units of products of at most three tanh-derivative
      // factors (each ≤ 4.1) and weights ≤ 1 + wMax: |∂³(∇q)_a| ≤ C = 4·N·4.1³·(1 + wMax)⁴; truncation h²C/6.
      const C = 4 * N * 4.1 ** 3 * (1 + wMax) ** 4;
      const tol = (h * h * C) / 6 + (4 * N * EPS * C) / h;
      for (let a = 0; a < N; a++) expect(Math.abs(H[a * N + b] - (gp[a] - gm[a]) / (2 * h))).toBeLessThanOrEqual(tol);
      for (let a = 0; a < N; a++) expect(H[a * N + b]).toBe(H[b * N + a]);
    }
  });

  test("bad inputs are refused naming the parameter", () => {
    expect(() => fullRankFlow({ Wrec: params.Wrec, bIn: ndFloat64([N + 1]) }, x)).toThrow(/params.bIn/);
    expect(() => fullRankJacobian(params, ndFloat64([N - 1]))).toThrow(/x/);
    expect(() => findSlowPoints(params, x, { iteration: 3 } as never)).toThrow(/options.iteration/);
    expect(() => findSlowPoints(params, x, { pca: pcaFit(ndFrom(Array.from({ length: 12 }, (_, i) => i * i), [4, 3])) })).toThrow(/options.pca/);
  });
});

describe("search on a network with a known fixed point", () => {
  test("contracting network (gain 0.5): every start converges to x*, deduplicated to one point at speed ≤ s_fp", () => {
    const N = 10;
    const { params, xStar, rng } = networkWithFixedPoint(N, 0.5, 7);
    const starts = ndFloat64([3, 4, N]);
    for (let s = 0; s < 12; s++) for (let j = 0; j < N; j++) starts.data[s * N + j] = xStar[j] + 0.3 * rng.normal();
    const r = findSlowPoints(params, starts, { iterations: 400, newtonSteps: 6 });
    expect(r.starts).toBe(12);
    expect(r.points.shape[0]).toBe(1);
    expect(r.kinds).toEqual(["fixed point"]);
    expect(r.fixedPointCount).toBe(1);
    expect(r.speeds.data[0]).toBeLessThanOrEqual(r.thresholds.data[0]);
    // x* itself is exact only in real arithmetic (b_in was rounded): the float fixed point lies within
    // ‖J⁻¹‖·(rounding of F at x*) ≈ 2·(N + 2)·eps of x*; ‖J⁻¹‖ ≤ 1/(1 − 0.5·‖W‖) ≲ 4 here.
    let err = 0;
    for (let j = 0; j < N; j++) err = Math.max(err, Math.abs(r.points.data[j] - xStar[j]));
    expect(err).toBeLessThan(4 * 2 * (N + 2) * EPS * 10);
    expect(r.lossAfterNewton).toBeLessThanOrEqual(r.lossAfterAdam);
    // Trace identity: Σ λ = tr J = −N + Σ_j (1 − x*_j²)·W_jj at the fixed point (tanh u_j = x*_j).
    const tr = -N + xStar.reduce((s, xs, j) => s + (1 - xs * xs) * params.Wrec.data[j * N + j], 0);
    const sumRe = r.nearestEigenvalues.re.data.reduce((a, b) => a + b, 0);
    const sumIm = r.nearestEigenvalues.im.data.reduce((a, b) => a + b, 0);
    expect(Math.abs(sumRe - tr)).toBeLessThan(1e-12 * N);
    expect(Math.abs(sumIm)).toBeLessThan(1e-12 * N);
    // Sorted by decreasing real part; a contraction: all Re λ ≤ −1 + ‖W‖₂ < 0.
    const re = Array.from(r.nearestEigenvalues.re.data);
    expect(re).toEqual([...re].sort((a, b) => b - a));
    expect(re[0]).toBeLessThan(0);
  });

  test("paper budget shape: Adam alone leaves a slow point; one Newton step lowers the loss; distances are to visited states", () => {
    const N = 8;
    const { params, xStar, rng } = networkWithFixedPoint(N, 0.5, 3);
    const starts = ndFloat64([5, N]);
    for (let s = 0; s < 5; s++) for (let j = 0; j < N; j++) starts.data[s * N + j] = xStar[j] + 0.5 * rng.normal();
    const adamOnly = findSlowPoints(params, starts, { iterations: 50, newtonSteps: 0, decimals: 6 });
    expect(adamOnly.fixedPointCount).toBe(0); // 50 Adam steps of ≤ lr = 1e-2 each cannot reach rounding level
    const oneStep = findSlowPoints(params, starts, { iterations: 50, newtonSteps: 1, decimals: 6 });
    expect(oneStep.lossAfterNewton).toBeLessThan(oneStep.lossAfterAdam);
    expect(oneStep.lossAfterAdam).toBe(adamOnly.lossAfterAdam);
    // Distances: brute force over the visited states.
    for (let p = 0; p < oneStep.points.shape[0]; p++) {
      let best = Infinity;
      for (let s = 0; s < 5; s++) {
        let d2 = 0;
        for (let j = 0; j < N; j++) d2 += (oneStep.points.data[p * N + j] - starts.data[s * N + j]) ** 2;
        best = Math.min(best, Math.sqrt(d2));
      }
      expect(oneStep.distances.data[p]).toBeCloseTo(best, 14);
    }
    const nearest = oneStep.distances.data[oneStep.nearest];
    expect(Math.min(...Array.from(oneStep.distances.data))).toBe(nearest);
  });

  test("starts as trajectories [B, T, N]; distances to a separate set of visited states", () => {
    const N = 5;
    const { params, xStar, rng } = networkWithFixedPoint(N, 0.5, 9);
    const traj = ndFloat64([2, 3, N]);
    for (let s = 0; s < 6; s++) for (let j = 0; j < N; j++) traj.data[s * N + j] = xStar[j] + 0.2 * rng.normal();
    const visited = ndFrom(xStar.map((v) => v + 0.1), [1, N]);
    const r = findSlowPoints(params, traj, { iterations: 200, newtonSteps: 6, visited });
    expect(r.starts).toBe(6);
    expect(r.points.shape[0]).toBe(1);
    // The fixed point is x* (to rounding), so its distance to x* + 0.1·1 is 0.1·√N.
    expect(r.distances.data[0]).toBeCloseTo(0.1 * Math.sqrt(N), 12);
  });

  test("maxStarts takes evenly spaced rows; a caller's speedThreshold replaces s_fp", () => {
    const N = 6;
    const { params, xStar, rng } = networkWithFixedPoint(N, 0.5, 5);
    const starts = ndFloat64([10, N]);
    for (let s = 0; s < 10; s++) for (let j = 0; j < N; j++) starts.data[s * N + j] = xStar[j] + 0.2 * rng.normal();
    const r = findSlowPoints(params, starts, { iterations: 10, newtonSteps: 0, maxStarts: 3, speedThreshold: 1e9 });
    expect(r.starts).toBe(3);
    expect(r.fixedPointCount).toBe(r.points.shape[0]);
    expect(Array.from(r.thresholds.data).every((t) => t === 1e9)).toBe(true);
  });
});

describe("deduplication by rounded PC coordinates", () => {
  test("two separated fixed points (bistable units): duplicates merge, the copy nearest a visited state is kept", () => {
    // Uncoupled units with self-excitation 2: each unit has stable fixed points ±0.9575 (x = tanh 2x).
    const N = 3;
    const Wrec = ndFloat64([N, N]);
    for (let i = 0; i < N; i++) Wrec.data[i * N + i] = 2;
    const params = { Wrec, bIn: ndFloat64([N]) };
    // Starts beyond the maximum of |F| (|x| > 0.44, where 2·sech²(2x) = 1), so descent on q leads to ±root, not 0.
    const starts = ndFrom([0.5, 0.5, 0.5, 0.6, 0.7, 0.55, -0.5, -0.6, -0.55, -0.9, -0.95, -0.96], [4, N]);
    const r = findSlowPoints(params, starts, { iterations: 300, newtonSteps: 5 });
    expect(r.points.shape[0]).toBe(2);
    expect(r.fixedPointCount).toBe(2);
    const root = 0.9575040240772687; // x = tanh(2x), x > 0
    const signs = [0, 1].map((p) => Math.sign(r.points.data[p * N]));
    expect(signs.sort()).toEqual([-1, 1]);
    for (let p = 0; p < 2; p++) for (let j = 0; j < N; j++) expect(Math.abs(Math.abs(r.points.data[p * N + j]) - root)).toBeLessThan(1e-12);
    // Distance of −root·1 to its nearest visited state, start 4 (−0.9, −0.95, −0.96).
    const dNeg = Math.hypot(-root + 0.9, -root + 0.95, -root + 0.96);
    expect(r.distances.data[r.points.data[0] < 0 ? 0 : 1]).toBeCloseTo(dNeg, 10);
    expect(r.pcs.shape).toEqual([2, 3]); // PCA fitted on the 4 starts: min(3, S − 1, N) = 3 axes
  });
});

describe("fullRankPcaAnalysis (v2 Fig 5 C/F as data)", () => {
  test("one PCA over all snapshots pooled; per snapshot PC1–3 trajectories and slow points found with that PCA", () => {
    const N = 6;
    const a = networkWithFixedPoint(N, 0.5, 11), b = networkWithFixedPoint(N, 0.5, 12);
    const mk = (xs: number[], rng: Rng) => {
      const st = ndFloat64([2, 4, N]);
      for (let s = 0; s < 8; s++) for (let j = 0; j < N; j++) st.data[s * N + j] = xs[j] + 0.3 * rng.normal();
      return st;
    };
    const snaps = [{ params: a.params, states: mk(a.xStar, a.rng) }, { params: b.params, states: mk(b.xStar, b.rng) }];
    const r = fullRankPcaAnalysis(snaps, { iterations: 100, newtonSteps: 6 });
    expect(r.pca.components.shape).toEqual([5, N]);
    const direct = pcaFit(poolStates(snaps.map((s) => s.states)), { components: 5 });
    expect(Array.from(r.pca.explainedVariance.data)).toEqual(Array.from(direct.explainedVariance.data));
    r.snapshots.forEach((s, i) => {
      expect(s.trajectories.shape).toEqual([2, 4, 3]);
      expect(Array.from(s.trajectories.data)).toEqual(Array.from(pcaTransform(direct, snaps[i].states, 3).data));
      expect(s.slowPoints.fixedPointCount).toBe(1);
      expect(s.slowPoints.points.shape[0]).toBe(1);
    });
    expect(() => fullRankPcaAnalysis([])).toThrow(/snapshots/);
    expect(() => fullRankPcaAnalysis(snaps, { pca: direct } as never)).toThrow(/options.pca/);
  });
});
