"""XGBoost, LightGBM and CatBoost as scikit-learn estimators a spec can name: each block
holds the library's main parameters as data (``_parameter_constraints``, from the
libraries' signatures and documentation), builds the library's own scikit-learn estimator
when fitted (``model_``) and hands predictions to it.

What the blocks add to the library's estimator:

* early stopping on an inner validation split of the rows they are fitted on
  (``early_stopping_rounds``, ``validation_fraction``; stratified for classifiers), so under
  cross-validation it never sees the test fold;
* categories natively: columns of pandas ``category`` dtype are the library's categorical
  features (XGBoost ``enable_categorical``, LightGBM from the dtype, CatBoost
  ``cat_features``);
* class labels of any kind (XGBoost takes 0..K-1 only): ``classes_`` as scikit-learn has
  them.

Imports numpy, pandas and scikit-learn only (the library when fitted): the deploy bundle
copies this file beside the prediction service, which loads saved models without
stratum_jupyter (``serving/trust.py``: ``OWN_TYPES``).
"""

from __future__ import annotations

import importlib
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

_POSITIVE = Interval(Real, 0, None, closed="neither")
_FRACTION = Interval(Real, 0, 1, closed="right")
_NON_NEGATIVE = Interval(Real, 0, None, closed="left")
_COUNT = Interval(Integral, 1, None, closed="left")
_STOPPING = {"early_stopping_rounds": [_COUNT, None],
             "validation_fraction": [Interval(Real, 0, 1, closed="neither")]}


class _Booster(BaseEstimator):
    """Shared fitting: the library's estimator from this block's parameters, early stopping
    on an inner split, categories from the dtype, labels encoded for classifiers."""

    _module = ""  # the library's module: "xgboost"
    _native = ""  # its estimator's class name: "XGBClassifier"
    _stopping = ("early_stopping_rounds", "validation_fraction")

    def _library_params(self) -> dict[str, Any]:
        return {k: v for k, v in self.get_params(deep=False).items() if k not in self._stopping}

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # the three libraries learn where gaps go
        return tags

    def _fit_kwargs(self, X: Any, validation: tuple[Any, Any] | None) -> dict[str, Any]:
        """What the library's ``fit`` takes besides X and y (the validation set)."""
        raise NotImplementedError

    def _make(self) -> Any:
        cls = getattr(importlib.import_module(self._module), self._native)
        return cls(**self._library_params())

    def _split(self, X: Any, y: np.ndarray) -> tuple[Any, np.ndarray, Any]:
        """The rows to train on and the inner validation set (None without early stopping).
        Stratified for classifiers whose every class has two rows."""
        if self.early_stopping_rounds is None:
            return X, y, None
        from sklearn.model_selection import train_test_split

        counts = np.unique(y, return_counts=True)[1]
        stratify = y if isinstance(self, ClassifierMixin) and counts.min() >= 2 else None
        seed = self.get_params().get("random_state", self.get_params().get("random_seed"))
        X_fit, X_val, y_fit, y_val = train_test_split(
            X, y, test_size=self.validation_fraction, random_state=seed, stratify=stratify)
        return X_fit, y_fit, (X_val, y_val)

    def _train(self, X: Any, y: np.ndarray) -> None:
        self._validate_params()
        X_fit, y_fit, validation = self._split(X, y)
        model = self._make()
        model.fit(X_fit, y_fit, **self._fit_kwargs(X_fit, validation))
        self.model_ = model
        self.n_features_in_ = X.shape[1]
        self.category_columns_ = category_columns(X)
        if hasattr(X, "columns"):
            self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        best = getattr(model, "best_iteration_", None)
        if best is None:
            best = getattr(model, "best_iteration", None)
        self.best_iteration_ = None if best is None or validation is None else int(best)

    def _stratum_onnx_model(self) -> Any:
        """The library's fitted estimator as skl2onnx converts it in this block's place
        (its converter registered; class labels as ``classes_``). Edge deploy's ONNX export
        calls this (``deploy/onnx_converter.py``); raises ImportError without onnxmltools and
        NotImplementedError where a converter cannot take the model."""
        import copy

        check_is_fitted(self, "model_")
        if getattr(self, "category_columns_", None):
            raise NotImplementedError(
                f"its category columns ({', '.join(self.category_columns_)}) are used natively, "
                "which the ONNX converters of onnxmltools do not take")
        from .onnx_convert import onnx_stand_in  # stratum_jupyter's, not in a service

        model = copy.deepcopy(self.model_)
        model.__class__ = onnx_stand_in(self._module, self._native)
        model.stratum_classes = getattr(self, "classes_", None)
        if self._module == "xgboost":
            # onnxmltools reads features by XGBoost's own names (f0, f1, ...), not a table's.
            model.get_booster().feature_names = None
        return model

    def _raw_predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "model_")
        return np.asarray(self.model_.predict(X))


