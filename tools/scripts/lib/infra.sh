# shellcheck shell=bash
# Brings up what the services need, reusing what already runs:
#   - RabbitMQ on AMQP_URL (default amqp://guest:guest@localhost:5672), started with `rabbitmq-server -detached` if installed but down;
#   - Redis on REDIS_URL (default redis://localhost:6379), started with `redis-server --daemonize yes` if installed but down;
#   - MongoDB on MONGO_URL if given; otherwise FerretDB v1 (MongoDB wire protocol), built once into .tools/bin from
#     the Go module proxy and run on FERRETDB_PORT (default 27027), state in .data/ferretdb. Its backend is the local
#     PostgreSQL (database wellifiy_ferretdb) when one answers on 127.0.0.1:5432 — it pushes query filters down to
#     SQL, where the SQLite backend scans whole collections — else SQLite files in .data/ferretdb.
#     FERRETDB_HANDLER=sqlite|postgresql forces the choice. Over PostgreSQL its database is prepared first
#     (ferretdb-postgresql-indexes.sql: indexes FerretDB's filters can use; docs/embedded-database.md).
# Source this file, then call `infra_up`; `infra_down` stops only what infra_up started.

FERRETDB_VERSION="v1.24.2"
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}"
FERRETDB_BIN="$ROOT/.tools/bin/ferretdb"
# Applied in this order; each header says what it changes and why (docs/embedded-database.md).
FERRETDB_PATCHES=("$ROOT/tools/scripts/lib/ferretdb-id-index.patch" "$ROOT/tools/scripts/lib/ferretdb-atomic-updates.patch" "$ROOT/tools/scripts/lib/ferretdb-release-tracking.patch" "$ROOT/tools/scripts/lib/ferretdb-in-pushdown.patch")
FERRETDB_PG_SETUP="$ROOT/tools/scripts/lib/ferretdb-postgresql-indexes.sql"
FERRETDB_PORT="${FERRETDB_PORT:-27027}"
FERRETDB_DATA="$ROOT/.data/ferretdb"
INFRA_STARTED_FERRETDB=""

say() { printf '\033[1m[infra]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[infra] %s\033[0m\n' "$*" >&2; exit 1; }

# port_open HOST PORT
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# host_port URL DEFAULT_PORT -> "host port"
host_port() {
  local rest="${1#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; rest="${rest%%\?*}"
  local host="${rest%%:*}" port="${rest##*:}"
  [ "$port" = "$rest" ] && port="$2"
  [ "$host" = "localhost" ] && host="127.0.0.1"
  echo "$host $port"
}

wait_port() { # HOST PORT SECONDS NAME
  local i
  for ((i = 0; i < $3 * 4; i++)); do port_open "$1" "$2" && return 0; sleep 0.25; done
  return 1
}

ensure_rabbitmq() {
  export AMQP_URL="${AMQP_URL:-amqp://guest:guest@localhost:5672}"
  read -r host port <<<"$(host_port "$AMQP_URL" 5672)"
  if port_open "$host" "$port"; then say "RabbitMQ is up on $host:$port"; return; fi
  [ "$host" = "127.0.0.1" ] || die "RabbitMQ at $AMQP_URL does not answer"
  command -v rabbitmq-server >/dev/null || die "RabbitMQ is not running on $host:$port and rabbitmq-server is not installed (Debian: apt-get install rabbitmq-server), or set AMQP_URL"
  say "starting RabbitMQ (rabbitmq-server -detached)…"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_port "$host" "$port" 90 || die "RabbitMQ did not start within 90 s (see /var/log/rabbitmq)"
  say "RabbitMQ is up on $host:$port"
}

