/**
 * Notebooks outside the checkout: a course folder (`ghost course <dir>`) and a Jupyter kernelspec for the tslab
 * kernel (`ghost kernel install [--user | --prefix DIR]`). Used by the CLI; plain Node, no Python needed.
 *
 * A kernelspec is a folder `kernels/<name>/` holding `kernel.json` ({argv, display_name, language}); Jupyter looks
 * for it under every `share/jupyter` data directory: the user's (`--user`: $JUPYTER_DATA_DIR, else
 * ~/.local/share/jupyter on Linux — $XDG_DATA_HOME/jupyter when set —, ~/Library/Jupyter on macOS,
 * %APPDATA%\jupyter on Windows), `<prefix>/share/jupyter` of a Python environment (`--prefix DIR`, as
 * `ipykernel install --prefix`), and any folder on $JUPYTER_PATH. Ours starts tslab with the absolute path of
 * Node and of tslab's entry script, so it works whatever PATH the Jupyter server has.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GhostError, requireBoolean, requireOptions } from "./core/errors";

/** The name notebooks ask for in their metadata (`kernelspec.name`): the kernelspec must be installed under it. */
export const KERNEL_NAME = "tslab";

/** The checkout (or installed package) this module belongs to: the folder of its package.json. */
export function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name === "ghost-mechanism") return dir;
    } catch {
      /* keep walking up */
    }
    dir = path.dirname(dir);
  }
  throw new GhostError("package root", __dirname, "a folder below ghost-mechanism's package.json");
}

function requireNonEmptyString(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) throw new GhostError(name, value, "a non-empty string");
  return value;
}

/**
 * The user's Jupyter data directory, as `jupyter --data-dir` reports it: $JUPYTER_DATA_DIR if set, else
 * %APPDATA%\jupyter (Windows), ~/Library/Jupyter (macOS), $XDG_DATA_HOME/jupyter or ~/.local/share/jupyter.
 * `env`, `platform` and `home` default to this process's.
 */
export function userJupyterDataDir(env: NodeJS.ProcessEnv = process.env, platform: string = process.platform, home: string = os.homedir()): string {
  if (env === null || typeof env !== "object") throw new GhostError("env", env, "an environment object");
  requireNonEmptyString("platform", platform);
  requireNonEmptyString("home", home);
  if (env.JUPYTER_DATA_DIR) return path.resolve(env.JUPYTER_DATA_DIR);
  if (platform === "win32") return path.join(env.APPDATA || path.join(home, "AppData", "Roaming"), "jupyter");
  if (platform === "darwin") return path.join(home, "Library", "Jupyter");
  return path.join(env.XDG_DATA_HOME || path.join(home, ".local", "share"), "jupyter");
}

/** tslab's entry script (its bin/tslab, a Node script) as installed beside this package, or from `fromDir`. */
export function tslabEntry(fromDir?: string): string {
  if (fromDir !== undefined) requireNonEmptyString("fromDir", fromDir);
  let pkg: string;
  try {
    pkg = require.resolve("tslab/package.json", { paths: [fromDir ?? __dirname] });
  } catch {
    throw new GhostError("tslab", fromDir ?? __dirname, "a folder where the npm package tslab is installed (npm install tslab)");
  }
  const bin = (JSON.parse(fs.readFileSync(pkg, "utf8")) as { bin?: Record<string, string> | string }).bin;
  const rel = typeof bin === "string" ? bin : bin?.tslab;
  if (!rel) throw new GhostError("tslab package.json bin", bin, "a bin entry named tslab");
  return path.join(path.dirname(pkg), rel);
}

