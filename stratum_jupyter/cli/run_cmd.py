"""``stratum run``: execute a notebook with papermill."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import BadInput


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="Execute a notebook with papermill.")
    p.add_argument("notebook")
    p.add_argument("-o", "--output", required=True, help="Where to write the executed notebook.")
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                   metavar=("KEY", "VALUE"), help="Set a parameter (repeatable).")
    p.add_argument("-k", "--kernel", default=None, help="Kernel name (default: the notebook's).")
    p.add_argument("--cwd", default=None, help="Working directory of the kernel.")
    p.add_argument("--progress", action="store_true", help="Show a progress bar.")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from ..notebooks import parse_value, run_notebook

    if not Path(args.notebook).is_file():
        raise BadInput(f"no such notebook: {args.notebook}")
    params = {key: parse_value(value) for key, value in args.parameter}
    try:
        run_notebook(args.notebook, args.output, params, kernel_name=args.kernel,
                     cwd=args.cwd, progress=args.progress)
    except Exception as exc:  # papermill's PapermillExecutionError names the failing cell
        print(f"stratum run: {type(exc).__name__}: {exc}", file=sys.stderr)
        print(f"stratum run: the executed notebook (with the error) is {args.output}",
              file=sys.stderr)
        return 1
    print(f"wrote {args.output}")
    return 0
