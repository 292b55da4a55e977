"""Hardware targets: data (``data/targets.yaml``) plus the entry-point group
``stratum_jupyter.targets``.

An entry point loads to a target mapping, a list of them, a :class:`Target`, or a callable
returning any of these. Later definitions of a name replace earlier ones, so a plugin can
refine a built-in target.

An orchestrated target (``orchestrator: kubernetes`` or ``kserve``) is a cluster whose nodes
are a hardware target: its entry names one (``nodes: cloud-x86``) and takes that target's
architecture, accelerator, memory and base image unless it states them itself.
``stratum deploy --target kubernetes --nodes gpu-cuda`` puts it on other nodes
(:func:`on_nodes`): orchestrators and hardware compose instead of multiplying entries.
"""

from __future__ import annotations

import difflib
import functools
import re
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import DeployError, StratumError

ENTRY_POINT_GROUP = "stratum_jupyter.targets"

# A Docker image reference: [registry[:port]/]path[:tag][@sha256:digest]. Nothing that a
# shell, a Dockerfile or YAML could read as syntax gets through.
IMAGE_RE = re.compile(
    r"^(?:[a-z0-9][a-z0-9.-]*(?::[0-9]+)?/)?[a-z0-9]+(?:[._-]{1,2}[a-z0-9]+)*"
    r"(?:/[a-z0-9]+(?:[._-]{1,2}[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
    r"(?:@sha256:[a-f0-9]{64})?$")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

PLATFORMS = {"amd64": "linux/amd64", "arm64": "linux/arm64"}


def check_image(value: str, field: str = "base_image") -> str:
    """``value`` if it is a plain image reference, else a DeployError naming the field."""
    if not isinstance(value, str) or not IMAGE_RE.match(value) or len(value) > 255:
        raise DeployError([f"{field}: {value!r} is not a Docker image reference "
                           "(allowed: [registry/]name[:tag][@sha256:digest], lowercase name)"])
    return value


class Target(BaseModel):
    """One place a model can be deployed to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="lowercase letters, digits and '-'")
    description: str = ""
    arch: Literal["amd64", "arm64"]
    accelerator: Literal["none", "cuda", "jetson"] = "none"
    memory_mb: int = Field(gt=0)
    os: str = ""
    base_image: str | None = None
    python: str | None = Field(default=None, pattern=r"^3\.[0-9]+$")
    runtime: Literal["process", "docker", "docker-nvidia"] = "docker"
    constrained: bool = Field(default=False, description="small edge device")
    conversion: Literal["none", "onnx", "tflite"] = "none"
    quantize: Literal["none", "float16", "int8", "dynamic"] = Field(
        default="none", description="the quantization a deploy uses without --quantize, "
        "where the model's conversion offers it (docs/edge-conversion.md)")
    orchestrator: Literal["none", "kubernetes", "kserve"] = Field(
        default="none", description="a cluster's manifests instead of a host's playbook")
    nodes: str | None = Field(default=None,
                              description="the hardware target of an orchestrator's nodes")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a target name (lowercase letters, digits, '-')")
        return value

    @field_validator("base_image")
    @classmethod
    def _image(cls, value: str | None) -> str | None:
        if value is not None and not IMAGE_RE.match(value):
            raise ValueError(f"{value!r} is not a Docker image reference")
        return value

    @property
    def gpu(self) -> bool:
        return self.accelerator != "none"

    @property
    def platform(self) -> str:
        return PLATFORMS[self.arch]

    @property
    def host_group(self) -> str:
        """The inventory group of the target's hosts (an Ansible-safe identifier)."""
        return "stratum_" + self.name.replace("-", "_")

    @property
    def containerised(self) -> bool:
        return self.runtime != "process"

    @property
    def orchestrated(self) -> bool:
        return self.orchestrator != "none"

    @property
    def hardware(self) -> str:
        """The hardware target's name: the nodes' for an orchestrated target (the knowledge
        base's rows are per hardware target)."""
        return self.nodes or self.name

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "arch": self.arch, "accelerator": self.accelerator,
                "memory_mb": self.memory_mb, "os": self.os, "python": self.python or "host",
                "base_image": self.base_image or "-", "runtime": self.runtime,
                "conversion": self.conversion, "quantize": self.quantize,
                "orchestrator": self.orchestrator,
                "nodes": self.nodes or "-", "description": self.description}


