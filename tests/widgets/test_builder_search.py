"""The builder's search settings and distribution syntax: halving and bayes with their
settings, ``{low: 0.01, high: 10, log: true}`` typed in a parameter field, both ways
between the form and the spec."""

from __future__ import annotations

import copy

import pytest

from stratum_jupyter import PipelineBuilder, load_spec
from stratum_jupyter.widgets.builder import catalog_payload
from stratum_jupyter.widgets.form import format_value, parse_value, spec_to_form

from .test_builder import _issue, _with_steps


def _searching(builder: PipelineBuilder, **evaluation: str) -> PipelineBuilder:
    form = copy.deepcopy(builder.form)
    form["evaluation"].update(evaluation)
    builder.form = form
    return builder


def test_the_search_choice_offers_halving_and_bayes_with_their_settings():
    payload = catalog_payload("classification")
    assert payload["searches"] == ["grid", "random", "halving", "bayes"]
    settings = payload["search_settings"]
    assert list(settings) == payload["searches"]
    assert settings["halving"] == ["n_iter", "halving_factor", "budget"]
    assert settings["bayes"] == ["n_trials", "budget"]
    form = PipelineBuilder().form["evaluation"]
    assert all(key in form for keys in settings.values() for key in keys)  # form fields


@pytest.mark.parametrize("text", ["{low: 0.01, high: 10, log: true}",
                                  "{low: 1, high: 20}", "{low: 0.1, high: 0.9, step: 0.1}"])
def test_a_distribution_is_typed_as_the_spec_writes_it(text):
    value = parse_value(text)
    assert isinstance(value, dict) and {"low", "high"} <= set(value)
    assert format_value(value) == text and parse_value(format_value(value)) == value


def test_a_typed_distribution_with_bayes_makes_the_spec():
    builder = _with_steps(PipelineBuilder(), ("LogisticRegression", {
        "C": "{low: 0.01, high: 10, log: true}", "penalty": "l1, l2", "solver": "saga"}))
    _searching(builder, search="bayes", n_trials="15", budget="2m")
    assert builder.issues == []
    spec = builder.spec
    assert spec.candidates[0].steps[0].params["C"] == {"low": 0.01, "high": 10, "log": True}
    assert (spec.evaluation.search, spec.evaluation.n_trials, spec.evaluation.budget) == (
        "bayes", 15, "2m")
    assert "C: {low: 0.01, high: 10, log: true}" in builder.to_yaml()
    assert load_spec(builder.to_yaml()).to_dict() == spec.to_dict()


def test_a_distribution_with_grid_search_is_an_issue_at_the_field():
    builder = _with_steps(PipelineBuilder(), ("LogisticRegression", {
        "C": "{low: 0.01, high: 10, log: true}"}))
    issue = _issue(builder, "candidates[0].steps[0].LogisticRegression.C")
    assert "a distribution needs search: random, halving or bayes" in issue["message"]
    _searching(builder, search="random", n_iter="5")
    assert builder.issues == []
    _with_steps(builder, ("LogisticRegression", {"C": "{low: 0, high: 10}"}))
    issue = _issue(builder, "candidates[0].steps[0].LogisticRegression.C.low")
    assert "must be a float in the range (0.0, inf]" in issue["message"]


def test_halving_settings_and_the_ones_the_form_does_not_edit_round_trip():
    spec = {"version": 1, "task": "classification",
            "evaluation": {"search": "halving", "n_iter": 8, "budget": "5m",
                           "halving": {"factor": 2, "resource": "n_estimators",
                                       "min_resources": 10}},
            "candidates": [{"name": "forest", "steps": [{"RandomForestClassifier": {
                "max_depth": {"low": 2, "high": 12}}}]}]}
    builder = PipelineBuilder(spec=spec)
    assert builder.issues == []
    ev = builder.form["evaluation"]
    assert (ev["search"], ev["n_iter"], ev["budget"], ev["halving_factor"]) == (
        "halving", "8", "5m", "2")
    assert builder.form["candidates"][0]["steps"][0]["params"]["max_depth"] == \
        "{low: 2, high: 12}"
    assert builder.spec_dict() == spec
    _searching(builder, halving_factor="4")
    assert builder.spec.evaluation.halving.factor == 4
    assert builder.spec.evaluation.halving.resource == "n_estimators"
    _searching(builder, halving_factor="1")
    assert _issue(builder, "evaluation.halving.factor")


def test_a_bayes_spec_stays_bayes_in_the_form():
    form = spec_to_form({"version": 1, "task": "regression",
                         "evaluation": {"search": "bayes", "n_trials": 30},
                         "candidates": [{"name": "r", "steps": ["Ridge"]}]})
    assert form["evaluation"]["search"] == "bayes" and form["evaluation"]["n_trials"] == "30"
