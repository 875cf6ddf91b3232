// Offline mathematics for the HTML exports.
//
// nbconvert 6.5 (Debian's, the one scripts/run-notebooks.mjs uses) writes a MathJax 2 configuration into every
// HTML export (`<script type="text/x-mathjax-config">` with `MathJax.Hub.Config({tex2jax: {inlineMath: [['$','$'],
// ...]}})`) and loads MathJax from `HTMLExporter.mathjax_url` (upstream: a CDN; Debian: /usr/share/javascript,
// absent unless libjs-mathjax is installed). MathJax 3/4 ignore that configuration (and do not treat `$...$` as
// math by default), so we use MathJax 2.7.9 from the npm registry (devDependency `mathjax`), copy the part of it
// that the `TeX-AMS_CHTML-full` configuration loads into `<out>/mathjax/`, and point every export at it with a
// RELATIVE url: the output folder can be moved, zipped or published as a site and still typesets its maths.
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";

/** The url every exported HTML loads MathJax from (relative to the HTML file, which sits in the output folder). */
export const MATHJAX_URL = "mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe";

/**
 * What the `TeX-AMS_CHTML-full,Safe` configuration needs (about 1.5 MB of the package's 73 MB): the loader, the two
 * configuration files, the TeX input jax, the CommonHTML output jax with its TeX web fonts, the element jax, the
 * extensions it may load on demand (menu, zoom, TeX packages; not the 3.7 MB a11y folder) and English messages.
 * The MathJax context menu's "switch renderer to HTML-CSS/SVG" is therefore not available offline.
 */
const PARTS = [
  "MathJax.js", "LICENSE",
  "config/TeX-AMS_CHTML-full.js", "config/Safe.js",
  "jax/input/TeX", "jax/output/CommonHTML", "jax/element",
  "extensions",
  "localization/en",
  "fonts/HTML-CSS/TeX/woff",
];
const SKIP = new Set(["extensions/a11y", "extensions/HTML-CSS"]);

/** The installed MathJax 2 package folder (throws a readable error when it is missing or another major version). */
export function mathjaxPackageDir(root) {
  const require = createRequire(path.join(root, "package.json"));
  let pkgJson;
  try {
    pkgJson = require.resolve("mathjax/package.json");
  } catch {
    throw new Error("the npm package mathjax is not installed: run npm ci (it is a devDependency)");
  }
  const { version } = JSON.parse(fs.readFileSync(pkgJson, "utf8"));
  if (!version.startsWith("2.")) {
    throw new Error(`mathjax ${version} is installed, but nbconvert 6.5's export configures MathJax 2: install mathjax@2.7.9`);
  }
  return path.dirname(pkgJson);
}

function copy(src, dst, rel) {
  if (SKIP.has(rel)) return 0;
  const st = fs.statSync(src);
  if (st.isDirectory()) {
    fs.mkdirSync(dst, { recursive: true });
    let n = 0;
    for (const e of fs.readdirSync(src)) n += copy(path.join(src, e), path.join(dst, e), `${rel}/${e}`);
    return n;
  }
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  // skip unchanged files so that re-runs are cheap
  if (!fs.existsSync(dst) || fs.statSync(dst).size !== st.size) fs.copyFileSync(src, dst);
  return 1;
}

/** Copies the MathJax subset into `<outDir>/mathjax/`; returns the number of files. */
export function installMathJax(root, outDir) {
  const src = mathjaxPackageDir(root);
  const dst = path.join(outDir, "mathjax");
  let n = 0;
  for (const part of PARTS) n += copy(path.join(src, part), path.join(dst, part), part);
  return n;
}

/**
 * Problems with an exported HTML's maths set-up (empty when fine): it must load MathJax from the relative url and
 * carry the MathJax 2 configuration that url's MathJax understands.
 */
export function checkExportedMath(html) {
  const problems = [];
  if (!html.includes(`src="${MATHJAX_URL}"`)) problems.push(`it does not load MathJax from ${MATHJAX_URL}`);
  if (!html.includes("MathJax.Hub.Config")) problems.push("it has no MathJax 2 configuration (MathJax.Hub.Config): a newer nbconvert? its template needs another MathJax major version");
  return problems;
}
