"""A deployment's life after ``deploy()``: its status (health, uptime, requests from the
service's ``/metrics``), ``stop``, the models it served before (``history/`` in the deploy
folder) and ``rollback`` to the previous one, and the user's list of deployments
(:mod:`.registry`)."""

from __future__ import annotations

import json
import shutil
import socket
import time
import urllib.request
from pathlib import Path
from typing import Any

from ..errors import StratumError
from . import registry
from .record import DeployRecord, read_record, write_record
from .run import Log

HISTORY = "history"
KEEP = 5  # models kept in history/ (the one served and the four before it)


# -- history ----------------------------------------------------------------------------------
def history(bundle: str | Path) -> list[Path]:
    """The model bundles this deploy folder served, oldest first (the last: served now)."""
    folder = Path(bundle) / HISTORY
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def archive(bundle: Path, model_dir: Path) -> Path:
    """Keep a copy of the model bundle just deployed in ``history/`` (a model deployed from
    history/ itself, by a rollback, is already there); older copies beyond KEEP go."""
    model_dir = model_dir.resolve()
    folder = (bundle / HISTORY).resolve()
    if model_dir.parent == folder:
        return model_dir
    kept = history(bundle)
    number = int(kept[-1].name.split("-")[0]) + 1 if kept else 1
    copy = folder / f"{number:04d}-{model_dir.name}"
    shutil.copytree(model_dir, copy)
    for old in history(bundle)[:-KEEP]:
        shutil.rmtree(old)
    return copy


# -- status -----------------------------------------------------------------------------------
def _get(url: str, timeout: float = 3.0) -> bytes:
    """GET ``url`` with this environment's service token (``$STRATUM_SERVICE_TOKEN``, or
    the file ``$STRATUM_SERVICE_TOKEN_FILE`` names)."""
    from ..serving.auth import InsecureBind, load_token

    headers = {}
    try:
        token = load_token()
    except InsecureBind as exc:
        raise StratumError(str(exc)) from None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                timeout=timeout) as resp:
        return bytes(resp.read())


def parse_metrics(text: str) -> dict[str, Any]:
    """Requests by endpoint and status, predicted rows and the process's start time, from
    a Prometheus text page."""
    requests: dict[str, dict[str, int]] = {}
    found: dict[str, Any] = {"requests": requests}
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, _, value = line.rpartition(" ")
        if name.startswith("stratum_requests_total{"):
            labels = dict(part.split("=", 1) for part in name[23:-1].split(","))
            endpoint, status = labels["endpoint"].strip('"'), labels["status"].strip('"')
            requests.setdefault(endpoint, {})[status] = int(float(value))
        elif name in {"stratum_predicted_rows_total", "process_start_time_seconds"}:
            found[name] = float(value)
    return found


def status(bundle: str | Path) -> dict[str, Any]:
    """What deploy.json says is running, and how it is: ``health`` (ok, or the error),
    ``uptime_s``, ``requests`` ({endpoint: {status: count}}), ``predicted_rows``."""
    bundle = Path(bundle)
    record = _record(bundle)
    url = record.get("url", "")
    found: dict[str, Any] = {
        "deploy_dir": str(bundle.resolve()), "target": record.get("target"),
        "kind": record.get("kind"), "url": url, "model": record.get("model"),
        "deployed_at": record.get("deployed_at"), "stopped_at": record.get("stopped_at"),
        "health": None, "uptime_s": None, "requests": {}, "predicted_rows": None}
    if record.get("stopped_at"):
        found["health"] = "stopped"
        return found
    if record.get("kind") == "kubernetes":
        from .kube_apply import cluster_status

        # the cluster's view first: its URL is often reachable from inside the cluster only
        found["cluster"] = cluster_status(record)
    try:
        health = json.loads(_get(f"{url}/health"))
        found["health"] = health.get("status", "?")
        metrics = parse_metrics(_get(f"{url}/metrics").decode("utf-8", "replace"))
    except (OSError, ValueError) as exc:
        cluster = found.get("cluster")
        if cluster and cluster["ready"]:
            # its pods pass their readiness probes (GET /health); the URL is in-cluster
            found["health"] = "ok"
            cluster["url"] = f"unreachable from here: {exc}"
        else:
            found["health"] = (f"not ready in the cluster ({cluster['detail']})" if cluster
                               else f"unreachable: {exc}")
        return found
    started = metrics.get("process_start_time_seconds")
    found["uptime_s"] = round(time.time() - started, 1) if started else None
    found["requests"] = metrics["requests"]
    found["predicted_rows"] = metrics.get("stratum_predicted_rows_total")
    return found


def _record(bundle: Path) -> DeployRecord:
    try:
        return read_record(bundle)
    except FileNotFoundError:
        raise StratumError(f"{bundle} holds no deploy.json: nothing was deployed there with "
                           "--apply or --run") from None
    except ValueError as exc:
        raise StratumError(f"{bundle}: deploy.json: {exc}") from None


# -- stop -------------------------------------------------------------------------------------
def stop(bundle: str | Path, *, on_event: Log = print, timeout: float = 40.0) -> DeployRecord:
    """Stop the deployment's process or container, wait until its port is free, and record
    ``stopped_at`` in deploy.json. A container on Ansible hosts is removed by the bundle's
    ``ansible/stop.yml`` (with the inventory it was deployed with), which waits for the port
    on each host; a cluster deployment's objects are deleted through the Kubernetes API."""
    from . import run

    bundle = Path(bundle)
    record = _record(bundle)
    if record.get("kind") == "kubernetes":
        from .kube_apply import delete

        if not delete(record, on_event=on_event):
            on_event("nothing was running")
    elif record.get("hosts"):
        how = record.get("how") or {}
        run.ansible_apply(bundle, inventory=how.get("inventory"), on_event=on_event,
                          extra_vars=how.get("extra_vars"), playbook="stop.yml")
    else:
        if not run.stop(bundle, on_event=on_event):
            on_event("nothing was running")
        host, _, port = record.get("url", "").removeprefix("http://").rpartition(":")
        if port.isdigit():
            wait_port_free(host.strip("[]"), int(port), timeout)
    stopped: DeployRecord = {**record, "stopped_at": _now()}
    record = write_record(bundle, stopped, stamp=False)
    registry.remember(bundle, record)
    return record


def wait_port_free(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
            if sock.connect_ex((host, port)) != 0:
                return
        if time.monotonic() > deadline:
            raise StratumError(f"port {port} on {host} still answers after {timeout:.0f}s")
        time.sleep(0.2)


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# -- rollback ---------------------------------------------------------------------------------
def rollback(bundle: str | Path, *, on_event: Log = print) -> Any:
    """Deploy the model served before the current one, as the current one was deployed
    (same target, port, address, conversion; a local process is replaced without a failed
    request); the current model leaves history/. Returns the DeployResult."""
    from .api import deploy

    bundle = Path(bundle)
    record = _record(bundle)
    kept = history(bundle)
    if len(kept) < 2:
        raise StratumError(f"rollback: {bundle} has no earlier model in {HISTORY}/")
    how = record.get("how") or {}
    previous, current = kept[-2], kept[-1]
    on_event(f"rolling back from {current.name} to {previous.name}")
    result = deploy(previous, str(record.get("target")), bundle, on_event=on_event, **how)
    shutil.rmtree(current)
    return result
