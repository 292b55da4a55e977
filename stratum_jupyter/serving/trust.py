"""Which types a skops file may hold to be loaded: the one rule of ``load_model`` and of the
prediction service.

skops' own audit (``skops.io.get_untrusted_types``) lists every type and function of a file
that skops does not trust by itself. Of those, this rule trusts:

* anything from scikit-learn, NumPy and SciPy (:data:`SCIENTIFIC_ROOTS`): their estimators,
  arrays, dtypes and functions, e.g. HistGradientBoosting's ``TreePredictor`` or
  ``make_column_selector``;
* classes, never functions, of ``builtins`` and ``collections`` (:data:`DATA_ROOTS`):
  ``dict``, ``slice``, ``OrderedDict``, but not ``eval``, ``getattr`` or ``open``;
* ``functools.partial`` when every partial in the file wraps (directly or through another
  partial) a callable of :data:`SCIENTIFIC_ROOTS` or of the caller's ``roots``, as
  HistGradientBoosting's categorical preprocessing keeps ``partial(check_array, ...)``. What
  each partial wraps is read from the file's own description (its ``schema.json``);
* stratum_jupyter's own blocks, by exact class name (:data:`OWN_TYPES`; never the
  package as a whole): ``DatetimeFeatures`` and the gradient-boosting blocks, whose modules
  the deploy bundle copies beside the service;
* the estimators and boosters of XGBoost, LightGBM and CatBoost, by exact class name
  (:data:`BOOSTING_TYPES`): what the gradient-boosting blocks hold once fitted;
* the caller's ``roots`` (whole packages) and ``extra`` (exact type names).

Standard library only (skops is imported inside :func:`audit`): it is part of the prediction
service, which ``deploy.render`` copies into a bundle and which runs without stratum_jupyter;
``load_model`` (bundle/) imports it from here.
"""

from __future__ import annotations

import importlib
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

SCIENTIFIC_ROOTS = ("sklearn", "numpy", "scipy")
DATA_ROOTS = ("builtins", "collections")
TRUSTED_ROOTS = SCIENTIFIC_ROOTS + DATA_ROOTS
PARTIAL = "functools.partial"
# stratum_jupyter's own blocks a model may hold (catalog/dates.py, catalog/arrowtypes.py,
# boosting/boosters.py: plain data attributes).
OWN_TYPES = ("stratum_jupyter.catalog.dates.DatetimeFeatures",
             "stratum_jupyter.catalog.arrowtypes.PlainDtypes",
             *(f"stratum_jupyter.boosting.boosters.{library}{kind}"
               for library in ("XGB", "LGBM", "CatBoost") for kind in ("Classifier", "Regressor")))
# What those blocks hold: the library's estimator and its booster (model bytes or text).
BOOSTING_TYPES = ("xgboost.core.Booster", "xgboost.sklearn.XGBClassifier",
                  "xgboost.sklearn.XGBRegressor", "lightgbm.basic.Booster",
                  "lightgbm.sklearn.LGBMClassifier", "lightgbm.sklearn.LGBMRegressor",
                  "catboost.core.CatBoostClassifier", "catboost.core.CatBoostRegressor")


def _root(name: str) -> str:
    return name.split(".")[0]


def _is_class(name: str) -> bool:
    """Whether ``module.Name`` of :data:`DATA_ROOTS` names a class (standard library only:
    nothing else is imported)."""
    module, _, attr = name.rpartition(".")
    if _root(module) not in DATA_ROOTS:
        return False
    try:
        return isinstance(getattr(importlib.import_module(module), attr, None), type)
    except ImportError:
        return False


def _nodes(tree: Any) -> Iterator[dict[str, Any]]:
    """Every node of a skops schema (dicts that say how they are loaded)."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "__loader__" in item:
                yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _schema(source: Path | bytes) -> Any:
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
        return json.loads(zf.read("schema.json"))


def partials_wrap_only(source: Path | bytes, roots: Iterable[str]) -> bool:
    """Whether every ``functools.partial`` of the skops file wraps a callable of ``roots``
    (False when the file cannot be read: refuse what cannot be checked)."""
    allowed = set(roots)
    try:
        nodes = list(_nodes(_schema(source)))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return False
    for node in nodes:
        if node.get("__loader__") != "PartialNode":
            continue
        wrapped: Any = node
        while isinstance(wrapped, dict) and wrapped.get("__loader__") == "PartialNode":
            wrapped = (wrapped.get("content") or {}).get("func")
        if not isinstance(wrapped, dict) or _root(str(wrapped.get("__module__"))) not in allowed:
            return False
    return True


def audit(source: str | Path | bytes, *, roots: Iterable[str] = (),
          extra: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """``(untrusted, refused)``: the types of a skops file (path or bytes) that skops does not
    trust by itself, and those of them this rule refuses too. Load with
    ``skops.io.load(..., trusted=untrusted)`` only when ``refused`` is empty."""
    import skops.io

    source = source if isinstance(source, bytes) else Path(source)
    untrusted = (skops.io.get_untrusted_types(data=source) if isinstance(source, bytes)
                 else skops.io.get_untrusted_types(file=source))
    callable_roots = (*SCIENTIFIC_ROOTS, *roots)
    named = {*OWN_TYPES, *BOOSTING_TYPES, *extra}
    refused = []
    for name in untrusted:
        if name in named or _root(name) in callable_roots or _is_class(name):
            continue
        if name == PARTIAL and partials_wrap_only(source, callable_roots):
            continue
        refused.append(name)
    return list(untrusted), sorted(refused)
