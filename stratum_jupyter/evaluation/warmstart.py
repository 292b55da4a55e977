"""Which configurations can be grown from a smaller one with ``warm_start``: a *chain*.

Configurations with the same parent (fold split or shared prefix) and estimator that differ
only in their size parameter form a chain per fold (:func:`chains`): the smallest is fitted,
then grown to the next size (:func:`grow`) and scored again. A chain is only formed where
the grown model equals a fit from scratch of the very configuration, tree for tree:

- forests (``n_estimators``): the added trees' seeds are drawn after the existing ones';
- ``GradientBoosting*`` (``n_estimators``): the stages' random state (row subsampling with
  ``subsample < 1``, ``max_features``) is kept and continued, and the raw predictions of the
  train rows are recomputed with the same additions a fresh fit makes (checked for every
  loss, with subsampling, binary, multiclass and regression: the same predictions to the
  last bit);
- ``HistGradientBoosting*`` (``max_iter``): the binning seed is kept, ``max_features``
  draws continue from the same generator; with early stopping (``early_stopping=True``, or
  ``"auto"`` above 10,000 train rows) too: an int seed makes the same train/validation
  split, the scores of the iterations so far are kept and continued, so a grown model stops
  where a fresh fit stops (checked for every loss, scorer, validation fraction or none,
  binary, multiclass and regression: the same predictions and scores to the last bit). A
  model that stopped (before its size, or at it with the stopping rule met) is every larger
  size's model as it is: it is scored again without fitting (:class:`Stopped`).

Not chained, because a grown model would differ from a fresh fit:

- ``GradientBoosting*`` with ``n_iter_no_change`` (early stopping): its history of
  validation losses starts afresh on each call to ``fit``;
- a ``random_state`` that is not an int (None draws from NumPy's global generator: no two
  fits from scratch are equal); a ``warm_start`` already set;
- forests with ``oob_score`` or a ``"balanced"`` ``class_weight`` (scikit-learn warns).

The refit of the best configuration is always a fit from scratch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # workers import this module (run_chain): keep it light
    from .prepare import EvaluationPlan

_FORESTS = ("RandomForestClassifier", "RandomForestRegressor",
            "ExtraTreesClassifier", "ExtraTreesRegressor")
# The estimators that can be chained, by qualified class name: their size parameter.
SIZES: dict[str, str] = {
    **{f"sklearn.ensemble._forest.{name}": "n_estimators" for name in _FORESTS},
    **{f"sklearn.ensemble._gb.{name}": "n_estimators"
       for name in ("GradientBoostingClassifier", "GradientBoostingRegressor")},
    **{f"sklearn.ensemble._hist_gradient_boosting.gradient_boosting.{name}": "max_iter"
       for name in ("HistGradientBoostingClassifier", "HistGradientBoostingRegressor")},
}


def _name(estimator: Any) -> str:
    cls = type(estimator)
    return f"{cls.__module__}.{cls.__qualname__}"


def size_param(estimator: Any) -> str | None:
    """The parameter a chain of ``estimator``'s class grows (``n_estimators`` or
    ``max_iter``), or None for a class that is never chained."""
    return SIZES.get(_name(estimator))


def _why_not(params: dict[str, Any], size: str) -> str | None:
    """Why an estimator of these parameters (its size popped) cannot be chained, or None."""
    if params.get("warm_start") or type(params.get("random_state")) is not int:
        return "unseeded, or warm_start set"
    if size != "max_iter" and params.get("n_iter_no_change") is not None:  # GradientBoosting
        return "early stopping"
    if params.get("oob_score") or isinstance(params.get("class_weight"), str):
        return "forest option"  # scikit-learn warns when these are warm-started
    return None


def chain_key(plan: EvaluationPlan, config: int) -> tuple[tuple[Any, ...] | None, str | None]:
    """What the configurations of ``config``'s chain share (parent, class and every
    parameter but the size), and why it cannot be chained (None when it can; then the key
    is None too only for a class that is never chained)."""
    leaf = plan.graph.leaves[config]
    size = size_param(leaf.estimator)
    if size is None:
        return None, None
    params = leaf.estimator.get_params(deep=False)
    value = params.pop(size, None)
    key = (leaf.parent, _name(leaf.estimator), repr(sorted(params.items())))
    why = "no int size" if type(value) is not int else _why_not(params, size)
    return key, why


def growable(estimator: Any) -> bool:
    """Whether ``estimator``, grown with :func:`grow` from a smaller model of the same
    parameters on the same rows, equals its fit from scratch (the conditions of a chain)."""
    size = size_param(estimator)
    if size is None:
        return False
    params = estimator.get_params(deep=False)
    value = params.pop(size, None)
    return type(value) is int and _why_not(params, size) is None


def _by_key(plan: EvaluationPlan) -> tuple[dict[Any, dict[Any, int]], dict[Any, dict[Any, int]]]:
    """The chainable configurations by chain key, then size (the first of a size); and
    those left out of a chain by early stopping, alike."""
    by_key: dict[Any, dict[Any, int]] = {}
    stopping: dict[Any, dict[Any, int]] = {}
    for leaf in plan.graph.leaves:
        key, why = chain_key(plan, leaf.config)
        if key is None:
            continue
        size = getattr(leaf.estimator, size_param(leaf.estimator) or "")
        if why is None:
            by_key.setdefault(key, {}).setdefault(size, leaf.config)
        elif why == "early stopping":
            stopping.setdefault(key, {}).setdefault(repr(size), leaf.config)
    return by_key, stopping


def chains(plan: EvaluationPlan) -> dict[int, list[int]]:
    """Each chained configuration's chain (its configurations by growing size; one size
    once): only chains of two or more."""
    out: dict[int, list[int]] = {}
    for sizes in _by_key(plan)[0].values():
        chain = [sizes[n] for n in sorted(sizes)]
        if len(chain) > 1:
            out.update({config: chain for config in chain})
    return out


def notes(plan: EvaluationPlan) -> list[str]:
    """A note naming the candidates whose configurations differ only in their size but are
    each fitted from scratch because of early stopping (``GradientBoosting*``'s
    ``n_iter_no_change``)."""
    stopping = _by_key(plan)[1]
    names = sorted({plan.graph.configs[c].candidate for configs in stopping.values()
                    if len(configs) > 1 for c in configs.values()})
    if not names:
        return []
    return [f"{', '.join(names)}: GradientBoosting with early stopping (n_iter_no_change) is "
            "fitted from scratch for each n_estimators: a model grown with warm_start would "
            "not stop where a fresh fit stops (scikit-learn restarts its history of validation "
            "losses on each fit; without n_iter_no_change they are grown from the smaller ones)"]


def chain_note(plan: EvaluationPlan, chained: dict[int, list[int]]) -> str:
    """The note that says which configurations are grown as chains and what that means."""
    kinds = sorted({type(plan.graph.leaves[c].estimator).__name__ for c in chained})
    params = sorted({size_param(plan.graph.leaves[c].estimator) or "" for c in chained})
    return (f"{len(chained)} configurations of {', '.join(kinds)} that differ only in "
            f"{' or '.join(params)} are grown from the smaller ones with warm_start on each "
            "fold (the same models and scores as fits from scratch; their fit_time is that "
            "of the added trees)")


class Stopped:
    """A model that stopped early: every larger size of its chain is this very model (a
    fresh fit stops at the same iteration). ``fit`` returns it without fitting."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def fit(self, X: Any, y: Any) -> Any:
        return self.model


