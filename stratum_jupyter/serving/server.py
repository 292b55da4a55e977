"""Serving the app: uvicorn with httptools on one event loop, and the limits a service
facing real networks needs.

- a **read timeout** (``$STRATUM_READ_TIMEOUT``): from connecting, or from the first byte of
  the next request, a client has that long to send the whole request; then it gets 408 and
  the connection is closed (:mod:`.protocol`: uvicorn has no header-read timeout of its
  own). Request heads are capped at 64 KiB.
- an **idle keep-alive timeout** (``$STRATUM_KEEPALIVE_TIMEOUT``, uvicorn's own);
- a **bound on open connections** (``$STRATUM_MAX_CONNECTIONS``): one more gets 503, closed;
- **graceful shutdown** on SIGTERM/SIGINT: no new connections, then a short drain
  (:data:`DRAIN_S`) for connections accepted just before to send their request, then idle
  ones closed and in-flight requests finished (within ``$STRATUM_SHUTDOWN_TIMEOUT``).

One thread serves every connection; large batches are predicted on a small pool of threads
(``$STRATUM_PREDICT_THREADS``), so a thousand slow clients cost sockets, not threads. With
adaptive batching (``$STRATUM_MAX_BATCH`` > 1, ``$STRATUM_BATCH_WAIT_MS``; :mod:`.batching`)
concurrent requests are joined into one model call.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import resource
import socket
import threading
import time
from pathlib import Path
from typing import Any

try:  # in the stratum_jupyter package
    from .. import envvars
except ImportError:  # in a deploy bundle, where render() copies envvars.py beside the service
    from . import envvars  # type: ignore[no-redef, attr-defined]
from .auth import check_bind, load_token
from .core import Predictor
from .metrics import Metrics, model_info
from .protocol import GuardedProtocol
from .web import create_app

log = logging.getLogger("service")
# uvicorn closes a connection at shutdown when no request has started on it, also one
# accepted an instant before whose request is still on its way (the client then gets a
# broken pipe; a redeploy under load lost such a request): those get this long to send it.
DRAIN_S = 0.5


def _draining_server(config: Any) -> Any:
    """A ``uvicorn.Server`` whose shutdown stops accepting, waits :data:`DRAIN_S`, then
    shuts down as uvicorn does (the listening socket handed over stays open in the new
    process: closing this process's descriptor does not close it there)."""
    import asyncio

    import uvicorn

    class DrainingServer(uvicorn.Server):
        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            for server in self.servers:
                server.close()
            if self.server_state.connections:
                await asyncio.sleep(DRAIN_S)
            await super().shutdown(sockets)

    return DrainingServer(config)


@dataclasses.dataclass
class Settings:
    """Everything a server is made with; :meth:`from_env` reads the ``STRATUM_*`` variables."""

    host: str = "127.0.0.1"
    port: int = 8080
    token: str | None = None
    insecure: bool = False
    read_timeout: float = 30.0
    keepalive_timeout: float = 5.0
    max_connections: int = 2048
    shutdown_timeout: float = 30.0
    max_body: int = 8 * 2**20
    max_rows: int = 10000
    threads: int = 2
    max_batch: int | None = None  # None: the bundle's profile.json "serving", else 1
    batch_wait_ms: float | None = None
    access_log: bool = False
    handoff: str | None = None
    instance: str | None = None

    @classmethod
    def from_env(cls, **given: Any) -> Settings:
        values: dict[str, Any] = {
            "host": envvars.HOST.get(), "port": envvars.PORT.get_int(), "token": load_token(),
            "read_timeout": envvars.READ_TIMEOUT.get_float(),
            "keepalive_timeout": envvars.KEEPALIVE_TIMEOUT.get_float(),
            "max_connections": envvars.MAX_CONNECTIONS.get_int(),
            "shutdown_timeout": envvars.SHUTDOWN_TIMEOUT.get_float(),
            "max_body": envvars.MAX_BODY_BYTES.get_int(), "max_rows": envvars.MAX_ROWS.get_int(),
            "threads": envvars.PREDICT_THREADS.get_int(),
            "max_batch": envvars.MAX_BATCH.get_int() if envvars.MAX_BATCH.is_set() else None,
            "batch_wait_ms": envvars.BATCH_WAIT_MS.get_float()
            if envvars.BATCH_WAIT_MS.is_set() else None,
            "access_log": bool(envvars.ACCESS_LOG.get()), "handoff": envvars.HANDOFF.get(),
            "instance": envvars.INSTANCE.get()}
        values.update({k: v for k, v in given.items() if v is not None})
        return cls(**values)


class ServiceServer:
    """A bound server, ready to serve: ``serve_forever()`` (blocks; handles SIGTERM when
    called from the main thread), ``shutdown()`` (graceful, from another thread),
    ``server_close()``; ``server_address`` is ``(host, port)``, also for ``port=0``."""

    def __init__(self, predictor: Predictor, settings: Settings):
        import uvicorn

        self.predictor, self.settings = predictor, settings
        self.metrics = Metrics(model_info(predictor.profile, predictor.runtime.name))
        self.app = create_app(predictor, self.metrics, token=settings.token,
                              max_body=settings.max_body, threads=settings.threads,
                              instance=settings.instance, batching=batching(predictor, settings))
        self.socket = _inherited(settings) or _bind(settings.host, settings.port)
        if settings.handoff:
            _offer(self.socket, settings.handoff)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        config = uvicorn.Config(
            self.app, http=GuardedProtocol.bound(settings, self.metrics), lifespan="off",
            log_config=None, access_log=settings.access_log, server_header=False,
            timeout_keep_alive=int(settings.keepalive_timeout),
            timeout_graceful_shutdown=int(settings.shutdown_timeout), backlog=2048)
        self.server = _draining_server(config)
        self.metrics.count_open(lambda: len(self.server.server_state.connections))
        self.serving = False
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.server_address
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}"

    def serve_forever(self) -> None:
        self.serving = True
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self._stopped.set()

    def shutdown(self, timeout: float | None = None) -> None:
        """Stop accepting, let in-flight requests finish, and wait for the server to stop."""
        self.server.should_exit = True
        if self.serving:
            self._stopped.wait(timeout)

    def server_close(self) -> None:
        self.socket.close()


