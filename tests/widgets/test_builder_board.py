"""Results that explain themselves (issue 22, item 2): the builder's leaderboard names each
candidate's steps and parameters, says what it ranks by and marks the best; Evaluate saves
the best model and offers the next steps as cells."""

from __future__ import annotations

import pytest
from sklearn.datasets import load_iris

from stratum_jupyter import PipelineBuilder, load_model
from stratum_jupyter.evaluation import cluster as clusters
from stratum_jupyter.evaluation import inprocess
from stratum_jupyter.widgets.board import next_steps

from .test_builder import _with_steps


@pytest.fixture
def in_process(monkeypatch):
    """The evaluation stays in this process (no cluster started for two small candidates)."""
    monkeypatch.delenv("STRATUM_SCHEDULER", raising=False)
    monkeypatch.setattr(inprocess, "START_S", 1e9)
    clusters.close_local()
    yield
    assert clusters.local_state() == "stopped"


def _two_candidates(tmp_path) -> PipelineBuilder:
    builder = _with_steps(PipelineBuilder(), ("StandardScaler", {}),
                          ("LogisticRegression", {"C": "0.01, 1", "max_iter": "500"}))
    form = builder.form
    form["candidates"].append({"name": "tree", "steps": [
        {"block": "DecisionTreeClassifier", "params": {"max_depth": "1"}}]})
    form["evaluation"].update(metrics=["accuracy", "f1_macro"], select_by="f1_macro", cv="3")
    builder.form = {**form}
    builder.out_dir = str(tmp_path / "runs")
    return builder


@pytest.mark.slow
def test_the_leaderboard_names_steps_params_ranking_and_best(in_process, tmp_path):
    X, y = load_iris(return_X_y=True, as_frame=True)
    builder = _two_candidates(tmp_path)
    assert builder.issues == []
    builder.evaluate(X, y)
    board = builder.leaderboard
    assert board["state"] == "done" and board["ranked_by"] == "f1_macro"
    assert board["columns"][:4] == ["rank", "candidate", "steps", "params"]
    rows = {r[1]: dict(zip(board["columns"], r, strict=True)) for r in board["rows"]}
    assert rows["logreg"]["steps"] == "StandardScaler \u2192 LogisticRegression"
    assert rows["tree"]["steps"] == "DecisionTreeClassifier" and rows["tree"]["params"] == "-"
    assert sorted(r[3] for r in board["rows"] if r[1] == "logreg") == ["C=0.01", "C=1"]
    assert "__" not in str(board["rows"])
    assert "error" not in board["columns"]  # nothing failed: no empty column
    best = board["rows"][board["best_row"]]
    assert best[1] == board["best"]["candidate"] == "logreg"
    assert board["best"]["metric"] == "f1_macro" and board["best"]["params"] == "C=1"

    # The best model is saved where the builder says, and loads back.
    assert board["model_dir"] == str(tmp_path / "runs" / "best")
    assert load_model(board["model_dir"]).predict(X.head(3)).shape == (3,)
    status = builder.status["message"]
    assert status.startswith("evaluation done: best is logreg (StandardScaler \u2192 "
                             "LogisticRegression; C=1), f1_macro ")
    assert status.endswith(f"saved to {board['model_dir']}")
    codes = {step["id"]: step["code"] for step in board["next"]}
    assert codes["deploy"] == (f"%stratum_deploy {board['model_dir']} --target local "
                               "--out deploy/logreg --apply")
    assert codes["monitor"] == "%stratum_monitor --kernel --services deploy/logreg"
    # The notebook keeps the finished leaderboard (widgets/state.py).
    assert builder.saved["leaderboard"]["best"]["candidate"] == "logreg"


def test_next_steps_quote_paths_and_offer_a_report_only_where_it_exists():
    steps = next_steps("my runs/best", "Forest 1", report=False)
    assert [s["id"] for s in steps] == ["deploy", "monitor"]
    assert steps[0]["code"] == ("%stratum_deploy 'my runs/best' --target local "
                                "--out deploy/forest-1 --apply")
    report = next_steps("runs/x/best", "knn", report=True)[-1]
    assert report == {"id": "report", "label": report["label"],
                      "code": "%stratum_report runs/x"}
