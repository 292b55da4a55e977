"""The deployments this user made: one small JSON file (``$STRATUM_DEPLOYMENTS``, else
``$XDG_STATE_HOME/stratum/deployments.json``, else ``~/.local/state/stratum/
deployments.json``), keyed by the deploy folder, written by ``deploy()`` and ``stop``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .. import envvars
from .record import DeployRecord, record_path


def registry_path() -> Path:
    own = envvars.DEPLOYMENTS.get()
    if own:
        return Path(own)
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "stratum" / "deployments.json"


def _read() -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(registry_path().read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember(bundle: str | Path, record: DeployRecord) -> None:
    """Note (or update) the deployment in ``bundle`` (written whole, then renamed)."""
    entries = _read()
    key = str(Path(bundle).resolve())
    entries[key] = {"target": record.get("target"), "url": record.get("url"),
                    "model": record.get("model"), "deployed_at": record.get("deployed_at"),
                    "stopped_at": record.get("stopped_at")}
    path = registry_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    scratch.write_text(json.dumps(entries, indent=2) + "\n", "utf-8")
    scratch.replace(path)


def deployments() -> list[dict[str, Any]]:
    """Every deployment noted, newest first: ``deploy_dir``, ``target``, ``url``, ``model``,
    ``deployed_at``, ``stopped_at``, and ``state`` (running, stopped, or gone when the
    folder's deploy.json no longer exists)."""
    rows = []
    for folder, entry in _read().items():
        state = ("gone" if not record_path(folder).is_file()
                 else "stopped" if entry.get("stopped_at") else "running")
        rows.append({"deploy_dir": folder, **entry, "state": state})
    return sorted(rows, key=lambda r: str(r.get("deployed_at") or ""), reverse=True)
