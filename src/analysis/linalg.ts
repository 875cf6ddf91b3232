/**
 * Dense linear algebra over the library's float64 ndarrays: thin adapters around `ml-matrix` (SVD, eigenvalue
 * decomposition incl. complex eigenvalues of nonsymmetric matrices, linear solves) and `ml-pca` (principal
 * component analysis). No decomposition is written here by hand: each function copies its ndarray into an
 * ml-matrix `Matrix`, calls the library, and copies the answer back into contiguous row-major ndarrays, adding
 * only what the library leaves open:
 *
 * - a deterministic SIGN convention for singular vectors and principal axes (the library, like LAPACK, returns
 *   each vector up to sign): the entry of largest magnitude of every right singular vector / principal axis is
 *   made positive (the first such entry on ties), and the paired left singular vector flips with it, so
 *   U·diag(Σ)·Vᵀ is unchanged;
 * - eigenvectors normalised to unit 2-norm, complex ones split into real and imaginary parts;
 * - GhostError validation of every input (shapes, finiteness, symmetry where required).
 *
 * Matrices are [rows, cols] ndarrays (see core/nd.ts); every returned array is a new contiguous ndarray.
 */
import { EVD, Matrix, SVD, solve as mlSolve } from "ml-matrix";
import { PCA } from "ml-pca";
import { GhostError, requireInteger, requireOptions } from "../core/errors";
import { F64Array, ndFloat64, requireNd } from "../core/nd";

/** Largest matrix dimension accepted by the dense decompositions here (an N×N SVD costs ~N³ operations). */
export const MAX_DENSE_DIM = 4000;

/** Copies a contiguous [rows, cols] float64 ndarray into an ml-matrix Matrix. */
function toMatrix(a: F64Array): Matrix {
  const [rows, cols] = a.shape;
  const m = new Matrix(rows, cols);
  const d = a.data;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, d[i * cols + j]);
  return m;
}

/** Copies an ml-matrix Matrix (any view) into a new contiguous [rows, cols] float64 ndarray. */
function fromMatrix(m: { rows: number; columns: number; get(i: number, j: number): number }): F64Array {
  const out = ndFloat64([m.rows, m.columns]);
  const d = out.data;
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) d[i * m.columns + j] = m.get(i, j);
  return out;
}

/** A finite 2-D float64 ndarray with dimensions in [1, MAX_DENSE_DIM]. */
function requireMatrix(name: string, value: unknown): F64Array {
  const a = requireNd(name, value, ["rows", "cols"], { finite: true });
  for (let k = 0; k < 2; k++) {
    if (a.shape[k] < 1 || a.shape[k] > MAX_DENSE_DIM) {
      throw new GhostError(name, value, `a matrix with 1…${MAX_DENSE_DIM} rows and columns`, `got shape [${a.shape.join(", ")}]`);
    }
  }
  return a;
}

/** A finite square 2-D float64 ndarray. */
function requireSquare(name: string, value: unknown): F64Array {
  const a = requireMatrix(name, value);
  if (a.shape[0] !== a.shape[1]) throw new GhostError(name, value, "a square matrix [n, n]", `got shape [${a.shape.join(", ")}]`);
  return a;
}

/** Thin singular value decomposition A = U·diag(Σ)·Vᵀ of an [m, n] matrix, k = min(m, n). */
export interface SvdResult {
  /** Left singular vectors as columns, [m, k]. */
  U: F64Array;
  /** Singular values Σ, descending, ≥ 0, [k]. */
  singularValues: F64Array;
  /** Right singular vectors as rows, [k, n] (row i is v_i; largest-magnitude entry positive). */
  Vt: F64Array;
}

/**
 * Thin SVD A = U·diag(Σ)·Vᵀ (ml-matrix `SVD`: Golub–Kahan–Reinsch bidiagonalisation + implicit QR as in JAMA, auto-transposed when
 * m < n). Singular values descending; sign convention of the module description.
 * @param a finite [m, n] float64 ndarray, 1 ≤ m, n ≤ MAX_DENSE_DIM.
 */
