#!/usr/bin/env bash
# The benchmark command: brings up the infrastructure, builds, starts its own system (own RabbitMQ vhost,
# databases and queue prefix), loads it and prints the DESIGN §7 figures (also written to reports/benchmark.md).
# Usage: npm run bench [-- --quick]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source tools/scripts/lib/infra.sh
[ -d node_modules ] || { say "installing npm dependencies (npm ci)…"; npm ci --no-audit --no-fund; }
infra_up
trap infra_down EXIT
mkdir -p reports
node tools/build/build.mjs
node --enable-source-maps dist/bench/src/main.js "$@"
