"""``stratum deploy``, ``stratum targets``, ``stratum kb``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from . import BadInput


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("deploy", help="Check, render, and optionally build/run/apply a model "
                       "for a hardware target.")
    p.add_argument("model_dir", help="A saved model folder (e.g. runs/iris/best).")
    p.add_argument("--target", required=True, help="A hardware target (stratum targets).")
    p.add_argument("--out", required=True, help="The folder to write the deploy bundle into.")
    p.add_argument("--name", help="The service's name (default: the candidate's name).")
    p.add_argument("--port", type=int, default=8080, help="The service's port (default 8080).")
    p.add_argument("--bind", default="127.0.0.1", help="Listen address (default 127.0.0.1).")
    p.add_argument("--convert", default="auto", choices=["auto", "none", "onnx", "tflite"],
                   help="Model conversion (auto: the target's default).")
    p.add_argument("--base-image", help="Build on this image instead of the target's.")
    p.add_argument("--build", action="store_true", help="Build the image (docker SDK).")
    p.add_argument("--run", action="store_true", help="Build and run it on this engine.")
    p.add_argument("--apply", action="store_true", help="Run the playbook (ansible-runner).")
    p.add_argument("--inventory", help="Ansible inventory for --apply (remote targets).")
    p.add_argument("--check", action="store_true", help="Run the checks and render only.")
    p.add_argument("--json", action="store_true", help="Print the result as JSON.")
    p.set_defaults(func=deploy_cmd)

    p = sub.add_parser("targets", help="List the hardware targets.")
    p.add_argument("--json", action="store_true", help="Print them as JSON.")
    p.set_defaults(func=targets_cmd)

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
    from ..deploy import deploy

    log = (lambda text: print(text, file=sys.stderr, flush=True)) if args.json else \
        (lambda text: print(text, flush=True))
    result = deploy(args.model_dir, args.target, args.out, port=args.port, bind=args.bind,
                    name=args.name, base_image=args.base_image, convert=args.convert,
                    build=args.build, run=args.run, apply=args.apply, inventory=args.inventory,
                    check=args.check, on_event=log)
    if args.json:
        print(json.dumps({"bundle": str(result.bundle), "target": result.target,
                          "image": result.image, "url": result.url,
                          "manifest": result.manifest, "deploy": result.record}, indent=2))
    return 0


def targets_cmd(args: argparse.Namespace) -> int:
    from ..deploy.targets import list_targets

    rows = [t.summary() for t in list_targets()]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    cols = ["name", "arch", "accelerator", "memory_mb", "python", "runtime", "base_image"]
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