def batching(predictor: Predictor, settings: Settings) -> tuple[int, float]:
    """``(max_batch, max_wait seconds)``: the settings' (flags, ``$STRATUM_MAX_BATCH``,
    ``$STRATUM_BATCH_WAIT_MS``), else what the bundle's ``profile.json`` records under
    ``serving`` (``{"max_batch": 8, "batch_wait_ms": 2}``), else none (1, 0)."""
    recorded = predictor.profile.get("serving")
    recorded = recorded if isinstance(recorded, dict) else {}
    size = settings.max_batch if settings.max_batch is not None else recorded.get("max_batch")
    wait = settings.batch_wait_ms if settings.batch_wait_ms is not None else recorded.get(
        "batch_wait_ms")
    try:
        size, wait = int(1 if size is None else size), float(0.0 if wait is None else wait)
    except (TypeError, ValueError):
        raise ValueError(f"profile.json serving: max_batch {size!r} and batch_wait_ms "
                         f"{wait!r} must be numbers") from None
    if size < 1 or not 0 <= wait <= 10000:
        raise ValueError(f"batching: max_batch {size} (at least 1) and batch_wait_ms {wait} "
                         "(0 to 10000)")
    predictor.batching = {"max_batch": size, "batch_wait_ms": wait}
    return size, wait / 1000


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it Nagle and delayed ACKs add 40 ms to answers written in two parts
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _unix_address(path: str) -> str:
    """``@name`` is an abstract Unix socket (Linux): no file, scoped by the network namespace,
    so two containers on the host network reach it without sharing a volume."""
    return "\0" + path[1:] if path.startswith("@") else path


