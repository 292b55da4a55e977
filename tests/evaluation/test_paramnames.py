"""Every leaderboard names parameters as the spec does (``C``, not
``logisticregression__C``), and ``step.param`` where two steps share a name."""

from __future__ import annotations

from sklearn.datasets import load_iris

from stratum_jupyter import evaluate
from stratum_jupyter.evaluation.paramnames import params_text, short_names


def test_short_names_keep_just_enough_to_be_told_apart():
    assert short_names({"pca__n_components": 2, "logisticregression__C": 1.0}) == {
        "n_components": 2, "C": 1.0}
    assert list(short_names({"simpleimputer__strategy": "mean",
                             "kbinsdiscretizer__strategy": "uniform", "svc__C": 1})) == [
        "simpleimputer.strategy", "kbinsdiscretizer.strategy", "C"]
    nested = {"preprocessing__numeric__simpleimputer__strategy": "median",
              "preprocessing__categorical__simpleimputer__strategy": "most_frequent"}
    assert list(short_names(nested)) == ["numeric.simpleimputer.strategy",
                                         "categorical.simpleimputer.strategy"]
    assert short_names({"max_iter": 5}) == {"max_iter": 5}  # an estimator's own grid
    assert short_names({"a__x": 1, "b__a__x": 2}) == {"a.x": 1, "b.a.x": 2}
    assert params_text({}) == "-"


def test_the_dataframe_the_text_log_and_the_best_use_the_short_names(in_process):
    X, y = load_iris(return_X_y=True, as_frame=True)
    spec = {"version": 1, "task": "classification",
            "evaluation": {"cv": 3, "metrics": ["accuracy"]},
            "candidates": [{"name": "binned", "steps": [
                {"SimpleImputer": {"strategy": ["mean", "median"]}},
                {"KBinsDiscretizer": {"strategy": ["uniform", "quantile"], "n_bins": 3}},
                {"LogisticRegression": {"C": 1.0, "max_iter": 500}}]}]}
    result = evaluate(spec, X, y, display="none")
    keys = {frozenset(p) for p in result.leaderboard["params"]}
    assert keys == {frozenset({"simpleimputer.strategy", "kbinsdiscretizer.strategy"})}
    text = repr(result)
    assert "simpleimputer.strategy='mean'" in text
    assert "kbinsdiscretizer.strategy='quantile'" in text
    assert "__" not in text
    assert "__" not in result.best.label and result.best.label.startswith("binned ")
    # The pipeline keys stay where scikit-learn takes them.
    assert set(result.best.params) == {"simpleimputer__strategy",
                                       "kbinsdiscretizer__strategy"}
    assert set(result.fold_scores["params"].iloc[0]) == set(result.best.params)
    csv = result.leaderboard_for_csv()["params"].iloc[0]
    assert "simpleimputer.strategy=" in csv and "__" not in csv
