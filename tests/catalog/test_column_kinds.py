"""What a column holds, decided once (catalog.column_kinds): free text, identifiers, many
categories, and the plain kinds by dtype."""

from __future__ import annotations

from io import StringIO

import numpy as np
import pandas as pd
import pytest

from stratum_jupyter.catalog.column_kinds import (
    MAX_CATEGORIES,
    column_kinds,
    identifier_note,
    kind_notes,
    of_kind,
)

ROWS = 60


def _kinds(frame, keep=()):
    return {name: kind.kind for name, kind in column_kinds(frame, keep).items()}


def test_plain_kinds_follow_the_dtype():
    frame = pd.DataFrame({"x": [0.5, 1.5, np.nan] * 10, "n": [3, 1, 2] * 10,
                          "b": [True, False, True] * 10, "c": ["a", "b", "c"] * 10,
                          "t": pd.to_datetime(["2020-01-01"] * 30)})
    assert _kinds(frame) == {"x": "numeric", "n": "numeric", "b": "boolean",
                             "c": "categorical", "t": "datetime"}


def test_free_text_is_many_distinct_values_of_several_words():
    sentences = [f"the film number {i} was {'good' if i % 2 else 'dull'}" for i in range(ROWS)]
    titles = [f"Title {i % 25}" for i in range(ROWS)]  # two words, 25 values: categories
    frame = pd.DataFrame({"review": sentences, "title": titles,
                          "few": ["a long sentence of words", "another long one here"] * 30})
    kinds = column_kinds(frame)
    assert kinds["review"].kind == "text" and "60 distinct values" in kinds["review"].reason
    assert kinds["title"].kind == "high_cardinality"
    assert kinds["few"].kind == "categorical"  # two values, however long


def test_free_text_with_gaps_is_one_hot_encoded_saying_why():
    sentences = [f"the film number {i} was good" for i in range(ROWS)]
    sentences[3] = None
    kind = column_kinds(pd.DataFrame({"review": sentences}))["review"]
    assert kind.kind == "high_cardinality" and "1 missing cells" in kind.reason


@pytest.mark.parametrize("values", [list(range(ROWS)), list(range(1, ROWS + 1))[::-1],
                                    list(np.random.default_rng(0).permutation(ROWS) + 100)])
def test_integer_sequences_are_identifiers(values):
    frame = pd.DataFrame({"row": values, "x": np.linspace(0, 1, ROWS)})
    kinds = column_kinds(frame)
    assert kinds["row"].kind == "identifier" and "numbering the rows" in kinds["row"].reason
    assert kinds["x"].kind == "numeric"


def test_what_is_not_an_identifier():
    frame = pd.DataFrame({"id": [i * 2 for i in range(ROWS)],  # distinct, not a run
                          "row": [0, 1, 2, 3, 4] * (ROWS // 5),
                          "index": [float(i) for i in range(ROWS)],
                          "t": range(ROWS)})  # a time step: a feature
    assert set(_kinds(frame).values()) == {"numeric"}
    tiny = pd.DataFrame({"row": range(10), "code": [f"A{i}" for i in range(10)]})
    assert _kinds(tiny) == {"row": "numeric", "code": "categorical"}  # too few rows to tell


def test_headers_pandas_made_name_identifiers():
    text = "a,a,b\n" + "".join(f"{i % 3},{i % 4},{i}.5\n" for i in range(ROWS))
    frame = pd.read_csv(StringIO(text))
    assert list(frame.columns) == ["a", "a.1", "b"]
    written = StringIO()
    frame.to_csv(written)  # with its index
    again = pd.read_csv(StringIO(written.getvalue()))
    kinds = column_kinds(again)
    assert kinds["Unnamed: 0"].kind == "identifier" and "index" in kinds["Unnamed: 0"].reason
    assert kinds["a.1"].kind == "identifier" and "'a'" in kinds["a.1"].reason
    assert kinds["a"].kind == "numeric" and kinds["b"].kind == "numeric"


def test_unique_short_codes_are_identifiers_and_keep_makes_them_features():
    frame = pd.DataFrame({"code": [f"C-{i:05d}" for i in range(ROWS)],
                          "PassengerId": range(ROWS), "Unnamed: 0": range(ROWS)})
    assert _kinds(frame) == {"code": "identifier", "PassengerId": "identifier",
                             "Unnamed: 0": "identifier"}
    assert _kinds(frame, keep=["code", "PassengerId", "Unnamed: 0"]) == {
        "code": "high_cardinality", "PassengerId": "numeric", "Unnamed: 0": "numeric"}
    note = identifier_note(column_kinds(frame))
    assert "'code'" in note and "'PassengerId'" in note
    assert "data.roles: {code: categorical}" in note


def test_category_columns_are_never_text():
    sentences = [f"the film number {i} was good" for i in range(ROWS)]
    frame = pd.DataFrame({"review": pd.Categorical(sentences)})
    assert _kinds(frame) == {"review": "high_cardinality"}


def test_folded_categories_are_counted_as_one_hot_encoding_folds_them():
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"city": [f"city{i}" for i in rng.integers(0, 57, 400)]})
    kind = column_kinds(frame)["city"]
    encoder = OneHotEncoder(handle_unknown="infrequent_if_exist",
                            max_categories=MAX_CATEGORIES).fit(frame)
    folded = len(encoder.infrequent_categories_[0])
    assert kind.kind == "high_cardinality"
    assert f"{kind.distinct} categories" in kind.reason and f"{folded} folded" in kind.reason
    assert f"keeps the {MAX_CATEGORIES - 1} most frequent" in kind.reason
    (note,) = kind_notes({"city": kind})
    assert "TargetEncoder" in note


def test_of_kind_keeps_the_table_order():
    frame = pd.DataFrame({"b": ["x y z w"] * 2, "a": [1, 2]})
    assert of_kind(column_kinds(frame), "numeric", "categorical") == ["b", "a"]


def test_unhashable_values_have_no_kind():
    frame = pd.DataFrame({"lists": [[1], [2, 3]] * 15, "x": range(30)})
    assert _kinds(frame) == {"x": "numeric"}
