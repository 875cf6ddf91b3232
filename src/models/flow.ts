/**
 * The rule of a one-dimensional model as one object: a flow dκ/dt = f(κ) with its derivatives. Each model exports
 * its rule in this form (models.saddleNodeFlow for ẋ = x² + r, models.rankOneLatentRule for the rank-one RNN's
 * latent flow), and the analysis layer's finders and plots take it; the simulations' hot loops call the same
 * functions `f` calls.
 *
 * - `f(κ)`   the vector field (dκ/dt), finite for every finite κ.
 * - `df(κ)`  its derivative f′(κ) (stability of fixed points, Newton steps).
 * - `d2f(κ)` optional second derivative f″(κ) (curvature at a ghost, r_eff = ½ f″ h).
 * - `fGrid(grid, out)` optional batch evaluator: out[j] = f(grid[j]) for a whole grid, bit for bit the values `f`
 *   gives point by point, only faster (the rank-one rule's runs in WebAssembly SIMD). The analysis layer's grid
 *   evaluations (analysis.flowValues: flow curves, fixed-point and ghost grids) use it when present.
 */
export interface Flow1D {
  /** dκ/dt = f(κ). */
  f(kappa: number): number;
  /** f′(κ). */
  df(kappa: number): number;
  /** f″(κ) (optional). */
  d2f?(kappa: number): number;
  /**
   * Optional: f on a whole grid, out[j] = f(grid[j]) for j < grid.length (the same bits as `f`), written into `out`
   * (a Float64Array of the grid's length). Need not check its arguments: the analysis layer validates.
   */
  fGrid?(grid: ArrayLike<number>, out: Float64Array): void;
}
