"""The commands that exist both as ``stratum X`` and as ``%stratum_X``, one module each
(jupysql's ``sql/cmd/`` is the model). A command module holds:

- ``HELP``: what the command does, one sentence (the CLI's summary; both parsers' description);
- ``add_arguments(parser, *, shell)``: its options, declared once for both shells; the few
  that only make sense in one shell are added under ``if shell == ...`` in the same place;
- ``run(...)``: a plain function over the package's API.

``cli/`` and ``magics/`` are the shells: each builds its parser with the same
``add_arguments``, calls ``run`` and presents what it returns (text in a terminal, objects in
a kernel). Nothing heavy is imported here; ``add_arguments`` imports the constants its
choices come from when a parser is built.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any, Literal, Protocol, cast

from ..errors import StratumError

Shell = Literal["cli", "magic"]
"""Which shell a parser is for: the ``stratum`` command or a ``%stratum_*`` magic."""

NAMES = ("validate", "blocks", "evaluate", "deploy", "targets", "monitor", "deployment",
         "profile", "report", "bundle", "predict")
"""Every command that is both ``stratum X`` and ``%stratum_X``."""


class Command(Protocol):
    """What a command module offers its shells (``run`` varies by command)."""

    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser, *, shell: Shell) -> None: ...


class BadInput(StratumError, ValueError):
    """A user mistake that no more specific StratumError names: the CLI exits with 2, a
    magic raises UsageError."""


def command(name: str) -> Command:
    """The module of the command ``name`` (one of :data:`NAMES`)."""
    if name not in NAMES:
        raise KeyError(f"no command {name!r} (commands: {', '.join(NAMES)})")
    return cast(Command, importlib.import_module(f"{__name__}.{name}"))


def add_scheduler_argument(add: Any) -> None:
    """``--scheduler``, for the commands that run on the cluster evaluation picks
    (``evaluation.cluster.get_client``: one order of choice, one help text)."""
    add("--scheduler", metavar="ADDR",
        help="A Dask scheduler address (default: the kernel's current Client, else "
             "$STRATUM_SCHEDULER, else a local cluster started once per process).")


def add_spec_argument(parser: argparse.ArgumentParser, shell: Shell) -> None:
    """The spec to work on. One help text for both shells; in a magic it may be left out
    (the cell form: the cell body is the spec)."""
    parser.add_argument(
        "spec", nargs="?" if shell == "magic" else None,
        help="The spec: a .yaml or .json file (for stratum, '-' reads standard input); for "
             "the magic also a variable of the kernel, or, in its cell form, the cell body.")
