"""Keras models in a bundle: the network as ``model.keras``, the pipeline around it (scalers,
the wrapper's parameters and classes) as ``model.skops`` with the network detached."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def final_estimator(model: Any) -> Any:
    steps = getattr(model, "steps", None)
    return steps[-1][1] if steps else model


def is_keras(model: Any) -> bool:
    return getattr(final_estimator(model), "_stratum_kind", None) == "keras"


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