class _BoosterClassifier(ClassifierMixin, _Booster):
    def fit(self, X: Any, y: Any) -> _BoosterClassifier:
        """Fit on ``X`` (n_samples, n_features; a table may hold category columns) and
        labels ``y`` (n_samples,) of any kind."""
        self.classes_, encoded = np.unique(np.asarray(y), return_inverse=True)
        self._train(X, encoded.astype(np.int64))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, (n_samples, n_classes) in the order of ``classes_``."""
        check_is_fitted(self, "model_")
        return np.asarray(self.model_.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row, (n_samples,)."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class _BoosterRegressor(RegressorMixin, _Booster):
    def fit(self, X: Any, y: Any) -> _BoosterRegressor:
        """Fit on ``X`` (n_samples, n_features) and numbers ``y`` (n_samples,)."""
        self._train(X, np.asarray(y, dtype=np.float64))
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values, (n_samples,)."""
        return self._raw_predict(X).ravel()


def category_columns(X: Any) -> list[str]:
    """The names of a table's pandas ``category`` columns (none for an array)."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None:
        return []
    return [str(name) for name, dtype in dtypes.items() if str(dtype) == "category"]


class _XGBoost(_Booster):
    """XGBoost's parameters (``xgboost.XGBModel``; defaults are the library's)."""

    _module = "xgboost"
    _parameter_constraints: dict = {
        "n_estimators": [_COUNT],
        "learning_rate": [_POSITIVE],
        "max_depth": [Interval(Integral, 0, None, closed="left")],
        "min_child_weight": [_NON_NEGATIVE],
        "subsample": [_FRACTION],
        "colsample_bytree": [_FRACTION],
        "gamma": [_NON_NEGATIVE],
        "reg_alpha": [_NON_NEGATIVE],
        "reg_lambda": [_NON_NEGATIVE],
        "tree_method": [StrOptions({"hist", "approx", "exact"})],
        "enable_categorical": ["boolean"],
        "max_cat_to_onehot": [_COUNT, None],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
        "n_jobs": [Interval(Integral, -1, None, closed="left"), None],
        **_STOPPING,
    }

    def __init__(self, n_estimators=100, learning_rate=0.3, max_depth=6, min_child_weight=1.0,
                 subsample=1.0, colsample_bytree=1.0, gamma=0.0, reg_alpha=0.0, reg_lambda=1.0,
                 tree_method="hist", enable_categorical=True, max_cat_to_onehot=None,
                 random_state=None, n_jobs=None, early_stopping_rounds=None,
                 validation_fraction=0.1):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.min_child_weight = min_child_weight
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.gamma = gamma
        self.reg_alpha = reg_alpha
        self.reg_lambda = reg_lambda
        self.tree_method = tree_method
        self.enable_categorical = enable_categorical
        self.max_cat_to_onehot = max_cat_to_onehot
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction

    def _library_params(self) -> dict[str, Any]:
        # XGBoost takes the rounds when built and the validation set when fitted.
        params = super()._library_params()
        params["early_stopping_rounds"] = self.early_stopping_rounds
        return params

    def _fit_kwargs(self, X: Any, validation: tuple[Any, Any] | None) -> dict[str, Any]:
        return {"verbose": False, **({"eval_set": [validation]} if validation else {})}


class XGBClassifier(_BoosterClassifier, _XGBoost):
    """XGBoost's gradient-boosted trees classifier (``xgboost.XGBClassifier``)."""

    _native = "XGBClassifier"


class XGBRegressor(_BoosterRegressor, _XGBoost):
    """XGBoost's gradient-boosted trees regressor (``xgboost.XGBRegressor``)."""

    _native = "XGBRegressor"


class _LightGBM(_Booster):
    """LightGBM's parameters (``lightgbm.LGBMModel``; defaults are the library's, but
    ``verbose=-1``: quiet)."""

    _module = "lightgbm"
    _parameter_constraints: dict = {
        "boosting_type": [StrOptions({"gbdt", "dart", "rf"})],
        "num_leaves": [Interval(Integral, 2, 131072, closed="both")],
        "max_depth": [Interval(Integral, -1, None, closed="left")],
        "learning_rate": [_POSITIVE],
        "n_estimators": [_COUNT],
        "min_child_samples": [Interval(Integral, 0, None, closed="left")],
        "min_child_weight": [_NON_NEGATIVE],
        "subsample": [_FRACTION],
        "subsample_freq": [Interval(Integral, 0, None, closed="left")],
        "colsample_bytree": [_FRACTION],
        "reg_alpha": [_NON_NEGATIVE],
        "reg_lambda": [_NON_NEGATIVE],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
        "n_jobs": [Interval(Integral, -1, None, closed="left"), None],
        "verbose": [Interval(Integral, -1, None, closed="left")],
        **_STOPPING,
    }

    def __init__(self, boosting_type="gbdt", num_leaves=31, max_depth=-1, learning_rate=0.1,
                 n_estimators=100, min_child_samples=20, min_child_weight=1e-3, subsample=1.0,
                 subsample_freq=0, colsample_bytree=1.0, reg_alpha=0.0, reg_lambda=0.0,
                 random_state=None, n_jobs=None, verbose=-1, early_stopping_rounds=None,
                 validation_fraction=0.1):
        self.boosting_type = boosting_type
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.n_estimators = n_estimators
        self.min_child_samples = min_child_samples
        self.min_child_weight = min_child_weight
        self.subsample = subsample
        self.subsample_freq = subsample_freq
        self.colsample_bytree = colsample_bytree
        self.reg_alpha = reg_alpha
        self.reg_lambda = reg_lambda
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction

    def _fit_kwargs(self, X: Any, validation: tuple[Any, Any] | None) -> dict[str, Any]:
        if validation is None:
            return {}
        import lightgbm

        X_val, y_val = validation
        # LightGBM 4.7 takes eval_X/eval_y and deprecates eval_set; 4.3-4.6 take eval_set.
        given = {"eval_X": (X_val,), "eval_y": (y_val,)} if _takes(self._make().fit, "eval_X") \
            else {"eval_set": [validation]}
        return {**given, "callbacks": [
            lightgbm.early_stopping(self.early_stopping_rounds, verbose=False)]}


