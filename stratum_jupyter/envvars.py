"""Every ``STRATUM_*`` environment variable the product reads, declared once: its name, its
default and what it means. Read a value with ``SCHEDULER.get()`` (a string, or the default).

Standard library only, on purpose: the prediction service runs in images where
stratum_jupyter is not installed, so a deploy bundle carries a copy of this module beside the
service (``deploy.render`` copies it) and the service reads its variables through it too.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class EnvVar:
    """One environment variable: ``name``, the ``default`` when unset or blank, and ``help``.
    ``aliases`` are older names still honoured (the first set one wins)."""

    name: str
    default: str | None
    help: str
    aliases: tuple[str, ...] = ()

    def get(self) -> str | None:
        for name in (self.name, *self.aliases):
            value = os.environ.get(name, "").strip()
            if value:
                return value
        return self.default

    def get_int(self) -> int:
        """The value as an integer; ValueError naming the variable when it is not one."""
        return self._parsed(int, "an integer")

    def get_float(self) -> float:
        """The value as a number; ValueError naming the variable when it is not one."""
        return self._parsed(float, "a number")

    def _parsed(self, parse: Callable[[str], T], what: str) -> T:
        value = self.get()
        try:
            return parse(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"${self.name} must be {what}, got {value!r}") from None

    def is_set(self) -> bool:
        return any(os.environ.get(n, "").strip() for n in (self.name, *self.aliases))


# -- the kernel side ---------------------------------------------------------------------------
SCHEDULER = EnvVar("STRATUM_SCHEDULER", None,
                   "The Dask scheduler address to evaluate on and monitor when no client or "
                   "--scheduler is given (else a LocalCluster per kernel).")
DISPLAY = EnvVar("STRATUM_DISPLAY", "auto",
                 "How an evaluation shows progress: auto | widget | text | none.")
FRONTEND = EnvVar("STRATUM_FRONTEND", None,
                  "live | headless: overrides the detection of a live Jupyter frontend "
                  "(papermill runs set headless). 'record' is read as headless.",
                  aliases=("STRATUM_MONITOR_MODE",))
CACHE_DIR = EnvVar("STRATUM_CACHE_DIR", None,
                   "Where the block catalog is cached (default $XDG_CACHE_HOME/stratum_jupyter, "
                   "else ~/.cache/stratum_jupyter).")
KB = EnvVar("STRATUM_KB", None,
            "The user's knowledge-base database (default "
            "$XDG_CONFIG_HOME/stratum/kb.sqlite, else ~/.config/stratum/kb.sqlite).")
DEPLOYMENTS = EnvVar("STRATUM_DEPLOYMENTS", None,
                     "The file listing this user's deployments (default "
                     "$XDG_STATE_HOME/stratum/deployments.json, else "
                     "~/.local/state/stratum/deployments.json).")

# -- the prediction service (read inside deploy bundles) --------------------------------------
HOST = EnvVar("STRATUM_HOST", "127.0.0.1", "The address the prediction service listens on.")
PORT = EnvVar("STRATUM_PORT", "8080", "The prediction service's TCP port.")
MODEL_DIR = EnvVar("STRATUM_MODEL_DIR", None,
                   "The model folder the service loads (default: model/ beside service/).")
MAX_BODY_BYTES = EnvVar("STRATUM_MAX_BODY_BYTES", str(8 * 2**20),
                        "The largest request body the service reads, in bytes.")
MAX_ROWS = EnvVar("STRATUM_MAX_ROWS", "10000", "The most rows one /predict request may hold.")
ACCESS_LOG = EnvVar("STRATUM_ACCESS_LOG", None, "Any value: the service logs every request.")
SERVICE_TOKEN = EnvVar("STRATUM_SERVICE_TOKEN", None,
                       "The bearer token clients of the service send (Authorization: Bearer "
                       "...); required to listen on an address other than loopback.")
SERVICE_TOKEN_FILE = EnvVar("STRATUM_SERVICE_TOKEN_FILE", None,
                            "A file holding the service's bearer token (e.g. a Docker or "
                            "Kubernetes secret), read when STRATUM_SERVICE_TOKEN is unset.")
READ_TIMEOUT = EnvVar("STRATUM_READ_TIMEOUT", "30",
                      "Seconds a client has to send a whole request (headers and body) from "
                      "its first byte, or from connecting; then the connection is closed.")
KEEPALIVE_TIMEOUT = EnvVar("STRATUM_KEEPALIVE_TIMEOUT", "5",
                           "Seconds an idle keep-alive connection stays open.")
MAX_CONNECTIONS = EnvVar("STRATUM_MAX_CONNECTIONS", "2048",
                         "Open connections the service holds at most; more get 503 and are "
                         "closed.")
SHUTDOWN_TIMEOUT = EnvVar("STRATUM_SHUTDOWN_TIMEOUT", "30",
                          "Seconds in-flight requests have to finish after SIGTERM.")
PREDICT_THREADS = EnvVar("STRATUM_PREDICT_THREADS", "2",
                         "Threads that predict large batches (small ones are predicted on the "
                         "event loop).")
MAX_BATCH = EnvVar("STRATUM_MAX_BATCH", "1",
                   "Adaptive batching: concurrent requests are joined into one model call of "
                   "at most this many rows or instances (1: no batching).")
BATCH_WAIT_MS = EnvVar("STRATUM_BATCH_WAIT_MS", "0",
                       "Adaptive batching: milliseconds a batch waits after its first request "
                       "for others while it has room (0: only what is already queued).")
HANDOFF = EnvVar("STRATUM_HANDOFF", None,
                 "A Unix socket (a path, or @name for an abstract one) over which the service "
                 "takes over the listening socket of the one it replaces, and offers its own.")
INSTANCE = EnvVar("STRATUM_INSTANCE", None,
                  "A name for this service process, answered by /health (a redeploy waits "
                  "until the new one answers).")

ALL: tuple[EnvVar, ...] = (SCHEDULER, DISPLAY, FRONTEND, CACHE_DIR, KB, DEPLOYMENTS,
                           HOST, PORT, MODEL_DIR,
                           MAX_BODY_BYTES, MAX_ROWS, ACCESS_LOG, SERVICE_TOKEN,
                           SERVICE_TOKEN_FILE, READ_TIMEOUT, KEEPALIVE_TIMEOUT, MAX_CONNECTIONS,
                           SHUTDOWN_TIMEOUT, PREDICT_THREADS, HANDOFF, INSTANCE, MAX_BATCH,
                           BATCH_WAIT_MS)
