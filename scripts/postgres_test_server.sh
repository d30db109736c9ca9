#!/usr/bin/env bash
# A throw-away PostgreSQL server for the test suite: installs Debian's postgresql when missing, starts a private
# cluster on loopback (port 54329, data under /tmp/kpi-pg-test/ — outside the clone, which the postgres user may not
# be able to enter — owned by the postgres user when run as root) and creates the database kpi_test. Prints the SQLAlchemy URL on its last line; the store tests then run on it a second time.
# Where PostgreSQL cannot be installed or started it says why and exits 0: those runs are then reported as skipped.
# Usage: bash scripts/postgres_test_server.sh [stop]
set -uo pipefail
cd "$(dirname "$0")/.."
PORT="${KPI_TEST_PG_PORT:-54329}"
HOME_DIR="${KPI_TEST_PG_DIR:-/tmp/kpi-pg-test}"
DATA="$HOME_DIR/data"
SOCKETS="$HOME_DIR/run"
URL="postgresql+psycopg://kpi@127.0.0.1:${PORT}/kpi_test"

note() { echo "注意 / NOTE: $* — the PostgreSQL runs of the store tests will be skipped." >&2; }

bindir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$found" ] && [ -x "$found/initdb" ] && echo "$found"
}

as_owner() {  # PostgreSQL refuses to run as root: run its programs as the postgres user then
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

BIN=$(bindir)
if [ "${1:-}" = "stop" ]; then
  [ -n "$BIN" ] && [ -d "$DATA" ] && as_owner "$BIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1
  exit 0
fi

if [ -z "$BIN" ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then command -v sudo >/dev/null 2>&1 && SUDO="sudo" || { note "not root and no sudo"; exit 0; }; fi
  if ! command -v apt-get >/dev/null 2>&1; then note "apt-get not available"; exit 0; fi
  echo "安装系统软件包 / installing system packages for the PostgreSQL tests: postgresql"
  if ! { $SUDO apt-get update -qq \
         && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }; then
    note "installing postgresql failed"; exit 0
  fi
  BIN=$(bindir)
  [ -z "$BIN" ] && { note "postgresql installed but initdb not found"; exit 0; }
fi

mkdir -p "$DATA" "$SOCKETS"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$HOME_DIR"
if [ ! -f "$DATA/PG_VERSION" ]; then
  as_owner "$BIN/initdb" -D "$DATA" -U kpi --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
    || { note "initdb failed"; exit 0; }
fi
if ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$HOME_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $SOCKETS -c fsync=off -c max_connections=200" start >/dev/null \
    || { note "the server did not start (see $HOME_DIR/server.log)"; exit 0; }
fi
as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U kpi -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='kpi_test'" \
  | grep -q 1 || as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U kpi kpi_test
echo "$URL"
