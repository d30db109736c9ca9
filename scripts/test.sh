#!/usr/bin/env bash
# Set up (with the test dependencies) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system_packages.sh
bash scripts/setup.sh dev
exec .venv/bin/python -m pytest -q "$@"
