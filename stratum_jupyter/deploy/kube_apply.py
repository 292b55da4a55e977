"""Apply a deploy bundle's ``kubernetes/`` manifests to a cluster with the Kubernetes Python
client (server-side apply, field manager ``stratum``), wait until the service is ready, and
later read its state or delete it (``stratum status`` / ``stop``).

:func:`apply_requests` is everything up to the API call: the exact objects sent, in order.
The token Secret is made from ``$STRATUM_SERVICE_TOKEN`` of the environment that applies
(never written into the bundle); without it the Secret must exist in the namespace.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import envvars
from ..errors import StratumError
from . import manifests
from .record import DeployRecord, write_record
from .run import Log, manifest

FIELD_MANAGER = "stratum"


@dataclass(frozen=True)
class ApplyRequest:
    """One server-side apply: the object ``body`` of ``kind`` (``api_version``) named
    ``name`` in ``namespace``."""

    api_version: str
    kind: str
    name: str
    namespace: str
    body: dict[str, Any]


def token_secret(name: str, namespace: str, token: str) -> dict[str, Any]:
    """The Secret the pods mount the service token from."""
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": manifests.token_secret(name), "namespace": namespace,
                         "labels": {"app.kubernetes.io/name": name,
                                    "app.kubernetes.io/managed-by": "stratum"}},
            "stringData": {"token": token}}


def service_token() -> str | None:
    """The token of this environment ($STRATUM_SERVICE_TOKEN or the file
    $STRATUM_SERVICE_TOKEN_FILE names), or None."""
    token = envvars.SERVICE_TOKEN.get()
    if token:
        return token.strip()
    path = envvars.SERVICE_TOKEN_FILE.get()
    if path and Path(path).is_file():
        lines = Path(path).read_text("utf-8").strip().splitlines()
        return lines[0].strip() if lines else None
    return None


def apply_requests(bundle: Path, token: str | None) -> list[ApplyRequest]:
    """What :func:`apply` sends, in order: the token Secret (when a token is given), then
    every manifest of kubernetes/ as written (kustomization.yaml's order)."""
    info = manifest(bundle).get("kubernetes")
    if not info:
        raise StratumError(f"{bundle} was rendered for {manifest(bundle)['target']!r}, not "
                           "for the kubernetes or kserve target: nothing to apply to a cluster")
    bodies = manifests.read(bundle / manifests.FOLDER)
    if token:
        bodies.insert(0, token_secret(info["name"], info["namespace"], token))
    return [ApplyRequest(api_version=b["apiVersion"], kind=b["kind"],
                         name=b["metadata"]["name"], namespace=b["metadata"]["namespace"],
                         body=b) for b in bodies]


def client(kubeconfig: str | Path | None = None, context: str | None = None) -> Any:
    """A dynamic client for the cluster of ``kubeconfig`` (default: $KUBECONFIG, then
    ~/.kube/config), or of this pod's service account when run in a cluster."""
    try:
        from kubernetes import config, dynamic
        from kubernetes.client import ApiClient
    except ImportError:
        raise StratumError("--apply to a cluster needs the Kubernetes client: pip install "
                           "'stratum-jupyter[kubernetes]'") from None
    try:
        api = config.new_client_from_config(config_file=str(kubeconfig) if kubeconfig else None,
                                            context=context)
    except config.ConfigException as exc:
        if kubeconfig:
            raise StratumError(f"kubeconfig: {kubeconfig}: {exc}") from None
        try:
            config.load_incluster_config()
        except config.ConfigException:
            raise StratumError(f"no cluster is configured: pass --kubeconfig FILE or set "
                               f"$KUBECONFIG ({exc})") from None
        api = ApiClient()
    return dynamic.DynamicClient(api)


def _api_error(exc: Exception, what: str) -> StratumError:
    reason = getattr(exc, "reason", None) or exc
    body = getattr(exc, "body", None)
    return StratumError(f"{what}: {reason}" + (f": {str(body)[:500]}" if body else ""))


def apply(bundle: Path, *, kubeconfig: str | Path | None = None, context: str | None = None,
          on_event: Log = print, timeout: float = 300.0, dyn: Any = None) -> DeployRecord:
    """Apply the manifests, wait until the service is ready and write deploy.json."""
    token = service_token()
    requests = apply_requests(bundle, token)
    info = manifest(bundle)
    kube = info["kubernetes"]
    if token is None:
        on_event(f"warning: no ${envvars.SERVICE_TOKEN.name} here; the pods start once the "
                 f"Secret {manifests.token_secret(kube['name'])} exists in namespace "
                 f"{kube['namespace']}")
    dyn = dyn or client(kubeconfig, context)
    for r in requests:
        try:
            dyn.resources.get(api_version=r.api_version, kind=r.kind).server_side_apply(
                body=r.body, name=r.name, namespace=r.namespace, field_manager=FIELD_MANAGER,
                force_conflicts=True)
        except Exception as exc:  # ApiException, or ResourceNotFoundError (no such CRD)
            raise _api_error(exc, f"applying {r.kind} {r.namespace}/{r.name}") from None
        on_event(f"applied {r.kind} {r.namespace}/{r.name}")
    url = wait_ready(dyn, kube, timeout=timeout, on_event=on_event)
    record: DeployRecord = {
        "target": info["target"], "kind": "kubernetes", "image": kube["image"], "url": url,
        "cluster": {"namespace": kube["namespace"], "name": kube["name"],
                    "orchestrator": kube["orchestrator"],
                    "kubeconfig": str(Path(kubeconfig).resolve()) if kubeconfig else None,
                    "context": context,
                    "objects": [[r.api_version, r.kind, r.name] for r in requests
                                if r.kind != "Secret"]}}
    return write_record(bundle, record)


def readiness(dyn: Any, kube: dict[str, Any]) -> tuple[bool, str, str | None]:
    """(ready, a line saying how it is, the service's URL) of the deployed workload."""
    ns, name = kube["namespace"], kube["name"]
    if kube["orchestrator"] == "kserve":
        obj = dyn.resources.get(api_version="serving.kserve.io/v1beta1",
                                kind="InferenceService").get(name=name, namespace=ns)
        status = obj.to_dict().get("status") or {}
        ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                    for c in status.get("conditions") or [])
        return ready, f"InferenceService ready: {ready}", status.get("url")
    obj = dyn.resources.get(api_version="apps/v1", kind="Deployment").get(name=name,
                                                                          namespace=ns)
    data = obj.to_dict()
    status, generation = data.get("status") or {}, data["metadata"].get("generation")
    ready_n, want = status.get("readyReplicas") or 0, status.get("replicas") or 0
    ready = (status.get("observedGeneration") == generation and ready_n >= 1
             and (status.get("updatedReplicas") or 0) == want and ready_n == want)
    return ready, f"Deployment ready {ready_n}/{want}", f"http://{name}.{ns}.svc.cluster.local"


