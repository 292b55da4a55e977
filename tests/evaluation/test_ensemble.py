"""Ensembles of the best configurations on a real LocalCluster: they score what
scikit-learn's ``cross_validate`` of the same ``VotingClassifier``/``StackingClassifier``
scores on the same folds, are ranked beside the singles, and a winning one is refitted,
saved and loaded like any model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from stratum_jupyter import evaluate, load_model
from stratum_jupyter.errors import EvaluationError
from stratum_jupyter.evaluation.folds import make_splitter
from stratum_jupyter.evaluation.paramnames import short_names

pytestmark = pytest.mark.slow

METRICS = ["accuracy", "roc_auc", "neg_log_loss"]


@pytest.fixture(scope="module")
def cancer():
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(return_X_y=True, as_frame=True)


def _candidates():
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    return {
        "logreg": (make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)),
                   {"logisticregression__C": [0.01, 1.0]}),
        "tree": (DecisionTreeClassifier(max_depth=3, random_state=0), {}),
        "knn": (make_pipeline(StandardScaler(), KNeighborsClassifier()), {}),
        "nb": (GaussianNB(), {}),
    }


def _folds(X, y):
    return list(make_splitter("classification", 3, random_state=0, y=y).split(X, y))


def _expected_members(result):
    """The best configuration of each of the 3 best candidates, from the singles' rows."""
    singles = [r for r in result.results if not r.config.members]
    best: dict[str, object] = {}
    for row in result.leaderboard.to_dict(orient="records"):
        if row["candidate"] in best or row["candidate"].startswith("ensemble"):
            continue
        best[row["candidate"]] = next(r for r in singles if r.config.candidate == row[
            "candidate"] and short_names(r.config.params) == row["params"])
    return list(best.values())[:3]


@pytest.mark.parametrize("method", ["soft_voting", "stacking"])
def test_scores_equal_cross_validate(client, cancer, method):
    from sklearn.base import clone
    from sklearn.ensemble import StackingClassifier, VotingClassifier
    from sklearn.model_selection import cross_validate

    X, y = cancer
    result = evaluate(_candidates(), X, y, client=client, metrics=METRICS, cv=3,
                      random_state=0, ensemble={"method": method, "k": 3}, display="none")
    ens = result.results[-1]
    assert ens.failure is None and len(ens.config.members) == 3
    members = _expected_members(result)
    assert list(ens.config.members) == [m.config.label for m in members]
    estimators = [(f"m{i}", clone(m.config.pipeline)) for i, m in enumerate(members)]
    reference = (VotingClassifier(estimators, voting="soft") if method == "soft_voting"
                 else StackingClassifier(estimators, cv=5))
    expected = cross_validate(reference, X, y, cv=_folds(X, y), scoring=METRICS)
    for metric in METRICS:
        np.testing.assert_allclose(ens.fold_values(metric), expected[f"test_{metric}"],
                                   rtol=0, atol=1e-9)
    board = result.leaderboard
    row = board[board["candidate"] == ens.config.candidate].iloc[0]
    assert row["members"] == "; ".join(ens.config.members)
    assert "members: " in result._repr_html_() and "members: " in repr(result)


def test_winning_ensemble_is_refitted_saved_and_loaded(client, tmp_path):
    from sklearn.datasets import make_classification
    from sklearn.ensemble import VotingClassifier

    X, y = make_classification(300, n_features=10, n_informative=5, random_state=0)
    result = evaluate({k: v for k, v in _candidates().items() if k != "logreg"}, X, y,
                      client=client, metrics=["neg_log_loss", "accuracy"], cv=3,
                      random_state=0, ensemble="soft_voting", display="none")
    assert result.leaderboard.iloc[0]["candidate"] == "ensemble (soft voting)"
    assert isinstance(result.best_model, VotingClassifier)
    assert result.best.members == result.results[-1].config.members
    assert result.to_dict()["best"]["members"] == list(result.best.members)
    folder = result.save(tmp_path / "best")
    model = load_model(folder)
    np.testing.assert_array_equal(model.predict(X), result.best_model.predict(X))
    profile = json.loads((folder / "profile.json").read_text())
    assert profile["ensemble"]["members"] == list(result.best.members)


def test_regression_voting_and_too_few_members(client):
    from sklearn.base import clone
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import VotingRegressor
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import KFold, cross_validate
    from sklearn.tree import DecisionTreeRegressor

    X, y = load_diabetes(return_X_y=True)
    cands = {"ridge": (Ridge(), {"alpha": [0.1, 1.0]}),
             "tree": (DecisionTreeRegressor(max_depth=3, random_state=0), {})}
    result = evaluate(cands, X, y, client=client, cv=3, random_state=0,
                      ensemble={"method": "soft_voting", "k": 2}, display="none")
    ens = result.results[-1]
    reference = VotingRegressor([(f"m{i}", clone(p)) for i, (_, p) in
                                 enumerate(ens.config.pipeline.estimators)])
    folds = list(KFold(3, shuffle=True, random_state=0).split(X, y))
    expected = cross_validate(reference, X, y, cv=folds, scoring="r2")["test_score"]
    np.testing.assert_allclose(ens.fold_values("r2"), expected, rtol=0, atol=1e-9)
    one = evaluate({"ridge": cands["ridge"]}, X, y, client=client, cv=3, random_state=0,
                   ensemble="stacking", display="none")
    failure = one.results[-1].failure
    assert failure is not None and "at least 2 members" in failure.error
    assert one.best is not None and one.best.candidate == "ridge"


def test_bad_setting_and_clustering_refused():
    with pytest.raises(EvaluationError, match="ensemble.method"):
        evaluate({"a": _candidates()["nb"]}, np.zeros((6, 2)), [0, 1] * 3,
                 ensemble={"method": "averaging"}, display="none")
    with pytest.raises(EvaluationError, match="not for clustering"):
        from sklearn.cluster import KMeans

        evaluate({"k": KMeans(2, n_init=1)}, np.random.default_rng(0).random((20, 2)),
                 task="clustering", ensemble="soft_voting", display="none")


def test_members_rules_and_names():
    from stratum_jupyter.evaluation.ensemble import member_names, members_of
    from stratum_jupyter.evaluation.plan import Config
    from stratum_jupyter.evaluation.results import ConfigResult
    from stratum_jupyter.evaluation.tasks import FoldScore
    from stratum_jupyter.spec.model import EnsembleSpec

    def result(index, candidate, score, params=None):
        res = ConfigResult(Config(index, candidate, params or {"C": index}, None))
        res.folds[0] = FoldScore({"accuracy": score}, 0.0, 0.0, 0.0, {})
        return res

    results = [result(0, "a b", 0.9), result(1, "a b", 0.95), result(2, "voting", 0.8),
               result(3, "c", 0.85)]
    per_candidate = members_of(results, "accuracy", 1, EnsembleSpec(k=3))
    assert [r.config.index for r in per_candidate] == [1, 3, 2]  # one per candidate
    top = members_of(results, "accuracy", 1, EnsembleSpec(k=3, members="top_configurations"))
    assert [r.config.index for r in top] == [1, 0, 3]
    assert member_names(top) == ["a_b", "a_b_1", "c"]
    assert member_names([results[2]]) == ["voting_0"]  # a parameter of the ensemble


def test_a_scikit_learn_ensemble_that_would_change_the_scores_is_refused():
    from sklearn.ensemble import StackingClassifier

    with pytest.raises(EvaluationError, match="passthrough=True"):
        evaluate({"a": _candidates()["nb"]}, np.zeros((6, 2)), [0, 1] * 3,
                 ensemble=StackingClassifier([], passthrough=True), display="none")
