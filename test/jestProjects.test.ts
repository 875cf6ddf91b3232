/**
 * The split of the test suites between jest.config.js's two projects: "light" (jest-light-runner, plain Node, no vm
 * sandbox) and "isolated" (the default runner). Every test file runs in exactly one project, and the light suites
 * (with the helpers they share) use only the jest features the light runner provides: a new suite that needs module
 * mocks, a per-file module registry or assertion counting must be listed in ISOLATED in jest.config.js.
 */
import * as fs from "fs";
import * as path from "path";

const root = path.resolve(__dirname, "..");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const config = require(path.join(root, "jest.config.js")) as { projects: { displayName: string; runner?: string; testMatch: string[]; testPathIgnorePatterns?: string[] }[] };

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

const rel = (f: string) => path.relative(root, f).split(path.sep).join("/");
const project = (name: string) => {
  const p = config.projects.find((x) => x.displayName === name);
  if (!p) throw new Error(`jest.config.js has no project "${name}"`);
  return p;
};
const light = project("light");
const isolated = project("isolated");
/** The isolated project's entries as paths relative to the root: a folder ("test/notebooks/") or a file. */
const isolatedEntries = isolated.testMatch.map((g) => g.replace(/^<rootDir>\//, "").replace(/\*\*\/\*\.test\.ts$/, ""));
const isIsolated = (f: string) => isolatedEntries.some((e) => (e.endsWith("/") ? rel(f).startsWith(e) : rel(f) === e));
const files = walk(path.join(root, "test")).filter((f) => f.endsWith(".ts"));
const testFiles = files.filter((f) => f.endsWith(".test.ts"));

test("every test file runs in exactly one project: the isolated list names existing files, the light project ignores them", () => {
  for (const e of isolatedEntries) expect([e, fs.existsSync(path.join(root, e))]).toEqual([e, true]);
  expect(light.runner).toMatch(/light-runner/);
  expect(isolated.runner).toBeUndefined(); // jest's default runner (vm sandbox per file)
  const ignored = (light.testPathIgnorePatterns ?? []).filter((p) => p.startsWith("<rootDir>/")).map((p) => p.replace(/^<rootDir>\//, ""));
  expect([...ignored].sort()).toEqual([...isolatedEntries].sort());
  const inLight = testFiles.filter((f) => !isIsolated(f));
  expect(inLight.length).toBeGreaterThan(50);
  expect(inLight.length + testFiles.filter(isIsolated).length).toBe(testFiles.length);
});

test("light suites and their helpers use only jest features the light runner provides", () => {
  // jest-light-runner 0.7: jest.fn/spyOn/clearAllMocks/resetAllMocks/restoreAllMocks and modern fake timers; no module
  // mocks or registry, no jest.setTimeout/retryTimes; expect.assertions/hasAssertions are accepted but never checked.
  const allowed = new Set(["fn", "spyOn", "clearAllMocks", "resetAllMocks", "restoreAllMocks", "useFakeTimers", "useRealTimers", "setSystemTime", "advanceTimersByTime"]);
  const offenders: string[] = [];
  for (const f of files) {
    if (isIsolated(f) || f === __filename) continue;
    const text = fs.readFileSync(f, "utf8");
    for (const m of text.matchAll(/\bjest\s*\.\s*(\w+)/g)) if (!allowed.has(m[1])) offenders.push(`${rel(f)}: jest.${m[1]}`);
    for (const m of text.matchAll(/\bexpect\s*\.\s*(assertions|hasAssertions)\b|\b(?:test|it)\s*\.\s*(concurrent|failing)\b|\bimport\.meta\.jest\b/g)) {
      offenders.push(`${rel(f)}: ${m[0]}`);
    }
  }
  expect(offenders).toEqual([]);
});