/** The kernel.json of the tslab kernel: Node and tslab by absolute path. */
export function kernelSpec(tslab: string, node: string = process.execPath): { argv: string[]; display_name: string; language: string; interrupt_mode: string; metadata: Record<string, unknown> } {
  requireNonEmptyString("tslab", tslab);
  requireNonEmptyString("node", node);
  if (!path.isAbsolute(tslab)) throw new GhostError("tslab", tslab, "an absolute path to tslab's entry script");
  return {
    argv: [node, tslab, "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript",
    language: "typescript",
    interrupt_mode: "signal",
    metadata: { installedBy: "ghost-mechanism (ghost kernel install)" },
  };
}

/** Where `ghost kernel install` writes: `{ user: true }`, `{ prefix }` (<prefix>/share/jupyter) or `{ dataDir }`. */
export interface KernelTarget {
  user?: boolean;
  prefix?: string;
  dataDir?: string;
}

/**
 * Writes the tslab kernelspec (kernels/tslab/kernel.json) into the target's Jupyter data directory and returns
 * the kernelspec folder and whether it replaced an existing one. `tslab` defaults to the tslab installed beside this
 * package. Exactly one of user / prefix / dataDir.
 */
export function installKernelSpec(target: KernelTarget, tslab: string = tslabEntry()): { dir: string; replaced: boolean; dataDir: string } {
  const t = requireOptions<KernelTarget>("target", target, ["user", "prefix", "dataDir"]);
  if (t.user !== undefined) requireBoolean("target.user", t.user);
  const chosen = [t.user === true, t.prefix !== undefined, t.dataDir !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw new GhostError("target", target, "exactly one of { user: true }, { prefix: DIR } or { dataDir: DIR }");
  const dataDir = t.user ? userJupyterDataDir()
    : t.prefix !== undefined ? path.join(path.resolve(requireNonEmptyString("target.prefix", t.prefix)), "share", "jupyter")
    : path.resolve(requireNonEmptyString("target.dataDir", t.dataDir));
  const dir = path.join(dataDir, "kernels", KERNEL_NAME);
  const file = path.join(dir, "kernel.json");
  const replaced = fs.existsSync(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(kernelSpec(tslab), null, 1) + "\n");
  fs.renameSync(tmp, file);
  // tslab's logos, when it ships them (Jupyter shows them in the launcher)
  for (const logo of ["logo-32x32.png", "logo-64x64.png"]) {
    const from = path.join(path.dirname(tslab), "..", "python", "tslab", logo);
    try {
      if (fs.existsSync(from)) fs.copyFileSync(from, path.join(dir, logo));
    } catch {
      /* a logo is optional */
    }
  }
  return { dir, replaced, dataDir };
}

/** Options of {@link createCourse}. */
export interface CourseOptions {
  /** Link the checkout instead of installing a packed copy (fast, offline; the folder then depends on the checkout). */
  link?: boolean;
  /** Allow a folder that already has files (existing notebooks are kept unless `overwrite`). */
  force?: boolean;
  /** Replace notebooks already in the folder. */
  overwrite?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** What {@link createCourse} did. */
export interface CourseReport {
  dir: string;
  notebooks: string[];
  skipped: string[];
  tarball: string | null;
  kernelDir: string;
  jupyterPath: string;
  start: string;
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 1 << 26, shell: process.platform === "win32" });
  if (r.status !== 0) {
    throw new GhostError(`${cmd} ${args.join(" ")}`, r.status, "exit code 0", `${(r.stderr || r.stdout || String(r.error ?? "")).trim().split("\n").slice(-8).join(" | ")}`);
  }
  return r.stdout;
}

/**
 * The package as a tarball made from a clean staging copy (package.json without its self-dependency
 * `"ghost-mechanism": "file:."`, dist/, notebooks/, README.md, LICENSE), written into `outDir`. dist/ must be built.
 */
export function packTarball(outDir: string): string {
  requireNonEmptyString("outDir", outDir);
  const root = packageRoot();
  if (!fs.existsSync(path.join(root, "dist", "index.js"))) throw new GhostError("dist/", path.join(root, "dist"), "a built package (run npm run build)");
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-pack-"));
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as Record<string, unknown> & { dependencies?: Record<string, string> };
    if (pkg.dependencies) delete pkg.dependencies["ghost-mechanism"];
    delete pkg.devDependencies;
    delete pkg.scripts;
    delete pkg.overrides;
    pkg.files = ["dist", "notebooks"];
    fs.writeFileSync(path.join(stage, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
    fs.cpSync(path.join(root, "dist"), path.join(stage, "dist"), { recursive: true, filter: (src) => !src.endsWith(".ensure-env-build") });
    fs.mkdirSync(path.join(stage, "notebooks"));
    for (const nb of fs.readdirSync(path.join(root, "notebooks")).filter((f) => f.endsWith(".ipynb"))) {
      fs.copyFileSync(path.join(root, "notebooks", nb), path.join(stage, "notebooks", nb));
    }
    for (const f of ["README.md", "LICENSE"]) if (fs.existsSync(path.join(root, f))) fs.copyFileSync(path.join(root, f), path.join(stage, f));
    fs.mkdirSync(outDir, { recursive: true });
    const name = run("npm", ["pack", "--silent", "--pack-destination", path.resolve(outDir)], stage).trim().split("\n").pop() as string;
    return path.join(path.resolve(outDir), name);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * Makes `dir` a course folder: the figure notebooks copied in, the package installed into `dir/node_modules` (a
 * tarball of this checkout, `npm install`: dependencies come from the npm registry or npm's cache; or, with
 * `link`, a link to the checkout), a kernelspec in `dir/.jupyter/share/jupyter` whose tslab is the one
 * installed there, and `dir/start-jupyter.sh` that opens Jupyter with it. Returns what it did.
 */
export function createCourse(dir: string, options: CourseOptions = {}): CourseReport {
  requireNonEmptyString("dir", dir);
  const o = requireOptions<CourseOptions>("options", options, ["link", "force", "overwrite", "log"]);
  for (const k of ["link", "force", "overwrite"] as const) if (o[k] !== undefined) requireBoolean(`options.${k}`, o[k]);
  if (o.log !== undefined && typeof o.log !== "function") throw new GhostError("options.log", o.log, "a function (line) => void or undefined");
  const log = o.log ?? (() => undefined);
  const root = packageRoot();
  const target = path.resolve(dir);
  if (target === root || target.startsWith(root + path.sep)) throw new GhostError("dir", dir, "a folder outside the package itself");
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0 && !o.force) {
    throw new GhostError("dir", dir, "a new or empty folder (or pass force to add to an existing one)");
  }
  fs.mkdirSync(target, { recursive: true });
  // 1. notebooks
  const source = path.join(root, "notebooks");
  const notebooks: string[] = [];
  const skipped: string[] = [];
  for (const nb of fs.readdirSync(source).filter((f) => f.endsWith(".ipynb")).sort()) {
    const to = path.join(target, nb);
    if (fs.existsSync(to) && !o.overwrite) {
      skipped.push(nb);
      continue;
    }
    fs.copyFileSync(path.join(source, nb), to);
    notebooks.push(nb);
  }
  log(`copied ${notebooks.length} notebooks${skipped.length ? ` (kept ${skipped.length} already there)` : ""}`);
  // 2. the package
  const pkgFile = path.join(target, "package.json");
  const pkg = fs.existsSync(pkgFile) ? JSON.parse(fs.readFileSync(pkgFile, "utf8")) : { name: courseName(target), private: true, description: "Notebooks of ghost-mechanism (made by ghost course)" };
  let tarball: string | null = null;
  if (o.link) {
    pkg.dependencies = { ...(pkg.dependencies ?? {}), "ghost-mechanism": `file:${root}`, tslab: tslabVersion() };
  } else {
    log("packing this checkout (npm pack)");
    tarball = packTarball(path.join(target, "packages"));
    pkg.dependencies = { ...(pkg.dependencies ?? {}), "ghost-mechanism": `file:./packages/${path.basename(tarball)}` };
  }
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2) + "\n");
  log(`installing ghost-mechanism into ${path.join(target, "node_modules")} (npm install)`);
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], target);
  // 3. the kernel, with the tslab installed in the course folder
  const jupyterPath = path.join(target, ".jupyter", "share", "jupyter");
  const kernel = installKernelSpec({ dataDir: jupyterPath }, tslabEntry(target));
  log(`kernelspec ${kernel.dir}`);
  const start = path.join(target, "start-jupyter.sh");
  fs.writeFileSync(start, [
    "#!/bin/sh",
    "# Opens Jupyter on this course folder with its TypeScript (tslab) kernel. Written by `ghost course`.",
    "# JupyterLab instead: ./start-jupyter.sh lab",
    'cd "$(dirname "$0")"',
    'export JUPYTER_PATH="$PWD/.jupyter/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"',
    'CMD="${1:-notebook}"; [ "$#" -gt 0 ] && shift',
    'exec jupyter "$CMD" "$@"',
    "",
  ].join("\n"));
  fs.chmodSync(start, 0o755);
  return { dir: target, notebooks, skipped, tarball, kernelDir: kernel.dir, jupyterPath, start };
}

function courseName(dir: string): string {
  const base = path.basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[._-]+/, "");
  return base.length > 0 ? base.slice(0, 200) : "ghost-course";
}

function tslabVersion(): string {
  try {
    return String(JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")).dependencies.tslab);
  } catch {
    return "1.0.22";
  }
}
