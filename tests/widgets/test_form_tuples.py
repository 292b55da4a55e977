"""The builder's form and tuple parameters: a field typed ``1, 2`` is one value, passed to
the estimator as the tuple ``(1, 2)``; ``[1, 1], [1, 2]`` is a grid axis of two."""

from __future__ import annotations

from stratum_jupyter.spec import collect_issues, validate_spec
from stratum_jupyter.spec.pipeline import pipeline_steps
from stratum_jupyter.widgets.form import empty_form, form_to_spec, spec_to_form


def _form(ngram: str, scaler: str) -> dict:
    form = empty_form("classification")
    form["candidates"][0]["steps"] = [
        {"block": "TfidfVectorizer", "params": {"ngram_range": ngram}},
        {"block": "MinMaxScaler", "params": {"feature_range": scaler}},
        {"block": "LogisticRegression", "params": {}}]
    return form


def test_typed_tuples_become_one_value_or_an_axis():
    spec = form_to_spec(_form("[1, 1], [1, 2]", "-1, 1"))
    steps = spec["candidates"][0]["steps"]
    assert steps[0] == {"TfidfVectorizer": {"ngram_range": [[1, 1], [1, 2]]}}
    assert steps[1] == {"MinMaxScaler": {"feature_range": [-1, 1]}}
    tfidf, scaler, _ = pipeline_steps(validate_spec(spec).candidates[0])
    assert tfidf.grid == {"tfidfvectorizer__ngram_range": [(1, 1), (1, 2)]}
    assert scaler.params == {"feature_range": (-1, 1)}
    again = spec_to_form(spec)["candidates"][0]["steps"]
    assert again[1]["params"] == {"feature_range": "-1, 1"}
    assert form_to_spec(spec_to_form(spec)) == spec


def test_a_wrong_tuple_typed_in_the_form_is_named_in_place():
    (issue,) = collect_issues(form_to_spec(_form("1, 2", "0, 0.5, 1")))
    assert issue.field == "candidates[0].steps[1].MinMaxScaler.feature_range"
    assert issue.message.endswith("feature_range of MinMaxScaler takes 2 values, like its "
                                  "default [0, 1]; got 3")
