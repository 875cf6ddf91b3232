/**
 * The planar slow-point classifier on systems with known answers: the saddle-node normal form ẋ = x² + r,
 * ẏ = −y (r = +ε: a ghost at the origin with speed ε; r = −ε: a stable node at (−√ε, 0), a saddle at (+√ε, 0)
 * and, between them, a saddle of E = ½‖F‖² at the origin), and a flow with no slow point at all.
 */
import { PlanarSystem, describeSlowPoint, distinctSlowPoints, refinePlanarSlowPoint, saddleNodePlane } from "../../src/analysis/planar";
import { GhostError } from "../../src/core/errors";

const EPS = Number.EPSILON;

describe("saddle-node normal form, r = +ε: a ghost", () => {
  test.each([1e-3, 1e-6])("ε = %p: refines to the origin, speed ε, J eigenvalues {0, −1}, Hessian of E diag(2ε, 1)", (eps) => {
    const p = refinePlanarSlowPoint(saddleNodePlane(eps), [0.3, 0.2]);
    expect(p.classification).toBe("ghost");
    expect(p.converged).toBe(true);
    // x_{k+1} = 2x_k³/(3x_k² + ε) (exact Newton map, damping 1e-6 only slows it): |x| ends far below √eps·1e-6.
    expect(Math.abs(p.kappa[0])).toBeLessThan(1e-9);
    expect(Math.abs(p.kappa[1])).toBeLessThan(1e-12);
    // speed = √((x² + ε)² + y²) = ε(1 + O(x²/ε + y²/ε²)).
    expect(Math.abs(p.speed - eps) / eps).toBeLessThan(1e-9);
    expect(p.speed).toBeGreaterThan(p.fixedPointThreshold);
    // J = diag(2x, −1): the slow eigenvalue is 2x ≈ 0, its eigenvector ±(1, 0).
    const slow = p.slowIndex, fast = 1 - slow;
    expect(Math.abs(p.eigenvalues.re[slow])).toBeLessThan(2e-9);
    expect(p.eigenvalues.re[fast]).toBeCloseTo(-1, 12);
    expect(p.eigenvalues.im).toEqual([0, 0]);
    expect(p.slowRatio).toBeLessThan(2e-9); // |2x|/1
    // Canonical form ẋ = x² + ε: passage time π/√ε (λ_min(∇²E) = 2ε to the accuracy checked below).
    expect(p.ghostPassageTime! / (Math.PI / Math.sqrt(eps))).toBeCloseTo(1, 7);
    expect(Math.abs(p.eigenvectors[slow].re[0])).toBeCloseTo(1, 12);
    // ∇²E = JᵀJ + F₁∇²F₁ = diag(4x² + 2(x² + ε), 1) → diag(2ε, 1).
    expect(p.hessianEigenvalues[0] / (2 * eps)).toBeCloseTo(1, 8);
    expect(p.hessianEigenvalues[1]).toBeCloseTo(1, 12);
    expect(p.hessianEigenvalues[0]).toBeGreaterThan(p.hessianTolerance);
    expect(p.stability).toBeNull();
  });
});

describe("saddle-node normal form, r = −ε: a fixed pair and a saddle of E", () => {
  const eps = 1e-3, root = Math.sqrt(eps);

  test("from the right: the saddle (+√ε, 0), speed at rounding level, eigenvalues {2√ε, −1}", () => {
    const p = refinePlanarSlowPoint(saddleNodePlane(-eps), [0.08, 0.1]);
    expect(p.classification).toBe("fixed point");
    // Speed at the rounding level s_fp; then |x − √ε| ≤ |F₁|/F₁′ = s/(2√ε) to first order (plus one ulp of x).
    expect(p.speed).toBeLessThanOrEqual(p.fixedPointThreshold);
    // s_fp = 4·eps·((n + 2)·scale + ‖J‖_F·‖κ‖) with n = 2, scale = x² + ε + |y| = 2ε, ‖J‖_F = √(4ε + 1), ‖κ‖ = √ε.
    expect(p.fixedPointThreshold / (4 * EPS * (4 * 2 * eps + Math.sqrt(4 * eps + 1) * root))).toBeCloseTo(1, 6);
    expect(Math.abs(p.kappa[0] - root)).toBeLessThanOrEqual(p.speed / (2 * root) + EPS * root);
    expect(Math.abs(p.kappa[1])).toBeLessThanOrEqual(p.speed);
    expect(p.stability).toBe("saddle");
    const re = [...p.eigenvalues.re].sort((a, b) => a - b);
    expect(re[0]).toBeCloseTo(-1, 12);
    expect(Math.abs(re[1] - 2 * root)).toBeLessThan(1e-12);
  });

  test("a Newton run stopped early by a loose step rule is polished to the fixed point (not called a ghost)", () => {
    // Heavy damping (1e-2) makes the damped step on E converge linearly (rate ≈ μ/λ_min(JᵀJ)); with stepTolerance
    // 1e-7 the loop stops ~1e-9 from the node, at a speed far above rounding level. J is regular there (eigenvalues
    // −2√ε and −1), so JᵀF = 0 forces F = 0: the point cannot be a ghost, and plain Newton steps on F reach it.
    const p = refinePlanarSlowPoint(saddleNodePlane(-eps), [-0.02, -0.01], { damping: 1e-2, stepTolerance: 1e-7 });
    expect(p.stop).toBe("step");
    expect(p.classification).toBe("fixed point");
    expect(p.speed).toBeLessThanOrEqual(p.fixedPointThreshold);
    expect(Math.abs(p.kappa[0] + root)).toBeLessThanOrEqual(p.speed / (2 * root) + EPS * root);
    // while at the ghost (r = +ε) the polish changes nothing: J is singular there
    const g = refinePlanarSlowPoint(saddleNodePlane(eps), [0.05, 0.02], { damping: 1e-2, stepTolerance: 1e-7 });
    expect(g.classification).toBe("ghost");
    expect(g.speed).toBeGreaterThan(0.99 * eps);
  });

  test("from the left: the stable node (−√ε, 0)", () => {
    const p = refinePlanarSlowPoint(saddleNodePlane(-eps), [-0.08, -0.1]);
    expect(p.classification).toBe("fixed point");
    expect(p.speed).toBeLessThanOrEqual(p.fixedPointThreshold);
    expect(Math.abs(p.kappa[0] + root)).toBeLessThanOrEqual(p.speed / (2 * root) + EPS * root);
    expect(p.stability).toBe("stable");
  });

  test("from x = 0 exactly: Newton stays on x = 0 and ends at the origin, a saddle of E (∇²E = diag(−2ε, 1))", () => {
    const p = refinePlanarSlowPoint(saddleNodePlane(-eps), [0, 0.4]);
    expect(p.kappa[0]).toBe(0);
    expect(p.classification).toBe("saddle of E");
    expect(p.speed).toBeCloseTo(eps, 15);
    expect(p.hessianEigenvalues[0] / (-2 * eps)).toBeCloseTo(1, 10);
    expect(p.hessianEigenvalues[0]).toBeLessThan(-p.hessianTolerance);
  });
});

