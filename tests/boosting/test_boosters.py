"""The gradient-boosting blocks: in the catalog with their parameters as data, checked like
scikit-learn's; evaluated from a spec, they score what the libraries' own estimators score
under ``cross_validate`` on the same folds; early stopping looks at an inner split of the
training rows only; category columns are the libraries' categorical features."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate, train_test_split

from stratum_jupyter import evaluate
from stratum_jupyter.boosting import boosters
from stratum_jupyter.catalog import get_catalog
from stratum_jupyter.errors import SpecError
from stratum_jupyter.spec import validate_spec

from .conftest import LIBRARIES, REGRESSORS, library_estimator


def _spec(task: str, step: dict) -> dict:
    return {"version": 1, "task": task, "preprocessing": "none",
            "candidates": [{"name": "boost", "steps": [step]}]}


def test_the_catalog_lists_the_blocks_with_their_library():
    catalog = get_catalog()
    for name, library in [("XGBClassifier", "xgboost"), ("LGBMRegressor", "lightgbm"),
                          ("CatBoostClassifier", "catboost")]:
        block = catalog.get(name)
        assert block.library == library
        assert block.module == "stratum_jupyter.boosting.boosters"
        assert block.param("early_stopping_rounds") is not None
        assert all(p.doc for p in block.params), name  # each parameter said in words
    depth = catalog.get("CatBoostRegressor").param("depth")
    assert depth.ranges == ({"type": "int", "min": 1, "max": 16, "closed": "both"},)
    assert catalog.get("XGBClassifier").param("tree_method").choices == ("approx", "exact",
                                                                          "hist")


def test_the_catalog_imports_none_of_the_libraries():
    """They are imported where a block is fitted (a Dask task), not where a spec names it."""
    import subprocess
    import sys

    script = ("import sys\nfrom stratum_jupyter.catalog import get_catalog\n"
              "get_catalog().get('XGBClassifier').check_param('max_depth', 3)\n"
              "print(sorted({'xgboost', 'lightgbm', 'catboost'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.parametrize(("step", "words"), [
    ({"XGBClassifier": {"max_depth": -2}}, ["XGBClassifier.max_depth", "[0, inf)"]),
    ({"CatBoostClassifier": {"depth": 20}}, ["CatBoostClassifier.depth", "[1, 16]"]),
    ({"XGBClassifier": {"tree_method": "gpu"}}, ["tree_method", "'hist'"]),
    ({"LGBMClassifier": {"num_leafs": 3}}, ["num_leafs", "did you mean 'num_leaves'"]),
])
def test_a_wrong_value_names_the_field_and_what_is_allowed(step, words):
    with pytest.raises(SpecError) as caught:
        validate_spec(_spec("classification", step))
    for word in words:
        assert word in str(caught.value)


def _same_folds_score(table, blocks, task, y, metrics, folds):
    """Each block evaluated from a spec scores (within ``metrics[name]``) what the library's
    own estimator scores under cross_validate on the same folds."""
    X = table[0].drop(columns="colour")
    for name, (reference, params) in blocks.items():
        result = evaluate(_spec(task, {name: params}), X, y, cv=folds, metrics=list(metrics),
                          display="none")
        assert result.failures == []
        theirs = cross_validate(library_estimator(reference, params), X,
                                y if task == "regression" else (y == "yes").astype(int),
                                cv=folds, scoring=list(metrics))
        for metric, tolerance in metrics.items():
            ours = result.leaderboard[metric][0]
            expected = theirs[f"test_{metric}"].mean()
            assert ours == pytest.approx(expected, abs=tolerance), (name, metric)


def test_classifiers_score_as_the_libraries_own(here, table):
    # XGBoost's probabilities are float32: the log loss of a run and of cross_validate
    # rounds them apart in the 8th digit; the ranking (roc_auc) is equal to 1e-9.
    _same_folds_score(table, LIBRARIES, "classification", table[1],
                      {"roc_auc": 1e-9, "accuracy": 1e-9, "neg_log_loss": 1e-7},
                      StratifiedKFold(3, shuffle=True, random_state=0))


def test_regressors_score_as_the_libraries_own(here, table):
    _same_folds_score(table, REGRESSORS, "regression", table[2], {"r2": 1e-9},
                      KFold(3, shuffle=True, random_state=0))


@pytest.mark.parametrize("name", list(LIBRARIES))
def test_early_stopping_looks_at_an_inner_split_of_the_training_rows(table, name):
    """The block holds out ``validation_fraction`` of the rows it is fitted on (stratified,
    seeded), stops there, and is the library's estimator fitted so by hand."""
    X, y = table[0].drop(columns="colour"), (table[1] == "yes").astype(int)
    reference, params = LIBRARIES[name]
    params = {**params, "n_estimators" if "iterations" not in params else "iterations": 200}
    seed = params.get("random_state", params.get("random_seed"))
    ours = getattr(boosters, name)(**params, early_stopping_rounds=3,
                                   validation_fraction=0.25).fit(X, y)
    X_fit, X_val, y_fit, y_val = train_test_split(X, y, test_size=0.25, random_state=seed,
                                                  stratify=y)
    if name.startswith("XGB"):
        theirs = library_estimator(reference, {**params, "early_stopping_rounds": 3})
        theirs.fit(X_fit, y_fit, eval_set=[(X_val, y_val)], verbose=False)
    elif name.startswith("LGBM"):
        import lightgbm

        theirs = library_estimator(reference, params)
        given = {"eval_X": (X_val,), "eval_y": (y_val,)} if "eval_X" in inspect.signature(
            theirs.fit).parameters else {"eval_set": [(X_val, y_val)]}  # LightGBM 4.7+
        theirs.fit(X_fit, y_fit, **given, callbacks=[lightgbm.early_stopping(3, verbose=False)])
    else:
        theirs = library_estimator(reference, params)
        theirs.fit(X_fit, y_fit, eval_set=(X_val, y_val), early_stopping_rounds=3)
    assert ours.best_iteration_ is not None and ours.best_iteration_ < 150
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-12)


