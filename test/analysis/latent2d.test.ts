/**
 * The 2-D latent flow of a rank-K network (spec B2): the reduction against matrices with known singular values,
 * the flow against the network's own flow projected (one vector field), J and ∇²F_i against central finite
 * differences, the grid layout, the 3×3 minima, arrows, projection, the decision field, and the Newton
 * classifier on a network whose latent flow has a known ghost and a known fixed point.
 */
import {
  decisionField,
  heatmapZ,
  latentFlow,
  latentFlowMap,
  latentHessians,
  latentJacobian,
  latentReductionFromMatrix,
  latentSlowPoints,
  latentSpeedGrid,
  lowRankLatentReduction,
  projectStates,
  speedMinima,
  unitArrows,
  LatentSpeedGrid,
} from "../../src/analysis/latent2d";
import { ndFloat64, ndFrom } from "../../src/core/nd";
import { Rng } from "../../src/core/rng";
import { matmul, maxAbsDiff, orthogonal, transpose } from "./linalgHelpers";

const EPS = Number.EPSILON;

function randomLowRank(N: number, K: number, seed: number) {
  const rng = new Rng(seed);
  const Sl = ndFloat64([N, K]), Sr = ndFloat64([K, N]), bIn = ndFloat64([N]), Wout = ndFloat64([1, K]), bOut = ndFloat64([1]);
  for (let i = 0; i < N * K; i++) Sl.data[i] = rng.normal() / Math.sqrt(N); // B1 init scales
  for (let i = 0; i < N * K; i++) Sr.data[i] = rng.normal();
  for (let i = 0; i < N; i++) bIn.data[i] = 0.1 * rng.normal();
  for (let k = 0; k < K; k++) Wout.data[k] = rng.normal();
  bOut.data[0] = 0.3;
  return { Sl, Sr, bIn, Wout, bOut };
}

