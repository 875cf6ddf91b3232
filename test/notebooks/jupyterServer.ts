// A classic Jupyter Notebook server (Debian's jupyter-notebook 6.4) for the live-UI test: a free localhost port, no
// token, its own config / data / runtime folders in a scratch folder, the project's tslab kernelspec through
// JUPYTER_PATH. Stopped by its pid (SIGTERM, then SIGKILL); kernels it leaves behind are found by the scratch
// folder in their command line (their connection file) and killed by pid.
import { spawn, ChildProcess } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { ROOT } from "./helpers";

export const PYTHON = "/usr/bin/python3";

/** True when Debian's classic notebook server is importable by /usr/bin/python3. */
export function hasNotebookServer(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { spawnSync } = require("child_process") as typeof import("child_process");
  return fs.existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import notebook.notebookapp"], { stdio: "ignore" }).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface NotebookServer {
  url: string;
  pid: number;
  /** The server's root folder (its notebooks are under it). */
  root: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts the server with `root` as its root folder; resolves when /api/status answers 200. `scratch` holds its
 * config, data and runtime folders and its log. `env` is added to the server's (and so the kernels') environment.
 */
export async function startNotebookServer(root: string, scratch: string, env: NodeJS.ProcessEnv = {}): Promise<NotebookServer> {
  const dirs = { config: path.join(scratch, "config"), data: path.join(scratch, "data"), runtime: path.join(scratch, "runtime") };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  const logFile = path.join(scratch, "server.log");
  let lastError = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const out = fs.openSync(logFile, "a");
    const child: ChildProcess = spawn(PYTHON, [
      "-m", "notebook", "--no-browser", "--allow-root", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0",
      "--NotebookApp.token=", "--NotebookApp.password=", `--notebook-dir=${root}`,
    ], {
      cwd: root,
      stdio: ["ignore", out, out],
      env: {
        ...process.env,
        JUPYTER_CONFIG_DIR: dirs.config,
        JUPYTER_DATA_DIR: dirs.data,
        JUPYTER_RUNTIME_DIR: dirs.runtime,
        JUPYTER_PATH: path.join(ROOT, ".jupyter", "share", "jupyter"),
        PATH: `${path.join(ROOT, "node_modules", ".bin")}:${process.env.PATH}`,
        ...env,
      },
    });
    fs.closeSync(out);
    let exited = false;
    child.once("exit", () => (exited = true));
    const url = `http://127.0.0.1:${port}/`;
    const pid = child.pid as number;
    const server: NotebookServer = {
      url,
      pid,
      root,
      log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : ""),
      stop: async () => {
        if (!exited) {
          try {
            process.kill(pid, "SIGTERM"); // the server shuts its kernels down
          } catch {
            /* already gone */
          }
          for (let i = 0; i < 100 && !exited; i++) await sleep(100);
          if (!exited) {
            try {
              process.kill(pid, "SIGKILL");
            } catch {
              /* gone */
            }
          }
        }
        killStrayKernels(dirs.runtime);
      },
    };
    const t0 = Date.now();
    while (!exited && Date.now() - t0 < 60000) {
      if ((await status(`${url}api/status`)) === 200) return server;
      await sleep(200);
    }
    lastError = server.log().split("\n").slice(-15).join("\n");
    await server.stop();
  }
  throw new Error(`the notebook server did not start:\n${lastError}`);
}

/** Kills (by pid) the processes whose command line names a file in `runtimeDir`: kernels of our server only. */
function killStrayKernels(runtimeDir: string): void {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmd = "";
    try {
      cmd = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
    } catch {
      continue;
    }
    if (cmd.includes(runtimeDir + path.sep)) {
      try {
        process.kill(Number(entry), "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
}
