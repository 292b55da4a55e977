"""Columns read for what they hold (catalog.column_kinds) by the evaluation: free text
vectorised (field case 19: review sentences), a column rule handing one column to a text
vectorizer as scikit-learn does, identifiers left out of the model, candidates whose steps
cannot take the table refused before any work."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stratum_jupyter import evaluate, load_model, load_spec
from stratum_jupyter.errors import DataError, SpecError
from stratum_jupyter.evaluation.paramnames import short_names
from stratum_jupyter.evaluation.prepare import prepare

DATA = Path(__file__).resolve().parents[1] / "data"
REVIEWS = DATA / "reviews.csv"  # 1,500 rows of field case 19 (text, movie_name, verdict)

AUTO = f"""
version: 1
task: classification
data: {{source: "csv:{REVIEWS}", target: verdict}}
evaluation: {{cv: 5, metrics: [accuracy, roc_auc], random_state: 0}}
candidates:
  - name: logreg
    steps: [{{LogisticRegression: {{C: 10.0, max_iter: 2000}}}}]
"""

RULE = f"""
version: 1
task: classification
data: {{source: "csv:{REVIEWS}", target: verdict}}
evaluation: {{cv: 5, metrics: [accuracy], random_state: 0}}
preprocessing:
  columns:
    - name: words
      select: text
      steps: [{{TfidfVectorizer: {{min_df: 2, sublinear_tf: true}}}}]
candidates:
  - name: logreg
    steps: [{{LogisticRegression: {{C: [1.0, 10.0], max_iter: 2000}}}}]
"""


@pytest.fixture(scope="module")
def reviews():
    frame = pd.read_csv(REVIEWS)
    return frame, frame.pop("verdict")


def _folds():
    from sklearn.model_selection import StratifiedKFold

    return StratifiedKFold(5, shuffle=True, random_state=0)


@pytest.mark.slow
def test_free_text_is_vectorised_and_scores_as_a_hand_written_tfidf(in_process, reviews):
    """Field case 19: auto one-hot encoded the sentences (0.52); TF-IDF is the standard."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    result = evaluate(AUTO, display="none")
    ours = result.leaderboard.iloc[0]
    notes = "\n".join(prepare(AUTO).notes)  # what the log says
    assert "text-text [text] -> TfidfVectorizer" in notes
    assert "categorical [movie_name] -> SimpleImputer, OneHotEncoder" in notes
    assert "column 'text' holds free text (1499 distinct values" in notes
    assert "column 'movie_name': 156 categories" in notes and "137 folded" in notes
    X, y = reviews
    by_hand = make_pipeline(ColumnTransformer([
        ("text", TfidfVectorizer(min_df=2, sublinear_tf=True), "text"),
        ("movie", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(
            handle_unknown="infrequent_if_exist", max_categories=20, sparse_output=False)),
         ["movie_name"])]), LogisticRegression(C=10.0, max_iter=2000))
    theirs = cross_validate(by_hand, X, y, cv=_folds(), scoring=["accuracy", "roc_auc"])
    assert ours["accuracy"] == pytest.approx(theirs["test_accuracy"].mean(), abs=0.01)
    assert ours["roc_auc"] == pytest.approx(theirs["test_roc_auc"].mean(), abs=0.01)
    assert ours["accuracy"] > 0.65  # one-hot encoded sentences scored 0.52
    assert set(result.best.model.predict(X.head(5))) <= {"fresh", "rotten"}


def test_a_column_rule_hands_one_column_to_a_vectorizer_as_scikit_learn_does(in_process, reviews):
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    result = evaluate(RULE, display="none")
    X, y = reviews
    sk = GridSearchCV(Pipeline([
        ("preprocessing", ColumnTransformer([
            ("words", TfidfVectorizer(min_df=2, sublinear_tf=True), "text")])),
        ("logisticregression", LogisticRegression(max_iter=2000))]),
        {"logisticregression__C": [1.0, 10.0]}, cv=_folds(), scoring="accuracy").fit(X, y)
    board = result.leaderboard.set_index(result.leaderboard["params"].map(repr))
    for params, score in zip(sk.cv_results_["params"], sk.cv_results_["mean_test_score"],
                             strict=True):
        assert board.loc[repr(short_names(params)), "accuracy"] == pytest.approx(score, abs=1e-12)
    assert any("words [text] -> TfidfVectorizer; dropped [movie_name]" in n
               for n in prepare(RULE).notes)


