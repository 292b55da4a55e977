"""``stratum monitor``: record samples from the command line (no frontend, so no live
panel): a CSV/Parquet record, an HTML file with the static figure, or CSV on stdout. The
options and the flow are those of ``%stratum_monitor`` (:mod:`stratum_jupyter.commands`)."""

from __future__ import annotations

import argparse
import sys

from . import BadInput, add_command


def register(sub: argparse._SubParsersAction) -> None:
    add_command(sub, "monitor", run, epilog="Samples are taken every --interval seconds for "
                "--duration seconds (or until Ctrl-C). With neither --record nor --html, they "
                "are written as CSV to standard output.")


def _log(text: str) -> None:
    print(text, file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from ..commands import monitor as command
    from ..monitor.base import MonitorError

    target = args.record if args.record else (None if args.html else sys.stdout)
    try:
        monitor = command.run(args, record=target, log=_log)
    except MonitorError as exc:
        raise BadInput(str(exc)) from None
    if monitor is None:
        return 1
    for sampler in monitor.samplers:
        _log(f"sampling {sampler.describe()}")
    monitor.start()
    try:
        monitor.wait()
    finally:
        monitor.stop()
    if target is sys.stdout and "record" in monitor.errors:  # `stratum monitor | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    command.report(monitor, _log)
    if args.html:
        _write_html(args.html, monitor.figure())
        _log(f"wrote {args.html}")
    return 0


def _write_html(path: str, figure: object) -> None:
    from pathlib import Path

    from ..monitor.panels import static_html

    html = static_html(figure, "stratum monitor")
    Path(path).write_text(f"<!doctype html>\n<html><head><meta charset='utf-8'>"
                          f"<title>stratum monitor</title></head><body>\n{html}\n"
                          "</body></html>\n", encoding="utf-8")
