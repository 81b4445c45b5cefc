#!/usr/bin/env bash
# Installs everything Stepwise needs on a fresh Linux machine with Node 20+:
# pnpm (pinned by package.json's packageManager), the workspace's packages (compiling better-sqlite3
# from source where no prebuilt binary is reachable, and the native-blas addon), Debian's Chromium
# for the browser tests, OpenBLAS for training and bubblewrap for the training sandbox when we may
# install them, the grader and the web app built, and the embedded database with its migrations and
# demo course.
set -euo pipefail
cd "$(dirname "$0")/.."

want_pnpm=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$want_pnpm" ]; then
  echo "==> installing pnpm $want_pnpm"
  npm install --global "pnpm@$want_pnpm" >/dev/null 2>&1 || {
    # Without write access to npm's global folder, fall back to corepack.
    COREPACK_INTEGRITY_KEYS=0 corepack enable && COREPACK_INTEGRITY_KEYS=0 corepack prepare "pnpm@$want_pnpm" --activate
  }
fi

# better-sqlite3 12 compiles from source when its prebuilt binary cannot be downloaded; node-gyp
# then needs Node's headers, which Debian's nodejs keeps in /usr/include/node (.npmrc can't set this).
if [ -d /usr/include/node ]; then export npm_config_nodedir=/usr; fi

echo "==> pnpm install"
pnpm install --frozen-lockfile

if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing Debian's chromium (browser tests)"
  (apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y chromium >/dev/null 2>&1; }) \
    || echo "   chromium could not be installed; the browser tests will say so"
fi

# OpenBLAS: the grader runs wasm's matrix products on it through packages/native-blas (built by
# pnpm install above, loaded at run time). Without it training stays on wasm, only slower.
if ! dpkg -s libopenblas0-pthread >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing Debian's OpenBLAS (faster training)"
  (apt-get install -y --no-install-recommends libopenblas0-pthread >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends libopenblas0-pthread >/dev/null 2>&1; }) \
    || echo "   OpenBLAS could not be installed; training uses wasm's own matrix products"
fi

# bubblewrap: the OS sandbox of the grader's training children (apps/grader/src/jail.ts). Without it a
# grader with GRADER_SANDBOX=auto runs children unsandboxed and says so; with `required` it refuses to start.
if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Debian's bubblewrap (training sandbox)"
    (apt-get install -y --no-install-recommends bubblewrap >/dev/null 2>&1 \
      || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends bubblewrap >/dev/null 2>&1; }) \
      || echo "   bubblewrap could not be installed; training children will run without the OS sandbox"
  else
    echo "   bubblewrap is not installed and this script cannot install it (not root, or no apt-get):"
    echo "   install it (e.g. sudo apt-get install bubblewrap), or training children run without the OS sandbox"
  fi
fi

# The grader, its training children and the `stepwise` CLI run compiled JavaScript (esbuild, ~1 s).
echo "==> building the grader (apps/grader/dist)"
pnpm --filter @stepwise/grader run build

# The web app as `next start` serves it: start.sh runs it, and the browser tests start it (they build
# again only when a source file is newer than this build).
echo "==> building the web app"
pnpm --filter @stepwise/web run build

mkdir -p data
echo "==> database: migrations and demo course"
pnpm --filter @stepwise/web run seed
