"""The builder leaderboard's plots (issue 23, item 3): a clicked row's diagnostic plots and
two rows side by side, as Bokeh figures drawn from what the evaluation kept (the report's
figures, the user's class labels), with notes saying what a row lacks and why."""

from __future__ import annotations

import json

import bokeh
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris

from stratum_jupyter import PipelineBuilder
from stratum_jupyter.diagnostics.result import BY_TASK

from .test_builder import _with_steps
from .test_builder_board import in_process  # noqa: F401 (a fixture, shared)

TASK_PLOTS = ["confusion_matrix", "roc_curve", "precision_recall_curve", "calibration_curve"]


def _evaluated(tmp_path) -> PipelineBuilder:
    """Five configurations (three logistic regressions, two trees): the best three keep
    their out-of-fold predictions (evaluation.diagnostics.keep's default)."""
    X, y = load_iris(return_X_y=True, as_frame=True)
    species = pd.Series(np.array(["setosa", "versicolor", "virginica"])[y], name="species")
    builder = _with_steps(PipelineBuilder(), ("StandardScaler", {}),
                          ("LogisticRegression", {"C": "0.01, 0.1, 1", "max_iter": "500"}))
    form = builder.form
    form["candidates"].append({"name": "tree", "steps": [
        {"block": "DecisionTreeClassifier", "params": {"max_depth": "1, 2"}}]})
    form["evaluation"].update(cv="3")
    builder.form = {**form}
    builder.out_dir = str(tmp_path / "runs")
    builder.evaluate(X, species)
    return builder


def _names(pane):
    return [p["name"] for p in pane["plots"]]


@pytest.mark.slow
@pytest.mark.usefixtures("in_process")
def test_a_row_and_two_rows_are_drawn_from_what_the_evaluation_kept(tmp_path):
    builder = _evaluated(tmp_path)
    board, diag = builder.leaderboard, builder.result.diagnostics
    configs = board["configs"]
    assert len(configs) == len(board["rows"]) == 5
    assert configs[board["best_row"]] == diag.best
    assert [r[1] for r in board["rows"]] == [c.split(" ")[0] for c in configs]
    kept = [c for c in configs if c in diag.kept]
    assert kept == configs[:3]  # the best three, in the leaderboard's order

    # A row: the task's plots, its fold scores and (best) the importance, as the report's.
    one = builder.plots(diag.best)
    assert one["error"] == "" and len(one["panes"]) == 1
    pane = one["panes"][0]
    assert pane["config"] == diag.best and pane["title"] == f"1. {diag.best}"
    names = _names(pane)
    assert names[:4] == TASK_PLOTS and "fold_spread" in names
    assert BY_TASK["classification"][-1] == "threshold_table"  # binary only: not here
    if diag.importance().empty:
        assert any("importance" in note for note in pane["notes"])
    else:
        assert "importance_summary" in names
    items = {p["name"]: json.dumps(p["item"]) for p in pane["plots"]}
    assert all(json.loads(text)["doc"]["version"] == bokeh.__version__
               for text in items.values())
    # The curves' legends carry the kept predictions' AUCs, per class, by the user's labels.
    roc = diag.roc_curve(diag.best)
    for label in ("setosa", "versicolor", "virginica"):
        auc = roc.loc[roc["class"] == label, "auc"].iloc[0]
        assert f"{label} (AUC {auc:.3f})" in items["roc_curve"]
    assert "virginica" in items["confusion_matrix"]
    assert "bokehjs" in one and len(one["bokehjs"]) > 100_000  # the page had no BokehJS
    assert "bokehjs" not in builder.plots(diag.best, bokeh=bokeh.__version__)

    # Two rows, one kept and one not: the same plots in the same order on both sides, a
    # placeholder where a side has none, and a note that says why.
    last = configs[-1]
    two = builder.plots(configs[1], last)
    left, right = two["panes"]
    assert (left["config"], right["config"]) == (configs[1], last)
    assert _names(left) == _names(right)
    assert [p["name"] for p in right["plots"] if p["item"] is not None] == ["fold_spread"]
    assert all(p["item"] is None for p in right["plots"] if p["name"] in TASK_PLOTS)
    assert any("not kept" in note and "evaluation.diagnostics.keep" in note
               for note in right["notes"])
    assert all(p["item"] is not None for p in left["plots"])

    # What cannot be drawn is said in the plots' place.
    assert "not a row of this leaderboard" in builder.plots("nothing C=9")["error"]
    assert "pick one row, or two" in builder.plots(*configs[:3])["error"]

    # After a restart the leaderboard comes back from the notebook and its rows still draw:
    # the best from its saved model's diagnostics/ (the same figures), others their folds.
    again = PipelineBuilder()
    assert again.restore_state(builder.saved) is True and again.result is None
    saved = again.plots(diag.best)
    assert saved["error"] == "" and _names(saved["panes"][0]) == names
    assert any("/diagnostics" in note for note in saved["panes"][0]["notes"])
    fold_items = {p["name"]: p["item"] for p in saved["panes"][0]["plots"]}
    assert json.dumps(fold_items["fold_spread"]).count(diag.best) >= 1
    compared = again.plots(diag.best, last)
    restored_right = compared["panes"][1]
    assert [p["name"] for p in restored_right["plots"] if p["item"] is not None] == [
        "fold_spread"]
    assert any("press Evaluate to see its other plots" in n for n in restored_right["notes"])
    assert "not a row of this leaderboard" in again.plots("nothing C=9")["error"]
    gone = PipelineBuilder()
    gone.restore_state({**builder.saved, "leaderboard": {
        **builder.saved["leaderboard"], "model_dir": str(tmp_path / "gone")}})
    assert "press Evaluate" in gone.plots(diag.best)["error"]


def test_a_builder_that_has_not_evaluated_says_so():
    assert "press Evaluate" in PipelineBuilder().plots("logreg C=1")["error"]
