"""What an ONNX model of a deploy bundle is fed: the rows of a request (or the sample rows
that verified the conversion) as the model's own inputs."""

from __future__ import annotations

from typing import Any

MISSING_TEXT = "\x00"  # a missing text value, in an ONNX model's string inputs
ONNX_DTYPES = {"tensor(float)": "float32", "tensor(double)": "float64",
               "tensor(int64)": "int64", "tensor(int32)": "int32", "tensor(bool)": "bool"}


def onnx_feeds(inputs: list[Any], names: list[str], rows: list[dict[str, Any]]
               ) -> dict[str, Any]:
    """An ONNX model's inputs (``session.get_inputs()``) for ``rows``: one per feature, in
    order, when the model has one per feature (DataFrame models), else every feature in one
    matrix; each of the input's own type. Missing numbers are NaN, missing text
    :data:`MISSING_TEXT` (ONNX strings have no NaN)."""
    import numpy as np

    groups = [[name] for name in names] if len(inputs) == len(names) else [names]
    feeds = {}
    for spec, columns in zip(inputs, groups, strict=True):
        values = [[row[c] for c in columns] for row in rows]
        if spec.type == "tensor(string)":
            feeds[spec.name] = np.array([[_onnx_text(v) for v in line] for line in values],
                                        dtype=object)
        else:
            feeds[spec.name] = np.array([[np.nan if v is None else v for v in line]
                                         for line in values],
                                        dtype=ONNX_DTYPES.get(spec.type, np.float32))
    return feeds


def _onnx_text(value: Any) -> str:
    if value is None:
        return MISSING_TEXT
    if value == MISSING_TEXT:
        raise ValueError(f"the text value {MISSING_TEXT!r} is reserved for missing values")
    return str(value)
