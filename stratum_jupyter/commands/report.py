"""``stratum report`` / ``%stratum_report``: the diagnostic plots and explanations of a saved
run (the ``diagnostics/`` its best model was saved with) as a static HTML page, BokehJS
inline: it works offline, and in a notebook's (papermill's) output."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from . import BadInput, Shell

HELP = ("Draw the diagnostic plots of a saved run (confusion matrix, ROC and precision-recall "
        "curves, residuals, clusters, fold spread, permutation importance of the original "
        "columns) into a static HTML page with BokehJS inline.")


def add_arguments(parser: argparse.ArgumentParser, *, shell: Shell) -> None:
    parser.add_argument("run_dir", help="A run folder (stratum evaluate --out DIR: its best/ "
                                        "model is read) or a saved model folder.")
    parser.add_argument("--out", metavar="FILE.html",
                        help="Write the page here (stratum's default: RUN_DIR/report.html; "
                             "the magic shows it in the notebook, and writes it only here).")


@dataclass(frozen=True)
class Report:
    """What :func:`run` made: the notebook fragment, and the page's path when written."""

    html: str
    path: Path | None
    model_dir: Path

    def _repr_html_(self) -> str:
        return self.html


def model_dir(run_dir: str | Path) -> Path:
    """The saved model folder of ``run_dir`` that holds diagnostics: ``run_dir`` itself or
    its ``best/``; BadInput naming both otherwise."""
    from ..diagnostics.result import FOLDER

    base = Path(run_dir)
    for folder in (base, base / "best"):
        if (folder / FOLDER / "about.json").is_file():
            return folder
    what = "does not exist" if not base.exists() else f"has no {FOLDER}/ (nor has best/)"
    raise BadInput(f"run_dir: {str(base)!r} {what}; allowed: a run folder saved by stratum "
                   "evaluate --out DIR (or %%stratum_evaluate --out), or its best/ model "
                   "folder, evaluated with evaluation.diagnostics on (the default)")


def run(args: argparse.Namespace, *, shell: Shell) -> Report:
    """The report of ``args.run_dir``, written to ``args.out`` (the CLI's default:
    ``RUN_DIR/report.html``). BadInput for a folder without diagnostics or an ``--out`` that
    is not an .html file, before anything is drawn."""
    import pandas as pd

    from ..diagnostics.report import page, static_html
    from ..diagnostics.result import load_frames

    folder = model_dir(args.run_dir)
    out = Path(args.out) if args.out else (Path(args.run_dir) / "report.html"
                                           if shell == "cli" else None)
    if out is not None and out.suffix.lower() not in (".html", ".htm"):
        raise BadInput(f"--out: {str(out)!r} is not an HTML file (allowed: a path ending "
                       "in .html)")
    frames, about = load_frames(folder)
    board_csv = folder / "leaderboard.csv"
    board = pd.read_csv(board_csv) if board_csv.is_file() else None
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page(frames, about, leaderboard=board), encoding="utf-8")
    return Report(static_html(frames, about, leaderboard=board), out, folder)
