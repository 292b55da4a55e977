"""``stratum targets`` / ``%stratum_targets``: the hardware targets."""

from __future__ import annotations

import argparse
from typing import Any

from . import Shell

HELP = ("List the hardware targets: architecture, accelerator, memory, OS, base image, "
        "Python, default quantization.")


def add_arguments(parser: argparse.ArgumentParser, *, shell: Shell) -> None:
    parser.add_argument("--json", action="store_true",
                        help="The targets as JSON data instead of a table (the magic "
                             "returns them as a list of dicts).")


def run() -> list[dict[str, Any]]:
    """One row per target, built-in and plug-in."""
    from ..deploy.targets import list_targets

    return [t.summary() for t in list_targets()]
