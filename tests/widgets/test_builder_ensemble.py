"""The builder's ensemble setting: offered per task, form <-> spec (what the form does not
edit kept), and the builder's leaderboard showing the ensemble with its members."""

from __future__ import annotations

import copy

import pytest

from stratum_jupyter import PipelineBuilder
from stratum_jupyter.widgets.builder import catalog_payload
from stratum_jupyter.widgets.form import empty_form, form_to_spec, spec_to_form


def test_offered_for_classification_and_regression_only():
    assert catalog_payload("classification")["ensembles"] == [
        "soft_voting", "hard_voting", "stacking"]
    assert catalog_payload("clustering")["ensembles"] == []


def test_form_and_spec_both_ways():
    form = empty_form()
    assert "ensemble" not in form_to_spec(form)["evaluation"]  # off by default
    form["evaluation"].update(ensemble="hard_voting", ensemble_k="2")
    assert form_to_spec(form)["evaluation"]["ensemble"] == {"method": "hard_voting", "k": 2}
    spec = {"version": 1, "task": "classification",
            "evaluation": {"ensemble": {"method": "stacking", "cv": 3, "members":
                                        "top_configurations"}},
            "candidates": [{"name": "a", "steps": [{"LogisticRegression": {}}]}]}
    back = form_to_spec(spec_to_form(copy.deepcopy(spec)))
    assert back["evaluation"]["ensemble"] == spec["evaluation"]["ensemble"]


@pytest.mark.slow
def test_builder_leaderboard_lists_the_members(client):
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True, as_frame=True)
    builder = PipelineBuilder()
    form = copy.deepcopy(builder.form)
    form["evaluation"].update(cv="3", ensemble="soft_voting", ensemble_k="2")
    form["candidates"] = [
        {"name": "logreg", "steps": [{"block": "LogisticRegression",
                                      "params": {"C": "0.1, 1", "max_iter": "500"}}]},
        {"name": "nb", "steps": [{"block": "GaussianNB", "params": {}}]}]
    builder.form = form
    result = builder.evaluate(X, y, client=client)
    board = builder.leaderboard
    assert board["state"] == "done" and "members" in board["columns"]
    rows = [dict(zip(board["columns"], row, strict=True)) for row in board["rows"]]
    (ensemble,) = [r for r in rows if r["candidate"] == "ensemble (soft voting)"]
    assert ensemble["members"] == "; ".join(result.results[-1].config.members)
    assert len(ensemble["members"].split("; ")) == 2
