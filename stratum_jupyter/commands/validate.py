"""``stratum validate`` / ``%stratum_validate``: check a pipeline spec."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from . import Shell, add_spec_argument

if TYPE_CHECKING:
    from ..spec import PipelineSpec

HELP = "Check a pipeline spec; report every problem, with what is allowed."


def add_arguments(parser: argparse.ArgumentParser, *, shell: Shell) -> None:
    add_spec_argument(parser, shell)
    if shell == "cli":
        parser.add_argument("--json", action="store_true",
                            help="Print the outcome as JSON: valid, and every problem.")
    else:
        parser.add_argument("--name",
                            help="Also bind the validated PipelineSpec to this variable.")


def run(spec: PipelineSpec) -> str:
    """What a valid spec holds, in one line (the spec was validated when it was loaded)."""
    configs = sum(c.grid_size() for c in spec.candidates)
    return (f"task {spec.task}, {len(spec.candidates)} candidate(s), {configs} "
            f"configuration(s), metrics {', '.join(spec.metrics)} (select by {spec.select_by})")
