"""Request readers, one per ``input_schema.kind`` (docs/model-inputs.md): what a body of
``POST /predict`` (or the Open Inference Protocol's inputs, or a file's chunk in batch
scoring) becomes before a model runtime sees it.

- :class:`TableReader` (``dataframe``, ``array``): ``{"rows": [...]}`` or
  ``{"instances": [...]}`` -> a validated :class:`~.inputs.Frame`;
- :class:`TensorReader` (``tensor``): ``{"instances": [...]}`` or ``{"inputs": {name: ...}}``
  -> :class:`Tensors`, named arrays checked against the inputs' shape and dtype;
- :class:`ImageReader` (``image``): the same, and images (``{"b64": ...}`` entries, an
  ``image/*`` body) decoded and prepared as the schema's ``image`` block says.

Every mistake is a :class:`~.inputs.BadRequest` naming what was expected.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .images import ImagePrep, b64_bytes
from .inputs import BadRequest, Feature, Frame, RequestModel, read_features
from .tensors import TensorSpec, read_specs, to_array


@dataclass(frozen=True)
class Tensors:
    """Named arrays in the model's input order, all ``n_rows`` long in their first axis."""

    arrays: dict[str, Any]
    n_rows: int

    def take(self, rows: Sequence[int]) -> Tensors:
        return Tensors({n: a[list(rows)] for n, a in self.arrays.items()}, len(rows))


def parse_json(body: bytes) -> Any:
    """JSON as the standard says it (no NaN or Infinity); 400 for anything else."""
    def refuse(token: str) -> Any:
        raise ValueError(f"{token} is not JSON")

    try:
        return json.loads(body, parse_constant=refuse)
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise BadRequest(400, f"the body is not valid JSON: {str(exc)[:100]}") from None


def _instances(body: Any, limit: int) -> list[Any]:
    items = body.get("instances") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise BadRequest(422, "instances must be a non-empty list")
    if len(items) > limit:
        raise BadRequest(413, f"too many instances: {len(items)} (at most {limit})")
    return items


