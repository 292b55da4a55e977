"""What ``/predict`` takes: the bundle's input schema as a pydantic request model, and the
validated rows as columns (:class:`Frame`). Every mistake in a body, of any JSON type, is a
:class:`BadRequest` whose messages name the row and the feature."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Optional

from typing_extensions import TypedDict

MAX_ERRORS = 20
KINDS = ("float", "int", "bool", "str")
BODY_SHAPE = 'the body must be a JSON object {"rows": [{feature: value, ...}, ...]}'
EXPECTED = {"float": "a number", "int": "an integer", "bool": "true or false",
            "str": "a string"}
WRONG_TYPE = {"float_type", "int_type", "bool_type", "string_type", "int_parsing",
              "float_parsing", "bool_parsing"}


class BadRequest(Exception):
    """The client's fault: answered with ``status`` and a JSON message (and ``errors``)."""

    def __init__(self, status: int, message: str, errors: Sequence[str] = ()):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, list(errors)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


ARROW = "[pyarrow]"  # the suffix of pandas' pyarrow-backed dtype names
# Arrow's names for NumPy's floats (``float[pyarrow]`` is 32 bits, ``double`` 64).
_ARROW_FLOATS = {"halffloat": "float16", "float": "float32", "double": "float64"}


def kind_of(dtype: str) -> str:
    """``float``, ``int``, ``bool`` or ``str`` (categorical, and dates as ISO 8601 text) for
    a recorded dtype: NumPy's, pandas' nullable ones (``Float64``, ``Int64``, ``boolean``)
    and pyarrow-backed ones by their Arrow type (``double[pyarrow]``, ``int64[pyarrow]``,
    ``bool[pyarrow]``, ``decimal128(10, 2)[pyarrow]``; strings and timestamps: text)."""
    base = dtype.removesuffix(ARROW)
    if base.startswith(("float", "Float", "double", "halffloat", "decimal")):
        return "float"
    if base.startswith(("int", "uint", "Int", "UInt")):
        return "int"
    if base in {"bool", "boolean"}:
        return "bool"
    return "str"


def numpy_name(dtype: str) -> str:
    """The NumPy spelling of a numeric dtype's name: ``double[pyarrow]`` -> ``float64``,
    ``Int64`` -> ``int64``; other names as they are (lower case)."""
    base = dtype.removesuffix(ARROW)
    return _ARROW_FLOATS.get(base, base).lower() if dtype.endswith(ARROW) else dtype.lower()


@dataclass(frozen=True)
class Feature:
    """One input column: ``name``, recorded ``dtype``, its ``kind``, whether it may be
    missing in a request (``may_be_missing``: a float or string feature, whose values can
    hold a gap, or one the schema's ``missing`` field says had gaps in training; whether a
    null is then taken is the model's say, see ``core.Predictor``), and the ``categories``
    seen in training, where recorded. A feature without gaps in training may well have them
    in production: that alone does not refuse a null the model can impute."""

    name: str
    dtype: str
    kind: str
    may_be_missing: bool
    categories: tuple[Any, ...] | None = None

    @classmethod
    def from_schema(cls, entry: dict[str, Any]) -> Feature:
        dtype = str(entry.get("dtype") or "float64")
        kind = kind_of(dtype)
        missing = entry.get("missing")
        categories = entry.get("categories")
        return cls(str(entry["name"]), dtype, kind,
                   kind in {"float", "str"} or bool(missing),
                   tuple(categories) if isinstance(categories, list) else None)


def read_features(schema: dict[str, Any]) -> list[Feature]:
    return [Feature.from_schema(entry) for entry in schema.get("features", [])]


# -- the request model ----------------------------------------------------------------------
def _numbers_only(value: Any) -> Any:
    from pydantic_core import PydanticCustomError

    if isinstance(value, (str, bool)):  # lax int would take "3" and true
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def _bounds(dtype: str) -> dict[str, Any]:
    """``ge``/``le`` of a sized numeric dtype (int8..uint64, float16/32); none for float64."""
    import numpy as np

    try:
        np_dtype = np.dtype(numpy_name(dtype))
    except TypeError:
        return {}
    if np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        return {"ge": int(info.min), "le": int(info.max)}
    if np_dtype.kind == "f" and np_dtype.itemsize < 8:
        top = float(np.finfo(np_dtype).max)
        return {"ge": -top, "le": top}
    return {}


