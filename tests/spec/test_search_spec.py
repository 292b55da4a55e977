"""Search distributions in step parameters and the search settings: what the spec accepts,
what it refuses (naming the field and what is allowed), and what the candidates carry."""

from __future__ import annotations

import json

import pytest

from stratum_jupyter.errors import SpecError
from stratum_jupyter.spec import load_spec
from stratum_jupyter.spec.io import dump_yaml, parse_text
from stratum_jupyter.spec.search import Distribution

LOG_C = {"low": 0.01, "high": 10, "log": True}


def _spec(params=None, search="random", block="LogisticRegression", **evaluation):
    return {"version": 1, "task": "classification", "data": {"source": "sklearn:iris"},
            "evaluation": {"search": search, **evaluation},
            "candidates": [{"name": "a", "steps": [{block: params or {"C": LOG_C}}]}]}


def _issues(data) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_spec(data)
    return [str(issue) for issue in info.value.issues]


@pytest.mark.parametrize("search", ["random", "halving", "bayes"])
def test_a_distribution_is_accepted_where_a_strategy_draws(search):
    spec = load_spec(_spec(search=search))
    step = spec.candidates[0].steps[0]
    assert step.distributions() == {"C": Distribution(0.01, 10, log=True)}
    assert step.fixed_params() == {}


def test_a_distribution_with_grid_search_is_refused_naming_the_remedies():
    (issue,) = _issues(_spec(search="grid"))
    assert issue.startswith("candidates[0].steps[0].LogisticRegression.C: a distribution "
                            "needs search: random, halving or bayes, or write a list")


def test_a_candidate_search_overrides_for_its_distributions():
    data = _spec(search="grid")
    data["candidates"][0]["search"] = "bayes"
    assert load_spec(data).search_for(load_spec(data).candidates[0])[0] == "bayes"
    data["evaluation"]["search"], data["candidates"][0]["search"] = "random", "grid"
    assert "needs search: random, halving or bayes" in _issues(data)[0]


@pytest.mark.parametrize(("block", "params", "field", "words"), [
    ("LogisticRegression", {"C": {"low": 0, "high": 10}}, "C.low", "range (0.0, inf]"),
    ("RandomForestClassifier", {"max_depth": {"low": 0, "high": 8}}, "max_depth.low",
     "[1, inf)"),
    ("RandomForestClassifier", {"max_depth": {"low": 1.5, "high": 8}}, "max_depth",
     "takes integers"),
    ("RandomForestClassifier", {"max_features": {"low": 0.1, "high": 2.5}},
     "max_features.high", "not allowed"),
    ("LogisticRegression", {"C": {"low": 1, "high": 0.5}}, "C", "low < high"),
    ("LogisticRegression", {"C": {"low": 1, "high": float("inf")}}, "C", "finite"),
    ("LogisticRegression", {"C": {"low": 1, "high": 5, "scale": 2}}, "C",
     "{low: <number>, high: <number>"),
    ("LogisticRegression", {"C": {"low": 0.1, "high": 1, "log": True, "step": 0.1}}, "C",
     "step"),
    ("LogisticRegression", {"penalty": {"low": 1, "high": 2}}, "penalty",
     "a search distribution is for a numeric parameter"),
])
def test_a_distribution_is_checked_against_the_estimators_constraints(block, params, field,
                                                                       words):
    (issue,) = _issues(_spec(params, block=block))
    assert issue.startswith(f"candidates[0].steps[0].{block}.{field}: ")
    assert words in issue


def test_a_mapping_the_parameter_takes_is_not_a_distribution():
    for weights in ({0: 1, 1: 3}, {"low": 1, "high": 3}):  # classes named low and high
        spec = load_spec(_spec({"class_weight": weights}, search="grid"))
        step = spec.candidates[0].steps[0]
        assert step.fixed_params() == {"class_weight": weights}
        assert step.grid_axes() == {}


