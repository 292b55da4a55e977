"""pyarrow-backed columns (pandas' ``ArrowDtype``: ``string[pyarrow]``, ``int64[pyarrow]``,
``double[pyarrow]``, ``bool[pyarrow]``, ``timestamp[us][pyarrow]``, ...) as the pandas dtype
of the same logical type, so that everything downstream treats them by their Arrow type.

``pd.read_csv(..., dtype_backend="pyarrow")`` and ``convert_dtypes(dtype_backend="pyarrow")``
give such columns. pandas' ``select_dtypes`` (hence scikit-learn's ``make_column_selector``,
the column rules' selectors) takes Arrow numbers, booleans and naive timestamps for their
NumPy kin, but no spelling of a selector picks an Arrow *string* column (``"string"`` names
pandas' ``StringDtype``, ``"object"`` NumPy objects), and some Arrow types (decimals, dates,
dictionaries) reach scikit-learn as Python objects. Converting each column once, where the
data is checked, is one rule for the selectors, the automatic preprocessing, date detection,
the bundle's input schema (which then records the logical type: ``Float64``, ``Int64``,
``boolean``, ``str``, ``category``, ``datetime64[us]``) and the prediction service:

=====================================  =================================================
Arrow type                             pandas dtype
=====================================  =================================================
bool                                   ``boolean`` (nullable)
int8..int64, uint8..uint64             ``Int8``..``Int64``, ``UInt8``..``UInt64``
float16/32, float64, decimal           ``Float32``, ``Float64``
string, large_string, string_view      ``str`` (gaps NaN; before pandas 2.3 object)
dictionary                             ``category``
timestamp (with or without a zone)     ``datetime64[unit]`` (``datetime64[unit, tz]``)
date32, date64                         ``datetime64[s]``, ``datetime64[ms]``
duration                               ``timedelta64[unit]``
null (a column with no value)          ``float64`` (all NaN)
=====================================  =================================================

Other Arrow types (lists, structs, binary) stay as they are; the automatic preprocessing
drops them, and the note says so. Values are unchanged (missing stays missing).

A model trained on a table with Arrow text, dictionaries, decimals or dates starts with
:class:`PlainDtypes` (this conversion as a scikit-learn step), so that ``predict`` takes
the pyarrow-backed rows too: scikit-learn's imputers cannot compare their pd.NA
(:func:`needs_front_step`; Arrow numbers, booleans and timestamps it takes as they are). This module
depends on NumPy, pandas, scikit-learn (and pyarrow, where there are Arrow columns) only:
the deploy bundle copies it beside the prediction service, as it does ``catalog/dates.py``.
"""

from __future__ import annotations

from typing import Any

from sklearn.base import BaseEstimator, TransformerMixin


def plain_dtype(dtype: Any) -> Any:
    """The pandas dtype for an ``ArrowDtype`` (see the module's table); None for any other
    dtype and for Arrow types without one (lists, structs, binary)."""
    import pandas as pd
    import pyarrow as pa

    if not isinstance(dtype, pd.ArrowDtype):
        return None
    t = dtype.pyarrow_dtype
    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    if pa.types.is_integer(t):
        return pd.api.types.pandas_dtype(
            f"{'U' if pa.types.is_unsigned_integer(t) else ''}Int{t.bit_width}")
    if pa.types.is_floating(t):
        return pd.Float32Dtype() if t.bit_width < 64 else pd.Float64Dtype()
    if pa.types.is_decimal(t):
        return pd.Float64Dtype()
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return _text_dtype()
    if pa.types.is_dictionary(t):
        return pd.CategoricalDtype()
    if pa.types.is_timestamp(t):
        return pd.DatetimeTZDtype(t.unit, t.tz) if t.tz else f"datetime64[{t.unit}]"
    if pa.types.is_date32(t):
        return "datetime64[s]"
    if pa.types.is_date64(t):
        return "datetime64[ms]"
    if pa.types.is_duration(t):
        return f"timedelta64[{t.unit}]"
    if pa.types.is_null(t):
        return "float64"
    return None


def _text_dtype() -> Any:
    """pandas' text dtype whose gaps are NaN (``str``, the default from pandas 3); object
    where pandas has no such dtype. Not ``string``: its gaps are pd.NA, which
    scikit-learn's SimpleImputer cannot compare (scikit-learn#32312)."""
    import numpy as np
    import pandas as pd

    try:
        return pd.StringDtype(na_value=np.nan)
    except TypeError:  # pandas < 2.3
        return object


def is_arrow(dtype: Any) -> bool:
    """Whether ``dtype`` is pyarrow-backed (``ArrowDtype``), without importing pyarrow."""
    return type(dtype).__name__ == "ArrowDtype"


def plain_column(series: Any) -> Any:
    """``series`` with its pandas dtype (see :func:`plain_dtype`), or itself when it has
    none. Numbers and booleans are built from the Arrow buffers (values and a mask, no
    Python objects); a dictionary becomes a ``category`` of its values' own pandas dtype."""
    import pandas as pd

    target = plain_dtype(series.dtype)
    if target is None:
        return series
    if isinstance(target, pd.api.extensions.ExtensionDtype) and target.kind in "biuf":
        return pd.Series(_masked(series.array.__arrow_array__(), target), index=series.index,
                         name=series.name, copy=False)
    if isinstance(target, pd.CategoricalDtype):
        return _categorical(series)
    plain = series.astype(target)
    if target is object:  # pd.NA as NaN, as in every other text column
        plain = plain.where(series.notna(), float("nan"))
    return plain


