"""A disk cache of the introspected scikit-learn blocks.

Introspection imports all of scikit-learn (seconds); the cached description lets validation,
code generation and the builder's palette start at once, importing only the modules of the
blocks a spec actually uses. The cache is keyed on the versions that shape it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path

from .. import envvars
from .blocks import Block
from .params import ParamInfo

FORMAT = 1


def cache_dir() -> Path:
    own = envvars.CACHE_DIR.get()
    if own:
        return Path(own)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "stratum_jupyter"


def _key() -> str:
    from .._version import __version__

    parts = [str(FORMAT), __version__]
    here = Path(__file__).parent  # the code that shapes the cache is part of its key
    parts += [hashlib.sha256((here / f).read_bytes()).hexdigest()
              for f in ("params.py", "blocks.py", "sklearn_blocks.py", "dates.py")]
    for dist in ("scikit-learn", "numpy", "scipy"):
        try:
            parts.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist}=none")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _path() -> Path:
    return cache_dir() / f"sklearn-blocks-{_key()}.json"


def block_from_dict(data: dict) -> Block:
    params = tuple(
        ParamInfo(**{**p, "types": tuple(p["types"]), "choices": tuple(p["choices"]),
                     "ranges": tuple(p["ranges"])})
        for p in data["params"]
    )
    return Block(name=data["name"], kind=data["kind"], roles=frozenset(data["roles"]),
                 module=data["module"], library=data["library"], doc=data["doc"],
                 params=params, deprecated=data.get("deprecated", False))


def load() -> list[Block] | None:
    """The cached blocks, or None when there is no usable cache."""
    try:
        data = json.loads(_path().read_text(encoding="utf-8"))
        return [block_from_dict(b) for b in data["blocks"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(blocks: list[Block]) -> None:
    """Write the cache atomically; a read-only home is not an error."""
    path = _path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"blocks": [b.to_dict() for b in blocks]})
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False,
                                         encoding="utf-8", suffix=".tmp") as tmp:
            tmp.write(payload)
        os.replace(tmp.name, path)
    except OSError:
        pass