@pytest.mark.parametrize("name", list(LIBRARIES))
def test_category_columns_are_the_libraries_categorical_features(table, name):
    X, y = table[0], table[1]
    params = LIBRARIES[name][1]
    block = getattr(boosters, name)(**params).fit(X, y)
    model = block.model_
    if name.startswith("XGB"):
        assert model.get_booster().feature_types[-1] == "c"
    elif name.startswith("LGBM"):
        assert model.booster_.pandas_categorical == [["blue", "green", "red"]]
    else:
        assert model.get_cat_feature_indices() == [6]
    assert set(block.predict(X)) <= {"yes", "no"}


def test_the_builders_palette_offers_them_with_their_forms():
    from stratum_jupyter.widgets.palette import catalog_payload

    blocks = {b["name"]: b for b in catalog_payload("regression")["blocks"]}
    for name in REGRESSORS:
        assert blocks[name]["kind"] == "regressor"
    params = {p["name"]: p for p in blocks["LGBMRegressor"]["params"]}
    assert params["num_leaves"]["allowed"] == "an int in [2, 131072]"
    assert params["early_stopping_rounds"]["default"] is None


def test_generated_code_imports_the_block_and_is_ruff_clean(tmp_path):
    from stratum_jupyter.codegen import script_source
    from stratum_jupyter.spec import load_spec
    from tests.codegen.test_python import ruff

    spec = load_spec({**_spec("classification", {"LGBMClassifier": {"n_estimators": 5}}),
                      "data": {"source": "sklearn:breast_cancer"}})
    source = script_source(spec)
    assert "from stratum_jupyter.boosting.boosters import LGBMClassifier" in source
    path = tmp_path / "run.py"
    path.write_text(source)
    result = ruff(path, tmp_path)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("name", list(LIBRARIES))
def test_a_spec_sends_columns_read_as_categories_to_the_block(here, tmp_path, name):
    """``data.roles: {colour: categorical}`` under ``preprocessing: none``: the block gets
    the column as a category and learns the rule that hangs on it."""
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=200),
                          "colour": rng.choice(["red", "green", "blue"], 200)})
    frame["label"] = np.where((frame.colour == "red") ^ (frame.x > 1), "yes", "no")
    frame.to_csv(tmp_path / "colours.csv", index=False)
    params = {**LIBRARIES[name][1], **({"min_child_samples": 5} if "LGBM" in name else {})}
    spec = {**_spec("classification", {name: params}),
            "data": {"source": f"csv:{tmp_path / 'colours.csv'}", "target": "label",
                     "roles": {"colour": "categorical"}}}
    result = evaluate(spec, cv=StratifiedKFold(3, shuffle=True, random_state=0),
                      metrics=["accuracy"], display="none")
    assert result.failures == []
    assert result.leaderboard["accuracy"][0] > 0.95
    block = result.best.model.steps[-1][1]
    assert block.category_columns_ == ["colour"]


@pytest.mark.slow
def test_the_generated_script_runs_and_saves_a_bundle(table, tmp_path):
    """The script a spec with the three blocks generates is ordinary code that runs (its
    own cluster) and saves the best model, which load_model reads back."""
    import subprocess
    import sys

    from stratum_jupyter import load_model
    from stratum_jupyter.codegen import script_source
    from stratum_jupyter.spec import load_spec

    X, y = table[0].drop(columns="colour"), table[1]
    X.assign(label=y).to_csv(tmp_path / "table.csv", index=False)
    steps = {name: params for name, (_, params) in LIBRARIES.items()}
    spec = load_spec({"version": 1, "task": "classification",
                      "data": {"source": f"csv:{tmp_path / 'table.csv'}", "target": "label"},
                      "evaluation": {"cv": 3},
                      "candidates": [{"name": name.lower(), "steps": [{name: params}]}
                                     for name, params in steps.items()]})
    (tmp_path / "run.py").write_text(script_source(spec, str(tmp_path / "out")))
    done = subprocess.run([sys.executable, "run.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    model = load_model(tmp_path / "out" / "best")
    assert set(model.predict(X.head(20))) <= {"yes", "no"}


@pytest.mark.parametrize("name", [*LIBRARIES, *REGRESSORS])
def test_gaps_reach_the_library_which_learns_where_they_go(table, name):
    from sklearn.utils import get_tags

    X = table[0].drop(columns="colour").copy()
    X.iloc[::7, 0] = np.nan
    y = table[1] if name in LIBRARIES else table[2]
    block = getattr(boosters, name)(**{**LIBRARIES, **REGRESSORS}[name][1])
    assert get_tags(block).input_tags.allow_nan
    predictions = block.fit(X, y).predict(X)
    assert len(predictions) == len(X)
    if name in REGRESSORS:
        assert np.isfinite(predictions).all()
