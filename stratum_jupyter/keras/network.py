"""Keras networks made anywhere (``keras.Model``, a ``.keras`` file) in a bundle: the network
alone as ``model.keras``, kind ``keras``. :data:`KERAS_NETWORK` is this plug-in's second
entry of ``stratum_jupyter.model_formats`` (beside :data:`.persist.KERAS`, the pipelines
around a KerasClassifier); :data:`KERAS_READER` its entry of
``stratum_jupyter.model_readers``."""

from __future__ import annotations

import sys
from collections.abc import Collection
from importlib import metadata
from pathlib import Path
from typing import Any

from ..bundle.formats import ModelFormat
from ..bundle.networks import NetworkModel, recorded_classes
from ..bundle.readers import ModelReader
from ..errors import ModelInputError


def _dims(shape: Any) -> list[int | None]:
    return [None, *[int(d) if d is not None else None for d in list(shape)[1:]]]


class KerasNetwork(NetworkModel):
    """A Keras model behind ``predict`` / ``predict_proba`` (``model_`` is the network, as
    in the plug-in's estimators, so the TFLite converter finds it)."""

    library = "keras"

    def __init__(self, network: Any, classes: list[Any] | None = None) -> None:
        if not getattr(network, "built", False) or not getattr(network, "inputs", None):
            raise ModelInputError(f"model: the Keras model {network.name!r} is not built "
                                  "(it has no inputs yet); build or fit it first")
        self.model_ = network
        self.classes_ = classes

    def specs(self, which: str = "inputs") -> list[dict[str, Any]]:
        tensors = self.model_.inputs if which == "inputs" else self.model_.outputs
        # an output is known by its layer's name (Keras' output_names, as the v2 protocol
        # answers it), not by its symbolic tensor's ("keras_tensor_7")
        layers = list(getattr(self.model_, "output_names", None) or []) \
            if which == "outputs" else []
        names = layers if len(layers) == len(tensors) else [
            str(getattr(t, "name", f"{which[:-1]}_{i}")).split(":")[0]
            for i, t in enumerate(tensors)]
        return [{"name": name, "shape": _dims(t.shape),
                 "dtype": str(getattr(t, "dtype", "float32"))}
                for name, t in zip(names, tensors, strict=True)]

    def scores(self, X: Any) -> Any:
        import numpy as np

        if isinstance(X, dict):  # several inputs, by name, in the model's order
            X = [X[s["name"]] for s in self.specs()]
        elif hasattr(X, "to_numpy"):
            X = X.to_numpy(dtype=self.specs()[0]["dtype"])
        return np.asarray(self.model_.predict(X, verbose=0))


def is_network(model: Any) -> bool:
    return isinstance(model, KerasNetwork)


def _save(model: KerasNetwork, directory: Path) -> Path:
    path = directory / "model.keras"
    model.model_.save(path)
    return path


def _load(directory: Path, trusted: Collection[str] = ()) -> KerasNetwork:
    import keras

    return KerasNetwork(keras.saving.load_model(directory / "model.keras"),
                        classes=recorded_classes(directory))


def _holds_network(directory: Path) -> bool:
    return (directory / "model.keras").is_file() and not (directory / "model.skops").exists()


def network_requirements() -> list[str]:
    """What the network needs at prediction time: the TensorFlow distribution installed
    (``tensorflow-cpu`` on Linux x86-64), keras, numpy."""
    return [*metadata.packages_distributions().get("tensorflow", []), "keras", "numpy"]


def _read(path: Path) -> KerasNetwork:
    import keras

    try:
        return KerasNetwork(keras.saving.load_model(path))
    except (ValueError, OSError) as exc:
        raise ModelInputError(f"MODEL_FILE: {path.name} is not a Keras model Keras loads: "
                              f"{exc}") from None


def _adopt(model: Any) -> KerasNetwork | None:
    keras = sys.modules.get("keras")  # a keras.Model exists only if keras was imported
    if keras is not None and isinstance(model, keras.Model):
        return KerasNetwork(model)
    return None


KERAS_NETWORK = ModelFormat(name="keras-network", kind="keras", label="Keras",
                            claims=is_network, save=_save, detect=_holds_network, load=_load,
                            requirements=network_requirements)
KERAS_READER = ModelReader("keras", "Keras", (".keras", ".h5"), _read, _adopt)
