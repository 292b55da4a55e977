"""The catalog as a table, for ``stratum blocks`` and ``%stratum_blocks``."""

from __future__ import annotations

from typing import Any

from . import get_catalog


def list_blocks(task: str | None = None, kind: str | None = None,
                search: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for block in get_catalog().for_task(task):
        if kind and block.kind != kind:
            continue
        if search and search.lower() not in f"{block.name} {block.doc}".lower():
            continue
        rows.append({"name": block.name, "kind": block.kind, "module": block.module,
                     "params": len(block.params), "description": block.doc})
    return rows


def blocks_frame(task: str | None = None, kind: str | None = None,
                 search: str | None = None) -> Any:
    import pandas as pd

    return pd.DataFrame(list_blocks(task, kind, search),
                        columns=["name", "kind", "module", "params", "description"])
