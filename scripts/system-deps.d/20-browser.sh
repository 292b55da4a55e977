#!/usr/bin/env bash
# Headless Chromium for the browser tests (Playwright drives Debian's /usr/bin/chromium;
# `playwright install` is never used: it downloads browsers from outside the package registry).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "20-browser.sh: need root (or sudo) to apt-get install chromium" >&2; exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# Wait for other apt/dpkg users (parallel installs) instead of failing on the lock.
APT_OPTS=(-y -q -o DPkg::Lock::Timeout=300 --no-install-recommends)
$SUDO apt-get update -q -o DPkg::Lock::Timeout=300
$SUDO apt-get install "${APT_OPTS[@]}" chromium fonts-liberation
/usr/bin/chromium --version