describe("reduction", () => {
  test("W = U·diag(σ)·Vᵀ with known σ: singular values, M = U₂Σ₂, P = V₂ᵀ up to sign, M·P = rank-2 truncation", () => {
    const N = 8, rng = new Rng(21);
    const U = orthogonal(N, rng), V = orthogonal(N, rng);
    const sigma = [5, 3, 1, 0.5, 0.25, 0.1, 0.05, 0.01];
    const W = new Float64Array(N * N);
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) for (let c = 0; c < N; c++) W[i * N + j] += U[i * N + c] * sigma[c] * V[j * N + c];
    const red = latentReductionFromMatrix(ndFrom(W, [N, N]), ndFloat64([N]));
    expect(maxAbsDiff(red.singularValues.data, sigma)).toBeLessThan(1e-13 * 5 * N);
    for (let c = 0; c < 2; c++) {
      let dotU = 0, dotV = 0;
      for (let i = 0; i < N; i++) {
        dotU += (red.M.data[i * 2 + c] / sigma[c]) * U[i * N + c];
        dotV += red.P.data[c * N + i] * V[i * N + c];
      }
      // Gap σ₂ − σ₃ = 2: vectors accurate to eps·‖W‖/gap ≈ 1e-15 (tolerance with a factor 1e3 of headroom).
      expect(Math.abs(Math.abs(dotU) - 1)).toBeLessThan(1e-12);
      expect(Math.abs(Math.abs(dotV) - 1)).toBeLessThan(1e-12);
      expect(Math.sign(dotU)).toBe(Math.sign(dotV)); // the pair flips together: M·P is sign-free
    }
    const MP = matmul(red.M.data, red.P.data, N, 2, N);
    const trunc = new Float64Array(N * N);
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) for (let c = 0; c < 2; c++) trunc[i * N + j] += U[i * N + c] * sigma[c] * V[j * N + c];
    expect(maxAbsDiff(MP, trunc)).toBeLessThan(1e-13 * 5 * N);
  });

  test("rank 2: M·P = (S_l S_r)ᵀ exactly (to rounding) and the latent flow is the network's flow projected, F(κ) = P·f(Pᵀκ)", () => {
    const N = 30, K = 2;
    const p = randomLowRank(N, K, 4);
    const red = lowRankLatentReduction(p);
    const SlSr = matmul(p.Sl.data, p.Sr.data, N, K, N);
    const W = transpose(SlSr, N, N);
    const scaleW = Math.max(...Array.from(W, Math.abs));
    expect(maxAbsDiff(matmul(red.M.data, red.P.data, N, 2, N), W)).toBeLessThan(1e-13 * N * scaleW);
    expect(red.singularValues.data[2]).toBeLessThan(1e-13 * N * red.singularValues.data[0]);
    for (const kappa of [[0.3, -1.2], [2, 1.5], [-4, 0.1]]) {
      // Network flow (B1, no input) at r = Pᵀκ, row-vector convention: f(r) = −r + tanh(r·S_l·S_r + b_in).
      const r = Array.from({ length: N }, (_, i) => red.P.data[i] * kappa[0] + red.P.data[N + i] * kappa[1]);
      const drive = matmul(r, SlSr, 1, N, N);
      const f = r.map((ri, j) => -ri + Math.tanh(drive[j] + p.bIn.data[j]));
      const projected = [0, 1].map((a) => f.reduce((s, fj, j) => s + red.P.data[a * N + j] * fj, 0));
      // Both sides sum O(N) terms of size ≤ 1·max|P|: agreement to a few N·eps.
      expect(maxAbsDiff(latentFlow(red, kappa), projected)).toBeLessThan(1e-13 * N);
    }
  });

  test("rank K > 2 keeps the two leading directions; the latent readout is W_out·S_lᵀ·Pᵀ", () => {
    const N = 20, K = 3;
    const p = randomLowRank(N, K, 8);
    const red = lowRankLatentReduction(p);
    expect(red.singularValues.data[2]).toBeGreaterThan(1e-3);
    const SlT = transpose(p.Sl.data, N, K);
    const want = matmul(p.Wout.data, matmul(SlT, transpose(red.P.data, 2, N), K, N, 2), 1, K, 2);
    expect(maxAbsDiff(red.readout!.data, want)).toBeLessThan(1e-13 * N);
    expect(Array.from(red.readoutBias!.data)).toEqual([0.3]);
  });

  test("bad shapes are refused with the parameter named", () => {
    const p = randomLowRank(10, 2, 1);
    expect(() => lowRankLatentReduction({ ...p, Sr: ndFloat64([2, 9]) })).toThrow(/params.Sr/);
    expect(() => lowRankLatentReduction({ ...p, bIn: ndFloat64([3]) })).toThrow(/params.bIn/);
    expect(() => lowRankLatentReduction({ ...p, Wout: ndFloat64([1, 3]) })).toThrow(/params.Wout/);
    expect(() => lowRankLatentReduction({ ...p, extra: 1 } as never)).toThrow(/params.extra/);
    expect(() => latentFlow(lowRankLatentReduction(p), [0, Infinity])).toThrow(/kappa\[1\]/);
  });
});

describe("derivatives against central finite differences", () => {
  const N = 25;
  const p = randomLowRank(N, 2, 12);
  const red = lowRankLatentReduction(p);
  const M = red.M.data, P = red.P.data;
  // Bounds of the higher derivatives along a coordinate c: |∂³F_i/∂κ_c³| ≤ Σ_k |P_ik|·max|tanh‴|·|M_kc|³ with
  // max|tanh‴| = 2, and |∂⁴F_i/∂κ_c⁴| ≤ Σ_k |P_ik|·max|tanh⁗|·|M_kc|⁴ with max|tanh⁗| < 4.1.
  let B3 = 0, B4 = 0, B1 = 0;
  for (let k = 0; k < N; k++) {
    const pk = Math.abs(P[k]) + Math.abs(P[N + k]), mk = Math.max(Math.abs(M[2 * k]), Math.abs(M[2 * k + 1]));
    B1 += pk * mk;
    B3 += pk * 2 * mk ** 3;
    B4 += pk * 4.1 * mk ** 4;
  }
  const h = 1e-5;

  test.each([[0.2, -0.7], [1.5, 2.5], [-3, 0.4]])("J at κ = (%p, %p)", (k1, k2) => {
    const J = latentJacobian(red, [k1, k2]).data;
    for (let c = 0; c < 2; c++) {
      const plus = c === 0 ? [k1 + h, k2] : [k1, k2 + h];
      const minus = c === 0 ? [k1 - h, k2] : [k1, k2 - h];
      const fp = latentFlow(red, plus), fm = latentFlow(red, minus);
      // Central difference: truncation ≤ h²/6·B3, rounding ≤ 2·(N + 2)·eps·(|κ| + Σ|P|)/(2h).
      const tol = (h * h * B3) / 6 + ((N + 2) * EPS * (Math.abs(k1) + Math.abs(k2) + 2 + B1)) / h;
      for (let i = 0; i < 2; i++) expect(Math.abs(J[i * 2 + c] - (fp[i] - fm[i]) / (2 * h))).toBeLessThanOrEqual(tol);
    }
  });

  test.each([[0.2, -0.7], [1.5, 2.5], [-3, 0.4]])("∇²F_i at κ = (%p, %p)", (k1, k2) => {
    const H = latentHessians(red, [k1, k2]).data;
    for (let b = 0; b < 2; b++) {
      const plus = b === 0 ? [k1 + h, k2] : [k1, k2 + h];
      const minus = b === 0 ? [k1 - h, k2] : [k1, k2 - h];
      const Jp = latentJacobian(red, plus).data, Jm = latentJacobian(red, minus).data;
      const tol = (h * h * B4) / 6 + ((N + 2) * EPS * (2 + B1)) / h;
      for (let i = 0; i < 2; i++) for (let a = 0; a < 2; a++) {
        expect(Math.abs(H[(i * 2 + a) * 2 + b] - (Jp[i * 2 + a] - Jm[i * 2 + a]) / (2 * h))).toBeLessThanOrEqual(tol);
      }
    }
  });
});

