"""The Open Inference Protocol's binary tensor data extension, as Triton and KServe define
it (and Triton's Python client sends by default): a request whose
``Inference-Header-Content-Length`` header says N holds its JSON in the body's first N bytes
and, after them, the data of each input whose ``parameters.binary_data_size`` is set, in the
inputs' order: little-endian, row-major; a ``BYTES`` element as a 4-byte little-endian length
and its bytes (an image's own encoded bytes, not base64).

Why: a 299x299x3 float32 image is 1 MB of binary data, read by ``numpy.frombuffer`` at once,
against 5.7 MB of JSON numbers, whose parsing costs more than a convolutional network's
prediction on a CPU. Answers stay JSON (the protocol's clients read both).
"""

from __future__ import annotations

import struct
from typing import Any

from .inputs import BadRequest
from .tensors import V2_DTYPES

HEADER = "inference-header-content-length"


class Raw(bytes):
    """A ``BYTES`` element sent as binary data: the bytes themselves (not base64)."""


def split(body: bytes, length: str) -> tuple[bytes, bytes]:
    """``(the JSON header, the binary data after it)``; 400 for a length that does not fit."""
    try:
        n = int(length)
    except ValueError:
        raise BadRequest(400, f"Inference-Header-Content-Length {length[:20]!r} is not a "
                         "number of bytes") from None
    if not 0 < n <= len(body):
        raise BadRequest(400, f"Inference-Header-Content-Length {n}: the body has "
                         f"{len(body)} bytes (the JSON header comes first)")
    return body[:n], body[n:]


def attach(inputs: list[Any], binary: bytes) -> None:
    """Each input with ``parameters.binary_data_size`` gets its ``data`` (an array, or Raw
    elements for ``BYTES``) from ``binary``, in order; 400 where the sizes do not add up to
    the bytes sent, 422 for data that is not whole elements of the input's datatype."""
    offset = 0
    for i, entry in enumerate(inputs):
        params = entry.get("parameters") if isinstance(entry, dict) else None
        size = params.get("binary_data_size") if isinstance(params, dict) else None
        if size is None:
            continue
        where = f"inputs[{i}]"
        if not isinstance(size, int) or isinstance(size, bool) or size < 0 \
                or offset + size > len(binary):
            raise BadRequest(400, f"{where}: binary_data_size {str(size)[:20]} goes past the "
                             f"{len(binary)} bytes after the JSON header")
        if "data" in entry:
            raise BadRequest(422, f"{where}: both data and binary_data_size given (one of "
                             "them)")
        entry["data"] = decode(entry.get("datatype"), binary[offset:offset + size], where)
        offset += size
    if offset != len(binary):
        raise BadRequest(400, f"{len(binary) - offset} bytes after the JSON header belong to "
                         "no input (binary_data_size of the inputs add up to "
                         f"{offset})")


def decode(datatype: Any, data: bytes, where: str) -> Any:
    """One input's binary data: a flat little-endian array of the datatype, or a list of
    Raw for ``BYTES``; an unknown datatype is left for the input's check to name."""
    import numpy as np

    if datatype == "BYTES":
        return _elements(data, where)
    if datatype not in V2_DTYPES:
        return []
    dtype = np.dtype(V2_DTYPES[datatype]).newbyteorder("<")
    if len(data) % dtype.itemsize:
        raise BadRequest(422, f"{where}: {len(data)} bytes of binary data are not whole "
                         f"{datatype} values ({dtype.itemsize} bytes each)")
    return np.frombuffer(data, dtype=dtype)


def _elements(data: bytes, where: str) -> list[Raw]:
    out: list[Raw] = []
    at = 0
    while at < len(data):
        if at + 4 > len(data):
            raise BadRequest(422, f"{where}: BYTES data ends inside an element's length")
        (n,) = struct.unpack_from("<I", data, at)
        if at + 4 + n > len(data):
            raise BadRequest(422, f"{where}: BYTES element {len(out)} of {n} bytes goes past "
                             "the input's binary data")
        out.append(Raw(data[at + 4:at + 4 + n]))
        at += 4 + n
    return out
