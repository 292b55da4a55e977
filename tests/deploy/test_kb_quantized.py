"""The knowledge base's rows for quantized runtimes (issue 24's leftover): TFLite float16 and
int8 (tflite-runtime) and ONNX Runtime's dynamic quantization (onnxruntime) per
architecture, with the Pythons their wheels exist for, what the quantization does there and
a source; a deploy refuses a quantized runtime that a target cannot install."""

from __future__ import annotations

import pytest

from stratum_jupyter.deploy.checks import quantized_runtime_problems
from stratum_jupyter.deploy.kb import KnowledgeBase, set_row
from stratum_jupyter.deploy.quantize import FORMAT_QUANTIZATIONS
from stratum_jupyter.deploy.render import plan
from stratum_jupyter.deploy.targets import get_target, list_targets
from stratum_jupyter.errors import DeployError
from tests.deploy.test_quantize import onnx_bundle  # noqa: F401 (a fixture, shared)

PACKAGES = {"tflite": "tflite-runtime", "onnx": "onnxruntime"}


def test_every_quantization_has_a_sourced_row_per_architecture():
    kb = KnowledgeBase()
    for fmt, offered in FORMAT_QUANTIZATIONS.items():
        pin = next(p for p in kb.pins(fmt) if p.startswith(PACKAGES[fmt] + "=="))
        for quantize in offered[1:]:
            for arch in ("amd64", "arm64"):
                row = kb.quantized(fmt, quantize, arch)
                assert row is not None, (fmt, quantize, arch)
                assert row["available"] == 1 and row["note"]
                assert row["source"].startswith("https://")
                # the runtime the deploy bundle pins is the one the row speaks of
                assert f"{row['package']}=={row['version']}" == pin
                assert all(p.startswith("3.") for p in row["python"].split(","))
    assert "3.12" not in kb.quantized("tflite", "int8", "arm64")["python"]  # none: 3.11 last


def test_each_targets_default_quantization_runs_there():
    kb = KnowledgeBase()
    for target in list_targets():
        if target.quantize == "none":
            continue
        fmt = "onnx" if target.quantize == "dynamic" else "tflite"
        row = kb.quantized(fmt, target.quantize, target.arch)
        assert row is not None and target.python in row["python"].split(","), target.name
        assert quantized_runtime_problems(kb, target, fmt, target.quantize,
                                          target.python) == []


def test_a_runtime_the_target_cannot_install_is_refused(user_kb):
    arm, cloud = get_target("edge-arm64"), get_target("cloud-x86")
    kb = KnowledgeBase()
    assert quantized_runtime_problems(kb, arm, "tflite", "int8", "3.12") == [
        "quantize: tflite-runtime 2.14.0, which runs tflite int8 models, has wheels for arm64 "
        "for Python 3.9, 3.10, 3.11 only, and target 'edge-arm64' runs Python 3.12 "
        "(--base-image with one of those Pythons)"]
    assert quantized_runtime_problems(kb, arm, "tflite", "int8", None) == []  # a process
    assert quantized_runtime_problems(kb, arm, "tflite", "none", "3.12") == []
    set_row("quantized", {"format": "onnx", "quantize": "dynamic", "arch": "amd64",
                          "package": "onnxruntime", "version": "1.20.1", "available": "no",
                          "note": "our hosts' CPUs lack the instructions"})
    assert quantized_runtime_problems(KnowledgeBase(), cloud, "onnx", "dynamic", "3.11") == [
        "quantize: onnx dynamic has no runtime for amd64 on target 'cloud-x86' (our hosts' "
        "CPUs lack the instructions)"]


def test_a_deploy_checks_the_quantized_runtime(onnx_bundle, user_kb):  # noqa: F811
    bundle, labelled, _ = onnx_bundle
    set_row("quantized", {"format": "onnx", "quantize": "dynamic", "arch": "amd64",
                          "package": "onnxruntime", "version": "1.20.1", "python": "3.13",
                          "available": "yes"})
    with pytest.raises(DeployError) as info:
        plan(bundle, "cloud-x86", quantize="dynamic", sample=labelled)
    assert ("has wheels for amd64 for Python 3.13 only, and target 'cloud-x86' runs "
            "Python 3.11") in str(info.value)
