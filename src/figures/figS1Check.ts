/**
 * Figure S1's paper check. The paper shows S1 as a picture without numbers; its qualitative claims are checked with
 * thresholds derived from the loss's range (≈ 1 on the plateau and in the no-learning zone, < 0.05 once learned).
 */
import { CheckRow, guardCheckData, info, must, protocolRows } from "./checks";
import { figS1Config, FigS1Data } from "./figS1";

/**
 * Checks Fig S1's data against the paper (see {@link CheckRow}). Must hold: the largest learning rate ends in the
 * no-learning zone for most seeds, an interior one reaches a far lower loss, the smallest is still on its plateau,
 * the optimum never moves significantly (> 2 standard errors) to larger learning rates as training gets longer (strictly
 * left from the first to the last report epoch at paper and full scale),
 * and no run diverges.
 */
export function checkFigS1(data: FigS1Data): CheckRow[] {
  return guardCheckData("data", data, "Fig S1 data as returned by figures.runFigS1", () => {
    const S = data.sweep, sum = data.summary;
    const last = S.reportEpochs.length - 1;
    const iTop = S.learningRates.length - 1, iBottom = 0;
    const iBest = S.learningRates.indexOf(sum.best.learningRate);
    const meanFinal = (i: number) => S.meanLoss[last][i];
    const learnedBests = sum.bestLearningRateByEpoch.filter((b) => b.meanLoss < 0.5);
    // The optimum is the argmin of a mean over seeds. Late in training the learned basin is flat: at full scale and
    // 200,000 epochs the mean losses at lr 8.5e-4 … 2.8e-3 all lie within about one standard error of each other, so
    // their argmin flips between neighbours by chance. A move right therefore counts only when it is significant: at
    // the later epoch, the loss at the earlier optimum's lr exceeds the new minimum by more than twice their combined
    // standard error (means of independent seeds; 2σ ≈ a 95 % one-sided level, not a number fitted to a run).
    let movedRight: string | null = null;
    const withinNoise: string[] = [];
    for (let j = 1; j < learnedBests.length; j++) {
      const a = learnedBests[j - 1], b = learnedBests[j];
      if (!(b.learningRate > a.learningRate)) continue;
      const e = S.reportEpochs.indexOf(b.epoch), iOld = S.learningRates.indexOf(a.learningRate), iNew = S.learningRates.indexOf(b.learningRate);
      const excess = S.meanLoss[e][iOld] - S.meanLoss[e][iNew];
      const twoSe = 2 * Math.hypot(S.semLoss[e][iOld], S.semLoss[e][iNew]);
      const text = `${a.epoch} → ${b.epoch} (at ${b.epoch}: loss at ${a.learningRate.toExponential(2)} exceeds the minimum by ${excess.toExponential(2)}, 2 s.e. = ${twoSe.toExponential(2)})`;
      if (excess > twoSe || !Number.isFinite(twoSe)) {
        if (movedRight === null) movedRight = text;
      } else withinNoise.push(text);
    }
    const paperScale = data.config.scale !== "ci";
    const movedLeft = learnedBests.length >= 2 && learnedBests[learnedBests.length - 1].learningRate < learnedBests[0].learningRate;
    const optimumText = sum.bestLearningRateByEpoch.map((b) => `${b.epoch}: ${b.learningRate.toExponential(2)}`).join(", ");
    const rows: CheckRow[] = [
      must("largest lr: networks stuck in the no-learning zone", "most seeds", `${sum.largest.stuck}/${sum.largest.seeds} stuck (lr ${sum.largest.learningRate.toExponential(2)})`,
        sum.largest.stuck > sum.largest.seeds / 2, "a majority of seeds stuck: no output above threshold for 50 epochs and ‖∇L‖ < 1e-8"),
      must("largest lr: mean final loss", "≈ 1 (no-learning zone)", sum.largest.meanFinalLoss.toFixed(4), sum.largest.meanFinalLoss > 0.9,
        "> 0.9: loss 1 means all 20 second-half outputs ≈ 0; a learned network is below 0.05"),
      must("intermediate lr: lowest mean final loss", "lowest loss at intermediate lr", `${sum.best.meanLoss.toExponential(2)} at lr ${sum.best.learningRate.toExponential(2)}`,
        iBest > iBottom && iBest < iTop && sum.best.meanLoss < 0.05,
        "an interior learning rate (not an edge of the grid) with mean final loss < 0.05, ≥ 20× below the plateau (the learned level)"),
      must("smallest lr: mean final loss", "not yet learned", `${meanFinal(iBottom).toFixed(4)} (lr ${S.learningRates[iBottom].toExponential(2)}), ${S.counts.stuck[iBottom]} stuck`,
        meanFinal(iBottom) > 0.9 && S.counts.stuck[iBottom] === 0, "still on the plateau (loss > 0.9) and not stuck (its gradient is still ~1e-3)"),
      must("optimum vs epoch: never moves right", "moves to smaller lr at later epochs", optimumText, movedRight === null,
        `over the report epochs where some lr has learned (mean loss < 0.5), a move right counting when significant (> 2 standard errors)${movedRight ? `; moved right at ${movedRight}` : ""}${withinNoise.length ? `; within noise: ${withinNoise.join("; ")}` : ""}`),
      paperScale
        ? must("optimum vs epoch: moves left", "moves to smaller lr at later epochs", optimumText, movedLeft,
          "the report epochs span a factor ≥ 3 at paper and full scale: the optimum must move strictly left")
        : info("optimum vs epoch: moves left", "moves to smaller lr at later epochs", optimumText,
          "ci scale's report epochs are too close together: asserted at paper and full scale only", movedLeft),
      must("diverged runs", "—", String(sum.totals.diverged), sum.totals.diverged === 0, "tanh and σ are bounded: float64 SGD at lr ≤ 0.1 cannot overflow"),
    ];
    return protocolRows(data.config, figS1Config(data.config.scale), rows);
  });
}
