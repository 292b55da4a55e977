"""uvicorn's httptools protocol with what it lacks for clients on real networks: a read
timeout, a cap on request heads and a bound on open connections.

uvicorn has no header-read timeout: a connection that sends half a request would be held
forever. Here a timer starts when a connection is made, or when the next request on it
begins, and stops when the request is complete (head and body); when it fires, the client
gets 408 and the connection is closed. Passed to uvicorn as ``Config(http=...)``.
"""

from __future__ import annotations

import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

MAX_HEAD_BYTES = 64 * 1024


class GuardedProtocol(HttpToolsProtocol):
    """Bind the limits with :meth:`bound`: ``settings`` (``read_timeout``,
    ``max_connections``) and ``metrics`` (``closed`` counts what was closed, and why)."""

    settings: Any
    metrics: Any
    read_timer: Any = None
    head_bytes = 0

    @classmethod
    def bound(cls, settings: Any, metrics: Any) -> type[GuardedProtocol]:
        return type("BoundGuardedProtocol", (cls,), {"settings": settings, "metrics": metrics})

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        if len(self.connections) > self.settings.max_connections:
            self.metrics.closed.labels("over_limit").inc()
            self.refuse(503, "too many connections; try again later")
        else:
            self.arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.head_bytes = 0
        self.arm()

    def on_url(self, url: bytes) -> None:
        self.count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.count_head(len(name) + len(value))
        super().on_header(name, value)

    def on_message_complete(self) -> None:
        self.disarm()
        super().on_message_complete()

    def count_head(self, size: int) -> None:
        self.head_bytes += size
        if self.head_bytes > MAX_HEAD_BYTES:  # the parser's error: uvicorn answers 400, closes
            raise ValueError("request head too large")

    def arm(self) -> None:
        if self.read_timer is None:
            self.read_timer = self.loop.call_later(self.settings.read_timeout, self.timed_out)

    def disarm(self) -> None:
        if self.read_timer is not None:
            self.read_timer.cancel()
            self.read_timer = None

    def timed_out(self) -> None:
        self.read_timer = None
        if self.transport.is_closing():
            return
        self.metrics.closed.labels("read_timeout").inc()
        cycle = self.cycle
        if cycle is not None and cycle.response_started and not cycle.response_complete:
            self.transport.close()  # an answer is on its way: do not write into it
        else:
            self.refuse(408, "the request was not sent in time")

    def refuse(self, status: int, message: str) -> None:
        body = json.dumps({"error": message}).encode()
        self.transport.write(STATUS_LINE[status] + b"content-type: application/json\r\n"
                             b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body)
                             + body)
        self.transport.close()
