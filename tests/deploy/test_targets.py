import sys
import textwrap

import pytest

from stratum_jupyter.deploy import targets as tg
from stratum_jupyter.errors import DeployError, StratumError

REQUIRED = {"local", "cloud-x86", "gpu-cuda", "edge-arm64", "jetson"}


def test_builtin_targets_have_every_property():
    found = {t.name: t for t in tg.list_targets()}
    assert REQUIRED <= set(found)
    for t in found.values():
        assert t.arch in {"amd64", "arm64"} and t.memory_mb > 0 and t.os
        assert t.runtime == "process" or t.base_image
    assert found["gpu-cuda"].gpu and found["jetson"].gpu and not found["edge-arm64"].gpu
    assert found["edge-arm64"].platform == "linux/arm64"
    assert found["local"].runtime == "process" and not found["local"].containerised


def test_unknown_target_suggests_close_names():
    with pytest.raises(DeployError, match="did you mean 'edge-arm64'"):
        tg.get_target("edge-arm")


@pytest.mark.parametrize("name", ["x; rm -rf /", "Cloud", "a\nb", "../etc", "{{ x }}"])
def test_hostile_target_names_are_not_targets(name):
    with pytest.raises(DeployError, match="unknown target"):
        tg.get_target(name)
    with pytest.raises(ValueError):
        tg.Target(name=name, arch="amd64", memory_mb=1)


@pytest.mark.parametrize("image", ["python:3.11\nRUN id", "py thon", "x:$(id)", "X/UPPER",
                                   'a"b', "a:b:c", ""])
def test_bad_base_images_are_refused(image):
    with pytest.raises(DeployError, match="base_image"):
        tg.check_image(image)
    with pytest.raises(ValueError):
        tg.Target(name="t", arch="amd64", memory_mb=1, base_image=image)


@pytest.mark.parametrize("image", ["python:3.11.11-slim-bookworm",
                                   "nvcr.io/nvidia/l4t-jetpack:r36.2.0", "localhost:5000/a/b_c:1",
                                   "stratum-test/bookworm-python:1", "debian@sha256:" + "a" * 64])
def test_good_base_images(image):
    assert tg.check_image(image) == image


def test_entry_point_plugin_adds_and_overrides_targets(tmp_path, monkeypatch):
    """A real distribution on sys.path with an entry point in stratum_jupyter.targets."""
    (tmp_path / "myboards.py").write_text(textwrap.dedent("""
        def targets():
            return [
                {"name": "coral-dev", "arch": "arm64", "memory_mb": 1024, "os": "Mendel",
                 "base_image": "debian:12", "python": "3.11", "constrained": True,
                 "conversion": "onnx"},
                {"name": "cloud-x86", "arch": "amd64", "memory_mb": 65536, "os": "big VM",
                 "base_image": "python:3.11-slim", "python": "3.11"},
            ]
    """))
    dist = tmp_path / "myboards-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: myboards\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[stratum_jupyter.targets]\nboards = myboards:targets\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    tg.reload_targets()
    try:
        names = {t.name: t for t in tg.list_targets()}
        assert names["coral-dev"].constrained and names["coral-dev"].memory_mb == 1024
        assert names["cloud-x86"].memory_mb == 65536  # the plugin refines a built-in
    finally:
        monkeypatch.undo()
        sys.modules.pop("myboards", None)
        tg.reload_targets()
    assert "coral-dev" not in {t.name for t in tg.list_targets()}


def test_invalid_plugin_target_is_reported_with_its_origin(tmp_path, monkeypatch):
    (tmp_path / "badboards.py").write_text(
        "TARGETS = [{'name': 'ok-name', 'arch': 'riscv', 'memory_mb': 0}]\n")
    dist = tmp_path / "badboards-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: badboards\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[stratum_jupyter.targets]\nbad = badboards:TARGETS\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    tg.reload_targets()
    try:
        with pytest.raises(StratumError, match=r"entry point 'bad'.*arch.*memory_mb"):
            tg.list_targets()
    finally:
        monkeypatch.undo()
        sys.modules.pop("badboards", None)
        tg.reload_targets()
