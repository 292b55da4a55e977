"""Marks shared by test modules of several packages."""

from __future__ import annotations

import importlib.util

import pytest

needs_tensorflow = pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None,
                                      reason="TensorFlow is the [tensorflow] extra, "
                                             "not installed")
"""Skip where the optional TensorFlow extra is not installed (it is in ``make install``)."""

SLOW_TENSORFLOW = [pytest.mark.slow, needs_tensorflow]
"""``pytestmark`` of a module whose every test trains or converts a Keras model."""
