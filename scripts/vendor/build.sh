#!/usr/bin/env bash
# Rebuild the vendored browser code from the pinned npm packages (docs/vendor.md).
#
#   scripts/vendor/build.sh [OUT_DIR]     # OUT_DIR defaults to static/vendor/
#
# Installs exactly what package-lock.json records (npm ci, no install scripts) into
# scripts/vendor/node_modules/, then bundles entry.js with esbuild (build.mjs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../../static/vendor}"
[[ "$out" == /* ]] || out="$PWD/$out"
cd "$here"
npm ci --prefer-offline --ignore-scripts --no-audit --no-fund --loglevel=error
node build.mjs "$out"
