"""Gradient boosting grown as warm-start chains (warmstart.py): HistGradientBoosting along
``max_iter``, GradientBoosting along ``n_estimators``; the scores equal fits from scratch
(cross_validate / GridSearchCV of each configuration on the same folds), HistGradientBoosting
with early stopping included (a model that stopped is reused as it is); GradientBoosting's
early stopping, which a grown model would not reproduce, is never chained."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris, make_classification
from sklearn.ensemble import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.metrics import get_scorer
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from threadpoolctl import threadpool_limits

from stratum_jupyter import evaluate
from stratum_jupyter.evaluation import batching, warmstart
from stratum_jupyter.evaluation.prepare import Options, prepare
from stratum_jupyter.evaluation.tasks import fit_score, split_fold


def _size(est):
    return warmstart.size_param(est)


def _data(name):
    if name != "categories":
        return (load_iris if name == "iris" else load_diabetes)(return_X_y=True)
    import pandas as pd  # a category column (native categories) and gaps

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400),
                      "c": pd.Categorical(rng.choice(list("pqrstu"), 400))})
    y = ((X["a"] + X["c"].isin(["p", "q"]) + rng.normal(size=400)) > 0.5).astype(int)
    X.loc[::9, "a"] = np.nan
    return X, y.to_numpy()


@pytest.mark.parametrize("model, data, metric", [
    (HistGradientBoostingClassifier(random_state=3, max_features=0.5, max_leaf_nodes=7),
     "iris", "accuracy"),
    (HistGradientBoostingRegressor(random_state=0, loss="absolute_error"), "diabetes", "r2"),
    (GradientBoostingClassifier(random_state=1, subsample=0.6, max_features=0.5,
                                max_depth=2), "iris", "neg_log_loss"),
    (GradientBoostingRegressor(random_state=2, loss="huber", subsample=0.7), "diabetes",
     "r2"),
    (HistGradientBoostingClassifier(random_state=0, categorical_features="from_dtype",
                                    class_weight="balanced", max_features=0.6),
     "categories", "roc_auc"),
])
def test_grown_boosting_equals_fits_from_scratch(model, data, metric):
    """Row subsampling and feature subsampling continue from the same random state: every
    grown model predicts what a model fitted from scratch with its size predicts."""
    X, y = _data(data)
    fold = split_fold(X, y, (np.arange(0, len(y), 2), np.arange(1, len(y), 2)))
    sizes = [clone(model).set_params(**{_size(model): n}) for n in (4, 9, 17)]
    scorers = {metric: get_scorer(metric)}
    with threadpool_limits(limits=1):  # as on a worker; small fits gain nothing from more
        chained = batching.run_chain(fold, [("m", "sklearn", est) for est in sizes],
                                     scorers, keep=True)
        alone_all = [fit_score(fold, "m", "sklearn", est, scorers, keep=True) for est in sizes]
    for alone, grown in zip(alone_all, chained, strict=True):
        assert grown.scores == alone.scores
        for method, value in alone.predictions.items():
            assert np.array_equal(grown.predictions[method], value)  # the same trees


def _compare(result, candidates, X, y, folds, metric):
    """Each configuration's leaderboard score against cross_validate of that configuration
    fitted from scratch, seeded as the evaluation seeds it (random_state=0); the number
    compared."""
    from sklearn.model_selection import ParameterGrid

    board = result.leaderboard.set_index(
        [result.leaderboard["candidate"], result.leaderboard["params"].map(repr)])
    compared = 0
    for name, (est, grid) in candidates.items():
        for params in ParameterGrid(grid):
            one = clone(est).set_params(random_state=0, **params)
            with threadpool_limits(limits=1):  # small fits: more threads only wait
                scratch = cross_validate(one, X, y, cv=folds, scoring=metric)["test_score"]
            assert abs(board.loc[(name, repr(params)), metric] - scratch.mean()) <= 1e-9
            compared += 1
    return compared


def test_boosted_classifiers_grown_here_score_as_fits_from_scratch(in_process):
    X, y = load_iris(return_X_y=True)
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    candidates = {  # random_state left unset: the evaluation seeds it (0)
        "hgb": (HistGradientBoostingClassifier(max_leaf_nodes=5, max_features=0.5),
                {"max_iter": [5, 12, 20], "learning_rate": [0.1, 0.3]}),
        "gb": (GradientBoostingClassifier(subsample=0.7, max_depth=2),
               {"n_estimators": [4, 8, 16]})}
    result = evaluate(candidates, X, y, cv=folds, metrics=["accuracy"], display="none",
                      random_state=0)
    assert result.timing["in_process_tasks"] == 9 * 3
    assert result.timing["chained_fits"] == (2 * 2 + 2) * 3  # grown, per fold
    assert "18 fit(s) grown from smaller ones by warm start" in repr(result)
    assert _compare(result, candidates, X, y, folds, "accuracy") == 9
    best = result.best  # refitted from scratch, as it is saved
    est, _ = candidates[best.candidate]
    fresh = clone(est).set_params(random_state=0, **best.params).fit(X, y)
    assert np.array_equal(best.model.predict_proba(X), fresh.predict_proba(X))


@pytest.mark.slow
def test_boosted_regressors_grown_on_the_cluster_score_as_fits_from_scratch(client):
    X, y = load_diabetes(return_X_y=True)
    folds = KFold(4, shuffle=True, random_state=0)
    candidates = {
        "hgb": (HistGradientBoostingRegressor(max_leaf_nodes=7, max_features=0.7),
                {"max_iter": [10, 25, 40]}),
        "gb": (GradientBoostingRegressor(subsample=0.8, max_features="sqrt"),
               {"n_estimators": [10, 30], "max_depth": [2, 3]})}
    result = evaluate(candidates, X, y, cv=folds, client=client, metrics=["r2"],
                      display="none", random_state=0)
    assert result.timing["chained_fits"] == (2 + 2 * 1) * 4
    assert _compare(result, candidates, X, y, folds, "r2") == 7


def _plan(candidates, rows, random_state=0):
    X, y = make_classification(rows, 4, random_state=0)
    return prepare(candidates, X, y, Options(cv=3, random_state=random_state))


def _chained(plan):
    return {plan.graph.configs[c].candidate for c in batching.chains(plan)}


def test_only_gradient_boostings_early_stopping_is_left_out_and_a_note_says_why():
    """HistGradientBoosting is chained with early stopping on or off ("auto": on above
    10,000 train rows, as 15,003 rows in 3 folds give); GradientBoosting's
    n_iter_no_change is not: its history of validation losses restarts on each fit."""
    sizes = {"max_iter": [5, 10]}
    candidates = {"auto": (HistGradientBoostingClassifier(), sizes),
                  "off": (HistGradientBoostingClassifier(early_stopping=False), sizes),
                  "on": (HistGradientBoostingClassifier(early_stopping=True), sizes),
                  "gb": (GradientBoostingClassifier(), {"n_estimators": [5, 10]}),
                  "gb_stops": (GradientBoostingClassifier(n_iter_no_change=3),
                               {"n_estimators": [5, 10]})}
    large = _plan(candidates, 15_003)
    assert _chained(large) == {"auto", "off", "on", "gb"}
    assert [n.split(":")[0] for n in warmstart.notes(large)] == ["gb_stops"]
    note = warmstart.chain_note(large, batching.chains(large))
    assert note.startswith("8 configurations of GradientBoostingClassifier, "
                           "HistGradientBoostingClassifier that differ only in max_iter or "
                           "n_estimators")
    assert _chained(_plan(candidates, 300, random_state=None)) == set()  # unseeded
    assert warmstart.notes(_plan({"off": candidates["off"]}, 300)) == []


def test_a_model_that_stopped_early_is_reused_or_refitted():
    """A HistGradientBoosting model that stopped early is every larger size's model (scored
    again, not fitted); a GradientBoosting one (never chained) would be fitted afresh."""
    X, y = make_classification(400, 6, flip_y=0.3, random_state=0)
    stopped = GradientBoostingClassifier(random_state=0, n_iter_no_change=2,
                                         learning_rate=0.9, n_estimators=200).fit(X, y)
    assert stopped.n_estimators_ < 200
    assert warmstart.grow(stopped, clone(stopped).set_params(n_estimators=300)) is None
    hist = HistGradientBoostingClassifier(early_stopping=True, max_iter=200, random_state=0,
                                          learning_rate=0.9).fit(X, y)
    assert hist.n_iter_ < 200
    reused = warmstart.grow(hist, clone(hist).set_params(max_iter=300))
    assert isinstance(reused, warmstart.Stopped) and reused.fit(X, y) is hist
    assert hist.max_iter == 300 and not hist.warm_start
    full = HistGradientBoostingClassifier(early_stopping=False, max_iter=5).fit(X, y)
    assert warmstart.grow(full, clone(full).set_params(max_iter=9)).max_iter == 9


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_early_stopping_grows_into_the_fit_from_scratch(seed):
    """With early stopping on (an int seed: the same train/validation split; the scores so
    far kept): grown or reused, every size's model is the fresh fit's, to the last bit
    (predictions, n_iter_, train and validation scores), for each loss, a scorer, the
    training loss (no validation part); both ways are taken."""
    from sklearn.datasets import make_regression

    Xc, yc = make_classification(500, 6, n_informative=4, n_classes=3, random_state=seed)
    Xr, yr = make_regression(500, 6, noise=30.0, random_state=seed)
    yb, ypos = (yc == 0).astype(int), np.exp(yr / yr.std())
    stops = {"early_stopping": True, "n_iter_no_change": 3, "learning_rate": 0.3,
             "max_features": 0.7, "random_state": seed}
    cases = [*[(HistGradientBoostingRegressor(loss=loss, quantile=0.3, **stops), Xr, y)
               for loss, y in (("squared_error", yr), ("absolute_error", yr),
                               ("quantile", yr), ("poisson", ypos), ("gamma", ypos))],
             (HistGradientBoostingRegressor(scoring="r2", validation_fraction=0.2, **stops),
              Xr, yr),
             (HistGradientBoostingRegressor(validation_fraction=None, **stops), Xr, yr),
             (HistGradientBoostingClassifier(**stops), Xc, yc),
             (HistGradientBoostingClassifier(scoring="accuracy", **stops), Xc, yb)]
    ways = set()
    with threadpool_limits(limits=1):
        for model, X, y in cases:
            ways |= _grow_with_stops(model, X, y)
    assert ways == {"grown", "reused"}


def _grow_with_stops(model, X, y):
    ways, grown = set(), None
    for n in (4, 8, 15, 30, 60):
        fresh = clone(model).set_params(max_iter=n).fit(X, y)
        if grown is None:
            grown = clone(fresh).fit(X, y)
        else:
            start = warmstart.grow(grown, fresh)
            ways.add("reused" if isinstance(start, warmstart.Stopped) else "grown")
            grown = start.fit(X, y)
        assert grown.n_iter_ == fresh.n_iter_, (model, n)
        assert np.array_equal(grown._raw_predict(X), fresh._raw_predict(X)), (model, n)
        assert np.array_equal(grown.validation_score_, fresh.validation_score_)
        assert np.array_equal(grown.train_score_, fresh.train_score_)
    return ways


def test_every_boosting_loss_grows_into_the_fit_from_scratch():
    """The docs' claim, loss by loss (binary, multiclass, regression; row and feature
    subsampling): the grown model predicts what the fresh one does, to the last bit."""
    from sklearn.datasets import make_regression

    Xc, yc = make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)
    Xr, yr = make_regression(300, 6, noise=5.0, random_state=0)
    yb, ypos = (yc == 0).astype(int), np.exp(yr / yr.std())
    cases = [*[(HistGradientBoostingRegressor(loss=loss, max_features=0.5,
                                              quantile=0.3 if loss == "quantile" else None),
                Xr, y)
               for loss, y in (("squared_error", yr), ("absolute_error", yr),
                               ("quantile", yr), ("poisson", ypos), ("gamma", ypos))],
             (HistGradientBoostingClassifier(max_features=0.5), Xc, yc),
             (HistGradientBoostingClassifier(), Xc, yb),
             *[(GradientBoostingRegressor(loss=loss, subsample=0.7, max_features=0.5), Xr, yr)
               for loss in ("squared_error", "absolute_error", "huber", "quantile")],
             (GradientBoostingClassifier(subsample=0.6, max_depth=2), Xc, yc),
             (GradientBoostingClassifier(loss="exponential", subsample=0.6), Xc, yb)]
    with threadpool_limits(limits=1):  # small fits: OpenMP threads only wait on each other
        for model, X, y in cases:
            _grow_and_compare(model.set_params(random_state=0), X, y)


def _grow_and_compare(model, X, y):
    size, grown = _size(model), None
    for n in (3, 7, 12):
        fresh = clone(model).set_params(**{size: n}).fit(X[:200], y[:200])
        if grown is None:
            grown = clone(fresh).fit(X[:200], y[:200])
        else:
            grown = warmstart.grow(grown, fresh).fit(X[:200], y[:200])
        method = "predict_proba" if hasattr(fresh, "predict_proba") else "predict"
        assert np.array_equal(getattr(grown, method)(X[200:]),
                              getattr(fresh, method)(X[200:])), (model, n)
