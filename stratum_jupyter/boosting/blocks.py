"""Entry point of the ``stratum_jupyter.blocks`` group for the gradient-boosting blocks (the
libraries themselves are imported when a block is fitted)."""

from __future__ import annotations

from typing import Any


def boosting_blocks() -> list[Any]:
    """The blocks of the libraries that are installed, named by their library, each
    parameter described (:mod:`.docs`)."""
    from dataclasses import replace
    from importlib.util import find_spec

    from ..catalog import block_from_class
    from .boosters import LIBRARIES
    from .docs import DOCS

    blocks = []
    for library, classes in LIBRARIES.items():
        if find_spec(library) is None:
            continue
        for cls in classes:
            block = block_from_class(cls, library=library)
            blocks.append(replace(block, params=tuple(
                replace(p, doc=DOCS[library].get(p.name, p.doc)) for p in block.params)))
    return blocks
