#!/usr/bin/env bash
# Set up, load the shipped plan and sample submissions into the embedded SQLite store, and start the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pipelines build --samples
exec .venv/bin/python -m streamlit run app.py --server.headless true --browser.gatherUsageStats false \
  --client.toolbarMode viewer "$@"
