"""Bundles of models made elsewhere (save_model) go through deploy: a table model's rendered
service answers ``/predict`` as the model does; an ONNX bundle's deploy folder carries
onnxruntime and model.onnx; the checks refuse, naming the step."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier

from stratum_jupyter import save_model
from stratum_jupyter.deploy import deploy
from stratum_jupyter.errors import DeployError
from tests.bundle.onnx_models import mlp_onnx, softmax_net
from tests.servicetools import call, serving


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True, as_frame=True)


def test_a_table_model_saved_with_save_model_is_served_by_the_rendered_service(iris, tmp_path):
    X, y = iris
    model = RandomForestClassifier(n_estimators=10, max_depth=3, random_state=0).fit(X, y)
    bundle = save_model(model, tmp_path / "m", X=X)
    deploy(bundle, "local", tmp_path / "deploy")
    assert (tmp_path / "deploy" / "model" / "model.skops").is_file()
    with serving(tmp_path / "deploy") as port:
        status, body = call(port, "POST", "/predict", {"rows": X.head(20).to_dict("records")})
        assert status == 200
        assert body["predictions"] == model.predict(X.head(20)).tolist()
        probs = np.array([[row[str(c)] for c in model.classes_] for row in body["probabilities"]])
        assert np.allclose(probs, model.predict_proba(X.head(20)))
        status, body = call(port, "POST", "/predict", {"rows": [{"nope": 1}]})
        assert 400 <= status < 500


def test_an_onnx_bundle_renders_with_onnxruntime_and_its_model_file(iris, tmp_path):
    X = iris[0].to_numpy(dtype=np.float32)
    mlp, onx = mlp_onnx(X, iris[1].to_numpy())
    bundle = save_model(onx, tmp_path / "m", X=X)
    deploy(bundle, "cloud-x86", tmp_path / "deploy")
    reqs = (tmp_path / "deploy" / "requirements.txt").read_text().split()
    assert any(r.startswith("onnxruntime==") for r in reqs)
    assert not any(r.startswith(("scikit-learn==", "skops==")) for r in reqs)
    model = tmp_path / "deploy" / "model"
    assert (model / "model.onnx").read_bytes() == onx.SerializeToString()
    assert json.loads((model / "profile.json").read_text())["input_schema"]["kind"] == "tensor"


def test_a_table_sample_onnx_bundle_answers_rows_with_todays_service(iris, tmp_path):
    X, y = iris
    mlp, onx = mlp_onnx(X.to_numpy(dtype=np.float32), y.to_numpy())
    bundle = save_model(onx, tmp_path / "m", X=X.astype(np.float32))
    deploy(bundle, "local", tmp_path / "deploy")
    with serving(tmp_path / "deploy") as port:
        status, body = call(port, "POST", "/predict", {"rows": X.head(10).to_dict("records")})
    assert status == 200
    assert body["predictions"] == mlp.predict(X.head(10).to_numpy(np.float32)).tolist()


def test_the_checks_refuse_naming_the_step(tmp_path):
    net = softmax_net(np.ones((4, 2)), np.zeros(2), name="x")
    bundle = save_model(net, tmp_path / "m", X=np.ones((3, 4), dtype=np.float32))
    profile = json.loads((bundle / "profile.json").read_text())
    profile["model_size_bytes"] = 64 * 2**30  # a model no target holds
    (bundle / "profile.json").write_text(json.dumps(profile))
    with pytest.raises(DeployError, match=r"memory: model plus runtime need about .* \(onnx "
                                          r"runtime 70 MiB"):
        deploy(bundle, "edge-arm64", tmp_path / "edge")
    with pytest.raises(DeployError, match="conversion: --convert tflite is for Keras models, "
                                          "this is onnx"):
        deploy(bundle, "cloud-x86", tmp_path / "cloud", convert="tflite")
