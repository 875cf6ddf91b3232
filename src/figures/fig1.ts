/**
 * Figure 1 (spec A1): the saddle-node toy model ẋ = f(x; r) = x² + r and its ghost.
 *
 * Two pieces of plain data:
 *  - the paper's schematic: f(x) = x² + 0.5 (r > 0, a ghost, no fixed point) and f(x) = x² − 0.5 (r < 0, a stable
 *    and an unstable fixed point at ∓√0.5) on x = linspace(−1, 1, 100) (`Figure1/code/plot.py`);
 *  - slider frames over r from 0.5 down to −0.5: the flow, its fixed points or ghost, the trajectory x(t) from
 *    x(0) = 0, and the passage time through the ghost, t*(r) = π/(2√r) (analytic) beside the Euler time to reach
 *    x* = 10, which grows as r ↓ 0 and is infinite once the fixed points exist (r ≤ 0).
 *
 * Everything is computed from the model's one vector field (models/saddleNode: saddleNodeField, toyFlow,
 * toyFixedPoints, toyGhost, simulateSaddleNode, simulatedCrossingTime). Returned arrays are plain numbers;
 * infinite times are `null` so the data is JSON-serialisable.
 */
import { GhostError, requireFinite, requireFiniteArray, requireInteger, requireOneOf, requirePositive } from "../core/errors";
import { knownScale, requireKnownKeys } from "../core/checks";
import { linspace, logspace } from "../core/arrays";
import {
  crossingTime, simulateSaddleNode, simulatedCrossingTime, toyFixedPoints, toyFlow, toyGhost, ToyFixedPoint, ToyGhost,
} from "../models/saddleNode";

/** Scales: Fig 1 is cheap; "ci" only uses fewer slider frames (21 instead of 41) and passage-time points. */
export type Fig1Scale = "ci" | "paper";

/** Full parameter set of Figure 1 (plain data). */
export interface Fig1Config {
  scale: Fig1Scale;
  /** x grid of the flow plots: linspace(start, stop, points); paper (−1, 1, 100). */
  x: { start: number; stop: number; points: number };
  /** r of the two schematic panels; paper [0.5, −0.5]. */
  schematicR: number[];
  /**
   * r of the slider frames, from 0.5 down to −0.5, denser near 0 (r = 0.5·sign(u)·u², u = linspace(1, −1, n)) so
   * the slow passage near the bifurcation is visible; n = 41 (paper scale) or 21 (ci). Contains r = 0.
   */
  sliderR: number[];
  /** Trajectory of each frame: Euler step dt, duration, and the x above which recording stops (off the plot). */
  trajectory: { dt: number; duration: number; escape: number; recordEvery: number };
  /** Passage-time curve: r = logspace(log10 rMin, log10 rMax, points); Euler dt and threshold x* for the simulated time. */
  passage: { rMin: number; rMax: number; points: number; dt: number; threshold: number };
}

/** The Figure 1 config at a scale. */
export function fig1Config(scale: Fig1Scale = "paper"): Fig1Config {
  requireOneOf("scale", scale, ["ci", "paper"] as const);
  const frames = scale === "ci" ? 21 : 41;
  const sliderR = Array.from(linspace(1, -1, frames), (u) => {
    const r = 0.5 * Math.sign(u) * u * u;
    return Math.abs(r) < 1e-15 ? 0 : r; // exact 0 at the middle frame
  });
  return {
    scale,
    x: { start: -1, stop: 1, points: 100 },
    schematicR: [0.5, -0.5],
    sliderR,
    trajectory: { dt: 0.01, duration: 60, escape: 2, recordEvery: 20 },
    passage: { rMin: 1e-4, rMax: 0.5, points: scale === "ci" ? 25 : 60, dt: 0.01, threshold: 10 },
  };
}

/** One flow panel: f(x; r) on the x grid with its fixed points and ghost. */
export interface Fig1Panel {
  r: number;
  /** f(x_j; r) = x_j² + r, shape [x.length]. */
  f: number[];
  /** ±√(−r) (r < 0), 0 (r = 0), none (r > 0), with stability. */
  fixedPoints: ToyFixedPoint[];
  /** The bottleneck at x = 0 for r > 0, else null. */
  ghost: ToyGhost | null;
  /** "ghost" (r > 0), "saddle-node" (r = 0) or "two fixed points" (r < 0). */
  regime: "ghost" | "saddle-node" | "two fixed points";
}

/** One slider frame: a flow panel plus the trajectory from x(0) = 0 and the passage times. */
export interface Fig1Frame extends Fig1Panel {
  /** Trajectory x(t) from x(0) = 0 (Euler, dt of the config), recorded until it leaves the plot (x > escape). */
  trajectory: { t: number[]; x: number[] };
  /** t*(r) = π/(2√r), or null (never, r ≤ 0). */
  crossingTime: number | null;
  /** Euler time to reach x* from x(0) = 0, or null (never within the search window). */
  simulatedCrossingTime: number | null;
}

