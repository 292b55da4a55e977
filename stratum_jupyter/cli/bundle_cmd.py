"""``stratum bundle``: the options and the flow are those of ``%stratum_bundle``
(:mod:`stratum_jupyter.commands.bundle`); the bundle's summary on standard output."""

from __future__ import annotations

import argparse

from . import add_command


def register(sub: argparse._SubParsersAction) -> None:
    add_command(sub, "bundle", run, epilog="Then: stratum deploy DIR --target local, "
                "stratum profile DIR.")


def run(args: argparse.Namespace) -> int:
    from ..commands import bundle as command

    print(command.run(args).summary())
    return 0
