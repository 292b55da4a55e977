"""The peers of the product's searches in benchmarks/bench_search.py, run as a user of each
would run them on a 2-core machine, and the diamonds case they share.

- ``GridSearchCV(n_jobs=2)`` and ``HalvingGridSearchCV(n_jobs=2, factor=3)``: joblib's loky
  processes, each fit with its share of the cores (joblib sets its OpenMP/BLAS threads).
- Optuna TPE: the trials one after the other (``study.optimize`` with its default
  ``n_jobs=1``), each cross-validated with ``cross_val_score(n_jobs=2)``, as Optuna's FAQ
  advises for CPU-bound fits: thread-parallel trials (``optimize(n_jobs=2)``) gain nothing on
  CPU-bound fits (optuna #2862) and here took 387 s instead of about 80 s, two threads each
  running HistGradientBoosting with an OpenMP thread per core (four busy threads on two
  cores, and the GIL between them).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import public_data  # noqa: E402  (beside this script)

WORKERS = 2


@dataclass
class Case:
    X: Any
    y: Any
    estimator: Any
    grid: dict[str, list[Any]]
    folds: Any
    n_trials: int



def grid_case(quick: bool) -> Case:
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.model_selection import KFold

    X, y = public_data.diamonds()
    rows = X.sample(n=4000 if quick else 20000, random_state=0).index
    grid: dict[str, list[Any]] = (
        {"learning_rate": [0.1, 0.3], "max_leaf_nodes": [15, 31], "max_iter": [50]} if quick
        else {"learning_rate": [0.05, 0.1, 0.2], "max_leaf_nodes": [15, 31, 63],
              "min_samples_leaf": [10, 40], "l2_regularization": [0.0, 1.0],
              "max_iter": [100, 200]})
    return Case(X.loc[rows].reset_index(drop=True), y.loc[rows].reset_index(drop=True),
                HistGradientBoostingRegressor(random_state=0), grid,
                KFold(5, shuffle=True, random_state=0), 4 if quick else 40)


def sk_grid(case: Case, client: Any) -> tuple[dict[str, Any], float | None]:
    from sklearn.model_selection import GridSearchCV

    search = GridSearchCV(case.estimator, case.grid, cv=case.folds, n_jobs=WORKERS,
                          scoring="r2").fit(case.X, case.y)
    return search.best_params_, float(search.best_score_)


def sk_halving(case: Case, client: Any) -> tuple[dict[str, Any], float | None]:
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV

    search = HalvingGridSearchCV(case.estimator, case.grid, cv=case.folds, n_jobs=WORKERS,
                                 scoring="r2", factor=3, random_state=0).fit(case.X, case.y)
    return search.best_params_, None


def optuna_tpe(case: Case, client: Any) -> tuple[dict[str, Any], float | None]:
    import optuna
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial: Any) -> float:
        params = {k: trial.suggest_categorical(k, v) for k, v in case.grid.items()}
        model = clone(case.estimator).set_params(**params)
        return float(cross_val_score(model, case.X, case.y, cv=case.folds, scoring="r2",
                                     n_jobs=WORKERS).mean())

    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=0))
    study.optimize(objective, n_trials=case.n_trials)  # trials in turn: see the docstring
    clone(case.estimator).set_params(**study.best_params).fit(case.X, case.y)  # the refit
    return dict(study.best_params), None


def rescore(case: Case, params: dict[str, Any]) -> float:
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    model = clone(case.estimator).set_params(**params)
    return float(cross_val_score(model, case.X, case.y, cv=case.folds, scoring="r2",
                                 n_jobs=WORKERS).mean())


def warm_up(client: Any, loky: bool = True) -> None:
    """The pools started before the clock (loky's processes, the Dask workers' imports):
    a notebook pays that once per kernel."""
    from sklearn.datasets import make_regression
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV

    X, y = make_regression(n_samples=200, random_state=0)
    if loky:
        GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=3, n_jobs=WORKERS).fit(X, y)
    if client is not None:
        from stratum_jupyter import evaluate

        evaluate({"warm": (Ridge(), {"alpha": [0.1, 1.0]})}, X, y, client=client, cv=3,
                 display="none")
