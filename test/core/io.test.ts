import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  GhostError,
  canonicalJson,
  decodeJson,
  encodeJson,
  isAtomicTempFile,
  readCheckedJson,
  sha256Hex,
  tryReadCheckedJson,
  writeCheckedJson,
  writeFileAtomic,
} from "../../src/core";
import { LIBRARY_VERSION } from "../../src/version";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-io-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Bit pattern of a double, to compare numbers exactly (distinguishes -0 and NaN payloads). */
function bits(x: number): string {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return b.toString("hex");
}

describe("encodeJson / decodeJson", () => {
  test("every double survives the round trip bit for bit, including NaN, ±Infinity and -0", () => {
    const specials = [NaN, Infinity, -Infinity, -0, 0, Number.MIN_VALUE, -Number.MAX_VALUE, 1e-300, 0.1 + 0.2];
    const randomish = Array.from({ length: 2000 }, (_, i) => Math.sin(i * 12.9898) * Math.pow(10, (i % 40) - 20));
    const values = [...specials, ...randomish];
    const back = decodeJson<number[]>(encodeJson(new Float64Array(values)));
    expect(back.length).toBe(values.length);
    for (let i = 0; i < values.length; i++) expect(bits(back[i])).toBe(bits(values[i]));
  });

  test("typed arrays become plain arrays; nested objects keep structure; undefined members dropped", () => {
    const v = { a: new Float64Array([1.5, -0]), b: { c: [1, undefined, "x"], d: undefined }, e: true };
    const back = decodeJson<{ a: number[]; b: { c: unknown[] }; e: boolean }>(encodeJson(v));
    expect(Array.isArray(back.a)).toBe(true);
    expect(Object.is(back.a[1], -0)).toBe(true);
    expect(back.b).toEqual({ c: [1, null, "x"] });
    expect(back.e).toBe(true);
  });

  test("non-serialisable data and the reserved key are refused with a GhostError naming the path", () => {
    expect(() => encodeJson({ f: () => 1 })).toThrow(/value\.f/);
    expect(() => encodeJson({ m: new Map() })).toThrow(GhostError);
    expect(() => encodeJson({ deep: { $number: "NaN" } })).toThrow(/\$number/);
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(() => encodeJson(cyc)).toThrow(/nesting depth/);
  });

  test("canonicalJson ignores key order but not values", () => {
    expect(canonicalJson({ b: 1, a: { y: 2, x: [3, NaN] } })).toBe(canonicalJson({ a: { x: [3, NaN], y: 2 }, b: 1 }));
    expect(canonicalJson({ a: 0 })).not.toBe(canonicalJson({ a: -0 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 1 + 2 ** -52 }));
  });
});

describe("writeFileAtomic", () => {
  test("creates parent directories, replaces the content, leaves no temporary file", () => {
    const f = path.join(dir, "sub", "x.txt");
    writeFileAtomic(f, "first");
    writeFileAtomic(f, "second");
    expect(fs.readFileSync(f, "utf8")).toBe("second");
    expect(fs.readdirSync(path.dirname(f))).toEqual(["x.txt"]);
  });

  test("a failing write leaves the previous file intact and removes its temporary file", () => {
    const f = path.join(dir, "x.json");
    writeCheckedJson(f, { v: 1 }, { kind: "t" });
    const before = fs.readFileSync(f, "utf8");
    expect(() => writeCheckedJson(f, { v: 10n as unknown as number }, { kind: "t" })).toThrow(GhostError);
    // Writing into a directory that is a file fails inside writeFileAtomic itself.
    expect(() => writeFileAtomic(path.join(f, "inner"), "x")).toThrow();
    expect(fs.readFileSync(f, "utf8")).toBe(before);
    expect(fs.readdirSync(dir).filter(isAtomicTempFile)).toEqual([]);
  });

  test("a concurrent reader never sees a partial file (child process rewrites a 2 MB file 60 times)", async () => {
    const distIo = path.resolve(__dirname, "../../dist/core/io.js");
    expect(fs.existsSync(distIo)).toBe(true); // build first: npx tsc -p tsconfig.build.json
    const f = path.join(dir, "big.json");
    writeCheckedJson(f, { round: -1, data: new Array(100000).fill(0.123456789) }, { kind: "stress" });
    const script =
      `const io = require(${JSON.stringify(distIo)});` +
      `for (let r = 0; r < 60; r++) io.writeCheckedJson(${JSON.stringify(f)}, ` +
      `{ round: r, data: Array.from({ length: 100000 }, (_, i) => r + i / 7) }, { kind: "stress" });`;
    const child = spawn(process.execPath, ["-e", script], { stdio: "inherit" });
    const done = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    let exited = false;
    void done.then(() => (exited = true));
    let reads = 0;
    const rounds = new Set<number>();
    // Bounded: the child finishes its 60 writes; at most 20 000 reads.
    while (!exited && reads < 20000) {
      const r = tryReadCheckedJson<{ round: number }>(f, { kind: "stress" });
      if (!r.ok) throw new Error(`reader saw a bad file: ${r.message}`);
      rounds.add(r.payload.round);
      reads++;
      await new Promise((res) => setImmediate(res));
    }
    expect(await done).toBe(0);
    expect(readCheckedJson<{ round: number }>(f, { kind: "stress" }).round).toBe(59);
    expect(rounds.size).toBeGreaterThan(1); // the reader really overlapped the writes
    expect(fs.readdirSync(dir).filter(isAtomicTempFile)).toEqual([]);
  });
});

