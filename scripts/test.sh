#!/usr/bin/env bash
# Set up (with the test dependencies) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages for the real-browser tests (tests/test_browser.py): Debian's chromium, driven by Playwright
# (never `playwright install`: it downloads a browser, which fails here), and a CJK font, without which every
# Chinese character is drawn as a box. If they cannot be installed, the suite still runs and the browser tests
# are reported as skipped with the reason.
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
{ command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh | grep -q .; } || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "注意 / NOTE: apt-get not available; cannot install ${need_apt[*]} — the browser tests will be skipped." >&2
  elif [ "$SUDO" = "none" ]; then
    echo "注意 / NOTE: not root and no sudo; cannot install ${need_apt[*]} — the browser tests will be skipped." >&2
  else
    echo "安装系统软件包 / installing system packages for the browser tests: ${need_apt[*]}"
    if ! { $SUDO apt-get update -qq \
           && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null; }; then
      echo "注意 / NOTE: installing ${need_apt[*]} failed — the browser tests will be skipped." >&2
    fi
  fi
fi

bash scripts/setup.sh dev
exec .venv/bin/python -m pytest -q "$@"
