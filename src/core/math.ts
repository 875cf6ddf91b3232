/**
 * Scalar functions shared by the models and the trainers (one definition each, so a model's readout and its
 * trainer's forward pass cannot drift apart).
 */

const { exp: mathExp } = Math;

/**
 * Numerically stable logistic sigmoid σ(z) = 1/(1 + e^(−z)), branching on the sign of z so that e^(±z) never
 * overflows (spec D4): σ(−1e6) = 0, σ(0) = 0.5, σ(1e6) = 1, never NaN for a number z. Not validated (hot loops).
 */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + mathExp(-z));
  const e = mathExp(z);
  return e / (1 + e);
}
