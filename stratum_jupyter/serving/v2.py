"""The Open Inference Protocol (v2, as KServe, Triton and MLServer speak it) over a
:class:`~.core.Predictor`, without HTTP: model metadata and ``infer`` bodies.

Tensor and image models take their inputs by name, with the datatype their schema records
(``FP32`` for ``float32``), ``data`` flat or nested, and answer every output tensor. Image
models also take a ``BYTES`` input of base64-encoded images. Table models take, as MLServer
does, either one 1-D input per feature (named as the feature; ``BYTES`` for text) or one 2-D
input ``[rows, features]`` holding the features in the schema's order; they answer
``predict`` (one label or value per row) and, for classifiers, ``predict_proba``
(``[rows, classes]``, in the order of the metadata's ``classes``).
"""

from __future__ import annotations

import math
from typing import Any

from .answers import Answer
from .core import Predictor
from .inputs import BadRequest
from .readers import ImageReader, TableReader, Tensors, parse_json
from .tensors import DTYPE_V2, V2_DTYPES, TensorSpec, to_array

TABLE_DATATYPES = {"float": "FP64", "int": "INT64", "bool": "BOOL", "str": "BYTES"}


def model_metadata(predictor: Predictor) -> dict[str, Any]:
    """``GET /v2/models/{name}``: name, platform (the runtime) and the inputs and outputs
    with their datatype and shape (-1: any size)."""
    reader, runtime = predictor.reader, predictor.runtime
    meta: dict[str, Any] = {"name": predictor.name, "versions": [],
                            "platform": runtime.name}
    if isinstance(reader, TableReader):
        meta["inputs"] = [{"name": f.name, "datatype": TABLE_DATATYPES[f.kind], "shape": [-1]}
                          for f in reader.features]
        meta["outputs"] = [{"name": "predict", "datatype": "BYTES"
                            if any(isinstance(c, str) for c in runtime.classes or [])
                            else "FP64", "shape": [-1]}]
        if runtime.classes:
            meta["outputs"].append({"name": "predict_proba", "datatype": "FP64",
                                    "shape": [-1, len(runtime.classes)]})
            meta["parameters"] = {"classes": runtime.classes}
        return meta
    meta["inputs"] = [_spec(s) for s in reader.specs]  # type: ignore[attr-defined]
    meta["outputs"] = [_spec(s) for s in runtime.outputs]
    if runtime.classes:
        meta["parameters"] = {"classes": runtime.classes}
    return meta


def _spec(spec: TensorSpec) -> dict[str, Any]:
    return {"name": spec.name, "datatype": spec.datatype, "shape": spec.v2_shape()}


def infer(predictor: Predictor, body: bytes) -> tuple[dict[str, Any], int]:
    """``POST /v2/models/{name}/infer``: the answer's body and how many rows or instances
    it holds; BadRequest (4xx) naming what was expected for any mistake."""
    request, batch = read(predictor, body)
    return respond(predictor, request, predictor.answer(batch)), batch.n_rows


def read(predictor: Predictor, body: bytes, header_length: str | None = None
         ) -> tuple[dict[str, Any], Any]:
    """An infer body as ``(the request, the batch its reader made)``; with
    ``header_length`` (the ``Inference-Header-Content-Length`` header) the JSON is the
    body's first bytes and the inputs' binary data follow (:mod:`.v2_binary`)."""
    from . import v2_binary

    binary = None
    if header_length is not None:
        body, binary = v2_binary.split(body, header_length)
    request = parse_json(body)
    if not isinstance(request, dict) or not isinstance(request.get("inputs"), list) \
            or not request["inputs"]:
        raise BadRequest(422, 'the body must be {"inputs": [{"name": ..., "shape": [...], '
                         '"datatype": ..., "data": [...]}, ...]}')
    if binary is not None:
        v2_binary.attach(request["inputs"], binary)
    tensors = [_tensor(entry, i) for i, entry in enumerate(request["inputs"])]
    reader = predictor.reader
    if isinstance(reader, TableReader):
        return request, reader.from_columns(_table_columns(reader, tensors), "inputs")
    return request, _model_tensors(reader, tensors)


def respond(predictor: Predictor, request: dict[str, Any], answer: Answer) -> dict[str, Any]:
    """The infer answer's body: every output, or those the request names."""
    outputs = _table_outputs(answer, predictor.runtime.classes) \
        if isinstance(predictor.reader, TableReader) else [
            _output(name, value) for name, value in answer.outputs.items()]
    wanted = request.get("outputs")
    if isinstance(wanted, list) and wanted:
        names = [o.get("name") if isinstance(o, dict) else None for o in wanted]
        known = [o["name"] for o in outputs]
        unknown = [str(n)[:40] for n in names if n not in known]
        if unknown:
            raise BadRequest(422, f"outputs: no output {', '.join(map(repr, unknown))} "
                             f"(this model has {', '.join(map(repr, known))})")
        outputs = [o for o in outputs if o["name"] in names]
    answer_body: dict[str, Any] = {"model_name": predictor.name, "outputs": outputs}
    if isinstance(request.get("id"), str):
        answer_body["id"] = request["id"]
    return answer_body