export function svd(a: F64Array): SvdResult {
  const A = requireMatrix("a", a);
  const [m, n] = A.shape;
  const k = Math.min(m, n);
  const dec = new SVD(toMatrix(A), { autoTranspose: true, computeLeftSingularVectors: true, computeRightSingularVectors: true });
  const Um = dec.leftSingularVectors, Vm = dec.rightSingularVectors, sv = dec.diagonal;
  const U = ndFloat64([m, k]), Vt = ndFloat64([k, n]), S = ndFloat64([k]);
  for (let i = 0; i < k; i++) {
    S.data[i] = Math.max(0, sv[i]);
    // Sign: largest-magnitude entry of v_i positive.
    let best = 0, bestAbs = -1;
    for (let j = 0; j < n; j++) {
      const v = Math.abs(Vm.get(j, i));
      if (v > bestAbs) { bestAbs = v; best = j; }
    }
    const sign = Vm.get(best, i) < 0 ? -1 : 1;
    for (let j = 0; j < n; j++) Vt.data[i * n + j] = sign * Vm.get(j, i);
    for (let r = 0; r < m; r++) U.data[r * k + i] = sign * Um.get(r, i);
  }
  return { U, singularValues: S, Vt };
}

/** Eigen-decomposition of a real square matrix: eigenvalues λ_k = re[k] + i·im[k] and unit eigenvectors. */
export interface EigResult {
  /** Real parts of the eigenvalues, [n] (order as returned by the library; complex pairs adjacent, +im first). */
  re: F64Array;
  /** Imaginary parts, [n] (0 for real eigenvalues). */
  im: F64Array;
  /** Real parts of the eigenvectors, [n, n]: column k belongs to eigenvalue k. */
  vectorsRe: F64Array;
  /** Imaginary parts of the eigenvectors, [n, n] (zero columns for real eigenvalues). Each column has ‖v‖₂ = 1. */
  vectorsIm: F64Array;
}

/**
 * Eigenvalues and eigenvectors of a real (generally nonsymmetric) square matrix A: A v_k = λ_k v_k with complex
 * λ_k, v_k (ml-matrix `EVD`: Hessenberg reduction + shifted QR, as in JAMA/EISPACK). The library stores a
 * complex pair (a ± ib) in adjacent columns j, j+1 as v = V[:, j] ± i·V[:, j+1]; this adapter expands that into
 * explicit real and imaginary parts and normalises every eigenvector to unit 2-norm.
 * @param a finite square [n, n] float64 ndarray.
 */
export function eig(a: F64Array): EigResult {
  const A = requireSquare("a", a);
  const n = A.shape[0];
  const dec = new EVD(toMatrix(A), { assumeSymmetric: false });
  const lr = dec.realEigenvalues, li = dec.imaginaryEigenvalues, V = dec.eigenvectorMatrix;
  const re = ndFloat64([n]), im = ndFloat64([n]), vr = ndFloat64([n, n]), vi = ndFloat64([n, n]);
  for (let k = 0; k < n; k++) {
    re.data[k] = lr[k];
    im.data[k] = li[k];
  }
  for (let k = 0; k < n; k++) {
    if (li[k] === 0) {
      for (let r = 0; r < n; r++) vr.data[r * n + k] = V.get(r, k);
    } else if (li[k] > 0 && k + 1 < n) {
      for (let r = 0; r < n; r++) {
        const x = V.get(r, k), y = V.get(r, k + 1);
        vr.data[r * n + k] = x;
        vi.data[r * n + k] = y;
        vr.data[r * n + k + 1] = x;
        vi.data[r * n + k + 1] = -y;
      }
      k++;
    }
  }
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let r = 0; r < n; r++) s += vr.data[r * n + k] ** 2 + vi.data[r * n + k] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let r = 0; r < n; r++) {
      vr.data[r * n + k] *= inv;
      vi.data[r * n + k] *= inv;
    }
  }
  return { re, im, vectorsRe: vr, vectorsIm: vi };
}

/** Eigen-decomposition of a real symmetric matrix. */
export interface SymmetricEigResult {
  /** Eigenvalues, ascending, [n]. */
  values: F64Array;
  /** Orthonormal eigenvectors as columns, [n, n] (column k belongs to values[k]). */
  vectors: F64Array;
}

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors of a real symmetric matrix (ml-matrix `EVD` with
 * `assumeSymmetric`: tridiagonalisation + QL). The matrix must be symmetric to rounding:
 * |a_ij − a_ji| ≤ 1e-10·max(1, max|a|); the symmetric part ½(A + Aᵀ) is decomposed.
 * @param a finite square [n, n] float64 ndarray.
 */