HARDWARE_FIELDS = ("arch", "accelerator", "memory_mb", "os", "base_image", "python", "runtime",
                   "constrained", "conversion", "quantize")


def _parse(entries: Any, origin: str) -> list[Target]:
    if isinstance(entries, Target):
        return [entries]
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        raise StratumError(f"{origin}: targets must be a mapping or a list of mappings, "
                           f"got {type(entries).__name__}")
    out = []
    for i, entry in enumerate(entries):
        if isinstance(entry, Target):
            out.append(entry)
            continue
        try:
            out.append(Target.model_validate(entry))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '<target>'}: {e['msg']}"
                                 for e in exc.errors())
            raise StratumError(f"{origin}: target #{i} is invalid: {problems}") from None
    return out


def _with_nodes(entries: Any, known: dict[str, Target]) -> Any:
    """Entries naming ``nodes`` take that hardware target's fields they do not state."""
    if not isinstance(entries, list):
        return entries
    out = []
    for entry in entries:
        if isinstance(entry, dict) and entry.get("nodes") in known:
            hardware = known[entry["nodes"]]
            entry = {**{f: getattr(hardware, f) for f in HARDWARE_FIELDS}, **entry}
        out.append(entry)
        if isinstance(entry, dict) and not entry.get("nodes"):
            try:
                known[str(entry.get("name"))] = Target.model_validate(entry)
            except ValidationError:
                pass  # _parse reports it with its origin
    return out


def builtin_targets() -> list[Target]:
    import yaml

    text = resources.files(__package__).joinpath("data/targets.yaml").read_text("utf-8")
    return _parse(_with_nodes(yaml.safe_load(text), {}), "built-in targets.yaml")


def plugin_targets() -> list[Target]:
    from importlib.metadata import entry_points

    out: list[Target] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        value = ep.load()
        if callable(value) and not isinstance(value, type):
            value = value()
        known = {t.name: t for t in (*builtin_targets(), *out)}
        value = _with_nodes([value] if isinstance(value, dict) else value, known)
        out.extend(_parse(value, f"entry point {ep.name!r} ({ep.value})"))
    return out


@functools.lru_cache(maxsize=1)
def _registry() -> dict[str, Target]:
    return {t.name: t for t in (*builtin_targets(), *plugin_targets())}


def reload_targets() -> None:
    """Forget the cached registry (after installing a plugin in a running kernel)."""
    _registry.cache_clear()


def list_targets() -> list[Target]:
    return list(_registry().values())


def get_target(name: str) -> Target:
    """The target called ``name``; a DeployError with close matches otherwise."""
    registry = _registry()
    if name in registry:
        return registry[name]
    close = difflib.get_close_matches(str(name), list(registry), n=2)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise DeployError([f"target: unknown target {name!r} (allowed: {', '.join(registry)}){hint}"])


def on_nodes(target: Target, nodes: str | None) -> Target:
    """``target`` (an orchestrator) on the hardware target ``nodes``: its architecture,
    accelerator, memory and base image. ``nodes`` None: the target as it is. A DeployError
    when ``target`` is no orchestrator or ``nodes`` is no containerised hardware target."""
    if nodes is None:
        return target
    if not target.orchestrated:
        raise DeployError([f"nodes: --nodes is for orchestrated targets (kubernetes, kserve); "
                           f"{target.name!r} is a hardware target itself"])
    hardware = get_target(nodes)
    allowed = [t.name for t in list_targets() if t.containerised and not t.orchestrated]
    if hardware.orchestrated or not hardware.containerised:
        raise DeployError([f"nodes: {nodes!r} cannot be a cluster's nodes (allowed: "
                           f"{', '.join(allowed)}): a cluster runs containers"])
    return target.model_copy(update={**{f: getattr(hardware, f) for f in HARDWARE_FIELDS},
                                     "nodes": hardware.name})
