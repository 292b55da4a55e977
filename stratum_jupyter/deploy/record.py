"""``deploy.json``: what a deployment left running, written by ``--run``/``--apply`` into
the deploy bundle and read by ``stop``, ``read_deploy_record``, :mod:`.lifecycle` and the
monitor."""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any, Literal, TypedDict, cast

DEPLOY_JSON = "deploy.json"


class ProcessInfo(TypedDict):
    """A service running as a local process (target ``local``)."""

    pid: int
    python: str
    log: str


class ClusterInfo(TypedDict, total=False):
    """Where a kubernetes or kserve deployment lives: ``namespace``, the workload's ``name``,
    the ``orchestrator``, the ``kubeconfig`` and ``context`` it was applied with (None: the
    default) and the ``objects`` applied (``[apiVersion, kind, name]``)."""

    namespace: str
    name: str
    orchestrator: str
    kubeconfig: str | None
    context: str | None
    objects: list[list[str]]


class DeployRecord(TypedDict, total=False):
    """The contents of ``deploy.json``. ``url`` is the service's base URL; a container has
    ``image`` and ``container`` (or ``hosts`` after --apply), a process ``process``, a
    cluster deployment (kind ``kubernetes``) ``image`` and ``cluster``.
    ``model`` is the copy of the model bundle served (in ``history/``), ``how`` the options
    it was deployed with (a rollback deploys the previous model the same way), ``stopped_at``
    is set by ``stratum stop``."""

    target: str
    kind: Literal["container", "process", "kubernetes"]
    url: str
    image: str
    container: str
    container_id: str
    hosts: list[str]
    process: ProcessInfo
    cluster: ClusterInfo
    changed: int
    deployed_at: str
    model: str
    resources: dict[str, Any]
    how: dict[str, Any]
    stopped_at: str


def record_path(bundle: str | Path) -> Path:
    return Path(bundle) / DEPLOY_JSON


def read_record(bundle: str | Path) -> DeployRecord:
    """The bundle's deploy.json. FileNotFoundError if there is none; ValueError if it is not
    a JSON object."""
    data = json.loads(record_path(bundle).read_text("utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{record_path(bundle)} holds {type(data).__name__}, not an object")
    return cast(DeployRecord, data)


def write_record(bundle: str | Path, record: DeployRecord, *, stamp: bool = True
                 ) -> DeployRecord:
    """Write deploy.json, stamped with ``deployed_at`` (now, UTC) unless ``stamp`` is False;
    returns what was written."""
    stamped: DeployRecord = {**record, "deployed_at": _now()} if stamp else record
    record_path(bundle).write_text(json.dumps(stamped, indent=2) + "\n", "utf-8")
    return stamped


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
