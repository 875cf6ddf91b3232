#!/usr/bin/env bash
# Idempotent set-up used by every top-level command (npm run figures, npm test, .ci/run).
#   - Node >= 20
#   - npm dependencies (npm ci when node_modules is missing or older than package-lock.json)
#   - Debian's Jupyter (nbconvert + nbclient + ipykernel) for /usr/bin/python3
#   - Debian's DejaVu Sans font (fonts-dejavu-core), which the chart PNGs are drawn with (scripts/plotly-png.mjs)
#   - optionally Debian's chromium (--with-chromium) for the render check
#   - optionally Debian's classic Jupyter Notebook server + chromium (--with-live-ui) for the live-UI test
#     (test/notebooks/liveUi.test.ts drives the real notebook UI in Chromium through puppeteer-core)
#   - notebooks/ghost-plotly.min.js, a copy of the installed plotly.js that the Jupyter server serves to charts
#     whose page lost plotly.js (git-ignored; show() also writes one beside any notebook at its first chart)
#   - the project-local tslab kernelspec in .jupyter/ (nothing global is touched)
#   - the build of dist/ (notebooks import the built package by name)
# When something is missing and cannot be installed (not root), it stops with a message naming the missing piece
# and the exact install line.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WITH_CHROMIUM=0
WITH_LIVE_UI=0
for arg in "$@"; do
  case "$arg" in
    --with-chromium) WITH_CHROMIUM=1 ;;
    --with-live-ui) WITH_CHROMIUM=1; WITH_LIVE_UI=1 ;;
    *) echo "ensure-env: unknown option $arg (allowed: --with-chromium, --with-live-ui)" >&2; exit 2 ;;
  esac
done

say() { echo "[ensure-env] $*"; }
die() { echo "[ensure-env] MISSING: $1" >&2; echo "[ensure-env] install it with: $2" >&2; exit 1; }

# 1. Node
if ! command -v node >/dev/null 2>&1; then die "Node.js >= 20" "see https://nodejs.org (or apt-get install nodejs on Debian 13+)"; fi
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
if [ "$NODE_MAJOR" -lt 20 ]; then die "Node.js >= 20 (found $(node -v))" "install Node 20 or newer"; fi

# 2. npm dependencies
if [ ! -d node_modules ] || [ ! -e node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

# 3. Debian packages
APT_PKGS=()
if [ ! -x /usr/bin/jupyter ] || ! /usr/bin/python3 -c "import nbconvert, nbclient, ipykernel, jupyter_client" >/dev/null 2>&1; then
  APT_PKGS+=(jupyter-core jupyter-client jupyter-nbconvert python3-nbclient python3-ipykernel)
fi
if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then APT_PKGS+=(fonts-dejavu-core); fi
if [ "$WITH_CHROMIUM" = 1 ] && ! command -v chromium >/dev/null 2>&1; then APT_PKGS+=(chromium); fi
if [ "$WITH_LIVE_UI" = 1 ] && ! /usr/bin/python3 -c "import notebook.notebookapp" >/dev/null 2>&1; then APT_PKGS+=(jupyter-notebook); fi
if [ "${#APT_PKGS[@]}" -gt 0 ]; then
  LINE="sudo apt-get update && sudo apt-get install -y --no-install-recommends ${APT_PKGS[*]}"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian packages: ${APT_PKGS[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${APT_PKGS[@]}" >/dev/null
  else
    die "${APT_PKGS[*]}" "$LINE"
  fi
fi
/usr/bin/python3 -c "import nbconvert, nbclient, ipykernel" >/dev/null 2>&1 || die "Jupyter for /usr/bin/python3" "sudo apt-get update && sudo apt-get install -y --no-install-recommends jupyter-core jupyter-client jupyter-nbconvert python3-nbclient python3-ipykernel"

# 4. Project-local tslab kernelspec (argv points at this project's tslab binary)
[ -x node_modules/.bin/tslab ] || die "node_modules/.bin/tslab (npm dependency tslab)" "rm -rf node_modules && npm ci"
SPEC="$ROOT/.jupyter/share/jupyter/kernels/tslab/kernel.json"
if [ ! -f "$SPEC" ] || ! grep -q "$ROOT/node_modules/.bin/tslab" "$SPEC"; then
  say "registering the tslab kernelspec in .jupyter/"
  node_modules/.bin/tslab install --python=/usr/bin/python3 --binary="$ROOT/node_modules/.bin/tslab" --prefix="$ROOT/.jupyter" >/dev/null
fi
# (capture first: with pipefail, `jupyter … | grep -q` fails at random when grep exits early and jupyter gets SIGPIPE)
KERNELS=$(JUPYTER_PATH="$ROOT/.jupyter/share/jupyter" /usr/bin/jupyter kernelspec list 2>/dev/null || true)
printf '%s\n' "$KERNELS" | grep "^ *tslab " >/dev/null \
  || die "the tslab kernelspec in $ROOT/.jupyter" "node_modules/.bin/tslab install --python=/usr/bin/python3 --binary=$ROOT/node_modules/.bin/tslab --prefix=$ROOT/.jupyter"

# 5. Build (skipped when dist/ is newer than every source and config file)
STAMP=dist/.ensure-env-build
if [ -f dist/index.js ] && [ -f dist/index.d.ts ] && [ -f dist/kernels/kernels.wasm ] && [ -f "$STAMP" ] && \
   [ -z "$(find src tsconfig.json tsconfig.build.json package.json package-lock.json -newer "$STAMP" -print -quit)" ]; then
  say "dist/ is up to date"
else
  say "building dist/"
  mkdir -p dist && touch "$STAMP.new"   # stamped with the time the build STARTED
  node_modules/.bin/tsc -p tsconfig.build.json
  chmod +x dist/cli.js 2>/dev/null || true
  # the WebAssembly kernels (the default kernels wherever WebAssembly SIMD exists): package.json's build:wasm
  npm run --silent build:wasm
  [ -f dist/kernels/kernels.wasm ] || die "dist/kernels/kernels.wasm (AssemblyScript build)" "npm run build:wasm"
  mv "$STAMP.new" "$STAMP"
fi
# 6. The copy of plotly.js the Jupyter server serves beside the notebooks (src/display/plotlyAsset.ts)
PLOTLY_SRC=node_modules/plotly.js-dist-min/plotly.min.js
[ -f "$PLOTLY_SRC" ] || die "$PLOTLY_SRC (npm dependency plotly.js-dist-min)" "rm -rf node_modules && npm ci"
if ! cmp -s "$PLOTLY_SRC" notebooks/ghost-plotly.min.js; then
  say "copying plotly.js to notebooks/ghost-plotly.min.js (served by Jupyter at files/…)"
  cp "$PLOTLY_SRC" notebooks/.ghost-plotly.min.js.tmp && mv notebooks/.ghost-plotly.min.js.tmp notebooks/ghost-plotly.min.js
fi
say "ready (kernelspec: JUPYTER_PATH=$ROOT/.jupyter/share/jupyter)"
