"""The main job: the quickstart notebook end to end, headless (``make demo`` / ``stratum demo``).

Build -> evaluate on Dask -> save the best model -> deploy it to the ``local`` target ->
monitor, all by papermill running ``example_notebooks/01-quickstart.ipynb``.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parent.parent / "example_notebooks"
QUICKSTART = "01-quickstart.ipynb"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_demo(workdir: str | Path = "runs/demo", *, fast: bool = False,
             port: int | None = None) -> dict[str, Any]:
    """Execute the quickstart in ``workdir``; returns where its outputs are."""
    import pandas as pd

    from .deploy.run import stop
    from .notebooks import run_notebook

    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / QUICKSTART
    shutil.copy(EXAMPLES / QUICKSTART, source)
    executed = workdir / "01-quickstart.executed.ipynb"
    runs = workdir / "runs" / "quickstart"
    try:
        run_notebook(source, executed, {"fast": fast, "workdir": str(runs),
                                        "port": port or _free_port()}, cwd=workdir)
    finally:
        if (runs / "deploy" / "deploy.json").is_file():  # never leave the service behind
            stop(runs / "deploy", on_event=lambda line: None)
    best = runs / "iris" / "best"
    return {"executed": executed, "leaderboard": pd.read_csv(best / "leaderboard.csv"),
            "leaderboard_csv": best / "leaderboard.csv", "best": best,
            "deploy": runs / "deploy", "monitor": runs / "monitor.csv"}
