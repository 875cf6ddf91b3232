/**
 * The full-rank RNN on the delayed-activation task (spec A8, "sloppy parameters"):
 *   x_{t+1} = (1 − α) x_t + α tanh(Wᵀ x_t + b)   (row-vector convention of the authors' code: u_j = Σ_i x_i W_ij + b_j),
 *   o_{t+1} = σ(w_out·x_{t+1} + b_out)            (no confidence factor, no threshold),
 * x_0 = −0.3·1. Parameters W [N, N], b [N], wOut [N], bOut [1] (contiguous float64 ndarrays), all trainable by default.
 */
import { GhostError, requireInteger } from "../core/errors";
import { ndFloat64 } from "../core/nd";
import { Rng } from "../core/rng";
import type { FullRankParams } from "./types";

/**
 * Spec initialisation (A8), drawn from `rng` in this order: W (N² normals, row-major), wOut (N), bOut (1), each
 * N(0, 1/N) (`randn/√N`); b = 0.
 * @param size N, integer in [1, 4096].
 */
export function initFullRank(size: number, rng: Rng): FullRankParams {
  const N = requireInteger("size", size, 1, 4096);
  if (!(rng instanceof Rng)) throw new GhostError("rng", rng, "an Rng (core.Rng) instance");
  const std = 1 / Math.sqrt(N);
  const W = ndFloat64([N, N], rng.normalArray(N * N, std));
  const b = ndFloat64([N]);
  const wOut = ndFloat64([N], rng.normalArray(N, std));
  const bOut = ndFloat64([1], rng.normalArray(1, std));
  return { W, b, wOut, bOut };
}
