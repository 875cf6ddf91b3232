/**
 * The ml-matrix / ml-pca adapters against matrices built with known decompositions. Tolerances: the
 * decompositions are backward stable, so errors are a modest multiple of eps·‖A‖ (eps = 2.2e-16); with ‖A‖ ≤ 10
 * and n ≤ 12, 1e-12 leaves a factor > 100 of headroom over c·n·eps·‖A‖.
 */
import { eig, leastSquares, pcaFit, pcaTransform, poolStates, solveLinear, svd, symmetricEig } from "../../src/analysis/linalg";
import { GhostError } from "../../src/core/errors";
import { ndFloat64, ndFrom } from "../../src/core/nd";
import { Rng } from "../../src/core/rng";
import { identity, matmul, maxAbsDiff, orthogonal, transpose } from "./linalgHelpers";

describe("svd", () => {
  test.each([[7, 5], [5, 7], [6, 6]])("recovers known singular values and vectors of a %i×%i matrix", (m, n) => {
    const rng = new Rng(11 + m * 10 + n);
    const k = Math.min(m, n);
    const sigma = [9, 5, 2.5, 1, 0.25, 0.125, 0.0625].slice(0, k);
    const Qm = orthogonal(m, rng), Qn = orthogonal(n, rng);
    // A = U·diag(σ)·Vᵀ with U = first k columns of Qm, V = first k columns of Qn.
    const A = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += Qm[i * m + c] * sigma[c] * Qn[j * n + c];
      A[i * n + j] = s;
    }
    const r = svd(ndFrom(A, [m, n]));
    expect(r.U.shape).toEqual([m, k]);
    expect(r.Vt.shape).toEqual([k, n]);
    expect(maxAbsDiff(r.singularValues.data, sigma)).toBeLessThan(1e-12);
    // Reconstruction and orthonormality.
    const US = new Float64Array(m * k);
    for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) US[i * k + c] = r.U.data[i * k + c] * r.singularValues.data[c];
    expect(maxAbsDiff(matmul(US, r.Vt.data, m, k, n), A)).toBeLessThan(1e-12);
    const VVt = matmul(r.Vt.data, transpose(r.Vt.data, k, n), k, n, k);
    expect(maxAbsDiff(VVt, identity(k))).toBeLessThan(1e-12);
    for (let c = 0; c < k; c++) {
      // Distinct singular values (gaps ≥ 0.06): each v_c equals ±(column c of Qn) to eps·‖A‖/gap ≈ 3e-14.
      let dot = 0;
      for (let j = 0; j < n; j++) dot += r.Vt.data[c * n + j] * Qn[j * n + c];
      expect(Math.abs(Math.abs(dot) - 1)).toBeLessThan(1e-10);
      // Sign convention: the largest-magnitude entry of v_c is positive.
      const row = Array.from(r.Vt.data.subarray(c * n, (c + 1) * n));
      const big = row.reduce((b, x) => (Math.abs(x) > Math.abs(b) ? x : b), 0);
      expect(big).toBeGreaterThan(0);
    }
  });

  test("refuses non-matrices and non-finite entries", () => {
    expect(() => svd(ndFloat64([3]))).toThrow(GhostError);
    expect(() => svd(ndFrom([1, NaN, 0, 1], [2, 2]))).toThrow(/a\[0, 1\]/);
    expect(() => svd(ndFloat64([0, 3]))).toThrow(GhostError);
  });
});