describe("no slow point: ẋ = eˣ, ẏ = −y", () => {
  const expFlow: PlanarSystem = {
    flow: ([x, y]) => [Math.exp(x), -y],
    jacobian: ([x]) => [[Math.exp(x), 0], [0, -1]],
    hessians: ([x]) => [[[Math.exp(x), 0], [0, 0]], [[0, 0], [0, 0]]],
    scale: ([x, y]) => Math.exp(x) + Math.abs(y),
  };

  test("E = ½e^{2x} + ½y² has no stationary point: every Newton step moves x by −½; reported as not converged", () => {
    const p = refinePlanarSlowPoint(expFlow, [0, 1], { maxIterations: 40 });
    expect(p.classification).toBe("not converged");
    expect(p.stop).toBe("max iterations");
    expect(p.iterations).toBe(40);
    // x_k ≈ −k/2 while μ = 1e-6 ≪ 2e^{2x} (x > −5), then steps e^{2x}/(2e^{2x} + μ) shrink but stay ≫ 1e-13:
    // after 40 steps x < −5 and no stopping rule has fired.
    expect(p.kappa[0]).toBeLessThan(-5);
  });
});

describe("options and hostile systems", () => {
  test("bad options and malformed systems are refused with a GhostError naming the field", () => {
    const sys = saddleNodePlane(1e-3);
    expect(() => refinePlanarSlowPoint(sys, [0, 0], { maxIterations: 0 })).toThrow(/options.maxIterations/);
    expect(() => refinePlanarSlowPoint(sys, [0, 0], { dampng: 1 } as never)).toThrow(/options.dampng/);
    expect(() => refinePlanarSlowPoint(sys, [0, NaN])).toThrow(/start\[1\]/);
    expect(() => refinePlanarSlowPoint({ ...sys, jacobian: undefined } as never, [0, 0])).toThrow(/system.jacobian/);
    const badShape: PlanarSystem = { ...sys, flow: () => [1, 2, 3] };
    expect(() => refinePlanarSlowPoint(badShape, [0, 0])).toThrow(GhostError);
  });

  test("a flow that returns NaN stops as non-finite", () => {
    const nanFlow: PlanarSystem = { ...saddleNodePlane(1e-3), flow: ([x]) => [x > 0.25 ? NaN : x * x + 1e-3, 0] };
    const p = refinePlanarSlowPoint(nanFlow, [0.3, 0]);
    expect(p.stop).toBe("non-finite");
    expect(p.classification).toBe("not converged");
  });
});

describe("distinctSlowPoints and describeSlowPoint", () => {
  test("starts converging to the same point collapse to the first; different classes and points stay", () => {
    const sys = saddleNodePlane(-1e-2);
    const pts = [[0.3, 0.1], [0.2, -0.3], [-0.3, 0.2], [0, 0.5]].map((s) => refinePlanarSlowPoint(sys, s));
    const d = distinctSlowPoints(pts);
    expect(d.map((p) => p.classification)).toEqual(["fixed point", "fixed point", "saddle of E"]);
    expect(d[0]).toBe(pts[0]);
    expect(d[1]).toBe(pts[2]);
    expect(() => distinctSlowPoints(pts, 0)).toThrow(/tolerance/);
    expect(() => distinctSlowPoints([{}] as never)).toThrow(/points\[0\]/);
  });

  test("one line with the class, κ, speed, eigenvalues (slow one marked) and the passage time of a ghost", () => {
    const g = refinePlanarSlowPoint(saddleNodePlane(1e-2), [0.2, 0.1]);
    const line = describeSlowPoint(g);
    expect(line).toMatch(/^ghost at κ = \(-?0\.0000, -?0\.0000\): speed 1\.000e-2, λ\(J\) = /);
    expect(line).toMatch(/\(slow\)/);
    expect(line).toMatch(/passage ≈ 31\.4 τ$/); // π/√0.01
    const f = refinePlanarSlowPoint(saddleNodePlane(-1e-2), [-0.2, 0.1]);
    expect(describeSlowPoint(f)).toMatch(/^fixed point \(stable\) at κ = \(-0\.1000, /);
  });
});
