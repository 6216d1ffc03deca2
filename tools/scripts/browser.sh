#!/usr/bin/env bash
# The browser tier: the web console in Debian's Chromium (installed by ensure-chromium.sh when missing), driven by
# playwright-core against the whole system started as real processes (base port 3900 unless BROWSER_BASE_PORT).
# Screenshots in reports/browser/. Usage: npm run test:browser [-- <jest args>]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source tools/scripts/lib/infra.sh
[ -d node_modules ] || { say "installing npm dependencies (npm ci)…"; npm ci --no-audit --no-fund; }
bash tools/scripts/ensure-chromium.sh
infra_up
trap infra_down EXIT
mkdir -p reports/browser
E2E_BASE_PORT="${BROWSER_BASE_PORT:-3900}" npx jest --selectProjects browser --runInBand --forceExit "$@"
