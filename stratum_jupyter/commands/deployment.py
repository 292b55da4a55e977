"""``stratum deployment ACTION`` / ``%stratum_deployment ACTION``: a deployment's lifecycle
after ``deploy``: ``status``, ``stop``, ``rollback`` (of one deploy folder) and ``list`` (the
deployments this user made). ``stratum status|stop|rollback DEPLOY_DIR`` and
``stratum deployments`` are the same actions under short names."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from . import BadInput, Shell

HELP = ("A deployment's lifecycle: its status (health, uptime, requests), stop it, roll back "
        "to the previous model, or list the deployments you made.")
ACTIONS = ("status", "stop", "rollback", "list")
ACTION_HELP = {
    "status": "Target, model, URL, health, uptime and request counts (from /metrics).",
    "stop": "Stop the service's process or container; its port is free afterwards.",
    "rollback": "Deploy the model served before the current one, the same way.",
    "list": "The deployments you made (the deploy folders, newest first).",
}


def add_dir_arguments(parser: argparse.ArgumentParser, *, optional: bool) -> None:
    """The deploy folder and --json (also of the short commands ``stratum status`` ...)."""
    parser.add_argument("deploy_dir", nargs="?" if optional else None, metavar="DEPLOY_DIR",
                        help="The deploy folder (the --out of deploy, holding deploy.json).")
    parser.add_argument("--json", action="store_true",
                        help="The answer as JSON (in a magic: a dict or list).")


def add_arguments(parser: argparse.ArgumentParser, *, shell: Shell) -> None:
    parser.add_argument("action", choices=ACTIONS,
                        help=" ".join(f"{a}: {h}" for a, h in ACTION_HELP.items()))
    add_dir_arguments(parser, optional=True)


def run(args: argparse.Namespace, on_event: Callable[[str], None]) -> Any:
    """Do ``args.action``: status -> dict, stop -> the deploy record, rollback -> the
    DeployResult, list -> a list of dicts."""
    from ..deploy import lifecycle, registry

    if args.action == "list":
        return registry.deployments()
    if not args.deploy_dir:
        raise BadInput(f"{args.action} needs a DEPLOY_DIR")
    if args.action == "status":
        return lifecycle.status(args.deploy_dir)
    if args.action == "stop":
        return lifecycle.stop(args.deploy_dir, on_event=on_event)
    return lifecycle.rollback(args.deploy_dir, on_event=on_event)


def status_text(found: dict[str, Any]) -> str:
    """A status in two or three short lines (``--json`` gives every field):

    ``deploy/iris: ok, up 12 s; model forest on local at http://127.0.0.1:8080``
    ``requests: /predict 200: 7, 400: 2 (deployed at 2026-...)``
    """
    uptime = found.get("uptime_s")
    up = f", up {_duration(uptime)}" if uptime is not None and found.get("health") == "ok" else ""
    lines = [f"{found['deploy_dir']}: {found.get('health') or '-'}{up}; model "
             f"{found.get('model') or '-'} on {found.get('target') or '-'} at "
             f"{found.get('url') or '-'}"]
    requests = sorted((found.get("requests") or {}).items())
    counts = "; ".join(f"{endpoint} " + ", ".join(f"{status}: {n}" for status, n
                                                  in sorted(by.items()))
                       for endpoint, by in requests)
    lines.append(f"requests: {counts or 'none yet'} (deployed at "
                 f"{found.get('deployed_at') or '-'})")
    if found.get("stopped_at"):
        lines.append(f"stopped at {found['stopped_at']}")
    return "\n".join(lines)


def stop_text(record: dict[str, Any], deploy_dir: str) -> str:
    """``stopped deploy/iris (local); http://127.0.0.1:8080 is free``."""
    url = record.get("url")
    return (f"stopped {deploy_dir} ({record.get('target') or '-'})"
            + (f"; {url} is free" if url else ""))


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def list_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no deployments"
    cols = ["state", "target", "url", "deployed_at", "deploy_dir"]
    table = [[str(r.get(c) or "-") for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in table)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in table]
    return "\n".join(line.rstrip() for line in lines)
