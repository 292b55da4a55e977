"""The functions behind ``%stratum_monitor``, ``stratum monitor`` and the ``--monitor``
options of the other magics."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from ..frontend import cell_id, has_live_frontend
from .base import MonitorError, Sampler
from .session import Monitor, check_timing

__all__ = ["make_samplers", "open_monitor", "show_panel", "workers_panel", "service_panel",
           "has_live_frontend", "record", "plot_record"]


def make_samplers(*, kernel: bool = False, workers: bool | Any = False, gpu: bool = False,
                  services: Iterable[str | Path] = (), scheduler: str | None = None,
                  pid: int | None = None) -> list[Sampler]:
    """Samplers for the chosen sources. With none chosen: the kernel, plus the Dask
    workers when a ``distributed.Client`` exists, plus the GPUs when NVML finds one.
    ``workers`` may be a ``distributed.Client``."""
    from .gpu import GPUSampler
    from .kernel import KernelSampler

    services = list(services)
    chosen = kernel or workers or gpu or services or scheduler
    samplers: list[Sampler] = []
    if kernel or not chosen:
        samplers.append(KernelSampler(pid))
    if workers is not False and workers is not True and workers is not None:
        samplers.append(_workers_sampler(workers, owned=False))
    elif workers or scheduler:
        from .workers import resolve_client

        client, owned = resolve_client(scheduler)
        samplers.append(_workers_sampler(client, owned=owned))
    elif not chosen and "distributed" in sys.modules:  # never import Dask just to look
        from distributed import default_client

        try:
            samplers.append(_workers_sampler(default_client(), owned=False))
        except ValueError:
            pass
    if gpu:
        samplers.append(GPUSampler())
    elif not chosen:
        found = GPUSampler()
        if found.available:
            samplers.append(found)
    samplers.extend(_service_samplers(services))
    return samplers


def open_monitor(*, kernel: bool = False, pid: int | None = None, workers: bool = False,
                 scheduler: str | None = None, gpu: bool = False,
                 services: Iterable[str | Path] = (), interval: float = 1.0,
                 window: float = 120.0, record: str | Path | IO[str] | None = None,
                 duration: float | None = None, key: str | None = None) -> Monitor:
    """The monitor behind ``%stratum_monitor`` and ``stratum monitor``, not yet started.
    Every option is checked (MonitorError) before any sampler is made; ``pid`` implies
    ``kernel``: the process tree followed is ``pid``'s."""
    check_timing(interval, window, duration)
    if isinstance(record, str | Path):
        from .recording import check_record_path

        check_record_path(record)
    if pid is not None:
        import psutil

        if not psutil.pid_exists(pid):
            raise MonitorError(f"--pid: no process {pid} on this machine")
    samplers = make_samplers(kernel=kernel or pid is not None, workers=workers, gpu=gpu,
                             services=services, scheduler=scheduler, pid=pid)
    return Monitor(samplers, interval=interval, window=window, record=record,
                   duration=duration, key=key)


def _workers_sampler(client: Any, *, owned: bool) -> Sampler:
    from .workers import WorkersSampler

    return WorkersSampler(client, owns_client=owned)


def _service_samplers(targets: Sequence[str | Path]) -> list[Sampler]:
    from .services import ServiceSampler, resolve_service

    resolved = [resolve_service(t) for t in targets]  # every bad target fails before any start
    samplers: list[Sampler] = [ServiceSampler(s) for s in resolved]
    containers = [s.container for s in resolved if s.container]
    if containers:
        from .containers import ContainerSampler

        samplers.append(ContainerSampler(containers))
    return samplers


def _as_samplers(sources: Iterable[Any] | None) -> list[Sampler]:
    """``sources`` items: a Sampler, "kernel", "workers", "gpu", a distributed.Client, a
    deploy bundle directory or a service URL."""
    if sources is None:
        return make_samplers()
    out: list[Sampler] = []
    for item in sources:
        if isinstance(item, Sampler):
            out.append(item)
        elif item in ("kernel", "gpu", "workers"):
            out += make_samplers(**{item: True})
        elif isinstance(item, str | Path):
            out += _service_samplers([item])
        elif hasattr(item, "scheduler_info"):
            out.append(_workers_sampler(item, owned=False))
        else:
            raise MonitorError(f"sources: {item!r} is not a source (allowed: a Sampler, "
                               "'kernel', 'workers', 'gpu', a distributed.Client, a deploy "
                               "bundle directory or a service URL)")
    return out


