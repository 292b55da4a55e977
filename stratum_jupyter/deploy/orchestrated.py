"""The orchestrated targets' part of planning and rendering (``kubernetes``, ``kserve``): the
options only they take, their sizing, the checks of their manifests (before any file is
written) and the ``kubernetes/`` folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DeployError
from . import kube_checks, manifests
from .checks import memory_need_mb
from .kb import KnowledgeBase
from .kube_sizing import PodSizing, pod_sizing

if TYPE_CHECKING:  # pragma: no cover
    from .render import DeployPlan

DEFAULT_NAMESPACE = "stratum"
PENDING_IMAGE = "stratum/pending:0"  # checks run before the image's tag (a content hash) exists


def option_problems(*, orchestrated: bool, namespace: str | None, rps: float | None
                    ) -> list[str]:
    """``--namespace`` and ``--rps``: well formed, and only for orchestrated targets."""
    out = []
    if not orchestrated:
        for flag, value in (("namespace", namespace), ("rps", rps)):
            if value is not None:
                out.append(f"{flag}: --{flag} is for the kubernetes and kserve targets")
        return out
    if namespace is not None and not manifests.NAMESPACE_RE.match(str(namespace)):
        out.append(f"namespace: {namespace!r} is not a Kubernetes namespace (lowercase "
                   "letters, digits and '-', at most 63)")
    if rps is not None and not (isinstance(rps, (int, float)) and rps > 0):
        out.append(f"rps: {rps!r} is not a request rate (a positive number of requests/s)")
    return out


def sizing(plan: DeployPlan, kb: KnowledgeBase) -> PodSizing:
    need = memory_need_mb(plan.profile, plan.conversion, kb)
    return pod_sizing(plan.model_dir, need, plan.target.memory_mb, plan.rps)


def workload(plan: DeployPlan, image: str) -> manifests.Workload:
    target = plan.target
    assert plan.sizing is not None, "plan() sizes orchestrated targets"
    return manifests.Workload(
        name=manifests.resource_name(plan.slug), title=plan.title, image=image, port=plan.port,
        namespace=plan.namespace or DEFAULT_NAMESPACE, target=target.name,
        nodes=target.hardware, arch=target.arch, gpu=target.gpu, sizing=plan.sizing)


def manifest_problems(plan: DeployPlan) -> list[str]:
    """The schema and constraint checks of the manifests this plan renders."""
    docs = manifests.manifests(workload(plan, PENDING_IMAGE), plan.target.orchestrator)
    return kube_checks.problems(docs, arch=plan.target.arch, gpu=plan.target.gpu)


def complete(plan: DeployPlan, namespace: str | None, kb: KnowledgeBase) -> None:
    """Give an orchestrated plan its namespace and sizing, and check its manifests: a
    DeployError lists every violation."""
    plan.namespace = namespace or DEFAULT_NAMESPACE
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
            "namespace": w.namespace, "name": w.name, "manifests": files,
            "sizing": {"source": w.sizing.source, "note": w.sizing.note}}
