"""evaluation.ensemble: defaults, every mistake named by its field, the JSON Schema."""

from __future__ import annotations

import copy

import pytest

from stratum_jupyter.spec import json_schema, validate_spec
from stratum_jupyter.spec.validate import collect_issues

BASE = {"version": 1, "task": "classification", "data": {"source": "sklearn:iris"},
        "candidates": [{"name": "a", "steps": ["LogisticRegression"]}]}


def _issues(ensemble, task="classification"):
    data = copy.deepcopy(BASE)
    data["task"] = task
    if task == "clustering":
        data["candidates"] = [{"name": "a", "steps": ["KMeans"]}]
    data["evaluation"] = {"ensemble": ensemble}
    return [(".".join(map(str, i.path)), i.message) for i in collect_issues(data)]


def test_off_by_default_and_defaults():
    assert validate_spec(BASE).evaluation.ensemble is None
    data = copy.deepcopy(BASE)
    data["evaluation"] = {"ensemble": {}}
    ens = validate_spec(data).evaluation.ensemble
    assert (ens.method, ens.k, ens.members, ens.final_estimator, ens.cv) == (
        "soft_voting", 3, "best_per_candidate", None, 5)
    assert validate_spec(data).to_dict()["evaluation"] == {"ensemble": {}}


def test_stacking_with_a_final_estimator_is_valid():
    assert _issues({"method": "stacking", "k": 4, "members": "top_configurations",
                    "final_estimator": {"LogisticRegression": {"C": 0.5}}}) == []


@pytest.mark.parametrize(("ensemble", "path", "words"), [
    ({"method": "averaging"}, "evaluation.ensemble.method", "not supported"),
    ({"k": 1}, "evaluation.ensemble.k", "greater than or equal to 2"),
    ({"members": "all"}, "evaluation.ensemble.members", "not supported"),
    ({"kk": 2}, "evaluation.ensemble.kk", "unknown field"),
    ({"final_estimator": {"LogisticRegression": {}}}, "evaluation.ensemble.final_estimator",
     "for method: stacking"),
    ({"method": "stacking", "final_estimator": {"RidgeCV": {}}},
     "evaluation.ensemble.final_estimator", "is a regressor"),
    ({"method": "stacking", "final_estimator": {"LogisticRegresion": {}}},
     "evaluation.ensemble.final_estimator", "unknown block"),
    ({"method": "stacking", "final_estimator": {"LogisticRegression": {"C": [1, 2]}}},
     "evaluation.ensemble.final_estimator.LogisticRegression.C", "not a grid axis"),
    ({"method": "stacking", "final_estimator": {"LogisticRegression": {"C": -1}}},
     "evaluation.ensemble.final_estimator.LogisticRegression.C", "not allowed"),
])
def test_mistakes_name_the_field(ensemble, path, words):
    issues = _issues(ensemble)
    assert any(p == path and words in m for p, m in issues), issues


def test_clustering_has_no_ensemble():
    assert any("not for clustering" in m for _, m in _issues({}, task="clustering"))


def test_schema_documents_the_ensemble():
    schema = json_schema()
    ensemble = schema["$defs"]["EnsembleSpec"]["properties"]
    assert set(ensemble) == {"method", "k", "members", "final_estimator", "cv"}
    assert ensemble["method"]["enum"] == ["soft_voting", "hard_voting", "stacking"]
