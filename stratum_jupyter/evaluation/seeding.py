"""``evaluation.random_state`` as the seed of every estimator that leaves its own unset.

scikit-learn estimators draw from NumPy's global generator when their ``random_state`` is
None, so two runs of one spec (or the builder and its generated notebook) gave different
forests and scores. Seeding every unset ``random_state`` (the estimator's own and those of
estimators inside it: pipeline steps, a ``ColumnTransformer``'s transformers, an ensemble's
members and final estimator, Keras models) with the evaluation's makes a run repeatable to
the last digit, wherever it runs. An estimator's own int seed (or a grid of seeds) is kept.
"""

from __future__ import annotations

from typing import Any


def seeded(estimator: Any, random_state: int | None) -> Any:
    """``estimator`` (changed in place, and returned) with every ``random_state`` parameter
    that is None, at any depth of ``get_params(deep=True)``, set to ``random_state``;
    unchanged when ``random_state`` is None or it has no parameters to read."""
    if random_state is None or not hasattr(estimator, "get_params"):
        return estimator
    try:
        params = estimator.get_params(deep=True)
    except Exception:  # an estimator whose parameters cannot be read is left as it is
        return estimator
    unset = {key: int(random_state) for key, value in params.items()
             if value is None and (key == "random_state" or key.endswith("__random_state"))}
    if unset:
        # Outer keys first: set_params reaches a nested estimator through its parent.
        estimator.set_params(**dict(sorted(unset.items(), key=lambda kv: kv[0].count("__"))))
    return estimator
