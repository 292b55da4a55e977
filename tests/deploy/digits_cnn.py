"""A small Keras CNN on scikit-learn's bundled digits, upscaled to 16x16 grey PNGs: the
accuracy-bearing image model of the edge-conversion tests (issue 24, items 5 and 6)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

SIZE = 16
TRAIN = 1400
"""The first 1,400 digits train; the other 397 are held out."""


def digit_images() -> tuple[np.ndarray, np.ndarray]:
    """``(uint8 images (1797, 16, 16), labels)``: the 8x8 digits (0..16) as 0..255 grey,
    resized with Pillow (bilinear)."""
    from PIL import Image
    from sklearn.datasets import load_digits

    data = load_digits()
    images = [np.asarray(Image.fromarray(np.rint(im * 255 / 16).astype(np.uint8), "L")
                         .resize((SIZE, SIZE), Image.Resampling.BILINEAR))
              for im in data.images]
    return np.stack(images), data.target


def as_input(images: np.ndarray) -> np.ndarray:
    """What the bundle's image block makes of the PNGs: (n, 16, 16, 1) float32 pixel/255."""
    return (images.astype(np.float32) * np.float32(1 / 255))[..., None]


def train_cnn(images: np.ndarray, labels: np.ndarray, epochs: int = 4) -> Any:
    """Conv2D 8x3x3, max-pool, Dense 10 (softmax), seeded; ``pixels`` in, ``digit`` out."""
    import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((SIZE, SIZE, 1), name="pixels")
    hidden = keras.layers.MaxPooling2D()(keras.layers.Conv2D(8, 3, activation="relu")(inputs))
    outputs = keras.layers.Dense(10, activation="softmax", name="digit")(
        keras.layers.Flatten()(hidden))
    model = keras.Model(inputs, outputs)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(as_input(images), labels, epochs=epochs, batch_size=32, verbose=0)
    return model


def png(image: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image, "L").save(buffer, "PNG")
    return buffer.getvalue()


def write_pngs(images: np.ndarray, labels: np.ndarray | None, folder: Path,
               first: int = 0) -> list[Path]:
    """The images as PNGs in ``folder`` (in subfolders named by label when given), named by
    their index so that a folder lists them in order."""
    paths = []
    for i, image in enumerate(images):
        where = folder / str(labels[i]) if labels is not None else folder
        where.mkdir(parents=True, exist_ok=True)
        path = where / f"{first + i:05d}.png"
        path.write_bytes(png(image))
        paths.append(path)
    return paths
