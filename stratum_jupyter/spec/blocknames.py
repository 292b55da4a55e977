"""Block names in validation messages: "did you mean" among the blocks that fit where an
unknown name stands (the spec's task, the final estimator, a column rule), and the task twin
of an estimator of the wrong kind (RandomForestClassifier -> RandomForestRegressor)."""

from __future__ import annotations

from typing import Any

from ..errors import SpecIssue
from ..suggest import close_matches
from ..suggest import short_repr as _short

_KIND_FOR_TASK = {"classification": "classifier", "regression": "regressor",
                  "clustering": "clusterer"}


def unknown_block(name: Any, path: tuple[Any, ...], task: str | None, *,
                   final: bool = False, transformers_only: bool = False) -> SpecIssue:
    """An unknown block; "did you mean" offers only blocks that fit where it stands: the
    task's (its ``final`` estimators only, or with transformers), or transformers."""
    from ..catalog import get_catalog

    kind = _KIND_FOR_TASK.get(task or "")
    fits = [b.name for b in get_catalog().for_task(task if kind else None)
            if (b.is_transformer or not transformers_only) and not (final and kind
                                                                    and kind not in b.roles)]
    allowed = ("a transformer block" if transformers_only else f"a {kind} block" if final
               and kind else f"a block for {task}" if kind else "a block of the catalog")
    return SpecIssue(path, f"unknown block {_short(name)}", value=name,
                     allowed=f"{allowed} (`stratum blocks{f' --task {task}' if kind else ''}`)",
                     suggestions=close_matches(str(name), fits))


def task_twin(name: str, kind: str) -> tuple[str, ...]:
    from ..catalog import get_catalog

    catalog = get_catalog()
    for a, b in (("Regressor", "Classifier"), ("Classifier", "Regressor"),
                 ("Regression", "Classifier"), ("Regressor", "")):
        twin = name.replace(a, b)
        if twin != name and twin in catalog and kind in catalog.get(twin).roles:
            return (twin,)
    return ()
