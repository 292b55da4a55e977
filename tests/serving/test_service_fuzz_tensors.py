"""A hypothesis fuzz of an image model's service (issue 24): 1,000 generated tensor and
image payloads (nested arrays of any shape and type, base64 of anything, real images of
every size, mode and format, truncated ones, ``image/*`` bodies of any bytes, Open Inference
Protocol bodies with any name, shape, datatype and data, as JSON or with the binary tensor
data extension's raw bytes and header) see only 2xx and 4xx answers, each
4xx with a message. One server for all of them (the ONNX digits model, an image bundle)."""

from __future__ import annotations

import base64
import http.client
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.serving.bundles import onnx_digits

EXAMPLES = 1000
URL = "/v2/models/digits-onnx/infer"

numbers = st.one_of(st.floats(0, 1, width=32), st.floats(allow_nan=False),
                    st.integers(-(2**70), 2**70), st.booleans(), st.text(max_size=3), st.none())
nested = st.recursive(numbers, lambda inner: st.lists(inner, max_size=4), max_leaves=30)
pixel = st.floats(0, 1, width=32)
good_instances = st.lists(st.lists(st.lists(st.lists(pixel, min_size=1, max_size=1),
                                            min_size=8, max_size=8), min_size=8, max_size=8),
                          min_size=1, max_size=3)


@st.composite
def images(draw) -> bytes:
    """A real image of any size, mode and format, sometimes cut short."""
    from PIL import Image

    size = (draw(st.integers(1, 40)), draw(st.integers(1, 40)))
    mode = draw(st.sampled_from(["L", "RGB", "RGBA", "P", "1", "I;16", "F", "CMYK"]))
    fmt = draw(st.sampled_from(["PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP"]))
    image = Image.new(mode, size, color=draw(st.integers(0, 255)))
    buffer = io.BytesIO()
    try:
        image.save(buffer, fmt)
    except (OSError, ValueError, KeyError):  # a mode the format cannot hold
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "PNG")
    data = buffer.getvalue()
    return data[:draw(st.integers(0, len(data)))] if draw(st.booleans()) else data


encoded = images() | st.binary(max_size=64)
b64_entry = st.one_of(encoded.map(lambda b: {"b64": base64.b64encode(b).decode()}),
                      st.text(max_size=12).map(lambda t: {"b64": t}),
                      st.dictionaries(st.text(max_size=4), numbers, max_size=2))
v2_input = st.fixed_dictionaries({
    "name": st.sampled_from(["image", "x"]) | st.text(max_size=4),
    "shape": st.lists(st.integers(-1, 9), max_size=5) | nested,
    "datatype": st.sampled_from(["FP32", "FP64", "INT64", "BYTES", "BOOL", "fp32"]),
    "data": nested})
good_v2 = good_instances.map(lambda i: {"inputs": [{"name": "image", "datatype": "FP32",
                                                    "shape": [len(i), 8, 8, 1], "data": i}]})
binary_input = st.fixed_dictionaries({
    "name": st.sampled_from(["image", "x"]),
    "shape": st.lists(st.integers(0, 9), max_size=5),
    "datatype": st.sampled_from(["FP32", "FP64", "BYTES", "BOOL", "INT8", "fp32"]),
    "parameters": st.fixed_dictionaries({"binary_data_size": st.integers(-2, 300) | nested})})


@st.composite
def binary_bodies(draw) -> tuple[str, str, bytes, dict[str, str]]:
    """The binary tensor data extension: any inputs, sizes, bytes and header length; or
    good pixels as raw FP32."""
    import numpy as np

    if draw(st.booleans()):
        inputs = draw(st.lists(binary_input, min_size=1, max_size=2))
        data = draw(st.binary(max_size=300) | encoded)
    else:
        pixels = np.asarray(draw(good_instances), dtype="<f4")
        data = pixels.tobytes()
        inputs = [{"name": "image", "datatype": "FP32", "shape": list(pixels.shape),
                   "parameters": {"binary_data_size": len(data)}}]
    header = json.dumps({"inputs": inputs}).encode()
    length = len(header) + draw(st.sampled_from([0, 0, 0, -1, 1, -len(header), 10**6]))
    return URL, "application/octet-stream", header + data, {
        "Inference-Header-Content-Length": draw(st.just(str(length)) | st.text(
            "0123456789-x .", max_size=3))}


payloads = st.one_of(
    binary_bodies(),
    good_instances.map(lambda i: ("/predict", "application/json", {"instances": i})),
    nested.map(lambda i: ("/predict", "application/json", {"instances": i})),
    st.lists(b64_entry | good_instances.map(lambda i: i[0]), min_size=1, max_size=3).map(
        lambda i: ("/predict", "application/json", {"instances": i})),
    encoded.map(lambda b: ("/predict", "image/png", b)),
    st.lists(v2_input, max_size=2).map(lambda i: (URL, "application/json", {"inputs": i})),
    good_v2.map(lambda b: (URL, "application/json", b)),
    st.binary(max_size=64).map(lambda b: (URL, "application/json", b)))


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    from stratum_jupyter.serving.server import serve_in_thread

    server, _ = serve_in_thread(onnx_digits(tmp_path_factory.mktemp("fuzz") / "digits"))
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_fuzzed_tensor_and_image_payloads_get_2xx_or_4xx(port):
    conn = [http.client.HTTPConnection("127.0.0.1", port, timeout=30)]
    seen: dict[int, int] = {}

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(payloads)
    def check(payload):
        path, content_type, body, *extra = payload
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        conn[0].request("POST", path, body=raw, headers={"Content-Type": content_type,
                                                         **(extra[0] if extra else {})})
        response = conn[0].getresponse()
        answer = json.loads(response.read())
        if response.getheader("connection") == "close":
            conn[0].close()
            conn[0] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        seen[response.status] = seen.get(response.status, 0) + 1
        assert 200 <= response.status < 300 or 400 <= response.status < 500, (payload, answer)
        if response.status >= 400:
            assert answer["error"]
        elif path == "/predict":
            n = len(body["instances"]) if isinstance(body, dict) else 1
            assert len(answer["predictions"]) == n
        else:
            assert answer["outputs"][0]["shape"][1:] == [10]

    check()
    conn[0].close()
    assert sum(seen.values()) >= EXAMPLES
    assert seen.get(200, 0) > 50 and sum(v for k, v in seen.items() if k >= 400) > 300, seen
