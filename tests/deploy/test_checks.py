import json
import shutil

import pytest

from stratum_jupyter.deploy.checks import violations
from stratum_jupyter.deploy.kb import KnowledgeBase
from stratum_jupyter.deploy.render import plan
from stratum_jupyter.deploy.targets import get_target
from stratum_jupyter.errors import DeployError


def _profile(**changes):
    base = {"kind": "sklearn", "needs_gpu": False, "model_size_bytes": 10_000,
            "environment": {"python": "3.11.7"},
            "input_schema": {"features": [{"name": "a", "dtype": "float64"}]}}
    base.update(changes)
    return base


def test_a_fitting_model_has_no_violations():
    kb = KnowledgeBase()
    assert violations(_profile(), get_target("cloud-x86"), kb,
                      requirements=["scikit-learn==1.5.0"], conversion="none",
                      python="3.11") == []


def test_every_violation_is_reported_at_once():
    kb = KnowledgeBase()
    found = violations(
        _profile(kind="keras", needs_gpu=True, model_size_bytes=6 * 2**30,
                 environment={"python": "3.12.1"}),
        get_target("edge-arm64"), kb,
        requirements=["tensorflow-cpu==2.16.1", "scikit-learn-intelex==2024.1"],
        conversion="none", python="3.11")
    text = "\n".join(found)
    assert "tensorflow-cpu has no wheel for arm64" in text
    assert "scikit-learn-intelex has no wheel for arm64" in text
    assert "needs a GPU but target 'edge-arm64' has none" in text
    assert "memory:" in text and "4096 MiB" in text
    assert "Python 3.12 but target 'edge-arm64' runs Python 3.11" in text
    assert "needs conversion: use --convert tflite" in text
    assert len(found) == 6


def test_wrong_conversion_for_the_model_kind():
    kb = KnowledgeBase()
    found = violations(_profile(), get_target("edge-arm64"), kb, requirements=[],
                       conversion="tflite", python="3.11")
    assert found == ["conversion: --convert tflite is for Keras models, this is sklearn "
                     "(allowed: onnx, none)"]


def test_plan_refuses_before_anything_is_written(iris_bundle, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(iris_bundle, model)
    profile = json.loads((model / "profile.json").read_text())
    profile["needs_gpu"] = True
    profile["environment"]["python"] = "3.9.18"
    (model / "profile.json").write_text(json.dumps(profile))
    with pytest.raises(DeployError) as info:
        plan(model, "cloud-x86", port=70000, bind="localhost; id", convert="zip")
    fields = [v.split(":")[0] for v in info.value.violations]
    assert fields == ["port", "bind", "convert", "gpu", "python"]
    assert "allowed: 1-65535" in str(info.value)


def test_jetson_python_mismatch_is_lifted_by_onnx_conversion(iris_bundle):
    # jetson's L4T image has Python 3.10; ONNX makes the model independent of it.
    with pytest.raises(DeployError, match="runs Python 3.10"):
        plan(iris_bundle, "jetson", convert="none")
    assert plan(iris_bundle, "jetson").conversion == "onnx"


def test_keras_models_must_be_converted_for_the_service():
    kb = KnowledgeBase()
    found = violations(_profile(kind="keras"), get_target("cloud-x86"), kb, requirements=[],
                       conversion="none", python="3.11")
    assert found == ["service: Keras models are served as TFLite: use --convert tflite"]
    assert violations(_profile(kind="keras"), get_target("cloud-x86"), kb, requirements=[],
                      conversion="tflite", python="3.11") == []


def test_tflite_conversion_needs_the_keras_support(iris_bundle, tmp_path, without_keras):
    """Without the Keras plug-in no ``tflite`` converter is registered: said, not a crash."""
    from stratum_jupyter.deploy.convert import convert

    with pytest.raises(DeployError, match="no converter 'tflite' is registered"):
        convert("tflite", iris_bundle, {"kind": "keras"}, tmp_path)
    found = violations(_profile(kind="keras"), get_target("cloud-x86"), KnowledgeBase(),
                       requirements=[], conversion="tflite", python="3.11")
    assert found == ["conversion: no converter 'tflite' is installed (allowed: none)"]
    assert plan(iris_bundle, "edge-arm64").conversion == "onnx"


def _unloadable_bundle(iris_bundle, tmp_path):
    """The iris bundle with a model.skops that load_model (and the service) refuse: a
    builtins function inside, as if the bundle were saved by an older version."""
    import skops.io
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    model = tmp_path / "model"
    shutil.copytree(iris_bundle, model)
    skops.io.dump(make_pipeline(FunctionTransformer(func=abs)), model / "model.skops")
    return model


def test_an_unloadable_model_is_refused_before_rendering(iris_bundle, tmp_path):
    from stratum_jupyter.deploy import deploy

    model = _unloadable_bundle(iris_bundle, tmp_path)
    out = tmp_path / "out"
    for target in ("local", "edge-arm64"):
        with pytest.raises(DeployError) as info:
            deploy(model, target, out, check=True)
        (problem,) = info.value.violations
        assert problem.startswith(f"model: {model} cannot be loaded: ")
        assert "holds types that are not trusted: builtins.abs" in problem
    assert not out.exists()


def test_types_only_load_model_trusts_are_refused_for_the_service(iris_bundle, tmp_path,
                                                                  monkeypatch):
    """The service runs without stratum_jupyter: its rule has no stratum_jupyter types."""
    from stratum_jupyter.deploy.checks import loading_problems
    from stratum_jupyter.serving import trust

    audited = []

    def audit(path, **kwargs):
        audited.append(kwargs)
        return ["stratum_jupyter.x.Y"], ([] if kwargs.get("roots") else ["stratum_jupyter.x.Y"])

    monkeypatch.setattr(trust, "audit", audit)
    model, problems = loading_problems(iris_bundle, json.loads(
        (iris_bundle / "profile.json").read_text()), "none")
    assert model is not None and audited[-1] == {}
    assert problems == ["model: the prediction service does not trust types in model.skops: "
                        "stratum_jupyter.x.Y"]
