#!/usr/bin/env bash
# System packages the dashboard's briefing pack and the real-browser tests need: Debian's chromium (driven by
# kaleido and Playwright; never `playwright install`, which downloads a browser and fails here) and a CJK font,
# without which every Chinese character is drawn as a box. If they cannot be installed, everything else still
# works: the briefing command says how to install a font, and the browser tests are reported as skipped.
set -euo pipefail
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

