"""``stratum bundle`` and ``%stratum_bundle``: a bundle from a model file (or a kernel's
variables), its summary; bad input exits 2 naming the option."""

from __future__ import annotations

import json

import numpy as np
import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output
from sklearn.datasets import load_iris

from stratum_jupyter.cli import main
from tests.bundle.onnx_models import mlp_onnx


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    X, y = load_iris(return_X_y=True)
    X = X.astype(np.float32)
    folder = tmp_path_factory.mktemp("files")
    mlp, onx = mlp_onnx(X, y)
    (folder / "mlp.onnx").write_bytes(onx.SerializeToString())
    np.save(folder / "x.npy", X)
    np.save(folder / "wide.npy", np.ones((3, 6), dtype=np.float32))
    return folder, mlp, X


def test_an_onnx_file_and_a_tensor_sample_make_a_bundle(files, tmp_path, capsys):
    folder, mlp, X = files
    code = main(["bundle", str(folder / "mlp.onnx"), "--out", str(tmp_path / "b"),
                 "--sample", str(folder / "x.npy")])
    out = capsys.readouterr().out
    assert code == 0
    assert f"bundle {tmp_path / 'b'}: onnx model (model.onnx" in out
    assert "input tensor: X [None, 4] float32" in out and "classes: [0, 1, 2]" in out
    assert json.loads((tmp_path / "b" / "profile.json").read_text())["kind"] == "onnx"


@pytest.mark.parametrize(("words", "message"), [
    (["nowhere.pkl", "--sample", "x.npy"], "MODEL_FILE: 'nowhere.pkl' does not exist"),
    (["mlp.onnx"], "--sample: a sample of the model's inputs is needed"),
    (["mlp.onnx", "--sample", "wide.npy"], "--sample gives 'X' the shape "
                                           "[None, 6], but the model declares 'X' as [None, 4]"),
    (["mlp.onnx", "--sample", "x.npy", "--image", "colour=red"], "--image: 'colour=red' is "
                                                                 "not a setting"),
])
def test_bad_input_exits_2_naming_the_option(files, tmp_path, capsys, monkeypatch, words,
                                             message):
    monkeypatch.chdir(files[0])
    code = main(["bundle", *words, "--out", str(tmp_path / "b")])
    assert code == 2
    assert message in capsys.readouterr().err


def test_the_magic_takes_a_model_and_a_sample_from_the_kernel(ip, tmp_path):
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True, as_frame=True)
    ip.user_ns["fitted"] = LogisticRegression(max_iter=500).fit(X, y)
    ip.user_ns["sample"] = X
    ip.user_ns["unfitted"] = LogisticRegression()
    with capture_output():
        made = ip.run_line_magic("stratum_bundle", f"fitted --out {tmp_path / 'b'} "
                                                   "--sample sample")
    assert made.path == tmp_path / "b" and made.profile["input_schema"]["kind"] == "dataframe"
    assert "sklearn model (model.skops" in repr(made)
    with pytest.raises(UsageError, match="model: this LogisticRegression is not fitted"):
        ip.run_line_magic("stratum_bundle", f"unfitted --out {tmp_path / 'c'} --sample sample")
