#!/usr/bin/env bash
# Set up (with the test dependencies) and run every gate: ruff (lint), mypy (types), then the whole test suite. The
# store tests run twice: on SQLite and on a throw-away PostgreSQL server this script starts on loopback (installed
# from the distribution's packages when missing); if it cannot be had, those runs are reported as skipped with the
# reason. Arguments go to pytest (e.g. `bash scripts/test.sh -m "not slow"`).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system_packages.sh
bash scripts/setup.sh dev
if [ -z "${KPI_TEST_PG_URL:-}" ]; then
  pg_url=$(bash scripts/postgres_test_server.sh | tail -1)
  case "$pg_url" in postgresql*) export KPI_TEST_PG_URL="$pg_url" ;; esac
fi
echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
start=$(date +%s)
status=0
.venv/bin/python -m pytest -q -rs "$@" || status=$?
echo "== test suite wall time: $(( $(date +%s) - start )) s"
exit $status
