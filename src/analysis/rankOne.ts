/**
 * Thin adapters from the rank-one RNN (src/models/rnn.ts) to the generic 1-D flow analysis.
 *
 * The vector field is the model's own `rankOneLatentFlow` (f(κ) = −κ + Σ_i n_i tanh(m_i κ + b_i)) with its
 * `rankOneLatentFlowSlope` (f′) and `rankOneLatentFlowCurvature` (f″): nothing here re-implements it
 * ("one vector field per model"). Time is in units of τ; the network's discrete latent map is
 * κ_{t+1} = κ_t + α f(κ_t) with the leak α = dt/τ (`rankOneLatentStep`).
 */
import { GhostError, requireInteger, requireOptions } from "../core/errors";
import { copyNd, requireNd } from "../core/nd";
import {
  RankOneParams,
  RnnModel,
  rankOneInitialKappa,
  rankOneLatentRule,
  rankOneLatentStep,
  rankOneParams,
  validateRnnModel,
} from "../models/rnn";
import { Flow1D } from "./flow";
import { FixedPointOptions } from "./fixedPoints";
import { GhostAnalysis, GhostOptions, analyseGhost } from "./ghosts";
import { FlowSnapshotAnalysis, FlowSnapshotOptions, analyseFlowSnapshot } from "./snapshot";

/**
 * The latent flow of rank-one parameters as a {@link Flow1D} (the model's rule, models.rankOneLatentRule:
 * f = rankOneLatentFlow, df = rankOneLatentFlowSlope, d2f = rankOneLatentFlowCurvature), evaluated on a COPY of m, n, b taken now (so a
 * flow snapshot is not changed by later training steps).
 *
 * @param params m, n, b: finite float64 ndarrays of one shape [N], N ≥ 1 (models.rankOneParams(model)).
 */
export function rankOneFlow(params: RankOneParams): Flow1D {
  if (params === null || typeof params !== "object") throw new GhostError("params", params, "rank-one parameters { m, n, b }");
  const m = requireNd("params.m", params.m, ["N"], { finite: true });
  const N = m.shape[0];
  if (N === 0) throw new GhostError("params.m", m, "a float64 ndarray of shape [N] with N ≥ 1");
  const n = requireNd("params.n", params.n, [N], { finite: true });
  const b = requireNd("params.b", params.b, [N], { finite: true });
  return rankOneLatentRule({ m: copyNd(m), n: copyNd(n), b: copyNd(b) });
}

/** {@link rankOneFlow} of a rank-one {@link RnnModel} (throws GhostError for other models). */
export function rankOneModelFlow(model: RnnModel): Flow1D {
  validateRnnModel(model);
  return rankOneFlow(rankOneParams(model));
}

/**
 * Ghost analysis of a rank-one model between κ₀ = n·x_0 (`rankOneInitialKappa`) and the readout
 * threshold κ = 1, with the model's leak for step counts unless `options.leak` is given.
 */
export function analyseRankOneGhost(model: RnnModel, options?: GhostOptions): GhostAnalysis {
  const flow = rankOneModelFlow(model);
  const o = requireOptions<GhostOptions>("options", options);
  return analyseGhost(flow, rankOneInitialKappa(model), { ...o, leak: o.leak ?? model.config.leak });
}

function withLeak<T extends { leak?: number }>(o: Partial<T>, leak: number): Partial<T> {
  return { ...o, leak: o.leak ?? leak };
}

/**
 * One flow snapshot of a rank-one model (Fig 3B/3D): f on the κ grid (default linspace(−15, 15, 1000)),
 * fixed points with stability and discrete-map multipliers (leak = the model's α), the spec's raw
 * sign-flip count, and the ghost analysis between κ₀ and κ = 1.
 */
export function analyseRankOneSnapshot(model: RnnModel, options?: FlowSnapshotOptions): FlowSnapshotAnalysis {
  const flow = rankOneModelFlow(model);
  const o = requireOptions<FlowSnapshotOptions>("options", options);
  const leak = model.config.leak;
  return analyseFlowSnapshot(flow, rankOneInitialKappa(model), {
    ...o,
    fixedPoints: withLeak(requireOptions<FixedPointOptions>("options.fixedPoints", o.fixedPoints), leak),
    ghost: withLeak(requireOptions<GhostOptions>("options.ghost", o.ghost), leak),
  });
}

/**
 * First step t ∈ 1…steps at which the exact latent map κ_{t} = (1 − α)κ_{t−1} + αF(κ_{t−1}) from κ₀ exceeds the
 * threshold 1 (the output σ(c(κ_t − 1)) then exceeds 0.5), null if it never does.
 */
export function rankOneCrossingStep(model: RnnModel, steps: number): number | null {
  requireInteger("steps", steps, 1, 1e7);
  const p = rankOneParams(model);
  let kappa = rankOneInitialKappa(model);
  for (let t = 1; t <= steps; t++) {
    kappa = rankOneLatentStep(p, kappa, model.config.leak);
    if (kappa > 1) return t;
  }
  return null;
}