class Reader:
    """Makes what the model runtime predicts from; ``kind`` is the schema's."""

    kind: str
    max_rows: int

    def read(self, body: bytes, content_type: str = "application/json") -> Any:
        """A ``POST /predict`` body as a Frame or Tensors; BadRequest for bad input."""
        raise NotImplementedError

    def from_columns(self, columns: dict[str, Any], where: str = "inputs") -> Any:
        """Named columns or arrays (the Open Inference Protocol's inputs, a file's chunk)."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        raise NotImplementedError


class TableReader(Reader):
    """Rows of named features; ``instances`` are rows too: objects, or arrays of the
    features' values in the schema's order."""

    def __init__(self, schema: dict[str, Any], max_rows: int = 10000):
        self.kind = str(schema.get("kind") or "dataframe")
        self.features: list[Feature] = read_features(schema)
        self.names = [f.name for f in self.features]
        self.max_rows = max_rows
        self.nullable: list[str] = []
        self._request: RequestModel | None = None

    def allow_missing(self, names: Sequence[str]) -> None:
        """The features that may be null in a request (what the model was seen to take)."""
        self.nullable = sorted(names)
        self._request = RequestModel(self.features, self.nullable, self.max_rows)

    @property
    def request(self) -> RequestModel:
        if self._request is None:
            self._request = RequestModel(self.features, self.nullable, self.max_rows)
        return self._request

    def read(self, body: bytes, content_type: str = "application/json") -> Frame:
        if content_type.startswith("image/"):
            raise BadRequest(415, f"this model takes table rows, not {content_type[:40]}")
        try:
            return Frame.from_rows(self.request.parse(body), self.features)
        except BadRequest as exc:  # the rows' fast path first; instances only when sent
            if exc.status == 400 or b'"instances"' not in body:
                raise
        items = _instances(parse_json(body), self.max_rows)
        rows = [dict(zip(self.names, item, strict=False)) if isinstance(item, list)
                and len(item) == len(self.names) else item for item in items]
        return self.rows(rows, "instances")

    def rows(self, rows: list[Any], where: str = "rows") -> Frame:
        """Rows (objects) validated as ``/predict`` validates them; messages say ``where``."""
        from pydantic import ValidationError

        try:
            valid = self.request.adapter.validate_python({"rows": rows})["rows"]
        except ValidationError as exc:
            bad = self.request._bad_request(exc.errors(include_url=False))
            raise BadRequest(bad.status, bad.message.replace("rows", where),
                             [e.replace("rows[", f"{where}[", 1) for e in bad.errors]) from None
        return Frame.from_rows(valid, self.features)

    def from_columns(self, columns: dict[str, Any], where: str = "inputs") -> Frame:
        lengths = {len(v) if isinstance(v, list) else -1 for v in columns.values()}
        if len(lengths) != 1 or -1 in lengths:
            raise BadRequest(422, f"{where}: one list of values per feature, all as long")
        n = lengths.pop()
        return self.rows([{k: v[i] for k, v in columns.items()} for i in range(n)], where)

    def describe(self) -> dict[str, Any]:
        return {"features": self.names, "nullable": self.nullable}


class TensorReader(Reader):
    """Named N-D arrays. One input: each instance is one array of the input's shape without
    the batch axis. Several: each instance is an object ``{input: array}``."""

    def __init__(self, schema: dict[str, Any], max_rows: int = 10000):
        self.kind = str(schema.get("kind") or "tensor")
        self.specs: list[TensorSpec] = read_specs(schema.get("inputs"))
        if not self.specs:
            raise ValueError("input_schema.inputs lists no input")
        self.max_rows = max_rows

    def read(self, body: bytes, content_type: str = "application/json") -> Tensors:
        if content_type.startswith("image/"):
            raise BadRequest(415, f"this model takes tensors, not {content_type[:40]}")
        data = parse_json(body)
        if isinstance(data, dict) and set(data) == {"inputs"} and isinstance(
                data["inputs"], dict):
            return self.from_columns(data["inputs"])
        if not isinstance(data, dict) or set(data) != {"instances"}:
            raise BadRequest(422, 'the body must be {"instances": [...]} or '
                             f'{{"inputs": {{name: [...]}}}}; this model takes {self.takes()}')
        return self.from_instances(_instances(data, self.max_rows))

    def takes(self) -> str:
        return "; ".join(f"{s.name!r}: {s.describe()}" for s in self.specs)

    def from_instances(self, items: list[Any]) -> Tensors:
        if len(self.specs) == 1:
            spec = self.specs[0]
            return self._checked({spec.name: to_array(spec, items, "instances")}, len(items))
        columns: dict[str, list[Any]] = {s.name: [] for s in self.specs}
        for i, item in enumerate(items):
            if not isinstance(item, dict) or set(item) != set(columns):
                raise BadRequest(422, f"instances[{i}]: expected an object of "
                                 f"{', '.join(map(repr, columns))}")
            for name, value in item.items():
                columns[name].append(value)
        return self.from_columns(columns, "instances")

    def from_columns(self, columns: dict[str, Any], where: str = "inputs") -> Tensors:
        names = [s.name for s in self.specs]
        if set(columns) != set(names):
            raise BadRequest(422, f"{where}: expected input(s) {', '.join(map(repr, names))}, "
                             f"got {', '.join(repr(str(k)[:40]) for k in list(columns)[:5])}")
        arrays = {s.name: to_array(s, columns[s.name], f"{where}.{s.name}") for s in self.specs}
        return self._checked(arrays, len(next(iter(arrays.values()))))

    def _checked(self, arrays: dict[str, Any], n: int) -> Tensors:
        if {len(a) for a in arrays.values()} != {n} or n == 0:
            raise BadRequest(422, "every input needs the same number of instances, at least 1")
        if n > self.max_rows:
            raise BadRequest(413, f"too many instances: {n} (at most {self.max_rows})")
        return Tensors(arrays, n)

    def describe(self) -> dict[str, Any]:
        return {"inputs": [{"name": s.name, "shape": list(s.shape), "dtype": s.dtype}
                           for s in self.specs]}


class ImageReader(TensorReader):
    """An image model: instances are ``{"b64": ...}`` images or prepared arrays; an
    ``image/*`` body is one image."""

    def __init__(self, schema: dict[str, Any], max_rows: int = 10000):
        super().__init__(schema, max_rows)
        if len(self.specs) != 1:
            raise ValueError("an image model takes one input")
        self.prep = ImagePrep.from_schema(self.specs[0], schema.get("image") or {})

    def read(self, body: bytes, content_type: str = "application/json") -> Tensors:
        if content_type.startswith("image/"):
            return self.images([body], "body")
        if not content_type.startswith(("application/json", "text/", "*/*")) \
                and content_type:
            raise BadRequest(415, f"expected JSON or an image/* body, got {content_type[:40]}")
        return super().read(body, content_type)

    def images(self, encoded: Sequence[bytes], where: str = "instances") -> Tensors:
        """Encoded images (PNG, JPEG, ...) as one prepared batch."""
        import numpy as np

        made = [self.prep.decode(data, where if where == "body" else f"{where}[{i}]")
                for i, data in enumerate(encoded)]
        if not made:  # (np.stack of none raises ValueError: a 500, not the 422 it is)
            self._checked({}, 0)
        return self._checked({self.specs[0].name: np.stack(made)}, len(made))

    def from_instances(self, items: list[Any]) -> Tensors:
        import numpy as np

        if not any(isinstance(item, dict) for item in items):
            return super().from_instances(items)  # prepared arrays
        spec, made = self.specs[0], []
        for i, item in enumerate(items):
            where = f"instances[{i}]"
            made.append(self.prep.decode(b64_bytes(item, where), where)
                        if isinstance(item, dict) else to_array(spec, item, where, False))
        if not made:
            self._checked({}, 0)
        return self._checked({spec.name: np.stack(made)}, len(made))

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "image": self.prep.describe()}


def make_reader(schema: dict[str, Any], max_rows: int = 10000) -> Reader:
    """The reader for a schema's kind (no kind: a table)."""
    kind = schema.get("kind") or "dataframe"
    readers: dict[str, type[Reader]] = {"tensor": TensorReader, "image": ImageReader}
    return readers.get(kind, TableReader)(schema, max_rows)  # type: ignore[call-arg]
