"""Field case 21, part 2: the penguins-raw table with every column pyarrow-backed
(``convert_dtypes(dtype_backend="pyarrow")``, a timestamp with gaps) is evaluated as the
same table with NumPy and pandas dtypes is (the text column one-hot encoded, not dropped;
the same scores as plain scikit-learn on the same folds), and its model, deployed locally,
answers JSON rows of numbers, true/false and nulls as ``load_model().predict`` does."""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from stratum_jupyter import evaluate, load_model
from tests.servicetools import post_json, predict_without_stratum

DATA = Path(__file__).parents[1] / "data"
SPEC = """
version: 1
name: penguins-arrow
task: classification
evaluation: {cv: 5, metrics: [accuracy, f1_macro], random_state: 0}
candidates:
  - name: logreg
    steps: [{LogisticRegression: {max_iter: 2000}}]
"""
# run.sh part 2: nothing measured (nulls, false), and a complete row (numbers, true/false).
ROWS = [{"island": "Biscoe", "culmen_length_mm": None, "culmen_depth_mm": None,
         "flipper_length_mm": None, "body_mass_g": None, "delta_15n": None,
         "clutch_completion": False, "is_male": None, "sex": None, "date_egg": None},
        {"island": "Dream", "culmen_length_mm": 46.5, "culmen_depth_mm": 17.9,
         "flipper_length_mm": 192, "body_mass_g": 3500, "delta_15n": 9.0,
         "clutch_completion": True, "is_male": False, "sex": "FEMALE",
         "date_egg": "2007-11-28"}]


def penguins() -> tuple[pd.DataFrame, pd.Series]:
    """Case 21's table with NumPy / pandas dtypes (NaN and NaT for gaps, object text)."""
    raw = pd.read_csv(DATA / "penguins-raw.csv")
    sex = raw["Sex"].where(raw["Sex"].isin(["MALE", "FEMALE"]))
    X = pd.DataFrame({
        "island": raw["Island"].astype(object),
        "culmen_length_mm": raw["Culmen Length (mm)"],
        "culmen_depth_mm": raw["Culmen Depth (mm)"],
        "flipper_length_mm": raw["Flipper Length (mm)"],
        "body_mass_g": raw["Body Mass (g)"],
        "delta_15n": raw["Delta 15 N (o/oo)"],
        "clutch_completion": raw["Clutch Completion"].eq("Yes"),
        "is_male": sex.map({"MALE": True, "FEMALE": False}).astype("boolean"),
        "sex": sex.astype("category"),
        "date_egg": pd.to_datetime(raw["Date Egg"]).where(sex.notna()),
    })
    return X, raw["Species"].str.split().str[0].astype("category")


def arrow(X: pd.DataFrame) -> pd.DataFrame:
    return X.convert_dtypes(dtype_backend="pyarrow")


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    X, y = penguins()
    out = tmp_path_factory.mktemp("arrow") / "run"
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        result = evaluate(SPEC, arrow(X), y, out=str(out), display="text")
    return result, out / "best", log.getvalue()


def test_every_pyarrow_dtype_is_one_the_table_has():
    dtypes = {c: str(t) for c, t in arrow(penguins()[0]).dtypes.items()}
    assert dtypes["island"] == "string[pyarrow]" and dtypes["body_mass_g"] == "int64[pyarrow]"
    assert dtypes["culmen_length_mm"] == "double[pyarrow]"
    assert dtypes["is_male"] == dtypes["clutch_completion"] == "bool[pyarrow]"
    assert dtypes["date_egg"].startswith("timestamp[") and dtypes["date_egg"].endswith(
        "[pyarrow]")


def test_the_text_column_is_one_hot_encoded_and_the_log_names_every_group(evaluated):
    log = evaluated[2]
    assert "categorical [island, sex] -> SimpleImputer, OneHotEncoder" in log, log
    assert "numeric [culmen_length_mm, culmen_depth_mm, flipper_length_mm, body_mass_g, " \
           "delta_15n]" in log
    assert "boolean [clutch_completion, is_male]" in log
    assert "datetime [date_egg]" in log and "dropped" not in log
    assert "string[pyarrow] -> str [island]" in log  # said, not done silently


def test_scores_equal_plain_scikit_learn_on_the_numpy_table(evaluated):
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from stratum_jupyter.catalog.dates import DatetimeFeatures

    result = evaluated[0]
    X, y = penguins()
    numbers = [SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()]
    pre = make_column_transformer(
        (make_pipeline(*numbers), make_column_selector(dtype_include="number")),
        (make_pipeline(SimpleImputer(strategy="most_frequent", keep_empty_features=True),
                       OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=20,
                                     sparse_output=False)),
         make_column_selector(dtype_include=["object", "string", "category"])),
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False),
         make_column_selector(dtype_include=["bool", "boolean"])),
        (make_pipeline(DatetimeFeatures(), SimpleImputer(strategy="median"), StandardScaler()),
         make_column_selector(dtype_include="datetime")))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = cross_validate(make_pipeline(pre, LogisticRegression(max_iter=2000)), X, y,
                               cv=StratifiedKFold(5, shuffle=True, random_state=0),
                               scoring=["accuracy", "f1_macro"], error_score="raise")
    board = result.leaderboard.iloc[0]
    assert board["accuracy"] == pytest.approx(plain["test_accuracy"].mean(), abs=1e-12)
    assert board["f1_macro"] == pytest.approx(plain["test_f1_macro"].mean(), abs=1e-12)


