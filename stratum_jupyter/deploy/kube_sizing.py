"""Resources and replica bounds of a Kubernetes or KServe deployment: from the bundle's
rightsizing recommendation (``stratum profile``, bundle/sizing.py) when it has one, else from
stated defaults; the capacity plan (:mod:`.capacity`) turns per-replica figures into replicas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..bundle.sizing import Recommendation, Rightsizing, read_rightsizing
from .capacity import MAX_UTILISATION, CapacityPlan, capacity_plan

# Defaults where nothing was measured: a modest CPU share, two replicas for availability
# (the PodDisruptionBudget keeps one), room to scale to five; KServe scales to zero.
DEFAULT_CPU_REQUEST_M = 500
DEFAULT_CPU_LIMIT_M = 1000
DEFAULT_MIN_REPLICAS = 2
DEFAULT_MAX_REPLICAS = 5
DEFAULT_CPU_UTILISATION = 70
DEFAULT_CONCURRENCY = 4
MEMORY_HEADROOM = 1.25  # over the estimate of checks.violations (runtime + 2 x model)


@dataclass(frozen=True)
class PodSizing:
    """What the manifests say about size. ``source`` is ``"profile"`` or ``"defaults"``;
    ``note`` says why, for the YAML comment. CPU in millicores, memory in MiB; the HPA scales
    between ``min_replicas`` and ``max_replicas`` at ``cpu_utilisation`` percent of the CPU
    request; KServe between ``kserve_min_replicas`` (0: scale to zero) and
    ``max_replicas`` at ``scale_target`` of ``scale_metric`` per replica."""

    source: str
    note: str
    cpu_request_m: int
    cpu_limit_m: int
    memory_request_mi: int
    memory_limit_mi: int
    min_replicas: int
    max_replicas: int
    cpu_utilisation: int
    kserve_min_replicas: int
    scale_metric: str
    scale_target: int
    threads: int | None = None
    plan: CapacityPlan | None = None


def _mi(n_bytes: float) -> int:
    return max(16, math.ceil(n_bytes / 2**20))


def default_sizing(memory_need_mb: float, node_memory_mb: int, note: str) -> PodSizing:
    """Defaults for a model whose runtime needs about ``memory_need_mb`` MiB."""
    request = min(node_memory_mb, math.ceil(memory_need_mb * MEMORY_HEADROOM / 16) * 16)
    return PodSizing(
        source="defaults", note=note, cpu_request_m=DEFAULT_CPU_REQUEST_M,
        cpu_limit_m=DEFAULT_CPU_LIMIT_M, memory_request_mi=request,
        memory_limit_mi=min(node_memory_mb, 2 * request), min_replicas=DEFAULT_MIN_REPLICAS,
        max_replicas=DEFAULT_MAX_REPLICAS, cpu_utilisation=DEFAULT_CPU_UTILISATION,
        kserve_min_replicas=0, scale_metric="concurrency", scale_target=DEFAULT_CONCURRENCY)


def measured_sizing(sizing: Rightsizing, rec: Recommendation, rps: float | None) -> PodSizing:
    """Requests = limits = the recommended CPU and memory (the Guaranteed QoS class: the pod
    gets what was measured, no more, no less); replicas from the capacity plan at ``rps``
    (default: the goal's rate) and twice it; the HPA's CPU target is the share of the request
    one replica uses at the plan's utilisation; KServe's is requests/s per replica."""
    rate = rps if rps is not None else sizing.goal.rps
    cpu_m = max(1, round(rec.cpus * 1000))
    memory = _mi(rec.memory_bytes)
    note = (f"from stratum profile ({sizing.measured_with}, {sizing.measured_at}): "
            f"{rec.cpus:g} CPU, {memory} MiB met p99 {sizing.goal.p99_ms:g} ms at "
            f"{sizing.goal.rps:g} req/s")
    if not rec.throughput_rps:
        return PodSizing(
            source="profile", note=note + "; no per-replica throughput, so default replicas",
            cpu_request_m=cpu_m, cpu_limit_m=cpu_m, memory_request_mi=memory,
            memory_limit_mi=memory, min_replicas=DEFAULT_MIN_REPLICAS,
            max_replicas=DEFAULT_MAX_REPLICAS, cpu_utilisation=DEFAULT_CPU_UTILISATION,
            kserve_min_replicas=0, scale_metric="concurrency",
            scale_target=DEFAULT_CONCURRENCY, threads=rec.threads)
    plan = capacity_plan(rate, rec.throughput_rps, rec.p99_ms or sizing.goal.p99_ms,
                         sizing.goal.p99_ms)
    at_rate, at_peak = plan.at(rate), plan.at(2 * rate)
    low = max(DEFAULT_MIN_REPLICAS, at_rate.replicas)
    high = max(low + 1, at_peak.replicas)
    # CPU use at full throughput, as a share of the request, scaled to the plan's ceiling
    busy = (rec.cpu_percent / (rec.cpus * 100)) if rec.cpu_percent else 1.0
    utilisation = min(95, max(10, round(100 * busy * MAX_UTILISATION)))
    return PodSizing(
        source="profile", note=note + f"; {at_rate.replicas} replicas carry {rate:g} req/s, "
        f"{at_peak.replicas} carry {2 * rate:g} (capacity.txt)", cpu_request_m=cpu_m,
        cpu_limit_m=cpu_m,
        memory_request_mi=memory, memory_limit_mi=memory, min_replicas=low, max_replicas=high,
        cpu_utilisation=utilisation, kserve_min_replicas=0, scale_metric="rps",
        scale_target=max(1, math.floor(rec.throughput_rps * MAX_UTILISATION)),
        threads=rec.threads, plan=plan)


def pod_sizing(model_dir: Path, memory_need_mb: float, node_memory_mb: int,
               rps: float | None = None) -> PodSizing:
    """The sizing of the model bundle at ``model_dir``: measured when its profile.json has a
    recommendation, defaults (saying why) otherwise."""
    sizing = read_rightsizing(model_dir)
    if sizing is not None and sizing.recommendation is not None:
        return measured_sizing(sizing, sizing.recommendation, rps)
    if sizing is None:
        why = ("defaults: the model bundle has no rightsizing recommendation (run stratum "
               "profile with a latency goal to size from measurements)")
    else:
        why = (f"defaults: stratum profile found no configuration that met p99 "
               f"{sizing.goal.p99_ms:g} ms at {sizing.goal.rps:g} req/s")
    return default_sizing(memory_need_mb, node_memory_mb, why)