def test_a_vectorizer_given_a_table_is_refused_naming_the_fix():
    with pytest.raises(SpecError) as info:
        load_spec(RULE.replace("select: text", "select: [text]"))
    assert ("preprocessing.columns[0].select: TfidfVectorizer takes one text column (1-D), "
            "but select: ['text'] hands it a table (2-D)") in str(info.value)
    assert "write select: text" in str(info.value)
    with pytest.raises(SpecError) as info:
        load_spec(RULE.replace("TfidfVectorizer: {min_df: 2, sublinear_tf: true}",
                               "StandardScaler: {}"))
    assert "select: 'text' hands the column 'text' alone, 1-D" in str(info.value)
    steps = AUTO.replace("data: {", "data: {features: [text], ").replace(
        "steps: [{LogisticRegression", "steps: [TfidfVectorizer, {LogisticRegression")
    with pytest.raises(DataError) as info:
        prepare(steps)
    assert str(info.value).startswith(
        "candidates[0].steps[0]: TfidfVectorizer takes one text column (1-D), but would "
        "get the table [text] (2-D)")


def test_a_numeric_only_candidate_on_text_is_refused_before_any_work():
    numeric = AUTO.replace("steps: [{LogisticRegression", "steps: [{SimpleImputer: {strategy: "
                           "median}}, StandardScaler, {LogisticRegression")
    with pytest.raises(DataError) as info:
        prepare(numeric)
    text = str(info.value)
    assert ("candidate 'logreg': its steps (SimpleImputer, StandardScaler, LogisticRegression) "
            "take numbers, but the table has text or category columns [text, movie_name]"
            ) in text
    assert "leave out its transformers" in text and "data.features" in text
    # Its own encoder: taken as written; preprocessing none: the user's call.
    prepare(numeric.replace("StandardScaler", "{OneHotEncoder: {handle_unknown: ignore}}"))
    prepare(numeric.replace("candidates:", "preprocessing: none\ncandidates:"))


def _with_identifiers(rows: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=rows)
    return pd.DataFrame({
        "Unnamed: 0": rng.permutation(rows), "row_id": np.arange(1, rows + 1),
        "order": [f"ORD-{i:05d}" for i in rng.permutation(rows)], "x": x,
        "colour": rng.choice(["red", "green", "blue"], rows),
        "label": np.where(x + rng.normal(scale=0.3, size=rows) > 0, "yes", "no")})


def _spec(path: Path, extra: str = "") -> str:
    return f"""
version: 1
task: classification
data: {{source: "csv:{path}", target: label{extra}}}
evaluation: {{cv: 3, random_state: 0}}
candidates:
  - name: logreg
    steps: [LogisticRegression]
"""


def test_identifiers_are_left_out_and_the_saved_model_needs_none_of_them(in_process, tmp_path):
    path = tmp_path / "orders.csv"
    frame = _with_identifiers()
    frame.to_csv(path, index=False)
    result = evaluate(_spec(path), display="none")
    notes = prepare(_spec(path)).notes
    (note,) = [n for n in notes if n.startswith("identifier columns left out")]
    for column in ("'Unnamed: 0'", "'row_id'", "'order'"):
        assert column in note
    assert "data.roles: {Unnamed: 0: categorical}" in note and "data.features" in note
    assert "numeric [x]" in "\n".join(notes)
    saved = result.save(tmp_path / "best")
    schema = json.loads((saved / "profile.json").read_text())["input_schema"]
    assert [f["name"] for f in schema["features"]] == ["x", "colour"]
    rows = frame[["x", "colour"]].head(10)
    model = load_model(saved)
    assert list(model.predict(rows)) == list(result.best.model.predict(rows))


