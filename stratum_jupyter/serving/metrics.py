"""Prometheus metrics of the service process (``prometheus_client``): requests by route,
method and status, latency, predicted rows, connections, CPU and memory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ROUTES = {"/health": "GET", "/metrics": "GET", "/predict": "POST",
          # the Open Inference Protocol (v2)
          "/v2": "GET", "/v2/health/live": "GET", "/v2/health/ready": "GET",
          "/v2/models/{name}": "GET", "/v2/models/{name}/ready": "GET",
          "/v2/models/{name}/infer": "POST"}
OPEN_ROUTES = frozenset({"/health", "/v2/health/live", "/v2/health/ready"})  # probes: no token
UNKNOWN_ROUTE = "unknown"  # every path that is not a route, under one label
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                   2.5, 5.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def route_label(path: str) -> str:
    """The route a path is served by (``/v2/models/{name}/infer``), else ``unknown``."""
    if path in ROUTES:
        return path
    parts = path.split("/")
    if len(parts) in {4, 5} and parts[1:3] == ["v2", "models"] and parts[3]:
        label = "/v2/models/{name}" + ("/" + parts[4] if len(parts) == 5 else "")
        return label if label in ROUTES else UNKNOWN_ROUTE
    return UNKNOWN_ROUTE


def method_label(method: str) -> str:
    return method if method in METHODS else "other"


class Metrics:
    """One registry per service: ``stratum_requests_total{endpoint,method,status}``,
    ``stratum_request_duration_seconds{endpoint}``, ``stratum_predicted_rows_total``,
    ``stratum_model_info``, ``stratum_open_connections``,
    ``stratum_closed_connections_total{reason}`` (read_timeout, over_limit),
    ``stratum_batch_requests`` (requests per model call, with adaptive batching) and the
    process collector (``process_cpu_seconds_total``, ``process_resident_memory_bytes``)."""

    def __init__(self, info: dict[str, str]):
        from prometheus_client import (
            CollectorRegistry,
            Counter,
            Gauge,
            Histogram,
            ProcessCollector,
        )

        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        self.requests = Counter("stratum_requests", "HTTP requests by endpoint and status.",
                                ["endpoint", "method", "status"], registry=self.registry)
        self.latency = Histogram("stratum_request_duration_seconds",
                                 "Time to answer a request.", ["endpoint"],
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.rows = Counter("stratum_predicted_rows", "Rows predicted.", registry=self.registry)
        self.connections = Gauge("stratum_open_connections", "Open client connections.",
                                 registry=self.registry)
        self.closed = Counter("stratum_closed_connections",
                              "Connections the server closed: read_timeout (a request not "
                              "sent in time), over_limit (too many connections).",
                              ["reason"], registry=self.registry)
        self.batch_size = Histogram("stratum_batch_requests",
                                    "Requests joined into one model call by adaptive batching.",
                                    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
                                    registry=self.registry)
        model = Gauge("stratum_model_info", "The model being served.", list(info),
                      registry=self.registry)
        model.labels(*info.values()).set(1)
        self._latency = {route: self.latency.labels(route) for route in (*ROUTES,
                                                                          UNKNOWN_ROUTE)}

    def observe(self, path: str, method: str, status: int, seconds: float) -> None:
        route = route_label(path)
        self.requests.labels(route, method_label(method), str(status)).inc()
        self._latency[route].observe(seconds)

    def count_open(self, connections: Callable[[], int]) -> None:
        """Read the number of open connections from the server at each scrape."""
        self.connections.set_function(connections)

    def render(self) -> bytes:
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


def model_info(profile: dict[str, Any], runtime: str) -> dict[str, str]:
    return {"candidate": str(profile.get("candidate") or ""), "runtime": runtime,
            "kind": str(profile.get("kind") or "")}
