// The chart PNG writer (scripts/plotly-png.mjs: plotly.js in jsdom → SVG → @resvg/resvg-js → PNG). It is an ES
// module run by plain Node (as `npm run figures` runs it), so the test drives it in a child process and then decodes
// the PNG it wrote here, independently: signature, IHDR size, CRCs, and the pixels (the red line is drawn, the
// background is white, text was drawn in dark grey).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { ROOT } from "./helpers";

interface Decoded { width: number; height: number; bitDepth: number; colorType: number; rgba: Buffer; chunks: string[] }

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A small PNG decoder for 8-bit RGB/RGBA, non-interlaced images (what resvg writes). */
function decodePng(buf: Buffer): Decoded {
  expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let pos = 8, width = 0, height = 0, bitDepth = 0, colorType = 0;
  const idat: Buffer[] = [], chunks: string[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString("ascii", pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    expect(buf.readUInt32BE(pos + 8 + len)).toBe(crc32(buf.subarray(pos + 4, pos + 8 + len)));
    chunks.push(type);
    if (type === "IHDR") {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4); bitDepth = data[8]; colorType = data[9];
      expect(data[12]).toBe(0); // not interlaced
    } else if (type === "IDAT") idat.push(data);
    pos += 12 + len;
  }
  expect(bitDepth).toBe(8);
  expect([2, 6]).toContain(colorType);
  const channels = colorType === 6 ? 4 : 3;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  expect(raw.length).toBe(height * (stride + 1));
  const out = Buffer.alloc(width * height * 4);
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? line[i - channels] : 0, b = prev[i], c = i >= channels ? prev[i - channels] : 0;
      let p = 0;
      if (filter === 1) p = a;
      else if (filter === 2) p = b;
      else if (filter === 3) p = (a + b) >> 1;
      else if (filter === 4) {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else expect(filter).toBe(0);
      line[i] = (line[i] + p) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 3; k++) out[(y * width + x) * 4 + k] = line[x * channels + k];
      out[(y * width + x) * 4 + 3] = channels === 4 ? line[x * channels + 3] : 255;
    }
    prev = line;
  }
  return { width, height, bitDepth, colorType, rgba: out, chunks };
}

/** Runs the PNG writer on `figure` in plain Node; returns what it printed (JSON). */
function renderInNode(figure: unknown, file: string, size: { width: number; height: number; scale?: number }) {
  const script = `
    import * as fs from "node:fs";
    import { createPngRenderer, pngSize, notebookFigures } from ${JSON.stringify(path.join(ROOT, "scripts", "plotly-png.mjs"))};
    const [figure, file, size] = JSON.parse(process.argv[1]);
    const r = await createPngRenderer();
    const svg = await r.svg(figure, size);
    const png = await r.render(figure, size);
    fs.writeFileSync(file, png);
    const nb = { cells: [{ outputs: [{ data: { "application/vnd.plotly.v1+json": figure } }, { data: { "text/plain": "x" } }] }, { cells: [] }] };
    console.log(JSON.stringify({ svg, size: pngSize(png), fromNotebook: notebookFigures(nb).length }));
    r.close();`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify([figure, file, size])],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 26, timeout: 120000 });
  if (run.status !== 0) throw new Error(`the PNG writer failed (status ${run.status}):\n${run.stderr.slice(-3000)}`);
  return JSON.parse(run.stdout.trim().split("\n").pop() as string) as { svg: string; size: { width: number; height: number }; fromNotebook: number };
}

describe("chart PNG writer (scripts/plotly-png.mjs)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-png-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const figure = {
    data: [{ type: "scatter", mode: "lines", x: [0, 1, 2, 3], y: [0, 1, 0, 1], name: "a red zig-zag", line: { color: "#ff0000", width: 6 } }],
    layout: { title: { text: "Test chart" }, margin: { t: 60, b: 50, l: 50, r: 20 }, xaxis: { title: { text: "epoch" } }, yaxis: { title: { text: "loss" } },
      sliders: [{ steps: [{ label: "one", method: "skip" }] }] },
  };

  test("a small Plotly figure becomes a valid PNG of the requested size, with the trace, white background and text", () => {
    const file = path.join(dir, "chart.png");
    const res = renderInNode(figure, file, { width: 400, height: 300, scale: 2 });
    expect(res.size).toEqual({ width: 800, height: 600 });
    expect(res.fromNotebook).toBe(1);
    // the SVG has the trace, the title and the axis titles, and no slider
    expect(res.svg).toMatch(/^<svg/);
    expect(res.svg).toContain("Test chart");
    expect(res.svg).toContain(">epoch<");
    expect(res.svg).toContain('class="js-line"');
    expect(res.svg).not.toContain("slider");

    const png = decodePng(fs.readFileSync(file));
    expect(png.width).toBe(800);
    expect(png.height).toBe(600);
    expect(png.chunks[0]).toBe("IHDR");
    expect(png.chunks[png.chunks.length - 1]).toBe("IEND");
    let red = 0, white = 0, dark = 0, transparent = 0, titleInk = 0;
    for (let i = 0; i < png.rgba.length; i += 4) {
      const y = Math.floor(i / 4 / png.width);
      const [r, g, b, a] = [png.rgba[i], png.rgba[i + 1], png.rgba[i + 2], png.rgba[i + 3]];
      if (a < 255) transparent++;
      if (r > 200 && g < 60 && b < 60) red++;
      else if (r > 250 && g > 250 && b > 250) white++;
      else if (r < 120 && g < 120 && b < 120) {
        dark++; // text (Plotly's #444) and axis lines
        if (y < 60 * 2) titleInk++; // the top margin (60 px at scale 2) holds only the title
      }
    }
    const total = png.width * png.height;
    expect(transparent).toBe(0); // opaque: white background, readable on a dark GitHub theme
    expect(white / total).toBeGreaterThan(0.6);
    expect(red).toBeGreaterThan(2000); // a 6 px (x2) line over the plot width
    expect(dark).toBeGreaterThan(300);
    expect(titleInk).toBeGreaterThan(100); // the title's glyphs were drawn: a font was found
    // the top-left corner is background, the title sits in the top band
    expect([...png.rgba.subarray(0, 4)]).toEqual([255, 255, 255, 255]);
  }, 180000);

  test("the output size follows width, height and scale", () => {
    const file = path.join(dir, "small.png");
    const res = renderInNode(figure, file, { width: 240, height: 160 });
    expect(res.size).toEqual({ width: 240, height: 160 });
    const png = decodePng(fs.readFileSync(file));
    expect([png.width, png.height]).toEqual([240, 160]);
  }, 180000);
});