def stopped(fitted: Any) -> bool:
    """Whether a ``HistGradientBoosting*`` model with early stopping stopped: before its
    ``max_iter``, or at it with scikit-learn's stopping rule met by its scores (a fit
    with a larger ``max_iter`` stops there too)."""
    if fitted.n_iter_ < fitted.max_iter:
        return True
    scores = fitted.validation_score_ if fitted._use_validation_data else fitted.train_score_
    return bool(fitted._should_stop(list(scores)))


def stopped_at(estimator: Any, fitted: Any) -> int | None:
    """``fitted.n_iter_`` where ``fitted`` (a fit of ``estimator``) is a chainable
    ``HistGradientBoosting*`` (:func:`growable`: an int seed) that met its early-stopping
    rule (:func:`stopped`): a fit of the same configuration with any ``max_iter`` from
    ``n_iter_`` up is this very model (the rule reads only the scores so far, never
    ``max_iter``). None otherwise, and where that cannot be told."""
    if not getattr(fitted, "do_early_stopping_", False) or not hasattr(fitted, "_should_stop") \
            or size_param(estimator) != "max_iter" or not growable(estimator):
        return None
    try:
        return int(fitted.n_iter_) if stopped(fitted) else None
    except Exception:  # a scikit-learn that changed: be safe
        return None


def grow(fitted: Any, estimator: Any) -> Any | None:
    """``fitted`` (a model of ``estimator``'s chain, smaller) set to grow to ``estimator``'s
    size with ``warm_start`` when fitted again (in place); :class:`Stopped` (``fitted``
    itself, given ``estimator``'s size) where it stopped early by its own early stopping;
    None where it cannot grow (then ``estimator`` is fitted from scratch)."""
    size = size_param(estimator) or "n_estimators"
    if getattr(fitted, "do_early_stopping_", False):  # HistGradientBoosting
        if not hasattr(fitted, "_should_stop"):  # a scikit-learn that changed: be safe
            return None
        if stopped(fitted):
            return Stopped(fitted.set_params(**{size: getattr(estimator, size)}))
    elif getattr(fitted, "n_estimators_", None) not in (None, getattr(fitted, "n_estimators", 0)):
        return None  # GradientBoosting that kept fewer stages (never chained: belt and braces)
    return fitted.set_params(**{size: getattr(estimator, size)}, warm_start=True)
