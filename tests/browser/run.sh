#!/bin/sh
# Browser tests of the public site: builds tutti (release), installs the two npm packages
# from the lockfile, and runs the journeys and axe-core checks in Debian's Chromium.
# Needs: apt-get install -y chromium nodejs npm. Never downloads a browser.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
if [ -z "${TUTTI_BIN:-}" ]; then
  (cd "$root" && cargo build --release -q -p tutti)
  TUTTI_BIN="$target/release/tutti"
fi
export TUTTI_BIN
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
cd "$here"
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ]; then
  npm ci --no-audit --no-fund --silent
fi
exec node run.mjs