ensure_redis() {
  export REDIS_URL="${REDIS_URL:-redis://localhost:6379}"
  read -r host port <<<"$(host_port "$REDIS_URL" 6379)"
  if port_open "$host" "$port"; then say "Redis is up on $host:$port"; return; fi
  [ "$host" = "127.0.0.1" ] || die "Redis at $REDIS_URL does not answer"
  command -v redis-server >/dev/null || die "Redis is not running on $host:$port and redis-server is not installed (Debian: apt-get install redis-server), or set REDIS_URL"
  say "starting Redis…"
  local dir="$ROOT/.data/redis"; mkdir -p "$dir"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$dir" --logfile "$dir/redis.log" >/dev/null
  wait_port "$host" "$port" 30 || die "Redis did not start within 30 s (see $dir/redis.log)"
  say "Redis is up on $host:$port"
}

build_ferretdb() {
  command -v go >/dev/null || die "Go is needed to build FerretDB (or set MONGO_URL to a running MongoDB)"
  say "building FerretDB $FERRETDB_VERSION from the Go module proxy (first run only, ~1-2 min)…"
  local work; work="$(mktemp -d)"
  local dir
  dir="$(GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$dir" ] || die "could not download github.com/FerretDB/FerretDB@$FERRETDB_VERSION"
  # A plain `go install` of v1 builds a binary that refuses to start without build/version/version.txt
  # (normally generated from git): build from a copy of the module with that file written.
  cp -r "$dir/." "$work/src"; chmod -R u+w "$work/src"
  echo "$FERRETDB_VERSION" >"$work/src/build/version/version.txt"
  # ferretdb-id-index: _id equality uses the _id index (v1 passes a pushed-down field name as a parameter,
  # `_jsonb->$1 @> $2`, which no index matches). ferretdb-atomic-updates: an update writes a document only if it
  # is still stored as read, and retries otherwise (v1 read-modify-wrote without a guard and lost updates).
  # ferretdb-release-tracking: the resource leak detector (a stack recorded for every document and iterator) runs
  # in debug builds only. ferretdb-in-pushdown: `$in` of strings/ObjectIDs reaches PostgreSQL as ORed equalities
  # (v1 left it to the handler, which read every row the other fields matched).
  local p
  for p in "${FERRETDB_PATCHES[@]}"; do
    patch -s -d "$work/src" -p1 <"$p" || die "could not apply $p to FerretDB $FERRETDB_VERSION"
  done
  # the patches bring unit tests (the atomic-updates retry logic; tracking in release and debug builds): a build
  # whose patch misbehaves is not installed
  mkdir -p "$work/src/.git" # FerretDB's test helpers look for the repository root
  (cd "$work/src" && CGO_ENABLED=0 go test -count=1 ./internal/handler/common/ ./internal/util/resource/ >/dev/null) || die "FerretDB's tests of the patched code failed"
  (cd "$work/src" && CGO_ENABLED=0 go test -count=1 -run 'TestPrepareWhereClauseIn$' ./internal/backends/postgresql/ >/dev/null) || die "FerretDB's tests of the \$in pushdown failed"
  (cd "$work/src" && CGO_ENABLED=0 go test -count=1 -tags ferretdb_debug ./internal/util/resource/ >/dev/null) || die "FerretDB's tests of resource tracking in a debug build failed"
  mkdir -p "$(dirname "$FERRETDB_BIN")"
  (cd "$work/src" && CGO_ENABLED=0 go build -trimpath -o "$FERRETDB_BIN" ./cmd/ferretdb) || die "FerretDB build failed"
  rm -rf "$work"
  ferretdb_stamp >"$FERRETDB_BIN.stamp"
  say "FerretDB built: $("$FERRETDB_BIN" --version | head -1)"
}

# What the binary is built from: the version and the patches. A binary built from anything else is rebuilt.
ferretdb_stamp() { echo "$FERRETDB_VERSION $(cat "${FERRETDB_PATCHES[@]}" | sha256sum | cut -d' ' -f1)"; }

# prepare_ferretdb_postgresql URL: GIN companions of FerretDB's indexes (now and for every index created later, by
# an event trigger) and plan_cache_mode = force_custom_plan, in FerretDB's PostgreSQL database. Idempotent; needs a
# superuser (event triggers). Without it FerretDB still works, every filtered find scanning its table.
prepare_ferretdb_postgresql() {
  local url="${1%%\?*}" # psql does not know pgx's pool parameters
  psql "$url" -v ON_ERROR_STOP=1 -qAt -f "$FERRETDB_PG_SETUP" >/dev/null ||
    say "WARNING: could not prepare the indexes of $url ($FERRETDB_PG_SETUP); finds will scan whole tables"
}

