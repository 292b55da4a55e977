"""Docker HEALTHCHECK: exit 0 when ``GET /health`` answers 200 (no curl in slim images)."""

from __future__ import annotations

import sys
import urllib.request

try:  # in the stratum_jupyter package
    from .. import envvars
except ImportError:  # in a deploy bundle, where render() copies envvars.py beside the service
    from . import envvars  # type: ignore[no-redef, attr-defined]


def main() -> int:
    port = envvars.PORT.get_int()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=3) as resp:
            return 0 if resp.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
