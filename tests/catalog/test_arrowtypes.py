"""pyarrow-backed columns taken as the pandas dtypes of the same type: the table of
conversions, values unchanged, the other columns shared (not copied), a note saying it; the
builder's column kinds and date detection see them by their Arrow type."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from stratum_jupyter.catalog.arrowtypes import plain_columns, plain_dtype
from stratum_jupyter.catalog.roles import date_columns


def _column(values, pa_type) -> pd.Series:
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.array(values, type=pa_type)))


CASES = [
    ([True, None], pa.bool_(), "boolean"), ([1, None], pa.int64(), "Int64"),
    ([1, None], pa.uint8(), "UInt8"), ([1, None], pa.int16(), "Int16"),
    ([1.5, None], pa.float64(), "Float64"), ([1.5, None], pa.float32(), "Float32"),
    ([decimal.Decimal("1.25"), None], pa.decimal128(5, 2), "Float64"),
    (["a", None], pa.string(), "str"), (["a", None], pa.large_string(), "str"),
    ([dt.datetime(2024, 3, 31, 8), None], pa.timestamp("us"), "datetime64[us]"),
    ([dt.datetime(2024, 3, 31, 8), None], pa.timestamp("ms", tz="UTC"), "datetime64[ms, UTC]"),
    ([dt.date(2024, 3, 31), None], pa.date32(), "datetime64[s]"),
    ([None, None], pa.null(), "float64"),
]


def _expected(value, dtype: str):
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.date):  # datetimes too
        stamp = pd.Timestamp(value)
        return stamp.tz_localize("UTC") if "UTC" in dtype else stamp
    return value


@pytest.mark.parametrize("values,pa_type,expected", CASES, ids=[str(c[1]) for c in CASES])
def test_each_arrow_type_becomes_its_pandas_kin_with_the_same_values(values, pa_type,
                                                                     expected):
    frame = pd.DataFrame({"c": _column(values, pa_type)})
    plain, _, notes = plain_columns(frame)
    assert str(plain["c"].dtype) == expected
    assert plain["c"].isna().tolist() == [v is None for v in values]
    if expected == "str":  # gaps as NaN, which scikit-learn's imputers take (not pd.NA)
        assert plain["c"].iloc[1] is np.nan
    if values[0] is not None:
        assert plain["c"].iloc[0] == _expected(values[0], expected)
    assert notes == [f"pyarrow-backed columns taken as the pandas dtypes of the same type "
                     f"(values unchanged): {frame['c'].dtype} -> {expected} [c]"]


def test_a_dictionary_becomes_a_category_of_its_values():
    column = pd.Series(pd.arrays.ArrowExtensionArray(pa.array(["b", "a", None, "b"])
                                                     .dictionary_encode()))
    plain, _, _ = plain_columns(pd.DataFrame({"c": column}))
    assert plain["c"].dtype == "category"
    assert list(plain["c"].cat.categories) == ["b", "a"]  # the dictionary's order
    assert plain["c"].tolist()[:2] == ["b", "a"] and plain["c"].isna().tolist()[2]


def test_other_columns_are_shared_and_unknown_types_are_said():
    frame = pd.DataFrame({"x": np.arange(5.0), "n": _column([1, 2, 3, 4, None], pa.int64()),
                          "l": _column([[1]] * 5, pa.list_(pa.int64()))})
    plain, _, notes = plain_columns(frame)
    assert np.shares_memory(plain["x"].to_numpy(), frame["x"].to_numpy())
    assert str(plain["l"].dtype) == "list<item: int64>[pyarrow]"
    assert notes[1] == ("pyarrow-backed column(s) of a type the preprocessing does not take: "
                        "l (list<item: int64>[pyarrow]); the automatic preprocessing drops "
                        "them")
    assert plain_dtype(np.dtype("float64")) is None


def test_plain_tables_and_targets_come_back_as_they_are():
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    y = pd.Series(["a", "b"])
    assert plain_columns(frame, y) == (frame, y, [])
    arrow_y = y.astype(pd.ArrowDtype(pa.string()))
    _, plain_y, notes = plain_columns(frame, arrow_y)
    assert str(plain_y.dtype) == "str" and plain_y.tolist() == ["a", "b"]
    assert notes == ["the target's pyarrow dtype string[pyarrow] is taken as str"]


def test_the_builder_and_date_detection_see_arrow_columns_by_their_type():
    from stratum_jupyter.widgets.columns import infer_kinds

    frame = pd.DataFrame({"island": ["Dream", "Biscoe"], "mass": [3750, None],
                          "flag": [True, None], "day": ["2024-03-31", "2024-04-01"]}
                         ).convert_dtypes(dtype_backend="pyarrow")
    assert str(frame["island"].dtype) == "string[pyarrow]"
    assert infer_kinds(frame) == {"island": "categorical", "mass": "numeric",
                                  "flag": "boolean", "day": "datetime"}
    assert date_columns(frame) == ["day"]
