"""``stratum evaluate SPEC [--data FILE --target COL] [--scheduler ADDR] [--out DIR]
[--json FILE]``: the same evaluation as ``%stratum_evaluate`` (the options of
:mod:`stratum_jupyter.commands.evaluate`), from a terminal."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import BadInput, add_command

if TYPE_CHECKING:
    from ..spec import PipelineSpec


def register(sub: argparse._SubParsersAction) -> None:
    add_command(sub, "evaluate", evaluate_cmd)


def read_data(path: str, target: str | None, spec: PipelineSpec) -> tuple[Any, Any]:
    """``(X, y)`` from the file of ``--data`` and the column of ``--target`` (default: the
    spec's data.target), keeping the spec's features and drops."""
    from ..catalog import load_data
    from ..catalog.sources import file_source

    if not Path(path).is_file():
        raise BadInput(f"--data: no such file: {path}")
    data = spec.data
    target = target or (data.target if data is not None else None)
    if target is None and spec.task != "clustering":
        raise BadInput("--target COL is needed with --data (the label column)")
    try:
        return load_data(file_source(path), target, data.features if data else None,
                         data.drop if data else None)
    except (ValueError, KeyError) as exc:
        raise BadInput(f"--data {path}: {exc}") from None


def evaluate_cmd(args: argparse.Namespace) -> int:
    from ..commands.evaluate import run, save
    from ..errors import EvaluationError
    from .spec_cmds import read_spec

    spec = read_spec(args.spec)
    if args.target and not args.data:
        raise BadInput("--target goes with --data FILE")
    if not args.data and spec.data is None:
        raise BadInput("the spec names no data source: pass --data FILE --target COL")
    X, y = read_data(args.data, args.target, spec) if args.data else (None, None)
    result = run(args, spec, X, y)
    print(repr(result))
    if args.json:
        text = json.dumps(result.to_dict(), indent=2, default=str)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    if args.out:
        print(f"best model: {save(result, args.out)}")
    elif result.best is None:
        raise EvaluationError("every configuration failed (see above)")
    return 0
