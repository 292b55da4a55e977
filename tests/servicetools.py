"""Run a rendered deploy bundle's own service/ package in-process, and talk to it over HTTP."""

from __future__ import annotations

import contextlib
import http.client
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def shipped_service(bundle: Path) -> Iterator[Any]:
    """Import ``bundle/service`` the way the bundle runs it; unload it afterwards."""
    sys.path.insert(0, str(bundle))
    try:
        import service.server as server

        yield server
    finally:
        sys.path.remove(str(bundle))
        for name in [m for m in sys.modules if m == "service" or m.startswith("service.")]:
            del sys.modules[name]


@contextlib.contextmanager
def serving(bundle: Path) -> Iterator[int]:
    """The bundle's service on a thread bound to 127.0.0.1; yields its port."""
    with shipped_service(bundle) as server:
        srv, _ = server.serve_in_thread(bundle / "model")
        try:
            yield srv.server_address[1]
        finally:
            srv.shutdown()
            srv.server_close()


def call(port: int, method: str, path: str, body: Any = None, raw: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """One HTTP request; the JSON answer decoded (text when it is not JSON)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    conn.request(method, path, body=data, headers=headers or {})
    resp = conn.getresponse()
    text = resp.read().decode()
    conn.close()
    try:
        return resp.status, json.loads(text)
    except ValueError:
        return resp.status, text
