"""The Open Inference Protocol's binary tensor data extension at the service (Triton's and
KServe's; what Triton's client sends by default): the JSON header's length in
``Inference-Header-Content-Length``, then each input's raw little-endian data. Answers equal
the JSON form's and the model's in process; sizes that do not add up are 400/422 naming
them, never 500."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from tests.servicetools import call
from tests.serving.bundles import digits, onnx_digits, png, prepared

INFER = "/v2/models/digits-onnx/infer"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The ONNX digits image bundle, served; yields (port, onnxruntime session)."""
    import onnxruntime

    from stratum_jupyter.serving.server import serve_in_thread

    path = onnx_digits(tmp_path_factory.mktemp("onnx") / "digits")
    server, _ = serve_in_thread(path)
    yield server.server_address[1], onnxruntime.InferenceSession(str(path / "model.onnx"))
    server.shutdown()
    server.server_close()


def binary_body(inputs: list[dict], data: list[bytes], extra: bytes = b""
                ) -> tuple[bytes, dict[str, str]]:
    """A request as Triton's client makes one: the JSON header, then the inputs' bytes."""
    for entry, raw in zip(inputs, data, strict=True):
        entry.setdefault("parameters", {})["binary_data_size"] = len(raw)
    header = json.dumps({"inputs": inputs}).encode()
    return header + b"".join(data) + extra, {
        "Inference-Header-Content-Length": str(len(header)),
        "Content-Type": "application/octet-stream"}


def test_binary_fp32_answers_as_json_does_and_as_the_model(served):
    port, session = served
    X, _ = digits()
    batch = X[:4].astype("<f4")
    body, headers = binary_body([{"name": "image", "shape": [4, 8, 8, 1],
                                  "datatype": "FP32"}], [batch.tobytes()])
    status, answer = call(port, "POST", INFER, raw=body, headers=headers)
    assert status == 200, answer
    json_form = call(port, "POST", INFER, {"inputs": [{
        "name": "image", "shape": [4, 8, 8, 1], "datatype": "FP32",
        "data": batch.ravel().tolist()}]})[1]
    assert answer["outputs"] == json_form["outputs"]
    np.testing.assert_allclose(np.reshape(answer["outputs"][0]["data"], (4, 10)),
                               session.run(None, {"image": batch})[0], rtol=1e-6)


def test_binary_bytes_are_images_own_bytes(served):
    port, session = served
    X, _ = digits()
    encoded = [png(X[3]), png(X[9])]
    elements = b"".join(struct.pack("<I", len(e)) + e for e in encoded)
    body, headers = binary_body([{"name": "image", "shape": [2], "datatype": "BYTES"}],
                                [elements])
    status, answer = call(port, "POST", INFER, raw=body, headers=headers)
    assert status == 200, answer
    expected = session.run(None, {"image": np.concatenate([prepared(e) for e in encoded])})[0]
    np.testing.assert_allclose(np.reshape(answer["outputs"][0]["data"], (2, 10)), expected,
                               rtol=1e-6)


@pytest.mark.parametrize(("case", "status", "says"), [
    ("header past the body", 400, "the body has"),
    ("header not a number", 400, "is not a number of bytes"),
    ("size past the data", 400, "goes past the"),
    ("bytes left over", 400, "belong to no input"),
    ("not whole values", 422, "not whole FP32 values"),
    ("wrong count", 422, "holds 64 values, data has 32"),
    ("data and size", 422, "both data and binary_data_size"),
    ("BYTES cut short", 422, "goes past the input's binary data"),
])
def test_binary_sizes_that_do_not_add_up_are_4xx(served, case, status, says):
    port, _ = served
    one = np.zeros(64, dtype="<f4").tobytes()
    entry = {"name": "image", "shape": [1, 8, 8, 1], "datatype": "FP32"}
    data, extra = [one], b""
    if case == "bytes left over":
        extra = b"\0" * 8
    elif case == "not whole values":
        data = [one[:-1]]
    elif case == "wrong count":
        data = [one[:128]]
    elif case == "data and size":
        entry["data"] = [0.0] * 64
    elif case == "BYTES cut short":
        entry = {"name": "image", "shape": [1], "datatype": "BYTES"}
        data = [struct.pack("<I", 100) + b"\x89PNG"]
    body, headers = binary_body([entry], data, extra)
    if case == "size past the data":  # says 256 bytes, sends 252
        entry["parameters"]["binary_data_size"] = 256
        header = json.dumps({"inputs": [entry]}).encode()
        body = header + one[:-4]
        headers["Inference-Header-Content-Length"] = str(len(header))
    elif case == "header past the body":
        headers["Inference-Header-Content-Length"] = str(len(body) + 1)
    elif case == "header not a number":
        headers["Inference-Header-Content-Length"] = "many"
    got, answer = call(port, "POST", INFER, raw=body, headers=headers)
    assert got == status, answer
    assert says in json.dumps(answer), answer


def test_no_instances_of_an_image_input_is_422(served):
    """Found by the fuzz test: a BYTES image input of shape [0, ...] made ``np.stack`` of
    no images raise ValueError, a 500."""
    port, _ = served
    body, headers = binary_body([{"name": "image", "shape": [0, 8], "datatype": "BYTES"}],
                                [b""])
    status, answer = call(port, "POST", INFER, raw=body, headers=headers)
    assert status == 422 and "at least 1" in answer["error"], answer