def cell_key(shell: Any, fallback: str) -> str:
    """A key naming the running cell, so that running it again replaces its monitor."""
    kernel = getattr(shell, "kernel", None)
    cell = cell_id(kernel) if kernel is not None else None
    return f"cell-{cell}" if cell else f"line-{fallback.strip()}"


def show_panel(sources: Iterable[Any] | None = None, *, interval: float = 1.0,
               window: float = 120.0, record: str | Path | IO[str] | None = None,
               duration: float | None = None, key: str | None = None,
               title: str | None = None, display: bool = True,
               live: bool | None = None) -> Monitor:
    """Start monitoring ``sources`` and, with a live frontend, show a live panel.

    Returns the running :class:`Monitor` (``.widget`` is the live panel, an ipywidget to
    put in a layout when ``display=False``). Without a live frontend its text form is shown
    at start (what it watches, the first values, where it records: ``monitor.text()``);
    ``with show_panel(...):`` stops the monitor at the end of the block and then leaves the
    static figure. A monitor started with the ``key`` of a running one
    replaces it; by default the key names the running cell (and the title), so running
    the cell again replaces its panel.
    """
    if key is None:  # the same cell run again replaces its panel
        from IPython import get_ipython

        shell = get_ipython()
        cell = cell_id(shell.kernel) if getattr(shell, "kernel", None) is not None else None
        key = f"cell-{cell}-{title or 'panel'}" if cell else None
    monitor = Monitor(_as_samplers(sources), interval=interval, window=window, record=record,
                      duration=duration, key=key, title=title)
    monitor.live = has_live_frontend() if live is None else live
    monitor.start()
    if monitor.live:
        attach_widget(monitor, display=display)
    elif display:  # no widget would render: what it watches and its first values, as text
        _show_text(monitor.text())
    return monitor


def _show_text(text: str) -> None:
    """``text`` as the cell's output in IPython; printed in a plain Python script."""
    from IPython import get_ipython

    if get_ipython() is None:
        print(text)
        return
    from IPython.display import display

    display({"text/plain": text}, raw=True)


def attach_widget(monitor: Monitor, *, display: bool = True) -> Any:
    """Build the live panel of a started monitor, stream every later tick into it."""
    from .panels import Panel
    from .widget import LivePanelWidget

    status = (f"live, every {monitor.interval:g} s, last {monitor.window:g} s"
              + (f", recording to {monitor.recorder.path}" if monitor.recorder
                 and monitor.recorder.path else ""))
    made: dict[str, Any] = {}

    def make(ticks: list) -> Any:
        samples = [s for _, rows in ticks for s in rows]
        panel = Panel(samples, window=monitor.window_points, title=monitor.title)
        panel.apply(panel.ops(ticks))
        widget = made["widget"] = LivePanelWidget(panel, status=status,
                                                  describe=monitor.text)

        def push(when: float, rows: list) -> None:
            widget.push(panel.ops([(when, rows)]))

        return push

    monitor.subscribe(make)
    widget = monitor.widget = made["widget"]
    widget.running = monitor.running
    if display:
        from IPython.display import display as show

        show(widget)
    return widget


def workers_panel(client: Any, **kwargs: Any) -> Monitor:
    """A live panel of a Dask cluster's workers (for ``%stratum_evaluate --monitor``)."""
    kwargs.setdefault("title", "Dask workers")
    return show_panel([client], **kwargs)


def service_panel(target: str | Path, **kwargs: Any) -> Monitor:
    """A live panel of a deployed service: a deploy bundle directory (with ``deploy.json``)
    or a base URL (for ``%stratum_deploy ... --monitor``)."""
    kwargs.setdefault("title", f"Service {target}")
    return show_panel([target], **kwargs)


def record(samplers: Sequence[Sampler], target: str | Path | IO[str], *,
           duration: float | None, interval: float = 1.0) -> Monitor:
    """Record ``samplers`` to ``target`` for ``duration`` seconds (None: until Ctrl-C),
    blocking; returns the stopped monitor (``.figure()`` for the static figure)."""
    monitor = Monitor(samplers, interval=interval, window=max(2 * interval, 120.0),
                      record=target, duration=duration, key=None)
    monitor.start()
    try:
        monitor.wait()
    finally:
        monitor.stop()
    return monitor


def plot_record(path: str | Path, *, title: str | None = None) -> Any:
    """A static Bokeh figure of a record file (CSV or Parquet)."""
    from .panels import Panel
    from .recording import read_record, samples_from_frame

    samples = samples_from_frame(read_record(path))
    return Panel(samples, window=2, title=title).feed(samples).layout
