/**
 * The copy of plotly.js that the Jupyter server serves (internal: not re-exported from display/index).
 *
 * A chart output finds plotly.js in the page (inlined by the first chart of a kernel session), or else loads it
 * from the Jupyter server: every server (classic Notebook, JupyterLab, Notebook 7) serves the files under its root
 * at `<base url>files/<path>`, so a copy beside the notebooks works offline in every front end. `show()` puts
 * that copy in the kernel's working folder (the notebook's folder) at the first chart of a session;
 * `scripts/ensure-env.sh` puts one in the checkout's `notebooks/` (git-ignored). The copy is written
 * atomically (temporary file + rename) and only when missing or different from the installed plotly.js.
 */
import * as fs from "fs";
import * as path from "path";

/** The file name of the served copy: distinctive, so that a user's own `plotly.min.js` is never overwritten. */
export const SERVED_PLOTLY_FILE = "ghost-plotly.min.js";

/** Absolute path of the installed plotly.js bundle (npm package plotly.js-dist-min). */
export function plotlyBundlePath(): string {
  return require.resolve("plotly.js-dist-min");
}

function sameContent(a: string, b: string): boolean {
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    if (!sb.isFile() || sa.size !== sb.size) return false;
    return fs.readFileSync(a).equals(fs.readFileSync(b));
  } catch {
    return false;
  }
}

/**
 * Makes sure `dir/ghost-plotly.min.js` is a copy of the installed plotly.js; returns true when it is (already, or
 * after writing it), false when it cannot be (folder missing or read-only, bundle not installed). Never throws.
 */
export function ensureServedPlotly(dir: string): boolean {
  if (typeof dir !== "string" || dir === "") return false;
  let tmp: string | null = null;
  try {
    const source = plotlyBundlePath();
    const target = path.join(dir, SERVED_PLOTLY_FILE);
    if (sameContent(source, target)) return true;
    tmp = path.join(dir, `.${SERVED_PLOTLY_FILE}.${process.pid}.${Date.now().toString(36)}.tmp`);
    fs.copyFileSync(source, tmp);
    fs.renameSync(tmp, target);
    tmp = null;
    return true;
  } catch {
    return false;
  } finally {
    if (tmp !== null) fs.rmSync(tmp, { force: true });
  }
}
