"""save_model on ONNX models built in the test (an MLP exported by skl2onnx, networks written
with onnx.helper): model.onnx kept byte for byte, the schema read from the graph, load_model
answering what the model answers (labels exactly, scores within 1e-6), images prepared."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits, load_iris

from stratum_jupyter import load_model, save_model
from stratum_jupyter.bundle.images import parse_image
from stratum_jupyter.errors import ModelInputError
from tests.bundle.onnx_models import mlp_onnx, softmax, softmax_net


@pytest.fixture(scope="module")
def iris_mlp():
    X, y = load_iris(return_X_y=True)
    X = X.astype(np.float32)
    mlp, onx = mlp_onnx(X, y)
    return X, mlp, onx


def test_an_mlp_exported_by_skl2onnx_answers_as_the_mlp(iris_mlp, tmp_path):
    X, mlp, onx = iris_mlp
    (tmp_path / "mlp.onnx").write_bytes(onx.SerializeToString())
    np.save(tmp_path / "x.npy", X)
    out = save_model(tmp_path / "mlp.onnx", tmp_path / "b", X=tmp_path / "x.npy")
    assert (out / "model.onnx").read_bytes() == (tmp_path / "mlp.onnx").read_bytes()
    loaded = load_model(out)
    assert loaded.predict(X).tolist() == mlp.predict(X).tolist()
    assert np.allclose(loaded.predict_proba(X), mlp.predict_proba(X), rtol=0, atol=1e-6)
    profile = json.loads((out / "profile.json").read_text())
    assert profile["kind"] == "onnx" and profile["model_file"] == "model.onnx"
    assert profile["model_format"] == "onnx" and profile["task"] == "classification"
    schema = profile["input_schema"]
    assert schema["kind"] == "tensor" and schema["classes"] == [0, 1, 2]
    assert schema["inputs"] == [{"name": "X", "shape": [None, 4], "dtype": "float32"}]
    assert [o["name"] for o in schema["outputs"]] == ["label", "probabilities"]
    assert np.allclose(profile["sample_instances"], X[:5])
    assert profile["predict_latency"]["batch_rows"] == len(X)
    assert "onnxruntime" in profile["libraries"]
    reqs = (out / "requirements.txt").read_text().split()
    assert [r.split("==")[0] for r in reqs] == ["onnxruntime", "numpy"]


def test_a_table_sample_gives_the_onnx_model_a_table_schema(iris_mlp, tmp_path):
    X, mlp, onx = iris_mlp
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    out = save_model(onx, tmp_path / "b", X=frame)
    schema = json.loads((out / "profile.json").read_text())["input_schema"]
    assert schema["kind"] == "dataframe" and [f["name"] for f in schema["features"]] == list("abcd")
    assert load_model(out).predict(frame).tolist() == mlp.predict(X).tolist()


def test_a_network_written_with_onnx_helper_and_named_classes(tmp_path):
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(4, 3)), rng.normal(size=3)
    X = rng.normal(size=(20, 4)).astype(np.float32)
    out = save_model(softmax_net(W, b, name="x"), tmp_path / "b", X=X,
                     classes=["setosa", "versicolor", "virginica"])
    loaded = load_model(out)
    expected = softmax(X @ W.astype(np.float32) + b.astype(np.float32))
    assert np.allclose(loaded.predict_proba(X), expected, atol=1e-6)
    assert loaded.predict(X).tolist() == np.array(
        ["setosa", "versicolor", "virginica"])[expected.argmax(axis=1)].tolist()
    # without classes: the scores themselves, and no predict_proba
    plain = load_model(save_model(softmax_net(W, b, name="x"), tmp_path / "c", X=X))
    assert np.allclose(plain.predict(X), expected, atol=1e-6)
    assert not hasattr(plain, "predict_proba")


def test_a_sample_or_declaration_that_contradicts_the_graph_is_refused_naming_both(tmp_path):
    W, b = np.ones((4, 2)), np.zeros(2)
    net = softmax_net(W, b, name="x")
    with pytest.raises(ModelInputError) as info:
        save_model(net, tmp_path / "b", X=np.ones((3, 5), dtype=np.float32))
    assert "the sample X gives 'x' the shape [None, 5]" in str(info.value)
    assert "the model declares 'x' as [None, 4]" in str(info.value)
    with pytest.raises(ModelInputError, match=r"inputs= gives 2 input\(s\)"):
        save_model(net, tmp_path / "b", X=np.ones((3, 4), dtype=np.float32),
                   inputs=[{"name": "a", "shape": [None, 4]}, {"name": "b", "shape": [None]}])
    with pytest.raises(ModelInputError, match="inputs= gives 'x' the dtype int64"):
        save_model(net, tmp_path / "b", X=np.ones((3, 4), dtype=np.float32),
                   inputs=[{"name": "x", "shape": [None, 4], "dtype": "int64"}])
    with pytest.raises(ModelInputError, match=r"classes: \['a'\] contradicts"):
        save_model(mlp_onnx(np.eye(4, dtype=np.float32), [0, 1, 0, 1])[1], tmp_path / "b",
                   X=np.eye(4, dtype=np.float32), classes=["a"])
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())


def test_a_folder_of_images_is_prepared_as_the_image_block_says(tmp_path):
    from PIL import Image

    digits = load_digits()
    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(6):
        Image.fromarray((digits.images[i] * 15).astype("uint8"), "L").save(folder / f"{i}.png")
    rng = np.random.default_rng(1)
    W, b = rng.normal(size=(64, 10)), rng.normal(size=10)
    net = softmax_net(W, b, input_shape=[None, 8, 8, 1])
    out = save_model(net, tmp_path / "b", X=folder, classes=list(range(10)),
                     image="scale=0.0039215686,offset=-0.5")
    profile = json.loads((out / "profile.json").read_text())
    schema = profile["input_schema"]
    assert schema["kind"] == "image" and schema["inputs"][0]["shape"] == [None, 8, 8, 1]
    assert schema["image"] == {"height": 8, "width": 8, "mode": "L", "layout": "NHWC",
                               "resample": "bilinear", "scale": 0.0039215686, "offset": -0.5,
                               "mean": None, "std": None}
    assert "image height=8 (inferred from the input shape [None, 8, 8, 1])" in profile["notes"]
    assert profile["sample_images"] == [f"{i}.png" for i in range(5)]
    pixels = (digits.images[:5] * 15).astype("uint8")[..., None] * 0.0039215686 - 0.5
    assert np.allclose(profile["sample_instances"], pixels, atol=1e-6)
    assert "pillow" in [r.split("==")[0] for r in (out / "requirements.txt").read_text().split()]
    loaded = load_model(out)
    x = pixels.astype(np.float32)
    assert np.allclose(loaded.predict_proba(x), softmax(x.reshape(5, 64) @ W.astype(
        np.float32) + b.astype(np.float32)), atol=1e-6)
    with pytest.raises(ModelInputError, match=r"the model declares 'pixels' as \[None, 8, 8, 1\]"):
        save_model(net, tmp_path / "c", X=folder, image={"height": 9})
    (folder / "broken.png").write_text("not an image")
    with pytest.raises(ModelInputError, match="broken.png: not an image Pillow can decode"):
        save_model(net, tmp_path / "d", X=folder)


def test_image_settings_are_checked():
    assert parse_image("height=4,width=5,mode=BGR,mean=1/2/3") == {
        "height": 4, "width": 5, "mode": "BGR", "mean": [1.0, 2.0, 3.0]}
    with pytest.raises(ModelInputError, match="'size=4' is not a setting"):
        parse_image("size=4")
    with pytest.raises(ModelInputError, match=r"mode='CMYK' is not allowed \(allowed: RGB, L"):
        parse_image("mode=CMYK")
    with pytest.raises(ModelInputError, match="height='tall' is not an integer"):
        parse_image("height=tall")


def test_classes_must_fit_the_score_columns_and_reach_a_table_bundle(tmp_path):
    W, b = np.ones((4, 3)), np.zeros(3)
    X = np.arange(12, dtype=np.float32).reshape(3, 4)
    with pytest.raises(ModelInputError, match="classes: 2 labels, but the model's output "
                                              "'scores' has 3 score column"):
        save_model(softmax_net(W, b, name="x"), tmp_path / "b", X=X, classes=["a", "b"])
    frame = pd.DataFrame(X, columns=list("pqrs"))
    out = save_model(softmax_net(W, b, name="x"), tmp_path / "c", X=frame,
                     classes=["a", "b", "c"])
    assert json.loads((out / "profile.json").read_text())["input_schema"]["classes"] == [
        "a", "b", "c"]
    assert load_model(out).predict(frame).tolist() == ["a", "a", "a"]


def test_a_network_of_two_named_inputs_takes_an_npz_sample(tmp_path):
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["sum"])], "two",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, [None, 3]) for n in "ab"],
        [helper.make_tensor_value_info("sum", TensorProto.FLOAT, [None, 3])])
    net = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    np.savez(tmp_path / "x.npz", a=a, b=b)
    out = save_model(net, tmp_path / "m", X=tmp_path / "x.npz")
    profile = json.loads((out / "profile.json").read_text())
    assert [s["name"] for s in profile["input_schema"]["inputs"]] == ["a", "b"]
    assert np.allclose(profile["sample_instances"]["b"], b[:5].astype(np.float32))
    assert np.allclose(load_model(out).predict({"a": a, "b": b}), a + b, atol=1e-6)
    with pytest.raises(ModelInputError, match=r"the sample X gives 1 input\(s\) \(a\), "
                                              r"but the model takes 2 \(a, b\)"):
        save_model(net, tmp_path / "n", X=a.astype(np.float32))


def test_an_nchw_input_is_inferred_and_prepared_channels_first(tmp_path):
    from PIL import Image

    from stratum_jupyter.bundle.images import from_shape, prepare

    block, notes = from_shape([None, 3, 4, 6], {"mode": "BGR", "mean": [1, 2, 3]})
    assert (block["layout"], block["height"], block["width"], block["mode"]) == (
        "NCHW", 4, 6, "BGR")
    assert "image layout=NCHW (inferred from the input shape [None, 3, 4, 6])" in notes
    pixels = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    Image.fromarray(pixels, "RGB").save(tmp_path / "a.png")
    x = prepare([tmp_path / "a.png"], block, {"name": "x", "shape": [None, 3, 4, 6],
                                              "dtype": "float32"})
    assert x.shape == (1, 3, 4, 6)
    assert np.array_equal(x[0], (pixels[..., ::-1] - np.array([1, 2, 3])).transpose(2, 0, 1))