describe("checked JSON", () => {
  const payload = { config: { seed: 3, learningRate: 0.02 }, loss: [1, 0.5, NaN, -0, Infinity] };

  test("round trip restores the payload exactly; header carries kind, schema, version, checksum", () => {
    const f = path.join(dir, "r.json");
    const header = writeCheckedJson(f, payload, { kind: "result", schemaVersion: 3 });
    const r = tryReadCheckedJson<typeof payload>(f, { kind: "result", schemaVersion: 3 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.header).toEqual(header);
    expect(r.header.libraryVersion).toBe(LIBRARY_VERSION);
    expect(r.payload.config).toEqual(payload.config);
    expect(r.payload.loss.map(bits)).toEqual(payload.loss.map(bits));
    // The file is plain JSON whose checksum is the SHA-256 of the compact payload text.
    const raw = JSON.parse(fs.readFileSync(f, "utf8"));
    expect(raw.sha256).toBe(sha256Hex(JSON.stringify(raw.payload)));
  });

  test("pretty-printed files verify too (checksum independent of indentation)", () => {
    const f = path.join(dir, "p.json");
    writeCheckedJson(f, payload, { kind: "result", indent: 2 });
    expect(fs.readFileSync(f, "utf8")).toContain('\n  "payload": {');
    expect(readCheckedJson<typeof payload>(f).config.seed).toBe(3);
  });

  /** The errors tryReadCheckedJson and readCheckedJson throw for `file`; each must be a GhostError naming "file". */
  function readErrors(file: string): (GhostError & { cause?: NodeJS.ErrnoException })[] {
    return [() => tryReadCheckedJson(file), () => readCheckedJson(file)].map((read) => {
      let caught: unknown;
      try {
        read();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(GhostError);
      expect((caught as GhostError).parameter).toBe("file");
      return caught as GhostError & { cause?: NodeJS.ErrnoException };
    });
  }

  test("a path that cannot be read (a directory, a path through a file) is a GhostError naming it, cause kept", () => {
    // Found by `npm run fuzz` (seed -1333499189): tryLoadCheckpoint(".") threw a raw EISDIR error.
    const asFile = path.join(dir, "plain.txt");
    fs.writeFileSync(asFile, "x");
    for (const [file, code] of [[dir, "EISDIR"], [path.join(asFile, "inside.json"), "ENOTDIR"]] as const) {
      for (const g of readErrors(file)) {
        expect(g.value).toBe(file);
        expect(g.message).toContain(code);
        expect(g.cause?.code).toBe(code);
      }
    }
    // A missing file is still a result, not an error.
    expect(tryReadCheckedJson(path.join(dir, "none.json"))).toMatchObject({ ok: false, reason: "missing" });
  });

  test("a device or FIFO is refused without reading it (/dev/zero would never end, a FIFO would block)", () => {
    const special = ["/dev/zero", "/dev/null"].filter((f) => fs.existsSync(f));
    const fifo = path.join(dir, "fifo");
    if (spawnSync("mkfifo", [fifo]).status === 0) special.push(fifo);
    expect(special.length).toBeGreaterThan(0);
    for (const f of special) {
      for (const g of readErrors(f)) expect(g.message).toMatch(/a regular file/);
    }
  });

  test("every truncation of a file is detected as corrupt, never returned", () => {
    const f = path.join(dir, "t.json");
    writeCheckedJson(f, payload, { kind: "result" });
    const full = fs.readFileSync(f, "utf8").trimEnd();
    for (let cut = 0; cut < full.length; cut++) {
      fs.writeFileSync(f, full.slice(0, cut));
      const r = tryReadCheckedJson(f);
      expect(r.ok ? "ok" : r.reason).toBe("corrupt");
    }
  });

  test("a changed digit in the payload is a checksum mismatch; readCheckedJson throws a GhostError", () => {
    const f = path.join(dir, "c.json");
    writeCheckedJson(f, payload, { kind: "result" });
    const text = fs.readFileSync(f, "utf8");
    fs.writeFileSync(f, text.replace('"learningRate":0.02', '"learningRate":0.03'));
    const r = tryReadCheckedJson(f);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe("corrupt");
      expect(r.message).toMatch(/checksum mismatch/);
    }
    expect(() => readCheckedJson(f)).toThrow(GhostError);
    expect(() => readCheckedJson(f)).toThrow(/corrupt: .*checksum mismatch/);
  });

  test("missing file, wrong kind, wrong schema version and foreign JSON are reported distinctly", () => {
    const f = path.join(dir, "k.json");
    expect(tryReadCheckedJson(f)).toMatchObject({ ok: false, reason: "missing" });
    expect(() => readCheckedJson(f)).toThrow(/missing/);
    writeCheckedJson(f, payload, { kind: "result", schemaVersion: 1 });
    expect(tryReadCheckedJson(f, { kind: "checkpoint" })).toMatchObject({ ok: false, reason: "schema" });
    expect(tryReadCheckedJson(f, { schemaVersion: 2 })).toMatchObject({ ok: false, reason: "schema" });
    expect(() => readCheckedJson(f, { schemaVersion: 2 })).toThrow(/schemaVersion 1, expected 2/);
    fs.writeFileSync(f, JSON.stringify({ hello: "world" }));
    expect(tryReadCheckedJson(f)).toMatchObject({ ok: false, reason: "corrupt" });
  });

  test("bad options are refused before anything is written", () => {
    const f = path.join(dir, "o.json");
    expect(() => writeCheckedJson(f, 1, { kind: "" })).toThrow(/kind/);
    expect(() => writeCheckedJson(f, 1, { kind: "k", schemaVersion: 0 })).toThrow(/schemaVersion/);
    expect(() => writeCheckedJson(f, undefined, { kind: "k" })).toThrow(/payload/);
    expect(fs.existsSync(f)).toBe(false);
  });
});
