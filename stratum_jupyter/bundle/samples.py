"""A sample of a model's inputs, as ``save_model(X=...)`` / ``stratum bundle --sample`` take
it: a table (CSV, Parquet), tensors (``.npy``; ``.npz`` for several named inputs) or a
folder of images (listed here, decoded when the image block is known)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ModelInputError
from .images import IMAGE_SUFFIXES, image_files

TABLES = (".csv", ".parquet", ".pq")
TENSORS = (".npy", ".npz")


def read_sample(path: str | Path) -> Any:
    """A DataFrame (CSV, Parquet), an array (``.npy``), a dict of arrays (``.npz``), or the
    list of image files of a folder. ModelInputError naming the path and what is read."""
    import numpy as np
    import pandas as pd

    path = Path(path)
    if path.is_dir():
        return image_files(path)
    if not path.is_file():
        raise ModelInputError(f"X: {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix == ".npy":
            return np.load(path, allow_pickle=False)
        if suffix == ".npz":
            with np.load(path, allow_pickle=False) as data:
                return {name: data[name] for name in data.files}
    except (ValueError, OSError) as exc:
        raise ModelInputError(f"X: {path.name} cannot be read as {suffix}: {exc}") from None
    raise ModelInputError(
        f"X: {str(path)!r} is not a sample stratum reads (allowed: {', '.join(TABLES)} for "
        f"tables, {', '.join(TENSORS)} for tensors, a folder of images "
        f"({'/'.join(IMAGE_SUFFIXES)}))")


def is_images(X: Any) -> bool:
    return isinstance(X, list) and bool(X) and all(isinstance(p, Path) for p in X)


def is_table(X: Any) -> bool:
    return hasattr(X, "columns") and hasattr(X, "iloc")
