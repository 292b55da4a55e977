"""Keras -> TFLite float16 and int8 (issue 24, item 5) on the digits CNN, end to end (item 6):
trained here on scikit-learn's digits as 16x16 PNGs, bundled with save_model, deployed
locally with the int8 conversion calibrated and measured on a labelled folder of held-out
PNGs; the numbers recorded are TensorFlow's own interpreter's, and the service answers a PNG
body with the digit the Keras model gives."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from stratum_jupyter import save_model
from stratum_jupyter.deploy import deploy
from stratum_jupyter.errors import DeployError
from tests.deploy.digits_cnn import TRAIN, as_input, digit_images, png, train_cnn, write_pngs
from tests.marks import SLOW_TENSORFLOW
from tests.servicetools import call, serving

pytestmark = SLOW_TENSORFLOW


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    """The CNN (4 epochs on 1,400 digits), its bundle (sampled from 20 PNGs) and the 397
    held-out digits as PNGs in folders named by label."""
    images, labels = digit_images()
    net = train_cnn(images[:TRAIN], labels[:TRAIN])
    root = tmp_path_factory.mktemp("digits-edge")
    write_pngs(images[:20], None, root / "sample")
    write_pngs(images[TRAIN:], labels[TRAIN:], root / "held-out", first=TRAIN)
    bundle = save_model(net, root / "bundle", X=root / "sample", classes=list(range(10)),
                        image={"scale": 1 / 255})
    x = as_input(images[TRAIN:])
    return SimpleNamespace(net=net, bundle=bundle, held_out=root / "held-out", x=x,
                           images=images[TRAIN:], truth=labels[TRAIN:],
                           keras=net.predict(x, verbose=0))


def interpreter_outputs(path, x):
    """TensorFlow's own interpreter on ``x``: its input quantized and its output dequantized
    with the model's scale and zero point, as TensorFlow's quantization guide does."""
    import tensorflow as tf

    interp = tf.lite.Interpreter(model_path=str(path))
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    interp.resize_tensor_input(inp["index"], x.shape)
    interp.allocate_tensors()
    if inp["dtype"] == np.int8:
        scale, zero = inp["quantization"]
        x = np.clip(np.round(x / scale + zero), -128, 127).astype(np.int8)
    interp.set_tensor(inp["index"], x)
    interp.invoke()
    y = interp.get_tensor(out["index"])
    if out["dtype"] == np.int8:
        scale, zero = out["quantization"]
        y = (y.astype(np.float32) - zero) * scale
    return y


def test_int8_digits_served_over_http_answer_as_the_keras_model(digits, tmp_path):
    out = tmp_path / "d"
    deploy(digits.bundle, "local", out, quantize="int8", sample=digits.held_out)
    report = json.loads((out / "model" / "conversion.json").read_text())
    assert report["format"] == "tflite" and report["quantize"] == "int8"
    assert report["verified_rows"] == len(digits.x) == 397
    keras_labels, truth = digits.keras.argmax(axis=1), digits.truth
    tf_out = interpreter_outputs(out / "model" / "model.tflite", digits.x)
    tf_labels = tf_out.argmax(axis=1)
    assert report["agreement"] == pytest.approx(np.mean(tf_labels == keras_labels))
    assert report["accuracy_original"] == pytest.approx(np.mean(keras_labels == truth))
    assert report["accuracy"] == pytest.approx(np.mean(tf_labels == truth))
    assert report["accuracy_original"] > 0.8 and report["agreement"] >= 0.99
    assert report["max_probability_diff"] == pytest.approx(
        float(np.abs(tf_out - digits.keras).max()), abs=1e-6)
    assert report["bytes"] == (out / "model" / "model.tflite").stat().st_size
    assert report["bytes"] < report["bytes_original"] / 4
    with serving(out) as port:
        answers = []
        for image in digits.images:
            status, answer = call(port, "POST", "/predict", raw=png(image),
                                  headers={"Content-Type": "image/png"})
            assert status == 200, answer
            answers.append(answer)
    served = np.array([a["predictions"][0] for a in answers])
    assert (served == tf_labels).all()
    assert np.mean(served == keras_labels) >= 0.99
    probs = np.array([[a["probabilities"][0][str(c)] for c in range(10)] for a in answers])
    np.testing.assert_allclose(probs, tf_out, atol=1e-6)


def test_float16_is_tensorflows_own_conversion(digits, tmp_path):
    import tensorflow as tf

    deploy(digits.bundle, "local", tmp_path / "d", convert="tflite", quantize="float16")
    report = json.loads((tmp_path / "d" / "model" / "conversion.json").read_text())
    # the bundle's own sample (5 instances from the PNG folder), no labels: no accuracy
    assert report["verified_rows"] == 5 and "accuracy" not in report
    assert report["sample"] == "the bundle's sample_instances"
    converter = tf.lite.TFLiteConverter.from_keras_model(digits.net)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
    (tmp_path / "own.tflite").write_bytes(converter.convert())
    np.testing.assert_array_equal(
        interpreter_outputs(tmp_path / "d" / "model" / "model.tflite", digits.x),
        interpreter_outputs(tmp_path / "own.tflite", digits.x))


def test_a_float32_edge_conversion_of_the_network_is_verified_on_its_sample(digits,
                                                                           tmp_path):
    deploy(digits.bundle, "edge-arm64", tmp_path / "d", quantize="none")  # auto: tflite
    report = json.loads((tmp_path / "d" / "model" / "conversion.json").read_text())
    assert report["format"] == "tflite" and report["quantize"] == "none"
    assert report["agreement"] == 1.0 and report["max_probability_diff"] < 1e-5


def test_the_edge_targets_default_quantization_is_used_and_said(digits, tmp_path):
    said: list[str] = []
    deploy(digits.bundle, "edge-arm64", tmp_path / "d", on_event=said.append)
    report = json.loads((tmp_path / "d" / "model" / "conversion.json").read_text())
    assert report["format"] == "tflite" and report["quantize"] == "float16"
    assert "quantize float16: the target's default; --quantize none to keep float32" in said


def test_int8_past_a_strict_tolerance_is_refused(digits, tmp_path):
    with pytest.raises(DeployError) as info:
        deploy(digits.bundle, "local", tmp_path / "d", quantize="int8",
               sample=digits.held_out, tolerance="max_error=0.0001")
    assert "the int8 TFLite model differs from the original in a class probability by up " \
           "to" in str(info.value)
    assert "the tolerance is max_error <= 0.0001 (change it with --tolerance max_error=" \
           in str(info.value)
    assert not (tmp_path / "d").exists()
