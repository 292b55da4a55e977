"""The task graph: grid expansion and which prefixes are shared."""

from __future__ import annotations

import pytest

from stratum_jupyter.errors import EvaluationError
from stratum_jupyter.evaluation.plan import (
    build_plan,
    candidates_from_mapping,
    candidates_from_spec,
    expand,
)
from stratum_jupyter.spec import load_spec


def test_equal_prefixes_shared_different_functions_not():
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    sources = candidates_from_mapping({
        "double": (make_pipeline(FunctionTransformer(lambda x: x * 2), LogisticRegression()),
                   {"logisticregression__C": [1.0, 2.0]}),
        "triple": (make_pipeline(FunctionTransformer(lambda x: x * 3), LogisticRegression()),
                   {"logisticregression__C": [1.0, 2.0]}),
        "pca": (make_pipeline(StandardScaler(), PCA(), LogisticRegression()),
                {"pca__n_components": [2, 3], "logisticregression__C": [1.0, 2.0]}),
    })
    plan = build_plan(expand(sources))
    assert len(plan.configs) == 8 and len(plan.leaves) == 8
    steps = sorted(n.step for n in plan.nodes.values())
    # Two different lambdas stay apart; one scaler and two PCAs serve the 4 pca configs.
    assert steps == ["functiontransformer", "functiontransformer", "pca", "pca",
                     "standardscaler"]
    assert plan.saved_fits == (2 - 1) + (2 - 1) + (8 - 3)


def test_spec_candidates_and_random_search():
    spec = load_spec({"version": 1, "task": "classification",
                      "evaluation": {"random_state": 0},
                      "candidates": [
                          {"name": "a", "steps": [{"StandardScaler": {}},
                                                  {"LogisticRegression": {"C": [1.0, 2.0]}}]},
                          {"name": "b", "search": "random", "n_iter": 50,
                           "steps": [{"LogisticRegression": {"C": [0.1, 1.0, 10.0]}}]}]})
    configs = expand(candidates_from_spec(spec), 0)
    assert [c.candidate for c in configs] == ["a", "a", "b", "b", "b"]  # n_iter capped
    assert configs[0].params == {"logisticregression__C": 1.0}
    assert configs[0].label == "a C=1.0"


def test_bad_candidates_are_named():
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(EvaluationError, match=r"candidates\['x'\]: expected \(pipeline"):
        candidates_from_mapping({"x": (LogisticRegression(), {}, {})})
    with pytest.raises(EvaluationError, match="allowed: 'grid', 'random', 'halving', 'bayes'"):
        candidates_from_mapping({"x": LogisticRegression()}, search="tpe")
    with pytest.raises(EvaluationError, match="nothing to evaluate"):
        expand([])
