"""The builder's state as the notebook keeps it (widgets/state.py): what ``saved`` holds,
and which saved state a builder displayed again takes back (the browser side, the cell
metadata, is tests/browser/test_builder_state.py)."""

from __future__ import annotations

import copy
import json

from stratum_jupyter import PipelineBuilder
from stratum_jupyter.widgets.state import MAX_ROWS, VERSION, origin

from .test_builder import _with_steps


def _built() -> PipelineBuilder:
    builder = _with_steps(PipelineBuilder(task="classification"),
                          ("StandardScaler", {}), ("LogisticRegression", {"C": "0.1, 1"}))
    form = copy.deepcopy(builder.form)
    form["data"].update(source="csv:penguins.csv", target="species", drop=["sex"])
    builder.form = form
    builder.data_vars = "features labels"
    return builder


def test_saved_follows_every_change_and_is_json():
    builder = PipelineBuilder(task="classification")
    assert builder.saved["version"] == VERSION
    assert builder.saved["origin"] == origin(PipelineBuilder(task="classification").form)
    built = _built()
    saved = json.loads(json.dumps(built.saved))
    assert saved["form"] == built.form and saved["data_vars"] == "features labels"
    assert saved["origin"] == builder.saved["origin"]  # started the same way
    assert "leaderboard" not in saved
    built.leaderboard = {"state": "running", "columns": ["candidate"], "rows": [["a"]]}
    assert "leaderboard" not in built.saved  # not a result to come back to
    rows = [[f"c{i}", 0.5] for i in range(MAX_ROWS + 5)]
    built.leaderboard = {"state": "done", "columns": ["candidate", "accuracy"], "rows": rows}
    assert built.saved["leaderboard"]["rows"] == rows[:MAX_ROWS]


def test_a_fresh_builder_started_the_same_way_takes_the_saved_state():
    saved = json.loads(json.dumps({**_built().saved, "leaderboard": {
        "state": "done", "columns": ["candidate"], "rows": [["logreg"]]}}))
    again = PipelineBuilder(task="classification")
    assert again.restore_state(saved) is True
    assert again.form == saved["form"] and again.data_vars == "features labels"
    assert again.spec.data.source == "csv:penguins.csv"
    assert again.leaderboard["rows"] == [["logreg"]] and again.leaderboard["restored"]
    assert again.status["message"].startswith("restored from this notebook: 1 candidate(s), "
                                              "2 step(s), data csv:penguins.csv")
    assert again.saved["form"] == saved["form"]  # and the notebook keeps it so
    assert again.restore_state(PipelineBuilder().saved) is False  # taken once only


def test_the_code_wins_when_it_changed_or_the_builder_was_changed():
    saved = _built().saved
    regression = PipelineBuilder(task="regression")
    assert regression.restore_state(saved) is False
    assert regression.form["task"] == "regression" and not regression.form["data"]["source"]
    assert "starts the builder differently" in regression.status["message"]

    changed = _with_steps(PipelineBuilder(task="classification"), ("SVC", {}))
    assert changed.restore_state(saved) is False  # set from code before the view asked
    assert changed.form["candidates"][0]["steps"][0]["block"] == "SVC"

    old = PipelineBuilder(task="classification")
    assert old.restore_state({**saved, "version": 99}) is False
    assert "version 99" in old.status["message"]
    broken = PipelineBuilder(task="classification")
    assert broken.restore_state({"version": VERSION, "origin": saved["origin"],
                                 "form": {"candidates": "?"}}) is False
    assert "not readable" in broken.status["message"]
    nothing = PipelineBuilder(task="classification")
    assert nothing.restore_state(None) is False and not nothing.status


def test_two_builders_keep_their_own_state_and_restore_is_a_message():
    first, second = _built(), PipelineBuilder(task="classification")
    second = _with_steps(second, ("RandomForestClassifier", {"n_estimators": "50"}),
                         name="forest")
    a, b = PipelineBuilder(task="classification"), PipelineBuilder(task="classification")
    a.handle_message({"event": "restore", "state": first.saved})
    b.handle_message({"event": "restore", "state": second.saved})
    assert a.form["candidates"][0]["name"] == "logreg"
    assert b.form["candidates"][0]["name"] == "forest"
    assert a.saved["form"] != b.saved["form"]


