#!/usr/bin/env bash
# Browser tests of the web UI: installs what they need when missing (Debian's
# chromium, playwright-core from tests/e2e/package-lock.json into
# tests/e2e/node_modules), builds the server, and runs every
# tests/e2e/*.test.js with node's test runner against it.
#
#   tests/e2e/run.sh                    # all files
#   tests/e2e/run.sh tests/e2e/chat.test.js
#   MICROCHAT_SCREENSHOTS=1 tests/e2e/run.sh   # also refresh docs/screenshots
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v "${CHROMIUM_PATH:-/usr/bin/chromium}" >/dev/null 2>&1; then
  echo "=== installing chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
if ! command -v node >/dev/null 2>&1; then
  echo "=== installing nodejs and npm"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
# Installed again whenever package-lock.json differs from the one last installed
# (a new dev dependency must not leave an old node_modules behind).
if ! cmp -s tests/e2e/package-lock.json tests/e2e/node_modules/.installed-lock.json; then
  echo "=== npm ci (tests/e2e)"
  (cd tests/e2e && npm ci --no-audit --no-fund && cp package-lock.json node_modules/.installed-lock.json)
fi

if [ -z "${MICROCHAT_BIN:-}" ]; then
  echo "=== cargo build"
  cargo build --bin microchat
  MICROCHAT_BIN="${CARGO_TARGET_DIR:-target}/debug/microchat"
fi
export MICROCHAT_BIN
MICROCHAT_BIN="$(cd "$(dirname "$MICROCHAT_BIN")" && pwd)/$(basename "$MICROCHAT_BIN")"

echo "=== browser tests"
if [ $# -eq 0 ]; then set -- tests/e2e/*.test.js; fi
# One file at a time: each starts its own server, and the machine may be small.
exec node --test --test-concurrency=1 --test-timeout=180000 "$@"
