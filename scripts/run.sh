#!/usr/bin/env bash
# Set up, load the shipped plan and sample submissions into the embedded SQLite store, and start the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system_packages.sh
bash scripts/setup.sh
.venv/bin/python -m pipelines build --samples
.venv/bin/python -m pipelines users demo   # 演示账号 for the sample data (demo only; see README)
# Loopback only unless the caller passes its own --server.address: a network is served through a TLS proxy (README,
# 部署 / Deployment).
case " $* " in *" --server.address "* | *" --server.address="*) ;; *) set -- --server.address 127.0.0.1 "$@" ;; esac
exec .venv/bin/python -m streamlit run server.py --server.headless true --browser.gatherUsageStats false \
  --client.toolbarMode viewer "$@"
