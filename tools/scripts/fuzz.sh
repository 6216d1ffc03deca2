#!/usr/bin/env bash
# The fuzz command: builds, starts the whole system (base port 3700 unless --base-port) on the shared RabbitMQ (a
# virtual host of its own), FerretDB/MongoDB and Redis, and sends hostile requests to every route of the gateway's
# OpenAPI document (10,000 by default; --short: 1,500). Statuses per route in reports/fuzz.md.
# Usage: npm run fuzz [-- --short] [--seed N] [--requests N] [--replay INDEX] [--base-port P]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source tools/scripts/lib/infra.sh
[ -d node_modules ] || { say "installing npm dependencies (npm ci)…"; npm ci --no-audit --no-fund; }
infra_up
trap infra_down EXIT
mkdir -p reports
node tools/build/build.mjs
node --enable-source-maps dist/fuzz/src/main.js "$@"
