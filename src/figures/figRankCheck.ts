/**
 * The trainable-rank figure's paper check. The paper shows these panels without numbers; its qualitative claims are
 * checked: at the same budget the full-rank network learns over a wider window of learning rates, including where
 * rank one is stuck, and in the rank-K sweep the largest K learns where K = 1 does not.
 */
import { CheckRow, guardCheckData, info, must, nearestInLog, protocolRows } from "./checks";
import { requireFinite, requireObject } from "../core/errors";
import { figRankConfig, FigRankData } from "./figRank";

type Window = { low: number; high: number; decades: number } | null;

/** A learning window as text ("none …", "a … b (n decades)"). */
export function learningWindowText(w: Window): string {
  if (w !== null) {
    requireObject("w", w, "null or a learning window { low, high, decades }");
    for (const f of ["low", "high", "decades"] as const) requireFinite(`w.${f}`, w[f]);
  }
  return w === null ? "none (no learning rate where half of the seeds learned)"
    : w.low === w.high ? `${w.low.toExponential(2)} only (0 decades)`
    : `${w.low.toExponential(2)} … ${w.high.toExponential(2)} (${w.decades.toFixed(2)} decades)`;
}

/**
 * Checks the trainable-rank figure's data (see {@link CheckRow}). Must hold: the full-rank window is wider than
 * rank one's (a missing window = 0 decades) and reaches larger learning rates; at rank one's largest learning rate
 * no rank-one network learned (and, at paper and full scale, most are stuck) while most full-rank networks at the
 * nearest learning rate of their grid learned; at some learning rate the largest K learns in a fraction ≥ 0.5
 * larger than K = 1; no run diverged.
 */
export function checkFigRank(data: FigRankData): CheckRow[] {
  return guardCheckData("data", data, "trainable-rank data as returned by figures.runFigRank", () => {
    const w1 = data.rankOne.learningWindow, wF = data.fullRank.learningWindow;
    const decades = (w: Window) => (w === null ? 0 : w.decades);
    const seeds = data.config.comparison.seeds.length;
    const top1 = data.rankOne.learningRates.length - 1;
    const lrTop = data.rankOne.learningRates[top1];
    const iF = nearestInLog(data.fullRank.learningRates, lrTop);
    const R = data.summary.rankK;
    const kLast = R.ranks.length - 1;
    const gaps = R.learningRates.map((lr, i) => ({ lr, gap: R.fractionLearned[i][kLast] - R.fractionLearned[i][0] }));
    const bestGap = gaps.reduce((a, b) => (b.gap > a.gap ? b : a));
    const paperScale = data.config.scale !== "ci";
    const diverged = [data.rankOne, data.fullRank, ...data.rankK].reduce((a, s) => a + s.counts.diverged.reduce((x, y) => x + y, 0), 0);
    const stuckTop = data.rankOne.counts.stuck[top1], learnedTop = data.rankOne.counts.learned[top1];
    const rows: CheckRow[] = [
      must("(a) learning window: full rank vs rank one", "far wider than rank one's (narrow)", `rank one ${learningWindowText(w1)}; full rank ${learningWindowText(wF)}`,
        wF !== null && decades(wF) > decades(w1), "panel (a) at the same epoch budget and learned level: more decades (a missing window counts as 0)"),
      must("(a) full-rank window reaches larger learning rates", "yes", wF === null ? "no full-rank window" : `up to ${wF.high.toExponential(2)} vs ${w1 === null ? "none" : w1.high.toExponential(2)}`,
        wF !== null && (w1 === null || wF.high > w1.high), "the extra directions absorb large steps without a saddle-node: the window's top is higher"),
      must(`(a) rank one at lr ${lrTop.toExponential(2)}: learned`, "no-learning zone (loss ≈ 1)", `${learnedTop}/${seeds} learned, ${stuckTop} stuck`,
        learnedTop === 0, "rank one's largest grid learning rate: no network ends learned"),
      paperScale
        ? must(`(a) rank one at lr ${lrTop.toExponential(2)}: stuck`, "no-learning zone (loss ≈ 1)", `${stuckTop}/${seeds} stuck`, stuckTop > seeds / 2,
          "most seeds stuck: no output above threshold for 50 epochs, ‖∇L‖ < 1e-8")
        : info(`(a) rank one at lr ${lrTop.toExponential(2)}: stuck`, "no-learning zone (loss ≈ 1)", `${stuckTop}/${seeds} stuck`,
          "ci scale's 2,000 epochs leave some on their way in: asserted at paper and full scale only", stuckTop > seeds / 2),
      must(`(a) full rank at lr ${data.fullRank.learningRates[iF].toExponential(2)}`, "learns", `${data.fullRank.counts.learned[iF]}/${seeds} learned`,
        data.fullRank.counts.learned[iF] > seeds / 2, "most full-rank networks learn at the grid rate nearest rank one's largest (within a factor 2 at paper and full scale)"),
      must(`(b) fraction learned, K = ${R.ranks[kLast]} minus K = ${R.ranks[0]}, best lr`, "rises with K at large lr", `${bestGap.gap.toFixed(2)} at lr ${bestGap.lr.toPrecision(3)}`,
        bestGap.gap >= 0.5, "≥ 0.5: with 2–3 seeds per cell, at least one full seed more out of 2"),
      must("diverged runs", "—", String(diverged), diverged === 0, "bounded tanh and σ in float64: nothing can overflow"),
    ];
    return protocolRows(data.config, figRankConfig(data.config.scale), rows);
  });
}
