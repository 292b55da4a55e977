"""``stratum profile``: the options and the flow are those of ``%stratum_profile``
(:mod:`stratum_jupyter.commands.profile`); progress on standard error, the results table on
standard output."""

from __future__ import annotations

import argparse
import sys

from . import BadInput, add_command


def register(sub: argparse._SubParsersAction) -> None:
    add_command(sub, "profile", run, epilog="Load is generated on loopback only, bounded by "
                "--duration and --requests per configuration. Exit code 0 also when no "
                "configuration meets the goal (it is said on standard error).")


def run(args: argparse.Namespace) -> int:
    from ..commands import profile as command
    from ..profiling.grid import ProfileError

    try:
        result = command.run(args, log=lambda text: print(text, file=sys.stderr, flush=True))
    except ProfileError as exc:
        raise BadInput(str(exc)) from None
    columns = ["runner", "cpus", "memory_bytes", "threads", "batch_size", "concurrency",
               "max_batch", "batch_wait_ms", "status", "p50_ms", "p99_ms", "throughput_rps",
               "cpu_percent", "peak_memory_bytes", "rate_rps"]
    print(result.table[columns].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return 0
