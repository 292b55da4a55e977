"""Entry point of the ``stratum_jupyter.blocks`` group for the gradient-boosting blocks (the
libraries themselves are imported when a block is fitted)."""

from __future__ import annotations

from typing import Any


def boosting_blocks() -> list[Any]:
    """The blocks of the libraries that are installed, named by their library."""
    from importlib.util import find_spec

    from ..catalog import block_from_class
    from .boosters import LIBRARIES

    return [block_from_class(cls, library=library)
            for library, classes in LIBRARIES.items() if find_spec(library) is not None
            for cls in classes]
