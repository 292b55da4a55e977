"""The deployments this user made: one small JSON file (``$STRATUM_DEPLOYMENTS``, else
``$XDG_STATE_HOME/stratum/deployments.json``, else ``~/.local/state/stratum/
deployments.json``), keyed by the deploy folder, written by ``deploy()`` and ``stop``.
Writers hold an exclusive lock (``fcntl.flock`` on ``deployments.json.lock`` beside it) from
reading to replacing the file, so two deploys at once both keep their entry; readers see
the old file or the new one, never half of one (written whole, then renamed)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
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


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold the registry's exclusive lock (between processes, and between threads: each
    opens its own lock file description)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def remember(bundle: str | Path, record: DeployRecord) -> None:
    """Note (or update) the deployment in ``bundle``: under the lock, read, change, write a
    new file and rename it over the old one."""
    path = registry_path()
    key = str(Path(bundle).resolve())
    with _locked(path):
        entries = _read()
        entries[key] = {"target": record.get("target"), "url": record.get("url"),
                        "model": record.get("model"), "deployed_at": record.get("deployed_at"),
                        "stopped_at": record.get("stopped_at")}
        fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(json.dumps(entries, indent=2) + "\n")
        os.replace(scratch, path)


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
