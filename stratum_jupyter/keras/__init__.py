"""Keras models as scikit-learn estimators: blocks ``KerasClassifier`` and ``KerasRegressor``.

TensorFlow is imported only when a model is fitted, loaded or used (so in the Dask tasks that
need it), never when the catalog or a spec names these blocks. Install it with
``pip install stratum-jupyter[tensorflow]``.
"""

from .estimators import KerasClassifier, KerasRegressor
from .tflite import convert_tflite

__all__ = ["KerasClassifier", "KerasRegressor", "convert_tflite"]
