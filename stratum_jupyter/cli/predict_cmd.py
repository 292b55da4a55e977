"""``stratum predict``: the options and the flow are those of ``%stratum_predict``
(:mod:`stratum_jupyter.commands.predict`); progress on standard error, the summary line on
standard output."""

from __future__ import annotations

import argparse
import sys

from . import add_command


def register(sub: argparse._SubParsersAction) -> None:
    add_command(sub, "predict", run,
                epilog="Output columns: row (the input row's position), the --columns, "
                       "prediction, proba_<class>. Ctrl-C keeps the parts written.")


def run(args: argparse.Namespace) -> int:
    from ..commands import predict as command

    outcome = command.run(args, lambda line: print(line, file=sys.stderr, flush=True))
    print(outcome.line())
    return 0
