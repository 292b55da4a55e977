"""The block catalog: what a spec can name, as data for validation, code generation and the
builder widget's palette. Built lazily on first use, then cached for the process."""

from __future__ import annotations

import functools
import logging
from importlib.metadata import entry_points
from typing import Any

from .blocks import KINDS, TASK_KIND, Block, BlockRegistry, block_from_class
from .params import ParamInfo
from .sources import SKLEARN_DATASETS, SOURCES, Source, load_data

__all__ = [
    "KINDS", "TASK_KIND", "Block", "BlockRegistry", "ParamInfo", "Source", "SOURCES",
    "SKLEARN_DATASETS", "block_from_class", "get_catalog", "load_data", "ENTRY_POINT_GROUP",
]

ENTRY_POINT_GROUP = "stratum_jupyter.blocks"
log = logging.getLogger(__name__)


def _plugin_blocks(obj: Any) -> list[Block | type]:
    """An entry point may name a Block, an estimator class, or a callable returning many."""
    if isinstance(obj, Block) or isinstance(obj, type):
        return [obj]
    if callable(obj):
        return list(obj())
    return list(obj)


@functools.cache
def get_catalog() -> BlockRegistry:
    """The catalog: scikit-learn's blocks and stratum_jupyter's own, then those of
    ``stratum_jupyter.blocks`` plugins.

    A plugin block with the same name as a built-in one replaces it.
    """
    from . import cache

    blocks = cache.load()
    if blocks is None:
        from .sklearn_blocks import own_blocks, sklearn_blocks

        blocks = [*sklearn_blocks(), *own_blocks()]
        cache.store(blocks)
    registry = BlockRegistry(blocks)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            for block in _plugin_blocks(ep.load()):
                registry.register(block)
        except Exception:  # a broken plugin must not take the catalog down
            log.exception("could not load blocks from entry point %r", ep.name)
    return registry
