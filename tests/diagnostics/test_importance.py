"""Permutation importance of the best configuration on the table's own columns, per fold on
the cluster: equal to scikit-learn's permutation_importance of the same pipeline on the
same folds with the same seeds, to 1e-9."""

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression

from stratum_jupyter import evaluate
from stratum_jupyter.diagnostics.importance import fold_seed

from .conftest import folds_of

PENGUINS = Path(__file__).parents[1] / "data" / "penguins.csv"


def penguins_spec(**evaluation):
    return {"version": 1, "task": "classification",
            "data": {"source": f"csv:{PENGUINS}", "target": "species"},
            "evaluation": {"cv": 3, "metrics": ["accuracy"], "random_state": 7,
                           **evaluation},
            "candidates": [{"name": "logreg", "steps": [
                {"LogisticRegression": {"C": [0.1, 1.0], "max_iter": 2000}}]}]}


def expected(result, folds, n_repeats):
    """scikit-learn's permutation_importance on each fold, tidy as the diagnostics'."""
    rows = []
    for f, (train, test) in enumerate(folds):
        model = clone(result.best.model).fit(result.X.iloc[train], result.y.iloc[train])
        found = permutation_importance(model, result.X.iloc[test], result.y.iloc[test],
                                       scoring="accuracy", n_repeats=n_repeats,
                                       random_state=fold_seed(7, f))
        for column, values in zip(result.X.columns, found.importances, strict=True):
            rows += [{"column": column, "fold": f, "repeat": r, "importance": v}
                     for r, v in enumerate(values)]
    return pd.DataFrame(rows)


def check(result, n_repeats):
    d = result.diagnostics
    got = d.importance()
    want = expected(result, folds_of(d.kept[d.best]), n_repeats)
    assert list(got["column"].unique()) == list(result.X.columns)  # the raw columns
    pd.testing.assert_frame_equal(got[["column", "fold", "repeat"]],
                                  want[["column", "fold", "repeat"]])
    np.testing.assert_allclose(got["importance"], want["importance"], rtol=0, atol=1e-9)
    summary = d.importance_summary()
    assert summary["mean"].is_monotonic_decreasing
    assert {"island", "sex", "bill_length_mm"} <= set(summary["column"])
    assert not summary["column"].str.contains("__").any()  # no encoded column names
    return summary


@pytest.mark.slow
def test_importance_on_the_cluster(client):
    result = evaluate(penguins_spec(diagnostics={"n_repeats": 3, "importance": True}),
                      client=client,
                      display="none")
    assert result.timing["in_process_tasks"] == 0
    summary = check(result, 3)
    # The bills tell the species apart; the year does not.
    top = summary.set_index("column")["mean"]
    assert top["bill_length_mm"] > top["year"]
    # The importance tasks are released with the rest: nothing stays on the cluster.
    deadline = time.monotonic() + 10
    while _stratum_keys(client) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _stratum_keys(client) == []


def _stratum_keys(client):
    return client.run_on_scheduler(lambda dask_scheduler: [
        k for k in dask_scheduler.tasks if str(k).startswith("stratum-")])


def test_importance_here_and_none(in_process, capsys):
    check(evaluate(penguins_spec(diagnostics={"importance": True}), display="none"), 5)
    # auto: 7 columns x 5 repeats of predictions cost far more than these quick fits.
    auto = evaluate(penguins_spec(), display="text").diagnostics
    assert auto.importance().empty and auto.kept
    # (the other note, if any, is about SHAP: installed or not)
    (note,) = [n for n in auto.notes if n.startswith("permutation importance")]
    assert note.startswith("permutation importance left out: about ") and \
        "7 columns x 5 repeats on 3 folds" in note and "importance: true" in note
    assert f"stratum: diagnostics: {note}" in capsys.readouterr().out  # said in the log
    off = evaluate(penguins_spec(diagnostics={"importance": False}), display="none")
    assert off.diagnostics.importance().empty and off.diagnostics.kept
    assert evaluate(penguins_spec(diagnostics=False), display="none").diagnostics is None


@pytest.mark.parametrize("keep", [1, 2])
def test_keeps_only_the_best(in_process, keep):
    spec = penguins_spec(diagnostics={"keep": keep, "importance": False})
    spec["candidates"][0]["steps"][0]["LogisticRegression"]["C"] = [0.01, 0.1, 1.0, 10.0]
    result = evaluate(spec, display="none")
    kept = [r for r in result.results if any(s.predictions is not None
                                             for s in r.folds.values())]
    assert len(kept) == keep
    assert list(result.diagnostics.kept)[0] == result.diagnostics.best
    ranked = result.diagnostics.fold_spread().drop_duplicates("config")["config"]
    assert list(result.diagnostics.kept) == list(ranked[:keep])
    with pytest.raises(KeyError, match="kept"):
        result.diagnostics.confusion_matrix(ranked.iloc[-1])


def test_an_ensemble_uses_every_response_before_only_the_best_keep_theirs(in_process):
    spec = penguins_spec(diagnostics={"keep": 1, "importance": False},
                         ensemble={"members": "top_configurations", "k": 2})
    spec["candidates"][0]["steps"][0]["LogisticRegression"]["C"] = [0.01, 0.1, 1.0]
    result = evaluate(spec, display="none")
    board = result.leaderboard
    ensemble = board[board["candidate"].str.startswith("ensemble")]
    assert len(ensemble) == 1 and ensemble["status"].iloc[0] == "ok"
    kept = [r.config.label for r in result.results
            if any(s.predictions is not None for s in r.folds.values())]
    assert kept == list(result.diagnostics.kept) == [result.diagnostics.best]


class NoProba(LogisticRegression):
    """predict_proba that raises (as some third-party estimators' do)."""

    def predict_proba(self, X):
        raise NotImplementedError("no probabilities here")


def test_a_model_without_responses_keeps_its_scores(in_process):
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    result = evaluate({"np": (NoProba(max_iter=500), {"C": [1.0]}),
                       "lr": (LogisticRegression(max_iter=500), {"C": [0.1]})}, X, y, cv=3,
                      display="none")
    assert list(result.leaderboard["status"]) == ["ok", "ok"] and not result.failures
    d = result.diagnostics
    assert d.best == "np C=1.0" and list(d.kept) == ["lr C=0.1"]
    assert "the out-of-fold predictions of np C=1.0 were not kept" in d.notes
    assert not d.confusion_matrix("lr C=0.1").empty