describe("eig (nonsymmetric, complex pairs)", () => {
  test("A = Q·B·Qᵀ with B = diag(blocks [[a, −b], [b, a]], reals): eigenvalues a ± ib and the reals, A v = λ v", () => {
    const n = 5;
    const rng = new Rng(5);
    const Q = orthogonal(n, rng);
    const B = new Float64Array(n * n);
    B.set([0.3, -2, 0, 0, 0, 2, 0.3, 0, 0, 0, 0, 0, -1.5, 0, 0, 0, 0, 0, 0.7, 0, 0, 0, 0, 0, -0.2]);
    const A = matmul(matmul(Q, B, n, n, n), transpose(Q, n, n), n, n, n);
    const r = eig(ndFrom(A, [n, n]));
    const got = Array.from(r.re.data, (x, i) => [x, r.im.data[i]]).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    const want = [[-1.5, 0], [-0.2, 0], [0.3, -2], [0.3, 2], [0.7, 0]];
    // Simple, well-separated eigenvalues of a normal matrix: error ≤ c·eps·‖A‖ (‖A‖ ≈ 2.3).
    got.forEach((g, i) => expect(maxAbsDiff(g, want[i])).toBeLessThan(1e-12));
    for (let k = 0; k < n; k++) {
      const lr = r.re.data[k], li = r.im.data[k];
      let norm = 0, res = 0;
      for (let i = 0; i < n; i++) {
        let avr = 0, avi = 0;
        for (let j = 0; j < n; j++) {
          avr += A[i * n + j] * r.vectorsRe.data[j * n + k];
          avi += A[i * n + j] * r.vectorsIm.data[j * n + k];
        }
        const vr = r.vectorsRe.data[i * n + k], vi = r.vectorsIm.data[i * n + k];
        res = Math.max(res, Math.hypot(avr - (lr * vr - li * vi), avi - (lr * vi + li * vr)));
        norm += vr * vr + vi * vi;
      }
      expect(Math.abs(norm - 1)).toBeLessThan(1e-14 * n);
      expect(res).toBeLessThan(1e-12);
    }
  });

  test("refuses a non-square matrix", () => {
    expect(() => eig(ndFloat64([2, 3]))).toThrow(/square/);
  });
});

