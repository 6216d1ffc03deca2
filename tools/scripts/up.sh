#!/usr/bin/env bash
# The run command: installs dependencies, brings up the infrastructure, builds and starts all five services,
# waits for the gateway and prints how to use it. Ctrl-C stops everything it started.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source tools/scripts/lib/infra.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci)…"
  npm ci --no-audit --no-fund
fi
infra_up
trap infra_down EXIT
say "building…"
node tools/build/build.mjs
node tools/dev/start-system.mjs
