"""Bundles of models made elsewhere through a local deployment's lifecycle: a scikit-learn
model saved with save_model, replaced by an ONNX model's bundle, status (what the monitor
reads), rollback to the first, stop."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from stratum_jupyter import save_model
from stratum_jupyter.cli import main
from stratum_jupyter.deploy import deploy, lifecycle
from tests.bundle.onnx_models import mlp_onnx
from tests.servicetools import post_json

pytestmark = pytest.mark.slow


def test_deploy_replace_status_rollback_and_stop(tmp_path, free_port):
    X, y = load_iris(return_X_y=True, as_frame=True)
    X = X.astype(np.float32)
    stump = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y)
    mlp, onx = mlp_onnx(X.to_numpy(), y.to_numpy())
    first_answer, second_answer = stump.predict(X).tolist(), mlp.predict(X.to_numpy()).tolist()
    assert first_answer != second_answer
    rows = {"rows": X.to_dict(orient="records")}
    out = tmp_path / "dep"
    first = deploy(save_model(stump, tmp_path / "stump", X=X), "local", out, port=free_port,
                   apply=True, on_event=print)
    try:
        status, body = post_json(first.url, rows)
        assert status == 200 and body["predictions"] == first_answer
        deploy(save_model(onx, tmp_path / "mlp", X=X), "local", out, port=free_port,
               apply=True, on_event=print)
        status, body = post_json(first.url, rows)
        assert status == 200 and body["predictions"] == second_answer
        found = lifecycle.status(out)
        assert found["health"] == "ok" and found["requests"]["/predict"]["200"] >= 1
        lifecycle.rollback(out, on_event=print)
        assert post_json(first.url, rows)[1]["predictions"] == first_answer
    finally:
        assert main(["stop", str(out)]) == 0
    assert lifecycle.status(out)["health"] == "stopped"
