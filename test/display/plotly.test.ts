// Generic Plotly helpers: colours, colormaps, reference lines, slider figures.
import { COLORS, colormap, colormapSamples, hline, vline, plain, sliderFigure } from "../../src/display/plotly";
import { GhostError } from "../../src/core/errors";

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

describe("COLORS", () => {
  test("is matplotlib's tab10 cycle C0..C9", () => {
    expect(COLORS.length).toBe(10);
    expect(COLORS[0]).toBe("#1f77b4");
    expect(COLORS[1]).toBe("#ff7f0e");
    expect(COLORS[3]).toBe("#d62728");
    expect(COLORS[9]).toBe("#17becf");
    for (const c of COLORS) expect(c).toMatch(/^#[0-9a-f]{6}$/);
  });
});

describe("colormap", () => {
  test("endpoints equal matplotlib's", () => {
    expect(colormap("viridis", 0)).toBe("#440154");
    expect(colormap("viridis", 1)).toBe("#fde725");
    expect(colormap("viridis_r", 0)).toBe("#fde725");
    expect(colormap("viridis_r", 1)).toBe("#440154");
    expect(colormap("autumn", 0)).toBe("#ff0000");
    expect(colormap("autumn", 1)).toBe("#ffff00");
    expect(colormap("Reds", 0)).toBe("#fff5f0");
    expect(colormap("Reds", 1)).toBe("#67000d");
    expect(colormap("coolwarm", 0)).toBe("#3b4cc0");
    expect(colormap("coolwarm", 1)).toBe("#b40426");
  });
  test("interpolates linearly between anchors (midpoint of the first two viridis anchors at t = 1/16)", () => {
    const a = rgb("#440154");
    const b = rgb("#472d7b");
    const mid = rgb(colormap("viridis", 1 / 16));
    mid.forEach((v, k) => expect(Math.abs(v - (a[k] + b[k]) / 2)).toBeLessThanOrEqual(0.5));
    // autumn is exactly linear in green: G = 255 t (± rounding)
    for (const t of [0.1, 0.3, 0.77]) expect(Math.abs(rgb(colormap("autumn", t))[1] - 255 * t)).toBeLessThanOrEqual(1.5);
  });
  test("viridis_r(t) = viridis(1 − t)", () => {
    for (const t of [0, 0.2, 0.5, 0.9, 1]) expect(colormap("viridis_r", t)).toBe(colormap("viridis", 1 - t));
  });
  test("Reds darkens monotonically (sum of channels decreases)", () => {
    const sums = [0, 0.25, 0.5, 0.75, 1].map((t) => rgb(colormap("Reds", t)).reduce((x, y) => x + y, 0));
    for (let i = 1; i < sums.length; i++) expect(sums[i]).toBeLessThan(sums[i - 1]);
  });
  test("rejects t outside [0, 1], NaN and unknown names with a GhostError naming the parameter", () => {
    expect(() => colormap("viridis", -0.01)).toThrow(GhostError);
    expect(() => colormap("viridis", 1.01)).toThrow(/t/);
    expect(() => colormap("viridis", NaN)).toThrow(GhostError);
    expect(() => colormap("jet" as never, 0.5)).toThrow(/name/);
  });
  test("colormapSamples spans [lo, hi]", () => {
    const s = colormapSamples("viridis", 5, 0, 1);
    expect(s.length).toBe(5);
    expect(s[0]).toBe("#440154");
    expect(s[4]).toBe("#fde725");
    expect(colormapSamples("Reds", 1)).toEqual([colormap("Reds", 0.1)]);
  });
});

describe("reference lines", () => {
  test("hline spans the plot width at y", () => {
    const s = hline(0.5, { color: "red", dash: "dash" }) as Record<string, any>;
    expect(s).toMatchObject({ type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: 0.5, y1: 0.5 });
    expect(s.line).toEqual({ color: "red", dash: "dash", width: 1 });
  });
  test("vline spans the plot height at x, on a chosen axis", () => {
    const s = vline(3, { xref: "x2" }) as Record<string, any>;
    expect(s).toMatchObject({ type: "line", xref: "x2", yref: "paper", x0: 3, x1: 3, y0: 0, y1: 1 });
  });
  test("plain converts typed arrays to JSON arrays", () => {
    const p = plain(new Float64Array([1, 2.5]));
    expect(Array.isArray(p)).toBe(true);
    expect(JSON.stringify(p)).toBe("[1,2.5]");
  });
});

describe("sliderFigure", () => {
  const frames = [0, 1, 2].map((k) => ({ label: `r = ${k}`, data: [{ type: "scatter", x: [0, 1], y: [k, k] }] }));
  test("one slider step and one animation frame per precomputed frame, with play/pause buttons", () => {
    const fig = sliderFigure(frames, { title: { text: "t" } }, { prefix: "r: " });
    expect(fig.data).toEqual(frames[0].data);
    expect(fig.frames?.length).toBe(3);
    const layout = fig.layout as Record<string, any>;
    expect(layout.title).toEqual({ text: "t" });
    const steps = layout.sliders[0].steps as any[];
    expect(steps.map((s) => s.label)).toEqual(["r = 0", "r = 1", "r = 2"]);
    // each step animates to the frame of the same index
    steps.forEach((s, i) => expect(s.args[0]).toEqual([(fig.frames as any[])[i].name]));
    expect(layout.sliders[0].currentvalue.prefix).toBe("r: ");
    expect(layout.updatemenus[0].buttons.map((b: any) => b.label)).toEqual(["Play", "Pause"]);
    expect(() => JSON.stringify(fig)).not.toThrow();
  });
  test("rejects an empty frame list and frames with different trace counts", () => {
    expect(() => sliderFigure([], {})).toThrow(GhostError);
    expect(() => sliderFigure([frames[0], { label: "bad", data: [] }], {})).toThrow(/frames\[1\]\.data/);
  });
});
