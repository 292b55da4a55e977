"""``stratum evaluate SPEC [--data FILE --target COL] [--scheduler ADDR] [--out DIR]
[--json FILE]``: the same evaluation as ``%stratum_evaluate`` (the options of
:mod:`stratum_jupyter.commands.evaluate`), from a terminal."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from . import BadInput, add_command


def register(sub: argparse._SubParsersAction) -> None:
    add_command(sub, "evaluate", evaluate_cmd)


def evaluate_cmd(args: argparse.Namespace) -> int:
    from ..commands.evaluate import run, save, with_data_file
    from ..errors import EvaluationError
    from .spec_cmds import read_spec

    spec = read_spec(args.spec)
    if args.target and not args.data:
        raise BadInput("--target goes with --data FILE")
    if not args.data and spec.data is None:
        raise BadInput("the spec names no data source: pass --data FILE --target COL")
    if args.data:  # read like the spec's own data source: same options, checks, messages
        spec = with_data_file(spec, args.data, args.target)
    result = run(args, spec)
    print(repr(result))
    if args.json:
        text = json.dumps(result.to_dict(), indent=2, default=str)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    if args.out:
        saved = save(result, args.out)  # None: nothing can label new rows (said why)
        if saved is not None:
            print(f"best model: {saved}")
    elif result.best is None and not result.unsaved:
        raise EvaluationError("every configuration failed (see above)")
    return 0
