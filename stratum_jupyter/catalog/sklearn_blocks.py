"""The built-in blocks: scikit-learn's, discovered with
``sklearn.utils.discovery.all_estimators``, and stratum_jupyter's own (:func:`own_blocks`)."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Iterator

from .blocks import Block, block_from_class

# Meta-estimators and helpers whose required arguments are estimators or column lists:
# they are assembled by the pipeline itself, not named as steps.
_SKIP_MODULES = ("sklearn.pipeline", "sklearn.compose", "sklearn.model_selection")


def _constructible(cls: type) -> bool:
    params = inspect.signature(cls.__init__).parameters.values()
    return all(
        p.default is not p.empty
        for p in params
        if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    )


def sklearn_blocks() -> Iterator[Block]:
    """Every scikit-learn estimator that can be built from a spec (no required arguments)."""
    from sklearn.utils.discovery import all_estimators

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimators = all_estimators()
    for _name, cls in estimators:
        if cls.__module__.startswith(_SKIP_MODULES) or not _constructible(cls):
            continue
        block = block_from_class(cls, library="sklearn")
        if block.roles and not block.deprecated:
            yield block


def own_blocks() -> Iterator[Block]:
    """stratum_jupyter's own transformers: ``DatetimeFeatures`` (dates to numeric parts,
    :mod:`.dates`), what scikit-learn lacks for the automatic preprocessing."""
    from .dates import DatetimeFeatures

    yield block_from_class(DatetimeFeatures, library="stratum_jupyter")
