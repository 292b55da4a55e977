"""The resources a deployment asks for: the model bundle's rightsizing recommendation
(``stratum profile --slo-p99 ... --rps ...``, :mod:`stratum_jupyter.bundle.sizing`), in the
forms each place takes it: ``docker run`` options, the docker SDK's arguments, the
service's environment, and the record kept in ``bundle.json`` and ``deploy.json``.

Without a recommendation nothing is limited and the service keeps its defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import envvars
from ..bundle.sizing import read_rightsizing
from ..errors import DeployError

__all__ = ["resources_of", "checked_resources", "run_options", "container_limits",
           "service_environment", "describe"]


def resources_of(model_dir: str | Path) -> dict[str, Any] | None:
    """The recommendation of ``model_dir`` as the deploy record keeps it: ``cpus`` (cores),
    ``memory_bytes``, ``workers``, ``threads``, the ``goal`` it met and how it was
    measured; None when the bundle has none (never profiled, or no configuration met the
    goal). DeployError for a malformed entry."""
    try:
        sizing = read_rightsizing(model_dir)
    except ValueError as exc:
        raise DeployError([f"rightsizing: {exc}"]) from None
    except FileNotFoundError:
        return None
    if sizing is None or sizing.recommendation is None:
        return None
    rec = sizing.recommendation
    try:  # numbers only: these values are rendered into Dockerfiles and playbooks
        cpus, memory = float(rec.cpus), int(rec.memory_bytes)
        workers, threads = int(rec.workers), int(rec.threads)
        goal = {"p99_ms": float(sizing.goal.p99_ms), "rps": float(sizing.goal.rps)}
    except (TypeError, ValueError) as exc:
        raise DeployError([f"rightsizing: {Path(model_dir) / 'profile.json'}: the "
                           f"recommendation holds a value that is not a number ({exc})"]
                          ) from None
    if not (cpus > 0 and memory >= 4 * 2**20 and threads >= 1 and workers >= 1):
        raise DeployError([f"rightsizing: {Path(model_dir) / 'profile.json'}: the "
                           "recommendation is out of range (cpus > 0, memory_bytes >= 4 MiB, "
                           "threads and workers >= 1)"])
    measured = sizing.measured_with if sizing.measured_with in ("docker", "local") else "?"
    return {"cpus": cpus, "memory_bytes": memory, "workers": workers, "threads": threads,
            "goal": goal, "measured_p99_ms": rec.p99_ms, "measured_with": measured,
            "measured_at": sizing.measured_at, "source": "profile.json rightsizing"}


def checked_resources(model_dir: str | Path) -> tuple[dict[str, Any] | None, list[str]]:
    """:func:`resources_of`, with a malformed entry as a problem to report with the others."""
    try:
        return resources_of(model_dir), []
    except DeployError as exc:
        return None, list(exc.violations)


def describe(resources: dict[str, Any], model_dir: Path) -> str:
    """One line saying which recommendation a deployment applies."""
    goal = resources["goal"]
    return (f"rightsizing from {model_dir}/profile.json (p99 <= {goal['p99_ms']:g} ms at "
            f"{goal['rps']:g} requests/s): {' '.join(run_options(resources))}, predict "
            f"threads {resources['threads']}")


def run_options(resources: dict[str, Any] | None) -> list[str]:
    """``docker run`` options: ``--cpus C --memory B --memory-swap B`` (no swap beyond the
    limit, as measured)."""
    if not resources:
        return []
    memory = str(int(resources["memory_bytes"]))
    return ["--cpus", f"{float(resources['cpus']):g}", "--memory", memory,
            "--memory-swap", memory]


def container_limits(resources: dict[str, Any] | None) -> dict[str, Any]:
    """The docker SDK's ``containers.run`` arguments for the same limits."""
    if not resources:
        return {}
    memory = int(resources["memory_bytes"])
    return {"nano_cpus": int(round(float(resources["cpus"]) * 1e9)), "mem_limit": memory,
            "memswap_limit": memory}


def service_environment(resources: dict[str, Any] | None) -> dict[str, str]:
    """The service's settings the recommendation fixes (its predict threads)."""
    if not resources:
        return {}
    return {envvars.PREDICT_THREADS.name: str(int(resources["threads"]))}
