// Notebooks outside the checkout (issue 14, item 4): `ghost course <dir>` in a folder under os.tmpdir() (outside
// the repository) copies the notebooks, installs this checkout there (npm pack + npm install) and writes a
// kernelspec; the copied notebook 01 then executes at CI scale with THAT kernel and THAT package (the checkout's
// tslab is not on PATH). `ghost kernel install --prefix DIR | --user` writes a kernelspec Jupyter lists.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { executeNotebook, makeNotebook, notebookFiles, plotlyOutputs, readNotebook, ROOT, streamText } from "./helpers";
import { userJupyterDataDir } from "../../src/course";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-course-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const CLI = path.join(ROOT, "dist", "cli.js");
/** PATH without the checkout's node_modules/.bin: nothing may start the checkout's tslab by accident. */
const PATH = (process.env.PATH ?? "").split(":").filter((p) => !p.startsWith(ROOT)).join(":");
const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH };
  for (const k of ["JUPYTER_PATH", "GHOST_CACHE_DIR", "JUPYTER_DATA_DIR", "XDG_DATA_HOME", "INIT_CWD", "npm_config_prefix"]) delete env[k];
  return env;
};
const ghost = (args: string[], env: NodeJS.ProcessEnv = baseEnv(), cwd = tmp) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: "utf8", maxBuffer: 1 << 26, timeout: 8 * 60 * 1000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
};
const kernelspecs = (env: NodeJS.ProcessEnv): Record<string, { resource_dir: string; spec: { argv: string[] } }> => {
  const r = spawnSync("/usr/bin/jupyter", ["kernelspec", "list", "--json"], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`jupyter kernelspec list failed: ${r.stderr}`);
  return JSON.parse(r.stdout).kernelspecs;
};

beforeAll(() => {
  if (!fs.existsSync("/usr/bin/jupyter")) throw new Error("MISSING /usr/bin/jupyter: run bash scripts/ensure-env.sh");
  if (!fs.existsSync(CLI)) throw new Error("dist/ is not built: npm run build");
});