export function symmetricEig(a: F64Array): SymmetricEigResult {
  const A = requireSquare("a", a);
  const n = A.shape[0], d = A.data;
  let big = 1;
  for (let i = 0; i < d.length; i++) big = Math.max(big, Math.abs(d[i]));
  const S = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = d[i * n + j], y = d[j * n + i];
      if (Math.abs(x - y) > 1e-10 * big) throw new GhostError(`a[${i}, ${j}]`, x, `a symmetric matrix (a[${j}, ${i}] = ${y})`);
      S.set(i, j, 0.5 * (x + y));
    }
  }
  const dec = new EVD(S, { assumeSymmetric: true });
  const lr = dec.realEigenvalues, V = dec.eigenvectorMatrix;
  const order = Array.from({ length: n }, (_, k) => k).sort((p, q) => lr[p] - lr[q]);
  const values = ndFloat64([n]), vectors = ndFloat64([n, n]);
  order.forEach((k, c) => {
    values.data[c] = lr[k];
    for (let r = 0; r < n; r++) vectors.data[r * n + c] = V.get(r, k);
  });
  return { values, vectors };
}

/**
 * Solution x of A x = b for a square, non-singular A (ml-matrix LU with partial pivoting). A singular A (an
 * exactly zero pivot) is refused with a GhostError; {@link leastSquares} handles rank-deficient systems.
 * @param a finite [n, n]. @param b finite [n].
 * @returns x, [n].
 */
export function solveLinear(a: F64Array, b: F64Array): F64Array {
  const A = requireSquare("a", a);
  const n = A.shape[0];
  const B = requireNd("b", b, [n], { finite: true });
  let x: Matrix;
  try {
    x = mlSolve(toMatrix(A), Matrix.columnVector(Array.from(B.data)));
  } catch {
    throw new GhostError("a", a, "a non-singular matrix (LU found a zero pivot)");
  }
  const out = ndFloat64([n]);
  for (let i = 0; i < n; i++) out.data[i] = x.get(i, 0);
  for (let i = 0; i < n; i++) if (!Number.isFinite(out.data[i])) throw new GhostError("a", a, "a non-singular matrix (the solution is not finite)");
  return out;
}

/**
 * Minimum-norm least-squares solution x = A⁺ b (ml-matrix solve via SVD; singular values below the library's
 * threshold max(m, n)·σ₁·eps are treated as zero).
 * @param a finite [m, n]. @param b finite [m].
 * @returns x, [n].
 */
export function leastSquares(a: F64Array, b: F64Array): F64Array {
  const A = requireMatrix("a", a);
  const [m, n] = A.shape;
  const B = requireNd("b", b, [m], { finite: true });
  const x = mlSolve(toMatrix(A), Matrix.columnVector(Array.from(B.data)), true);
  const out = ndFloat64([n]);
  for (let i = 0; i < n; i++) out.data[i] = x.get(i, 0);
  return out;
}

/** A fitted principal component analysis (plain data: mean, axes, variances). */
export interface PcaModel {
  /** Column means of the fitted data, [N] (subtracted before projecting). */
  mean: F64Array;
  /** Principal axes as rows, [k, N], orthonormal, ordered by decreasing variance (largest-magnitude entry > 0). */
  components: F64Array;
  /** Variance along each axis (sample variance, denominator S − 1, as scikit-learn's explained_variance_), [k]. */
  explainedVariance: F64Array;
  /** explainedVariance divided by the total variance of the data (all axes), [k]. */
  explainedVarianceRatio: F64Array;
  /** Number of samples S the model was fitted on. */
  samples: number;
}

/** Options of {@link pcaFit}. */
export interface PcaOptions {
  /** Number of components k, integer in [1, min(S − 1, N)] (the Fig 5 default is 5). */
  components?: number;
}

/**
 * Principal component analysis of the rows of `data` (samples × features), centred, not scaled (scikit-learn's
 * `PCA(n_components=k).fit`). Computed by ml-pca from the SVD of the centred data; sign convention of the module
 * description.
 * @param data finite [S, N] float64 ndarray with S ≥ 2 samples.
 * @param options `components` (default min(5, S − 1, N)).
 */
export function pcaFit(data: F64Array, options?: PcaOptions): PcaModel {
  const X = requireMatrix("data", data);
  const o = requireOptions<PcaOptions>("options", options, ["components"]);
  const [S, N] = X.shape;
  if (S < 2) throw new GhostError("data", data, "at least 2 samples (rows) to fit a PCA", `got ${S}`);
  const kMax = Math.min(S - 1, N);
  const k = o.components === undefined ? Math.min(5, kMax) : requireInteger("options.components", o.components, 1, kMax);
  const rows: number[][] = [];
  for (let i = 0; i < S; i++) rows.push(Array.from(X.data.subarray(i * N, (i + 1) * N)));
  const model = new PCA(rows, { method: "SVD", center: true, scale: false });
  const axes = model.getEigenvectors(); // [N, min(S, N)] columns
  const variances = model.getEigenvalues();
  let total = 0;
  for (const v of variances) total += v;
  const mean = ndFloat64([N]);
  for (let i = 0; i < S; i++) for (let j = 0; j < N; j++) mean.data[j] += X.data[i * N + j];
  for (let j = 0; j < N; j++) mean.data[j] /= S;
  const components = ndFloat64([k, N]), ev = ndFloat64([k]), ratio = ndFloat64([k]);
  for (let c = 0; c < k; c++) {
    let best = 0, bestAbs = -1;
    for (let j = 0; j < N; j++) {
      const v = Math.abs(axes.get(j, c));
      if (v > bestAbs) { bestAbs = v; best = j; }
    }
    const sign = axes.get(best, c) < 0 ? -1 : 1;
    for (let j = 0; j < N; j++) components.data[c * N + j] = sign * axes.get(j, c);
    ev.data[c] = variances[c];
    ratio.data[c] = total > 0 ? variances[c] / total : 0;
  }
  return { mean, components, explainedVariance: ev, explainedVarianceRatio: ratio, samples: S };
}

