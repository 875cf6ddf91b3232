/**
 * Figure 3's paper check: the exact 1-D reduction of the rank-one network, abrupt learning through a ghost without
 * a bifurcation at lr 0.003, and the saddle-node bifurcation into the no-learning zone at lr 0.02.
 */
import { CheckRow, guardCheckData, info, must, protocolRows } from "./checks";
import { requireObject } from "../core/errors";
import { fig3Config, Fig3Config, Fig3HighData, Fig3LowData, validateFig3Config } from "./fig3";
import { analyseRankOneSnapshot } from "../analysis/rankOne";
import { createRankOneRnn } from "../models/rnn";
import { rankOneInitialKappa, rankOneLatentStep, rankOneParams } from "../models/lowRankRnn";
import { delayedActivationTask } from "../tasks/delayedActivation";
import { evaluateRnn } from "../training/bptt";

/** The 1-D reduction of the untrained Fig 3 network, checked against the trainer's own forward pass. */
export interface Fig3Reduction {
  /** Seed of the network (the low-lr run's). */
  seed: number;
  /** max over t = 0…2T of |κ_t(network forward pass) − κ_t(1-D map κ_{t+1} = (1 − α)κ_t + αF(κ_t))|. */
  maxError: number;
  /** Loss and accuracy of the untrained network. */
  loss: number;
  accuracy: number;
  /** κ₀ = nᵀx₀. */
  kappa0: number;
  /** Fixed points of the flow f(κ) = −κ + nᵀtanh(mκ + b), with stability, and the ghost height h on [κ₀, 1]. */
  fixedPoints: { kappa: number; stability: string }[];
  ghostHeight: number;
}

/**
 * Builds the untrained network of the low-lr run (seed, size, confidence and horizon of `config`), runs the
 * trainer's forward pass and iterates the 1-D map κ_{t+1} = (1 − α)κ_t + α nᵀtanh(mκ_t + b) from κ₀ = nᵀx₀; returns
 * the largest difference of the two latent trajectories (rounding only: the network *is* the 1-D system) and the
 * flow's fixed points.
 */
export function fig3Reduction(config: Fig3Config): Fig3Reduction {
  validateFig3Config(config);
  const net = createRankOneRnn(config.low.seed, { size: config.size, confidence: config.confidence });
  const task = delayedActivationTask(config.horizon);
  const pass = evaluateRnn(net, task);
  const p = rankOneParams(net);
  let kappa = rankOneInitialKappa(net); // pass.kappa: [steps + 1, 1]
  let maxError = Math.abs(kappa - pass.kappa.get(0, 0));
  for (let t = 1; t <= task.steps; t++) {
    kappa = rankOneLatentStep(p, kappa, net.config.leak);
    maxError = Math.max(maxError, Math.abs(kappa - pass.kappa.get(t, 0)));
  }
  const snap = analyseRankOneSnapshot(net);
  return {
    seed: config.low.seed,
    maxError,
    loss: pass.loss,
    accuracy: pass.accuracy,
    kappa0: rankOneInitialKappa(net),
    fixedPoints: snap.fixedPoints.fixedPoints.map((f) => ({ kappa: f.kappa, stability: f.stability })),
    ghostHeight: snap.ghost.height,
  };
}

/** "Number of updates applied" label of an epoch (epoch + 1), as the paper labels its panels. */
function label(epoch: number): string {
  return (epoch + 1).toLocaleString("en-US");
}

/**
 * Checks Fig 3's two runs against the paper (see {@link CheckRow}). Must hold (independent of the random stream):
 * the 1-D reduction, the untrained network (loss ≈ 0.9999, accuracy 0.5, one fixed point), an abrupt drop without
 * a bifurcation at lr 0.003 ending in a ghost that times the crossing at step T + 1, and at lr 0.02 a persistent
 * saddle-node event after learning, with the loss back at ≈ 1 and the gradient collapsed. Informational: the
 * epochs, which depend on the random network (PyTorch's seed-40 stream cannot be replayed).
 * @param data `{ low, high }` as returned by runFig3Low / runFig3High (or runFig3's data).
 */
