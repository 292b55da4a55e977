#!/usr/bin/env bash
# A private Docker engine for the tests, and an offline base image to build on.
#
#   scripts/docker-engine.sh start       start dockerd (or reuse a running one); prints DOCKER_HOST
#   scripts/docker-engine.sh base-image  make the base image (debootstrap + docker import), cached
#   scripts/docker-engine.sh stop        stop the dockerd this script started
#
# The engine never creates the default bridge network (--bridge=none, no iptables); containers
# run with --network host or none. Its data root lives under a stable cache directory so the
# base image and pip layers survive between runs; a fresh machine pays debootstrap once.
# Exit code 3: dockerd cannot run here (the reason is printed).
set -euo pipefail

STATE=${STRATUM_DOCKER_DIR:-/tmp/stratum-docker}
CACHE=${STRATUM_DOCKER_CACHE:-/var/cache/stratum-test}
SOCK="$STATE/docker.sock"
BASE_IMAGE=${STRATUM_BASE_IMAGE:-stratum-test/bookworm-python:1}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
export DOCKER_HOST="unix://$SOCK"

up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start() {
  if up; then echo "DOCKER_HOST=$DOCKER_HOST"; return 0; fi
  if ! command -v dockerd >/dev/null; then
    echo "dockerd is not installed (scripts/system-deps.d/50-docker.sh installs docker.io)" >&2
    exit 3
  fi
  mkdir -p "$STATE" "$CACHE/docker-data"
  rm -f "$SOCK"
  # Started in its own session so it outlives this script; stopped by `stop`.
  setsid dockerd --bridge=none --iptables=false --ip6tables=false \
    -H "$DOCKER_HOST" --data-root "$CACHE/docker-data" --exec-root "$STATE/exec" \
    --pidfile "$STATE/dockerd.pid" >"$STATE/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    if up; then echo "DOCKER_HOST=$DOCKER_HOST"; return 0; fi
    if ! kill -0 "$!" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "dockerd did not start; last lines of $STATE/dockerd.log:" >&2
  tail -n 20 "$STATE/dockerd.log" >&2 || true
  exit 3
}

base_image() {
  up || start >/dev/null
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then echo "$BASE_IMAGE"; return 0; fi
  local tarball="$CACHE/bookworm-python.tar.gz"
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null || { echo "debootstrap is not installed" >&2; exit 3; }
    local root
    root=$(mktemp -d "$STATE/rootfs.XXXXXX")
    debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
      bookworm "$root" "$MIRROR" >"$STATE/debootstrap.log" 2>&1 || {
        echo "debootstrap failed; see $STATE/debootstrap.log" >&2; rm -rf "$root"; exit 1; }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -czf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
  fi
  docker import --change 'CMD ["/bin/bash"]' "$tarball" "$BASE_IMAGE-minbase" >/dev/null
  # Trust the CAs this machine trusts (an egress proxy's, in sandboxes): pip in the build
  # stage must reach PyPI the way the host does. Nothing is added where there are none.
  local ctx
  ctx=$(mktemp -d "$STATE/ca.XXXXXX")
  mkdir -p "$ctx/ca"
  cp /usr/local/share/ca-certificates/*.crt "$ctx/ca/" 2>/dev/null || true
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $BASE_IMAGE-minbase
COPY ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt
DOCKERFILE
  docker build --quiet --network none --tag "$BASE_IMAGE" "$ctx" >"$STATE/base-build.log" 2>&1 || {
    cat "$STATE/base-build.log" >&2; exit 1; }
  rm -rf "$ctx"
  echo "$BASE_IMAGE"
}

stop() {
  if [ -f "$STATE/dockerd.pid" ]; then
    kill "$(cat "$STATE/dockerd.pid")" 2>/dev/null || true
    for _ in $(seq 1 40); do [ -f "$STATE/dockerd.pid" ] || break; sleep 0.25; done
  fi
}

case "${1:-}" in
  start) start ;;
  base-image) base_image ;;
  stop) stop ;;
  *) echo "usage: $0 start|base-image|stop" >&2; exit 2 ;;
esac
