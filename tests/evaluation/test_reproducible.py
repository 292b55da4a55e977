"""evaluation.random_state makes a run repeatable to the last digit, wherever it runs.

The spec has what drew from NumPy's global generator before (forests and a stochastic
linear model with no random_state of their own, a forest as stacking's final estimator,
random search draws) on a table whose preprocessing is a ColumnTransformer (nested steps),
with a held-out test part. Its leaderboard is compared exactly (every score column) between
two runs in this process, a run on the shared LocalCluster, the builder's Evaluate, the
magic, the CLI and its generated notebook under papermill.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from stratum_jupyter import evaluate, load_spec
from stratum_jupyter.evaluation import cluster as clusters
from stratum_jupyter.evaluation import inprocess

DATA = Path(__file__).resolve().parents[1] / "data" / "penguins.csv"


def spec_text(data: Path = DATA) -> str:
    return f"""version: 1
name: penguins
task: classification
data: {{source: "csv:{data}", target: species}}
evaluation:
  cv: 3
  test: 0.2
  metrics: [accuracy, f1_macro]
  random_state: 7
  search: random
  n_iter: 3
  ensemble: {{method: stacking, k: 2, cv: 3,
             final_estimator: {{RandomForestClassifier: {{n_estimators: 5}}}}}}
candidates:
  - name: forest
    steps:
      - RandomForestClassifier: {{n_estimators: [4, 8], max_depth: [null, 3]}}
  - name: sgd
    steps:
      - SGDClassifier: {{alpha: [0.001, 0.01], loss: log_loss}}
"""


def scores(board: pd.DataFrame) -> pd.DataFrame:
    """What must repeat exactly: the ranking, the configurations and every score column."""
    kept = [c for c in board.columns if c in ("rank", "candidate", "members")
            or c.startswith(("accuracy", "f1_macro", "test_"))]
    out = board[kept].copy()
    out.insert(2, "params", board["params"].map(
        lambda p: p if isinstance(p, str) else ", ".join(f"{k}={v!r}" for k, v in p.items())))
    return out.reset_index(drop=True)


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(scores(a), scores(b), check_exact=True, check_dtype=False)


@pytest.fixture(scope="module")
def reference():
    """The spec evaluated once in this process: what every other path must give."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("STRATUM_SCHEDULER", raising=False)
        mp.setattr(inprocess, "START_S", 1e9)
        clusters.close_local()
        result = evaluate(spec_text(), display="none")
    assert result.cluster.get("in_process")
    return result


def test_the_spec_exercises_what_used_to_vary(reference):
    board = reference.leaderboard
    assert len(board) == 3 + 2 + 1 and board["status"].eq("ok").all()  # 3+2 draws, ensemble
    assert reference.timing["chained_fits"] > 0 or len(set(board["candidate"])) == 3
    assert reference.test["rows"] == 69 and board.loc[0, "test_accuracy"] > 0.5
    assert board["test_accuracy"].iloc[1:].isna().all()
    model = reference.best.model
    nested = model.get_params(deep=True)
    assert all(v == 7 for k, v in nested.items() if k.endswith("random_state")), nested


@pytest.mark.slow
def test_in_process_twice_and_on_a_local_cluster_give_the_same_leaderboard(
        reference, in_process, client):
    again = evaluate(spec_text(), display="none", client=None)
    assert_same(again.leaderboard, reference.leaderboard)
    on_dask = evaluate(spec_text(), display="none", client=client)
    assert not on_dask.cluster.get("in_process") and on_dask.timing["in_process_tasks"] == 0
    assert_same(on_dask.leaderboard, reference.leaderboard)
    assert on_dask.test == reference.test


@pytest.mark.slow
def test_builder_magic_and_cli_give_the_same_leaderboard(reference, in_process, ip, tmp_path):
    from stratum_jupyter.cli import main
    from stratum_jupyter.widgets import PipelineBuilder

    builder = PipelineBuilder(spec=load_spec(spec_text()))
    builder.data_vars = "nothing_here"  # the spec's data source, as the form leaves it
    assert_same(builder.evaluate().leaderboard, reference.leaderboard)

    result = ip.run_cell_magic("stratum_evaluate", "--display none", spec_text())
    assert_same(result.leaderboard, reference.leaderboard)

    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    assert main(["evaluate", str(spec), "--display", "none", "--json",
                 str(tmp_path / "r.json")]) == 0
    board = pd.DataFrame(json.loads((tmp_path / "r.json").read_text())["leaderboard"])
    assert_same(board, reference.leaderboard_for_csv())


@pytest.mark.slow
def test_generated_notebook_under_papermill_gives_the_same_leaderboard(
        reference, cluster, tmp_path, monkeypatch):
    from stratum_jupyter.codegen import spec_notebook
    from stratum_jupyter.notebooks import run_notebook

    data = tmp_path / "penguins.csv"
    shutil.copy(DATA, data)
    monkeypatch.setenv("STRATUM_SCHEDULER", cluster.scheduler_address)
    import nbformat

    nbformat.write(spec_notebook(load_spec(spec_text(data)), "runs"), tmp_path / "in.ipynb")
    run_notebook(tmp_path / "in.ipynb", tmp_path / "out.ipynb", cwd=tmp_path, timeout=300)
    board = pd.read_csv(tmp_path / "runs" / "best" / "leaderboard.csv")
    board[["params", "members"]] = board[["params", "members"]].fillna("")  # empty texts
    assert_same(board, reference.leaderboard_for_csv())
    profile = json.loads((tmp_path / "runs" / "best" / "profile.json").read_text())
    assert profile["test"]["scores"] == reference.test["scores"]
    assert profile["test"]["rows"] == 69 and profile["test"]["split"] == "the rows given"
