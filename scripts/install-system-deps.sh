#!/usr/bin/env bash
# Machine-level tools the test suite drives for real. Idempotent; each part skips itself when
# its tool is already there. Parts are added by the features that need them.
set -euo pipefail
cd "$(dirname "$0")/.."

for part in scripts/system-deps.d/*.sh; do
  [ -e "$part" ] || continue
  echo "== system deps: $(basename "$part")"
  bash "$part"
done
