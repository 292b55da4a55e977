"""The skops trust rule (serving/trust.py) of load_model and of the prediction service: what
scikit-learn's own estimators store is trusted, arbitrary callables are not (field case 15:
HistGradientBoosting with pandas categories keeps ``partial(check_array, ...)``)."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import skops.io

from stratum_jupyter.bundle import load_model, save_bundle
from stratum_jupyter.bundle.formats import load_skops
from stratum_jupyter.errors import StratumError
from stratum_jupyter.serving import trust
from tests.bundle.penguins import FIRST_ROW, auto_pipeline, penguins


def _hgb_on_categories():
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = penguins(complete=True, categories=True)
    model = HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=15,
                                           random_state=0)
    return model.fit(X, y), X, y


def _function_transformer(func):
    from sklearn.preprocessing import FunctionTransformer

    return skops.io.dumps(FunctionTransformer(func=func))


def test_hist_gradient_boosting_on_categories_is_trusted_and_loads(tmp_path):
    """Case 15: saved, loaded back by load_model, predicting what the fitted model does."""
    model, X, y = _hgb_on_categories()
    untrusted, refused = trust.audit(skops.io.dumps(model))
    assert {"functools.partial", "sklearn.utils.validation.check_array",
            "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"} <= set(untrusted)
    assert refused == []
    bundle = save_bundle(model, tmp_path / "best", X=X, y=y, task="classification")
    loaded = load_model(bundle)
    assert loaded.predict(X.iloc[[0]]).tolist() == ["Adelie"]
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_column_selectors_and_fitted_preprocessing_are_trusted():
    X, y = penguins()
    data = skops.io.dumps(auto_pipeline().fit(X, y))
    untrusted, refused = trust.audit(data)
    assert "sklearn.compose._column_transformer.make_column_selector" in untrusted
    assert refused == []


def test_grid_search_of_categorical_boosting_is_trusted():
    """Another estimator storing the same kinds: a search holding HGB on categories."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.model_selection import GridSearchCV

    X, _ = penguins(complete=True, categories=True)
    y = X.pop("body_mass_g")
    search = GridSearchCV(HistGradientBoostingRegressor(max_iter=5), {"max_depth": [2, 3]},
                          cv=2).fit(X, y)
    assert trust.audit(skops.io.dumps(search))[1] == []


@pytest.mark.parametrize("func,refused", [
    (np.log1p, []),
    (np.sum, []),
    (dict, []),  # a builtins class
    (functools.partial(np.clip, a_min=0), []),
    (functools.partial(functools.partial(np.round), decimals=1), []),
    (len, ["builtins.len"]),  # builtins functions are not data
    (eval, ["builtins.eval"]),
    (getattr, ["builtins.getattr"]),
    (functools.partial(eval), ["builtins.eval", "functools.partial"]),
    (functools.partial(functools.partial(exec), "x"), ["builtins.exec", "functools.partial"]),
])
def test_callables_are_trusted_only_from_scientific_packages(func, refused):
    assert trust.audit(_function_transformer(func))[1] == refused


def test_a_partial_of_an_untrusted_function_stays_refused_even_beside_a_trusted_one(tmp_path):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    pipe = make_pipeline(FunctionTransformer(func=functools.partial(np.clip, a_min=0)),
                         FunctionTransformer(func=functools.partial(eval)))
    path = tmp_path / "model.skops"
    skops.io.dump(pipe, path)
    assert trust.audit(path)[1] == ["builtins.eval", "functools.partial"]
    with pytest.raises(StratumError, match="not trusted: builtins.eval, functools.partial"):
        load_skops(path)
    # the caller may still trust them by name
    assert load_skops(path, ["builtins.eval", "functools.partial"]) is not None


def test_the_service_uses_the_same_rule_without_stratum_jupyter_types():
    data = _function_transformer(functools.partial(np.clip, a_min=0))
    assert trust.audit(data) == trust.audit(data, roots=("stratum_jupyter",))
    assert "stratum_jupyter" not in trust.TRUSTED_ROOTS


def test_the_shipped_service_serves_a_model_on_categories(tmp_path):
    """Case 15's deploy: the bundle's own service loads the model and predicts a row."""
    from stratum_jupyter.deploy.render import plan, render
    from tests.servicetools import call, serving

    model, X, y = _hgb_on_categories()
    bundle = save_bundle(model, tmp_path / "best", X=X, y=y, task="classification")
    out = tmp_path / "deploy"
    render(plan(bundle, "local"), out)
    assert (out / "service" / "trust.py").is_file()
    with serving(out) as port:
        status, body = call(port, "POST", "/predict", {"rows": [FIRST_ROW]})
    assert status == 200 and body["predictions"] == ["Adelie"]


def test_our_date_transformer_is_trusted_by_its_exact_name_only():
    """DatetimeFeatures (dates to parts) loads; the package is not trusted as a whole, so a
    function of stratum_jupyter in a file stays refused."""
    import pandas as pd

    from stratum_jupyter.catalog import roles
    from stratum_jupyter.catalog.dates import DatetimeFeatures

    X = pd.DataFrame({"d": pd.to_datetime(["2024-01-01", None, "2024-02-03"])})
    data = skops.io.dumps(DatetimeFeatures().fit(X))
    untrusted, refused = trust.audit(data)
    assert untrusted == ["stratum_jupyter.catalog.dates.DatetimeFeatures"] and refused == []
    loaded = skops.io.loads(data, trusted=untrusted)
    np.testing.assert_array_equal(loaded.transform(X), DatetimeFeatures().fit_transform(X))
    assert trust.audit(_function_transformer(roles.apply_roles))[1] == [
        "stratum_jupyter.catalog.roles.apply_roles"]
