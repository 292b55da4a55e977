"""One metric failing on one fold is NaN there, says why, and discards nothing else: not the
other metrics, not the configuration. The mean over folds is then NaN (as GridSearchCV with
error_score=nan) and ranks last; the reason is in the log, the HTML, the text and to_dict."""

from __future__ import annotations

import math

import pytest

from stratum_jupyter.evaluation import display
from stratum_jupyter.evaluation.plan import Config
from stratum_jupyter.evaluation.results import ConfigResult, EvaluationResult
from stratum_jupyter.evaluation.tasks import FoldScore, StepRunner, fit_score, split_fold

REASON = "ValueError: Only one class present in y_true"


def test_score_each_isolates_a_failing_metric():
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import get_scorer

    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    model = LogisticRegression().fit(X, y)

    def broken(estimator, X, y):
        raise ValueError("<no luck>")

    scores, errors = StepRunner().score_each(
        model, {"accuracy": get_scorer("accuracy"), "broken": broken,
                "roc_auc": get_scorer("roc_auc")}, X[:2], y[:2])  # one class in the part
    assert scores["accuracy"] == 1.0
    assert math.isnan(scores["broken"]) and errors["broken"] == "ValueError: <no luck>"
    # scikit-learn gives NaN (and a warning) here: undefined, and the fold says why.
    assert math.isnan(scores["roc_auc"])
    assert errors["roc_auc"] == "undefined on this fold: its test part has one class (0)"
    assert set(errors) == {"broken", "roc_auc"}


def test_fit_score_keeps_the_configuration():
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import get_scorer

    X, y = np.arange(20.0).reshape(-1, 1), np.array([0, 1] * 10)
    fold = split_fold(X, y, (np.arange(10), np.arange(10, 20)))

    def broken(estimator, X, y):
        raise RuntimeError("scorer bug")

    out = fit_score(fold, "lr", "sklearn", LogisticRegression(),
                    {"accuracy": get_scorer("accuracy"), "broken": broken})
    assert isinstance(out, FoldScore)  # not a TaskFailure
    assert 0 <= out.scores["accuracy"] <= 1 and math.isnan(out.scores["broken"])
    assert out.errors == {"broken": "RuntimeError: scorer bug"}


def _res(index: int, folds: list[dict[str, float]], errors: dict[int, dict[str, str]]
         ) -> ConfigResult:
    res = ConfigResult(Config(index, "svc" if index else "lr", {"C": index + 1.0}, None))
    for f, scores in enumerate(folds):
        res.folds[f] = FoldScore(scores, 0.1, 0.01, 0.1, {}, errors.get(f, {}))
    return res


def _result() -> EvaluationResult:
    nan = math.nan
    good = _res(0, [{"accuracy": 0.8, "roc_auc": 0.9}, {"accuracy": 0.7, "roc_auc": nan},
                    {"accuracy": 0.9, "roc_auc": 0.95}], {1: {"roc_auc": REASON}})
    better = _res(1, [{"accuracy": 0.95, "roc_auc": 0.97}] * 3, {})
    worse = _res(2, [{"accuracy": 0.5, "roc_auc": 0.6}] * 3, {})
    return EvaluationResult(results=[good, better, worse], metrics=["accuracy", "roc_auc"],
                            select_by="roc_auc", task="classification", n_folds=3,
                            splitter="KFold(3)")


def test_mean_is_nan_and_ranked_last_but_the_row_stays():
    result = _result()
    good = result.results[0]
    assert good.fold_values("roc_auc")[0] == 0.9 and math.isnan(good.mean("roc_auc"))
    assert good.mean("accuracy") == pytest.approx(0.8)  # the other metric is whole
    assert good.notes() == [f"roc_auc NaN on fold 1: {REASON}"]
    board = result.leaderboard
    assert list(board["params"].map(lambda p: p["C"])) == [2.0, 3.0, 1.0]  # NaN last
    last = board.iloc[2]
    assert last["status"] == "ok" and last["rank"] == 3 and math.isnan(last["roc_auc"])
    assert last["accuracy"] == pytest.approx(0.8)
    assert last["notes"] == f"roc_auc NaN on fold 1: {REASON}" and board.loc[0, "notes"] == ""
    folds = result.fold_scores
    assert folds.loc[1, "notes"] == f"roc_auc: {REASON}" and folds.loc[0, "notes"] == ""


def test_the_reason_is_in_every_view(capsys):
    result = _result()
    row = result.to_dict()["leaderboard"][2]
    assert row["notes"] == f"roc_auc NaN on fold 1: {REASON}" and row["roc_auc"] is None
    assert f"note: lr C=1.0: roc_auc NaN on fold 1: {REASON}" in repr(result)
    html = result._repr_html_()
    assert "<th>notes</th>" in html and f"roc_auc NaN on fold 1: {REASON}" in html
    assert "<th>notes</th>" not in display.render_table(  # no empty column without notes
        result.leaderboard.iloc[:2], result.metrics, result.select_by)
    log = display.make_progress("text")
    log.start(configs=3, folds=3, tasks=9, saved=0, cluster={}, notes=[])
    log.config_done(result.results[0], result.leaderboard, result.metrics, result.select_by)
    out = capsys.readouterr().out
    assert "[1/3] lr #1 C=1.0: accuracy 0.8000±0.0816, roc_auc nan±nan" in out
    assert f"note: roc_auc NaN on fold 1: {REASON}" in out


def test_html_escapes_the_reason():
    res = _res(0, [{"accuracy": math.nan}], {0: {"accuracy": "ValueError: <script>x"}})
    html = EvaluationResult(results=[res], metrics=["accuracy"], select_by="accuracy",
                            task="classification", n_folds=1, splitter="")._repr_html_()
    assert "<script>x" not in html and "&lt;script&gt;x" in html
