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
    """What a valid spec holds, in one line (the spec was validated when it was loaded):
    how many configurations each search starts from (bayes: its trials)."""
    searched: dict[str, int] = {}
    for cand in spec.candidates:
        search, n_iter = spec.search_for(cand)
        drawn = any(step.distributions() for step in cand.steps)
        size = cand.grid_size()
        if search == "random" or (search == "halving" and drawn):
            size = (n_iter or 10) if drawn else min(n_iter or 10, size)
        searched[search] = searched.get(search, 0) + (0 if search == "bayes" else size)
    parts = [f"{n} configuration(s)" + (f" by {s}" if set(searched) != {"grid"} else "")
             for s, n in searched.items() if s != "bayes"]
    if "bayes" in searched:
        ev = spec.evaluation
        parts.append(f"{ev.n_trials} bayes trial(s)" if ev.n_trials else
                     "bayes trials until the budget is spent" if ev.budget else
                     "20 bayes trials (the default)")
    return (f"task {spec.task}, {len(spec.candidates)} candidate(s), {', '.join(parts)}, "
            f"metrics {', '.join(spec.metrics)} (select by {spec.select_by})")
