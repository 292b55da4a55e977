"""Read a model bundle back: the profile, and the model with skops' trusted types only."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import StratumError

# Types from these packages are trusted when loading a skops file; anything else must be
# named explicitly by the caller (skops refuses to build untrusted types).
TRUSTED_ROOTS = ("sklearn", "numpy", "scipy", "builtins", "collections", "stratum_jupyter")


def read_profile(directory: str | Path) -> dict[str, Any]:
    path = Path(directory) / "profile.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StratumError(f"{directory} is not a model bundle: no profile.json") from None


def load_model(directory: str | Path, *, trusted: Iterable[str] = ()) -> Any:
    """Load the bundle's model from ``model.skops``, trusting only types of scikit-learn,
    NumPy, SciPy and stratum_jupyter (plus ``trusted``); a Keras network from ``model.keras``
    is attached to the final step."""
    directory = Path(directory)
    path = directory / "model.skops"
    if not path.is_file():
        raise StratumError(f"{directory} holds no model.skops or model.keras")
    import skops.io

    untrusted = skops.io.get_untrusted_types(file=path)
    extra = set(trusted)
    refused = [t for t in untrusted if t.split(".")[0] not in TRUSTED_ROOTS and t not in extra]
    if refused:
        raise StratumError(
            f"{path} holds types that are not trusted: {', '.join(sorted(refused))}; "
            "pass trusted=[...] if you know where this file comes from")
    model = skops.io.load(path, trusted=list(untrusted))
    if (directory / "model.keras").exists():
        from ..keras.persist import attach_network

        attach_network(model, directory / "model.keras")
    return model
