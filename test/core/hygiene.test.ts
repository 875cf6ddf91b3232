import * as fs from "fs";
import * as path from "path";
import { LIBRARY_VERSION } from "../../src/version";

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

describe("source hygiene", () => {
  const src = path.join(__dirname, "..", "..", "src");
  test("no Math.random anywhere in src/ (randomness is explicit and seeded)", () => {
    const offenders = walk(src).filter((f) => f.endsWith(".ts") && /Math\s*\.\s*random/.test(fs.readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
  test("LIBRARY_VERSION equals package.json's version", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
    expect(LIBRARY_VERSION).toBe(pkg.version);
  });
});
