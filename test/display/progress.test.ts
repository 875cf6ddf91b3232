// Progress that tells the truth (issue 14, items 2 and 5): durations rounded once at the precision shown (never
// "6 min 60 s"), time left estimated from the work done (runs weighted by their cost) rather than the run count,
// and a bar whose cell was interrupted ends with "interrupted at …" instead of staying frozen.
import { estimateSecondsLeft, formatDuration, interruptedLine, progress, progressLine } from "../../src/display/progress";
import { setKernelWriterForTesting, WriteDisplayData } from "../../src/display/show";
import { GhostError } from "../../src/core/errors";

afterEach(() => setKernelWriterForTesting(undefined));

describe("formatDuration", () => {
  test.each([
    [0, "0.0 s"],
    [9.54, "9.5 s"],
    [59.94, "59.9 s"],
    [59.96, "1 min 0 s"], // rounds to 60.0 s: carried into minutes, never "60.0 s"
    [60, "1 min 0 s"],
    [419.6, "7 min 0 s"], // 6 min 59.6 s: never "6 min 60 s"
    [2399.5, "40 min 0 s"], // 39 min 59.5 s: never "39 min 60 s"
    [2777, "46 min 17 s"],
    [3599.4, "59 min 59 s"],
    [3599.5, "1 h 0 min"],
    [3600 + 59 * 60 + 31, "2 h 0 min"], // 1 h 59 min 31 s: never "1 h 60 min"
    [Infinity, "?"],
  ])("%p s → %p", (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
  test("the seconds field is always 0…59 and the minutes field of hours 0…59 (every tenth of a second to 3 h)", () => {
    for (let tenths = 0; tenths <= 3 * 36000; tenths++) {
      const text = formatDuration(tenths / 10);
      const m = /^(\d+) min (\d+) s$/.exec(text) ?? /^(\d+) h (\d+) min$/.exec(text);
      if (m) expect(Number(m[2])).toBeLessThan(60);
      else expect(text).toMatch(/^\d{1,2}\.\d s$/);
    }
  });
  test("refuses negative and NaN durations", () => {
    expect(() => formatDuration(-1)).toThrow(GhostError);
    expect(() => formatDuration(NaN)).toThrow(/seconds = NaN/);
  });
});

describe("estimateSecondsLeft", () => {
  test("by run count: remaining runs at the rate so far", () => {
    expect(estimateSecondsLeft(25, 100, 5)).toBeCloseTo(15, 12);
    expect(estimateSecondsLeft(0, 100, 5)).toBeNaN(); // nothing to extrapolate from
    expect(estimateSecondsLeft(100, 100, 5)).toBe(0);
  });
  test("by work: one long run done of one long + nine short runs is NOT 90 % left", () => {
    // 1 run of cost 90 finished in 90 s, 9 runs of cost 1 left: by count 9 × 90 s = 810 s, by work 9 s
    expect(estimateSecondsLeft(1, 10, 90)).toBeCloseTo(810, 9);
    expect(estimateSecondsLeft(1, 10, 90, { work: 90, workTotal: 99 })).toBeCloseTo(9, 12);
  });
  test("work read from the cache does not count as computed", () => {
    // 50 units from the cache (instant) + 10 computed in 10 s: 40 left at 1 unit/s
    expect(estimateSecondsLeft(6, 10, 10, { work: 60, workTotal: 100, cachedWork: 50 })).toBeCloseTo(40, 12);
    expect(estimateSecondsLeft(5, 10, 1, { work: 50, workTotal: 100, cachedWork: 50 })).toBeNaN(); // nothing computed yet
  });
  test("the estimate reproduces the elapsed time of a sweep whose runs cost what they weigh", () => {
    // 2 workers, longest first: costs 40, 30, 20, 10, 5 × 8 (1 unit = 1 s on one core). At any instant after a
    // finished run, work/elapsed must extrapolate to the true end far better than the run count does.
    const costs = [40, 30, 20, 10, 5, 5, 5, 5, 5, 5, 5, 5];
    const free = [0, 0];
    const ends: number[] = [];
    for (const c of costs) {
      const w = free[0] <= free[1] ? 0 : 1;
      free[w] += c;
      ends.push(free[w]);
    }
    const finish = Math.max(...free);
    const total = costs.reduce((a, b) => a + b, 0);
    const order = ends.map((t, i) => ({ t, c: costs[i] })).sort((a, b) => a.t - b.t);
    let work = 0;
    order.slice(0, -1).forEach(({ t, c }, k) => {
      work += c;
      const byWork = estimateSecondsLeft(k + 1, costs.length, t, { work, workTotal: total });
      const byCount = estimateSecondsLeft(k + 1, costs.length, t);
      expect(Math.abs(t + byWork - finish)).toBeLessThanOrEqual(Math.abs(t + byCount - finish));
    });
  });
  test("a reporter's own estimate (the sweep engine's etaMs) is used as is", () => {
    expect(estimateSecondsLeft(1, 10, 90, { work: 90, workTotal: 99, etaMs: 4500 })).toBe(4.5);
    expect(estimateSecondsLeft(10, 10, 90, { work: 99, workTotal: 99, etaMs: 4500 })).toBe(0); // done is done
  });
  test("refuses inconsistent work", () => {
    expect(() => estimateSecondsLeft(1, 2, 1, { work: 3, workTotal: 2 })).toThrow(GhostError);
    expect(() => estimateSecondsLeft(1, 2, 1, { work: 1, workTotal: 2, cachedWork: 2 })).toThrow(/work/);
    expect(() => estimateSecondsLeft(1, 2, 1, { work: 1, workTotal: 2, wrok: 1 } as never)).toThrow(/work/);
    expect(() => estimateSecondsLeft(-1, 2, 1)).toThrow(/done = -1/);
  });
  test("progressLine draws before there is anything to extrapolate from: time left '?'", () => {
    // the first report of a bar can come in the same millisecond as its start (elapsed 0), or report 0 done (a
    // sweep after its cache scan): the estimate is NaN, the line says "left ?" instead of failing to draw
    expect(progressLine("sweep", 19, 100, 0)).toMatch(/elapsed 0\.0 s · left \?$/);
    expect(progressLine("sweep", 0, 100, 12)).toMatch(/left \?$/);
    const seen = fakeKernel();
    const bar = progress("sweep", 100);
    bar.callback(0, 100);
    expect(seen.texts[seen.texts.length - 1]).toMatch(/^sweep .* 0\/100 .* left \?$/);
    bar.finish();
  });
  test("progressLine uses the work when given", () => {
    expect(progressLine("sweep", 1, 10, 90)).toContain("left 13 min 30 s");
    expect(progressLine("sweep", 1, 10, 90, undefined, { work: 90, workTotal: 99 })).toContain("left 9.0 s");
  });
});

type Msg = Parameters<WriteDisplayData>[0];
function fakeKernel(): { texts: string[]; ids: Set<string> } {
  const seen = { texts: [] as string[], ids: new Set<string>() };
  setKernelWriterForTesting((msg: Msg) => {
    seen.texts.push((msg.data as Record<string, string>)["text/plain"]);
    seen.ids.add(String((msg.transient as { display_id: string }).display_id));
  });
  return seen;
}
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const busy = (ms: number) => {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    /* a synchronous computation */
  }
};

describe("an interrupted bar ends with 'interrupted at …'", () => {
  test("interruptedLine", () => {
    expect(interruptedLine("Fig 4 networks", 19, 100, 75.4)).toBe("Fig 4 networks: interrupted at 19.0 % (19/100) after 1 min 15 s");
    expect(() => interruptedLine("x", NaN, 1, 0)).toThrow(GhostError);
  });
  test("SIGINT (the kernel's interrupt) during an asynchronous computation", async () => {
    const seen = fakeKernel();
    const before = process.listeners("SIGINT");
    const bar = progress("sweep", 100);
    bar.callback(19, 100);
    // never a listener added inside the synchronous stretch (a running tslab cell: it would disarm the kernel's
    // interrupt, which then no longer stops the cell) …
    expect(process.listeners("SIGINT")).toEqual(before);
    await nextTurn(); // … but once the event loop turns, while the bar is live
    expect(bar.signal.aborted).toBe(false);
    process.emit("SIGINT");
    expect(seen.texts[seen.texts.length - 1]).toMatch(/^sweep: interrupted at 19\.0 % \(19\/100\) after \d+\.\d s$/);
    expect(bar.signal.aborted).toBe(true); // a sweep given bar.signal stops its workers
    const drawn = seen.texts.length;
    bar.callback(20, 100); // late reports of the abandoned work draw nothing
    bar.finish();
    process.emit("SIGINT"); // nor does a second interrupt
    await nextTurn();
    expect(seen.texts.length).toBe(drawn);
    expect(seen.ids.size).toBe(1);
  });
  test("a synchronous computation stopped before finish(): the bar says so when the event loop turns", async () => {
    const seen = fakeKernel();
    const bar = progress("training", 1000);
    for (let i = 1; i <= 190; i++) {
      bar.callback(i, 1000);
      busy(2); // 190 epochs over ≈ 0.38 s, then the cell stops (no finish())
    }
    await nextTurn();
    expect(seen.texts[seen.texts.length - 1]).toMatch(/^training: interrupted at 19\.0 % \(190\/1000\) after 0\.\d s$/);
  });
  test("a finished synchronous bar, or a short synchronous report of an asynchronous computation, is left alone", async () => {
    const seen = fakeKernel();
    const done = progress("done", 10);
    for (let i = 1; i <= 10; i++) {
      done.callback(i, 10);
      busy(25);
    }
    done.finish();
    const early = progress("async", 10);
    early.callback(0, 10); // a sweep reports its cache hits synchronously, then awaits its workers
    await nextTurn();
    expect(seen.texts.some((t) => t.includes("interrupted"))).toBe(false);
    early.finish();
  });
  test("an asynchronous computation that reported synchronously for a while carries on after the check", async () => {
    const seen = fakeKernel();
    const bar = progress("mixed", 10);
    bar.callback(1, 10);
    busy(250);
    bar.callback(2, 10);
    await nextTurn();
    expect(seen.texts[seen.texts.length - 1]).toContain("interrupted at 20.0 %");
    bar.callback(3, 10); // it was not over: the live line comes back
    expect(seen.texts[seen.texts.length - 1]).toMatch(/^mixed █+░+ 3\/10/);
    bar.finish();
    expect(seen.texts[seen.texts.length - 1]).toMatch(/^mixed: done 3\/10/);
  });
});