def test_the_mapping_round_trips_as_written():
    spec = load_spec(_spec({"C": LOG_C, "tol": {"low": 1e-5, "high": 1e-3},
                            "max_iter": {"low": 100, "high": 500, "step": 100}}))
    data = spec.to_dict()
    params = data["candidates"][0]["steps"][0]["LogisticRegression"]
    assert params == {"C": LOG_C, "tol": {"low": 1e-5, "high": 1e-3},
                      "max_iter": {"low": 100, "high": 500, "step": 100}}
    assert load_spec(parse_text(dump_yaml(data))).to_dict() == data
    assert load_spec(json.loads(json.dumps(data))).to_dict() == data
    grid = spec.candidates[0].steps[0].distributions()
    assert grid["max_iter"].integer and not grid["tol"].integer


def test_the_candidate_grid_carries_distributions_that_random_search_draws_from():
    from sklearn.model_selection import ParameterSampler

    from stratum_jupyter.evaluation.plan import candidates_from_spec, expand

    spec = load_spec(_spec({"C": LOG_C, "max_iter": {"low": 50, "high": 400},
                            "solver": ["lbfgs", "newton-cg"]}, n_iter=6, random_state=7))
    (source,) = candidates_from_spec(spec)
    assert source.grid["logisticregression__C"] == Distribution(0.01, 10, log=True)
    configs = expand([source], random_state=7)
    scipy_grid = {key: value.to_scipy() if isinstance(value, Distribution) else value
                  for key, value in source.grid.items()}
    expected = list(ParameterSampler(scipy_grid, 6, random_state=7))
    assert [c.params for c in configs] == expected
    assert len({c.params["logisticregression__C"] for c in configs}) == 6
    assert type(configs[0].params["logisticregression__C"]) is float  # labels read C=0.44
    assert type(configs[0].params["logisticregression__max_iter"]) is int
    assert all(0.01 <= c.params["logisticregression__C"] <= 10 for c in configs)
    assert all(isinstance(c.params["logisticregression__max_iter"], int | float)
               and 50 <= c.params["logisticregression__max_iter"] <= 400 for c in configs)


def test_distributions_map_to_optuna_for_bayes():
    from optuna.distributions import FloatDistribution, IntDistribution

    spec = load_spec(_spec({"C": LOG_C, "max_iter": {"low": 100, "high": 500, "step": 100}},
                           search="bayes"))
    dists = spec.candidates[0].steps[0].distributions()
    assert dists["C"].to_optuna() == FloatDistribution(0.01, 10.0, log=True)
    assert dists["max_iter"].to_optuna() == IntDistribution(100, 500, step=100)


@pytest.mark.parametrize(("evaluation", "field", "words"), [
    ({"n_trials": 20}, "evaluation.n_trials", "n_trials is for search: bayes"),
    ({"search": "bayes", "n_iter": 5}, "evaluation.n_iter",
     "search: random or halving"),
    ({"bayes": {"pruning": False}}, "evaluation.bayes", "bayes is for search: bayes"),
    ({"search": "bayes", "halving": {"factor": 2}}, "evaluation.halving",
     "halving is for search: halving"),
    ({"search": "halving", "halving": {"min_resources": 90, "max_resources": 30}},
     "evaluation.halving.min_resources", "more than max_resources 30"),
    ({"search": "halving", "halving": {"factor": 1}}, "evaluation.halving.factor",
     "greater than 1"),
    ({"search": "halving", "budget": "ten minutes"}, "evaluation.budget",
     "a time such as 90s, 10m"),
    ({"search": "halving", "budget": 0}, "evaluation.budget", "more than 0 seconds"),
    ({"search": "optuna"}, "evaluation.search", "'grid', 'random', 'halving' or 'bayes'"),
])
def test_search_settings_are_checked(evaluation, field, words):
    data = _spec({"C": [0.1, 1.0]}, **{"search": "random", **evaluation})
    issues = _issues(data)
    assert any(i.startswith(f"{field}: ") and words in i for i in issues), issues


def test_candidate_n_iter_needs_a_strategy_that_draws():
    data = _spec({"C": [0.1, 1.0]}, search="grid")
    data["candidates"][0]["n_iter"] = 3
    (issue,) = _issues(data)
    assert issue.startswith("candidates[0].n_iter: n_iter is the number of draws")
    assert "this candidate's search is grid" in issue


