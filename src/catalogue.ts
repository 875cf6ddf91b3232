/**
 * The figure catalogue used by the command line (`ghost list`, `ghost run <figure>`): for each paper figure, how
 * to compute its data at a scale and how to turn that data into Plotly figures.
 *
 * Why here and not in src/figures: an entry joins a figure module (figures layer: config → plain data) with its
 * builders (display layer: data → Plotly spec). Data flows one way (figures → display), so the figures layer may
 * not import display; the catalogue sits on top of both, beside the CLI.
 *
 * Adding a figure: write `src/figures/figN.ts` (run: scale → data) and `src/display/figN.ts` (data → figures),
 * then add one `registerFigure({...})` block at the end of this file (see the hooks listed there); its `check` is
 * the figure module's `checkFigN(data)` (paper checks, src/figures/figNCheck.ts).
 */
import { GhostError } from "./core/errors";
import type { PlotlyFigure } from "./display/plotly";
import type { CheckRow } from "./figures/checks";
import { checkFig1 } from "./figures/fig1Check";
import { checkFig2 } from "./figures/fig2Check";
import { checkFig3 } from "./figures/fig3Check";
import { checkFig4 } from "./figures/fig4Check";
import { checkFigS1 } from "./figures/figS1Check";
import { checkFigRank } from "./figures/figRankCheck";
import type { CacheOptions } from "./engine/cache";
import type { ClusterSweepOptions } from "./engine/shard";
import { fig4Config, runFig4, Fig4Data } from "./figures/fig4";
import { fig4Figures } from "./display/fig4";
import { fig1Config, runFig1, Fig1Data } from "./figures/fig1";
import { fig1Figures } from "./display/fig1";
import { fig2Config, runFig2, Fig2Data } from "./figures/fig2";
import { fig2Figures } from "./display/fig2";
import { fig3Config, runFig3Async, Fig3Data } from "./figures/fig3";
import { fig3Figures } from "./display/fig3";
import { figS1Config, runFigS1, FigS1Data } from "./figures/figS1";
import { figS1Figures } from "./display/figS1";
import { figRankConfig, runFigRank, FigRankData } from "./figures/figRank";
import { figRankFigures } from "./display/figRank";
import { v2Fig8Config, runV2Fig8, V2Fig8Data } from "./figures/v2fig8";
import { v2Fig4Config, runV2Fig4, V2Fig4Data } from "./figures/v2fig4";
import { checkV2Fig4 } from "./figures/v2fig4Check";
import { v2Fig4Figures } from "./display/v2fig4";
import { v2Fig5Config, runV2Fig5, V2Fig5Data } from "./figures/v2fig5";
import { checkV2Fig5 } from "./figures/v2fig5Check";
import { v2Fig5Figures } from "./display/v2fig5";
import { checkV2Fig8 } from "./figures/v2fig8Check";
import { v2Fig8Figures } from "./display/v2fig8";

/**
 * The scales every figure runs at: "ci" (small, well under 2 minutes on one core), "paper" (the paper's parameters,
 * or a stated reduction where the paper's protocol takes core-hours) and "full" (the paper's exact protocol; the
 * same as "paper" for figures that already run it there). The notebooks read the same names from GHOST_SCALE.
 */
export type FigureScale = "ci" | "paper" | "full";
/** Allowed scales. */
export const FIGURE_SCALES: readonly FigureScale[] = ["ci", "paper", "full"];

/** Figures whose "paper" scale already is the paper's protocol (Fig 1, Fig 2) take "full" as "paper". */
function paperForFull(scale: FigureScale): "ci" | "paper" {
  return scale === "full" ? "paper" : scale;
}

/** A Plotly figure specification: the display layer's PlotlyFigure. */
export type FigureSpec = PlotlyFigure;