def _inherited(settings: Settings) -> socket.socket | None:
    """The listening socket of the process this one replaces, received over the Unix socket
    ``settings.handoff`` (one socket, one queue: no connection is lost when the old process
    closes its copy); None where nothing offers one on the same address."""
    if not settings.handoff:
        return None
    try:
        with socket.socket(socket.AF_UNIX) as conn:
            conn.settimeout(5)
            conn.connect(_unix_address(settings.handoff))
            _, fds, _, _ = socket.recv_fds(conn, 16, 1)
    except OSError:
        return None
    if not fds:
        return None
    sock = socket.socket(fileno=fds[0])
    wanted = (settings.host.strip("[]"), settings.port)
    if sock.type != socket.SOCK_STREAM or tuple(sock.getsockname()[:2]) != wanted:
        sock.close()
        return None
    log.info("took over the listening socket %s:%d", *wanted)
    return sock


def _offer(sock: socket.socket, path: str) -> None:
    """Hand ``sock`` to the process that replaces this one, over the Unix socket ``path``
    (a file only the owner may use, or an abstract ``@name``), from a daemon thread; only
    to a process of this user (SO_PEERCRED)."""
    import os
    import struct

    def listen() -> socket.socket:
        listener = socket.socket(socket.AF_UNIX)
        if not path.startswith("@"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            listener.bind(path)
            os.chmod(path, 0o600)
        else:  # the process this one replaced holds the name until it exits
            while True:
                try:
                    listener.bind(_unix_address(path))
                    break
                except OSError:
                    time.sleep(0.5)
        listener.listen(4)
        return listener

    def give() -> None:
        listener = listen()
        while True:
            conn, _ = listener.accept()
            with conn:
                cred = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                       struct.calcsize("3i"))
                if struct.unpack("3i", cred)[1] == os.getuid():
                    socket.send_fds(conn, [b"s"], [sock.fileno()])

    threading.Thread(target=give, name="stratum-handoff", daemon=True).start()


def _fit_open_files(settings: Settings) -> None:
    """Raise this process's limit on open files to hold ``max_connections`` (never lower
    it); where the hard limit is lower, lower the bound instead and say so."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = settings.max_connections + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        top = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (top, hard))
        if top < wanted:
            settings.max_connections = max(1, top - 256)
            log.warning("open files are limited to %d: at most %d connections", top,
                        settings.max_connections)


def make_server(model_dir: str | Path, host: str | None = "127.0.0.1", port: int | None = 8080,
                *, token: str | None = None, insecure: bool = False,
                settings: Settings | None = None) -> ServiceServer:
    """A ready server (bound, not yet serving); ``port=0`` picks a free port. The token
    defaults to ``$STRATUM_SERVICE_TOKEN``; a host beyond loopback needs one, or
    ``insecure=True`` (else :class:`~.auth.InsecureBind`)."""
    settings = settings or Settings.from_env(host=host, port=port, token=token,
                                             insecure=insecure)
    check_bind(settings.host, settings.token, settings.insecure)
    predictor = Predictor(model_dir, max_rows=settings.max_rows)
    return ServiceServer(predictor, settings)


def serve(model_dir: str | Path, host: str | None = "127.0.0.1", port: int | None = 8080,
          *, insecure: bool = False, handoff: str | None = None, **given: Any) -> None:
    """Serve until SIGTERM/SIGINT, then finish in-flight requests and return. ``handoff``:
    a Unix socket to take the listening socket over from (and to offer it on); ``given``:
    other :class:`Settings` (None: from the environment)."""
    settings = Settings.from_env(host=host, port=port, insecure=insecure, handoff=handoff,
                                 **given)
    _fit_open_files(settings)
    server = make_server(model_dir, settings=settings)
    auth = "bearer token required" if settings.token else "no token"
    print(f"serving {model_dir} on {server.url} ({auth})", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def serve_in_thread(model_dir: str | Path, host: str = "127.0.0.1", port: int = 0,
                    **options: Any) -> tuple[ServiceServer, threading.Thread]:
    """Start a server in a daemon thread (for notebooks and tests); stop with ``shutdown()``.
    ``options`` are :func:`make_server`'s (``token``, ``insecure``, ``settings``)."""
    server = make_server(model_dir, host, port, **options)
    thread = threading.Thread(target=server.serve_forever, name="stratum-service", daemon=True)
    server.serving = True  # shutdown() waits for it from now on
    thread.start()
    return server, thread
