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


def test_deploy_without_out_names_the_folder_after_the_model(model_dir, tmp_path, capsys, ip,
                                                             monkeypatch):
    from stratum_jupyter.bundle import save_bundle
    from stratum_jupyter.commands.deploy import default_out

    monkeypatch.chdir(tmp_path)
    assert main(["deploy", str(model_dir), "--target", "cloud-x86", "--check"]) == 0
    out = capsys.readouterr().out
    assert "no --out given: the deploy bundle goes to deploy/best" not in out  # not "best"
    assert f"deploy bundle goes to deploy/{tmp_path.name}" in out
    assert (tmp_path / "deploy" / tmp_path.name / "Dockerfile").is_file()
    # A candidate's name from the profile; --name first; the magic takes the same default.
    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    X, y = load_iris(return_X_y=True, as_frame=True)
    forest = save_bundle(DecisionTreeClassifier(max_depth=2).fit(X, y), tmp_path / "runs/best",
                         X=X, y=y, task="classification", candidate="my tree")
    assert default_out(str(forest)) == "deploy/my-tree"
    assert default_out(str(forest), "svc") == "deploy/svc"
    ip.run_line_magic("stratum_deploy", f"{forest} --target cloud-x86 --check")
    assert "deploy bundle goes to deploy/my-tree" in capsys.readouterr().out
    assert (tmp_path / "deploy" / "my-tree" / "Dockerfile").is_file()


def test_status_and_stop_read_as_short_lines():
    from stratum_jupyter.commands.deployment import status_text, stop_text

    found = {"deploy_dir": "deploy/iris", "target": "local", "model": "forest",
             "url": "http://127.0.0.1:8080", "health": "ok", "uptime_s": 754.2,
             "requests": {"/predict": {"200": 7, "422": 1}, "/health": {"200": 2}},
             "deployed_at": "2026-12-06T23:00:00Z"}
    assert status_text(found).splitlines() == [
        "deploy/iris: ok, up 13 min; model forest on local at http://127.0.0.1:8080",
        "requests: /health 200: 2; /predict 200: 7, 422: 1 (deployed at 2026-12-06T23:00:00Z)"]
    stopped = {**found, "health": "stopped", "requests": {}, "stopped_at": "2026-12-07T00:00Z"}
    assert status_text(stopped).splitlines()[1:] == [
        "requests: none yet (deployed at 2026-12-06T23:00:00Z)", "stopped at 2026-12-07T00:00Z"]
    assert stop_text(found, "deploy/iris") == ("stopped deploy/iris (local); "
                                               "http://127.0.0.1:8080 is free")