/** What a figure's `run` may use: cache settings, worker count, progress and cancellation for long sweeps. */
export interface FigureRunContext {
  /** Cache settings for sweeps (false = bypass). */
  cache: false | CacheOptions;
  /** Worker threads for sweeps (undefined = all cores). */
  workers?: number;
  /** Progress of the long part of the run, (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Aborts long runs (sweeps reject with AbortError). */
  signal?: AbortSignal;
  /**
   * Shard / from-cache / status options for the figure's sweep (engine/shard.ts); only figures with `sweeps: true`
   * take them, and pass them to their runSweep call unchanged.
   */
  cluster?: ClusterSweepOptions;
}

/** One entry of the catalogue. `D` is the figure's data type (plain, JSON-serialisable). */
export interface FigureDefinition<D = unknown> {
  /** Short id used on the command line, e.g. "fig2", "fig4", "figS1". */
  id: string;
  /** One-line title. */
  title: string;
  /** Where it is in the paper, e.g. "v1 Fig. 2 (A4)". */
  paperRef: string;
  /** Notebook that explains it, relative to the project root, if any. */
  notebook?: string;
  /** The full parameter set used at `scale` (stored as provenance with the results). */
  config(scale: FigureScale): Record<string, unknown>;
  /** Computes the figure's data at `scale` (pure apart from the cache). */
  run(scale: FigureScale, ctx: FigureRunContext): D | Promise<D>;
  /** Turns the data into one or more Plotly figures (pure). */
  build(data: D): FigureSpec[];
  /**
   * True when all of the figure's expensive work is ONE engine sweep that receives `ctx.cluster`: such a figure can
   * be sharded (`ghost run --shard`, `ghost slurm`) and assembled from the cache (`--from-cache`).
   */
  sweeps?: boolean;
  /**
   * The figure's paper check (`figures.checkFigN`): one row per quantity, {quantity, paper, ours, holds, mustHold,
   * why}; `ghost run <figure> --check` prints them and exits 1 when a must-hold row fails.
   */
  check(data: D): CheckRow[];
}

const catalogue = new Map<string, FigureDefinition>();

/** Adds a figure to the catalogue; an id registered twice throws unless `replace` is true. */
export function registerFigure<D>(def: FigureDefinition<D>, opts: { replace?: boolean } = {}): void {
  if (typeof def?.id !== "string" || !/^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(def.id)) {
    throw new GhostError("id", def?.id, "an identifier of letters, digits, _ or -, starting with a letter");
  }
  for (const fn of ["config", "run", "build", "check"] as const) {
    if (typeof def[fn] !== "function") throw new GhostError(fn, def[fn], "a function");
  }
  if (catalogue.has(def.id) && !opts.replace) throw new GhostError("id", def.id, "an id not registered yet");
  catalogue.set(def.id, def as FigureDefinition);
}

/** The figure registered under `id`; GhostError listing the known ids otherwise. */
export function getFigure(id: string): FigureDefinition {
  const def = typeof id === "string" ? catalogue.get(id) : undefined;
  if (!def) {
    const known = [...catalogue.keys()];
    throw new GhostError("figure", id, known.length ? `one of ${known.map((k) => JSON.stringify(k)).join(", ")}` : "a registered figure (none yet)");
  }
  return def;
}

/** Every registered figure, in registration (paper) order. */
export function listFigures(): FigureDefinition[] {
  return [...catalogue.values()];
}

// ------------------------------------------------------------------------------------------------------------
// Registrations, in paper order. Hooks for figures not written yet:
//   fig1   toy model schematic            figures/fig1.ts + display builder
//   fig2   toy loss, GD dynamics, Fig 2D  figures/fig2.ts + display builder
//   fig3   rank-one RNN, low / high lr    figures/fig3.ts (A6)
//   fig4   confidence rescue (A7)         figures/fig4.ts: runSweep("rankOneTrain", seeds 0…99) then 30 c-values
//   figS1  loss vs lr, rank-one RNN (A8)  figures/figS1.ts: runSweep over lr × seed
// ------------------------------------------------------------------------------------------------------------

