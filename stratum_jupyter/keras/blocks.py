"""Entry point of the ``stratum_jupyter.blocks`` group for the Keras blocks (no TensorFlow)."""

from __future__ import annotations


def keras_blocks() -> list[type]:
    from .estimators import KerasClassifier, KerasRegressor

    return [KerasClassifier, KerasRegressor]