describe("grid, arrows, minima, projection, decision field", () => {
  const N = 12;
  const p = randomLowRank(N, 2, 3);
  const red = lowRankLatentReduction(p);

  test("layout [n2, n1]: entry [j, i] is the flow at (kappa1[i], kappa2[j]); log10 speed", () => {
    const g = latentSpeedGrid(red, { range1: [-2, 3], range2: [-1, 1], resolution: [6, 4] });
    expect(Array.from(g.kappa1)).toEqual([-2, -1, 0, 1, 2, 3]);
    expect(g.kappa2[0]).toBe(-1);
    expect(g.kappa2[3]).toBe(1);
    expect(g.speed.shape).toEqual([4, 6]);
    for (let j = 0; j < 4; j++) for (let i = 0; i < 6; i++) {
      const F = latentFlow(red, [g.kappa1[i], g.kappa2[j]]);
      // The grid associates the drive sum differently (M₀κ₁ + (M₁κ₂ + b)): agreement to N·eps·scale.
      expect(Math.abs(g.flow1.data[j * 6 + i] - F[0])).toBeLessThan(1e-14 * N * 4);
      expect(Math.abs(g.flow2.data[j * 6 + i] - F[1])).toBeLessThan(1e-14 * N * 4);
      const s = g.speed.data[j * 6 + i];
      expect(Math.abs(s - Math.hypot(F[0], F[1]))).toBeLessThan(1e-14 * N * 4);
      expect(g.logSpeed.data[j * 6 + i]).toBe(Math.log10(s));
    }
    const z = heatmapZ(g.logSpeed);
    expect(z.length).toBe(4);
    expect(z[2][5]).toBe(g.logSpeed.data[2 * 6 + 5]);
  });

  /** A hand-made grid with a known speed image. */
  function handGrid(speed: number[][]): LatentSpeedGrid {
    const n2 = speed.length, n1 = speed[0].length;
    const s = ndFrom(speed.flat(), [n2, n1]);
    const f1 = ndFrom(speed.flat(), [n2, n1]);
    return { kappa1: Float64Array.from({ length: n1 }, (_, i) => i), kappa2: Float64Array.from({ length: n2 }, (_, j) => 10 + j), flow1: f1, flow2: ndFloat64([n2, n1]), speed: s, logSpeed: s };
  }

  test("3×3 minima: interior and border minima, ties kept, sorted by speed", () => {
    const g = handGrid([
      [5, 5, 5, 5, 0.5],
      [5, 1, 5, 5, 5],
      [5, 5, 5, 2, 2],
      [6, 6, 6, 6, 6],
    ]);
    const m = speedMinima(g);
    expect(m.map((c) => [c.i1, c.i2, c.speed, c.onBorder])).toEqual([
      [4, 0, 0.5, true],
      [1, 1, 1, false],
      [3, 2, 2, false],
      [4, 2, 2, true],
    ]);
    expect(m[1].kappa).toEqual([1, 11]);
    // A plateau: every point equals its neighbourhood minimum (scipy's minimum_filter == speed keeps ties).
    expect(speedMinima(handGrid([[1, 1], [1, 1]])).length).toBe(4);
  });

  test("unit arrows every stride-th point: unit length (zero flow → zero arrow)", () => {
    const g = latentSpeedGrid(red, { resolution: 9 });
    const a = unitArrows(g, 4);
    expect(a.x.length).toBe(9); // indices 0, 4, 8 on each axis
    expect(a.x.slice(0, 3)).toEqual([g.kappa1[0], g.kappa1[4], g.kappa1[8]]);
    for (let i = 0; i < a.u.length; i++) expect(Math.abs(Math.hypot(a.u[i], a.v[i]) - 1)).toBeLessThan(4 * EPS);
    const zero = handGrid([[0, 1], [1, 1]]);
    expect(unitArrows(zero, 1).u[0]).toBe(0);
  });

  test("projection κ = P·r of [B, S, N] states; decision field Z = W_out·S_lᵀ·Pᵀκ + b_out", () => {
    const rng = new Rng(2);
    const states = ndFloat64([2, 3, N]);
    for (let i = 0; i < states.data.length; i++) states.data[i] = rng.normal();
    const k = projectStates(red.P, states);
    expect(k.shape).toEqual([2, 3, 2]);
    for (let r = 0; r < 6; r++) for (let a = 0; a < 2; a++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += red.P.data[a * N + i] * states.data[r * N + i];
      expect(k.data[r * 2 + a]).toBe(s);
    }
    const g = latentSpeedGrid(red, { resolution: [3, 2] });
    const Z = decisionField(red, g);
    expect(Z.shape).toEqual([1, 2, 3]);
    for (let j = 0; j < 2; j++) for (let i = 0; i < 3; i++) {
      // Direct formula through the N-dimensional back-projection r = Pᵀκ.
      const r = Array.from({ length: N }, (_, u) => red.P.data[u] * g.kappa1[i] + red.P.data[N + u] * g.kappa2[j]);
      const rSl = [0, 1].map((c) => r.reduce((s, ru, u) => s + ru * p.Sl.data[u * 2 + c], 0));
      const z = p.Wout.data[0] * rSl[0] + p.Wout.data[1] * rSl[1] + p.bOut.data[0];
      expect(Math.abs(Z.data[j * 3 + i] - z)).toBeLessThan(1e-13 * N);
    }
    expect(() => decisionField(lowRankLatentReduction({ Sl: p.Sl, Sr: p.Sr, bIn: p.bIn }), g)).toThrow(/readout/);
  });
});