registerFigure({
  id: "fig1",
  title: "The saddle-node toy model: fixed points merge into a ghost; passage time ∝ r^(-1/2)",
  paperRef: "v1 Fig. 1 (spec A1)",
  notebook: "notebooks/01-saddle-node-ghost.ipynb",
  config: (scale) => ({ ...fig1Config(paperForFull(scale)) }),
  run: (scale) => runFig1(fig1Config(paperForFull(scale))),
  build: (data: Fig1Data) => fig1Figures(data),
  check: (data: Fig1Data) => checkFig1(data),
});

registerFigure({
  id: "fig2",
  title: "Toy loss landscape, gradient descent on r at two learning rates, loss vs learning rate",
  paperRef: "v1 Fig. 2 (spec A2-A4)",
  notebook: "notebooks/02-toy-loss-landscape-and-gd.ipynb",
  config: (scale) => ({ ...fig2Config(paperForFull(scale)) }),
  run: (scale, ctx) => runFig2(fig2Config(paperForFull(scale)), ctx.onProgress),
  build: (data: Fig2Data) => fig2Figures(data),
  check: (data: Fig2Data) => checkFig2(data),
});

registerFigure({
  id: "fig3",
  title: "Rank-one RNN: abrupt learning through a ghost at low lr; a saddle-node bifurcation and vanishing gradient at high lr",
  paperRef: "v1 Fig. 3 (spec A5, A6)",
  notebook: "notebooks/03-rank-one-rnn-abrupt-learning.ipynb",
  config: (scale) => ({ ...fig3Config(scale) }),
  run: (scale, ctx) => runFig3Async(fig3Config(scale), { onProgress: ctx.onProgress, cache: ctx.cache, workers: ctx.workers, signal: ctx.signal }),
  build: (data: Fig3Data) => fig3Figures(data),
  check: (data: Fig3Data) => checkFig3(data),
});

registerFigure({
  id: "fig4",
  title: "Lowering the output confidence rescues networks stuck in the no-learning zone",
  paperRef: "v1 Fig. 4 = v2 Fig. 8B (spec A7)",
  notebook: "notebooks/04-confidence-rescue.ipynb",
  config: (scale) => ({ ...fig4Config(scale) }),
  sweeps: true,
  run: (scale, ctx) => runFig4(fig4Config(scale), { cache: ctx.cache, workers: ctx.workers, onProgress: ctx.onProgress, cluster: ctx.cluster }),
  build: (data: Fig4Data) => fig4Figures(data),
  check: (data: Fig4Data) => checkFig4(data),
});

registerFigure({
  id: "figS1",
  title: "Rank-one RNN: loss vs learning rate at several epochs (the Fig 2D analysis for the RNN)",
  paperRef: "v1 Fig. S1 = v2 Fig. 6A left (spec A8)",
  notebook: "notebooks/05-S1-rank-one-learning-rate.ipynb",
  config: (scale) => ({ ...figS1Config(scale) }),
  sweeps: true,
  run: (scale, ctx) => runFigS1(figS1Config(scale), { cache: ctx.cache, workers: ctx.workers, onProgress: ctx.onProgress, signal: ctx.signal, cluster: ctx.cluster }),
  build: (data: FigS1Data) => figS1Figures(data),
  check: (data: FigS1Data) => checkFigS1(data),
});

registerFigure({
  id: "figRank",
  title: "Trainable rank: full-rank vs rank-one learning-rate windows; fraction of rank-K networks that learn",
  paperRef: "v1 sloppy-parameter figure = v2 Fig. 6A right + 6B (spec A8, B4.2)",
  notebook: "notebooks/06-trainable-rank.ipynb",
  config: (scale) => ({ ...figRankConfig(scale) }),
  sweeps: true,
  run: (scale, ctx) => runFigRank(figRankConfig(scale), { cache: ctx.cache, workers: ctx.workers, onProgress: ctx.onProgress, signal: ctx.signal, cluster: ctx.cluster }),
  build: (data: FigRankData) => figRankFigures(data),
  check: (data: FigRankData) => checkFigRank(data),
});

