"""``KerasClassifier`` and ``KerasRegressor``: a Dense network described by plain parameters."""

from __future__ import annotations

import io
import os
import tempfile
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .constraints import layers_problem

DEFAULT_LAYERS = ({"units": 64, "activation": "relu"},)


class _KerasEstimator(BaseEstimator):
    """Shared parameters, network building, training and (un)pickling."""

    _parameter_constraints: dict = {
        "layers": [list, tuple],  # the shape of each layer: _stratum_check_param
        "optimizer": [StrOptions({"adam", "adamw", "sgd", "rmsprop"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "patience": [Interval(Integral, 0, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, layers=DEFAULT_LAYERS, optimizer="adam", learning_rate=1e-3, epochs=50,
                 batch_size=32, early_stopping=True, patience=5, validation_fraction=0.1,
                 random_state=None, verbose=0):
        self.layers = layers
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.verbose = verbose

    @classmethod
    def _stratum_check_param(cls, name: str, value: Any) -> str | None:
        """Checks beyond ``_parameter_constraints``, used by the spec validator too."""
        return layers_problem(value) if name == "layers" else None

    def _check_params(self) -> None:
        self._validate_params()
        problem = self._stratum_check_param("layers", self.layers)
        if problem:
            raise ValueError(f"The 'layers' parameter of {type(self).__name__}: {problem}")

    # Subclasses: the output layer, the loss, and how targets are encoded.
    def _output(self, keras: Any) -> Any:
        raise NotImplementedError

    def _loss(self) -> str:
        raise NotImplementedError

    def _build(self, n_features: int) -> Any:
        import keras

        model = keras.Sequential([keras.Input(shape=(n_features,))])
        for layer in self.layers:
            model.add(keras.layers.Dense(int(layer["units"]),
                                         activation=layer.get("activation", "relu")))
            if layer.get("dropout"):
                model.add(keras.layers.Dropout(float(layer["dropout"])))
        model.add(self._output(keras))
        optimizer = keras.optimizers.get({"class_name": self.optimizer,
                                          "config": {"learning_rate": self.learning_rate}})
        model.compile(optimizer=optimizer, loss=self._loss())
        return model

    def _train(self, X: np.ndarray, y: np.ndarray) -> None:
        import keras

        if self.random_state is not None:
            keras.utils.set_random_seed(int(self.random_state) % (2**31))
        self.model_ = self._build(X.shape[1])
        callbacks, validation = [], None
        if self.early_stopping and self.validation_fraction > 0 and len(X) >= 20:
            # Keras' validation_split takes the *last* rows: wrong for sorted data. Shuffle
            # (stratified for classifiers) and hold out our own validation set instead.
            from sklearn.model_selection import train_test_split

            stratify = y if isinstance(self, ClassifierMixin) and _splittable(y) else None
            X, X_val, y, y_val = train_test_split(
                X, y, test_size=self.validation_fraction, random_state=self.random_state,
                stratify=stratify)
            validation = (X_val, y_val)
            callbacks.append(keras.callbacks.EarlyStopping(
                patience=self.patience, restore_best_weights=True))
        history = self.model_.fit(
            X, y, epochs=self.epochs, batch_size=self.batch_size, callbacks=callbacks,
            validation_data=validation, verbose=self.verbose, shuffle=True)
        self.n_epochs_ = len(history.history["loss"])
        self.loss_ = float(history.history["loss"][-1])

    def _forward(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=np.float32)
        return np.asarray(self.model_(X, training=False))

    # Keras models do not pickle portably: carry them as .keras bytes (Dask, joblib, skops).
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        model = state.pop("model_", None)
        if model is not None:
            state["_model_bytes"] = model_to_bytes(model)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        data = state.pop("_model_bytes", None)
        self.__dict__.update(state)
        if data is not None:
            self.model_ = model_from_bytes(data)


def _splittable(y: np.ndarray) -> bool:
    """Whether every class has at least two rows (stratified splitting needs them)."""
    return bool(np.unique(y, return_counts=True)[1].min() >= 2)


def model_to_bytes(model: Any) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        model.save(path)
        with open(path, "rb") as f:
            return f.read()


def model_from_bytes(data: bytes) -> Any:
    import keras

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        with open(path, "wb") as f:
            f.write(io.BytesIO(data).getvalue())
        return keras.saving.load_model(path)


class KerasClassifier(ClassifierMixin, _KerasEstimator):
    """A Dense neural network classifier (Keras), trained with early stopping."""

    def _output(self, keras: Any) -> Any:
        return keras.layers.Dense(len(self.classes_), activation="softmax")

    def _loss(self) -> str:
        return "sparse_categorical_crossentropy"

    def fit(self, X: Any, y: Any) -> KerasClassifier:
        self._check_params()
        X, y = validate_data(self, X, y, dtype=np.float32)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        self._train(X, encoded.astype(np.int32))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        return self._forward(X)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class KerasRegressor(RegressorMixin, _KerasEstimator):
    """A Dense neural network regressor (Keras), trained with early stopping."""

    def _output(self, keras: Any) -> Any:
        return keras.layers.Dense(1)

    def _loss(self) -> str:
        return "mse"

    def fit(self, X: Any, y: Any) -> KerasRegressor:
        self._check_params()
        X, y = validate_data(self, X, y, dtype=np.float32, y_numeric=True)
        self._train(X, np.asarray(y, dtype=np.float32))
        return self

    def predict(self, X: Any) -> np.ndarray:
        return self._forward(X).ravel()