export function checkFig3(data: { low: Fig3LowData; high: Fig3HighData }): CheckRow[] {
  requireObject("data", data, "{ low, high } as returned by figures.runFig3Low / runFig3High (or runFig3's data)");
  requireObject("data.low", data.low, "the data of figures.runFig3Low");
  requireObject("data.high", data.high, "the data of figures.runFig3High");
  return guardCheckData("data", data, "{ low, high } as returned by figures.runFig3Low / runFig3High", () => {
    const { low, high } = data;
    const config = low.config;
    const paperScale = config.scale !== "ci";
    const reduction = fig3Reduction(config);
    const lastLow = low.snapshots[low.snapshots.length - 1];
    const releases = low.events.filter((e) => e.kind === "release");
    const sn = high.saddleNode;
    const fmtEpoch = (e: number | null) => (e === null ? "not reached" : label(e));
    const have = new Set(high.eventFlows.map((s) => s.epoch));
    const eventLabels = sn ? high.config.high.eventFlowOffsets.map((o) => sn.epoch + o).filter((e) => have.has(e)).map(label).join(" / ") : "none";
    const horizon = config.horizon;

    const rows: CheckRow[] = [
      must("1-D reduction of the untrained network", "exact: the network is κ_{t+1} = (1 − α)κ_t + αF(κ_t)", `max |κ_t(network) − κ_t(1-D map)| = ${reduction.maxError.toExponential(2)}`,
        reduction.maxError < 1e-12, "nᵀ times the state update gives the closed 1-D map: the two agree to rounding (< 1e-12 over the trial)"),
      must("initial loss", "≈ 0.9999", low.initial.loss.toFixed(5), Math.abs(low.initial.loss - 0.9999) < 1e-3 && low.initial.loss <= 1,
        "every κ_t below 1: outputs ≈ 0 on the target-1 half, L = (1/T)Σ(o − 1)² slightly below 1 (|L − 0.9999| < 1e-3, L ≤ 1)"),
      must("initial accuracy", "0.5", String(low.initial.accuracy), low.initial.accuracy === 0.5, "the output is 0 on both halves: right on the first half only"),
      must("fixed points at initialisation", "exactly 1", `${low.initial.snapshot.fixedPoints.length} (${low.initial.snapshot.signFlips} sign flip)`,
        low.initial.snapshot.fixedPoints.length === 1 && low.initial.snapshot.signFlips === 1, "one stable fixed point below threshold (refined count and sign flips of f on the grid)"),
      must("lr 0.003: plateau, then abrupt drop", "drop by orders of magnitude",
        low.drop.dropEpoch === null ? "no drop within the budget" : `loss/max < 0.5 at epoch ${fmtEpoch(low.drop.dropEpoch)}; 0.9 → 0.1 in ${low.drop.width} epochs (${(100 * (low.drop.relativeWidth ?? NaN)).toFixed(2)} % of the plateau)`,
        low.drop.dropEpoch !== null && low.drop.relativeWidth !== null && low.drop.relativeWidth < 0.05,
        "abrupt: the normalised loss falls from 0.9 to 0.1 within less than 5 % of the plateau length"),
      paperScale
        ? must("lr 0.003: normalised loss < 1e-2", "orders of magnitude below the plateau", `epoch ${fmtEpoch(low.drop.firstBelow1e2)}; final ${(low.final.loss / low.lossMax).toExponential(2)}`,
          low.drop.firstBelow1e2 !== null && low.final.loss / low.lossMax < 1e-3, "after 500 000 epochs the normalised loss is below 1e-2 and ends below 1e-3")
        : info("lr 0.003: normalised loss < 1e-2", "orders of magnitude below the plateau", `epoch ${fmtEpoch(low.drop.firstBelow1e2)}; final ${(low.final.loss / low.lossMax).toExponential(2)}`,
          "ci scale stops the low-lr run at 40 000 epochs, soon after the drop: asserted at paper scale only"),
      must("lr 0.003: max fixed points over training (v2 test)", "1 (no bifurcation)", `${low.maxFixedPoints.signFlips} (${low.snapshots.length} snapshots + ${low.fixedPointChecks.epoch.length} checks)`,
        low.maxFixedPoints.signFlips === 1 && low.maxFixedPoints.refined === 1, "abrupt learning without a bifurcation: one fixed point at every checked epoch"),
      must("lr 0.003: events of h", "one release, no trap", low.events.map((e) => e.kind).join(", ") || "none",
        releases.length === 1 && low.events.length === 1, "the fixed point is pushed through κ = 1 once (h changes sign once, upwards)"),
      must("lr 0.003: after learning", "ghost (f > 0 on [κ0, 1])", `h = ${lastLow.ghost.height.toFixed(4)} (${lastLow.ghost.classification})`,
        lastLow.ghost.height > 0 && lastLow.ghost.classification === "ghost", "h = min f on [κ0, 1] > 0 with an interior minimum: a ghost, no fixed point"),
      must("lr 0.003: κ crosses 1 at", `step ${horizon + 1} (the target switches on)`, `step ${lastLow.crossingStep}`,
        lastLow.crossingStep !== null && Math.abs(lastLow.crossingStep - (horizon + 1)) <= 2, "the ghost times the crossing: within 2 steps of T + 1"),
      info("lr 0.02: saddle-node event (labels before / at / after)", "5156 / 5163 / 5166 (their seed-40 stream)", eventLabels,
        "epochs depend on the random network (PyTorch's stream cannot be replayed): printed, not asserted"),
      must("lr 0.02: saddle-node event", "h crosses 0, fixed points 1 → 3", sn ? `h ${sn.heightBefore.toFixed(3)} → ${sn.heightAfter.toFixed(3)}; fixed points ${sn.signFlipsBefore} → ${sn.signFlipsAfter}` : "none within the budget",
        sn !== null && sn.heightBefore > 0 && sn.heightAfter <= 0 && sn.countGrew && sn.signFlipsAfter === 3,
        "one update pushes the minimum of f below 0: a pair is born below threshold (3 fixed points)"),
      must("lr 0.02: learned before the event", "learns, then is destabilised", sn ? `accuracy > 0.5 first at ${fmtEpoch(high.firstAccurate)}, event at ${label(sn.epoch)}` : "-",
        sn !== null && high.firstAccurate !== null && high.firstAccurate < sn.epoch, "the network must learn (accuracy > 0.5) before the event"),
      must("lr 0.02: persistent", "point of no return", sn ? String(sn.persistent) : "-", sn !== null && sn.persistent, "h ≤ 0 at every analysed epoch after the event"),
      must("lr 0.02: loss / accuracy after the event", "≈ 1 / 0.5", sn ? `${sn.lossAfter.toFixed(6)} / ${sn.accuracyAfter} (min loss after ${sn.minLossAfter.toFixed(6)})` : "-",
        sn !== null && sn.lossAfter > 0.99 && sn.minLossAfter > 0.99 && sn.accuracyAfter === 0.5, "κ is trapped below 1: outputs ≈ 0, loss > 0.99 at every later epoch, accuracy 0.5"),
      must("lr 0.02: gradient after the event", "~1e-18 (float64), 0 (float32)", sn ? `${sn.gradAfter.toExponential(2)} (from ${sn.gradBefore.toFixed(2)})` : "-",
        sn !== null && sn.collapseOrders > 10, "∂o/∂κ ≈ c·e^{c(κ−1)} with κ far below 1: the gradient falls by more than 10 orders of magnitude"),
    ];
    const combined = { ...config, high: high.config.high };
    return protocolRows(combined, fig3Config(config.scale), rows);
  }, false);
}
