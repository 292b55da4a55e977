"""An ensemble of the best configurations (``evaluation.ensemble``), evaluated on the same
folds as the singles once they are all in, and ranked beside them.

The members are the ``k`` best configurations by ``select_by`` (``best_per_candidate``:
the best of each distinct candidate). Voting is scored from the members' responses on each
fold's test part, kept by their fold tasks: no member is fitted again, so it costs little
more than the singles that feed it. Stacking fits each member on inner folds of each
fold's train part (tasks on the cluster, like any other), then its final estimator.

The ensemble itself is scikit-learn's ``VotingClassifier``/``VotingRegressor``/
``StackingClassifier``/``StackingRegressor`` over the members' pipelines: what the
leaderboard's row scores, and what is refitted when it wins.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .plan import Config
from .results import ConfigResult, Failure, best_result

if TYPE_CHECKING:
    from ..spec.model import EnsembleSpec
    from .prepare import EvaluationPlan

RESERVED = {"estimators", "voting", "weights", "n_jobs", "flatten_transform", "verbose",
            "final_estimator", "cv", "stack_method", "passthrough"}


def members_of(results: list[ConfigResult], select_by: str, n_folds: int,
               settings: EnsembleSpec) -> list[ConfigResult]:
    """The ``k`` best complete configurations, best first (``best_per_candidate``: at most
    one per candidate, its best), by the leaderboard's rule (:func:`results.best_result`)."""
    left, chosen = list(results), list[ConfigResult]()
    while left and len(chosen) < settings.k:
        best = best_result(left, select_by, n_folds)
        if best is None:
            break
        chosen.append(best)
        left = [r for r in left if r is not best and not (
            settings.members == "best_per_candidate"
            and r.config.candidate == best.config.candidate)]
    return chosen


def member_names(members: list[ConfigResult]) -> list[str]:
    """Names for the ensemble's ``estimators``: the candidate's, made a valid parameter
    name (no ``__``, none of the ensemble's own parameters), numbered when repeated."""
    names: list[str] = []
    for res in members:
        base = re.sub(r"[^0-9A-Za-z]+", "_", res.config.candidate).strip("_") or "member"
        name = base if base not in RESERVED and base not in names else f"{base}_{len(names)}"
        names.append(name)
    return names


def final_estimator(settings: EnsembleSpec) -> Any:
    """The stacking's final estimator of the spec; None: scikit-learn's default."""
    if settings.final_estimator is None:
        return None
    from ..catalog import get_catalog

    step = settings.final_estimator
    return get_catalog().get(step.block).load()(**step.params)


def ensemble_estimator(task: str, settings: EnsembleSpec, members: list[ConfigResult],
                       template: Any = None) -> Any:
    """The unfitted scikit-learn ensemble over the members' pipelines (``template``: the
    caller's, with its own settings, given these members)."""
    from sklearn import ensemble
    from sklearn.base import clone

    estimators = list(zip(member_names(members), [r.config.pipeline for r in members],
                          strict=True))
    if template is not None:
        made = clone(template).set_params(estimators=estimators)
        return _convertible(made)
    classify = task == "classification"
    if settings.method == "stacking":
        cls = ensemble.StackingClassifier if classify else ensemble.StackingRegressor
        return cls(estimators, final_estimator=final_estimator(settings), cv=settings.cv)
    if classify:
        return _convertible(ensemble.VotingClassifier(
            estimators, voting=settings.method.split("_")[0]))
    return ensemble.VotingRegressor(estimators)


def _convertible(model: Any) -> Any:
    """skl2onnx converts a VotingClassifier only with ``flatten_transform=False``, which
    changes the shape of ``transform`` alone: predictions are the same."""
    if "flatten_transform" in model.get_params(deep=False):
        model.set_params(flatten_transform=False)
    return model


def default_final(task: str) -> Any:
    from sklearn.linear_model import LogisticRegression, RidgeCV

    return LogisticRegression() if task == "classification" else RidgeCV()