def _tensor(entry: Any, index: int) -> tuple[str, str, Any]:
    """One request input as ``(name, datatype, array of its shape)``."""
    import numpy as np

    where = f"inputs[{index}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise BadRequest(422, f"{where}: expected an object with name, shape, datatype, data")
    name, shape, datatype = entry["name"], entry.get("shape"), entry.get("datatype")
    where = f"{where} {name[:40]!r}"
    if datatype not in V2_DTYPES:
        raise BadRequest(422, f"{where}: datatype {str(datatype)[:20]!r} is not one of "
                         f"{', '.join(V2_DTYPES)}")
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool)
                                              and 0 <= d < 2**31 for d in shape):
        raise BadRequest(422, f"{where}: shape must be a list of sizes (integers >= 0)")
    given = entry.get("data")
    if isinstance(given, np.ndarray):  # binary data (.v2_binary): flat, typed already
        data = given
    else:
        try:
            data = np.asarray(given, dtype=object).ravel()
        except ValueError:
            raise BadRequest(422, f"{where}: data must be a list of values, flat or nested "
                             "as the shape") from None
    if data.size != math.prod(shape) or data.dtype == object and any(
            isinstance(v, (list, dict)) for v in data):
        raise BadRequest(422, f"{where}: shape {shape} holds {math.prod(shape)} values, "
                         f"data has {data.size}")
    return name, datatype, data.reshape(shape)


def _model_tensors(reader: Any, tensors: list[tuple[str, str, Any]]) -> Tensors:
    specs = {s.name: s for s in reader.specs}
    got = [name for name, _, _ in tensors]
    if sorted(got) != sorted(specs):
        raise BadRequest(422, f"inputs: expected {', '.join(map(repr, specs))}, got "
                         f"{', '.join(repr(n[:40]) for n in got[:5])}")
    columns = {}
    for name, datatype, data in tensors:
        spec, where = specs[name], f"inputs {name!r}"
        if datatype == "BYTES" and isinstance(reader, ImageReader):
            return reader.images([_b64(v, f"{where}[{i}]") for i, v in
                                  enumerate(data.ravel())], "inputs")
        if datatype != spec.datatype:
            raise BadRequest(422, f"{where}: datatype {datatype}, expected {spec.datatype} "
                             f"({spec.describe()})")
        columns[name] = to_array(spec, data if data.dtype != object else data.tolist(),
                                 where)
    return reader.from_columns(columns)


def _b64(value: Any, where: str) -> bytes:
    from .images import b64_bytes
    from .v2_binary import Raw

    if isinstance(value, Raw):  # sent as binary data: the image's own bytes
        return bytes(value)

    return b64_bytes({"b64": value.decode() if isinstance(value, bytes) else value}, where)


def _table_columns(reader: TableReader, tensors: list[tuple[str, str, Any]]
                   ) -> dict[str, Any]:
    """One 1-D input per feature, or one 2-D input of every feature in order."""
    if len(tensors) == 1 and tensors[0][2].ndim == 2 and (
            tensors[0][0] not in reader.names or len(reader.names) > 1):
        name, _, matrix = tensors[0]
        if matrix.shape[1] != len(reader.names):
            raise BadRequest(422, f"inputs {name!r}: a 2-D input holds the "
                             f"{len(reader.names)} features in order "
                             f"({', '.join(reader.names[:10])}), got {matrix.shape[1]}")
        return {n: matrix[:, i].tolist() for i, n in enumerate(reader.names)}
    columns = {}
    for name, _, data in tensors:
        if data.ndim == 2 and data.shape[1] == 1:
            data = data[:, 0]
        if data.ndim != 1:
            raise BadRequest(422, f"inputs {name!r}: one value per row (shape [rows]), "
                             f"got shape {list(data.shape)}")
        columns[name] = data.tolist()
    return columns


def _table_outputs(answer: Answer, classes: list[Any] | None) -> list[dict[str, Any]]:
    import numpy as np

    labels = answer.predictions
    kinds = {type(v) for v in labels}
    datatype = "BYTES" if str in kinds else "BOOL" if kinds == {bool} else \
        "INT64" if kinds <= {int} else "FP64"
    outputs = [{"name": "predict", "datatype": datatype, "shape": [len(labels)],
                "data": labels}]
    if answer.probabilities is not None and classes:
        outputs.append(_output("predict_proba", np.asarray(answer.probabilities,
                                                           dtype=np.float64)))
    return outputs


def _output(name: str, value: Any) -> dict[str, Any]:
    import numpy as np

    array = np.asarray(value)
    return {"name": name, "datatype": DTYPE_V2.get(array.dtype.name, "BYTES"),
            "shape": list(array.shape), "data": array.ravel().tolist()}