describe("ghost and fixed point of a latent flow with known answers", () => {
  // N = 2, S_l = I, S_r = diag(2, 0.5): W = diag(2, 0.5), P = I, M = diag(2, 0.5), so
  //   F₁ = −κ₁ + tanh(2κ₁ + β),  F₂ = −κ₂ + tanh(0.5κ₂).
  // F₁′ = 0 where tanh(2κ₁ + β) = ±1/√2; at β_c = atanh(1/√2) − √2 the upper extremum touches zero at κ₁ = 1/√2
  // (saddle-node). With β = β_c − 2d the local maximum of F₁ sits at κ₁ = 1/√2 + d with F₁ = −d: a ghost of
  // speed d (F₂ = 0 on κ₂ = 0). Its J = diag(0, −0.5); ∇²E = diag(F₁F₁″, 0.25) with F₁″ = −8·tanh·sech² = −2√2,
  // so diag(2√2·d, 0.25). Further left, F₁ has a simple zero (a stable fixed point, J = diag(<0, −0.5)).
  const d = 1e-3;
  const betaC = Math.atanh(Math.SQRT1_2) - Math.SQRT2;
  const beta = betaC - 2 * d;
  const red = lowRankLatentReduction({ Sl: ndFrom([1, 0, 0, 1], [2, 2]), Sr: ndFrom([2, 0, 0, 0.5], [2, 2]), bIn: ndFrom([beta, 0]) });

  test("grid minima refine to one stable fixed point and one ghost of speed d", () => {
    expect(Array.from(red.P.data)).toEqual([1, 0, 0, 1]);
    const grid = latentSpeedGrid(red, { range1: [-2, 2], range2: [-1, 1], resolution: 201 });
    const cands = speedMinima(grid).filter((c) => !c.onBorder);
    const pts = latentSlowPoints(red, cands);
    const ghosts = pts.filter((q) => q.classification === "ghost");
    const fixed = pts.filter((q) => q.classification === "fixed point");
    expect(ghosts.length).toBeGreaterThanOrEqual(1);
    expect(fixed.length).toBeGreaterThanOrEqual(1);
    for (const g of ghosts) {
      // Newton converges to the stationary point of E; location error ~ eps-level / curvature (2√2·d).
      expect(Math.abs(g.kappa[0] - (Math.SQRT1_2 + d))).toBeLessThan(1e-9);
      expect(Math.abs(g.kappa[1])).toBeLessThan(1e-12);
      expect(Math.abs(g.speed - d) / d).toBeLessThan(1e-9);
      const slow = g.eigenvalues.re[g.slowIndex], fast = g.eigenvalues.re[1 - g.slowIndex];
      expect(Math.abs(slow)).toBeLessThan(1e-9);
      expect(fast).toBeCloseTo(-1 + 0.5, 12);
      expect(g.hessianEigenvalues[0] / (2 * Math.SQRT2 * d)).toBeCloseTo(1, 6);
      expect(g.hessianEigenvalues[1]).toBeCloseTo(0.25, 10);
      // u̇ = ½|F₁″|u² + d = √2·u² + d: r_eff = √2·d, passage π/√(√2·d).
      expect(g.ghostPassageTime! / (Math.PI / Math.sqrt(Math.SQRT2 * d))).toBeCloseTo(1, 5);
    }
    for (const f of fixed) {
      expect(f.speed).toBeLessThanOrEqual(f.fixedPointThreshold);
      expect(f.kappa[0]).toBeLessThan(-0.5);
      expect(f.stability).toBe("stable");
      // At the zero κ* of F₁: F₁′ = −1 + 2·(1 − κ*²) (tanh(2κ* + β) = κ*).
      const k = f.kappa[0];
      expect(f.eigenvalues.re.some((l) => Math.abs(l - (-1 + 2 * (1 - k * k))) < 1e-10)).toBe(true);
    }
  });

  test("with β = β_c + 2d the ghost becomes two fixed points (saddle-node crossed)", () => {
    const red2 = lowRankLatentReduction({ Sl: ndFrom([1, 0, 0, 1], [2, 2]), Sr: ndFrom([2, 0, 0, 0.5], [2, 2]), bIn: ndFrom([betaC + 2 * d, 0]) });
    const grid = latentSpeedGrid(red2, { range1: [-2, 2], range2: [-1, 1], resolution: 401 });
    const pts = latentSlowPoints(red2, speedMinima(grid).filter((c) => !c.onBorder));
    expect(pts.some((q) => q.classification === "ghost")).toBe(false);
    const upper = pts.filter((q) => q.classification === "fixed point" && q.kappa[0] > 0.5);
    expect(upper.map((q) => q.stability).sort()).toEqual(["saddle", "stable"]);
  });
});

describe("latentFlowMap: one panel in one call", () => {
  test("grid, arrows, minima, refined points, trajectories and decision field agree with the separate calls", () => {
    const p = randomLowRank(16, 2, 6);
    const red = lowRankLatentReduction(p);
    const states = ndFloat64([2, 5, 16]);
    states.data.fill(0.1);
    const map = latentFlowMap(red, { resolution: 80, range1: [-3, 3], states, maxCandidates: 5 });
    const grid = latentSpeedGrid(red, { resolution: 80, range1: [-3, 3] });
    expect(Array.from(map.grid.speed.data)).toEqual(Array.from(grid.speed.data));
    expect(map.arrows.x.length).toBe(40 * 40); // stride round(80/40) = 2
    expect(map.candidates).toEqual(speedMinima(grid));
    expect(map.slowPoints.length).toBe(Math.min(5, map.candidates.length));
    expect(map.trajectories!.shape).toEqual([2, 5, 2]);
    expect(map.decision!.shape).toEqual([1, 80, 80]);
    expect(() => latentFlowMap(red, { resolutoin: 3 } as never)).toThrow(/options.resolutoin/);
  });
});
