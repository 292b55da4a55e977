"""Column-aware preprocessing: a raw table (text columns, gaps, string labels) evaluated by
candidates that name only estimators scores what a hand-written ColumnTransformer scores on
the same folds; column rules become scikit-learn's own ColumnTransformer, with grid axes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stratum_jupyter import evaluate, load_spec
from stratum_jupyter.errors import SpecError
from stratum_jupyter.evaluation.paramnames import short_names
from stratum_jupyter.evaluation.prepare import prepare
from stratum_jupyter.spec.pipeline import needs_preprocessing

DATA = Path(__file__).resolve().parents[1] / "data"

RAW = """
version: 1
task: classification
evaluation: {cv: 3, metrics: [accuracy, f1_macro], random_state: 0}
candidates:
  - name: logreg
    steps: [{LogisticRegression: {max_iter: 2000}}]
"""

RULES = """
version: 1
task: classification
evaluation: {cv: 3, random_state: 0}
preprocessing:
  columns:
    - select: numeric
      steps: [{SimpleImputer: {strategy: [median, mean]}}, StandardScaler]
    - name: text
      select: [island, sex]
      steps: [{SimpleImputer: {strategy: most_frequent}}, {OneHotEncoder: {handle_unknown: ignore}}]
candidates:
  - name: logreg
    steps: [{LogisticRegression: {max_iter: 2000}}]
  - name: tree
    preprocessing: none
    steps: [{HistGradientBoostingClassifier: {max_iter: 20}}]
"""


@pytest.fixture(scope="module")
def penguins():
    frame = pd.read_csv(DATA / "penguins.csv")
    y = frame.pop("species")
    return frame, y


def test_only_tables_that_need_it_get_the_automatic_preprocessing(penguins):
    from sklearn.datasets import load_iris

    X, _ = penguins
    assert needs_preprocessing(X)
    assert needs_preprocessing(X.select_dtypes("number"))  # gaps
    iris, _ = load_iris(return_X_y=True, as_frame=True)
    assert not needs_preprocessing(iris) and not needs_preprocessing(iris.to_numpy())
    plan = prepare(RAW, iris, _)
    assert plan.notes == () and plan.graph.configs[0].pipeline.steps[0][0] == "logisticregression"


def test_the_plan_says_what_was_inferred(penguins):
    X, y = penguins
    plan = prepare(RAW, X, y)
    (note,) = plan.notes
    assert note.startswith("preprocessing (auto): numeric [bill_length_mm")
    assert "categorical [island, sex] -> SimpleImputer, OneHotEncoder" in note
    off = load_spec(RAW).to_dict() | {"preprocessing": "none"}
    assert prepare(off, X, y).notes == ()


@pytest.mark.slow
def test_raw_table_scores_what_a_hand_written_column_transformer_scores(client, penguins):
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    X, y = penguins
    result = evaluate(RAW, X, y, display="none")
    ours = result.leaderboard.iloc[0]
    by_hand = make_pipeline(make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
         make_column_selector(dtype_include="number")),
        (make_pipeline(SimpleImputer(strategy="most_frequent"),
                       OneHotEncoder(handle_unknown="ignore")),
         make_column_selector(dtype_exclude="number"))), LogisticRegression(max_iter=2000))
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    theirs = cross_validate(by_hand, X, y, cv=cv, scoring=["accuracy", "f1_macro"])
    assert ours["accuracy"] == pytest.approx(theirs["test_accuracy"].mean(), abs=0.01)
    assert ours["f1_macro"] == pytest.approx(theirs["test_f1_macro"].mean(), abs=0.01)
    assert ours["accuracy"] > 0.97
    assert set(result.best.model.predict(X.head(3))) <= {"Adelie", "Chinstrap", "Gentoo"}


@pytest.mark.slow
def test_column_rules_with_grid_axes_equal_gridsearchcv(client, penguins):
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    X, y = penguins
    plan = prepare(RULES, X, y)
    logreg = plan.graph.configs[0].pipeline
    assert logreg.steps[0][0] == "preprocessing"
    assert [c.params for c in plan.graph.configs[:2]] == [
        {"preprocessing__numeric__simpleimputer__strategy": "median"},
        {"preprocessing__numeric__simpleimputer__strategy": "mean"}]
    assert plan.graph.configs[2].pipeline.steps[0][0] == "histgradientboostingclassifier"
    result = evaluate(RULES, X, y, display="none")
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(logreg, {"preprocessing__numeric__simpleimputer__strategy":
                                   ["median", "mean"]}, cv=cv).fit(X, y)
    board = result.leaderboard.set_index(result.leaderboard["params"].map(str))
    for params, score in zip(search.cv_results_["params"],
                             search.cv_results_["mean_test_score"], strict=True):
        assert board.loc[str(short_names(params)), "accuracy"] == pytest.approx(score, abs=1e-12)


def test_column_rule_mistakes_name_the_field():
    bad = RULES.replace("select: numeric", "select: numbers").replace(
        "OneHotEncoder:", "OneHotEncodr:")
    with pytest.raises(SpecError) as info:
        load_spec(bad)
    text = str(info.value)
    # A string that is no selector names one column, 1-D: for a text vectorizer only.
    assert "preprocessing.columns[0].select: select: 'numbers' hands the column" in text
    assert "did you mean 'numeric'" in text
    assert "preprocessing.columns[1].steps[1]: unknown block 'OneHotEncodr'" in text


def test_candidates_with_their_own_transformers_keep_exactly_their_steps(penguins):
    """Backward compatible: auto only adds a step to candidates that name their estimator
    alone; a candidate that prepares its input itself is left as written."""
    X, y = penguins
    spec = load_spec(RAW).to_dict()
    spec["candidates"].append({"name": "own", "steps": [
        {"SimpleImputer": {"strategy": "most_frequent"}},
        {"OneHotEncoder": {"handle_unknown": "ignore"}}, "LogisticRegression"]})
    plan = prepare(spec, X, y)
    logreg, own = (c.pipeline for c in plan.graph.configs)
    assert logreg.steps[0][0] == "preprocessing"
    assert [name for name, _ in own.steps] == ["simpleimputer", "onehotencoder",
                                                 "logisticregression"]
    assert plan.notes[0].endswith("(for logreg)")