def wait_ready(dyn: Any, kube: dict[str, Any], *, timeout: float, on_event: Log) -> str:
    """Poll until the workload is ready; its URL. A StratumError after ``timeout`` s."""
    deadline, last = time.monotonic() + timeout, ""
    while True:
        ready, line, url = readiness(dyn, kube)
        if line != last:
            on_event(line)
            last = line
        if ready and url:
            return url
        if time.monotonic() > deadline:
            raise StratumError(f"{kube['namespace']}/{kube['name']} was not ready within "
                               f"{timeout:.0f}s ({line}); see kubectl -n {kube['namespace']} "
                               f"describe pods -l app.kubernetes.io/name={kube['name']}")
        time.sleep(2.0)


def record_client(record: DeployRecord) -> Any:
    cluster = record.get("cluster") or {}
    return client(cluster.get("kubeconfig"), cluster.get("context"))


def cluster_status(record: DeployRecord, dyn: Any = None) -> dict[str, Any]:
    """``{"ready": bool, "detail": str}`` of a deployment made by :func:`apply`."""
    cluster = dict(record.get("cluster") or {})
    try:
        ready, line, _ = readiness(dyn or record_client(record), cluster)
    except StratumError:
        raise
    except Exception as exc:  # the client's ApiException, or a connection error
        return {"ready": False, "detail": f"unreachable: {getattr(exc, 'reason', exc)}"}
    return {"ready": ready, "detail": line}


def delete(record: DeployRecord, *, on_event: Log = print, dyn: Any = None) -> int:
    """Delete what :func:`apply` made (not the Secret, which the user may share); returns
    how many objects were deleted."""
    cluster = record.get("cluster") or {}
    dyn = dyn or record_client(record)
    deleted = 0
    for api_version, kind, name in reversed(cluster.get("objects") or []):
        try:
            dyn.resources.get(api_version=api_version, kind=kind).delete(
                name=name, namespace=cluster["namespace"])
        except Exception as exc:  # a 404 is fine: already gone
            if getattr(exc, "status", None) != 404:
                raise _api_error(exc, f"deleting {kind} {name}") from None
            continue
        deleted += 1
        on_event(f"deleted {kind} {cluster['namespace']}/{name}")
    return deleted
