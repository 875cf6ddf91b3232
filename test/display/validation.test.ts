// Figure builders and plotting helpers answer malformed input with a GhostError naming the offending field (the
// path inside the data object), never with a TypeError from deep inside; NaN inside plotted data stays legitimate.
// The hostile-argument fuzzing (test/property/hostileArguments.test.ts) covers random top-level arguments; here one
// field at a time of real data is broken.
import { fig1Config, runFig1 } from "../../src/figures/fig1";
import { fig2Config, runFig2 } from "../../src/figures/fig2";
import { fig1Figures, fig1SliderFigure } from "../../src/display/fig1";
import { fig2Figures, fig2LearningRateFigure, fig2LossFigure } from "../../src/display/fig2";
import { figS1Figures, lossVsLearningRateTraces, outcomeFigure } from "../../src/display/figS1";
import { colormap, colormapSamples, hline, plain, sliderFigure } from "../../src/display/plotly";
import { progressLine } from "../../src/display/progress";
import { toStandaloneHtml } from "../../src/display/show";
import type { FigS1Data } from "../../src/figures/figS1";
import type { LrSweepData } from "../../src/protocols/lrSweep";
import { expectGhost, hostileValues, outcome, show } from "../property/helpers";

const fig1 = runFig1(fig1Config("ci"));
const base2 = fig2Config("paper");
const fig2 = runFig2({
  ...base2,
  landscape: { points: 5, confidences: [0.1, 1] },
  runs: { ...base2.runs, epochs: 20 },
  sweep: { ...base2.sweep, points: 4, epochs: 300, instances: 2, reportEpochs: [100, 300] },
});

/** A small synthetic S1 sweep (2 report epochs, 3 learning rates, 2 seeds; one NaN mean). */
function sweep(): LrSweepData {
  const learningRates = [1e-3, 1e-2, 1e-1];
  const meanLoss = [[1, 0.5, 1], [1, 1e-3, NaN]];
  const counts = { learned: [0, 2, 0], other: [2, 0, 0], stuck: [0, 0, 1], diverged: [0, 0, 1], fellIn: [0, 0, 0] };
  return {
    spec: { model: "rankOne", size: 10, confidence: 10, learningRates, seeds: [0, 1], epochs: 200, reportEpochs: [100, 200], window: 50, gradFloor: 1e-8, learnedLevel: 0.05, curvePoints: 0 },
    rank: 1, learningRates, seeds: [0, 1], reportEpochs: [100, 200], loss: [], meanLoss, semLoss: meanLoss.map((r) => r.map((v) => v / 10)),
    finiteCount: [], initialLoss: [], finalLoss: [], normalisedFinalLoss: [], finalGradNorm: [], status: [], counts,
    fractionLearned: [0, 1, 0], bestLearningRate: [1e-2, 1e-2], learningWindow: null, curves: null,
  } as LrSweepData;
}
const s1 = { sweep: sweep() } as FigS1Data;