class LGBMClassifier(_BoosterClassifier, _LightGBM):
    """LightGBM's gradient-boosted trees classifier (``lightgbm.LGBMClassifier``)."""

    _native = "LGBMClassifier"


class LGBMRegressor(_BoosterRegressor, _LightGBM):
    """LightGBM's gradient-boosted trees regressor (``lightgbm.LGBMRegressor``)."""

    _native = "LGBMRegressor"


class _CatBoost(_Booster):
    """CatBoost's parameters (``catboost.CatBoost``; None leaves one to the library, which
    picks e.g. the learning rate from the data and the bootstrap that ``bagging_temperature``
    or ``subsample`` apply to; quiet and writing no ``catboost_info`` folder)."""

    _module = "catboost"
    _parameter_constraints: dict = {
        "iterations": [_COUNT],
        "learning_rate": [_POSITIVE, None],
        "depth": [Interval(Integral, 1, 16, closed="both")],
        "l2_leaf_reg": [_NON_NEGATIVE, None],
        "random_strength": [_NON_NEGATIVE, None],
        "bagging_temperature": [_NON_NEGATIVE, None],
        "subsample": [_FRACTION, None],
        "rsm": [_FRACTION, None],
        "border_count": [Interval(Integral, 1, 65535, closed="both"), None],
        "min_data_in_leaf": [_COUNT, None],
        "one_hot_max_size": [Interval(Integral, 0, 255, closed="both"), None],
        "random_seed": [Interval(Integral, 0, None, closed="left"), None],
        "thread_count": [Interval(Integral, -1, None, closed="left")],
        "verbose": ["boolean"],
        "allow_writing_files": ["boolean"],
        **_STOPPING,
    }

    def __init__(self, iterations=1000, learning_rate=None, depth=6, l2_leaf_reg=None,
                 random_strength=None, bagging_temperature=None, subsample=None, rsm=None,
                 border_count=None, min_data_in_leaf=None, one_hot_max_size=None,
                 random_seed=None,
                 thread_count=-1, verbose=False, allow_writing_files=False,
                 early_stopping_rounds=None, validation_fraction=0.1):
        self.iterations = iterations
        self.learning_rate = learning_rate
        self.depth = depth
        self.l2_leaf_reg = l2_leaf_reg
        self.random_strength = random_strength
        self.bagging_temperature = bagging_temperature
        self.subsample = subsample
        self.rsm = rsm
        self.border_count = border_count
        self.min_data_in_leaf = min_data_in_leaf
        self.one_hot_max_size = one_hot_max_size
        self.random_seed = random_seed
        self.thread_count = thread_count
        self.verbose = verbose
        self.allow_writing_files = allow_writing_files
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction

    def _library_params(self) -> dict[str, Any]:
        # CatBoost reads None as "not given" for most parameters but not all: leave them out.
        return {k: v for k, v in super()._library_params().items() if v is not None}

    def _fit_kwargs(self, X: Any, validation: tuple[Any, Any] | None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"cat_features": category_columns(X) or None}
        if validation is not None:
            kwargs.update(eval_set=validation, early_stopping_rounds=self.early_stopping_rounds)
        return kwargs


class CatBoostClassifier(_BoosterClassifier, _CatBoost):
    """CatBoost's gradient-boosted trees classifier (``catboost.CatBoostClassifier``)."""

    _native = "CatBoostClassifier"


class CatBoostRegressor(_BoosterRegressor, _CatBoost):
    """CatBoost's gradient-boosted trees regressor (``catboost.CatBoostRegressor``)."""

    _native = "CatBoostRegressor"


BLOCKS = (XGBClassifier, XGBRegressor, LGBMClassifier, LGBMRegressor, CatBoostClassifier,
          CatBoostRegressor)
LIBRARIES = {"xgboost": (XGBClassifier, XGBRegressor), "lightgbm": (LGBMClassifier,
             LGBMRegressor), "catboost": (CatBoostClassifier, CatBoostRegressor)}


def _takes(function: Any, name: str) -> bool:
    import inspect

    return name in inspect.signature(function).parameters
