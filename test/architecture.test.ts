/**
 * The house rules of design.md, checked on the source: data flows one way and there are no import cycles.
 *
 * Every `import … from "./x"`, `export … from "./x"`, side-effect `import "./x"` and `require("./x")` between
 * modules of src/ is an edge (type-only imports included: a type cycle is still two modules that cannot be read
 * apart). A new cycle or an import against the layer order fails this test with the offending path.
 */
import * as fs from "fs";
import * as path from "path";

const SRC = path.resolve(__dirname, "..", "src");

/** Layer rank of each top-level folder or module of src/: a module may import only its own or lower ranks. */
const LAYER: Record<string, number> = {
  version: 0,
  core: 1,
  kernels: 2,
  engine: 2, // the machinery: knows no task, model, protocol or figure
  tasks: 3,
  models: 4,
  training: 5,
  analysis: 6,
  io: 7, // checkpoints: model + training state
  protocols: 8,
  figures: 9,
  display: 10,
  catalogue: 11,
  course: 11, // ghost course / ghost kernel install (core and Node only)
  cli: 12,
  index: 12,
};

/** What the engine may import besides itself (it must not import any layer that holds a model or a figure). */
const ENGINE_ALLOWED = new Set(["core", "version", "engine"]);

function listModules(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listModules(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

function resolveModule(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [`${base}.ts`, path.join(base, "index.ts")]) if (fs.existsSync(c)) return c;
  return null;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["'](\.[^"']+)["']|(?:^|\n)\s*import\s+["'](\.[^"']+)["']|require\(\s*["'](\.[^"']+)["']\s*\)/g;

function edgesOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    const target = resolveModule(file, spec);
    if (target === null) throw new Error(`${path.relative(SRC, file)} imports ${spec}, which does not resolve to a module of src/`);
    out.push(target);
  }
  return out;
}

const rel = (f: string) => path.relative(SRC, f).replace(/\\/g, "/");
const layerOf = (f: string) => rel(f).split("/")[0].replace(/\.ts$/, "");

const modules = listModules(SRC);
const graph = new Map(modules.map((m) => [m, edgesOf(m)]));

/** Every elementary cycle found by a depth-first search (each reported once, as a path of module names). */
function findCycles(): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "active" | "done">();
  const stack: string[] = [];
  const visit = (m: string): void => {
    state.set(m, "active");
    stack.push(m);
    for (const n of graph.get(m) ?? []) {
      if (state.get(n) === "active") cycles.push([...stack.slice(stack.indexOf(n)), n].map(rel));
      else if (!state.has(n)) visit(n);
    }
    stack.pop();
    state.set(m, "done");
  };
  for (const m of modules) if (!state.has(m)) visit(m);
  return cycles;
}

describe("architecture (design.md)", () => {
  test("the scanner sees the library: every layer folder has modules and edges", () => {
    for (const layer of ["core", "engine", "tasks", "models", "training", "analysis", "io", "protocols", "figures", "display"]) {
      expect(modules.some((m) => layerOf(m) === layer)).toBe(true);
    }
    const edgeCount = [...graph.values()].reduce((s, e) => s + e.length, 0);
    expect(edgeCount).toBeGreaterThan(100);
  });

  test("every src module belongs to a known layer", () => {
    const unknown = modules.map(layerOf).filter((l) => !(l in LAYER));
    expect(unknown).toEqual([]);
  });

  test("no import cycles", () => {
    expect(findCycles()).toEqual([]);
  });

  test("lower layers never import higher ones", () => {
    const violations: string[] = [];
    for (const [m, targets] of graph) {
      for (const t of targets) {
        if (LAYER[layerOf(t)] > LAYER[layerOf(m)]) violations.push(`${rel(m)} → ${rel(t)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  test("the engine imports no task, model, protocol or figure (runners are registered with it)", () => {
    const bad: string[] = [];
    for (const [m, targets] of graph) {
      if (layerOf(m) !== "engine") continue;
      for (const t of targets) if (!ENGINE_ALLOWED.has(layerOf(t))) bad.push(`${rel(m)} → ${rel(t)}`);
    }
    expect(bad).toEqual([]);
  });

  test("the cycle finder finds a planted cycle (the check can fail)", () => {
    const saved = new Map(graph);
    const [a, b] = [path.join(SRC, "core", "stats.ts"), path.join(SRC, "core", "errors.ts")];
    graph.set(a, [...(graph.get(a) ?? []), b]);
    graph.set(b, [...(graph.get(b) ?? []), a]);
    try {
      expect(findCycles().some((c) => c.includes("core/stats.ts") && c.includes("core/errors.ts"))).toBe(true);
    } finally {
      graph.clear();
      for (const [k, v] of saved) graph.set(k, v);
    }
  });
});
