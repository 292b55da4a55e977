"""The block catalog: built from scikit-learn's introspection, serialisable, extensible."""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

from stratum_jupyter.catalog import ENTRY_POINT_GROUP, get_catalog
from stratum_jupyter.catalog.cache import block_from_dict


def test_kinds_and_roles():
    catalog = get_catalog()
    assert catalog.get("LogisticRegression").kind == "classifier"
    assert catalog.get("Ridge").kind == "regressor"
    assert catalog.get("StandardScaler").kind == "transformer"
    kmeans = catalog.get("KMeans")
    assert kmeans.kind == "clusterer" and "transformer" in kmeans.roles
    assert len([b for b in catalog if b.kind == "classifier"]) > 20


def test_meta_estimators_and_deprecated_classes_are_left_out():
    names = set(get_catalog().names())
    assert not {"Pipeline", "GridSearchCV", "ColumnTransformer", "SelectFromModel"} & names


def test_parameters_come_from_the_estimators_constraints():
    block = get_catalog().get("LogisticRegression")
    c = block.param("C")
    assert c.types == ("float",) and c.default == 1.0
    assert c.ranges[0]["min"] == 0 and c.ranges[0]["closed"] == "right"
    assert "regularization" in c.doc.lower()
    solver = block.param("solver")
    assert "lbfgs" in solver.choices and solver.types == ("choice",)
    depth = get_catalog().get("RandomForestClassifier").param("max_depth")
    assert set(depth.types) == {"int", "none"}
    assert depth.describe() == "an int in [1, inf) or None"


def test_check_param_uses_scikit_learns_messages():
    block = get_catalog().get("LogisticRegression")
    assert block.check_param("C", 1.0) is None
    assert "must be a float in the range (0.0, inf]" in block.check_param("C", -1)


def test_close_matches():
    assert get_catalog().close_matches("RandomForrestClassifier")[0] == "RandomForestClassifier"
    assert get_catalog().close_matches("standardscaler")[0] == "StandardScaler"


def test_for_task_filters_final_estimators():
    names = {b.name for b in get_catalog().for_task("regression")}
    assert "Ridge" in names and "StandardScaler" in names
    assert "LogisticRegression" not in names


def test_catalog_is_json_serialisable_and_cache_round_trips():
    data = get_catalog().to_dict("classification")
    text = json.dumps(data)
    blocks = json.loads(text)["blocks"]
    assert {"name", "kind", "roles", "module", "doc", "params"} <= set(blocks[0])
    for raw in blocks:
        assert block_from_dict(raw).to_dict() == raw


def test_public_modules_import_the_blocks():
    import importlib

    for name in ("LogisticRegression", "StandardScaler", "KMeans", "HistGradientBoostingRegressor"):
        block = get_catalog().get(name)
        assert "._" not in block.module
        assert getattr(importlib.import_module(block.module), name) is block.load()


def test_entry_point_plugins_add_blocks(tmp_path, monkeypatch):
    """A third-party distribution registers an estimator under stratum_jupyter.blocks."""
    pkg = tmp_path / "stratum_test_plugin.py"
    pkg.write_text(textwrap.dedent("""
        from sklearn.base import BaseEstimator, ClassifierMixin
        import numpy as np

        class MajorityClassifier(ClassifierMixin, BaseEstimator):
            '''Predicts the most frequent class.'''
            _parameter_constraints = {"smoothing": [float]}

            def __init__(self, smoothing=0.0):
                self.smoothing = smoothing

            def fit(self, X, y):
                values, counts = np.unique(y, return_counts=True)
                self.classes_ = values
                self.majority_ = values[counts.argmax()]
                return self

            def predict(self, X):
                return np.full(len(X), self.majority_)
    """))
    dist = tmp_path / "stratum_test_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: stratum-test-plugin\n"
                                   "Version: 0.1\n")
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nmajority = stratum_test_plugin:MajorityClassifier\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    get_catalog.cache_clear()
    try:
        block = get_catalog().get("MajorityClassifier")
        assert block.kind == "classifier" and block.param("smoothing").default == 0.0
        from stratum_jupyter.spec import load_spec

        spec = load_spec({"version": 1, "task": "classification", "candidates": [
            {"name": "m", "steps": [{"MajorityClassifier": {"smoothing": [0.0, 1.0]}}]}]})
        assert spec.candidates[0].grid_size() == 2
    finally:
        sys.modules.pop("stratum_test_plugin", None)
        get_catalog.cache_clear()


def test_sklearn_data_sources_load():
    from stratum_jupyter.catalog import load_data

    X, y = load_data("sklearn:iris")
    assert X.shape == (150, 4) and y.name == "target"
    with pytest.raises(ValueError):
        load_data("sklearn:nope")
