"""A running monitor: samplers ticked on a background thread, feeding a recorder and panels.

Monitors live in a per-process registry: starting one under a key that is taken (the same
notebook cell run again) stops the old one first, and every monitor is stopped, its record
closed, when the interpreter exits (a kernel shut down or restarted).
"""

from __future__ import annotations

import atexit
import itertools
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from .base import MonitorError, Sample, Sampler

__all__ = ["Monitor", "stop_all", "active_monitors", "check_timing", "THREAD_PREFIX"]

THREAD_PREFIX = "stratum-monitor"
MAX_TICKS_KEPT = 20_000  # for the static figure; a record file keeps everything

_ACTIVE: dict[str, Monitor] = {}
_REGISTRY_LOCK = threading.Lock()
_COUNTER = itertools.count(1)

Listener = Callable[[float, list[Sample]], None]


def check_timing(interval: float, window: float | None = None,
                 duration: float | None = None) -> None:
    """Clear errors for timing options that cannot work."""
    if not (isinstance(interval, int | float) and math.isfinite(interval) and interval >= 0.1):
        raise MonitorError(f"--interval: {interval!r} is not allowed (allowed: a number of "
                           "seconds, at least 0.1)")
    if window is not None and not (math.isfinite(window) and window >= 2 * interval):
        raise MonitorError(f"--window: {window!r} is not allowed (allowed: seconds of history "
                           f"to show, at least twice the interval, {2 * interval:g})")
    if duration is not None and not (math.isfinite(duration) and duration > 0):
        raise MonitorError(f"--duration: {duration!r} is not allowed (allowed: a positive "
                           "number of seconds)")