describe("ghost course <dir>", () => {
  const course = path.join(tmp, "my course");
  let made: { status: number | null; out: string };
  beforeAll(() => {
    made = ghost(["course", course]);
  }, 10 * 60 * 1000);

  test("copies the notebooks, installs the packed checkout and writes a kernelspec using the tslab installed there", () => {
    if (made.status !== 0) throw new Error(`ghost course failed:\n${made.out}`);
    expect(made.out).toContain("course folder ready");
    for (const f of notebookFiles()) expect(fs.readFileSync(path.join(course, path.basename(f)), "utf8")).toBe(fs.readFileSync(f, "utf8"));
    const installed = path.join(course, "node_modules", "ghost-mechanism");
    expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false); // a copy from the tarball, not a link to the checkout
    expect(fs.existsSync(path.join(installed, "dist", "index.d.ts"))).toBe(true);
    expect(fs.readdirSync(path.join(course, "packages"))).toEqual(["ghost-mechanism-0.1.0.tgz"]);
    const spec = JSON.parse(fs.readFileSync(path.join(course, ".jupyter", "share", "jupyter", "kernels", "tslab", "kernel.json"), "utf8"));
    expect(spec.argv).toEqual([process.execPath, path.join(course, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path", "{connection_file}"]);
    const listed = kernelspecs({ ...baseEnv(), JUPYTER_PATH: path.join(course, ".jupyter", "share", "jupyter") });
    expect(listed.tslab.resource_dir).toBe(path.join(course, ".jupyter", "share", "jupyter", "kernels", "tslab"));
    expect(fs.statSync(path.join(course, "start-jupyter.sh")).mode & 0o111).not.toBe(0);
  });

  test("the copied notebook 01 executes at CI scale with the course's kernel and package", () => {
    if (made.status !== 0) throw new Error(`ghost course failed:\n${made.out}`);
    const nb = readNotebook(path.join(course, "01-saddle-node-ghost.ipynb"));
    const probe = makeNotebook(['console.log(`package: ${require.resolve("ghost-mechanism")}\\nkernel: ${process.argv[1]}`);']).cells[0];
    probe.id = "probe";
    nb.cells.push(probe);
    const { ok, executed, stderr } = executeNotebook(nb, course, "01-executed-check", { ...baseEnv(), GHOST_SCALE: "ci", JUPYTER_PATH: path.join(course, ".jupyter", "share", "jupyter") });
    if (!ok) throw new Error(`notebook 01 failed in the course folder:\n${stderr.slice(-3000)}`);
    expect(plotlyOutputs(executed).length).toBeGreaterThanOrEqual(2);
    const where = streamText(executed.cells[executed.cells.length - 1], "stdout");
    expect(where).toContain(`package: ${path.join(course, "node_modules", "ghost-mechanism", "dist", "index.js")}`);
    expect(where).toContain(`kernel: ${path.join(course, "node_modules", "tslab", "bin", "tslab")}`);
  }, 10 * 60 * 1000);

  test("--link links the checkout instead (offline) and the course's notebook 01 still runs with its own tslab", () => {
    const linked = path.join(tmp, "linked");
    const r = ghost(["course", linked, "--link"]);
    if (r.status !== 0) throw new Error(r.out);
    expect(fs.realpathSync(path.join(linked, "node_modules", "ghost-mechanism"))).toBe(fs.realpathSync(ROOT));
    expect(fs.existsSync(path.join(linked, "packages"))).toBe(false);
    const nb = readNotebook(path.join(linked, "01-saddle-node-ghost.ipynb"));
    const { ok, stderr } = executeNotebook(nb, linked, "01-linked-check", { ...baseEnv(), GHOST_SCALE: "ci", JUPYTER_PATH: path.join(linked, ".jupyter", "share", "jupyter") });
    if (!ok) throw new Error(`notebook 01 failed in the linked course folder:\n${stderr.slice(-3000)}`);
  }, 10 * 60 * 1000);

  test("refuses a folder that already has files (unless --force) and one inside the package", () => {
    const busy = path.join(tmp, "busy");
    fs.mkdirSync(busy);
    fs.writeFileSync(path.join(busy, "notes.txt"), "mine");
    const r = ghost(["course", busy]);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/dir = ".*busy" is not allowed: expected a new or empty folder/);
    expect(ghost(["course", path.join(ROOT, "output", "course-inside")]).status).toBe(1);
  });
});

describe("ghost kernel install", () => {
  test("--prefix DIR writes DIR/share/jupyter/kernels/tslab, which Jupyter lists from JUPYTER_PATH", () => {
    const prefix = path.join(tmp, "prefix");
    const r = ghost(["kernel", "install", "--prefix", prefix]);
    if (r.status !== 0) throw new Error(r.out);
    const dir = path.join(prefix, "share", "jupyter", "kernels", "tslab");
    const listed = kernelspecs({ ...baseEnv(), JUPYTER_PATH: path.join(prefix, "share", "jupyter") });
    expect(listed.tslab.resource_dir).toBe(dir);
    expect(listed.tslab.spec.argv.slice(0, 2)).toEqual([process.execPath, path.join(ROOT, "node_modules", "tslab", "bin", "tslab")]);
    expect(ghost(["kernel", "install", "--prefix", prefix]).out).toContain("replaced kernelspec tslab");
  });
  test("--user writes into the user's Jupyter data directory (here a scratch HOME), as `jupyter --data-dir` finds it", () => {
    const home = path.join(tmp, "home");
    fs.mkdirSync(home);
    const env = { ...baseEnv(), HOME: home };
    const r = ghost(["kernel", "install", "--user"], env);
    if (r.status !== 0) throw new Error(r.out);
    const dataDir = spawnSync("/usr/bin/jupyter", ["--data-dir"], { env, encoding: "utf8" }).stdout.trim();
    expect(dataDir).toBe(path.join(home, ".local", "share", "jupyter"));
    expect(kernelspecs(env).tslab.resource_dir).toBe(path.join(dataDir, "kernels", "tslab"));
  });
  test("bad command lines exit 2", () => {
    expect(ghost(["kernel", "install", "--user", "--prefix", tmp]).status).toBe(2);
    expect(ghost(["kernel", "remove"]).status).toBe(2);
  });
  test("userJupyterDataDir follows Jupyter's rules", () => {
    expect(userJupyterDataDir({ JUPYTER_DATA_DIR: "/x/data" }, "linux", "/home/a")).toBe("/x/data");
    expect(userJupyterDataDir({}, "linux", "/home/a")).toBe("/home/a/.local/share/jupyter");
    expect(userJupyterDataDir({ XDG_DATA_HOME: "/xdg" }, "linux", "/home/a")).toBe("/xdg/jupyter");
    expect(userJupyterDataDir({}, "darwin", "/Users/a")).toBe("/Users/a/Library/Jupyter");
    expect(userJupyterDataDir({ APPDATA: "C:/Users/a/AppData/Roaming" }, "win32", "C:/Users/a")).toBe(path.join("C:/Users/a/AppData/Roaming", "jupyter"));
  });
});
