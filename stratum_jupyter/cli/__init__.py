"""The ``stratum`` command line: one module per group of subcommands, each a thin shell over
the package's functions. A subcommand that is also a magic (``stratum X`` and ``%stratum_X``)
takes its options from :mod:`stratum_jupyter.commands` (:func:`add_command`), so both have
the same. Exit codes: 0 success, 2 bad input (message on stderr), 1 a failure while
running."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from ..commands import BadInput, command

# Modules with a ``register(subparsers)`` function, in the order they appear in --help.
COMMAND_MODULES = [
    "stratum_jupyter.cli.spec_cmds",
    "stratum_jupyter.cli.evaluate_cmd",
    "stratum_jupyter.cli.run_cmd",
    "stratum_jupyter.cli.deploy_cmd",
    "stratum_jupyter.cli.deployment_cmd",
    "stratum_jupyter.cli.kernel_cmd",
    "stratum_jupyter.cli.demo_cmd",
    "stratum_jupyter.cli.monitor_cmd",
    "stratum_jupyter.cli.profile_cmd",
    "stratum_jupyter.cli.report_cmd",
    "stratum_jupyter.cli.bundle_cmd",
    "stratum_jupyter.cli.predict_cmd",
]

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2

__all__ = ["BadInput", "add_command", "build_parser", "main"]


def add_command(sub: argparse._SubParsersAction, name: str,
                func: Callable[[argparse.Namespace], int], *,
                epilog: str | None = None) -> argparse.ArgumentParser:
    """The subcommand ``name`` of a command shared with its magic: the command's HELP and
    options (``add_arguments(parser, shell="cli")``), then ``func`` runs it."""
    cmd = command(name)
    parser = sub.add_parser(name, help=cmd.HELP, description=cmd.HELP, epilog=epilog)
    cmd.add_arguments(parser, shell="cli")
    parser.set_defaults(func=func)
    return parser


def build_parser() -> argparse.ArgumentParser:
    from .._version import __version__

    parser = argparse.ArgumentParser(
        prog="stratum",
        description="Model-driven ML pipelines: build, evaluate, deploy and monitor.",
    )
    parser.add_argument("--version", action="version", version=f"stratum {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from ..errors import DeployError, SpecError, StratumError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or EXIT_OK)
    except (SpecError, DeployError, BadInput) as exc:
        print(f"stratum {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except StratumError as exc:
        print(f"stratum {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(f"stratum {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
