"""A Keras image model at the service (issue 24, item 2): a tiny CNN trained on the 8x8
digits, saved whole as ``model.keras``, answers ``/predict`` (instances, a PNG body, b64
images) and ``/v2/models/{name}/infer`` with what ``model.predict`` answers in process."""

from __future__ import annotations

import numpy as np
import pytest

from tests.servicetools import call
from tests.serving.bundles import b64, digits, keras_digits, png, prepared

pytest.importorskip("keras")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cnn(tmp_path_factory):
    from stratum_jupyter.serving.server import serve_in_thread

    path, model = keras_digits(tmp_path_factory.mktemp("keras") / "cnn")
    server, _ = serve_in_thread(path)
    yield model, server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_cnn_answers_as_in_process(cnn):
    model, port = cnn
    X, y = digits()
    rows = slice(100, 140)
    expected = model.predict(X[rows], verbose=0)
    assert (expected.argmax(axis=1) == y[rows]).mean() > 0.5  # it learned something
    status, answer = call(port, "POST", "/predict", {"instances": X[rows].tolist()})
    assert status == 200, answer
    assert answer["predictions"] == expected.argmax(axis=1).tolist()
    got = np.array([list(p.values()) for p in answer["probabilities"]])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert call(port, "GET", "/health")[1]["runtime"] == "keras"

    encoded = [png(image) for image in X[rows][:3]]
    from_png = model.predict(np.concatenate([prepared(e) for e in encoded]), verbose=0)
    status, answer = call(port, "POST", "/predict", raw=encoded[0],
                          headers={"Content-Type": "image/png"})
    assert status == 200 and answer["predictions"] == [int(from_png[0].argmax())]
    status, answer = call(port, "POST", "/predict", {"instances": [b64(e) for e in encoded]})
    np.testing.assert_allclose([list(p.values()) for p in answer["probabilities"]], from_png,
                               rtol=1e-5, atol=1e-6)

    status, answer = call(port, "POST", "/v2/models/digits-cnn/infer", {"inputs": [
        {"name": "pixels", "shape": [3, 8, 8, 1], "datatype": "FP32",
         "data": X[rows][:3].ravel().tolist()}]})
    assert status == 200, answer
    [output] = answer["outputs"]
    assert output["name"] == "digit" and output["shape"] == [3, 10]
    np.testing.assert_allclose(np.reshape(output["data"], (3, 10)), expected[:3],
                               rtol=1e-5, atol=1e-6)


def test_the_cnn_as_tflite_answers_as_its_interpreter(cnn, tmp_path):
    """The same network converted to TFLite (``model.tflite``, an image bundle): the service's
    TFLite runtime answers what LiteRT's interpreter answers in process."""
    import tensorflow as tf

    from stratum_jupyter.serving.graph_runtimes import tflite_interpreter
    from stratum_jupyter.serving.server import serve_in_thread
    from tests.serving.bundles import schema, write_bundle

    model, _ = cnn
    (tmp_path / "model.tflite").write_bytes(
        tf.lite.TFLiteConverter.from_keras_model(model).convert())
    path = write_bundle(tmp_path, schema("image", "pixels", "digit"), "digits-tflite")
    X, _ = digits()
    interpreter = tflite_interpreter()(model_path=str(path / "model.tflite"))
    detail = interpreter.get_input_details()[0]
    interpreter.resize_tensor_input(detail["index"], [4, 8, 8, 1])
    interpreter.allocate_tensors()
    interpreter.set_tensor(detail["index"], X[:4])
    interpreter.invoke()
    expected = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    server, _ = serve_in_thread(path)
    port = server.server_address[1]
    try:
        status, answer = call(port, "POST", "/predict", {"instances": X[:4].tolist()})
        assert status == 200, answer
        assert answer["predictions"] == \
            expected.argmax(axis=1).tolist()
        np.testing.assert_allclose([list(p.values()) for p in answer["probabilities"]],
                                   expected, rtol=1e-6, atol=1e-7)
        assert call(port, "GET", "/health")[1]["runtime"] == "tflite"
    finally:
        server.shutdown()
        server.server_close()
