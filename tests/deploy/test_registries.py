"""Converters and model formats are registries: the built-ins, the Keras plug-in's, and any
distribution's entry points (a real dist-info on sys.path, as tests/catalog does for blocks)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import textwrap

import numpy as np
import pytest

from stratum_jupyter.bundle import load_model, read_profile, save_bundle
from stratum_jupyter.bundle.formats import MODEL_FORMATS, format_of, kind_label
from stratum_jupyter.deploy.checks import violations
from stratum_jupyter.deploy.convert import CONVERTERS, convert, converters_for
from stratum_jupyter.deploy.kb import KnowledgeBase
from stratum_jupyter.deploy.render import CONVERSIONS, conversions, plan, render
from stratum_jupyter.deploy.targets import get_target
from stratum_jupyter.errors import DeployError, StratumError
from stratum_jupyter.plugins import entry_points

PLUGIN = '''
import json
from pathlib import Path

import numpy as np

from stratum_jupyter.bundle.formats import ModelFormat
from stratum_jupyter.deploy.convert import Converter


class ConstantRegressor:
    """Predicts one number; saved as model.json by this plug-in's model format."""

    def __init__(self, value=0.0):
        self.value = value

    def fit(self, X, y):
        self.value = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.value)


def _save(model, directory):
    path = Path(directory) / "model.json"
    path.write_text('{"value": %r}' % model.value)
    return path


def _load(directory, trusted):
    return ConstantRegressor(json.loads((Path(directory) / "model.json").read_text())["value"])


CONSTANT = ModelFormat(
    name="constant-json", kind="constant", label="Constant", save=_save, load=_load,
    claims=lambda model: isinstance(model, ConstantRegressor),
    detect=lambda directory: (Path(directory) / "model.json").is_file(),
    requirements=lambda: ["packaging"])


def _export(model, profile, frame):
    return json.dumps([float(v) for v in model.coef_] + [float(model.intercept_)]).encode()


def _run(data, profile, frame):
    *coef, intercept = json.loads(data)
    return {"values": frame.to_numpy() @ np.array(coef) + intercept}


def linear_text():
    """A callable entry point: it returns the converter."""
    return Converter(name="linear-text", label="Linear text", kinds=("sklearn",),
                     export=_export, run=_run, runtime=lambda: {"linear-text": "1"})


BROKEN = "not a converter"
'''


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """A third-party distribution registering a converter and a model format (and a broken
    converter entry point, which must not take the others down)."""
    (tmp_path / "stratum_test_registry_plugin.py").write_text(textwrap.dedent(PLUGIN))
    dist = tmp_path / "stratum_test_registry_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: stratum-test-registry-plugin\n"
                                   "Version: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[stratum_jupyter.converters]\n"
        "linear-text = stratum_test_registry_plugin:linear_text\n"
        "broken = stratum_test_registry_plugin:BROKEN\n"
        "[stratum_jupyter.model_formats]\n"
        "constant-json = stratum_test_registry_plugin:CONSTANT\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    CONVERTERS.reload()
    MODEL_FORMATS.reload()
    try:
        yield importlib.import_module("stratum_test_registry_plugin")
    finally:
        monkeypatch.undo()
        sys.modules.pop("stratum_test_registry_plugin", None)
        CONVERTERS.reload()
        MODEL_FORMATS.reload()


@pytest.fixture(scope="module")
def linear_bundle(tmp_path_factory):
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    model = Ridge().fit(X, y)
    return save_bundle(model, tmp_path_factory.mktemp("ridge") / "best", X=X, y=y,
                       task="regression", candidate="ridge")


def test_the_built_ins_and_the_keras_plug_in_are_registered():
    assert CONVERTERS.names()[:2] == ["onnx", "tflite"]
    assert tuple(CONVERSIONS) == conversions() == ("auto", "none", "onnx", "tflite")
    assert converters_for("sklearn") == ["onnx"] and converters_for("keras") == ["tflite"]
    assert [f.name for f in MODEL_FORMATS.values()][:2] == ["skops", "keras"]
    assert kind_label("sklearn") == "scikit-learn" and kind_label("keras") == "Keras"
    # stratum_jupyter's own entry points come once (from its installed metadata)
    names = [ep.name for ep in entry_points("stratum_jupyter.converters")]
    assert len(names) == len(set(names))


def test_a_plugin_converter_is_picked_up(plugin, linear_bundle, tmp_path):
    assert "linear-text" in CONVERSIONS and "broken" in CONVERSIONS
    parser = argparse.ArgumentParser()
    parser.add_argument("--convert", choices=CONVERSIONS, default="auto")
    assert parser.parse_args(["--convert", "linear-text"]).convert == "linear-text"
    assert converters_for("sklearn") == ["onnx", "linear-text"]  # the broken one is skipped

    report = convert("linear-text", linear_bundle, read_profile(linear_bundle), tmp_path)
    assert report["format"] == "linear-text" and report["linear-text"] == "1"
    assert (tmp_path / "model.linear-text").is_file()
    with pytest.raises(DeployError, match="entry point 'broken'.* is a str, not a converter"):
        convert("broken", linear_bundle, read_profile(linear_bundle), tmp_path)

    deploy_plan = plan(linear_bundle, "cloud-x86", convert="linear-text")
    assert deploy_plan.conversion == "linear-text"
    manifest = render(deploy_plan, tmp_path / "out")
    assert manifest["conversion"]["format"] == "linear-text"
    assert (tmp_path / "out" / "model" / "model.linear-text").is_file()


def test_a_plugin_model_format_is_picked_up(plugin, tmp_path):
    X = np.arange(12.0).reshape(6, 2)
    model = plugin.ConstantRegressor().fit(X, np.arange(6.0))
    save_bundle(model, tmp_path / "m", X=X, y=np.arange(6.0), task="regression")

    profile = read_profile(tmp_path / "m")
    assert profile["kind"] == "constant" and profile["model_file"] == "model.json"
    assert not (tmp_path / "m" / "model.skops").exists()
    assert format_of(tmp_path / "m").name == "constant-json"
    assert load_model(tmp_path / "m").value == 2.5
    requirements = (tmp_path / "m" / "requirements.txt").read_text().split()
    assert any(r.startswith("packaging==") for r in requirements)
    # the checks name the plug-in's kind with its label
    found = violations(profile, get_target("cloud-x86"), KnowledgeBase(), requirements=[],
                       conversion="onnx", python=None)
    assert "conversion: --convert onnx is for scikit-learn models, this is constant " \
           "(allowed: none)" in found


def test_unknown_names_and_folders_say_what_is_registered(tmp_path):
    with pytest.raises(StratumError, match=r"no converter 'zip' is registered "
                                           r"\(registered: onnx, tflite"):
        CONVERTERS.get("zip")
    with pytest.raises(StratumError, match="holds no model in a known format"):
        load_model(tmp_path)


def test_a_conversion_of_the_wrong_kind_names_the_alternatives(linear_bundle, tmp_path):
    profile = {**read_profile(linear_bundle), "kind": "keras"}
    with pytest.raises(DeployError, match=r"ONNX conversion is for scikit-learn models; this "
                                          r"is a keras model \(use --convert tflite\)"):
        convert("onnx", linear_bundle, profile, tmp_path)
    assert json.loads((linear_bundle / "profile.json").read_text())["kind"] == "sklearn"
