#!/usr/bin/env bash
# A Docker engine and debootstrap, for the deploy tests' real image build and run
# (scripts/docker-engine.sh starts the engine without touching the host network).
set -euo pipefail
if command -v dockerd >/dev/null && command -v debootstrap >/dev/null; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends docker.io debootstrap
# The package's own service would start dockerd with the default bridge network: keep it off.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl disable --now docker.service docker.socket >/dev/null 2>&1 || true
fi
