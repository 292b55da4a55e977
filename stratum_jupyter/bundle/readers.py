"""Models made elsewhere, as ``save_model`` / ``stratum bundle`` take them: a registry of
readers, one per library. A reader reads the library's model files (by suffix) and adopts
its in-memory models (a Keras network, an ``onnx.ModelProto``, an XGBoost ``Booster``) as
objects a bundle format writes. Built-ins: ``skops`` and ``onnx``; the Keras and boosting
plug-ins add theirs through the entry-point group ``stratum_jupyter.model_readers``, so the
core never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ModelInputError
from ..plugins import Registry

ENTRY_POINT_GROUP = "stratum_jupyter.model_readers"


def adopts_nothing(model: Any) -> Any:
    return None


@dataclass(frozen=True)
class ModelReader:
    """How one library's models enter a bundle."""

    name: str
    label: str
    """The library for people: ``ONNX``, ``XGBoost``."""
    suffixes: tuple[str, ...]
    """The model files it reads (``.onnx``), lower case."""
    read: Callable[[Path], Any]
    """A model file -> a model a bundle format writes."""
    adopt: Callable[[Any], Any] = adopts_nothing
    """An in-memory model of this library -> one a format writes; None if not its kind."""


def _read_skops(path: Path) -> Any:
    from .formats import load_skops

    return load_skops(path)


def _read_onnx(path: Path) -> Any:
    from .onnx_format import read_onnx

    return read_onnx(path)


def _adopt_onnx(model: Any) -> Any:
    from .onnx_format import adopt_onnx

    return adopt_onnx(model)


SKOPS_READER = ModelReader("skops", "scikit-learn (skops)", (".skops",), _read_skops)
ONNX_READER = ModelReader("onnx", "ONNX", (".onnx",), _read_onnx, _adopt_onnx)

MODEL_READERS: Registry[ModelReader] = Registry(
    ENTRY_POINT_GROUP, ModelReader, "model reader",
    {SKOPS_READER.name: SKOPS_READER, ONNX_READER.name: ONNX_READER})


def suffixes() -> list[str]:
    return [s for reader in MODEL_READERS.values() for s in reader.suffixes]


def read_model_file(path: str | Path) -> Any:
    """The model in ``path``, read by the reader of its suffix (a folder: a SavedModel is
    not read; a ``.keras`` file is). ModelInputError naming the file and the suffixes read."""
    path = Path(path)
    if not path.exists():
        raise ModelInputError(f"MODEL_FILE: {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    reader = MODEL_READERS.find(lambda r: suffix in r.suffixes)
    if reader is None or not path.is_file():
        raise ModelInputError(
            f"MODEL_FILE: {str(path)!r} is not a model file stratum reads (allowed: "
            f"{', '.join(suffixes())}; a scikit-learn model in a notebook: "
            "stratum_jupyter.save_model(model, dir, X=sample))")
    try:
        return reader.read(path)
    except ImportError as exc:  # the reader's library is an optional extra
        raise ModelInputError(f"MODEL_FILE: {path.name} is a {reader.label} model, but "
                              f"{exc.name or reader.label} is not installed (pip install "
                              "stratum-jupyter[boosting] or [tensorflow])") from None


def adopt(model: Any) -> Any:
    """``model`` as a bundle format takes it: a path is read (:func:`read_model_file`); a
    library's own model is adopted by its reader; anything else is returned as it is."""
    if isinstance(model, str | Path):
        return read_model_file(model)
    for reader in reversed(MODEL_READERS.values()):
        adopted = reader.adopt(model)
        if adopted is not None:
            return adopted
    return model