class Monitor:
    """Ticks ``samplers`` every ``interval`` seconds on a daemon thread.

    Each tick's samples go to the recorder (``record``: a .csv/.parquet path or a text
    stream), to the listeners (the live panel) and to a buffer for the static figure.
    ``duration`` stops it by itself after that many seconds. Use :meth:`stop` (or the
    monitor as a context manager) to stop it; it never outlives the interpreter.
    """

    def __init__(self, samplers: Sequence[Sampler], *, interval: float = 1.0,
                 window: float = 120.0, record: str | Path | IO[str] | None = None,
                 duration: float | None = None, key: str | None = None,
                 title: str | None = None) -> None:
        check_timing(interval, window, duration)
        self.interval = float(interval)
        self.window = float(window)
        self.duration = duration
        self.title = title
        self.key = key or f"monitor-{next(_COUNTER)}"
        self.samplers = [s for s in samplers if s.available]
        self.notes = [s.message for s in samplers if not s.available and s.message]
        self._unavailable = [s for s in samplers if not s.available]
        from .recording import Recorder

        self.recorder = Recorder(record) if record is not None else None
        self.ticks: deque[tuple[float, list[Sample]]] = deque(maxlen=MAX_TICKS_KEPT)
        self.listeners: list[Listener] = []
        self._dispatch_lock = threading.Lock()
        self.errors: dict[str, str] = {}  # sampler -> first error it raised
        self.live = False
        self.widget: Any = None
        self._stop = threading.Event()
        self._done = threading.Event()
        self._finish_lock = threading.Lock()
        self._finished = False
        self._thread: threading.Thread | None = None
        self.started_at: float | None = None

    # -- life cycle -------------------------------------------------------------------
    @property
    def window_points(self) -> int:
        return max(2, int(round(self.window / self.interval)))

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Monitor:
        """Take the first tick now (so panels know their entities), then tick in the
        background. Replaces a running monitor with the same key."""
        if self._thread is not None:
            raise MonitorError("this monitor was already started")
        with _REGISTRY_LOCK:
            old = _ACTIVE.pop(self.key, None)
        if old is not None:
            old.stop()
        self.started_at = time.monotonic()
        self._dispatch(self.tick())
        if self._stop.is_set():  # the first tick could not be recorded
            self._finish()
            return self
        self._thread = threading.Thread(target=self._run, name=f"{THREAD_PREFIX}-{self.key}",
                                        daemon=True)
        with _REGISTRY_LOCK:
            _ACTIVE[self.key] = self
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop ticking, close samplers and the record; idempotent, callable from any
        thread."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._finish()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the monitor has stopped (by itself at ``duration``, or by
        :meth:`stop`); True if it has. Ctrl-C stops it."""
        try:
            return self._done.wait(timeout)
        except KeyboardInterrupt:
            self.stop()
            return True

    def __enter__(self) -> Monitor:
        if self._thread is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if not self.live:
            self.display_static()

    # -- ticking ----------------------------------------------------------------------
    def tick(self) -> list[Sample]:
        """One reading of every sampler (all rows share the tick's time)."""
        now = time.time()
        rows: list[Sample] = []
        for sampler in self.samplers:
            try:
                rows.extend(sampler.sample(now))
            except Exception as exc:  # a sampler bug must not kill the others
                self.errors.setdefault(sampler.describe(), f"{type(exc).__name__}: {exc}")
        return rows

    def subscribe(self, make_listener: Callable[[list[tuple[float, list[Sample]]]], Listener]
                  ) -> Listener:
        """Add a listener built from the ticks so far, with no tick lost or repeated
        between the two (``make_listener`` gets the ticks so far, returns the listener)."""
        with self._dispatch_lock:
            listener = make_listener(list(self.ticks))
            self.listeners.append(listener)
        return listener

    def _dispatch(self, rows: list[Sample]) -> None:
        if not rows:
            return
        with self._dispatch_lock:
            self._dispatch_locked(rows)

    def _dispatch_locked(self, rows: list[Sample]) -> None:
        when = rows[0].time
        self.ticks.append((when, rows))
        if self.recorder is not None:
            try:
                self.recorder.write(rows)
            except (OSError, ValueError) as exc:  # disk full, closed pipe: stop, say why
                self.errors.setdefault("record", f"{type(exc).__name__}: {exc}")
                self._stop.set()
        for listener in list(self.listeners):
            try:
                listener(when, rows)
            except Exception as exc:  # a closed widget, say: drop it, keep sampling
                self.listeners.remove(listener)
                self.errors.setdefault("panel", f"{type(exc).__name__}: {exc}")

    def _run(self) -> None:
        try:
            deadline = time.monotonic() + self.interval
            end = None if self.duration is None else self.started_at + self.duration
            while not self._stop.wait(max(0.0, deadline - time.monotonic())):
                self._dispatch(self.tick())
                now = time.monotonic()
                if end is not None and now + 1e-3 >= end:
                    break
                deadline += self.interval
                if deadline < now:  # fell behind (a suspended laptop): no burst of ticks
                    deadline = now + self.interval
        finally:
            self._finish()

    def _finish(self) -> None:
        with self._finish_lock:
            if self._finished:
                return
            self._finished = True
        with _REGISTRY_LOCK:
            if _ACTIVE.get(self.key) is self:
                del _ACTIVE[self.key]
        for sampler in [*self.samplers, *self._unavailable]:
            try:
                sampler.close()
            except Exception:
                pass
        if self.recorder is not None:
            self.recorder.close()
        if self.widget is not None:
            try:
                self.widget.running = False
            except Exception:
                pass
        self._done.set()

    # -- output -----------------------------------------------------------------------
    @property
    def samples(self) -> list[Sample]:
        return [s for _, rows in list(self.ticks) for s in rows]

    def figure(self) -> Any:
        """A static Bokeh layout of every kept sample."""
        from .panels import Panel

        samples = self.samples
        return Panel(samples, window=len(self.ticks) + 2, title=self.title).feed(samples).layout

    def static_html(self) -> str:
        from .panels import static_html

        return static_html(self.figure(), self.title)

    def display_static(self) -> None:
        """Show the static figure (BokehJS inline) as this cell's output."""
        from IPython.display import display

        display({"text/html": self.static_html(), "text/plain": self.text()}, raw=True)

    def summary(self) -> str:
        n = sum(len(rows) for _, rows in self.ticks)
        text = f"{len(self.ticks)} tick(s), {n} sample(s)"
        if self.recorder is not None and self.recorder.path is not None:
            text += f", recorded {self.recorder.rows} row(s) to {self.recorder.path}"
        return text

    def text(self) -> str:
        """The monitor as readable text (what it watches, the latest values, where it
        records): what frontends without widgets show (see :mod:`.text`)."""
        from .text import monitor_text

        return monitor_text(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython's plain-text display: the text form, unless a live panel already shows
        # the monitor above (then the one-line repr).
        printer.text(repr(self) if cycle or self.widget is not None else self.text())

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        names = ", ".join(s.describe() for s in self.samplers) or "nothing"
        return f"<Monitor {self.key!r} {state}, every {self.interval:g}s: {names}>"


def active_monitors() -> list[Monitor]:
    with _REGISTRY_LOCK:
        return list(_ACTIVE.values())


def stop_all() -> int:
    """Stop every running monitor of this process; returns how many were stopped."""
    monitors = active_monitors()
    for monitor in monitors:
        monitor.stop()
    return len(monitors)


# A kernel that shuts down (or restarts) stops its samplers and closes their records.
# Daemon threads would die anyway; this makes sure Parquet files get their footer. First of
# all: threading's exit hooks run before atexit's (concurrent.futures uses the same hook),
# so closing a Dask cluster at exit, which can take seconds, cannot push the footer past
# the time a kernel manager waits before it kills the kernel.
atexit.register(stop_all)
try:
    threading._register_atexit(stop_all)  # type: ignore[attr-defined]
except (AttributeError, RuntimeError):  # another Python; or the interpreter is ending
    pass
