/**
 * Bounded scalar root finding and minimisation used by the analysis layer (fixed points, ghosts).
 * Every loop here has a hard iteration cap: pathological inputs return (converged = false), never hang.
 */
import { GhostError } from "../core/errors";

/** Result of a bracketed root search or a bracketed minimisation. */
export interface ScalarSearchResult {
  /** Final abscissa. */
  x: number;
  /** Function value at `x` (g(x) for a root search, f(x) for a minimisation). */
  value: number;
  /** Iterations used (each costs one evaluation of the function, plus one of its derivative for Newton). */
  iterations: number;
  /** True when the stopping rule was met before the iteration cap. */
  converged: boolean;
}

function finiteOrThrow(label: string, x: number, v: number): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new GhostError(`${label}(${x})`, v, "a finite number (the flow diverged or is undefined here)");
  }
  return v;
}

/**
 * Root of g in a bracket by safeguarded Newton–bisection.
 *
 * Requires g(a) and g(b) of strictly opposite signs (ga, gb are those values). Each iteration keeps a
 * sign-changing bracket; a Newton step x − g/g′ is taken only when `dg` is given, the step lands strictly
 * inside the bracket and is at most half the previous step; otherwise the bracket is bisected.
 * Stops when g(x) = 0 exactly, when the bracket width or the last step is ≤ tolerance·max(1, |x|), or
 * after `maxIterations` iterations (then `converged` is false and the point with the smallest |g| seen
 * is returned). For a simple root the result is within tolerance·max(1, |x|) of the root (with Newton
 * active usually to machine precision).
 *
 * @param label name used in error messages for non-finite values (e.g. "flow.f").
 */
export function bracketedRoot(
  label: string,
  g: (x: number) => number,
  dg: ((x: number) => number) | undefined,
  a: number,
  b: number,
  ga: number,
  gb: number,
  tolerance: number,
  maxIterations: number,
): ScalarSearchResult {
  if (!((ga < 0 && gb > 0) || (ga > 0 && gb < 0))) {
    throw new GhostError("bracket", [a, b], "a bracket whose end values have strictly opposite signs");
  }
  let xNeg = ga < 0 ? a : b;
  let xPos = ga < 0 ? b : a;
  let best = Math.abs(ga) <= Math.abs(gb) ? { x: a, v: ga } : { x: b, v: gb };
  let stepOld = Math.abs(b - a);
  let step = stepOld;
  let x = 0.5 * (a + b);
  let gx = finiteOrThrow(label, x, g(x));
  let dgx = dg ? dg(x) : NaN;
  for (let it = 1; it <= maxIterations; it++) {
    if (Math.abs(gx) < Math.abs(best.v)) best = { x, v: gx };
    if (gx === 0) return { x, value: 0, iterations: it, converged: true };
    if (gx < 0) xNeg = x;
    else xPos = x;
    const scale = tolerance * Math.max(1, Math.abs(x));
    const width = Math.abs(xPos - xNeg);
    if (width <= scale || step <= scale) return { x, value: gx, iterations: it, converged: true };
    const lo = Math.min(xNeg, xPos);
    const hi = Math.max(xNeg, xPos);
    let next = NaN;
    if (dg && Number.isFinite(dgx) && dgx !== 0) {
      const newtonStep = gx / dgx;
      const candidate = x - newtonStep;
      if (candidate > lo && candidate < hi && Math.abs(newtonStep) <= 0.5 * stepOld) {
        next = candidate;
        stepOld = step;
        step = Math.abs(newtonStep);
      }
    }
    if (Number.isNaN(next)) {
      next = 0.5 * (lo + hi);
      stepOld = step;
      step = 0.5 * width;
    }
    x = next;
    gx = finiteOrThrow(label, x, g(x));
    dgx = dg ? dg(x) : NaN;
  }
  if (Math.abs(gx) < Math.abs(best.v)) best = { x, v: gx };
  return { x: best.x, value: best.v, iterations: maxIterations, converged: false };
}

const INV_PHI = (Math.sqrt(5) - 1) / 2; // 0.618…

/**
 * Minimum of f on [a, b] by golden-section search (fallback when the derivative gives no usable
 * bracket). Stops when the bracket is ≤ max(tolerance, √ε)·max(1, |x|) wide (a flat minimum cannot be
 * located more finely from f values alone) or after `maxIterations` iterations. The returned point is
 * the best of all evaluated points, including a and b.
 */
export function goldenSectionMinimum(
  label: string,
  f: (x: number) => number,
  a: number,
  b: number,
  tolerance: number,
  maxIterations: number,
): ScalarSearchResult {
  let lo = a;
  let hi = b;
  let best = { x: a, v: finiteOrThrow(label, a, f(a)) };
  const fb = finiteOrThrow(label, b, f(b));
  if (fb < best.v) best = { x: b, v: fb };
  let x1 = hi - INV_PHI * (hi - lo);
  let x2 = lo + INV_PHI * (hi - lo);
  let f1 = finiteOrThrow(label, x1, f(x1));
  let f2 = finiteOrThrow(label, x2, f(x2));
  const relTol = Math.max(tolerance, Math.sqrt(Number.EPSILON));
  for (let it = 1; it <= maxIterations; it++) {
    if (f1 < best.v) best = { x: x1, v: f1 };
    if (f2 < best.v) best = { x: x2, v: f2 };
    if (hi - lo <= relTol * Math.max(1, Math.abs(0.5 * (lo + hi)))) {
      return { x: best.x, value: best.v, iterations: it, converged: true };
    }
    if (f1 <= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - INV_PHI * (hi - lo);
      f1 = finiteOrThrow(label, x1, f(x1));
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + INV_PHI * (hi - lo);
      f2 = finiteOrThrow(label, x2, f(x2));
    }
  }
  if (f1 < best.v) best = { x: x1, v: f1 };
  if (f2 < best.v) best = { x: x2, v: f2 };
  return { x: best.x, value: best.v, iterations: maxIterations, converged: false };
}
