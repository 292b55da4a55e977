"""``stratum blocks`` / ``%stratum_blocks``: the blocks a spec can use."""

from __future__ import annotations

import argparse
from typing import Any

from . import Shell

HELP = "List the blocks a spec can use: name, kind, module, description."


def add_arguments(parser: argparse.ArgumentParser, *, shell: Shell) -> None:
    from ..catalog.blocks import KINDS
    from ..spec.model import TASKS

    parser.add_argument("--task", choices=TASKS, help="Only blocks usable for this task.")
    parser.add_argument("--kind", choices=KINDS, help="Only blocks of this kind.")
    parser.add_argument("--search",
                        help="Only blocks whose name or description contains this text.")
    parser.add_argument("--json", action="store_true",
                        help="The full catalog entries (parameters included) as JSON data "
                             "(the magic returns them as a list of dicts).")


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The matching blocks: table rows, or with ``--json`` the full catalog entries."""
    from ..catalog import get_catalog
    from ..catalog.listing import list_blocks

    rows = list_blocks(args.task, args.kind, args.search)
    if args.json:
        catalog = get_catalog()
        return [catalog.get(r["name"]).to_dict() for r in rows]
    return rows
