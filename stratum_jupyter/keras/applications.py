"""Bundles of ``keras.applications`` image networks (Xception, InceptionResNetV2, ...) with
random weights, for profiling and benchmarks: the networks of the Stratum paper's figure.

No weights are downloaded (``weights=None``): a network's latency and memory do not depend
on its weights' values. The sample is a folder of PNGs (scikit-learn's two bundled photos,
resized, and their mirror images), so the bundle's service takes images, prepared as the
networks' own ``preprocess_input`` does (``x / 127.5 - 1``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ..errors import ModelInputError

__all__ = ["SMALLEST", "PREPROCESS", "application", "application_bundle"]

SMALLEST = {"Xception": 71, "InceptionResNetV2": 75, "InceptionV3": 75, "MobileNetV2": 32,
            "ResNet50": 32}
"""The smallest square input (pixels) each network accepts (``keras.applications``)."""

PREPROCESS = {"scale": 1 / 127.5, "offset": -1.0}
"""The image block of Xception's and InceptionResNetV2's ``preprocess_input``
(docs/model-inputs.md)."""


def application(name: str, size: int | None = None, *, classes: int = 1000,
                seed: int = 0) -> Any:
    """The ``keras.applications`` network ``name`` with random weights, for square RGB
    images of ``size`` pixels (default: its usual size, 299 for Xception and
    InceptionResNetV2), answering ``classes`` scores. ModelInputError for an unknown name
    or a size below the network's least (:data:`SMALLEST`)."""
    import keras

    build = getattr(keras.applications, name, None)
    if name not in SMALLEST or build is None:
        raise ModelInputError(f"name: {name!r} is not a keras.applications network known "
                              f"here (allowed: {', '.join(SMALLEST)})")
    size = int(size or (299 if name in ("Xception", "InceptionResNetV2", "InceptionV3")
                        else 224))
    if size < SMALLEST[name]:
        raise ModelInputError(f"size: {size} is below the {SMALLEST[name]} pixels {name} "
                              "takes at least")
    keras.utils.set_random_seed(seed)
    return build(weights=None, input_shape=(size, size, 3), classes=classes)


def application_bundle(name: str, directory: str | Path, size: int | None = None, *,
                       classes: int = 1000, images: int = 4, seed: int = 0) -> Path:
    """Save :func:`application` ``(name, size)`` as an image bundle in ``directory``: its
    sample ``images`` photos (:func:`..bundle.photos.write_photos`), classes
    0..classes-1, preparation :data:`PREPROCESS`. Returns the folder; ``stratum profile``,
    ``deploy`` and the service take it. ModelInputError as :func:`application` says."""
    from ..bundle import save_model
    from ..bundle.photos import write_photos

    network = application(name, size, classes=classes, seed=seed)
    side = int(network.inputs[0].shape[1])
    with tempfile.TemporaryDirectory(prefix="stratum-images-") as tmp:
        folder = write_photos(tmp, side, images)
        return save_model(network, directory, X=folder, classes=list(range(classes)),
                          image=dict(PREPROCESS))