/** Throws unless `model` is a {@link PcaModel} (consistent shapes, finite entries). */
export function requirePcaModel(name: string, model: unknown): PcaModel {
  if (model === null || typeof model !== "object") throw new GhostError(name, model, "a PcaModel from analysis.pcaFit");
  const m = model as Partial<PcaModel>;
  const comps = requireNd(`${name}.components`, m.components, ["k", "N"], { finite: true });
  const [k, N] = comps.shape;
  if (k < 1 || N < 1) throw new GhostError(`${name}.components`, m.components, "a [k, N] array with k, N ≥ 1");
  requireNd(`${name}.mean`, m.mean, [N], { finite: true });
  return model as PcaModel;
}

/**
 * Coordinates of the rows of `data` on the principal axes: (x − mean)·componentsᵀ (scikit-learn's transform).
 * @param model from {@link pcaFit}. @param data finite [S, N] or trajectories [B, T, N] (N as the model's).
 * @param components how many leading axes to keep, integer in [1, k] (default all k).
 * @returns [S, components] (or [B, T, components] for trajectories).
 */
export function pcaTransform(model: PcaModel, data: F64Array, components?: number): F64Array {
  const m = requirePcaModel("model", model);
  const [k, N] = m.components.shape;
  const rank = data !== null && typeof data === "object" && Array.isArray((data as F64Array).shape) ? (data as F64Array).shape.length : 2;
  const X = requireNd("data", data, rank === 3 ? ["B", "T", N] : ["S", N], { finite: true });
  const c = components === undefined ? k : requireInteger("components", components, 1, k);
  const S = X.data.length / N;
  const out = ndFloat64(rank === 3 ? [X.shape[0], X.shape[1], c] : [S, c]);
  const mu = m.mean.data, W = m.components.data, x = X.data, o = out.data;
  for (let i = 0; i < S; i++) {
    for (let a = 0; a < c; a++) {
      let s = 0;
      for (let j = 0; j < N; j++) s += (x[i * N + j] - mu[j]) * W[a * N + j];
      o[i * c + a] = s;
    }
  }
  return out;
}

/**
 * Pools arrays of states [B, S, N] (or [R, N]) into one [Σ B·S, N] array of rows (e.g. the snapshot states of
 * several epochs, before a PCA fit; spec B3 "fitted on all snapshot states pooled"). Row order: the arrays in
 * the order given, each in row-major order.
 * @param arrays non-empty array of finite float64 ndarrays of rank 2 or 3 with the same last dimension N ≥ 1.
 */
export function poolStates(arrays: F64Array[]): F64Array {
  if (!Array.isArray(arrays) || arrays.length === 0) throw new GhostError("arrays", arrays, "a non-empty array of [B, S, N] or [R, N] float64 ndarrays");
  let N = -1, rows = 0;
  arrays.forEach((a, i) => {
    const rank = a !== null && typeof a === "object" && Array.isArray((a as F64Array).shape) ? (a as F64Array).shape.length : -1;
    const shape = rank === 3 ? ["B", "S", "N"] : ["R", "N"];
    const x = requireNd(`arrays[${i}]`, a, shape, { finite: true });
    const n = x.shape[x.shape.length - 1];
    if (n < 1) throw new GhostError(`arrays[${i}]`, a, "states with N ≥ 1 units");
    if (N === -1) N = n;
    else if (n !== N) throw new GhostError(`arrays[${i}]`, a, `states with N = ${N} units (as arrays[0])`, `got ${n}`);
    rows += x.data.length / n;
  });
  const out = ndFloat64([rows, N]);
  let off = 0;
  for (const a of arrays) {
    out.data.set(a.data, off);
    off += a.data.length;
  }
  return out;
}
