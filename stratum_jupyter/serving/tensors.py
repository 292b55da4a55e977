"""Named N-D inputs of ``tensor`` and ``image`` models (docs/model-inputs.md): the schema's
``inputs`` as :class:`TensorSpec`, and JSON values checked against them into NumPy arrays.

Every mistake is a :class:`~.inputs.BadRequest` (422) naming the input, the shape or dtype
it takes and what came: a ragged list, a string among numbers, a float for an integer
input, a number too large for the dtype, a wrong number of dimensions or a wrong size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .inputs import BadRequest

# The Open Inference Protocol's datatypes and the NumPy dtypes they are (docs/model-inputs.md)
V2_DTYPES = {"BOOL": "bool", "UINT8": "uint8", "UINT16": "uint16", "UINT32": "uint32",
             "UINT64": "uint64", "INT8": "int8", "INT16": "int16", "INT32": "int32",
             "INT64": "int64", "FP16": "float16", "FP32": "float32", "FP64": "float64",
             "BYTES": "object"}
DTYPE_V2 = {v: k for k, v in V2_DTYPES.items()}


@dataclass(frozen=True)
class TensorSpec:
    """One input or output: ``name``, ``shape`` (batch dimension first; ``None`` is any size)
    and ``dtype`` (a NumPy dtype name)."""

    name: str
    shape: tuple[int | None, ...]
    dtype: str

    @classmethod
    def from_schema(cls, entry: dict[str, Any]) -> TensorSpec:
        shape = tuple(None if d is None or int(d) < 0 else int(d)
                      for d in entry.get("shape") or [None])
        return cls(str(entry["name"]), (None, *shape[1:]), str(entry.get("dtype") or "float32"))

    @property
    def datatype(self) -> str:
        """The Open Inference Protocol's name of the dtype (``FP32``)."""
        return DTYPE_V2.get(self.dtype, self.dtype.upper())

    def v2_shape(self) -> list[int]:
        return [-1 if d is None else d for d in self.shape]

    def describe(self) -> str:
        dims = ", ".join("any" if d is None else str(d) for d in self.shape)
        return f"{self.dtype} of shape [{dims}]"


def read_specs(entries: Sequence[Any] | None) -> list[TensorSpec]:
    return [TensorSpec.from_schema(e) for e in entries or [] if isinstance(e, dict)]


def to_array(spec: TensorSpec, value: Any, where: str, batched: bool = True) -> Any:
    """``value`` (nested lists from JSON, or an array) as an array of ``spec.dtype`` whose
    shape fits ``spec.shape`` (``batched``: with the batch dimension; else one instance);
    BadRequest 422 naming ``where`` and what is expected otherwise."""
    import numpy as np

    expected = spec.shape if batched else spec.shape[1:]
    try:
        raw = np.asarray(value)
    except ValueError:  # NumPy >= 1.24 refuses ragged lists
        raw = None
    if raw is None or raw.dtype == object and not _is_text(spec):
        raise _bad(where, spec, "got lists of different lengths or mixed values", batched)
    if raw.ndim != len(expected) or any(d is not None and d != n
                                        for d, n in zip(expected, raw.shape, strict=False)):
        raise _bad(where, spec, f"got shape {list(raw.shape)}", batched)
    return _cast(raw, spec, where, batched)


def _is_text(spec: TensorSpec) -> bool:
    return spec.dtype in {"object", "str", "bytes"}


def _cast(raw: Any, spec: TensorSpec, where: str, batched: bool) -> Any:
    import numpy as np

    target = np.dtype(spec.dtype)
    kind = raw.dtype.kind
    if target.kind == "O":
        if kind not in "OUS":
            raise _bad(where, spec, f"got {raw.dtype} values, expected strings", batched)
        return raw.astype(object)
    if raw.size == 0:
        return raw.astype(target)
    allowed = {"b": "b", "i": "iu", "u": "iu", "f": "iuf"}.get(target.kind, "iufb")
    if kind not in allowed:
        shown = {"U": "strings", "S": "strings", "b": "booleans", "f": "floats",
                 "O": "mixed values"}.get(kind, str(raw.dtype))
        raise _bad(where, spec, f"got {shown}", batched)
    if target.kind in "iu":
        info = np.iinfo(target)
        if raw.min() < info.min or raw.max() > info.max:
            raise _bad(where, spec, f"got values out of {spec.dtype}'s range "
                       f"[{info.min}, {info.max}]", batched)
    elif target.kind == "f":
        top = float(np.finfo(target).max)
        with np.errstate(invalid="ignore"):
            finite = raw.astype(np.float64)
        if not np.isfinite(finite).all() or np.abs(finite).max() > top:
            raise _bad(where, spec, f"got values that are not finite {spec.dtype} numbers",
                       batched)
    return raw.astype(target)


def _bad(where: str, spec: TensorSpec, problem: str, batched: bool) -> BadRequest:
    shape = spec.describe() if batched else TensorSpec(spec.name, spec.shape[1:],
                                                       spec.dtype).describe()
    return BadRequest(422, f"{where}: input {spec.name!r} takes {shape}: {problem}")
