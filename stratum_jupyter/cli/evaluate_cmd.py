"""``stratum evaluate SPEC [--data FILE --target COL] [--scheduler ADDR] --out DIR
[--json FILE]``: the same evaluation as ``%stratum_evaluate``, from a terminal."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from . import BadInput


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="Cross-validate a spec's candidates on Dask; save "
                       "the best model.")
    p.add_argument("spec", help="A .yaml or .json spec file.")
    p.add_argument("--data", metavar="FILE",
                   help="A .csv or .parquet file (default: the spec's data source).")
    p.add_argument("--target", metavar="COL",
                   help="The label column of --data (default: the spec's data.target).")
    p.add_argument("--scheduler", metavar="ADDR",
                   help="A Dask scheduler address (default: $STRATUM_SCHEDULER, else a "
                   "local cluster).")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="Where to write best/ (the model bundle) and leaderboard.csv.")
    p.add_argument("--json", metavar="FILE",
                   help="Also write the leaderboard, best model and failures as JSON "
                   "('-' for standard output).")
    p.add_argument("--adapt", nargs=2, type=int, metavar=("MIN", "MAX"),
                   help="Adaptive scaling between MIN and MAX workers, where supported.")
    p.set_defaults(func=evaluate_cmd)


def _read_data(path: str, target: str | None, spec) -> tuple[object, object]:
    import pandas as pd

    file = Path(path)
    if not file.is_file():
        raise BadInput(f"--data: no such file: {path}")
    if file.suffix == ".csv":
        frame = pd.read_csv(file)
    elif file.suffix in (".parquet", ".pq"):
        frame = pd.read_parquet(file)
    else:
        raise BadInput(f"--data must be a .csv or .parquet file, got {file.name!r}")
    target = target or (spec.data.target if spec.data is not None else None)
    if target is None:
        if spec.task != "clustering":
            raise BadInput("--target COL is needed with --data (the label column)")
        return frame, None
    if target not in frame.columns:
        raise BadInput(f"--target {target!r} is not a column of {file.name} "
                       f"(columns: {', '.join(map(str, frame.columns))})")
    y = frame.pop(target)
    if spec.data is not None:
        if spec.data.features:
            frame = frame[list(spec.data.features)]
        if spec.data.drop:
            frame = frame.drop(columns=list(spec.data.drop))
    return frame, y


def evaluate_cmd(args: argparse.Namespace) -> int:
    from ..errors import EvaluationError
    from ..evaluation import evaluate
    from .spec_cmds import _read_spec

    spec = _read_spec(args.spec)
    if args.target and not args.data:
        raise BadInput("--target goes with --data FILE")
    if not args.data and spec.data is None:
        raise BadInput("the spec names no data source: pass --data FILE --target COL")
    X, y = _read_data(args.data, args.target, spec) if args.data else (None, None)
    out = Path(args.out)
    result = evaluate(spec, X, y, scheduler=args.scheduler, display="text",
                      adapt=tuple(args.adapt) if args.adapt else None)
    out.mkdir(parents=True, exist_ok=True)
    result.leaderboard_for_csv().to_csv(out / "leaderboard.csv", index=False)
    print(repr(result))
    if args.json:
        text = json.dumps(result.to_dict(), indent=2, default=str)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    if result.best is None:
        raise EvaluationError("every configuration failed; no model saved (see above)")
    best = result.save(out / "best")
    print(f"best model: {best}")
    return 0
