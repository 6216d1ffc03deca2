#!/usr/bin/env bash
# The fault-injection command: builds, then runs the system on a RabbitMQ node, FerretDB and Redis of its own
# (never the shared ones), kills and restarts each part under load and checks what the clients saw
# (also written to reports/faults.md). Usage: npm run faults [-- --short] [--only <text of a row name>]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source tools/scripts/lib/infra.sh
[ -d node_modules ] || { say "installing npm dependencies (npm ci)…"; npm ci --no-audit --no-fund; }
ensure_ferretdb_binary
mkdir -p reports
node tools/build/build.mjs
node --enable-source-maps dist/faults/src/main.js "$@"
