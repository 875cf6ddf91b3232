/**
 * A misspelled config field is refused with the path and the known names (a silently ignored key would run the
 * default: `params.sweep.epochz = 5` used to change nothing).
 */
import { requireKnownKeys } from "../../src/core/checks";
import { GhostError } from "../../src/core/errors";
import { fig1Config, fig2Config, fig3Config, fig4Config, figS1Config, figRankConfig, runFig1, runFig2, runFig3, runFig4, runFigS1, runFigRank } from "../../src/figures";

function errorOf(fn: () => unknown): GhostError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GhostError) return e;
    throw e;
  }
  throw new Error("no error thrown");
}

async function rejectionOf(fn: () => Promise<unknown>): Promise<GhostError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof GhostError) return e;
    throw e;
  }
  throw new Error("no rejection");
}

describe("requireKnownKeys", () => {
  const template = { a: 1, nested: { epochs: 10, grid: [1, 2] }, maybe: null as null | { x: number } };

  test("accepts the template itself, a subset and values of any type at known keys", () => {
    expect(() => requireKnownKeys("config", template, template)).not.toThrow();
    expect(() => requireKnownKeys("config", { nested: { epochs: 3 } }, template)).not.toThrow();
    expect(() => requireKnownKeys("config", { maybe: { x: 1, anything: 2 } }, template)).not.toThrow(); // template null: not descended
  });

  test("refuses an unknown key at the top and at depth, naming the path, the value and the known keys", () => {
    const top = errorOf(() => requireKnownKeys("config", { ...template, epochz: 5 }, template));
    expect(top.message).toMatch(/^config\.epochz = 5 is not allowed: expected a known field name \(a, nested, maybe\)/);
    const deep = errorOf(() => requireKnownKeys("params", { nested: { epochz: 5 } }, template));
    expect(deep.message).toMatch(/^params\.nested\.epochz = 5 is not allowed: expected a known field name \(epochs, grid\)/);
  });
});

describe("every figure refuses a misspelled config field before computing anything", () => {
  test("synchronous figures (1, 2, 3)", () => {
    expect(errorOf(() => runFig1({ ...fig1Config("ci"), sliderRr: [1] } as never)).parameter).toBe("config.sliderRr");
    const f2 = fig2Config("ci") as unknown as Record<string, Record<string, unknown>>;
    const key = Object.keys(f2).find((k) => f2[k] !== null && typeof f2[k] === "object" && !Array.isArray(f2[k])) as string;
    expect(errorOf(() => runFig2({ ...f2, [key]: { ...f2[key], epochz: 5 } } as never)).parameter).toBe(`config.${key}.epochz`);
    const f3 = fig3Config("ci");
    expect(errorOf(() => runFig3({ ...f3, low: { ...f3.low, epochz: 5 } } as never)).parameter).toBe("config.low.epochz");
  });

  test("sweeping figures (4, S1, rank) reject before starting a sweep", async () => {
    expect((await rejectionOf(() => runFig4({ ...fig4Config("ci"), learningrate: 0.1 } as never, { cache: false }))).parameter).toBe("config.learningrate");
    expect((await rejectionOf(() => runFigS1({ ...figS1Config("ci"), seed: [0] } as never, { cache: false }))).parameter).toBe("config.seed");
    const r = figRankConfig("ci");
    expect((await rejectionOf(() => runFigRank({ ...r, rankK: { ...r.rankK, rank: [1] } } as never, { cache: false }))).parameter).toBe("config.rankK.rank");
  });
});
