"""Native XGBoost and LightGBM models (``Booster`` objects, or their files: XGBoost ``.json``
/ ``.ubj``, LightGBM ``.txt``) as the libraries' own scikit-learn estimators, which a bundle
saves with skops (kind ``sklearn``) and the prediction service already serves.
:data:`XGBOOST_READER` and :data:`LIGHTGBM_READER` are this plug-in's entries of
``stratum_jupyter.model_readers`` (the libraries are imported when a model is read).

A classifier's classes are the booster's 0..K-1 (a booster keeps no labels): ``classes=``
of ``save_model`` / ``stratum bundle`` names them in the profile.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ..bundle.readers import ModelReader
from ..errors import ModelInputError


def _xgb_estimator(source: Any) -> Any:
    """The XGBClassifier or XGBRegressor holding the booster of ``source`` (a path or a
    ``bytearray`` of the model), chosen by the booster's objective."""
    import xgboost

    booster = xgboost.Booster(model_file=source)
    objective = json.loads(booster.save_config())["learner"]["objective"]["name"]
    if objective.startswith(("binary:", "multi:")):
        estimator: Any = xgboost.XGBClassifier()
    elif objective.startswith(("reg:", "count:", "survival:")):
        estimator = xgboost.XGBRegressor()
    else:
        raise ModelInputError(f"model: the XGBoost objective {objective!r} is neither a "
                              "classification nor a regression (allowed: binary:*, "
                              "multi:*, reg:*, count:*, survival:*)")
    estimator.load_model(source)
    return estimator


def read_xgboost(path: Path) -> Any:
    try:
        return _xgb_estimator(str(path))
    except Exception as exc:  # XGBoostError: not a model file
        if isinstance(exc, ModelInputError):
            raise
        raise ModelInputError(f"MODEL_FILE: {path.name} is not an XGBoost model: "
                              f"{str(exc).splitlines()[0]}") from None


def adopt_xgboost(model: Any) -> Any:
    xgboost = sys.modules.get("xgboost")
    if xgboost is not None and isinstance(model, xgboost.Booster):
        return _xgb_estimator(bytearray(model.save_raw("ubj")))
    return None


def _lgbm_estimator(booster: Any) -> Any:
    """The LGBMClassifier or LGBMRegressor around ``booster``: the attributes its ``fit``
    would have set (classes 0..K-1 for a classifier)."""
    import lightgbm
    import numpy as np

    objective = str(booster.dump_model(num_iteration=0).get("objective", "")).split()[0]
    if objective in ("binary", "multiclass", "multiclassova"):
        estimator: Any = lightgbm.LGBMClassifier(objective=objective)
        n_classes = 2 if objective == "binary" else int(booster.params.get(
            "num_class") or booster.num_model_per_iteration())
        labels = np.arange(n_classes)
        estimator._le = lightgbm.sklearn._LGBMLabelEncoder().fit(labels)
        estimator._classes, estimator._n_classes = labels, n_classes
        estimator._class_map = {int(c): int(c) for c in labels}
    else:
        estimator = lightgbm.LGBMRegressor(objective=objective or "regression")
    estimator._Booster = booster
    estimator._n_features = estimator._n_features_in = booster.num_feature()
    estimator.fitted_ = True
    return estimator


def read_lightgbm(path: Path) -> Any:
    import lightgbm

    try:
        return _lgbm_estimator(lightgbm.Booster(model_file=str(path)))
    except lightgbm.basic.LightGBMError as exc:
        raise ModelInputError(f"MODEL_FILE: {path.name} is not a LightGBM model: "
                              f"{str(exc).splitlines()[0]}") from None


def adopt_lightgbm(model: Any) -> Any:
    lightgbm = sys.modules.get("lightgbm")
    if lightgbm is not None and isinstance(model, lightgbm.Booster):
        return _lgbm_estimator(model)
    return None


XGBOOST_READER = ModelReader("xgboost", "XGBoost", (".json", ".ubj"), read_xgboost,
                             adopt_xgboost)
LIGHTGBM_READER = ModelReader("lightgbm", "LightGBM", (".txt",), read_lightgbm,
                              adopt_lightgbm)
