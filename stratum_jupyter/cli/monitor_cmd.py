"""``stratum monitor``: record samples from the command line (no frontend, so no live
panel): a CSV/Parquet record, an HTML file with the static figure, or CSV on stdout."""

from __future__ import annotations

import argparse
import sys

from . import BadInput


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "monitor", help="Record CPU, GPU and memory of this host, Dask workers and services.",
        description="Sample the chosen sources every --interval seconds for --duration "
                    "seconds (or until Ctrl-C). With neither --record nor --html, samples "
                    "are written as CSV to stdout.")
    p.add_argument("--kernel", action="store_true",
                   help="This host (CPU per core, memory) and the process tree of --pid.")
    p.add_argument("--pid", type=int, default=None,
                   help="Process whose tree --kernel follows (default: this command); "
                        "implies --kernel.")
    p.add_argument("--workers", action="store_true",
                   help="The Dask workers of --scheduler (or $STRATUM_SCHEDULER).")
    p.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler address.")
    p.add_argument("--gpu", action="store_true", help="NVIDIA GPUs through NVML.")
    p.add_argument("--services", nargs="+", metavar="DIR|URL", default=[],
                   help="Deploy bundle directories (with deploy.json) or service base URLs.")
    p.add_argument("--interval", type=float, default=1.0, metavar="S",
                   help="Seconds between samples (default 1).")
    p.add_argument("--window", type=float, default=120.0, metavar="S",
                   help="Accepted for symmetry with %%stratum_monitor (live panels only).")
    p.add_argument("--record", metavar="FILE", help="Record to FILE (.csv or .parquet).")
    p.add_argument("--duration", type=float, metavar="S",
                   help="Seconds to record (default: until Ctrl-C).")
    p.add_argument("--html", metavar="FILE",
                   help="Also write the static figure (BokehJS inline) to this HTML file.")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..monitor.api import make_samplers
    from ..monitor.base import MonitorError
    from ..monitor.session import Monitor, check_timing

    try:
        check_timing(args.interval, args.window, args.duration)
        if args.pid is not None:
            _check_pid(args.pid)
        samplers = make_samplers(kernel=args.kernel or args.pid is not None,
                                 workers=args.workers, gpu=args.gpu,
                                 services=args.services, scheduler=args.scheduler,
                                 pid=args.pid)
        target = args.record if args.record else (None if args.html else sys.stdout)
        monitor = Monitor(samplers, interval=args.interval, window=args.window, record=target,
                          duration=args.duration)
    except MonitorError as exc:
        raise BadInput(str(exc)) from None
    log = sys.stderr
    for note in monitor.notes:
        print(note, file=log)
    if not monitor.samplers:
        monitor.stop()
        print("stratum monitor: nothing to monitor", file=log)
        return 1
    for sampler in monitor.samplers:
        print(f"sampling {sampler.describe()}", file=log)
    monitor.start()
    try:
        monitor.wait()
    finally:
        monitor.stop()
    if target is sys.stdout and "record" in monitor.errors:  # `stratum monitor | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    print(monitor.summary(), file=log)
    for what, error in monitor.errors.items():
        print(f"warning: {what}: {error}", file=log)
    if args.html:
        from pathlib import Path

        from ..monitor.panels import static_html

        html = static_html(monitor.figure(), "stratum monitor")
        Path(args.html).write_text(f"<!doctype html>\n<html><head><meta charset='utf-8'>"
                                   f"<title>stratum monitor</title></head><body>\n{html}\n"
                                   "</body></html>\n", encoding="utf-8")
        print(f"wrote {args.html}", file=log)
    return 0


def _check_pid(pid: int) -> None:
    import psutil

    if not psutil.pid_exists(pid):
        raise BadInput(f"--pid: no process {pid} on this machine")
