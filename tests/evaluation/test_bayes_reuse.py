"""search: bayes tells a trial the scores of a finished one without fitting where their
HistGradientBoosting models are the same (they differ only in max_iter, and the finished
one stopped early on every fold at no more iterations): the scores equal fresh fits."""

from __future__ import annotations

import pytest
from sklearn.datasets import make_regression
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.model_selection import KFold, cross_val_score

from stratum_jupyter import evaluate


def _fold_tasks(stream) -> list[dict]:
    return [t for t in stream.data if "-score-" in str(t["key"])
            and any(s["action"] == "compute" for s in t["startstops"])]


@pytest.mark.parametrize("sizes, reused", [
    ([40, 300], True),  # every fold stops after 13-20 iterations: one trial's models
    ([3, 4], False),  # none stops (n_iter_no_change=3 needs more): both fitted
])
def test_a_trial_with_the_models_of_a_finished_one_is_told_its_scores(client, sizes,
                                                                      reused):
    from distributed import get_task_stream

    X, y = make_regression(300, 5, noise=30, random_state=0)
    folds = KFold(3, shuffle=True, random_state=0)
    hgb = HistGradientBoostingRegressor(early_stopping=True, n_iter_no_change=3,
                                        learning_rate=0.5, random_state=0)
    with get_task_stream(client) as stream:
        # Two worker threads: both trials are asked at once, the second waits on the first.
        result = evaluate({"hgb": (hgb, {"max_iter": sizes})}, X, y, cv=folds,
                          metrics=["r2"], search="bayes", n_trials=2, random_state=0,
                          display="none", refit=False, client=client)
    board = result.leaderboard
    assert sorted(board["params"].map(lambda p: p["max_iter"])) == sizes
    assert (board["state"] == "complete").all()
    copied = board[board["notes"].str.startswith("not fitted: its models are those of "
                                                 "trial")]
    assert len(copied) == (1 if reused else 0)
    assert len(_fold_tasks(stream)) == (3 if reused else 6)  # no fold task for the copy
    for res in result.results:  # every score as a fresh fit of its max_iter gives
        fresh = cross_val_score(hgb.set_params(max_iter=res.config.params["max_iter"]),
                                X, y, cv=folds, scoring="r2")
        assert [res.folds[f].scores["r2"] for f in range(3)] == list(fresh)
    if reused:
        row = copied.iloc[0]
        assert row["fit_time"] == 0.0 and "stopped early on every fold" in row["notes"]
