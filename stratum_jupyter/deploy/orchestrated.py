"""The orchestrated targets' part of planning and rendering (``kubernetes``, ``kserve``): the
options only they take, their sizing, the checks of their manifests (before any file is
written) and the ``kubernetes/`` folder."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DeployError
from . import kube_checks, manifests
from .checks import memory_need_mb
from .kb import KnowledgeBase
from .kube_sizing import PodSizing, pod_sizing
from .targets import check_image

if TYPE_CHECKING:  # pragma: no cover
    from .render import DeployPlan

DEFAULT_NAMESPACE = "stratum"
PENDING_IMAGE = "stratum/pending:0"  # checks run before the image's tag (a content hash) exists


@dataclass
class ClusterOptions:
    """The options of the orchestrated targets: the ``namespace`` (default ``stratum``), the
    request rate to size for (``rps``, requests/s; default: the profile's goal) and the
    ``registry`` the cluster pulls the image from (its name is prefixed with it)."""

    namespace: str | None = None
    rps: float | None = None
    registry: str | None = None

    def given(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


def option_problems(orchestrated: bool, options: ClusterOptions | None) -> list[str]:
    """The cluster options: well formed, and only for orchestrated targets."""
    options = options or ClusterOptions()
    if not orchestrated:
        return [f"{flag}: --{flag} is for the kubernetes and kserve targets"
                for flag in options.given()]
    out = []
    namespace, rps, registry = options.namespace, options.rps, options.registry
    if namespace is not None and not manifests.NAMESPACE_RE.match(str(namespace)):
        out.append(f"namespace: {namespace!r} is not a Kubernetes namespace (lowercase "
                   "letters, digits and '-', at most 63)")
    if rps is not None and not (isinstance(rps, (int, float)) and 0 < rps < 1e9):
        out.append(f"rps: {rps!r} is not a request rate (a positive number of requests/s)")
    if registry is not None:
        try:
            check_image(f"{registry}/stratum/x:1", "registry")
        except DeployError:
            out.append(f"registry: {registry!r} is not a registry (host[:port][/path], "
                       "e.g. registry.example.com/ml)")
    return out


def sizing(plan: DeployPlan, kb: KnowledgeBase) -> PodSizing:
    need = memory_need_mb(plan.profile, plan.conversion, kb)
    rps = plan.cluster.rps if plan.cluster else None
    return pod_sizing(plan.model_dir, need, plan.target.memory_mb, rps)


def workload(plan: DeployPlan, image: str) -> manifests.Workload:
    target, options = plan.target, plan.cluster or ClusterOptions()
    assert plan.sizing is not None, "plan() sizes orchestrated targets"
    if options.registry:
        image = f"{options.registry.rstrip('/')}/{image}"
    return manifests.Workload(
        name=manifests.resource_name(plan.slug), title=plan.title, image=image, port=plan.port,
        namespace=options.namespace or DEFAULT_NAMESPACE, target=target.name,
        nodes=target.hardware, arch=target.arch, gpu=target.gpu, sizing=plan.sizing)


def manifest_problems(plan: DeployPlan) -> list[str]:
    """The schema and constraint checks of the manifests this plan renders."""
    docs = manifests.manifests(workload(plan, PENDING_IMAGE), plan.target.orchestrator)
    return kube_checks.problems(docs, arch=plan.target.arch, gpu=plan.target.gpu)


def complete(plan: DeployPlan, kb: KnowledgeBase) -> None:
    """Give an orchestrated plan its sizing and check its manifests: a DeployError lists
    every violation."""
    plan.cluster = plan.cluster or ClusterOptions()
    plan.sizing = sizing(plan, kb)
    found = manifest_problems(plan)
    if found:
        raise DeployError(found)


def write(plan: DeployPlan, out: Path, image: str) -> dict[str, Any]:
    """The kubernetes/ folder; returns what bundle.json records of it."""
    from .._version import __version__

    w = workload(plan, image)
    files = manifests.write(w, plan.target.orchestrator, out / manifests.FOLDER, __version__)
    return {"orchestrator": plan.target.orchestrator, "nodes": plan.target.hardware,
            "namespace": w.namespace, "name": w.name, "image": w.image, "manifests": files,
            "sizing": {"source": w.sizing.source, "note": w.sizing.note}}
