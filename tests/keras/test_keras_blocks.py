"""Keras blocks: named in specs without TensorFlow, fitted as scikit-learn estimators, saved
as model.keras in a bundle and loaded back."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pytest

from stratum_jupyter.catalog import get_catalog
from stratum_jupyter.errors import SpecError
from stratum_jupyter.spec import load_spec
from tests.marks import needs_tensorflow


def _spec(params):
    return {"version": 1, "task": "classification", "candidates": [
        {"name": "net", "steps": ["StandardScaler", {"KerasClassifier": params}]}]}


def test_keras_blocks_are_in_the_catalog_through_the_entry_point():
    clf, reg = get_catalog().get("KerasClassifier"), get_catalog().get("KerasRegressor")
    assert clf.kind == "classifier" and reg.kind == "regressor"
    assert clf.module == "stratum_jupyter.keras"
    layers = clf.param("layers")
    assert layers.types == ("array",) and layers.default == [{"units": 64, "activation": "relu"}]
    # ... without importing TensorFlow or Keras: asked in a fresh process, as other tests in
    # this one may have imported them.
    code = ("import sys; from stratum_jupyter.catalog import get_catalog; "
            "get_catalog().get('KerasClassifier').param('layers'); "
            "print(sorted({'tensorflow', 'keras'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_layers_list_is_one_value_and_a_list_of_lists_is_an_axis():
    one = load_spec(_spec({"layers": [{"units": 16}, {"units": 8, "dropout": 0.2}],
                           "epochs": [5, 10]})).candidates[0].steps[1]
    assert one.grid_axes() == {"epochs": [5, 10]}
    assert one.fixed_params()["layers"] == [{"units": 16}, {"units": 8, "dropout": 0.2}]
    grid = load_spec(_spec({"layers": [[{"units": 16}], [{"units": 32}, {"units": 8}]]}))
    assert grid.candidates[0].grid_size() == 2


@pytest.mark.parametrize("layers, fragment", [
    ([{"units": 0}], "units must be an int >= 1"),
    ([{"units": 8, "activation": "softmaxx"}], "activation must be one of"),
    ([{"units": 8, "dropout": 1.5}], "dropout must be a float in [0, 1)"),
    ([{"units": 8, "kernel": "x"}], "unknown layer key"),
    ([[{"units": 8}], [{"units": -1}]], "units must be an int >= 1"),
])
def test_bad_layers_name_the_field(layers, fragment):
    with pytest.raises(SpecError) as info:
        load_spec(_spec({"layers": layers}))
    issue = info.value.issues[0]
    assert issue.field == "candidates[0].steps[1].KerasClassifier.layers"
    assert fragment in str(issue)


requires_tf = needs_tensorflow


@pytest.mark.slow
@requires_tf
def test_classifier_fits_pickles_and_round_trips_through_a_bundle(tmp_path):
    from sklearn.datasets import load_iris
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from stratum_jupyter.bundle import load_model, read_profile, save_bundle
    from stratum_jupyter.keras import KerasClassifier

    X, y = load_iris(return_X_y=True, as_frame=True)
    model = make_pipeline(StandardScaler(), KerasClassifier(
        layers=[{"units": 16}, {"units": 8, "dropout": 0.1}], epochs=40, random_state=0))
    model.fit(X, y)
    assert model.score(X, y) > 0.8
    proba = model.predict_proba(X)
    assert proba.shape == (150, 3) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    again = pickle.loads(pickle.dumps(model))  # how Dask moves fitted models
    assert np.array_equal(again.predict(X), model.predict(X))
    save_bundle(model, tmp_path, X=X, y=y, task="classification")
    assert (tmp_path / "model.keras").is_file() and (tmp_path / "model.skops").is_file()
    assert read_profile(tmp_path)["kind"] == "keras"
    assert any(r.startswith(("tensorflow", "keras")) for r in
               (tmp_path / "requirements.txt").read_text().split())
    loaded = load_model(tmp_path)
    assert np.array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.slow
@requires_tf
def test_regressor_learns_and_invalid_params_raise():
    from sklearn.datasets import load_diabetes
    from sklearn.preprocessing import StandardScaler

    from stratum_jupyter.keras import KerasRegressor

    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    reg = KerasRegressor(layers=[{"units": 32}], learning_rate=0.05, epochs=60,
                         random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.3 and reg.predict(X).shape == (len(X),)
    with pytest.raises(ValueError, match="layers"):
        KerasRegressor(layers=[{"units": 0}]).fit(X, y)