def test_halving_resource_names_the_iteration_parameters_allowed():
    data = _spec({"max_depth": [2, 4]}, search="halving", block="RandomForestClassifier",
                 halving={"resource": "n_estimator"})
    (issue,) = _issues(data)
    assert issue.startswith("evaluation.halving.resource: 'n_estimator' is not an iteration "
                            "parameter of every halving candidate's final estimator")
    assert "allowed: auto, n_samples, n_estimators" in issue
    assert "did you mean 'n_estimators'" in issue
    data["evaluation"]["halving"]["resource"] = "n_estimators"
    assert load_spec(data).evaluation.halving.resource == "n_estimators"
    data["candidates"][0]["steps"][0]["RandomForestClassifier"]["n_estimators"] = [10, 50]
    (issue,) = _issues(data)
    assert "n_estimators is searched in RandomForestClassifier" in issue


def test_halving_resource_must_be_shared_by_every_halving_candidate():
    data = _spec({"max_depth": [2, 4]}, search="halving", block="RandomForestClassifier",
                 halving={"resource": "n_estimators"})
    data["candidates"].append({"name": "lr", "steps": [{"LogisticRegression": {}}]})
    (issue,) = _issues(data)
    assert "(LogisticRegression)" in issue and "allowed: auto, n_samples" in issue
    data["candidates"][1]["search"] = "grid"  # not searched by halving: not concerned
    assert load_spec(data).evaluation.halving.resource == "n_estimators"


def test_budget_forms_and_seconds():
    for written, seconds in (("10m", 600), ("90s", 90), ("1h30m", 5400), (45, 45)):
        spec = load_spec(_spec(search="bayes", budget=written, n_trials=30))
        assert spec.evaluation.budget_seconds == seconds
        assert spec.to_dict()["evaluation"]["budget"] == written


def test_a_distribution_is_one_value_too_many_for_a_stacking_final_estimator():
    data = _spec({"C": [0.1, 1.0]})
    data["evaluation"]["ensemble"] = {"method": "stacking", "final_estimator": {
        "LogisticRegression": {"C": LOG_C}}}
    assert any("the final estimator takes one value" in i for i in _issues(data))


def test_the_schema_shows_the_distribution_and_the_search_settings():
    from stratum_jupyter.spec import json_schema

    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema()
    dist = schema["$defs"]["Distribution"]
    assert dist["required"] == ["low", "high"] and set(dist["properties"]) == {
        "low", "high", "log", "step"}
    assert "Distribution" in schema["$defs"]["Step"]["description"]
    jsonschema.validate(LOG_C, dist)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"low": 1, "hi": 2}, dist)
    ev = schema["$defs"]["EvaluationSpec"]["properties"]
    assert {"search", "n_iter", "n_trials", "budget", "halving", "bayes"} <= set(ev)
    jsonschema.validate(_spec(search="bayes", n_trials=5, budget="2m"), schema)


def test_the_documented_example_is_a_valid_spec():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "spec.md").read_text("utf-8")
    section = text[text.index("## Searching: `evaluation.search`"):]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    spec = load_spec("version: 1\ntask: classification\ndata: {source: 'sklearn:iris'}\n"
                     + example)
    assert [spec.search_for(c)[0] for c in spec.candidates] == ["bayes", "random"]
    assert spec.evaluation.budget_seconds == 600
    forest = spec.candidates[1].steps[0].distributions()["n_estimators"]
    assert forest.integer and (forest.low, forest.high) == (50, 400)


def test_stratum_validate_says_what_each_search_starts_from():
    from stratum_jupyter.commands.validate import run

    data = _spec({"C": [0.1, 1.0]}, search="grid")
    assert ", 2 configuration(s), metrics" in run(load_spec(data))
    data["candidates"].append({"name": "b", "search": "random", "n_iter": 7, "steps": [
        {"LogisticRegression": {"C": LOG_C}}]})
    data["evaluation"].update(search="bayes", n_trials=12)
    assert "7 configuration(s) by random, 12 bayes trial(s)" in run(load_spec(data))
