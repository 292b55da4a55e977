"""%stratum_deploy and %stratum_targets through IPython's own shell."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

# `ip`: IPython's own test shell, shared by every test (tests/conftest.py).


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    from stratum_jupyter.bundle import save_bundle

    X, y = load_iris(return_X_y=True, as_frame=True)
    return save_bundle(DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y),
                       tmp_path_factory.mktemp("m") / "best", X=X, y=y, task="classification")


def test_targets_magic(ip):
    frame = ip.run_line_magic("stratum_targets", "")
    assert {"local", "cloud-x86", "gpu-cuda", "edge-arm64", "jetson"} <= set(frame.index)
    assert set(frame.columns) >= {"arch", "accelerator", "memory_mb", "os", "base_image",
                                  "python", "runtime"}
    assert ip.run_line_magic("stratum_targets", "--json")[0]["name"] == "local"


def test_deploy_magic_renders_and_binds_the_result(ip, model_dir, tmp_path, capsys):
    out = tmp_path / "edge bundle"
    result = ip.run_line_magic(
        "stratum_deploy", f"{model_dir} --target edge-arm64 --out '{out}' --check --port 9001")
    assert ip.user_ns["_stratum_deploy"] is result
    assert (out / "model" / "model.onnx").is_file() and (out / "Dockerfile").is_file()
    assert "rendered edge-arm64 bundle" in capsys.readouterr().out


def test_deploy_magic_errors_are_usage_errors(ip, model_dir, tmp_path):
    with pytest.raises(UsageError, match="did you mean 'jetson'"):
        ip.run_line_magic("stratum_deploy", f"{model_dir} --target jetsn --out {tmp_path}/x")
    with pytest.raises(UsageError, match="cannot be combined"):
        ip.run_line_magic("stratum_deploy",
                          f"{model_dir} --target local --out {tmp_path}/y --check --apply")
    with pytest.raises(UsageError, match="not a model bundle"):
        ip.run_line_magic("stratum_deploy", f"{tmp_path} --target local --out {tmp_path}/z")


def test_deploy_magic_help(ip, capsys):
    ip.run_line_magic("stratum_deploy", "--help")
    text = capsys.readouterr().out
    assert "--target" in text and "--base-image" in text and "--apply" in text


def test_monitor_flag_without_a_running_service(ip, model_dir, tmp_path, capsys):
    ip.run_line_magic("stratum_deploy",
                      f"{model_dir} --target local --out {tmp_path}/m --check --monitor")
    assert "nothing is running yet" in capsys.readouterr().out


def test_result_html_escapes(ip, model_dir, tmp_path):
    out = tmp_path / "<b>x</b>"
    result = ip.run_line_magic("stratum_deploy",
                               f"{model_dir} --target cloud-x86 --out '{out}' --check")
    html = result._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x" not in html
