"""Spec parameters that reach the estimators in the shape scikit-learn wants: tuples written
as lists (MinMaxScaler, RobustScaler, TfidfVectorizer over one text column), and the
``target_type`` a TargetEncoder takes from a regression task (integer delays are not 577
classes). Evaluated in this process (the subject is the pipeline, not the cluster)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_diabetes
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, RobustScaler, TargetEncoder

from stratum_jupyter import evaluate
from stratum_jupyter.codegen import script_source
from stratum_jupyter.evaluation.paramnames import short_names
from stratum_jupyter.spec import validate_spec
from stratum_jupyter.spec.pipeline import columns_step

DATA = Path(__file__).resolve().parents[1] / "data"
# TargetEncoder's random_state (deprecated in scikit-learn 1.9) is a spec's only way to fix
# its inner shuffled folds: a spec cannot hold a splitter object for its cv.
pytestmark = pytest.mark.filterwarnings("ignore:`TargetEncoder.shuffle`:FutureWarning")


def _means(result, metric):
    board = result.leaderboard
    return {repr(sorted(p.items())): v for p, v in zip(board["params"], board[metric],
                                                       strict=True)}


def test_tuple_grids_score_as_gridsearchcv(in_process):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    spec = {"version": 1, "task": "regression", "candidates": [
        {"name": "minmax", "steps": [{"MinMaxScaler": {"feature_range": [[0, 1], [-1, 1]]}},
                                     {"Ridge": {}}]},
        {"name": "robust", "steps": [{"RobustScaler": {"quantile_range": [10, 90]}},
                                     {"Ridge": {}}]}]}
    folds = KFold(3, shuffle=True, random_state=0)
    result = evaluate(spec, X, y, cv=folds, display="none")
    mine = _means(result, "r2")
    search = GridSearchCV(Pipeline([("minmaxscaler", MinMaxScaler()), ("ridge", Ridge())]),
                          {"minmaxscaler__feature_range": [(0, 1), (-1, 1)]}, cv=folds,
                          scoring="r2").fit(X, y)
    for params, score in zip(search.cv_results_["params"],
                             search.cv_results_["mean_test_score"], strict=True):
        assert mine[repr(sorted(short_names(params).items()))] == pytest.approx(score, abs=1e-12)
    robust = cross_val_score(Pipeline([("s", RobustScaler(quantile_range=(10, 90))),
                                       ("r", Ridge())]), X, y, cv=folds, scoring="r2")
    assert mine["[]"] == pytest.approx(robust.mean(), abs=1e-12)
    assert result.failures == []


def test_an_ngram_axis_over_one_text_column(in_process):
    table = pd.read_csv(DATA / "reviews-small.csv")
    spec = {"version": 1, "task": "classification", "preprocessing": "none",
            "candidates": [{"name": "tfidf", "steps": [
                {"TfidfVectorizer": {"ngram_range": [[1, 1], [1, 2]], "min_df": 2}},
                {"LogisticRegression": {}}]}]}
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    result = evaluate(spec, table["text"], table["verdict"], cv=folds, display="none")
    assert result.failures == []
    search = GridSearchCV(Pipeline([("tfidfvectorizer", TfidfVectorizer(min_df=2)),
                                    ("logisticregression", LogisticRegression())]),
                          {"tfidfvectorizer__ngram_range": [(1, 1), (1, 2)]}, cv=folds,
                          scoring="accuracy").fit(table["text"], table["verdict"])
    mine = _means(result, "accuracy")
    for params, score in zip(search.cv_results_["params"],
                             search.cv_results_["mean_test_score"], strict=True):
        assert mine[repr(sorted(short_names(params).items()))] == pytest.approx(score, abs=1e-12)
    assert result.best.model.steps[0][1].ngram_range in ((1, 1), (1, 2))


def _delays(n: int = 1500, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Integer delays (hundreds of distinct values) that depend on a route category."""
    rng = np.random.default_rng(seed)
    route = rng.integers(0, 60, n)
    y = pd.Series(route * 7 + rng.integers(0, 200, n), name="delay")
    X = pd.DataFrame({"route": [f"r{r}" for r in route], "distance": rng.normal(size=n)})
    return X, y


ENCODED = {"version": 1, "task": "regression",
           "preprocessing": {"columns": [
               {"select": ["route"], "steps": [{"TargetEncoder": {"random_state": 0}}]},
               {"select": ["distance"]}]},
           "candidates": [{"name": "ridge", "steps": [{"Ridge": {}}]}]}


def test_target_encoder_in_a_regression_is_continuous_and_equals_sklearn(in_process, capsys):
    X, y = _delays()
    assert y.nunique() > 400
    # What scikit-learn's "auto" does with these delays: one column per distinct value.
    auto = TargetEncoder(random_state=0).fit(X[["route"]], y)
    assert auto.target_type_ == "multiclass" and len(auto.classes_) == y.nunique()
    folds = KFold(3, shuffle=True, random_state=0)
    result = evaluate(ENCODED, X, y, cv=folds, display="text")
    assert "TargetEncoder: target_type='continuous', from the regression target" \
        in capsys.readouterr().out
    encoder = result.best.model.named_steps["preprocessing"].named_transformers_["columns0"]
    fitted = encoder.named_steps["targetencoder"]
    assert fitted.target_type_ == "continuous"
    assert result.best.model[:-1].transform(X).shape == (len(X), 2)  # bounded: 1 column
    reference = Pipeline([
        ("preprocessing", ColumnTransformer([
            ("columns0", TargetEncoder(target_type="continuous", random_state=0), ["route"]),
            ("columns1", "passthrough", ["distance"])])),
        ("ridge", Ridge())])
    scores = cross_val_score(reference, X, y, cv=folds, scoring="r2")
    assert result.best.metrics["folds"]["r2"] == pytest.approx(list(scores), abs=1e-9)
    np.testing.assert_allclose(result.best.predict(X), reference.fit(X, y).predict(X),
                               rtol=1e-9, atol=1e-9)


def test_a_target_type_the_spec_sets_is_kept_and_codegen_writes_the_rule():
    spec = validate_spec(ENCODED)
    encoder = columns_step(spec.preprocessing, "continuous").groups[0].steps[0]
    assert encoder.params == {"target_type": "continuous", "random_state": 0}
    own = validate_spec({**ENCODED, "preprocessing": {"columns": [
        {"select": ["route"], "steps": [{"TargetEncoder": {"target_type": "binary"}}]}]}})
    assert columns_step(own.preprocessing, "continuous").groups[0].steps[0].params == {
        "target_type": "binary"}
    assert 'TargetEncoder(target_type="continuous", random_state=0)' in script_source(spec)
    classification = validate_spec({**ENCODED, "task": "classification", "candidates": [
        {"name": "lr", "steps": ["LogisticRegression"]}]})
    # Without the labels, codegen leaves "auto": it reads binary/multiclass from them.
    assert "TargetEncoder(random_state=0)" in script_source(classification)


def test_a_classification_target_gives_binary_or_multiclass():
    from stratum_jupyter.evaluation.plan import candidates_from_spec

    spec = validate_spec({**ENCODED, "task": "classification", "candidates": [
        {"name": "lr", "steps": ["LogisticRegression"]}]})
    X, _ = _delays(60)
    for labels, kind in ((["a", "b"] * 30, "binary"), (["a", "b", "c"] * 20, "multiclass")):
        (source,) = candidates_from_spec(spec, X, pd.Series(labels))
        columns = source.pipeline.named_steps["preprocessing"]
        assert columns.transformers[0][1].steps[0][1].target_type == kind
