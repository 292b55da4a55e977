"""``stratum monitor`` / ``%stratum_monitor``: sample CPU, GPU and memory of this host, the
Dask workers, NVIDIA GPUs and deployed services."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from . import Shell

if TYPE_CHECKING:
    from ..monitor.session import Monitor

HELP = ("Monitor CPU, GPU and memory of this host (the kernel), the Dask workers, NVIDIA GPUs "
        "and deployed services: live panels in a notebook, else a record.")


def add_arguments(parser: argparse.ArgumentParser, *, shell: Shell) -> None:
    add = parser.add_argument
    add("--kernel", action="store_true",
        help="This host (CPU per core, memory) and the process tree of this process (the "
             "kernel, or the stratum command) or of --pid.")
    add("--pid", type=int, default=None,
        help="The process whose tree --kernel follows (default: this process); implies "
             "--kernel.")
    add("--workers", action="store_true",
        help="The Dask workers (CPU, memory, tasks per worker) of --scheduler, else of the "
             "kernel's current distributed.Client, else of $STRATUM_SCHEDULER.")
    add("--scheduler", metavar="ADDR",
        help="Watch the workers of the Dask scheduler at this address.")
    add("--gpu", action="store_true",
        help="NVIDIA GPUs through NVML: utilisation, memory, temperature, power.")
    add("--services", nargs="+", metavar="DIR|URL", default=[],
        help="Deployed services: deploy bundle directories (with deploy.json) or base URLs; "
             "their /metrics, and their containers' docker stats.")
    add("--interval", type=float, default=1.0, metavar="S",
        help="Seconds between samples (default 1).")
    add("--window", type=float, default=120.0, metavar="S",
        help="Seconds of history the live panels show (default 120; static figures show "
             "everything).")
    add("--record", metavar="FILE",
        help="Record every sample to FILE (.csv or .parquet): time, source, entity, metric, "
             "value.")
    add("--duration", type=float, metavar="S",
        help="Stop after S seconds (default: when stopped). Without a live frontend the "
             "magic records for S seconds, then shows a static figure.")
    if shell == "cli":
        add("--html", metavar="FILE",
            help="Also write the static figure (BokehJS inline) to this HTML file.")
    else:
        add("--stop", action="store_true",
            help="Stop every monitor of this kernel (without a live frontend: and show the "
                 "static figure of what they recorded).")


def run(args: argparse.Namespace, *, record: str | Path | IO[str] | None,
        log: Callable[[str], None], key: str | None = None) -> Monitor | None:
    """The monitor of the sources ``args`` name, checked and not yet started (MonitorError
    for a bad option, before any sampler starts); ``record``: where its samples go. Notes on
    unavailable sources go to ``log``; None (said to ``log``) when nothing can be sampled."""
    from ..monitor.api import open_monitor

    monitor = open_monitor(kernel=args.kernel, pid=args.pid, workers=args.workers,
                           scheduler=args.scheduler, gpu=args.gpu, services=args.services,
                           interval=args.interval, window=args.window, record=record,
                           duration=args.duration, key=key)
    for note in monitor.notes:
        log(note)
    if not monitor.samplers:
        monitor.stop()
        log("nothing to monitor")
        return None
    return monitor


def report(monitor: Monitor, log: Callable[[str], None]) -> None:
    """What a stopped monitor sampled and recorded, and the first error of each source."""
    log(monitor.summary())
    for what, error in monitor.errors.items():
        log(f"warning: {what}: {error}")