/** Data of Figure 1 (plain, JSON-serialisable). */
export interface Fig1Data {
  config: Fig1Config;
  /** x grid, shape [config.x.points]. */
  x: number[];
  /** The two schematic panels (r = 0.5, r = −0.5). */
  schematic: Fig1Panel[];
  /** Slider frames, in the order of config.sliderR. */
  frames: Fig1Frame[];
  /** Passage time vs r > 0: analytic π/(2√r) and the Euler time to reach x* (same length as r). */
  passage: { r: number[]; analytic: number[]; simulated: (number | null)[] };
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function panel(x: Float64Array, r: number): Fig1Panel {
  return {
    r,
    f: Array.from(toyFlow(x, r)),
    fixedPoints: toyFixedPoints(r),
    ghost: toyGhost(r),
    regime: r > 0 ? "ghost" : r === 0 ? "saddle-node" : "two fixed points",
  };
}

function validateConfig(config: Fig1Config): void {
  if (config === null || typeof config !== "object") throw new GhostError("config", config, "a Fig1Config (see fig1Config)");
  requireOneOf("config.scale", config.scale, ["ci", "paper"] as const);
  requireFinite("config.x.start", config.x?.start);
  requireFinite("config.x.stop", config.x?.stop);
  requireInteger("config.x.points", config.x?.points, 2, 100000);
  requireFiniteArray("config.schematicR", config.schematicR);
  requireFiniteArray("config.sliderR", config.sliderR);
  requirePositive("config.trajectory.dt", config.trajectory?.dt);
  requirePositive("config.trajectory.duration", config.trajectory?.duration);
  requireFinite("config.trajectory.escape", config.trajectory?.escape);
  requireInteger("config.trajectory.recordEvery", config.trajectory?.recordEvery, 1);
  if (config.trajectory.duration / config.trajectory.dt > 1e7) {
    throw new GhostError("config.trajectory.duration/dt", config.trajectory.duration / config.trajectory.dt, "at most 1e7 steps");
  }
  requirePositive("config.passage.rMin", config.passage?.rMin);
  requirePositive("config.passage.rMax", config.passage?.rMax);
  if (!(config.passage.rMax > config.passage.rMin)) throw new GhostError("config.passage.rMax", config.passage.rMax, `a value > rMin = ${config.passage.rMin}`);
  requireInteger("config.passage.points", config.passage?.points, 1, 10000);
  requirePositive("config.passage.dt", config.passage?.dt);
  requireFinite("config.passage.threshold", config.passage?.threshold);
}

/**
 * Computes Figure 1's data (deterministic, a fraction of a second).
 * @param config see {@link fig1Config}
 */
export function runFig1(config: Fig1Config = fig1Config("paper")): Fig1Data {
  requireKnownKeys("config", config, fig1Config(knownScale(config)));
  validateConfig(config);
  const x = linspace(config.x.start, config.x.stop, config.x.points);
  const { dt, duration, escape, recordEvery } = config.trajectory;
  const { threshold } = config.passage;
  // The crossing search window covers the longest analytic passage on the plot (3× margin).
  const maxTime = (rMin: number) => 3 * crossingTime(rMin) + 10;

  const frames: Fig1Frame[] = config.sliderR.map((r) => {
    const tr = simulateSaddleNode(r, { horizon: duration / 2, dt, threshold });
    const t: number[] = [0];
    const xs: number[] = [0];
    for (let i = 0; i < tr.x.length; i++) {
      const escaped = tr.x[i] > escape;
      if ((i + 1) % recordEvery === 0 || escaped) {
        t.push(tr.time[i]);
        xs.push(tr.x[i]);
      }
      if (escaped) break;
    }
    return {
      ...panel(x, r),
      trajectory: { t, x: xs },
      crossingTime: finiteOrNull(crossingTime(r)),
      simulatedCrossingTime: r > 0 ? finiteOrNull(simulatedCrossingTime(r, { dt: config.passage.dt, threshold, maxTime: maxTime(r) })) : null,
    };
  });

  const pr = Array.from(logspace(Math.log10(config.passage.rMin), Math.log10(config.passage.rMax), config.passage.points));
  return {
    config,
    x: Array.from(x),
    schematic: config.schematicR.map((r) => panel(x, r)),
    frames,
    passage: {
      r: pr,
      analytic: pr.map((r) => crossingTime(r)),
      simulated: pr.map((r) => finiteOrNull(simulatedCrossingTime(r, { dt: config.passage.dt, threshold, maxTime: maxTime(r) }))),
    },
  };
}