describe("symmetricEig, solveLinear, leastSquares", () => {
  test("Q·diag(λ)·Qᵀ: ascending eigenvalues, orthonormal eigenvectors", () => {
    const n = 6, rng = new Rng(9);
    const Q = orthogonal(n, rng);
    const lam = [3, -2, 0.5, 1e-3, -7, 4];
    const D = new Float64Array(n * n);
    lam.forEach((l, i) => (D[i * n + i] = l));
    const A = matmul(matmul(Q, D, n, n, n), transpose(Q, n, n), n, n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[i * n + j] = A[j * n + i]; // exactly symmetric
    const r = symmetricEig(ndFrom(A, [n, n]));
    expect(maxAbsDiff(r.values.data, [...lam].sort((a, b) => a - b))).toBeLessThan(1e-12);
    const V = r.vectors.data;
    expect(maxAbsDiff(matmul(transpose(V, n, n), V, n, n, n), identity(n))).toBeLessThan(1e-12);
  });

  test("symmetricEig refuses a nonsymmetric matrix, naming the entry", () => {
    expect(() => symmetricEig(ndFrom([1, 2, 0, 1], [2, 2]))).toThrow(/a\[0, 1\]/);
  });

  test("solveLinear: residual at rounding level; singular matrix refused; leastSquares gives the minimum-norm solution", () => {
    const A = ndFrom([4, 1, 0, 1, 3, 1, 0, 1, 2], [3, 3]);
    const b = ndFrom([1, 2, 3]);
    const x = solveLinear(A, b).data;
    const Ax = [4 * x[0] + x[1], x[0] + 3 * x[1] + x[2], x[1] + 2 * x[2]];
    expect(maxAbsDiff(Ax, [1, 2, 3])).toBeLessThan(1e-14 * 8);
    expect(() => solveLinear(ndFrom([1, 2, 2, 4], [2, 2]), ndFrom([1, 1]))).toThrow(/non-singular/);
    // [[1, 1], [1, 1]] x = [2, 2]: minimum-norm solution [1, 1].
    expect(maxAbsDiff(leastSquares(ndFrom([1, 1, 1, 1], [2, 2]), ndFrom([2, 2])).data, [1, 1])).toBeLessThan(1e-14);
  });
});

describe("PCA against a known decomposition", () => {
  /** Columns 1…3 of the 8×8 Sylvester–Hadamard matrix: ±1 entries, zero mean, mutually orthogonal. */
  const H8 = (s: number, c: number) => {
    let bits = s & c, p = 0;
    while (bits) {
      p ^= bits & 1;
      bits >>= 1;
    }
    return p ? -1 : 1;
  };

  test("data = mean + Σ σ_k·h_k(s)·d_k with orthonormal d_k: variances σ_k²·S/(S−1), axes ±d_k, scores σ_k·h_k(s)", () => {
    const S = 8, N = 6, rng = new Rng(3);
    const Q = orthogonal(N, rng); // d_k = column k of Q
    const sigma = [3, 2, 0.5];
    const hCols = [1, 2, 4];
    const mean = [0.5, -1, 2, 0, 0.25, 3];
    const X = ndFloat64([S, N]);
    for (let s = 0; s < S; s++) for (let j = 0; j < N; j++) {
      let v = mean[j];
      for (let k = 0; k < 3; k++) v += sigma[k] * H8(s, hCols[k]) * Q[j * N + k];
      X.data[s * N + j] = v;
    }
    const model = pcaFit(X, { components: 3 });
    expect(maxAbsDiff(model.mean.data, mean)).toBeLessThan(1e-14 * 16);
    expect(maxAbsDiff(model.explainedVariance.data, sigma.map((x) => (x * x * S) / (S - 1)))).toBeLessThan(1e-12);
    const total = sigma.reduce((a, x) => a + x * x, 0);
    expect(maxAbsDiff(model.explainedVarianceRatio.data, sigma.map((x) => (x * x) / total))).toBeLessThan(1e-14 * 8);
    const scores = pcaTransform(model, X);
    for (let k = 0; k < 3; k++) {
      let dot = 0;
      for (let j = 0; j < N; j++) dot += model.components.data[k * N + j] * Q[j * N + k];
      expect(Math.abs(Math.abs(dot) - 1)).toBeLessThan(1e-12);
      const sign = Math.sign(dot);
      for (let s = 0; s < S; s++) expect(Math.abs(scores.data[s * 3 + k] - sign * sigma[k] * H8(s, hCols[k]))).toBeLessThan(1e-12);
    }
  });

  test("trajectories [B, T, N] project to [B, T, k], row by row as the pooled rows", () => {
    const rng = new Rng(4);
    const traj = ndFloat64([2, 3, 5]);
    for (let i = 0; i < traj.data.length; i++) traj.data[i] = rng.normal();
    const model = pcaFit(poolStates([traj]), { components: 2 });
    const a = pcaTransform(model, traj, 2), b = pcaTransform(model, poolStates([traj]), 2);
    expect(a.shape).toEqual([2, 3, 2]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });

  test("default 5 components; fewer samples cap k at S − 1; bad options refused", () => {
    const rng = new Rng(1);
    const X = ndFloat64([20, 10]);
    for (let i = 0; i < X.data.length; i++) X.data[i] = rng.normal();
    expect(pcaFit(X).components.shape).toEqual([5, 10]);
    const small = ndFloat64([3, 10]);
    small.data.set(X.data.subarray(0, 30));
    expect(pcaFit(small).components.shape).toEqual([2, 10]);
    expect(() => pcaFit(small, { components: 3 })).toThrow(/options.components/);
    expect(() => pcaFit(X, { componets: 3 } as never)).toThrow(/options.componets/);
    expect(() => pcaFit(ndFloat64([1, 4]))).toThrow(/at least 2 samples/);
    expect(() => pcaTransform(pcaFit(X), ndFloat64([2, 9]))).toThrow(/data/);
  });

  test("poolStates stacks [B, S, N] and [R, N] arrays row by row", () => {
    const a = ndFrom([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const b = ndFrom([9, 10], [1, 2]);
    const p = poolStates([a, b]);
    expect(p.shape).toEqual([5, 2]);
    expect(Array.from(p.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(() => poolStates([a, ndFloat64([1, 3])])).toThrow(/arrays\[1\]/);
    expect(() => poolStates([])).toThrow(GhostError);
  });
});

