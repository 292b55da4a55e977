#!/usr/bin/env bash
# A Docker engine and debootstrap, for the deploy tests' real image build and run.
# scripts/docker-engine.sh starts a private engine without the default bridge network; the
# package's own service must not start (it would create docker0 and iptables rules).
set -euo pipefail
if command -v dockerd >/dev/null && command -v debootstrap >/dev/null; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d exit 101: maintainer scripts may not start services during this install.
own_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  own_policy=1
fi
trap 'if [ -n "$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends docker.io debootstrap
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl disable docker.service docker.socket >/dev/null 2>&1 || true
fi