def test_load_model_predicts_the_pyarrow_rows(evaluated):
    best = evaluated[1]
    X, y = penguins()
    rows = arrow(X).iloc[[0, 3, 8, 271]]
    assert list(load_model(best).predict(rows)) == list(y.iloc[[0, 3, 8, 271]])
    assert (load_model(best).predict(arrow(X)) == load_model(best).predict(X)).all()


@pytest.mark.slow
def test_the_local_service_answers_run_sh_part_2(evaluated, tmp_path):
    from stratum_jupyter.deploy import deploy
    from stratum_jupyter.deploy.run import stop

    best = evaluated[1]
    schema = json.loads((best / "profile.json").read_text())["input_schema"]["features"]
    dtypes = {f["name"]: f["dtype"] for f in schema}
    # the logical types, not the pyarrow storage
    assert dtypes["culmen_length_mm"] == "Float64" and dtypes["is_male"] == "boolean"
    assert dtypes["island"] == "str" and dtypes["date_egg"].startswith("datetime64")
    out = tmp_path / "deploy"
    done = deploy(best, "local", out, port=18141, apply=True)
    try:
        answers = [post_json(done.url, {"rows": [row]}) for row in ROWS]
    finally:
        stop(out)
    # the two rows as the training table holds them: pyarrow-backed, gaps as NA
    frame = pd.DataFrame(ROWS).astype(arrow(penguins()[0]).dtypes.to_dict())
    expected = load_model(best).predict(frame)
    for (status, body), label in zip(answers, expected, strict=True):
        assert status == 200, body
        assert body["predictions"] == [label]


def test_the_model_takes_arrow_columns_with_gaps_of_every_kind(tmp_path):
    """Text, decimals, dictionaries and dates with gaps (pd.NA in an Arrow column, which
    scikit-learn's imputers cannot compare): the saved model starts with the conversion."""
    import datetime as dt
    import decimal

    import pyarrow as pa

    n = 60
    words = ["a", "b", None]
    X = pd.DataFrame({
        "x": [float(i % 7) for i in range(n)],
        "text": pd.arrays.ArrowExtensionArray(pa.array([words[i % 3] for i in range(n)],
                                                       type=pa.large_string())),
        "kind": pd.arrays.ArrowExtensionArray(pa.array([words[i % 3] for i in range(n)])
                                              .dictionary_encode()),
        "price": pd.arrays.ArrowExtensionArray(pa.array(
            [decimal.Decimal(i) / 4 if i % 5 else None for i in range(n)],
            type=pa.decimal128(10, 2))),
        "day": pd.arrays.ArrowExtensionArray(pa.array(
            [None if i % 7 == 0 else dt.date(2020, 1, 1) + dt.timedelta(days=i)
             for i in range(n)], type=pa.date32())),
    })
    y = pd.Series(["yes", "no"] * (n // 2))
    result = evaluate(SPEC, X, y, out=str(tmp_path / "run"), display="none")
    assert result.best.model.steps[0][0] == "plaindtypes"
    model = load_model(tmp_path / "run" / "best")
    from stratum_jupyter.catalog.arrowtypes import plain_columns

    assert (model.predict(X) == model.predict(plain_columns(X)[0])).all()
    assert (model.predict(X) == result.best.model.predict(X)).all()
    from stratum_jupyter.deploy.render import plan
    from stratum_jupyter.errors import DeployError

    with pytest.raises(DeployError) as refused:
        plan(tmp_path / "run" / "best", "edge-arm64")
    (problem,) = refused.value.violations
    assert problem.startswith("conversion: skl2onnx cannot convert plaindtypes (PlainDtypes)")


def test_the_bundle_service_loads_it_without_stratum_jupyter(evaluated, tmp_path):
    """In the Docker image only service/ is there: the copy of catalog/arrowtypes.py beside
    it stands for the module the skops file names (the model's front step)."""

    from stratum_jupyter.deploy.render import plan, render

    best = evaluated[1]
    out = tmp_path / "local"
    render(plan(best, "local"), out)
    assert (out / "service" / "arrowtypes.py").is_file()
    answers = predict_without_stratum(out, ROWS)
    frame = pd.DataFrame(ROWS).astype(arrow(penguins()[0]).dtypes.to_dict())
    assert answers == load_model(best).predict(frame).tolist()


def test_arrow_numbers_need_no_front_step_and_convert_for_edge_targets(tmp_path):
    """Numbers, booleans and timestamps scikit-learn takes from Arrow as they are: no front
    step, so the model stays convertible to ONNX (the input schema's Float64 / Int64 read as
    numbers)."""
    from stratum_jupyter.deploy.render import plan

    table, y = penguins()
    X = arrow(table[["culmen_length_mm", "culmen_depth_mm", "flipper_length_mm"]].dropna())
    y = y.loc[X.index]
    result = evaluate(SPEC, X, y, out=str(tmp_path / "run"), display="none")
    assert "plaindtypes" not in dict(result.best.model.steps)
    assert plan(tmp_path / "run" / "best", "edge-arm64").conversion == "onnx"
