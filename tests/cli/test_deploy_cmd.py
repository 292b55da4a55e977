"""stratum deploy / targets / kb: exit codes and output."""

from __future__ import annotations

import json

import pytest

from stratum_jupyter.cli import main


@pytest.fixture
def model_dir(tmp_path, monkeypatch):
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge

    from stratum_jupyter.bundle import save_bundle

    monkeypatch.setenv("STRATUM_KB", str(tmp_path / "kb.sqlite"))
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    return save_bundle(Ridge().fit(X, y), tmp_path / "best", X=X, y=y, task="regression")


def test_targets(capsys):
    assert main(["targets"]) == 0
    assert "edge-arm64" in capsys.readouterr().out
    assert main(["targets", "--json"]) == 0
    assert {t["name"] for t in json.loads(capsys.readouterr().out)} >= {"local", "jetson"}


def test_deploy_check_and_json(model_dir, tmp_path, capsys):
    assert main(["deploy", str(model_dir), "--target", "cloud-x86", "--out",
                 str(tmp_path / "b"), "--check", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["target"] == "cloud-x86" and data["manifest"]["image"].startswith("stratum/")


def test_deploy_bad_input_exits_2_with_every_violation(model_dir, tmp_path, capsys):
    code = main(["deploy", str(model_dir), "--target", "cloud-x86", "--out", str(tmp_path / "b"),
                 "--port", "0", "--bind", "nowhere"])
    err = capsys.readouterr().err
    assert code == 2 and "port: 0" in err and "bind: 'nowhere'" in err


def test_kb_set_show_remove_makes_a_deploy_refuse_then_pass(model_dir, tmp_path, capsys):
    out = str(tmp_path / "e")
    assert main(["kb", "set", "wheels", "package=scikit-learn", "arch=arm64", "available=no",
                 "note=pinned board image"]) == 0
    assert main(["kb", "show", "wheels", "package=scikit-learn", "--json"]) == 0
    capsys.readouterr()
    assert main(["deploy", str(model_dir), "--target", "edge-arm64", "--out", out,
                 "--convert", "none"]) == 2
    assert "scikit-learn has no wheel for arm64" in capsys.readouterr().err
    assert main(["kb", "remove", "wheels", "package=scikit-learn", "arch=arm64"]) == 0
    assert main(["deploy", str(model_dir), "--target", "edge-arm64", "--out", out,
                 "--convert", "none"]) == 0


def test_kb_bad_input(capsys):
    assert main(["kb", "show", "nope"]) == 1
    assert "unknown table 'nope'" in capsys.readouterr().err
    assert main(["kb", "set", "wheels", "package"]) == 2
