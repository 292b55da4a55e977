"""Model formats of a bundle: how a kind of model is written and read back. A registry: the
built-in ``skops`` format (scikit-learn models, no pickle) first, then the entry points of
the ``stratum_jupyter.model_formats`` group (the Keras plug-in adds ``keras`` there).

Saving picks the last-registered format that claims the model; loading, the last-registered
format whose files the bundle holds. ``skops`` claims every model, so it is the fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import StratumError
from ..plugins import Registry
from ..serving import trust

ENTRY_POINT_GROUP = "stratum_jupyter.model_formats"

# Packages whose types a skops file may hold (see .trust for the whole rule: classes only of
# builtins and collections, functools.partial of a trusted function); this package's own
# types are trusted by load_model, not by the prediction service, which runs without it.
OWN_ROOTS = ("stratum_jupyter",)
TRUSTED_ROOTS = (*trust.TRUSTED_ROOTS, *OWN_ROOTS)


def no_requirements() -> list[str]:
    return []


@dataclass(frozen=True)
class ModelFormat:
    """One way of writing a fitted model into a bundle folder and reading it back."""

    name: str
    kind: str
    """What the profile calls such a model (``profile["kind"]``)."""
    label: str
    """The kind for people, in messages: ``scikit-learn``, ``Keras``."""
    claims: Callable[[Any], bool]
    """Whether this format writes this fitted model."""
    save: Callable[[Any, Path], Path]
    """Write the model into the folder; the path of its main file."""
    detect: Callable[[Path], bool]
    """Whether a bundle folder holds a model in this format."""
    load: Callable[[Path, Collection[str]], Any]
    """Read the model back from the folder, trusting these extra type names."""
    requirements: Callable[[], list[str]] = no_requirements
    """Distributions needed at prediction time beyond the estimators' own packages."""


def load_skops(path: Path, trusted: Collection[str] = ()) -> Any:
    """Load a skops file, trusting only what :mod:`.trust`'s rule trusts (plus the type
    names ``trusted``)."""
    import skops.io

    untrusted, refused = trust.audit(path, roots=OWN_ROOTS, extra=trusted)
    if refused:
        raise StratumError(
            f"{path} holds types that are not trusted: {', '.join(refused)}; "
            "pass trusted=[...] if you know where this file comes from")
    return skops.io.load(path, trusted=untrusted)


def _save_skops(model: Any, directory: Path) -> Path:
    import skops.io

    path = directory / "model.skops"
    skops.io.dump(model, path)
    return path


def estimator_like(model: Any) -> bool:
    """Whether ``model`` has scikit-learn's estimator API (``fit`` and ``get_params``, what
    ``clone`` needs): scikit-learn's own, and XGBoost's, LightGBM's and CatBoost's
    estimators. skops writes such objects; others (a Keras model without its plug-in, an
    ONNX ``ModelProto``) are refused by name instead of being handed to skops, which may
    fail deep inside, or abort, on objects it was not made for."""
    return callable(getattr(model, "fit", None)) and callable(getattr(model, "get_params",
                                                                      None))


SKOPS = ModelFormat(
    name="skops", kind="sklearn", label="scikit-learn", claims=estimator_like,
    save=_save_skops, detect=lambda directory: (directory / "model.skops").is_file(),
    load=lambda directory, trusted: load_skops(directory / "model.skops", trusted))

MODEL_FORMATS: Registry[ModelFormat] = Registry(
    ENTRY_POINT_GROUP, ModelFormat, "model format", {SKOPS.name: SKOPS})


def format_for(model: Any) -> ModelFormat:
    """The format that writes ``model``: the last-registered one that claims it. A
    StratumError naming the registered formats where none does."""
    found = MODEL_FORMATS.find(lambda f: f.claims(model))
    if found is None:
        kind = f"{type(model).__module__}.{type(model).__qualname__}"
        raise StratumError(f"model: no registered model format writes a {kind} (registered: "
                           f"{', '.join(f.label for f in MODEL_FORMATS.values())}; a "
                           "scikit-learn-compatible estimator needs fit and get_params; "
                           "Keras and ONNX models need the keras / onnx extras installed)")
    return found


def format_of(directory: Path) -> ModelFormat:
    """The format of the model in a bundle folder; a StratumError if there is none."""
    found = MODEL_FORMATS.find(lambda f: f.detect(directory))
    if found is None:
        raise StratumError(f"{directory} holds no model in a known format "
                           f"({', '.join(MODEL_FORMATS.names())})")
    return found


def kind_label(kind: str) -> str:
    """``sklearn`` -> ``scikit-learn``: the label of the format of that kind (else the kind)."""
    found = MODEL_FORMATS.find(lambda f: f.kind == kind)
    return found.label if found else kind