def _value_type(feature: Feature, nullable: bool) -> Any:
    from pydantic import BeforeValidator, Field, StrictBool, StrictStr

    base: Any
    if feature.kind == "float":
        base = Annotated[float, Field(strict=True, allow_inf_nan=False, **_bounds(feature.dtype))]
    elif feature.kind == "int":
        base = Annotated[int, BeforeValidator(_numbers_only), Field(**_bounds(feature.dtype))]
    elif feature.kind == "bool":
        base = StrictBool
    else:
        base = StrictStr
    return Optional[base] if nullable else base  # noqa: UP045 - a runtime type, py3.10


def _closed_dict(name: str, fields: dict[str, Any]) -> Any:
    """A TypedDict of these fields (any strings: feature names need not be identifiers)
    that pydantic validates with no other keys allowed."""
    from pydantic import ConfigDict

    typed_dict: Any = TypedDict
    closed = typed_dict(name, fields)
    closed.__pydantic_config__ = ConfigDict(extra="forbid")
    return closed


class RequestModel:
    """The body of ``/predict`` for these features, as pydantic validates it straight from
    the bytes: ``{"rows": [{feature: value, ...}, ...]}``, nothing more, nothing less;
    ``null`` only for the features in ``nullable``."""

    def __init__(self, features: Sequence[Feature], nullable: Iterable[str], max_rows: int):
        from pydantic import Field, TypeAdapter

        self.features = {f.name: f for f in features}
        self.nullable = frozenset(nullable)
        self.max_rows = max_rows
        row = _closed_dict("Row", {f.name: _value_type(f, f.name in self.nullable)
                                   for f in features})
        rows = Annotated[list[row], Field(min_length=1, max_length=max_rows)]  # type: ignore[valid-type]
        self.adapter: Any = TypeAdapter(_closed_dict("Body", {"rows": rows}))

    def parse(self, body: bytes) -> list[dict[str, Any]]:
        """The rows of a valid body; else BadRequest (400 bad JSON, 413 too many rows, 422)."""
        from pydantic import ValidationError

        try:
            return self.adapter.validate_json(body)["rows"]
        except ValidationError as exc:
            raise self._bad_request(exc.errors(include_url=False)) from None

    def _bad_request(self, errors: list[Any]) -> BadRequest:
        first = errors[0]
        if first["type"] == "json_invalid":
            reason = str(first.get("ctx", {}).get("error", first["msg"]))
            reason = reason.replace("number out of range", "number too large")
            return BadRequest(400, f"the body is not valid JSON: {reason}")
        for err in errors:
            if err["loc"] == ("rows",) and err["type"] == "too_long":
                count = err.get("ctx", {}).get("actual_length", "more")
                return BadRequest(413, f"too many rows: {count} (at most {self.max_rows})")
        top = [e for e in errors if len(e["loc"]) < 2]
        if top:
            return BadRequest(422, self._top_level(top))
        return BadRequest(422, "invalid rows", self._row_messages(errors))

    @staticmethod
    def _top_level(errors: list[Any]) -> str:
        extra = [str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden"]
        if any(e["loc"] == ("rows",) and e["type"] != "missing" for e in errors):
            return "rows must be a non-empty list of objects"
        if extra and len(extra) == len(errors):
            return f"unknown top-level field(s): {', '.join(_short(k) for k in extra[:5])} " \
                   "(allowed: rows)"
        return BODY_SHAPE

    def _row_messages(self, errors: list[Any]) -> list[str]:
        messages: list[str] = []
        grouped: dict[tuple[int, str], list[str]] = {}
        for err in errors:
            index, rest = err["loc"][1], err["loc"][2:]
            if not rest:
                messages.append(f"rows[{index}]: must be an object of feature: value, "
                                f"got {_json_type(err['input'])}")
            elif err["type"] in {"missing", "extra_forbidden"}:
                grouped.setdefault((index, err["type"]), []).append(str(rest[0]))
            else:
                feature = self.features[str(rest[0])]
                messages.append(f"rows[{index}].{feature.name}: {self._problem(err, feature)} "
                                f"(feature dtype {feature.dtype})")
        for (index, kind), names in grouped.items():
            shown = ", ".join(_short(n) for n in names[:5]) + (", ..." if len(names) > 5 else "")
            if kind == "missing":
                messages.append(f"rows[{index}]: missing feature(s) {shown}")
            else:
                messages.append(f"rows[{index}]: unknown feature(s) {shown} (allowed: "
                                f"{', '.join(repr(n) for n in self.features)})")
        return sorted(messages, key=_row_number)[:MAX_ERRORS]

    def _problem(self, err: dict[str, Any], feature: Feature) -> str:
        kind, value = err["type"], err.get("input")
        if value is None:
            why = "the model cannot take a missing value here" if feature.may_be_missing \
                else "the feature takes no missing value"
            return f"null is not allowed ({why})"
        if kind == "finite_number" and value != value:
            # JSON has no NaN (Python's json.dumps and pandas' to_json write it anyway)
            return ("NaN is not allowed: send null for a missing value"
                    if feature.name in self.nullable else
                    "NaN is not allowed: this feature takes no missing value, send a number")
        if kind == "finite_number":
            return "number too large"
        if kind in {"less_than_equal", "greater_than_equal", "int_parsing_size"}:
            return f"{_show(value)} does not fit {feature.dtype.lower()}" \
                if feature.kind == "int" else f"number too large for {feature.dtype}"
        if kind == "int_from_float":
            return f"expected an integer, got {_show(value)}"
        if kind in WRONG_TYPE:
            return f"expected {EXPECTED[feature.kind]}, got {_show(value)}"
        return str(err["msg"])


def _row_number(message: str) -> int:
    return int(message[5:message.index("]")])


def _short(name: str) -> str:
    text = repr(name)
    return text if len(text) <= 60 else text[:57] + "..."


def _show(value: Any) -> str:
    """A value as JSON, cut to 40 characters (big numbers, unicode and nesting included)."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _json_type(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string",
             list: "an array", type(None): "null"}
    return names.get(type(value), type(value).__name__)


# -- validated rows as columns --------------------------------------------------------------
@dataclass(frozen=True)
class Frame:
    """Validated rows as one list of values per feature (``None`` where missing): what every
    runtime predicts from, whatever array or table it builds."""

    features: tuple[Feature, ...]
    columns: dict[str, list[Any]]
    n_rows: int

    @classmethod
    def from_rows(cls, rows: Sequence[dict[str, Any]], features: Sequence[Feature]) -> Frame:
        return cls(tuple(features), {f.name: [row[f.name] for row in rows] for f in features},
                   len(rows))

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.features]

    def has_missing(self, name: str) -> bool:
        return _holds_none(self.columns[name])

    def any_missing(self) -> bool:
        return any(_holds_none(column) for column in self.columns.values())

    def take(self, rows: Sequence[int]) -> Frame:
        return Frame(self.features, {n: [c[i] for i in rows] for n, c in self.columns.items()},
                     len(rows))

    def with_value(self, row: int, name: str, value: Any) -> Frame:
        columns = dict(self.columns)
        columns[name] = [value if i == row else v for i, v in enumerate(columns[name])]
        return Frame(self.features, columns, self.n_rows)

    def array(self, feature: Feature, dtype: Any = None) -> Any:
        """One column as a NumPy array of ``dtype`` (default: the recorded one); integers and
        booleans with missing values become float64 with NaN, strings keep NaN for them."""
        import numpy as np

        values = self.columns[feature.name]
        np_dtype = np.dtype(dtype or numpy_dtype(feature))
        if np_dtype.kind in "iub" and self.has_missing(feature.name):
            np_dtype = np.dtype("float64")
        if np_dtype.kind == "O":
            return np.array([np.nan if v is None else v for v in values], dtype=object)
        return np.array(values, dtype=np_dtype)

    def matrix(self, dtype: Any) -> Any:
        """All columns side by side, ``(n_rows, n_features)``, missing values as NaN."""
        import numpy as np

        # filled column by column: one matrix, not a transposed one and its C-ordered copy
        out = np.empty((self.n_rows, len(self.features)), dtype=dtype)
        for j, feature in enumerate(self.features):
            column = self.columns[feature.name]
            out[:, j] = column if isinstance(column, np.ndarray) else np.array(column,
                                                                                dtype=dtype)
        return out


def numpy_dtype(feature: Feature) -> Any:
    """The NumPy dtype closest to the recorded one (object for strings and categories)."""
    import numpy as np

    if feature.kind == "str":
        return np.dtype(object)
    if feature.kind == "bool":
        return np.dtype(bool)
    try:
        return np.dtype(numpy_name(feature.dtype))
    except TypeError:
        return np.dtype("float64" if feature.kind == "float" else "int64")


def _holds_none(column: Any) -> bool:
    """Whether a column holds a gap (None). A NumPy column of numbers cannot (batch scoring
    passes gap-free columns as arrays): ``None in array`` would compare every element as an
    object, 1 ms per 50,000 values."""
    kind = getattr(getattr(column, "dtype", None), "kind", "O")
    return kind == "O" and None in column
