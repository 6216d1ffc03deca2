# shellcheck shell=bash
# The real parsers of the deployment files, built once from the Go module proxy into .tools/bin:
#   - docker-compose: the Compose v2 CLI (`go install github.com/docker/compose/v2/cmd@…` builds a binary named
#     `cmd`; it is installed as docker-compose), used as `docker-compose -f docker-compose.yml config -q`;
#   - kustomize v5, used as `kustomize build k8s`.
# tools/deployment/real-parsers.int-spec.ts runs both and fails on anything they report.
# Source this file, then call `ensure_deployment_tools` (or run it: `bash tools/scripts/lib/deployment-tools.sh`).
# A tool already installed at the pinned version (its .stamp file) is kept; any other version is rebuilt.

COMPOSE_MODULE="github.com/docker/compose/v2/cmd"
COMPOSE_VERSION="v2.29.7"
KUSTOMIZE_MODULE="sigs.k8s.io/kustomize/kustomize/v5"
KUSTOMIZE_VERSION="v5.5.0"
DEPLOYMENT_TOOLS_ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}"
DEPLOYMENT_TOOLS_BIN="$DEPLOYMENT_TOOLS_ROOT/.tools/bin"

deployment_tools_say() { printf '\033[1m[deployment-tools]\033[0m %s\n' "$*" >&2; }

# install_go_tool NAME MODULE VERSION: go install MODULE@VERSION into a scratch GOBIN, then move the one binary it
# builds (named after the module's last path element) to .tools/bin/NAME and record MODULE@VERSION in NAME.stamp.
install_go_tool() {
  local name="$1" module="$2" version="$3"
  local target="$DEPLOYMENT_TOOLS_BIN/$name" stamp="$DEPLOYMENT_TOOLS_BIN/$name.stamp"
  if [ -x "$target" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$module@$version" ]; then
    deployment_tools_say "$name $version is installed ($target)"
    return 0
  fi
  command -v go >/dev/null || { deployment_tools_say "Go is needed to build $name ($module@$version)"; return 1; }
  deployment_tools_say "building $name $version from the Go module proxy ($module, first run only, a few minutes)…"
  local gobin
  gobin="$(mktemp -d)"
  if ! GOBIN="$gobin" GOFLAGS=-mod=mod go install "$module@$version"; then
    rm -rf "$gobin"
    deployment_tools_say "go install $module@$version failed"
    return 1
  fi
  local built
  built="$(find "$gobin" -maxdepth 1 -type f -perm -u+x | head -1)"
  if [ -z "$built" ]; then
    rm -rf "$gobin"
    deployment_tools_say "go install $module@$version built no binary"
    return 1
  fi
  mkdir -p "$DEPLOYMENT_TOOLS_BIN"
  mv -f "$built" "$target"
  rm -rf "$gobin"
  echo "$module@$version" >"$stamp"
  deployment_tools_say "$name $version installed ($target)"
}

ensure_deployment_tools() {
  install_go_tool docker-compose "$COMPOSE_MODULE" "$COMPOSE_VERSION" &&
    install_go_tool kustomize "$KUSTOMIZE_MODULE" "$KUSTOMIZE_VERSION"
}

# Run directly: ensure both tools.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  ensure_deployment_tools
fi
