/**
 * The rule of a one-dimensional model as one object: a flow dκ/dt = f(κ) with its derivatives. Each model exports
 * its rule in this form (models.saddleNodeFlow for ẋ = x² + r, models.rankOneLatentRule for the rank-one RNN's
 * latent flow), and the analysis layer's finders and plots take it; the simulations' hot loops call the same
 * functions `f` calls.
 *
 * - `f(κ)`   the vector field (dκ/dt), finite for every finite κ.
 * - `df(κ)`  its derivative f′(κ) (stability of fixed points, Newton steps).
 * - `d2f(κ)` optional second derivative f″(κ) (curvature at a ghost, r_eff = ½ f″ h).
 */
export interface Flow1D {
  /** dκ/dt = f(κ). */
  f(kappa: number): number;
  /** f′(κ). */
  df(kappa: number): number;
  /** f″(κ) (optional). */
  d2f?(kappa: number): number;
}
