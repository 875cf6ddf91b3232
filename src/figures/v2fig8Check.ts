/**
 * v2 Fig 8 A–B's paper check: a finite confidence leaves a gradient inside the no-learning zone (A); a learnable
 * confidence does not free a stuck network by itself, resetting it to c = 1 does (B).
 */
import { CheckRow, guardCheckData, info, must, protocolRows } from "./checks";
import { classifyRun } from "../analysis/classify";
import { v2Fig8Config, V2Fig8Data } from "./v2fig8";

const fmt = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));

/**
 * Checks v2 Fig 8 A–B's data (see {@link CheckRow}). Must hold: the analytic |dE/dr| is exactly 0 at every grid point
 * inside the zone; every simulated curve is non-zero at every such point; the mean normalised slope inside the
 * zone falls as c rises from 0.1 to 2 (∂o/∂x = c·o(1 − o) and o ≈ e^{c(x − x*)} below threshold, so the signal
 * inside the zone dies like e^{−c·x*}); phase 1 (c learnable from 10) ends stuck with frozen parameters; phase 2
 * (c := 1) recovers. Printed: the c = 0.01 curve against c = 0.1 (the paper's "more so for lower confidence"
 * stops at very small c: ∂o/∂x ≤ c/4 vanishes as c → 0).
 */
export function checkV2Fig8(data: V2Fig8Data): CheckRow[] {
  return guardCheckData("data", data, "v2 Fig 8 data as returned by figures.runV2Fig8", () => {
    const g = data.gradient;
    const zone = g.zoneIndices;
    const sims = g.simulated;
    const sorted = [...sims].filter((s) => (s.confidence as number) >= 0.1).sort((a, b) => (a.confidence as number) - (b.confidence as number));
    const falling = sorted.length >= 2 && sorted.every((s, k) => k === 0 || s.zoneMeanSlope < sorted[k - 1].zoneMeanSlope);
    const at = (c: number) => sims.find((s) => s.confidence === c);
    const c001 = at(0.01), c01 = at(0.1);
    const [p1, p2] = data.learnable.phases;
    const window = 50;
    const stuck1 = p1.loss.length >= window ? classifyRun(p1.accuracy, { window }).stuck : false;
    const stuck2 = p2.loss.length >= window ? classifyRun(p2.accuracy, { window }).stuck : true;
    const c1 = p1.confidence;
    const tail = Math.min(1000, c1.length - 1);
    const frozen = tail > 0 && c1.slice(c1.length - 1 - tail).every((v) => Object.is(v, c1[c1.length - 1]));
    const last = (xs: number[]) => xs[xs.length - 1];
    const rows: CheckRow[] = [
      must("analytic |dE/dr| inside the zone r < r*/4 − dr", "0 (absent on the log plot)", `${g.analytic.zoneZeros} of ${zone.length} grid points exactly 0`,
        zone.length > 0 && g.analytic.zoneZeros === zone.length, "E(r) = T for r ≤ r*/4 (spec A2): its central difference is exactly 0 away from the edge"),
      must("simulated |dE/dr| inside the zone, every c", "non-zero", sims.map((s) => `c = ${s.confidence}: ${s.zoneZeros} zeros`).join(", "),
        sims.length > 0 && sims.every((s) => s.zoneZeros === 0), "a finite confidence makes the output a smooth function of r: no exactly flat zone"),
      must("mean normalised |dE/dr| inside the zone vs c (0.1 … 2)", "larger for lower confidence", sorted.map((s) => `c = ${s.confidence}: ${fmt(s.zoneMeanSlope)}`).join(", "),
        falling, "below threshold o ≈ e^{c(x − x*)}: the zone's signal falls like e^{−c·x*} as c grows"),
      info("c = 0.01 vs c = 0.1 inside the zone", "more so for lower confidence", c001 && c01 ? `${fmt(c001.zoneMeanSlope)} vs ${fmt(c01.zoneMeanSlope)}` : "not computed",
        "∂o/∂x = c·o(1 − o) ≤ c/4: as c → 0 the output stops responding to x at all, so the trend reverses at very small c (the paper plots c = 0.01 without comment)",
        c001 && c01 ? c001.zoneMeanSlope > c01.zoneMeanSlope : null),
      must("phase 1 (c learnable from 10): ends stuck", "learnable c alone does not rescue", `max accuracy ${Math.max(...p1.accuracy).toFixed(3)} over the phase, ${stuck1 ? "≤ 0.5" : "> 0.5 somewhere"} over the last ${window} epochs; c ${c1[0]} → ${last(c1).toFixed(4)}; final gradient norm ${fmt(last(p1.gradNorm))}`,
        stuck1 && frozen, `Fig 4's rule (accuracy ≤ 0.5 over the last ${window} epochs) and c bit-identical over the last ${tail} updates: the update η·∂L/∂c is below half an ulp of c`),
      must("phase 2 (trained m, n, b with c := 1)", "learns", `accuracy over the last ${window} epochs: max ${Math.max(...p2.accuracy.slice(-window)).toFixed(3)}, final loss ${fmt(last(p2.loss))}`,
        !stuck2, `not stuck by Fig 4's rule (some accuracy > 0.5 in the last ${window} epochs): c = 1 revives the gradient ∝ c·e^{c(κ−1)}`),
      info("phase 2: where c goes", "not reported", `c 1 → ${last(p2.confidence).toFixed(3)}`, "once the task is learned, gradient descent raises the confidence again (sharper outputs lower the loss)"),
    ];
    return protocolRows(data.config, v2Fig8Config(data.config.scale), rows);
  });
}
