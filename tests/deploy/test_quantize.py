"""Quantized conversions (issue 24, item 5) on ONNX: dynamic quantization of an ONNX bundle
and of a scikit-learn MLP converted to ONNX, measured on the sample (the numbers against
onnxruntime's own quantize_dynamic and sessions), recorded, and refused past the tolerance
before anything is written. TFLite float16/int8: test_quantize_tflite.py."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stratum_jupyter import save_model
from stratum_jupyter.bundle import save_bundle
from stratum_jupyter.cli import main
from stratum_jupyter.deploy import deploy
from stratum_jupyter.deploy.quantize import TOLERANCES, measure, parse_tolerance, tolerance_for
from stratum_jupyter.errors import DeployError
from tests.servicetools import call, serving
from tests.serving.bundles import digits, onnx_digits


def ort_quantized(source: Path, tmp_path: Path) -> Path:
    """onnxruntime's own dynamic quantization of ``source`` (int8 weights)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = tmp_path / "own-quantized.onnx"
    quantize_dynamic(source, target, weight_type=QuantType.QInt8)
    return target


def run(path_or_bytes, x):
    import onnxruntime as ort

    session = ort.InferenceSession(path_or_bytes, providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})


@pytest.fixture(scope="module")
def onnx_bundle(tmp_path_factory):
    """An ONNX softmax classifier of the digits' pixels, bundled by save_model on a tensor
    sample; and a labelled sample file (.npz) of 400 other digits."""
    import onnx

    root = tmp_path_factory.mktemp("onnxq")
    graph = onnx_digits(root / "graph")
    X, y = digits()
    bundle = save_model(onnx.load(graph / "model.onnx"), root / "bundle", X=X[:50],
                        classes=list(range(10)))
    np.savez(root / "labelled.npz", image=X[1000:1400], labels=y[1000:1400])
    return bundle, root / "labelled.npz", graph / "model.onnx"


def test_dynamic_quantization_of_an_onnx_bundle_is_measured_and_recorded(onnx_bundle,
                                                                        tmp_path):
    bundle, labelled, graph = onnx_bundle
    events: list[str] = []
    deploy(bundle, "local", tmp_path / "d", quantize="dynamic", sample=labelled,
           on_event=events.append)
    model = tmp_path / "d" / "model"
    report = json.loads((model / "conversion.json").read_text())
    assert json.loads((model / "profile.json").read_text())["conversion"] == report
    assert report["format"] == "onnx" and report["quantize"] == "dynamic"
    assert report["tolerance"] == TOLERANCES["dynamic"] and report["verified_rows"] == 400
    # the numbers, from onnxruntime's own quantization and sessions
    with np.load(labelled) as data:
        x, truth = data["image"], data["labels"]
    original = run(str(graph), x)[0]
    own = run(str(ort_quantized(graph, tmp_path)), x)[0]
    served = run(str(model / "model.onnx"), x)[0]
    np.testing.assert_array_equal(served, own)
    assert report["agreement"] == pytest.approx(np.mean(own.argmax(1) == original.argmax(1)))
    assert report["max_probability_diff"] == pytest.approx(float(np.abs(own - original).max()),
                                                           abs=1e-6)
    assert report["accuracy_original"] == pytest.approx(np.mean(original.argmax(1) == truth))
    assert report["accuracy"] == pytest.approx(np.mean(own.argmax(1) == truth))
    assert report["bytes"] == (model / "model.onnx").stat().st_size
    assert report["bytes_original"] == graph.stat().st_size
    assert report["latency_ms"] > 0 and report["latency_ms_original"] > 0
    with serving(tmp_path / "d") as port:  # the service runs the quantized graph
        status, answer = call(port, "POST", "/predict", {"instances": x[:20].tolist()})
    assert status == 200, answer
    assert answer["predictions"] == own[:20].argmax(axis=1).tolist()
    np.testing.assert_allclose([[p[str(c)] for c in range(10)] for p in answer["probabilities"]],
                               own[:20], atol=1e-6)
    line = next(e for e in events if e.startswith("conversion: onnx dynamic"))
    assert "verified on 400 instances: agreement" in line and "ms per instance" in line
    assert "quantized dynamic" in (tmp_path / "d" / "README.md").read_text()


def test_a_conversion_past_its_tolerance_is_refused_before_anything_is_written(onnx_bundle,
                                                                              tmp_path):
    bundle, labelled, _ = onnx_bundle
    with pytest.raises(DeployError) as info:
        deploy(bundle, "local", tmp_path / "d", quantize="dynamic", sample=labelled,
               tolerance="max_error=0")
    text = str(info.value)
    assert "differs from the original in a class probability by up to" in text
    assert "the tolerance is max_error <= 0 (change it with --tolerance max_error=VALUE, " in text
    assert not (tmp_path / "d").exists()


