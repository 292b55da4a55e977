"""A bounded load generator for the prediction service, on loopback only.

``concurrency`` keep-alive clients (threads with :mod:`http.client`) post ``POST /predict``
requests of ``batch_size`` rows until ``max_requests`` were sent or ``duration`` seconds
passed, whichever comes first. Without ``rate`` each client sends its next request as soon
as the last one is answered (closed loop: the service's sustained throughput). With
``rate`` (requests per second, all clients together) the requests are sent on a fixed
schedule and each latency is counted from the moment the request was due, so a service that
falls behind shows its queueing in the latency (no coordinated omission).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .grid import ProfileError

__all__ = ["LoadResult", "run_load", "LOOPBACK"]

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class LoadResult:
    """Latencies (seconds, of answered requests), errors (count and first messages), the
    wall time the load ran (seconds) and the rows each request held."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    messages: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    batch_size: int = 1

    def percentile(self, q: float) -> float | None:
        """The q-th percentile latency in milliseconds (nearest rank), None without any."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        rank = min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))
        return 1000.0 * ordered[rank]

    def figures(self) -> dict[str, float | int | None]:
        """requests, errors, throughput_rps (answered requests per second), rows_per_s, and
        p50/p95/p99/mean latency in milliseconds."""
        n = len(self.latencies)
        rps = n / self.elapsed if self.elapsed > 0 else 0.0
        return {"requests": n + self.errors, "errors": self.errors,
                "throughput_rps": rps, "rows_per_s": rps * self.batch_size,
                "p50_ms": self.percentile(50), "p95_ms": self.percentile(95),
                "p99_ms": self.percentile(99),
                "mean_ms": 1000.0 * sum(self.latencies) / n if n else None}


def _check_loopback(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.hostname not in LOOPBACK or parts.port is None:
        raise ProfileError(f"url: {url!r}: load is generated against loopback only "
                           "(http://127.0.0.1:PORT)")
    return parts.hostname, parts.port


def run_load(url: str, rows: list[Any], *, concurrency: int = 4, duration: float = 2.0,
             max_requests: int = 2000, rate: float | None = None,
             timeout: float = 10.0, key: str = "rows") -> LoadResult:
    """Load ``url`` (a service's base URL on loopback) and return what it did.

    ``rows``: the batch each request posts (``{key: rows}``: table rows, or a tensor or
    image model's ``instances``). Bounded by ``duration``
    seconds and ``max_requests``; a request that fails (refused, reset, a status other than
    200, a timeout) is counted as an error and its client reconnects."""
    host, port = _check_loopback(url)
    body = json.dumps({key: rows}).encode()
    result = LoadResult(batch_size=len(rows))
    lock = threading.Lock()
    counter = iter(range(max_requests))
    start = time.perf_counter()
    deadline = start + duration

    def next_due() -> float | None:
        with lock:
            index = next(counter, None)
        if index is None:
            return None
        due = start + index / rate if rate else time.perf_counter()
        return due if due < deadline else None

    def client() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        while (due := next_due()) is not None:
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            began = due if rate else time.perf_counter()
            try:
                conn.request("POST", "/predict", body=body,
                             headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                ok, why = resp.status == 200, f"HTTP {resp.status}"
            except (OSError, http.client.HTTPException) as exc:
                ok, why = False, f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
            took = time.perf_counter() - began
            with lock:
                if ok:
                    result.latencies.append(took)
                else:
                    result.errors += 1
                    if len(result.messages) < 3:
                        result.messages.append(why)
        conn.close()

    threads = [threading.Thread(target=client, name=f"stratum-load-{i}", daemon=True)
               for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + timeout + 5)
    result.elapsed = max(time.perf_counter() - start, 1e-9)
    return result
