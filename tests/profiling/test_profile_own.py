"""``stratum profile`` on a bundle of a model made elsewhere: an ONNX model (exported by
skl2onnx in the test) with a table sample, served by today's service as a local process."""

import json

import numpy as np
import pytest
from sklearn.datasets import load_iris

from stratum_jupyter import save_model
from stratum_jupyter.cli import main
from tests.bundle.onnx_models import mlp_onnx

pytestmark = pytest.mark.slow


def test_an_onnx_bundle_is_profiled_by_the_local_runner(tmp_path, capsys):
    X, y = load_iris(return_X_y=True, as_frame=True)
    X = X.astype(np.float32)
    _, onx = mlp_onnx(X.to_numpy(), y.to_numpy())
    bundle = save_model(onx, tmp_path / "m", X=X)
    code = main(["profile", str(bundle), "--out", str(tmp_path / "profile"), "--runner",
                 "local", "--cpus", "1", "--memory", "1g", "--concurrency", "2",
                 "--duration", "1", "--requests", "200"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "p99_ms" in captured.out
    summary = json.loads((bundle / "profile.json").read_text())["resource_profile"]
    assert summary
    import pandas as pd

    results = pd.read_csv(tmp_path / "profile" / "results.csv")
    assert results["status"].tolist() == ["ok"] and results["errors"].tolist() == [0]
    assert results["requests"].tolist() == [200] and results["p99_ms"].iloc[0] > 0


def test_an_image_bundle_is_profiled_with_its_sample_instances(tmp_path, capsys):
    from tests.bundle.onnx_models import softmax_net
    from tests.serving.bundles import digits, png, softmax_regression

    folder = tmp_path / "pngs"
    folder.mkdir()
    for i, image in enumerate(digits()[0][:4]):
        (folder / f"{i}.png").write_bytes(png(image))
    net = softmax_net(*softmax_regression(), input_shape=[None, 8, 8, 1], name="image")
    bundle = save_model(net, tmp_path / "digits", X=folder, classes=list(range(10)),
                        image={"scale": 1 / 255})
    assert json.loads((bundle / "profile.json").read_text())["sample_rows"] == []
    code = main(["profile", str(bundle), "--out", str(tmp_path / "profile"), "--runner",
                 "local", "--cpus", "1", "--memory", "1g", "--concurrency", "2",
                 "--batch-size", "3", "--duration", "1", "--requests", "50"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    import pandas as pd

    results = pd.read_csv(tmp_path / "profile" / "results.csv")
    assert results["status"].tolist() == ["ok"] and results["errors"].tolist() == [0]
    assert results["requests"].tolist() == [50] and results["rows_per_s"].iloc[0] > 0