describe("figure builders name the broken field", () => {
  test("Fig 1: a frame without its trajectory, a flow of the wrong length, no frames", () => {
    const frames = fig1.frames.map((f, i) => (i === 2 ? { ...f, trajectory: undefined } : f));
    expectGhost(() => fig1SliderFigure({ ...fig1, frames } as unknown as typeof fig1), "data.frames[2].trajectory");
    const schematic = [fig1.schematic[0], { ...fig1.schematic[1], f: fig1.schematic[1].f.slice(1) }];
    expectGhost(() => fig1Figures({ ...fig1, schematic }), "data.schematic[1].f");
    expectGhost(() => fig1SliderFigure({ ...fig1, frames: [] }), "data.frames");
  });

  test("Fig 2: a sweep matrix of the wrong shape, a run without loss, a non-finite critical learning rate", () => {
    expectGhost(() => fig2LearningRateFigure({ ...fig2, sweep: { ...fig2.sweep, meanLoss: fig2.sweep.meanLoss.slice(1) } }), "data.sweep.meanLoss");
    const runs = [fig2.runs[0], { ...fig2.runs[1], loss: "x" }] as unknown as typeof fig2.runs;
    const e = expectGhost(() => fig2LossFigure({ ...fig2, runs }), "data.runs[1].loss");
    expect(e.message).toBe('data.runs[1].loss = "x" is not allowed: expected an array of numbers');
    expectGhost(() => fig2Figures({ ...fig2, constants: { ...fig2.constants, criticalLearningRate: NaN } }), "data.constants.criticalLearningRate");
  });

  test("Fig S1 / learning-rate sweeps: missing counts, a ragged SEM row, bad options and title", () => {
    expectGhost(() => figS1Figures({ sweep: { ...s1.sweep, counts: { ...s1.sweep.counts, stuck: undefined } } } as unknown as FigS1Data), "data.sweep.counts.stuck");
    expectGhost(() => lossVsLearningRateTraces({ ...s1.sweep, semLoss: [[1, 2, 3], [1, 2]] }), "sweep.semLoss[1]");
    expectGhost(() => lossVsLearningRateTraces(s1.sweep, { showLegend: "yes" } as unknown as { showLegend: boolean }), "opts.showLegend");
    expectGhost(() => outcomeFigure(s1.sweep, undefined as unknown as string), "title");
    // NaN means are data (no finite seed), drawn as gaps
    expect(figS1Figures(s1)[0].data[1].y).toEqual([1, 1e-3, null]);
  });

  test("plotting helpers: unknown colormap names (even Object.prototype keys), bad options, holes, unserialisable figures", () => {
    expectGhost(() => colormap("toString" as "viridis", 0.5), "name");
    expectGhost(() => colormapSamples("viridis", 2 ** 31), "n");
    expectGhost(() => hline(0, { width: -1 }), "opts.width");
    expectGhost(() => plain({ length: 2 ** 40 } as unknown as number[]), "values");
    // eslint-disable-next-line no-sparse-arrays
    expectGhost(() => sliderFigure([, { label: "b", data: [] }] as unknown as { label: string; data: [] }[], {}), "frames[0]");
    expectGhost(() => progressLine("x", -1, 10, 1), "done");
    expectGhost(() => toStandaloneHtml([{ data: [{ x: [BigInt(1)] }], layout: {} }], "t"), "figure");
  });
});

/** Every path of `v` (objects fully, arrays at their first two and last entries). */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (v === null || typeof v !== "object") return out;
  const keys = Array.isArray(v) ? [...new Set([0, 1, v.length - 1].filter((i) => i >= 0 && i < v.length))] : Object.keys(v);
  for (const k of keys) {
    out.push([...prefix, k]);
    paths((v as Record<string | number, unknown>)[k], [...prefix, k], out);
  }
  return out;
}

/** Calls `run` with the field at `path` of `root` replaced by `value` (or deleted), then restores it. */
function withField(root: unknown, path: (string | number)[], value: unknown, del: boolean, run: () => unknown) {
  let o = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const key = path[path.length - 1];
  const had = Object.prototype.hasOwnProperty.call(o, key);
  const old = o[key];
  if (del) delete o[key];
  else o[key] = value;
  try {
    return outcome(run);
  } finally {
    if (had) o[key] = old;
    else delete o[key];
  }
}

test("breaking any one field of real Fig 1, Fig 2 and S1 data (hostile value or deleted) gives a GhostError or a figure", () => {
  const cases: [string, unknown, ((d: never) => unknown)[]][] = [
    ["fig1", fig1, [fig1Figures]],
    ["fig2", fig2, [fig2Figures]],
    ["figS1", s1, [figS1Figures]],
  ];
  const failures: string[] = [];
  for (const [name, data, builders] of cases) {
    for (const p of paths(data)) {
      for (const [value, del] of [...hostileValues().map((v) => [v, false] as const), [undefined, true] as const]) {
        for (const build of builders) {
          const r = withField(data, p, value, del, () => build(data as never));
          if (r.kind === "other") {
            failures.push(`${name}.${p.join(".")} = ${del ? "(deleted)" : show(value)}: ${(r.error as Error)?.constructor?.name}: ${(r.error as Error)?.message}`);
          }
        }
      }
    }
  }
  expect(failures.slice(0, 10)).toEqual([]);
}, 60000);
