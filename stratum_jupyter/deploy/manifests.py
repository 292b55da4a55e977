"""The ``kubernetes/`` folder of a deploy bundle for the orchestrated targets: plain YAML that
``kubectl apply -k`` (kustomize) takes as it is.

``kubernetes``: a Deployment, a Service, a HorizontalPodAutoscaler (autoscaling/v2) and a
PodDisruptionBudget. ``kserve``: an InferenceService (serving.kserve.io/v1beta1) whose
predictor is the bundle's image. Manifests are built as dicts and written with
``yaml.safe_dump``, so user strings (the title) are YAML scalars and nothing else; the only
comments are made of numbers and validated names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .kube_sizing import PodSizing

FOLDER = "kubernetes"
TOKEN_DIR = "/var/run/secrets/stratum"
CONTAINER_UID = 10001  # the Dockerfile's USER
GPU_RESOURCE = "nvidia.com/gpu"
GPU_LABEL = "nvidia.com/gpu.present"  # set by NVIDIA GPU feature discovery
# Image digests are known only once the image is pushed to the user's registry; the bundle
# names its content-hashed tag, which kustomize's `images:` rewrites (docs/kubernetes.md).
CHECKOV_SKIPS = {
    "checkov.io/skip1": "CKV_K8S_43=the image is named by a content-hashed tag; its digest "
                        "exists only after the push (kustomize images: pins it)",
}
KSERVE_CHECKOV_SKIPS = {
    **CHECKOV_SKIPS,
    "checkov.io/skip2": "CKV2_K8S_6=Knative's activator and queue-proxy reach the predictor; "
                        "a NetworkPolicy for them depends on the cluster's Knative networking",
}


@dataclass(frozen=True)
class Workload:
    """What the manifests are made of: names (validated: ``name`` is ``stratum-<slug>``),
    the title (any string; an annotation), image, port, target facts and sizing."""

    name: str
    title: str
    image: str
    port: int
    namespace: str
    target: str
    nodes: str
    arch: str
    gpu: bool
    sizing: PodSizing

    @property
    def labels(self) -> dict[str, str]:
        tag = self.image.rsplit(":", 1)[-1]
        return {"app.kubernetes.io/name": self.name, "app.kubernetes.io/part-of": "stratum",
                "app.kubernetes.io/managed-by": "stratum", "app.kubernetes.io/version": tag}

    def metadata(self, name: str | None = None, **extra: str) -> dict[str, Any]:
        return {"name": name or self.name, "namespace": self.namespace,
                "labels": dict(self.labels),
                "annotations": {"stratum.io/title": self.title,
                                "stratum.io/sizing": self.sizing.source, **extra}}


NAMESPACE_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def resource_name(slug: str) -> str:
    """A DNS-1035 label (Services need a leading letter) of at most 40 characters (KServe
    derives longer names from it)."""
    return ("stratum-" + slug)[:40].rstrip("-")


def _resources(w: Workload) -> dict[str, Any]:
    s = w.sizing
    requests: dict[str, Any] = {"cpu": f"{s.cpu_request_m}m", "memory": f"{s.memory_request_mi}Mi"}
    limits: dict[str, Any] = {"cpu": f"{s.cpu_limit_m}m", "memory": f"{s.memory_limit_mi}Mi"}
    if w.gpu:  # an extended resource: requests must equal limits
        requests[GPU_RESOURCE] = limits[GPU_RESOURCE] = 1
    return {"requests": requests, "limits": limits}


def container(w: Workload, *, knative: bool) -> dict[str, Any]:
    """The service's container: probes on /health (open without the token), non-root, a
    read-only root filesystem (the service writes nothing; /tmp is an emptyDir), the token
    mounted as a file from a Secret, never an environment value."""
    probe_port: int | str = w.port if knative else "http"
    env = [{"name": "STRATUM_HOST", "value": "0.0.0.0"},
           {"name": "STRATUM_PORT", "value": str(w.port)},
           {"name": "STRATUM_SERVICE_TOKEN_FILE", "value": f"{TOKEN_DIR}/token"},
           {"name": "HOME", "value": "/tmp"}]
    if w.sizing.threads:
        env.append({"name": "STRATUM_PREDICT_THREADS", "value": str(w.sizing.threads)})
    return {
        # KServe finds a custom predictor's container by this name
        "name": "kserve-container" if knative else "service",
        "image": w.image, "imagePullPolicy": "Always",
        # Knative routes to one port, named http1 (or h2c)
        "ports": [{"name": "http1" if knative else "http", "containerPort": w.port,
                   "protocol": "TCP"}],
        "env": env,
        "readinessProbe": {"httpGet": {"path": "/health", "port": probe_port},
                           "periodSeconds": 5, "timeoutSeconds": 3, "failureThreshold": 3},
        "livenessProbe": {"httpGet": {"path": "/health", "port": probe_port},
                          "initialDelaySeconds": 15, "periodSeconds": 10, "timeoutSeconds": 5,
                          "failureThreshold": 3},
        "resources": _resources(w),
        "securityContext": {"runAsNonRoot": True, "runAsUser": CONTAINER_UID,
                            "runAsGroup": CONTAINER_UID, "allowPrivilegeEscalation": False,
                            "readOnlyRootFilesystem": True,
                            # Knative refuses the field even when false (unset: unprivileged)
                            **({} if knative else {"privileged": False}),
                            "capabilities": {"drop": ["ALL"]},
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"},
                         {"name": "token", "mountPath": TOKEN_DIR, "readOnly": True}],
    }


def pod_spec(w: Workload, *, knative: bool) -> dict[str, Any]:
    """The pod: the image's architecture as a node selector; on GPU nodes a GPU request, the
    GPU label and a toleration of the usual GPU taint."""
    selector = {"kubernetes.io/arch": w.arch}
    spec: dict[str, Any] = {
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "runAsUser": CONTAINER_UID,
                            "runAsGroup": CONTAINER_UID, "fsGroup": CONTAINER_UID,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "nodeSelector": selector,
        "containers": [container(w, knative=knative)],
        "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
                    {"name": "token", "secret": {"secretName": token_secret(w.name),
                                                 "defaultMode": 0o440}}],
    }
    if w.gpu:
        selector[GPU_LABEL] = "true"
        spec["tolerations"] = [{"key": GPU_RESOURCE, "operator": "Exists",
                                "effect": "NoSchedule"}]
    return spec


def token_secret(name: str) -> str:
    return f"{name}-token"


def kubernetes_manifests(w: Workload) -> dict[str, dict[str, Any]]:
    """Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget and NetworkPolicy,
    by file name."""
    s = w.sizing
    selector = {"app.kubernetes.io/name": w.name}
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": w.metadata(**CHECKOV_SKIPS),
        # no `replicas`: the HorizontalPodAutoscaler owns it
        "spec": {"selector": {"matchLabels": selector}, "revisionHistoryLimit": 5,
                 "strategy": {"type": "RollingUpdate",
                              "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
                 "template": {"metadata": {"labels": dict(w.labels)},
                              "spec": pod_spec(w, knative=False)}}}
    service = {
        "apiVersion": "v1", "kind": "Service", "metadata": w.metadata(),
        "spec": {"type": "ClusterIP", "selector": selector,
                 "ports": [{"name": "http", "port": 80, "targetPort": "http",
                            "protocol": "TCP"}]}}
    hpa = {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": w.metadata(),
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                    "name": w.name},
                 "minReplicas": s.min_replicas, "maxReplicas": s.max_replicas,
                 "metrics": [{"type": "Resource", "resource": {
                     "name": "cpu", "target": {"type": "Utilization",
                                               "averageUtilization": s.cpu_utilisation}}}],
                 "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}}}}
    pdb = {
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": w.metadata(),
        "spec": {"minAvailable": 1, "selector": {"matchLabels": selector}}}
    # Only the service's port is reached, from anywhere; the service calls nothing (no egress)
    network = {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": w.metadata(),
        "spec": {"podSelector": {"matchLabels": selector}, "policyTypes": ["Ingress", "Egress"],
                 "ingress": [{"ports": [{"port": w.port, "protocol": "TCP"}]}], "egress": []}}
    return {"deployment.yaml": deployment, "service.yaml": service, "hpa.yaml": hpa,
            "pdb.yaml": pdb, "networkpolicy.yaml": network}


def kserve_manifests(w: Workload) -> dict[str, dict[str, Any]]:
    """One InferenceService: Knative serverless mode, scale to zero by default."""
    s = w.sizing
    predictor: dict[str, Any] = {
        "minReplicas": s.kserve_min_replicas, "maxReplicas": s.max_replicas,
        "scaleMetric": s.scale_metric, "scaleTarget": s.scale_target, "timeout": 60,
        **pod_spec(w, knative=True)}
    isvc = {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService",
            "metadata": w.metadata(**{"serving.kserve.io/deploymentMode": "Serverless"},
                                   **KSERVE_CHECKOV_SKIPS),
            "spec": {"predictor": predictor}}
    return {"inferenceservice.yaml": isvc}


def manifests(w: Workload, orchestrator: str) -> dict[str, dict[str, Any]]:
    return kserve_manifests(w) if orchestrator == "kserve" else kubernetes_manifests(w)


def kustomization(w: Workload, files: list[str]) -> dict[str, Any]:
    """kustomize's entry point: the manifests, and the image so that ``kustomize edit set
    image`` points it at the user's registry."""
    repo, _, tag = w.image.rpartition(":")
    return {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "namespace": w.namespace, "resources": files,
            "images": [{"name": repo, "newName": repo, "newTag": tag}]}


