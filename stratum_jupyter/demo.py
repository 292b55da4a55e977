"""The main job: the example pipeline end to end, headless (``make demo`` / ``stratum demo``)."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "example_notebooks"


def run_demo(workdir: str | Path = "runs/demo", *, cv: int = 5) -> dict[str, Path]:
    """Generate a notebook from the iris example spec, execute it with papermill, and return
    where the executed notebook and the saved model are."""
    import nbformat
    import pandas as pd

    from .codegen import spec_notebook
    from .notebooks import run_notebook
    from .spec import load_spec

    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    spec = load_spec(EXAMPLES / "specs" / "iris.yaml")
    generated = workdir / "iris.ipynb"
    executed = workdir / "iris.executed.ipynb"
    nbformat.write(spec_notebook(spec, out_dir=str(workdir / "iris")), generated)
    run_notebook(generated, executed, {"cv": cv}, cwd=workdir)
    best = workdir / "iris" / "best"
    leaderboard = pd.read_csv(best / "leaderboard.csv")
    return {"generated": generated, "executed": executed, "best": best,
            "leaderboard": leaderboard}
