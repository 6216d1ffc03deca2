#!/usr/bin/env bash
# The run command: installs dependencies, brings up the infrastructure, builds and starts all five services,
# waits for the gateway and prints how to use it. Ctrl-C stops everything it started.
# REPLICAS=n runs n processes of every service and of the gateway (replica r on the ports 10 × r above the first's).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source tools/scripts/lib/infra.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci)…"
  npm ci --no-audit --no-fund
fi
case "${REPLICAS:-1}" in [1-9]) ;; *) echo "REPLICAS must be a whole number from 1 to 9, not ${REPLICAS}" >&2; exit 2 ;; esac
infra_up
trap infra_down EXIT
say "building…"
node tools/build/build.mjs
node tools/dev/start-system.mjs
