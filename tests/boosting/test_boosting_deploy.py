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
from tests.servicetools import post_json, predict_without_stratum

from .conftest import LIBRARIES, REGRESSORS

pytestmark = pytest.mark.slow
DISTRIBUTION = {"XGB": "xgboost-cpu", "LGBM": "lightgbm", "Cat": "catboost"}


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
        status, body = post_json(served.url, {"rows": rows.to_dict(orient="records")})
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


@pytest.mark.parametrize("name", list(LIBRARIES))
def test_the_bundle_service_loads_it_without_stratum_jupyter(table, tmp_path, name):
    """In an image only service/ is there: the copy of boosting/boosters.py beside it stands
    for the module the skops file names, and the libraries' types are trusted by name."""
    from stratum_jupyter.deploy.render import plan, render

    X, y = table[0], table[1]
    _, bundle = _bundle(name, X, y, tmp_path)
    out = tmp_path / "rendered"
    render(plan(bundle, "local"), out)
    assert (out / "service" / "boosters.py").is_file()
    rows = X.head(10).astype(object).to_dict(orient="records")
    answers = predict_without_stratum(out, rows)
    assert answers == load_model(bundle).predict(X.head(10)).tolist()


@pytest.mark.parametrize("name", list(LIBRARIES))
def test_an_arm64_plan_knows_the_librarys_wheel(table, tmp_path, name):
    """Shipped as is to an arm64 target, the image installs the library: the knowledge base
    knows its aarch64 wheel (no 'assumed to exist' warning); converted, it needs none."""
    from stratum_jupyter.deploy.render import plan

    X, y = table[0].drop(columns="colour"), table[1]
    _, bundle = _bundle(name, X, y, tmp_path)
    shipped = plan(bundle, "edge-arm64", convert="none")
    library = next(d for prefix, d in DISTRIBUTION.items() if name.startswith(prefix))
    assert any(r.startswith(library) for r in shipped.requirements)
    assert shipped.warnings == []
    assert plan(bundle, "edge-arm64").conversion == "onnx"
