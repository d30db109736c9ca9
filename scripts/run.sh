#!/usr/bin/env bash
# Set up, load the shipped plan and sample submissions into the embedded SQLite store, and start the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system_packages.sh
bash scripts/setup.sh
.venv/bin/python -m pipelines build --samples
.venv/bin/python -m pipelines users demo   # 演示账号 for the sample data (demo only; see README)
exec .venv/bin/python -m streamlit run app.py --server.headless true --browser.gatherUsageStats false \
  --client.toolbarMode viewer "$@"
