"""``stratum report``: the options and the flow are those of ``%stratum_report``
(:mod:`stratum_jupyter.commands.report`); the page's path on standard output."""

from __future__ import annotations

import argparse

from . import add_command


def register(sub: argparse._SubParsersAction) -> None:
    add_command(sub, "report", run, epilog="The page needs no network: BokehJS is inlined.")


def run(args: argparse.Namespace) -> int:
    from ..commands import report as command

    result = command.run(args, shell="cli")
    print(result.path)
    return 0