ensure_ferretdb_binary() {
  [ -x "$FERRETDB_BIN" ] && [ "$(cat "$FERRETDB_BIN.stamp" 2>/dev/null)" = "$(ferretdb_stamp)" ] || build_ferretdb
}

ensure_mongo() {
  if [ -n "${MONGO_URL:-}" ]; then
    read -r host port <<<"$(host_port "$MONGO_URL" 27017)"
    port_open "$host" "$port" || die "MONGO_URL=$MONGO_URL does not answer"
    say "using MongoDB at $MONGO_URL"
    return
  fi
  export MONGO_URL="mongodb://127.0.0.1:$FERRETDB_PORT"
  if port_open 127.0.0.1 "$FERRETDB_PORT"; then say "FerretDB already answers on 127.0.0.1:$FERRETDB_PORT"; return; fi
  ensure_ferretdb_binary
  mkdir -p "$FERRETDB_DATA"
  local handler="${FERRETDB_HANDLER:-}" backend_args=()
  if [ -z "$handler" ]; then
    if port_open 127.0.0.1 5432 && command -v psql >/dev/null; then handler=postgresql; else handler=sqlite; fi
  fi
  if [ "$handler" = postgresql ]; then
    # FerretDB's pool to PostgreSQL (default 50): an update holds one connection while it waits for a second, so
    # as many concurrent updates as the pool has connections deadlock it. 80 of PostgreSQL's 100 here, and each
    # service's driver pool is kept small (libs/persistence MongoModule) so in-flight commands stay below it.
    local pg_url="${FERRETDB_POSTGRESQL_URL:-postgres://postgres@127.0.0.1:5432/wellifiy_ferretdb?pool_max_conns=80}"
    if [ -z "${FERRETDB_POSTGRESQL_URL:-}" ] && ! psql -h 127.0.0.1 -U postgres -Atc "select 1 from pg_database where datname = 'wellifiy_ferretdb'" 2>/dev/null | grep -q 1; then
      say "creating PostgreSQL database wellifiy_ferretdb for FerretDB…"
      psql -h 127.0.0.1 -U postgres -qc "create database wellifiy_ferretdb" >/dev/null || die "could not create the wellifiy_ferretdb database (set FERRETDB_HANDLER=sqlite to use SQLite files)"
    fi
    prepare_ferretdb_postgresql "$pg_url"
    backend_args=(--handler=postgresql "--postgresql-url=$pg_url")
  else
    backend_args=(--handler=sqlite "--sqlite-url=file:$FERRETDB_DATA/")
  fi
  say "starting FerretDB ($handler backend) on 127.0.0.1:$FERRETDB_PORT…"
  "$FERRETDB_BIN" "${backend_args[@]}" --state-dir="$FERRETDB_DATA" \
    --listen-addr="127.0.0.1:$FERRETDB_PORT" --debug-addr=- --telemetry=disable --log-level=warn \
    >>"$ROOT/.data/ferretdb.log" 2>&1 &
  INFRA_STARTED_FERRETDB=$!
  wait_port 127.0.0.1 "$FERRETDB_PORT" 30 || die "FerretDB did not start within 30 s (see .data/ferretdb.log)"
  say "FerretDB is up (pid $INFRA_STARTED_FERRETDB)"
}

infra_up() {
  mkdir -p "$ROOT/.data"
  ensure_rabbitmq
  ensure_redis
  ensure_mongo
}

infra_down() {
  if [ -n "$INFRA_STARTED_FERRETDB" ] && kill -0 "$INFRA_STARTED_FERRETDB" 2>/dev/null; then
    say "stopping FerretDB (pid $INFRA_STARTED_FERRETDB)"
    kill "$INFRA_STARTED_FERRETDB" 2>/dev/null || true
    wait "$INFRA_STARTED_FERRETDB" 2>/dev/null || true
  fi
}
