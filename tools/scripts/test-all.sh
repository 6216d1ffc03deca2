#!/usr/bin/env bash
# The test command: type-check, lint, then unit, integration and end-to-end tests against real
# infrastructure (RabbitMQ, Redis, FerretDB/MongoDB), then the short fault-injection suite (on infrastructure of
# its own), then the short fuzz run (hostile requests to every route of the OpenAPI document), then the browser tier
# (the web console in Debian's Chromium against the whole system, on base port 3900). Ends with one line:
# "N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source tools/scripts/lib/infra.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci)…"
  npm ci --no-audit --no-fund || die "npm ci failed"
fi
infra_up
trap infra_down EXIT
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true

rm -rf reports && mkdir -p reports
failed_checks=0
step() { say "$1"; shift; if ! "$@"; then say "FAILED: $*"; failed_checks=$((failed_checks + 1)); fi; }

step "type-checking (tsc)…" npx tsc -p tsconfig.json --noEmit
step "type-checking the web console (tsc, DOM + JSX)…" npx tsc -p apps/console/tsconfig.json --noEmit
step "computing the Nx project graph…" npx nx show projects --json
step "linting (eslint with Nx module boundaries)…" npx eslint --max-warnings 0 .
step "building…" node tools/build/build.mjs
# The fault-injection suite and the embedded-database integration test run FerretDBs of their own: the binary must
# exist even when infra_up reused a running one.
step "building FerretDB for the fault-injection suite and the embedded-database test (when not built yet)…" bash -c 'source tools/scripts/lib/infra.sh && ensure_ferretdb_binary'
# The integration tier runs the real parsers of the deployment files (tools/deployment/real-parsers.int-spec.ts).
step "building docker-compose and kustomize for the deployment-file checks (when not built yet)…" bash tools/scripts/lib/deployment-tools.sh
# The browser tier drives Debian's Chromium: installed here when missing (never a browser download).
step "making sure Debian's Chromium is installed (browser tier)…" bash tools/scripts/ensure-chromium.sh
for tier in unit integration e2e faults fuzz browser; do
  say "running $tier tests…"
  # Each system-starting tier on ports of its own: the browser tier's never meet the e2e tier's.
  port="${E2E_BASE_PORT:-3100}"
  [ "$tier" = browser ] && port="${BROWSER_BASE_PORT:-3900}"
  E2E_BASE_PORT="$port" npx jest --selectProjects "$tier" --runInBand --ci --forceExit --json --outputFile="reports/$tier.json" 2>&1 | tee "reports/$tier.log" | grep -vE '^\s*$' | grep -E '^(PASS|FAIL)|●|Tests:' || true
done
node tools/scripts/summarize.mjs "$failed_checks" reports/unit.json reports/integration.json reports/e2e.json reports/faults.json reports/fuzz.json reports/browser.json
