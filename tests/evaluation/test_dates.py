"""Dates to parts: a table with a datetime column and a text column of dates (read as dates
by ``data.roles``) is evaluated under the automatic preprocessing, says so in its notes, and
scores what a hand-written ColumnTransformer with the same transformer scores on the same
folds; column rules name the transformer for ``select: datetime``."""

from __future__ import annotations

import pandas as pd
import pytest

from stratum_jupyter import evaluate
from stratum_jupyter.catalog.dates import DatetimeFeatures
from stratum_jupyter.catalog.tables import read_table
from stratum_jupyter.evaluation.prepare import prepare
from tests.catalog.dated import dated_table, write_parquet


def _spec(path, **extra):
    return {"version": 1, "task": "classification",
            "data": {"source": f"parquet:{path}", "target": "traffic",
                     "roles": {"day": "datetime"}},
            "evaluation": {"cv": 3, "random_state": 0, "metrics": ["accuracy", "f1_macro"]},
            "candidates": [{"name": "logreg",
                            "steps": [{"LogisticRegression": {"max_iter": 2000}}]}], **extra}


def test_the_transformer_splits_dates_into_parts_and_keeps_gaps_as_nan():
    X = pd.DataFrame({"d": pd.to_datetime(["2024-03-31 14:05", None, "1969-12-31 23:00"]),
                      "t": pd.to_datetime(["2024-03-31", "2024-04-01", None])
                      .tz_localize("Europe/Paris")})
    enc = DatetimeFeatures().set_output(transform="pandas").fit(X)
    out = enc.transform(X)
    assert list(out.columns) == [f"{c}_{p}" for c in "dt" for p in
                                 ("year", "month", "day", "hour", "weekday", "total_seconds")]
    assert out.loc[0, ["d_year", "d_month", "d_day", "d_hour", "d_weekday"]].tolist() == [
        2024, 3, 31, 14, 6]
    assert out.loc[2, "d_total_seconds"] == -3600.0  # before 1970: negative
    assert out.loc[0, "t_total_seconds"] == pd.Timestamp("2024-03-30T23:00Z").timestamp()  # CET
    assert out.iloc[1, :6].isna().all() and out.iloc[2, 6:].isna().all()
    day_only = DatetimeFeatures(add_total_seconds=False).fit(X[["t"]])
    assert day_only.get_feature_names_out().tolist() == ["t_year", "t_month", "t_day",
                                                         "t_weekday"]
    with pytest.raises(ValueError, match=r"column 'd': 'soon' is not a date"):
        enc.transform(pd.DataFrame({"d": ["2024-01-01", "soon"], "t": [None, None]}))


def test_dates_are_split_into_parts_and_the_notes_say_so(tmp_path):
    plan = prepare(_spec(write_parquet(tmp_path)))
    (note,) = [n for n in plan.notes if n.startswith("preprocessing")]  # + shuffled dates
    assert "datetime [when, day] -> DatetimeFeatures (dates split into parts" in note
    assert "categorical [city]" in note and "numeric [x]" in note
    off = prepare(_spec(write_parquet(tmp_path), preprocessing="none"))
    assert not [n for n in off.notes if n.startswith("preprocessing")]


def test_a_table_without_dates_gets_no_date_step():
    X, y = dated_table()
    spec = {k: v for k, v in _spec("unused").items() if k != "data"}
    plan = prepare(spec, X.drop(columns=["when", "day"]), y)
    (note,) = plan.notes
    assert "datetime" not in note
    assert "DatetimeFeatures" not in repr(plan.graph.configs[0].pipeline)


@pytest.mark.slow
def test_scores_equal_a_hand_written_column_transformer_on_the_same_folds(client, tmp_path):
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    path = write_parquet(tmp_path)
    result = evaluate(_spec(path), display="none")
    ours = result.leaderboard.iloc[0]
    table = read_table(f"parquet:{path}", target="traffic", roles={"day": "datetime"})
    numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    by_hand = make_pipeline(make_column_transformer(
        (numbers, make_column_selector(dtype_include="number")),
        (make_pipeline(SimpleImputer(strategy="most_frequent"),
                       OneHotEncoder(handle_unknown="ignore")), ["city"]),
        (make_pipeline(DatetimeFeatures(), SimpleImputer(strategy="median"),
                       StandardScaler()), ["when", "day"])),
        LogisticRegression(max_iter=2000))
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    theirs = cross_validate(by_hand, table.X, table.y, cv=cv, scoring=["accuracy", "f1_macro"])
    assert ours["accuracy"] == pytest.approx(theirs["test_accuracy"].mean(), abs=1e-9)
    assert ours["f1_macro"] == pytest.approx(theirs["test_f1_macro"].mean(), abs=1e-9)
    assert ours["accuracy"] > 0.7  # the parts carry the signal (weekday, hour)
    predicted = result.best.model.predict(table.X.head(5))
    assert set(predicted) <= {"busy", "calm"}


@pytest.mark.slow
def test_column_rules_name_the_transformer_for_datetime_columns(client, tmp_path):
    rules = {"columns": [
        {"select": "numeric", "steps": ["StandardScaler"]},
        {"select": "datetime", "steps": [
            {"DatetimeFeatures": {"resolution": ["day", "hour"], "add_total_seconds": False}},
            {"SimpleImputer": {"strategy": "median"}}]}]}
    result = evaluate(_spec(write_parquet(tmp_path), preprocessing=rules), display="none")
    board = result.leaderboard
    assert len(board) == 2 and board["accuracy"].notna().all()
    key = "preprocessing__datetime__datetimefeatures__resolution"
    assert key in result.results[0].config.params
    assert board["params"].tolist()[0].keys() == {"resolution"}  # the short name shown
    columns = result.best.model.named_steps["preprocessing"]
    assert columns.named_transformers_["datetime"][0].parts_[-1] == "weekday"
