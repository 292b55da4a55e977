"""Read a model bundle back: the profile, and the model in its registered format."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import StratumError
from .formats import TRUSTED_ROOTS, format_of
from .profile import Profile

__all__ = ["TRUSTED_ROOTS", "load_model", "read_profile"]


def read_profile(directory: str | Path) -> Profile:
    path = Path(directory) / "profile.json"
    try:
        profile: Profile = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StratumError(f"{directory} is not a model bundle: no profile.json") from None
    return profile


def load_model(directory: str | Path, *, trusted: Iterable[str] = ()) -> Any:
    """Load the bundle's model with the format that wrote it (see :mod:`.formats`). skops
    files are loaded only when :mod:`.trust`'s rule (the prediction service's too) trusts
    every type they hold: scikit-learn, NumPy, SciPy and stratum_jupyter, classes of
    builtins and collections, partials of trusted functions (plus the type names
    ``trusted``); the Keras plug-in's format attaches ``model.keras`` to the final step."""
    directory = Path(directory)
    return format_of(directory).load(directory, list(trusted))