registerFigure({
  id: "v2fig4",
  title: "Rank-2 RNNs on DCDT and DMTS: abrupt learning, 2-D latent flow maps, fixed points and ghosts",
  paperRef: "v2 Fig. 4 (spec B1, B2)",
  notebook: "notebooks/07-v2-rank-two-ghosts.ipynb",
  config: (scale) => ({ ...v2Fig4Config(scale) }),
  sweeps: true,
  run: (scale, ctx) => runV2Fig4(v2Fig4Config(scale), { cache: ctx.cache, workers: ctx.workers, onProgress: ctx.onProgress, signal: ctx.signal, cluster: ctx.cluster }),
  build: (data: V2Fig4Data) => v2Fig4Figures(data),
  check: (data: V2Fig4Data) => checkV2Fig4(data),
});

registerFigure({
  id: "v2fig5",
  title: "Full-rank RNNs on DCDT and DMTS: loss, accuracy, PCA trajectories with fixed and slow points",
  paperRef: "v2 Fig. 5 (spec B1, B3)",
  notebook: "notebooks/08-v2-full-rank-slow-points.ipynb",
  config: (scale) => ({ ...v2Fig5Config(scale) }),
  sweeps: true,
  run: (scale, ctx) => runV2Fig5(v2Fig5Config(scale), { cache: ctx.cache, workers: ctx.workers, onProgress: ctx.onProgress, signal: ctx.signal, cluster: ctx.cluster }),
  build: (data: V2Fig5Data) => v2Fig5Figures(data),
  check: (data: V2Fig5Data) => checkV2Fig5(data),
});

registerFigure({
  id: "v2fig8",
  title: "Output confidence: the no-learning zone is flat only at c → ∞; a learnable c stays stuck, c := 1 learns; rescaling ‖W_out‖₁ = c rescues full-rank DCDT networks",
  paperRef: "v2 Fig. 8A–C (spec B6.1, B6.2, B6.3)",
  notebook: "notebooks/10-confidence.ipynb",
  config: (scale) => ({ ...v2Fig8Config(scale) }),
  sweeps: true,
  run: (scale, ctx) => runV2Fig8(v2Fig8Config(scale), { cache: ctx.cache, workers: ctx.workers, onProgress: ctx.onProgress, signal: ctx.signal, cluster: ctx.cluster }),
  build: (data: V2Fig8Data) => v2Fig8Figures(data),
  check: (data: V2Fig8Data) => checkV2Fig8(data),
});

// v2 Fig 7 (imports here to keep this an appended block).
import { v2Fig7Config, runV2Fig7, V2Fig7Data } from "./figures/v2fig7";
import { checkV2Fig7 } from "./figures/v2fig7Check";
import { v2Fig7Figures } from "./display/v2fig7";

registerFigure({
  id: "v2fig7",
  title: "Full-rank RNNs on DCDT and DMTS: learning-rate sweeps (no-learning zone) and the update that saturates a network",
  paperRef: "v2 Fig. 7 (spec B1, B5)",
  notebook: "notebooks/09-v2-learning-rate-sweeps.ipynb",
  config: (scale) => ({ ...v2Fig7Config(scale) }),
  // all expensive work is one engine sweep (both tasks' runs + the saturation run); the saturation re-run with
  // snapshots is one cached run of at most update + window epochs
  sweeps: true,
  run: (scale, ctx) => runV2Fig7(v2Fig7Config(scale), { cache: ctx.cache, workers: ctx.workers, onProgress: ctx.onProgress, signal: ctx.signal, cluster: ctx.cluster }),
  build: (data: V2Fig7Data) => v2Fig7Figures(data),
  check: (data: V2Fig7Data) => checkV2Fig7(data),
});
