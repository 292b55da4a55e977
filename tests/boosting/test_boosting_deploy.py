"""The gradient-boosting blocks through the lifecycle: a bundle (requirements pin the
library) that ``load_model`` reads back trusting exactly the libraries' types, the local
prediction service answering what the loaded model predicts (category columns included),
and edge deploy's ONNX conversion verified against the model, or refused naming the block
(category columns: the converters take numbers only)."""

from __future__ import annotations

import json
import socket

import numpy as np
import pytest

from stratum_jupyter import load_model
from stratum_jupyter.boosting import boosters
from stratum_jupyter.bundle import save_bundle
from stratum_jupyter.deploy import deploy
from stratum_jupyter.deploy.run import stop
from stratum_jupyter.errors import DeployError
from tests.deploy.test_apply_local import post

from .conftest import LIBRARIES, REGRESSORS

pytestmark = pytest.mark.slow
DISTRIBUTION = {"XGB": "xgboost", "LGBM": "lightgbm", "Cat": "catboost"}


@pytest.fixture
def port() -> int:
    """A free port of 18150-18159 (this suite's range for the gradient-boosting services)."""
    for candidate in range(18150, 18160):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return candidate
    pytest.fail("no free port in 18150-18159")


def _bundle(name, X, y, tmp_path):
    block = getattr(boosters, name)(**LIBRARIES[name][1]).fit(X, y)
    return block, save_bundle(block, tmp_path / name, X=X, y=y, task="classification",
                              candidate=name.lower())


@pytest.mark.parametrize("name", list(LIBRARIES))
def test_saved_loaded_and_served_locally(table, tmp_path, port, name):
    X, y = table[0], table[1]
    block, bundle = _bundle(name, X, y, tmp_path)
    requirements = (bundle / "requirements.txt").read_text()
    library = next(d for prefix, d in DISTRIBUTION.items() if name.startswith(prefix))
    assert any(line.startswith(library) and "==" in line for line in requirements.split())
    loaded = load_model(bundle)
    np.testing.assert_array_equal(loaded.predict(X), block.predict(X))
    np.testing.assert_allclose(loaded.predict_proba(X), block.predict_proba(X), atol=0)
    out = tmp_path / "dep"
    served = deploy(bundle, "local", out, port=port, apply=True)
    try:
        rows = X.head(30)
        status, body = post(served.url, {"rows": rows.to_dict(orient="records")})
        assert status == 200, body
        assert body["predictions"] == loaded.predict(rows).tolist()
    finally:
        assert stop(out)


@pytest.mark.parametrize("name", [*LIBRARIES, *REGRESSORS])
def test_edge_conversion_of_a_pipeline_is_verified(table, tmp_path, name):
    """A scaler then the block: converted (onnxmltools for XGBoost and LightGBM, CatBoost's
    own export for CatBoost), the ONNX answers checked against the model by the deploy
    step, on the class labels the block was given ('yes'/'no')."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = table[0].drop(columns="colour")
    y = table[1] if name in LIBRARIES else table[2]
    params = {**LIBRARIES, **REGRESSORS}[name][1]
    model = make_pipeline(StandardScaler(), getattr(boosters, name)(**params)).fit(X, y)
    bundle = save_bundle(model, tmp_path / name, X=X, y=y, candidate=name.lower(),
                         task="classification" if name in LIBRARIES else "regression")
    out = tmp_path / "edge"
    deploy(bundle, "local", out, convert="onnx", check=True, on_event=lambda _: None)
    report = json.loads(next(out.rglob("conversion.json")).read_text())
    assert report["verified_rows"] > 0
    assert list(out.rglob("model.onnx"))


@pytest.mark.parametrize("name", ["XGBClassifier", "LGBMClassifier"])
def test_a_category_column_is_not_converted_and_the_step_is_named(table, tmp_path, name):
    _, bundle = _bundle(name, table[0], table[1], tmp_path)
    with pytest.raises(DeployError) as caught:
        deploy(bundle, "local", tmp_path / "edge", convert="onnx", check=True,
               on_event=lambda _: None)
    assert f"conversion: {name} is not converted to ONNX: its category columns (colour)" \
        in str(caught.value)