def test_from_cell_builders_restore_against_their_spec():
    spec = {"version": 1, "task": "classification",
            "candidates": [{"name": "knn", "steps": [{"KNeighborsClassifier": {}}]}]}
    edited = PipelineBuilder(spec=spec)
    edited = _with_steps(edited, ("KNeighborsClassifier", {"n_neighbors": "3, 5"}),
                         name="knn")
    again = PipelineBuilder(spec=spec)
    assert again.restore_state(edited.saved) is True
    assert again.spec.candidates[0].steps[0].params == {"n_neighbors": [3, 5]}
    assert PipelineBuilder(task="classification").restore_state(edited.saved) is False


def test_the_restored_result_offers_its_next_steps_only_while_its_model_is_saved(
        tmp_path, monkeypatch):
    """In a new kernel the evaluation itself is gone (``builder.result`` is None); what the
    next steps need is the model it saved: a restored builder offers them, and
    ``saved_model`` names that folder, only while the folder still holds that model."""
    import shutil

    from sklearn.datasets import load_iris

    from stratum_jupyter.bundle import load_model
    from stratum_jupyter.evaluation import cluster as clusters
    from stratum_jupyter.evaluation import inprocess

    # Not a test of the cluster: the evaluation stays in this process, none is started.
    monkeypatch.delenv("STRATUM_SCHEDULER", raising=False)
    monkeypatch.setattr(inprocess, "START_S", 1e9)
    clusters.close_local()

    X, y = load_iris(return_X_y=True, as_frame=True)
    ran = _with_steps(PipelineBuilder(task="classification"), ("StandardScaler", {}),
                      ("LogisticRegression", {"C": "0.1, 1", "max_iter": "500"}))
    ran.out_dir = str(tmp_path / "runs")
    ran.evaluate(X, y)
    folder = ran.leaderboard["model_dir"]
    assert folder == str(tmp_path / "runs" / "best") and ran.saved_model == folder
    kept = json.loads(json.dumps(ran.saved))  # what the cell's metadata holds

    def restored() -> PipelineBuilder:
        again = PipelineBuilder(task="classification")  # the same code, a new kernel
        assert again.restore_state(kept) is True
        assert again.result is None and again.leaderboard["restored"]
        return again

    again = restored()
    assert again.saved_model == folder
    assert [s["id"] for s in again.leaderboard["next"]] == [s["id"] for s in
                                                           ran.leaderboard["next"]]
    assert folder in again.leaderboard["next"][0]["code"]  # the deploy cell
    assert again.status["message"].endswith(f"its model in {folder}")
    model = load_model(again.saved_model)
    assert (model.predict(X) == ran.result.best.model.predict(X)).all()

    profile = json.loads((tmp_path / "runs" / "best" / "profile.json").read_text())
    (tmp_path / "runs" / "best" / "profile.json").write_text(json.dumps(
        {**profile, "candidate": "another"}))
    other = restored()
    assert other.saved_model is None and other.leaderboard["next"] == []
    assert other.leaderboard["unsaved"].startswith(f"{folder} now holds another model "
                                                   "(another, not logreg); press Evaluate")

    shutil.rmtree(tmp_path / "runs")
    gone = restored()
    assert gone.saved_model is None and gone.leaderboard["next"] == []
    assert gone.leaderboard["model_dir"] == "" and gone.leaderboard["best"]["candidate"] == \
        "logreg"  # the leaderboard itself still reads
    assert gone.leaderboard["unsaved"] == (f"the model this leaderboard saved to {folder} is "
                                           "no longer there; press Evaluate to train and "
                                           "save it again")
    assert "not its model: the model this leaderboard saved to" in gone.status["message"]
    assert gone.saved["leaderboard"]["next"] == []  # and the notebook keeps it so
    assert clusters.local_state() == "stopped"