def _masked(chunks: Any, target: Any) -> Any:
    """A pandas masked array (``boolean``, ``Int*``, ``Float*``) of an Arrow chunked array:
    the values with gaps filled (a copy at most) and the mask of the gaps."""
    import pandas as pd
    import pyarrow as pa

    if pa.types.is_decimal(chunks.type):
        chunks = chunks.cast(pa.float64(), safe=False)
    elif target.kind == "f" and chunks.type.bit_width < 32:  # float16: no pandas Float16
        chunks = chunks.cast(pa.float32())
    mask = chunks.is_null().to_numpy()
    values = chunks.fill_null(False if pa.types.is_boolean(chunks.type) else 0)
    values = values.to_numpy()
    if target.kind == "b":
        return pd.arrays.BooleanArray(values, mask)
    if target.kind in "iu":
        return pd.arrays.IntegerArray(values, mask)
    return pd.arrays.FloatingArray(values, mask)


def _categorical(series: Any) -> Any:
    """A dictionary column as a ``category`` of its values' pandas dtype: codes from the
    indices (-1 for a gap), categories from the dictionary."""
    import pandas as pd
    import pyarrow as pa

    chunks = series.array.__arrow_array__().unify_dictionaries()
    combined = pa.concat_arrays(chunks.chunks) if chunks.num_chunks else pa.array(
        [], type=chunks.type)
    codes = combined.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    values = pd.Series(pd.arrays.ArrowExtensionArray(combined.dictionary))
    categories = plain_column(values)
    values = pd.Categorical.from_codes(codes, categories=pd.Index(categories), validate=False)
    return pd.Series(values, index=series.index, name=series.name, copy=False)


def plain_columns(X: Any, y: Any = None) -> tuple[Any, Any, list[str]]:
    """``(X, y, notes)``: a DataFrame ``X`` and a Series ``y`` with their pyarrow-backed
    columns converted (:func:`plain_column`; other columns are the same objects, not
    copies), and a note saying which were, grouped by dtype, and which Arrow types stay
    as they are. Anything else comes back unchanged, with no note."""
    import pandas as pd

    notes: list[str] = []
    if isinstance(X, pd.DataFrame) and any(is_arrow(t) for t in X.dtypes):
        converted: dict[str, list[str]] = {}
        kept: list[str] = []
        X = X.copy(deep=False)  # the columns not converted are shared, not copied
        for position, (name, dtype) in enumerate(X.dtypes.items()):
            if not is_arrow(dtype):
                continue
            column = X.iloc[:, position]
            plain = plain_column(column)
            if plain is column:
                kept.append(f"{name} ({dtype})")
                continue
            converted.setdefault(f"{dtype} -> {plain.dtype}", []).append(str(name))
            X.isetitem(position, plain)
        notes += _said(converted, kept)
    if isinstance(y, pd.Series) and is_arrow(y.dtype):
        plain = plain_column(y)
        if plain is not y:
            notes.append(f"the target's pyarrow dtype {y.dtype} is taken as {plain.dtype}")
        y = plain
    return X, y, notes


def _said(converted: dict[str, list[str]], kept: list[str]) -> list[str]:
    notes = []
    if converted:
        groups = "; ".join(f"{change} [{', '.join(names)}]"
                           for change, names in converted.items())
        notes.append("pyarrow-backed columns taken as the pandas dtypes of the same type "
                     f"(values unchanged): {groups}")
    if kept:
        notes.append(f"pyarrow-backed column(s) of a type the preprocessing does not take: "
                     f"{', '.join(kept)}; the automatic preprocessing drops them")
    return notes


class PlainDtypes(TransformerMixin, BaseEstimator):
    """The front step of a model trained on a pyarrow-backed table: its input with the
    pyarrow-backed columns taken as pandas dtypes (:func:`plain_columns`); any other input
    as it is. Stateless: nothing to learn, every output column is an input column.

    Input: a DataFrame ``(n_rows, n_columns)`` (or anything). Output: the same shape."""

    def fit(self, X: Any, y: Any = None) -> PlainDtypes:
        return self

    def transform(self, X: Any) -> Any:
        return plain_columns(X)[0]

    def get_feature_names_out(self, input_features: Any = None) -> Any:
        import numpy as np

        return np.asarray(input_features if input_features is not None else [], dtype=object)

    def __sklearn_is_fitted__(self) -> bool:
        return True  # stateless

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.requires_fit = False
        return tags


def with_front_step(model: Any) -> Any:
    """``model`` (fitted) behind a :class:`PlainDtypes` step named ``plaindtypes``: a
    Pipeline's steps follow it, any other estimator is the step ``model``."""
    from sklearn.pipeline import Pipeline

    steps = list(model.steps) if isinstance(model, Pipeline) else [("model", model)]
    return Pipeline([("plaindtypes", PlainDtypes()), *steps])


def needs_front_step(X: Any) -> bool:
    """Whether a model trained on ``X`` needs :class:`PlainDtypes` to predict from rows like
    it: a pyarrow-backed column that scikit-learn cannot take as it is (text, dictionaries,
    decimals, dates, nulls; numbers, booleans and timestamps it takes, and a model without
    the step stays convertible for edge targets)."""
    import pandas as pd

    if not isinstance(X, pd.DataFrame):
        return False
    return any(is_arrow(t) and not _sklearn_takes(t.pyarrow_dtype) for t in X.dtypes)


def _sklearn_takes(t: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_boolean(t) or pa.types.is_integer(t) or pa.types.is_floating(t)
                or pa.types.is_timestamp(t))
