"""``stratum evaluate`` / ``%stratum_evaluate``: cross-validate a spec's candidates on Dask."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import BadInput, Shell, add_scheduler_argument, add_spec_argument

if TYPE_CHECKING:
    from distributed import Client

    from ..evaluation import EvaluationResult
    from ..spec import PipelineSpec

HELP = ("Cross-validate a spec's candidates on Dask, rank them on the spec's metrics and "
        "keep the best model.")


def add_arguments(parser: argparse.ArgumentParser, *, shell: Shell) -> None:
    from ..evaluation.display import DISPLAY_MODES

    add = parser.add_argument
    add_spec_argument(parser, shell)
    if shell == "cli":
        add("--data", metavar="FILE",
            help="A data file: .csv (also .tsv, .csv.gz, .csv.zip, ...), .parquet, .xlsx, "
                 ".jsonl or .json, read as the spec's csv:, parquet:, excel:, json: sources "
                 "read it (default: the spec's data source). The magic takes kernel "
                 "variables instead: --data X y.")
        add("--target", metavar="COL",
            help="The label column of --data (default: the spec's data.target).")
    else:
        add("--data", nargs="+", metavar="VAR",
            help="The kernel variables holding the features and the target: --data X y (only "
                 "X for clustering without labels). Default: the spec's data source. The "
                 "stratum command takes a file instead: --data FILE --target COL.")
        add("--groups", metavar="COL",
            help="The column of X holding the group labels of a group splitter "
                 "(evaluation.cv: {GroupKFold: ...}); not a feature. Default: the spec's "
                 "data.groups.")
        add("--order-by", metavar="COL",
            help="A column of X the rows are sorted by before the folds are made (e.g. the "
                 "date, for TimeSeriesSplit). Default: the spec's data.order_by.")
    add_scheduler_argument(add)
    add("--out", metavar="DIR",
        help="Save the best model's bundle to DIR/best and the leaderboard to "
             "DIR/leaderboard.csv.")
    add("--budget", metavar="TIME",
        help="A time limit for the search (90s, 10m, 1h30m or seconds): at it, no more work "
             "is sent and running fold tasks are cancelled; what finished is ranked "
             "(default: the spec's evaluation.budget, else none).")
    add("--adapt", nargs=2, type=int, metavar=("MIN", "MAX"),
        help="Adaptive scaling between MIN and MAX workers, where the cluster supports it.")
    add("--mlflow", nargs="?", const=True, default=None, metavar="URI",
        help="Also track the evaluation in MLflow: a parent run, one nested run per "
             "configuration, the best model (registered where the store has a registry). "
             "URI: a tracking URI (default: a local file store ./mlruns). Needs the "
             "[mlflow] extra.")
    add("--display", choices=DISPLAY_MODES, default="auto",
        help="How progress is shown (default auto: $STRATUM_DISPLAY, else a widget in a live "
             "frontend, else a text log).")
    if shell == "cli":
        add("--json", metavar="FILE",
            help="Also write the leaderboard, best model and failures as JSON ('-' for "
                 "standard output).")
    else:
        add("--monitor", action="store_true",
            help="Also show live panels of the Dask workers while evaluating.")


def run(args: argparse.Namespace, spec: PipelineSpec, X: Any = None, y: Any = None, *,
        client: Client | None = None) -> EvaluationResult:
    """Evaluate ``spec`` on ``X``/``y`` (None: the spec's data source) as ``args`` say;
    ``client``: a ``distributed.Client`` already chosen (else ``--scheduler`` decides)."""
    from ..evaluation import evaluate

    return evaluate(spec, X, y, client=client, scheduler=args.scheduler,
                    groups=getattr(args, "groups", None),
                    order_by=getattr(args, "order_by", None),
                    adapt=tuple(args.adapt) if args.adapt else None, display=args.display,
                    mlflow=args.mlflow, budget=_budget(args.budget),
                    run_dir=getattr(args, "out", None))  # bayes keeps its study there


def _budget(text: str | None) -> float | None:
    """``--budget`` in seconds (``90``, ``10m``...); BadInput names what is not a budget."""
    from ..spec.search import parse_budget

    if text is None:
        return None
    try:
        return parse_budget(float(text) if text.replace(".", "", 1).isdigit() else text)
    except ValueError as exc:
        raise BadInput(f"--budget: {exc}") from None


def with_data_file(spec: PipelineSpec, path: str, target: str | None) -> PipelineSpec:
    """``spec`` reading its data from the file of ``--data`` with the label column of
    ``--target`` (default: the spec's data.target), keeping the spec's features, drops,
    roles and read options. The evaluation then reads the file as it reads a spec's own data
    source: the same read options, checks and messages."""
    from ..catalog.sources import file_source
    from ..spec.model import DataSpec

    if not Path(path).is_file():
        raise BadInput(f"--data: no such file: {path}")
    try:
        source = file_source(path)
    except ValueError as exc:
        raise BadInput(f"--data {path}: {exc}") from None
    data = spec.data
    target = target or (data.target if data is not None else None)
    if target is None and spec.task != "clustering":
        raise BadInput("--target COL is needed with --data (the label column)")
    fields = data.model_dump(exclude_unset=True) if data is not None else {}
    fields.update(source=source, target=target)
    if not source.startswith("excel:"):
        fields.pop("sheet", None)  # the spec's workbook sheet: not for this file
    return spec.model_copy(update={"data": DataSpec.model_validate(fields)})


def save(result: EvaluationResult, out: str | Path) -> Path | None:
    """Write ``out/leaderboard.csv`` and the best model's bundle to ``out/best``; returns
    the bundle's folder (EvaluationError when every configuration failed; None, saying
    why, when no configuration can label new rows)."""
    from ..errors import EvaluationError

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    result.leaderboard_for_csv().to_csv(folder / "leaderboard.csv", index=False)
    if result.best is None and not result.unsaved:
        raise EvaluationError("every configuration failed; no model saved (see above)")
    return result.save(folder / "best")
