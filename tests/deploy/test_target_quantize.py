"""A default quantization per hardware target (issue 24's leftover): catalog data
(``quantize`` in targets.yaml: none for the servers, float16 for the arm64 board and the
Jetson), used when ``--quantize`` is not given where the model's conversion
offers it and said in the deploy log, refused conversions saying how to keep float32; an
explicit ``--quantize`` wins."""

from __future__ import annotations

import json

import pytest

from stratum_jupyter.cli import main
from stratum_jupyter.deploy.checks import target_quantize
from stratum_jupyter.deploy.render import plan
from stratum_jupyter.deploy.targets import Target, _parse, get_target, on_nodes
from stratum_jupyter.errors import DeployError, StratumError
from tests.deploy.test_quantize import onnx_bundle  # noqa: F401 (a fixture, shared)

APPLIED = "quantize dynamic: the target's default; --quantize none to keep float32"


@pytest.fixture
def onnx_board():
    """A plugin's board whose runtime wants ONNX models quantized dynamically."""
    return Target(name="onnx-board", arch="amd64", memory_mb=4096, runtime="process",
                  constrained=True, conversion="onnx", quantize="dynamic")


def test_the_catalog_carries_a_default_quantization_per_target():
    found = {name: get_target(name).quantize
             for name in ("local", "cloud-x86", "gpu-cuda", "edge-arm64", "jetson")}
    assert found == {"local": "none", "cloud-x86": "none", "gpu-cuda": "none",
                     "edge-arm64": "float16", "jetson": "float16"}
    assert get_target("kubernetes").quantize == "none"  # its nodes' (cloud-x86)
    assert on_nodes(get_target("kubernetes"), "jetson").quantize == "float16"
    assert get_target("edge-arm64").summary()["quantize"] == "float16"  # stratum targets
    with pytest.raises(StratumError, match=r"target #0 is invalid: quantize: Input should be "
                                           r"'none', 'float16', 'int8' or 'dynamic'"):
        _parse([{"name": "board", "arch": "arm64", "memory_mb": 512, "quantize": "int4"}],
               "entry point 'board'")


def test_which_quantization_a_deploy_gets():
    arm = get_target("edge-arm64")
    assert target_quantize(arm, "keras", "auto", None) == (
        "float16", "quantize float16: the target's default; --quantize none to keep float32")
    assert target_quantize(arm, "keras", "auto", "none") == ("none", "")  # the flag wins
    assert target_quantize(arm, "keras", "auto", "int8") == ("int8", "")
    assert target_quantize(arm, "sklearn", "auto", None) == (
        "none", "quantize none: the target's default float16 does not apply to this sklearn "
                "model's onnx conversion, which stays float32")
    assert target_quantize(arm, "keras", "none", None) == ("none", "")  # nothing converted
    assert target_quantize(get_target("cloud-x86"), "keras", "auto", None) == ("none", "")


def test_the_default_applies_and_an_explicit_flag_wins(onnx_bundle, onnx_board):  # noqa: F811
    bundle, labelled, _ = onnx_bundle
    loose = "agreement=0.5,max_error=0.5"
    made = plan(bundle, onnx_board, sample=labelled, tolerance=loose)
    assert made.quantize == "dynamic" and made.notes == [APPLIED]
    assert made.conversion == "onnx" and made.converted is not None
    assert made.converted.report["quantize"] == "dynamic"
    kept = plan(bundle, onnx_board, sample=labelled, quantize="none")
    assert kept.quantize == "none" and kept.notes == []
    with pytest.raises(DeployError) as info:
        plan(bundle, onnx_board, sample=labelled, tolerance="max_error=0")
    assert ("quantize: dynamic was onnx-board's default; --quantize none keeps the "
            "conversion float32") in str(info.value)


def test_the_deploy_log_says_why_the_default_does_not_apply(iris_bundle, tmp_path, capsys):
    code = main(["deploy", str(iris_bundle), "--target", "edge-arm64", "--out",
                 str(tmp_path / "d"), "--check"])
    said = capsys.readouterr()
    assert code == 0, said.err
    assert ("quantize none: the target's default float16 does not apply to this sklearn "
            "model's onnx conversion, which stays float32") in said.out + said.err
    report = json.loads((tmp_path / "d" / "model" / "conversion.json").read_text())
    assert report["format"] == "onnx" and report.get("quantize", "none") == "none"