def _comment(text: str) -> str:
    clean = re.sub(r"[\x00-\x1f\x7f]", " ", text)
    return "".join(f"# {line}\n" for line in _wrap(clean))


def _wrap(text: str, width: int = 96) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def dump(doc: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, width=1000,
                          allow_unicode=True)


def write(w: Workload, orchestrator: str, folder: Path, version: str) -> list[str]:
    """Write the manifests, kustomization.yaml and (with a plan) capacity.json/.txt into
    ``folder``; returns the manifest file names in apply order."""
    folder.mkdir()
    docs = manifests(w, orchestrator)
    header = _comment(f"Generated by stratum_jupyter {version} for target {w.target} on "
                      f"{w.nodes} nodes ({w.arch}{', GPU' if w.gpu else ''}).") \
        + _comment(f"sizing: {w.sizing.note}")
    for name, doc in docs.items():
        (folder / name).write_text(header + dump(doc), "utf-8")
    (folder / "kustomization.yaml").write_text(header + dump(kustomization(w, list(docs))),
                                               "utf-8")
    plan = w.sizing.plan
    if plan is not None:
        (folder / "capacity.json").write_text(json.dumps(plan.to_json(), indent=2) + "\n",
                                              "utf-8")
        (folder / "capacity.txt").write_text("\n".join(plan.lines()) + "\n", "utf-8")
    return list(docs)


def read(folder: Path) -> list[dict[str, Any]]:
    """The manifests of a bundle's kubernetes/ folder, in kustomization.yaml's order."""
    import yaml

    kustom = yaml.safe_load((folder / "kustomization.yaml").read_text("utf-8"))
    return [yaml.safe_load((folder / name).read_text("utf-8")) for name in kustom["resources"]]
