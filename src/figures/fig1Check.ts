/**
 * Figure 1's paper check: the facts the schematic depicts (fixed points of ẋ = x² + r for r = ∓0.5 and 0, the
 * number of fixed points of every slider frame, the r^(−1/2) law of the passage time).
 */
import { CheckRow, guardCheckData, must, protocolRows } from "./checks";
import { fig1Config, Fig1Data } from "./fig1";
import { GhostError } from "../core/errors";

/** Least-squares slope of y against x (x, y of equal length ≥ 2). */
export function leastSquaresSlope(xs: readonly number[], ys: readonly number[]): number {
  if (!Array.isArray(xs) || !Array.isArray(ys) || xs.length !== ys.length || xs.length < 2) {
    throw new GhostError("xs, ys", [xs?.length, ys?.length], "two arrays of equal length ≥ 2");
  }
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxy / sxx;
}

/**
 * Slopes of log₁₀ t against log₁₀ r over the passage-time curve of Fig 1: the analytic t* = π/(2√r) (exactly −1/2)
 * and the Euler time to reach x* (−1/2 up to the threshold offset and the Euler lag). A run that never crossed
 * (null) gives NaN.
 */
export function fig1PassageSlopes(data: Fig1Data): { analytic: number; simulated: number } {
  return guardCheckData("data", data, "Fig 1 data as returned by figures.runFig1", () => {
    const logR = data.passage.r.map(Math.log10);
    return {
      analytic: leastSquaresSlope(logR, data.passage.analytic.map(Math.log10)),
      simulated: leastSquaresSlope(logR, data.passage.simulated.map((t) => (t === null ? NaN : Math.log10(t)))),
    };
  });
}

/**
 * Checks Fig 1's data against the paper (see {@link CheckRow}); every row is must-hold (the figure is a
 * schematic of exact facts).
 */
export function checkFig1(data: Fig1Data): CheckRow[] {
  return guardCheckData("data", data, "Fig 1 data as returned by figures.runFig1", () => {
    const at = (r: number) => data.frames.find((f) => f.r === r);
    const neg = data.schematic[1], pos = data.schematic[0];
    const zero = at(0);
    const { analytic, simulated } = fig1PassageSlopes(data);
    const wrongCounts = data.frames.filter((f) => f.fixedPoints.length !== (f.r < 0 ? 2 : f.r === 0 ? 1 : 0));
    const positive = data.frames.filter((f) => f.r > 0);
    let monotone = true;
    for (let i = 1; i < positive.length; i++) if (!(positive[i].crossingTime! > positive[i - 1].crossingTime!)) monotone = false;
    const rows: CheckRow[] = [
      must("r = −0.5: fixed points", "−0.7071 (stable), +0.7071 (unstable)", neg.fixedPoints.map((p) => `${p.x.toFixed(4)} (${p.stability})`).join(", "),
        neg.fixedPoints.length === 2 && Math.abs(neg.fixedPoints[0].x + Math.sqrt(0.5)) < 1e-15 && neg.fixedPoints[0].stability === "stable" && neg.fixedPoints[1].stability === "unstable",
        "x* = ∓√(−r) with f′(x*) = 2x*: stable below, unstable above (to 1e-15)"),
      must("r = +0.5: fixed points", "none (ghost at x = 0)", pos.fixedPoints.length === 0 && pos.ghost ? `none (ghost at x = ${pos.ghost.x}, speed ${pos.ghost.speed})` : `${pos.fixedPoints.length}`,
        pos.fixedPoints.length === 0 && pos.ghost !== null && pos.ghost.x === 0,
        "x² + r > 0 everywhere; its minimum (the ghost) is at x = 0"),
      must("r = 0: fixed points", "one, half-stable (saddle-node)", zero ? zero.fixedPoints.map((p) => `${p.x} (${p.stability})`).join(", ") : "no r = 0 frame",
        zero !== undefined && zero.fixedPoints.length === 1 && zero.fixedPoints[0].stability === "degenerate",
        "x² = 0 has the double root 0 with f′(0) = 0"),
      must("fixed points of every slider frame", "2 (r < 0), 1 (r = 0), 0 (r > 0)", wrongCounts.length === 0 ? `as expected in all ${data.frames.length} frames` : `wrong at r = ${wrongCounts.map((f) => f.r).join(", ")}`,
        wrongCounts.length === 0, "the number of real roots of x² + r"),
      must("passage time exponent (analytic)", "−1/2", analytic.toFixed(6), Math.abs(analytic + 0.5) <= 1e-9,
        "t* = π/(2√r) is exactly a power law: |slope + 1/2| ≤ 1e-9 (rounding)"),
      must("passage time exponent (Euler, x* = 10)", "−1/2", simulated.toFixed(4), Math.abs(simulated + 0.5) <= 0.02,
        "t_sim = t* − O(1/x*) + O(dt·ln(x*²/r)); over r ∈ [1e-4, 0.5] these shift the slope by ≲ 0.01: |slope + 1/2| ≤ 0.02"),
      must("passage time grows as r ↓ 0", "diverges as r^(−1/2)", monotone ? `increasing over ${positive.length} frames` : "not monotone", monotone,
        "t*(r) = π/(2√r) is decreasing in r"),
    ];
    return protocolRows(data.config, fig1Config(data.config.scale), rows);
  });
}
