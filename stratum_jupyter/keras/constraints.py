"""What a valid ``layers`` value is: a non-empty list of Dense layer mappings."""

from __future__ import annotations

import numbers
from typing import Any

ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu", "elu", "selu", "swish", "linear")
LAYER_KEYS = ("units", "activation", "dropout")


def layer_problem(layer: Any) -> str | None:
    """None if ``layer`` is a valid Dense layer mapping, else what is wrong with it."""
    if not isinstance(layer, dict):
        return f"a layer is a mapping {{units, activation, dropout}}, not {layer!r}"
    unknown = set(layer) - set(LAYER_KEYS)
    if unknown:
        return f"unknown layer key(s) {sorted(unknown)} (allowed: {', '.join(LAYER_KEYS)})"
    units = layer.get("units")
    if not isinstance(units, numbers.Integral) or isinstance(units, bool) or units < 1:
        return f"units must be an int >= 1, got {units!r}"
    activation = layer.get("activation", "relu")
    if activation not in ACTIVATIONS:
        return f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}"
    dropout = layer.get("dropout", 0.0)
    if not isinstance(dropout, numbers.Real) or isinstance(dropout, bool) \
            or not 0 <= float(dropout) < 1:
        return f"dropout must be a float in [0, 1), got {dropout!r}"
    return None


def layers_problem(layers: Any) -> str | None:
    """None if ``layers`` is a non-empty list of valid layers, else the first problem."""
    if not isinstance(layers, list | tuple) or not layers:
        return f"layers must be a non-empty list of layer mappings, got {layers!r}"
    for i, layer in enumerate(layers):
        problem = layer_problem(layer)
        if problem:
            return f"layer {i}: {problem}"
    return None
