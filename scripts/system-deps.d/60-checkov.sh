#!/usr/bin/env bash
# checkov, the security lint of the kubernetes/kserve manifests (tests/deploy/test_kubernetes.py),
# in a virtual environment of its own: it pins older packaging, importlib-metadata and
# python-dateutil than the project's, so it cannot share .venv.
set -euo pipefail
VERSION=3.3.30
DEST=.venv-checkov
if [ -x "$DEST/bin/checkov" ] && [ "$("$DEST/bin/checkov" --version 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
PYTHON=${PYTHON:-python3}
if command -v uv >/dev/null; then UV=uv; elif [ -x .venv/bin/uv ]; then UV=.venv/bin/uv; else UV=""; fi
if [ -n "$UV" ]; then
  "$UV" venv -q --python "$PYTHON" "$DEST"
  "$UV" pip install -q --python "$DEST/bin/python" "checkov==$VERSION"
else
  "$PYTHON" -m venv "$DEST"
  "$DEST/bin/pip" install -q "checkov==$VERSION"
fi
"$DEST/bin/checkov" --version
