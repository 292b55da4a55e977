"""Keras models in a bundle: the network as ``model.keras``, the pipeline around it (scalers,
the wrapper's parameters and classes) as ``model.skops`` with the network detached.

:data:`KERAS` is this plug-in's entry of the ``stratum_jupyter.model_formats`` group."""

from __future__ import annotations

from collections.abc import Collection
from importlib import metadata
from pathlib import Path
from typing import Any

from ..bundle.formats import ModelFormat, load_skops


def final_estimator(model: Any) -> Any:
    steps = getattr(model, "steps", None)
    return steps[-1][1] if steps else model


def is_keras(model: Any) -> bool:
    """Whether ``model`` (or a pipeline's final step) is one of this plug-in's estimators."""
    from .estimators import KerasClassifier, KerasRegressor

    return isinstance(final_estimator(model), KerasClassifier | KerasRegressor)


def save_keras_model(model: Any, directory: Path) -> Path:
    """Write ``model.keras`` and ``model.skops``; returns the path of ``model.keras``."""
    import skops.io

    final = final_estimator(model)
    network = final.model_
    network.save(directory / "model.keras")
    del final.model_  # the skops file holds everything but the network
    try:
        skops.io.dump(model, directory / "model.skops")
    finally:
        final.model_ = network
    return directory / "model.keras"


def attach_network(model: Any, path: Path) -> Any:
    """Load ``model.keras`` into the final step of a pipeline read from ``model.skops``."""
    import keras

    final_estimator(model).model_ = keras.saving.load_model(path)
    return model


def load_keras_model(directory: Path, trusted: Collection[str] = ()) -> Any:
    """The pipeline of ``model.skops`` with the network of ``model.keras`` attached."""
    return attach_network(load_skops(directory / "model.skops", trusted),
                          directory / "model.keras")


def holds_keras_model(directory: Path) -> bool:
    return (directory / "model.keras").exists() and (directory / "model.skops").is_file()


def keras_requirements() -> list[str]:
    """Whichever TensorFlow distribution is installed (tensorflow, tensorflow-cpu, ...) and
    keras: what a Keras model needs at prediction time."""
    return [*metadata.packages_distributions().get("tensorflow", []), "keras"]


KERAS = ModelFormat(name="keras", kind="keras", label="Keras", claims=is_keras,
                    save=save_keras_model, detect=holds_keras_model, load=load_keras_model,
                    requirements=keras_requirements)
