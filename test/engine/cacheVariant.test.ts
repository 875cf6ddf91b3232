/**
 * Results computed by different kernels (GHOST_KERNELS = js | wasm) differ in their last bits, so a runner that
 * trains RNNs declares the kernel mode as its cache variant: a run cached under one mode is never returned under
 * the other, and runners without a variant (selfTest) keep their plain version.
 */
import "../../src/protocols"; // registers the runners
import { getRunner, registerRunner, runnerCacheVersion } from "../../src/engine/runners";
import { runSweepSync } from "../../src/engine/sweep";
import { setKernelMode } from "../../src/kernels";
import { GhostError } from "../../src/core/errors";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

afterEach(() => setKernelMode(undefined));

test("rankOneTrain and daTrain are cached under version + kernel mode; selfTest under its plain version", () => {
  setKernelMode("js");
  expect(runnerCacheVersion(getRunner("rankOneTrain"))).toBe(`${getRunner("rankOneTrain").version}+kernels-js`);
  expect(runnerCacheVersion(getRunner("daTrain"))).toBe(`${getRunner("daTrain").version}+kernels-js`);
  setKernelMode("wasm");
  expect(runnerCacheVersion(getRunner("rankOneTrain"))).toBe(`${getRunner("rankOneTrain").version}+kernels-wasm`);
  expect(runnerCacheVersion(getRunner("selfTest"))).toBe(getRunner("selfTest").version);
});

test("a run cached under one kernel mode is computed afresh under the other, and found again under the first", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ghost-variant-"));
  try {
    const configs = [{ seed: 2, N: 8, learningRate: 0.02, epochs: 30, record: ["loss" as const] }];
    const statsOf = (mode: string) => {
      setKernelMode(mode);
      return runSweepSync({ runner: "rankOneTrain", configs, cache: { dir } });
    };
    const js1 = statsOf("js");
    const files = () => fs.readdirSync(path.join(dir, "rankOneTrain")).length;
    expect(files()).toBe(1);
    statsOf("wasm");
    expect(files()).toBe(2); // a second entry: the js result was not reused for wasm
    expect(statsOf("js")).toEqual(js1); // the js entry is still found
    expect(files()).toBe(2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a bad variant is refused at registration and a non-string variant value is reported by the runner's name", () => {
  expect(() => registerRunner({ name: "vBad", version: "1", description: "", run: () => 1, variant: 5 as never })).toThrow(/variant = 5 is not allowed/);
  registerRunner({ name: "vNumber", version: "1", description: "", run: () => 1, variant: () => 7 as never }, { replace: true });
  expect(() => runnerCacheVersion(getRunner("vNumber"))).toThrow(GhostError);
});
