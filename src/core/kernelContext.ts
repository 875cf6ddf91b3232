/**
 * What the library needs to know about a tslab notebook kernel to print errors for people (internal: not
 * re-exported from core/index).
 *
 * tslab runs each cell with `vm.runInThisContext` and prints an uncaught error with `console.error(error)`, i.e.
 * `util.inspect`: for a GhostError that is the message buried in ~20 lines (the throwing line of the library
 * with a caret, ten frames through node:vm and tslab, then `{ parameter, value, allowed }`). GhostError's
 * inspect hook (core/errors.ts) prints a short form instead when {@link inTslab} is true and GHOST_STACK is not
 * set; for that form to quote the student's own line, the source of the cell being executed is recorded here by
 * wrapping tslab's `JupyterHandlerImpl.prototype.handleExecuteImpl(req, …)` (req.code is the cell's source).
 */

const TSLAB_EXECUTOR = /[\\/]tslab[\\/]dist[\\/]executor\.js$/;
const TSLAB_JUPYTER = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;
const WRAPPED = Symbol.for("ghost-mechanism.cellSourceCapture");

let cellSource: string | null = null;

/** Loaded modules whose file name matches `pattern` (the module cache only; nothing is loaded). */
function cachedModules(pattern: RegExp): unknown[] {
  const cache = typeof require === "function" ? require.cache : undefined;
  if (!cache) return [];
  return Object.keys(cache).filter((k) => pattern.test(k)).map((k) => cache[k]?.exports);
}

/**
 * True when this process is a tslab kernel: tslab's executor sets `globalThis.__tslab__ = { exports, require }`
 * before the first cell, and its executor module is loaded. Both must hold (a stray global alone is not enough).
 */
export function inTslab(): boolean {
  try {
    const t = (globalThis as { __tslab__?: unknown }).__tslab__ as { require?: unknown; exports?: unknown } | undefined;
    if (t === null || typeof t !== "object" || typeof t.require !== "function" || typeof t.exports !== "object") return false;
    return cachedModules(TSLAB_EXECUTOR).length > 0;
  } catch {
    return false;
  }
}

/** The source of the cell being executed (null when unknown: outside tslab, or the cell that loaded the library). */
export function currentCellSource(): string | null {
  return cellSource;
}

/**
 * Wraps tslab's execute handler (once, idempotent) so that {@link currentCellSource} knows the running cell.
 * Does nothing outside a tslab kernel or if tslab's internals are not as expected; never throws.
 */
export function installCellSourceCapture(): void {
  try {
    if (!inTslab()) return;
    for (const mod of cachedModules(TSLAB_JUPYTER)) {
      const proto = (mod as { JupyterHandlerImpl?: { prototype?: Record<string | symbol, unknown> } } | undefined)?.JupyterHandlerImpl?.prototype;
      const original = proto?.handleExecuteImpl;
      if (!proto || typeof original !== "function" || proto[WRAPPED]) continue;
      proto.handleExecuteImpl = function (this: unknown, req: { code?: unknown }, ...rest: unknown[]) {
        cellSource = req && typeof req.code === "string" ? req.code : null;
        return (original as (...a: unknown[]) => unknown).call(this, req, ...rest);
      };
      proto[WRAPPED] = true;
    }
  } catch {
    /* printing errors for people is a nicety: never break loading the library */
  }
}

/**
 * The student's line in the cell for an error's stack: the cell frame is `evalmachine.<anonymous>:L:C` (the
 * compiled JavaScript, whose lines do not match the TypeScript source), so the line is found by the library
 * function the cell called (the frame just above it, e.g. `runFig2`): the one source line calling it, or of several
 * the one nearest to L. Null when it cannot be told.
 */
export function cellLineOf(stack: string, source: string | null): { line: number; text: string } | null {
  if (typeof stack !== "string" || typeof source !== "string") return null;
  const frames = stack.split("\n").filter((l) => /^\s+at /.test(l));
  const cellIndex = frames.findIndex((f) => /evalmachine\.<anonymous>:\d+:\d+/.test(f));
  if (cellIndex <= 0) return null;
  const jsLine = Number(/evalmachine\.<anonymous>:(\d+):\d+/.exec(frames[cellIndex])?.[1]);
  const callee = /^\s+at (?:new )?(?:[\w$]+\.)*([\w$]+) [(]/.exec(frames[cellIndex - 1])?.[1];
  if (!callee || callee === "<anonymous>") return null;
  const lines = source.split("\n");
  const calls = new RegExp(`(^|[^\\w$])${callee.replace(/\$/g, "\\$")}\\s*[(<]`);
  const candidates = lines.map((text, i) => ({ line: i + 1, text })).filter((l) => calls.test(l.text) && !/^\s*\/\//.test(l.text));
  if (candidates.length === 0) return null;
  const best = candidates.reduce((a, b) => (Math.abs(b.line - jsLine) < Math.abs(a.line - jsLine) ? b : a));
  return { line: best.line, text: best.text.trim() };
}