def evaluate_ensemble(client: Any, plan: EvaluationPlan, graph: Any,
                      results: list[ConfigResult], futures: list[Any]) -> ConfigResult:
    """The ensemble's result on every fold (or its failure), as one more configuration."""
    settings = plan.ensemble
    assert settings is not None
    members = members_of(results, plan.select_by, plan.n_folds, settings)
    from .seeding import seeded

    made = ensemble_estimator(plan.task, settings, members, plan.ensemble_template) \
        if members else None
    config = Config(len(results), f"ensemble ({settings.method.replace('_', ' ')})", {},
                    seeded(made, plan.random_state),
                    tuple(r.config.label for r in members))
    res = ConfigResult(config)
    problem = _problem(plan.task, settings, members)
    if problem is not None:
        res.failure = Failure(config.candidate, {}, None, "ensemble", problem, "")
        return res
    if settings.method == "stacking":
        values = _stack(client, plan, graph, members, futures)
    else:
        values = [_vote_fold(plan, settings.method, members, f) for f in range(plan.n_folds)]
    for fold, value in enumerate(values):
        if not hasattr(value, "scores"):  # a TaskFailure
            res.failure = Failure(config.candidate, {}, fold, value.step, value.error,
                                  value.traceback)
            break
        res.folds[fold] = value
    return res


def _problem(task: str, settings: EnsembleSpec, members: list[ConfigResult]) -> str | None:
    if len(members) < 2:
        return (f"an ensemble needs at least 2 members, found {len(members)} complete "
                f"configuration(s) to join (members: {settings.members}; allowed: more "
                "candidates, or members: top_configurations)")
    if task == "classification" and settings.method == "soft_voting":
        lacking = [r.config.label for r in members
                   if "predict_proba" not in (r.folds[0].predictions or {})]
        if lacking:
            return (f"soft voting needs predict_proba, which {', '.join(lacking)} lack(s) "
                    "(allowed: hard_voting or stacking)")
    return None


def _vote_fold(plan: EvaluationPlan, method: str, members: list[ConfigResult], fold: int
               ) -> Any:
    import time

    from . import ensemble_tasks, tasks

    start = time.perf_counter()
    responses = ensemble_tasks.vote(plan.task, method,
                                    [r.folds[fold].predictions or {} for r in members])
    _, test = plan.folds[fold]
    scores, errors = tasks.runner_for("sklearn").score_each(
        ensemble_tasks.scorable(plan.task, responses), dict(plan.scorers),
        tasks._take(plan.X, test), tasks._take(plan.y, test))
    own = time.perf_counter() - start
    fit = sum(r.folds[fold].fit_time for r in members)
    score = sum(r.folds[fold].score_time for r in members)
    return tasks.FoldScore(scores, fit, score + own, own, {}, errors)


def _stack(client: Any, plan: EvaluationPlan, graph: Any, members: list[ConfigResult],
           futures: list[Any]) -> list[Any]:
    """The stacking's fold scores: the members' inner folds, then the final estimator, as
    tasks on the cluster (retried by Dask where a worker is lost); in this process when
    there is no ``graph`` (all the folds ran here)."""
    from . import ensemble_tasks as et

    settings = plan.ensemble
    assert settings is not None
    methods = [et.stack_method(plan.task, r.config.pipeline) for r in members]
    template, cv = plan.ensemble_template, settings.cv
    # (``is None``, not ``or``: a forest as final estimator has a length, 0 unfitted)
    final = final_estimator(settings) if template is None else template.final_estimator
    final = default_final(plan.task) if final is None else final
    if template is not None:
        cv = template.cv or 5
    from sklearn.base import clone

    from .seeding import seeded

    final = seeded(clone(final), plan.random_state)  # as in the refitted ensemble
    if graph is None:  # every fold task ran in this process: so do these
        return [et.stack_fold([et.inner_predictions(plan.X, plan.y, plan.folds[fold], plan.task,
                                                    r.config.pipeline, method, cv)
                               for r, method in zip(members, methods, strict=True)],
                              [r.folds[fold].predictions or {} for r in members], methods, plan.X,
                              plan.y, plan.folds[fold], plan.task, final, dict(plan.scorers))
                for fold in range(plan.n_folds)]
    scores = []
    for fold in range(plan.n_folds):
        inner = [client.submit(et.inner_predictions, graph.X, graph.y, graph.folds[fold],
                               plan.task, r.config.pipeline, method, cv,
                               pure=False, retries=3)
                 for r, method in zip(members, methods, strict=True)]
        test = [r.folds[fold].predictions for r in members]
        scores.append(client.submit(et.stack_fold, inner, test, methods, graph.X, graph.y,
                                    graph.folds[fold], plan.task, final,
                                    dict(plan.scorers), pure=False, retries=3))
        futures += [*inner, scores[-1]]
    return client.gather(scores)
