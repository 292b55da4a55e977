"""Real things for the monitor's tests: a Prometheus-text HTTP server and a Dask cluster."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest


class MetricsApp:
    """A tiny service that exposes real Prometheus text (prometheus_client's own exposition:
    process CPU and memory, a request counter, a latency histogram)."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector

        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        # named and labelled as the deploy bundle's service does
        self.requests = Counter("stratum_requests", "HTTP requests", ["endpoint", "status"],
                                registry=self.registry)
        self.latency = Histogram("stratum_request_duration_seconds", "Time to answer",
                                 ["endpoint"], registry=self.registry)

    def serve(self, n: int, seconds: float, endpoint: str = "/predict") -> None:
        """Pretend to answer ``n`` requests taking ``seconds`` each."""
        for _ in range(n):
            self.requests.labels(endpoint=endpoint, status="200").inc()
            self.latency.labels(endpoint=endpoint).observe(seconds)


@pytest.fixture
def metrics_server() -> Iterator[tuple[str, MetricsApp]]:
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    app = MetricsApp()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self.path != "/metrics":
                self.send_error(404)
                return
            body = generate_latest(app.registry)
            app.serve(1, 0.5, endpoint="/metrics")  # a scrape counts itself, as services do
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPE_LATEST)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def dask_client(client: Any) -> Any:
    """A client of the suite's one LocalCluster (tests/conftest.py: 2 worker processes of
    one thread, everything on 127.0.0.1), made current, both workers up. The monitor's tests
    once started a cluster of their own: one more start of worker processes (5 s on a quiet
    machine, 30 s on a busy one) for the same kind of cluster."""
    return client
