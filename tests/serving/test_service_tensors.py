"""Tensor and image models at the service (issue 24, item 2): ``{"instances": ...}``,
``{"b64": ...}`` images, ``image/*`` bodies and the Open Inference Protocol, over a real HTTP
server, answering what the model answers in process (onnxruntime on the same arrays); bad
shapes, dtypes, images and model names are 4xx naming what was expected."""

from __future__ import annotations

import numpy as np
import pytest

from tests.servicetools import call
from tests.serving.bundles import b64, digits, onnx_digits, png, prepared


@pytest.fixture(scope="module")
def onnx_image(tmp_path_factory):
    """The ONNX digits model as an image bundle, served; yields (bundle, port, session)."""
    import onnxruntime

    from stratum_jupyter.serving.server import serve_in_thread

    path = onnx_digits(tmp_path_factory.mktemp("onnx") / "digits")
    server, _ = serve_in_thread(path)
    session = onnxruntime.InferenceSession(str(path / "model.onnx"))
    yield path, server.server_address[1], session
    server.shutdown()
    server.server_close()


def in_process(session, images: np.ndarray) -> np.ndarray:
    return session.run(None, {"image": images.astype(np.float32)})[0]


def test_instances_answer_what_the_model_answers(onnx_image):
    _, port, session = onnx_image
    X, y = digits()
    status, answer = call(port, "POST", "/predict", {"instances": X[:5].tolist()})
    assert status == 200, answer
    expected = in_process(session, X[:5])
    assert answer["predictions"] == expected.argmax(axis=1).tolist()
    got = np.array([[row[str(c)] for c in range(10)] for row in answer["probabilities"]])
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert answer["classes"] == list(range(10))


def test_images_as_b64_and_as_a_body_are_prepared_as_recorded(onnx_image):
    _, port, session = onnx_image
    X, _ = digits()
    encoded = [png(image) for image in X[:3]]
    expected = in_process(session, np.concatenate([prepared(e) for e in encoded]))
    status, answer = call(port, "POST", "/predict", {"instances": [b64(e) for e in encoded]})
    assert status == 200, answer
    assert answer["predictions"] == expected.argmax(axis=1).tolist()
    status, single = call(port, "POST", "/predict", raw=encoded[1],
                          headers={"Content-Type": "image/png"})
    assert status == 200, single
    assert single["predictions"] == [int(expected[1].argmax())]
    np.testing.assert_allclose(list(single["probabilities"][0].values()), expected[1],
                               rtol=1e-6)


def test_v2_metadata_ready_and_infer(onnx_image):
    _, port, session = onnx_image
    X, _ = digits()
    assert call(port, "GET", "/v2/health/live") == (200, {"live": True})
    assert call(port, "GET", "/v2/health/ready")[0] == 200
    assert call(port, "GET", "/v2/models/digits-onnx/ready")[1]["ready"] is True
    status, meta = call(port, "GET", "/v2/models/digits-onnx")
    assert status == 200
    assert meta["inputs"] == [{"name": "image", "datatype": "FP32", "shape": [-1, 8, 8, 1]}]
    assert meta["outputs"] == [{"name": "probabilities", "datatype": "FP32",
                                "shape": [-1, 10]}]
    for data in (X[:4].ravel().tolist(), X[:4].tolist()):  # flat or nested
        status, answer = call(port, "POST", "/v2/models/digits-onnx/infer", {
            "id": "r1", "inputs": [{"name": "image", "shape": [4, 8, 8, 1],
                                    "datatype": "FP32", "data": data}]})
        assert status == 200, answer
        assert answer["id"] == "r1" and answer["model_name"] == "digits-onnx"
        [output] = answer["outputs"]
        assert output["name"] == "probabilities" and output["shape"] == [4, 10]
        assert output["datatype"] == "FP32"
        np.testing.assert_allclose(np.reshape(output["data"], (4, 10)),
                                   in_process(session, X[:4]), rtol=1e-6)
    encoded = png(X[7])
    status, answer = call(port, "POST", "/v2/models/digits-onnx/infer", {
        "inputs": [{"name": "image", "shape": [1], "datatype": "BYTES",
                    "data": [b64(encoded)["b64"]]}]})
    assert status == 200, answer
    np.testing.assert_allclose(answer["outputs"][0]["data"],
                               in_process(session, prepared(encoded))[0], rtol=1e-6)


@pytest.mark.parametrize(("path", "body", "status", "says"), [
    ("/predict", {"instances": [[[0.0] * 8] * 8]}, 422, "float32 of shape [any, 8, 8, 1]"),
    ("/predict", {"instances": [[[[0.0]] * 8] * 7]}, 422, "got shape [1, 7, 8, 1]"),
    ("/predict", {"instances": [[[["a"]] * 8] * 8]}, 422, "got strings"),
    ("/predict", {"instances": [[[[1e300]] * 8] * 8]}, 422, "not finite float32"),
    ("/predict", {"instances": [{"b64": "bm90IGFuIGltYWdl"}]}, 422,
     "not an image Pillow can decode"),
    ("/predict", {"instances": [{"b64": "***"}]}, 422, "not valid base64"),
    ("/predict", {"rows": [{"x": 1}]}, 422, "'image': float32 of shape [any, 8, 8, 1]"),
    ("/predict", {"instances": []}, 422, "non-empty list"),
    ("/v2/models/digits-onnx/infer", {"inputs": [{"name": "image", "shape": [1, 8, 8, 1],
                                                  "datatype": "FP64", "data": [0.0] * 64}]},
     422, "datatype FP64, expected FP32"),
    ("/v2/models/digits-onnx/infer", {"inputs": [{"name": "image", "shape": [2, 8, 8, 1],
                                                  "datatype": "FP32", "data": [0.0] * 64}]},
     422, "holds 128 values, data has 64"),
    ("/v2/models/digits-onnx/infer", {"inputs": [{"name": "pixels", "shape": [1, 8, 8, 1],
                                                  "datatype": "FP32", "data": [0.0] * 64}]},
     422, "expected 'image'"),
    ("/v2/models/digits-onnx/infer", {"inputs": [{"name": "image", "shape": [1, 64],
                                                  "datatype": "FP32", "data": [0.0] * 64}]},
     422, "got shape [1, 64]"),
    ("/v2/models/resnet/infer", {"inputs": []}, 404, "this service serves 'digits-onnx'"),
])
def test_bad_requests_are_4xx_naming_what_was_expected(onnx_image, path, body, status, says):
    port = onnx_image[1]
    got, answer = call(port, "POST", path, body)
    assert got == status, answer
    assert says in answer["error"], answer