def test_a_role_or_a_feature_list_keeps_an_identifier(tmp_path):
    path = tmp_path / "orders.csv"
    _with_identifiers().to_csv(path, index=False)
    plan = prepare(_spec(path, ", roles: {row_id: numeric}"))
    assert list(plan.X.columns) == ["row_id", "x", "colour"]
    plan = prepare(_spec(path, ", features: [order, x]"))
    assert list(plan.X.columns) == ["order", "x"]
    assert not any(n.startswith("identifier") for n in plan.notes)
    none = _spec(path).replace("candidates:", "preprocessing: none\ncandidates:")
    assert "row_id" in prepare(none).X.columns  # no automatic preprocessing: as it is


def test_identifiers_kept_without_the_automatic_preprocessing_are_said(tmp_path):
    """preprocessing: none hands the table over as it is: the identifiers stay, and the log
    names them and the way to drop them, rather than letting a model learn a row number
    silently."""
    path = tmp_path / "orders.csv"
    _with_identifiers().drop(columns=["order", "colour"]).to_csv(path, index=False)
    none = _spec(path).replace("candidates:", "preprocessing: none\ncandidates:")
    plan = prepare(none)
    assert list(plan.X.columns) == ["Unnamed: 0", "row_id", "x"]
    (note,) = [n for n in plan.notes if n.startswith("identifier columns kept as features")]
    assert "'Unnamed: 0'" in note and "'row_id'" in note
    assert note.endswith("data.drop: [Unnamed: 0, row_id]")


def test_a_table_of_identifiers_only_is_refused(tmp_path):
    path = tmp_path / "ids.csv"
    frame = _with_identifiers()[["row_id", "order", "label"]]
    frame.to_csv(path, index=False)
    with pytest.raises(DataError) as info:
        prepare(_spec(path))
    assert "every column looks like an identifier (row_id, order" in str(info.value)


@pytest.mark.slow
def test_many_categories_take_a_target_encoder_by_a_column_rule(in_process):
    """The documented route to encode every category: scikit-learn's TargetEncoder
    (cross-fitted), beside the text column's vectorizer; it scores what scikit-learn's
    scores (within 0.01: its inner folds are shuffled at random)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import TargetEncoder

    spec = RULE.replace("candidates:", """    - name: movies
      select: [movie_name]
      steps: [TargetEncoder]
candidates:""").replace("C: [1.0, 10.0]", "C: 10.0")
    result = evaluate(spec, display="none", refit=False)
    X = pd.read_csv(REVIEWS)
    y = X.pop("verdict")
    by_hand = make_pipeline(ColumnTransformer([
        ("words", TfidfVectorizer(min_df=2, sublinear_tf=True), "text"),
        ("movies", TargetEncoder(), ["movie_name"])]),
        LogisticRegression(C=10.0, max_iter=2000))
    theirs = cross_val_score(by_hand, X, y, cv=_folds(), scoring="accuracy").mean()
    assert result.leaderboard.iloc[0]["accuracy"] == pytest.approx(theirs, abs=0.01)


def test_a_vectorizer_handed_a_table_in_python_fails_saying_why(in_process):
    """A notebook's own pipeline (no spec to check first): the failure says what the
    vectorizer needs instead of scikit-learn's 'max_df corresponds to < documents'."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    X = pd.read_csv(REVIEWS).head(300)
    y = X.pop("verdict")
    pipeline = make_pipeline(TfidfVectorizer(min_df=2), LogisticRegression())
    result = evaluate({"tfidf": pipeline}, X[["text"]], y, cv=3, display="none")
    (error,) = set(result.leaderboard["error"])
    assert error.startswith("ValueError: max_df corresponds to < documents than min_df")
    assert "a text vectorizer takes one column of text, 1-D" in error
