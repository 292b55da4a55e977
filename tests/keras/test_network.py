"""Keras networks made anywhere, bundled with save_model / stratum bundle: ``model.keras``
alone (kind keras), answers equal to the network's, the rendered deploy folder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from stratum_jupyter.cli import main
from stratum_jupyter.errors import DeployError, ModelInputError
from tests.marks import SLOW_TENSORFLOW

pytestmark = SLOW_TENSORFLOW


@pytest.fixture(scope="module")
def cnn():
    """A tiny CNN on scikit-learn's 8x8 digits (pixels 0..1), one epoch."""
    import keras
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.images[:300, :, :, None] / 16).astype("float32")
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 1), name="pixels")
    h = keras.layers.Conv2D(4, 3, activation="relu")(inputs)
    outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(h))
    net = keras.Model(inputs, outputs)
    net.compile("adam", "sparse_categorical_crossentropy")
    net.fit(x, digits.target[:300], epochs=1, verbose=0)
    return net, x


def test_a_keras_network_saved_and_loaded_answers_as_the_network(cnn, tmp_path):
    from stratum_jupyter import load_model, save_model

    net, x = cnn
    out = save_model(net, tmp_path / "b", X=x[:40], classes=list(range(10)))
    assert sorted(p.name for p in out.iterdir()) == ["model.keras", "profile.json",
                                                     "requirements.txt"]
    loaded = load_model(out)
    scores = net.predict(x, verbose=0)
    assert np.allclose(loaded.predict_proba(x), scores, rtol=0, atol=1e-6)
    assert loaded.predict(x).tolist() == scores.argmax(axis=1).tolist()
    profile = json.loads((out / "profile.json").read_text())
    assert profile["kind"] == "keras" and profile["model_format"] == "keras-network"
    assert profile["input_schema"]["inputs"] == [{"name": "pixels", "shape": [None, 8, 8, 1],
                                                  "dtype": "float32"}]
    reqs = [r.split("==")[0] for r in (out / "requirements.txt").read_text().split()]
    assert "keras" in reqs and any(r.startswith("tensorflow") for r in reqs)
    assert "scikit-learn" not in reqs


def test_a_keras_file_and_a_folder_of_images_through_the_cli(cnn, tmp_path, capsys):
    from PIL import Image

    from stratum_jupyter import load_model
    from stratum_jupyter.deploy import deploy

    net, x = cnn
    net.save(tmp_path / "cnn.keras")
    (tmp_path / "images").mkdir()
    for i in range(4):
        Image.fromarray((x[i, :, :, 0] * 255).astype("uint8"), "L").save(
            tmp_path / "images" / f"{i}.png")
    code = main(["bundle", str(tmp_path / "cnn.keras"), "--out", str(tmp_path / "b"),
                 "--sample", str(tmp_path / "images"), "--image", "scale=0.00392156862745098",
                 "--classes", *map(str, range(10))])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "keras model (model.keras" in text and "inferred: image mode=L" in text
    profile = json.loads((tmp_path / "b" / "profile.json").read_text())
    assert profile["input_schema"]["kind"] == "image"
    assert profile["input_schema"]["classes"] == list(range(10))
    prepared = np.asarray(profile["sample_instances"], dtype="float32")
    assert np.allclose(load_model(tmp_path / "b").predict_proba(prepared),
                       net.predict(prepared, verbose=0), atol=1e-6)
    deploy(tmp_path / "b", "cloud-x86", tmp_path / "deploy")
    reqs = (tmp_path / "deploy" / "requirements.txt").read_text()
    assert "tensorflow" in reqs and "pillow" in reqs
    assert (tmp_path / "deploy" / "model" / "model.keras").is_file()
    # the small edge target: converted to TFLite and verified on the bundle's sample
    # instances (unconverted, TensorFlow has no wheel there)
    deploy(tmp_path / "b", "edge-arm64", tmp_path / "edge")
    conversion = json.loads((tmp_path / "edge" / "model" / "conversion.json").read_text())
    assert conversion["format"] == "tflite" and conversion["verified_rows"] == 4
    assert conversion["quantize"] == "float16"  # the target's default (targets.yaml)
    assert conversion["agreement"] == 1.0
    with pytest.raises(DeployError) as info:
        deploy(tmp_path / "b", "edge-arm64", tmp_path / "edge-none", convert="none")
    assert "requirements: tensorflow" in str(info.value) and "has no wheel for arm64" in str(
        info.value)
    assert "needs conversion: use --convert tflite" in str(info.value)


def test_a_keras_model_that_is_not_built_is_refused(tmp_path):
    import keras

    from stratum_jupyter import save_model

    net = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(ModelInputError, match="is not built"):
        save_model(net, tmp_path / "b", X=np.ones((2, 3), dtype="float32"))
