"""``stratum deployment ACTION [DEPLOY_DIR]`` and its short names ``stratum status``,
``stratum stop``, ``stratum rollback`` (each with DEPLOY_DIR) and ``stratum deployments``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from . import add_command

SHORT = {"status": "status", "stop": "stop", "rollback": "rollback", "deployments": "list"}


def register(sub: argparse._SubParsersAction) -> None:
    from ..commands.deployment import ACTION_HELP, add_dir_arguments

    add_command(sub, "deployment", run)
    for name, action in SHORT.items():
        text = f"{ACTION_HELP[action]} (= stratum deployment {action})"
        parser = sub.add_parser(name, help=text, description=text)
        if action == "list":
            parser.add_argument("--json", action="store_true", help="The answer as JSON.")
        else:
            add_dir_arguments(parser, optional=False)
        parser.set_defaults(func=run, action=action)


def run(args: argparse.Namespace) -> int:
    from ..commands import deployment

    progress = sys.stderr if args.json else sys.stdout
    found = deployment.run(args, on_event=lambda text: print(text, file=progress, flush=True))
    if args.json:
        print(json.dumps(_plain(args.action, found), indent=2))
    elif args.action == "status":
        print(deployment.status_text(found))
    elif args.action == "list":
        print(deployment.list_text(found))
    elif args.action == "stop":
        print(deployment.stop_text(found, args.deploy_dir))
    return 0 if args.action != "status" or found["health"] in {"ok", "stopped"} else 1


def _plain(action: str, found: Any) -> Any:
    if action == "rollback":
        return {"bundle": str(found.bundle), "target": found.target, "url": found.url,
                "deploy": found.record}
    return found
