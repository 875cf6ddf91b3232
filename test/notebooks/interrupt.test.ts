// An interrupted long cell (Jupyter's Interrupt = SIGINT to the kernel) leaves no frozen progress bar (issue 14,
// item 2): the bar's output ends with "interrupted at …". Run in a real tslab kernel through jupyter_client.
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { kernelEnv, ROOT, scratchDir } from "./helpers";

const dir = scratchDir("interrupt-");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Msg { type: string; content: { name?: string; text?: string; data?: Record<string, string>; transient?: { display_id?: string } } }

function interrupt(setup: string, long: string, afterSeconds: number, after?: string): { setup: Msg[]; long: Msg[]; after: Msg[] } {
  const run = spawnSync("/usr/bin/python3", [path.join(__dirname, "interrupt_cell.py"), dir, setup, long, String(afterSeconds), ...(after ? [after] : [])], {
    cwd: dir, encoding: "utf8", env: kernelEnv(), maxBuffer: 1 << 26, timeout: 9 * 60 * 1000,
  });
  if (run.status !== 0) throw new Error(`interrupt_cell.py failed (${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop() as string);
}

/** The last text of every progress display, by display_id. */
function barTexts(msgs: Msg[]): string[] {
  const last = new Map<string, string>();
  for (const m of msgs) {
    const id = m.content.transient?.display_id;
    if (id?.startsWith("ghost-progress-") && m.content.data) last.set(id, m.content.data["text/plain"]);
  }
  return [...last.values()];
}

beforeAll(() => {
  if (!fs.existsSync("/usr/bin/jupyter")) throw new Error("MISSING /usr/bin/jupyter: run bash scripts/ensure-env.sh");
  if (!fs.existsSync(path.join(ROOT, "dist", "index.js"))) throw new Error("dist/ is not built: npm run build");
});

const SETUP = 'import { models, training, display, figures } from "ghost-mechanism";';

test("a synchronous training loop interrupted 2 s after its bar appeared: the bar ends with 'interrupted at …', the kernel lives on", () => {
  const r = interrupt(SETUP,
    'const bar = display.progress("training", 300000);\n' +
    'training.trainRnn(models.createRankOneRnn(1), { learningRate: 0.003, epochs: 300000, onProgress: bar.callback });\n' +
    'bar.finish();', 2);
  const bars = barTexts(r.long);
  expect(bars).toHaveLength(1);
  expect(bars[0]).toMatch(/^training: interrupted at \d+\.\d % \(\d+\/300000\) after ([\d.]+ s|\d+ min \d+ s)$/);
  expect(Number(/\((\d+)\//.exec(bars[0])?.[1])).toBeGreaterThan(0);
  const stderr = r.long.filter((m) => m.type === "stream" && m.content.name === "stderr").map((m) => m.content.text).join("");
  expect(stderr).toMatch(/interrupted/i); // tslab's own report of the interrupt
  expect(r.after.some((m) => m.type === "stream" && m.content.text === "kernel alive\n")).toBe(true);
}, 10 * 60 * 1000);

test("an asynchronous sweep on worker threads interrupted 2 s after its bar appeared: the bar ends with 'interrupted at …' and aborts the sweep", () => {
  const r = interrupt(SETUP,
    'const p = figures.fig4Config("ci");\n' +
    'const bar = display.progress("Fig 4 networks", p.seeds.length);\n' +
    '(globalThis as Record<string, unknown>).fig4Bar = bar; // an interrupted cell keeps none of its declarations\n' +
    'const data = await figures.runFig4({ ...p, epochs: 20000 }, { cache: false, workers: 2, onProgress: bar.callback, signal: bar.signal });\n' +
    'bar.finish();', 2,
    'console.log(`aborted: ${((globalThis as Record<string, unknown>).fig4Bar as { signal: AbortSignal }).signal.aborted}`);');
  const bars = barTexts(r.long);
  expect(bars).toHaveLength(1);
  expect(bars[0]).toMatch(/^Fig 4 networks: interrupted at \d+\.\d % \(\d+\/\d+\) after ([\d.]+ s|\d+ min \d+ s)$/);
  expect(r.after.filter((m) => m.type === "stream").map((m) => m.content.text).join("")).toBe("aborted: true\n");
}, 10 * 60 * 1000);
