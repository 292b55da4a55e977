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


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def service_process(model_dir: Path, env: dict[str, str] | None = None,
                    args: tuple[str, ...] = ()) -> Iterator[tuple[Any, int]]:
    """``python -m stratum_jupyter.serving`` on 127.0.0.1 and a free port, as its own
    process (so its threads can be counted); yields ``(process, port)`` once /health answers,
    and stops it (SIGTERM, then SIGKILL) afterwards."""
    import os
    import subprocess
    import time

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "stratum_jupyter.serving", "--host", "127.0.0.1",
         "--port", str(port), "--model-dir", str(model_dir), *args],
        env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                if call(port, "GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the service did not answer /health in 60 s"
            time.sleep(0.2)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def metric(text: str, name: str, **labels: str) -> float:
    """The sum of a Prometheus sample's values over the series whose labels include
    ``labels``."""
    from prometheus_client.parser import text_string_to_metric_families

    return sum(s.value for family in text_string_to_metric_families(text)
               for s in family.samples
               if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


def post_json(url: str, payload: Any, path: str = "/predict") -> tuple[int, Any]:
    """POST ``payload`` as JSON to ``url + path``: ``(status, decoded answer)``, 4xx/5xx
    included."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(f"{url}{path}", data=json.dumps(payload).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


# Loads a rendered bundle's service/ and model/ with stratum_jupyter unimportable (as in the
# service image) and prints its predictions of the rows on stdin.
_WITHOUT_STRATUM = """
import json, sys
class NoStratum:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "stratum_jupyter":
            raise ImportError("stratum_jupyter is not installed here")
sys.meta_path.insert(0, NoStratum())
from pathlib import Path
from service.inputs import Frame
from service.runtimes import load_runtime
model = Path("model")
runtime = load_runtime(model, json.loads((model / "profile.json").read_text()))
rows = json.loads(sys.stdin.read())
print(json.dumps(runtime.predict(Frame.from_rows(rows, runtime.features)).predictions))
"""


def predict_without_stratum(bundle: Path, rows: Any) -> list[Any]:
    """The predictions of a rendered deploy ``bundle`` for ``rows`` (records), made by its own
    ``service/`` package in a process where stratum_jupyter cannot be imported."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", _WITHOUT_STRATUM], cwd=bundle,
                          input=json.dumps(rows), capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