def test_an_undecodable_image_body_is_422(onnx_image):
    port = onnx_image[1]
    status, answer = call(port, "POST", "/predict", raw=b"\x89PNG\r\n\x1a\nbroken",
                          headers={"Content-Type": "image/png"})
    assert status == 422 and "an image (PNG" in answer["error"], answer


def test_tensor_bundle_takes_instances_and_named_inputs(tmp_path):
    import onnxruntime

    from stratum_jupyter.serving.server import serve_in_thread

    path = onnx_digits(tmp_path / "tensor", kind="tensor")
    session = onnxruntime.InferenceSession(str(path / "model.onnx"))
    X, _ = digits()
    server, _ = serve_in_thread(path)
    port = server.server_address[1]
    try:
        status, answer = call(port, "POST", "/predict", {"inputs": {"image": X[:2].tolist()}})
        assert status == 200, answer
        assert answer["predictions"] == in_process(session, X[:2]).argmax(axis=1).tolist()
        status, answer = call(port, "POST", "/predict", raw=png(X[0]),
                              headers={"Content-Type": "image/png"})
        assert status == 415 and "takes tensors" in answer["error"]
        assert call(port, "GET", "/health")[1]["kind"] == "tensor"
    finally:
        server.shutdown()
        server.server_close()


def test_table_models_speak_v2_by_column_or_by_matrix(iris_bundle, iris_split):
    from stratum_jupyter.bundle import load_model
    from stratum_jupyter.serving.server import serve_in_thread

    _, X_test, _, _ = iris_split
    model = load_model(iris_bundle)
    server, _ = serve_in_thread(iris_bundle)
    port = server.server_address[1]
    name = "logreg"
    try:
        meta = call(port, "GET", f"/v2/models/{name}")[1]
        assert [i["name"] for i in meta["inputs"]] == list(X_test.columns)
        assert meta["outputs"][1] == {"name": "predict_proba", "datatype": "FP64",
                                      "shape": [-1, 3]}
        rows = X_test.head(6)
        by_column = [{"name": c, "shape": [6], "datatype": "FP64",
                      "data": rows[c].tolist()} for c in rows.columns]
        by_matrix = [{"name": "input-0", "shape": [6, 4], "datatype": "FP64",
                      "data": rows.to_numpy().tolist()}]
        for inputs in (by_column, by_matrix):
            status, answer = call(port, "POST", f"/v2/models/{name}/infer", {"inputs": inputs})
            assert status == 200, answer
            labels, proba = answer["outputs"]
            assert labels["data"] == model.predict(rows).tolist()
            np.testing.assert_allclose(np.reshape(proba["data"], (6, 3)),
                                       model.predict_proba(rows), rtol=1e-9)
        status, answer = call(port, "POST", "/predict",
                              {"instances": rows.to_numpy().tolist()})
        assert status == 200 and answer["predictions"] == model.predict(rows).tolist()
        bad = [{"name": "input-0", "shape": [1, 3], "datatype": "FP64", "data": [1, 2, 3]}]
        status, answer = call(port, "POST", f"/v2/models/{name}/infer", {"inputs": bad})
        assert status == 422 and "holds the 4 features in order" in answer["error"]
    finally:
        server.shutdown()
        server.server_close()


def test_v2_probes_are_open_and_the_rest_wants_the_token(iris_bundle):
    from stratum_jupyter.serving.server import serve_in_thread

    server, _ = serve_in_thread(iris_bundle, token="s3cret-token-of-20ch")
    port = server.server_address[1]
    try:
        assert call(port, "GET", "/v2/health/live")[0] == 200
        assert call(port, "GET", "/v2/health/ready")[0] == 200
        assert call(port, "GET", "/v2/models/logreg")[0] == 401
        assert call(port, "GET", "/v2/models/logreg",
                    headers={"Authorization": "Bearer s3cret-token-of-20ch"})[0] == 200
        status, answer = call(port, "GET", "/v2/models/logreg/infer",
                              headers={"Authorization": "Bearer s3cret-token-of-20ch"})
        assert status == 405 and "takes POST" in answer["error"], answer
        status, answer = call(port, "GET", "/v2/models", headers={
            "Authorization": "Bearer s3cret-token-of-20ch"})
        assert status == 404 and "/v2/models/{name}/infer" in answer["allowed"]
    finally:
        server.shutdown()
        server.server_close()


def test_a_bundle_whose_model_refuses_its_own_samples_does_not_start(tmp_path):
    import json

    from stratum_jupyter.serving.server import make_server

    path = onnx_digits(tmp_path / "digits", kind="tensor")
    profile = json.loads((path / "profile.json").read_text())
    profile["sample_instances"] = [[0.0] * 64]  # flat: the model takes 8 x 8 x 1
    (path / "profile.json").write_text(json.dumps(profile))
    with pytest.raises(ValueError, match="does not take its own sample_instances.*got shape"):
        make_server(path, port=0)