@pytest.fixture(scope="module")
def mlp_bundle(tmp_path_factory, iris_split):
    """An MLP on iris (MatMul nodes once in ONNX: dynamic quantization applies), saved as an
    evaluated model is; and its labelled held-out rows as CSV (the target column)."""
    from sklearn.neural_network import MLPClassifier

    X_train, X_test, y_train, y_test = iris_split
    model = MLPClassifier((16,), max_iter=1000, random_state=0).fit(X_train, y_train)
    root = tmp_path_factory.mktemp("mlpq")
    bundle = save_bundle(model, root / "best", X=X_train, y=y_train, task="classification",
                         candidate="mlp")
    X_test.assign(target=y_test).to_csv(root / "held-out.csv", index=False)
    return bundle, root / "held-out.csv", model


def test_a_scikit_learn_model_converted_to_onnx_and_quantized(mlp_bundle, tmp_path, iris_split):
    bundle, held_out, model = mlp_bundle
    _, X_test, _, y_test = iris_split
    # int8 weights move this MLP's answer on one or two held-out rows: allowed here
    deploy(bundle, "edge-arm64", tmp_path / "d", convert="onnx", quantize="dynamic",
           sample=held_out, tolerance={"agreement": 0.9, "accuracy_drop": 0.1})
    report = json.loads((tmp_path / "d" / "model" / "conversion.json").read_text())
    labels, probs = run(str(tmp_path / "d" / "model" / "model.onnx"),
                        X_test.to_numpy(np.float32))
    assert report["agreement"] == pytest.approx(np.mean(labels == model.predict(X_test)))
    assert report["accuracy"] == pytest.approx(np.mean(labels == y_test.to_numpy()))
    assert report["accuracy_original"] == pytest.approx(model.score(X_test, y_test))
    assert report["max_probability_diff"] == pytest.approx(
        float(np.abs(probs - model.predict_proba(X_test)).max()), abs=1e-6)
    assert report["sample"] == "held-out.csv" and report["verified_rows"] == len(X_test)


def test_quantize_and_tolerance_are_checked_before_any_work(onnx_bundle, iris_bundle, tmp_path):
    bundle, _, _ = onnx_bundle
    with pytest.raises(DeployError, match=r"--quantize int8 does not go with --convert onnx "
                       r"\(allowed: --convert tflite: none, float16, int8; --convert onnx: "
                       r"none, dynamic\)"):
        deploy(iris_bundle, "local", tmp_path / "a", convert="onnx", quantize="int8")
    with pytest.raises(DeployError, match="quantizes a conversion, and there is none here"):
        deploy(bundle, "local", tmp_path / "b", convert="none", quantize="dynamic")
    with pytest.raises(DeployError, match=r"'agrement' is not a tolerance \(allowed: "
                       r"agreement, accuracy_drop, max_error"):
        deploy(bundle, "local", tmp_path / "c", quantize="dynamic", tolerance="agrement=0.9")
    with pytest.raises(DeployError, match="sample: 'nowhere.npz' does not exist"):
        deploy(bundle, "local", tmp_path / "d", quantize="dynamic", sample="nowhere.npz")
    assert not any((tmp_path / n).exists() for n in "abcd")


def test_the_cli_takes_quantize_tolerance_and_sample(onnx_bundle, tmp_path, capsys):
    bundle, labelled, _ = onnx_bundle
    code = main(["deploy", str(bundle), "--target", "local", "--out", str(tmp_path / "d"),
                 "--quantize", "dynamic", "--sample", str(labelled), "--tolerance",
                 "agreement=0.5,max_error=0.5"])
    assert code == 0, capsys.readouterr()
    report = json.loads((tmp_path / "d" / "model" / "conversion.json").read_text())
    assert report["tolerance"] == {"agreement": 0.5, "accuracy_drop": 0.01, "max_error": 0.5}
    with pytest.raises(SystemExit):
        main(["deploy", "--help"])
    assert "--quantize {none,float16,int8,dynamic}" in capsys.readouterr().out


def test_measures_and_tolerances():
    assert parse_tolerance("agreement=0.95, max_error=0.2") == {"agreement": 0.95,
                                                              "max_error": 0.2}
    assert tolerance_for("int8", {"accuracy_drop": 0.05})["accuracy_drop"] == 0.05
    for bad in ("agreement=2", "max_error=-1", "accuracy_drop=x"):
        with pytest.raises(DeployError, match="is not a number"):
            parse_tolerance(bad)
    got = measure({"labels": np.array([0, 1, 1, 0])}, {"labels": np.array([0, 1, 0, 0])},
                  truth=np.array([0, 1, 1, 1]))
    assert got == {"agreement": 0.75, "accuracy_original": 0.75, "accuracy": 0.5,
                   "accuracy_drop": 0.25}
    with pytest.raises(DeployError, match="none of the labels the model answers"):
        measure({"labels": np.array([0, 1])}, {"labels": np.array([0, 1])},
                truth=np.array([0.0, 1.0]))  # "0.0" is not "0": no accuracy was measured
    got = measure({"values": np.array([10.0, -20.0])}, {"values": np.array([11.0, -20.0])})
    assert got == {"max_abs_error": 1.0, "max_error": 0.05}
