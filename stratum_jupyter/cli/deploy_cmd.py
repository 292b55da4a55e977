"""``stratum deploy``, ``stratum targets``, ``stratum kb``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from . import BadInput, add_command


def register(sub: argparse._SubParsersAction) -> None:
    add_command(sub, "deploy", deploy_cmd)
    add_command(sub, "targets", targets_cmd)

    p = sub.add_parser("kb", help="The dependency knowledge base: show it, add or override rows.")
    kb_sub = p.add_subparsers(dest="kb_command", metavar="ACTION", required=True)
    q = kb_sub.add_parser("tables", help="The tables and their columns.")
    q.set_defaults(func=kb_tables)
    q = kb_sub.add_parser("show", help="Rows of a table (seed + your overrides).")
    q.add_argument("table")
    q.add_argument("where", nargs="*", metavar="COLUMN=VALUE", help="Only matching rows.")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=kb_show)
    q = kb_sub.add_parser("set", help="Add or replace a row in your own database.")
    q.add_argument("table")
    q.add_argument("values", nargs="+", metavar="COLUMN=VALUE")
    q.set_defaults(func=kb_set)
    q = kb_sub.add_parser("remove", help="Remove rows from your own database.")
    q.add_argument("table")
    q.add_argument("where", nargs="+", metavar="COLUMN=VALUE")
    q.set_defaults(func=kb_remove)
    q = kb_sub.add_parser("path", help="Where your own database is ($STRATUM_KB).")
    q.set_defaults(func=kb_path)


def deploy_cmd(args: argparse.Namespace) -> int:
    from ..commands.deploy import run

    out = sys.stderr if args.json else sys.stdout
    result = run(args, on_event=lambda text: print(text, file=out, flush=True))
    if args.json:
        print(json.dumps({"bundle": str(result.bundle), "target": result.target,
                          "image": result.image, "url": result.url,
                          "manifest": result.manifest, "deploy": result.record}, indent=2))
    return 0


def targets_cmd(args: argparse.Namespace) -> int:
    from ..commands.targets import run

    rows = run()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    cols = ["name", "arch", "accelerator", "memory_mb", "python", "runtime", "quantize",
            "base_image"]
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols))
    for r in rows:
        print("  ".join(str(r[c]).ljust(widths[c]) for c in cols))
    return 0


def _pairs(items: list[str]) -> dict[str, Any]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise BadInput(f"expected COLUMN=VALUE, got {item!r}")
        out[key] = value
    return out


def kb_tables(args: argparse.Namespace) -> int:
    from ..deploy.kb import SCHEMA

    for table, (columns, key) in SCHEMA.items():
        print(f"{table}: {', '.join(columns)} (key: {', '.join(key)})")
    return 0


def kb_show(args: argparse.Namespace) -> int:
    from ..deploy.kb import KnowledgeBase

    rows = KnowledgeBase().rows(args.table, **_pairs(args.where))
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print("  ".join(f"{k}={v}" for k, v in row.items() if v is not None))
    return 0


def kb_set(args: argparse.Namespace) -> int:
    from ..deploy.kb import set_row, user_db_path

    row = set_row(args.table, _pairs(args.values))
    print(f"set in {user_db_path()}: {args.table} " + " ".join(f"{k}={v}" for k, v in row.items()))
    return 0


def kb_remove(args: argparse.Namespace) -> int:
    from ..deploy.kb import remove_rows, user_db_path

    n = remove_rows(args.table, _pairs(args.where))
    print(f"removed {n} row(s) from {user_db_path()}")
    return 0


def kb_path(args: argparse.Namespace) -> int:
    from ..deploy.kb import user_db_path

    print(user_db_path())
    return 0
