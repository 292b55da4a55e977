"""Turn a model bundle and a target into a deploy bundle (PRODUCT.md section 6).

:func:`plan` is pure apart from reading the model bundle: it resolves the target, the
conversion, the pinned requirements and the base image, and runs every constraint check.
:func:`render` writes the files: ``Dockerfile``, ``requirements.txt``, ``service/``,
``model/``, ``ansible/`` (orchestrated targets: ``kubernetes/``), ``README.md``, ``bundle.json``.
"""

from __future__ import annotations

import ipaddress
import json
import platform
import shutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from .. import envvars
from ..bundle.profile import Profile
from ..errors import DeployError
from . import checks, orchestrated, quoting
from .checks import auto_conversion, check, requirement_name
from .convert import CONVERTERS, Converted, convert, get_converter
from .files import content_hash, copy_roles, copy_service
from .kb import KnowledgeBase, normalize
from .kube_sizing import PodSizing
from .limits import checked_resources, run_options, service_environment
from .manifests import resource_name
from .quantize import parse_tolerance
from .targets import Target, check_image, get_target, on_nodes

if TYPE_CHECKING:  # pragma: no cover
    import jinja2

BUNDLE_MARKER = "bundle.json"
GENERATED = ("Dockerfile", ".dockerignore", "requirements.txt", "README.md", "service", "model",
             "ansible", "kubernetes", BUNDLE_MARKER)
# The image needs only these; run/ (a local process's state) and the rest stay out of it.
DOCKERIGNORE = "*\n!Dockerfile\n!requirements.txt\n!service/\n!model/\nservice/__pycache__\n"


def conversions() -> tuple[str, ...]:
    """What ``--convert`` takes: ``auto``, ``none``, then every registered converter."""
    return ("auto", "none", *CONVERTERS.names())


class Conversions(Sequence[str]):
    """:func:`conversions` as a sequence read afresh on each use (argparse ``choices``), so
    converters that plugins register appear in it."""

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return conversions()[index]

    def __len__(self) -> int:
        return len(conversions())

    def __iter__(self) -> Iterator[str]:
        return iter(conversions())

    def __contains__(self, name: object) -> bool:
        return name in conversions()

    def __repr__(self) -> str:
        return repr(conversions())


CONVERSIONS = Conversions()


@dataclass
class DeployPlan:
    """Everything decided before a file is written."""

    model_dir: Path
    profile: Profile
    target: Target
    title: str
    slug: str
    conversion: str
    requirements: list[str]
    base_image: str
    python: str
    port: int
    bind: str
    warnings: list[str] = field(default_factory=list)
    converted: Converted | None = field(default=None, repr=False)
    """The converted model, verified when the plan was made (``conversion`` not none)."""
    resources: dict[str, Any] | None = None
    """The bundle's rightsizing recommendation (:func:`.limits.resources_of`)."""
    cluster: orchestrated.ClusterOptions | None = None
    sizing: PodSizing | None = None
    """Orchestrated targets only: their options; resources and replicas."""
    quantize: str = "none"
    """The quantization of the conversion: ``--quantize``, else the target's default."""
    notes: list[str] = field(default_factory=list)
    """What was inferred (a target's default quantization), for the deploy log."""

    @property
    def runtime(self) -> str:
        return self.conversion if self.conversion != "none" else str(
            self.profile.get("kind") or "sklearn")


def _installed(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _requirements(model_dir: Path, conversion: str, kb: KnowledgeBase) -> list[str]:
    bundle_reqs = [line.strip() for line in
                   (model_dir / "requirements.txt").read_text("utf-8").splitlines()
                   if line.strip() and not line.startswith("#")] \
        if (model_dir / "requirements.txt").is_file() else []
    if conversion == "none":
        reqs = bundle_reqs
    else:
        # The converted model needs only its runtime; pin what verified it, else the KB's pin.
        pins = {normalize(requirement_name(p)): p for p in kb.pins(conversion)}
        for dist in list(pins):
            version = _installed(dist)
            if version:
                pins[dist] = f"{dist}=={version}"
        keep = {normalize(n) for n in get_converter(conversion).keep_from_bundle}
        reqs = [r for r in pins.values() if normalize(requirement_name(r)) not in keep]
        reqs += [r for r in bundle_reqs if normalize(requirement_name(r)) in keep]
    names = {normalize(requirement_name(r)) for r in reqs}
    reqs += [p for p in kb.pins("service") if normalize(requirement_name(p)) not in names]
    return reqs


def _check_port_bind(port: int, bind: str, in_cluster: bool = False) -> list[str]:
    problems = []
    if not isinstance(port, int) or not 1 <= port <= 65535:
        problems.append(f"port: {port!r} is not a TCP port (allowed: 1-65535)")
    try:
        address = ipaddress.ip_address(bind)
    except ValueError:
        problems.append(f"bind: {bind!r} is not an IP address (e.g. 127.0.0.1 or 0.0.0.0)")
        return problems
    if not address.is_loopback and not in_cluster and not (envvars.SERVICE_TOKEN.is_set()
                                        or envvars.SERVICE_TOKEN_FILE.is_set()):
        # The service refuses to start so (serving/auth.py): say it before anything runs.
        problems.append(
            f"bind: {bind} reaches beyond the host, so the service requires a bearer token: "
            f"set ${envvars.SERVICE_TOKEN.name} (or ${envvars.SERVICE_TOKEN_FILE.name}) where "
            "you deploy; it is passed to the service, never written into the bundle")
    return problems


def _conversion(target: Target, kind: str, convert: str, quantize: str,
                tolerance: str | dict[str, float] | None, problems: list[str]
                ) -> tuple[str, str | dict[str, float] | None]:
    """The conversion ``--convert`` (``auto``: :func:`auto_conversion`) means, and the
    tolerance if it reads; what is wrong with them goes into ``problems``."""
    if convert not in CONVERSIONS:
        problems.append(f"convert: {convert!r} is not a conversion "
                        f"(allowed: {', '.join(CONVERSIONS)})")
        convert = "none"
    try:
        parse_tolerance(tolerance)
    except DeployError as exc:
        problems.extend(exc.violations)
        tolerance = None
    return (auto_conversion(target, kind, quantize) if convert == "auto" else convert,
            tolerance)


def _given_image(base_image: str | None, problems: list[str]) -> str | None:
    """``--base-image`` when it is an image reference; else None, and why in ``problems``."""
    if base_image is not None:
        try:
            check_image(base_image, "base_image")
        except DeployError as exc:
            problems.extend(exc.violations)
            return None
    return base_image


def plan(model_dir: str | Path, target: str | Target, *, port: int = 8080,
         bind: str = "127.0.0.1", name: str | None = None, base_image: str | None = None,
         convert: str = "auto", kb: KnowledgeBase | None = None, nodes: str | None = None,
         cluster: orchestrated.ClusterOptions | None = None, quantize: str | None = None,
         tolerance: str | dict[str, float] | None = None,
         sample: str | Path | None = None) -> DeployPlan:
    """Decide the deployment and check it; a DeployError lists every violation.
    ``quantize`` quantizes the conversion, measured on ``sample`` (else the bundle's own)
    and refused past ``tolerance`` (:mod:`.quantize`); None: the target's default
    (:func:`.checks.target_quantize`, said in ``notes``).

    ``nodes`` (a hardware target) and ``cluster`` are for orchestrated targets, whose pods
    listen on 0.0.0.0 (``bind`` unused).
    """
    from ..bundle import read_profile

    model_dir = Path(model_dir)
    target = on_nodes(target if isinstance(target, Target) else get_target(target), nodes)
    profile = read_profile(model_dir)
    kb = kb or KnowledgeBase()
    bind = "0.0.0.0" if target.orchestrated else bind
    problems = _check_port_bind(port, bind, target.orchestrated)
    problems += orchestrated.option_problems(target.orchestrated, cluster)
    resources, sizing_problems = checked_resources(model_dir)
    problems += sizing_problems
    kind = str(profile.get("kind") or "sklearn")
    quantize, quantize_note = checks.target_quantize(
        target, kind, convert if convert in CONVERSIONS else "none", quantize)
    conversion, tolerance = _conversion(target, kind, convert, quantize, tolerance, problems)
    base_image = _given_image(base_image, problems)
    runtime_kind = conversion if conversion != "none" else kind
    kb_image = kb.base_image(target.hardware, runtime_kind)
    host_python = ".".join(platform.python_version_tuple()[:2])
    python = (kb_image or {}).get("python") or target.python or host_python
    image = base_image or (kb_image or {}).get("image") or target.base_image \
        or f"python:{host_python}-slim-bookworm"
    reqs = _requirements(model_dir, conversion, kb)
    warnings = [f"{requirement_name(r)} is not in the knowledge base; its wheels for "
                f"{target.arch} are assumed to exist" for r in reqs
                if kb.wheel(requirement_name(r), target.arch) is None]
    try:
        check(profile, target, kb, requirements=reqs, conversion=conversion,
              python=None if target.runtime == "process" else python, quantize=quantize)
    except DeployError as exc:
        problems.extend(exc.violations)
    converted, model_problems = checks.converted_model(
        model_dir, profile, conversion, target, quantize, quantize_note, tolerance, sample)
    if problems or model_problems:
        raise DeployError([*problems, *model_problems])
    title = name or profile.get("name") or profile.get("candidate") or model_dir.resolve().name
    made = DeployPlan(model_dir=model_dir, profile=profile, target=target, title=str(title),
                      slug=quoting.slug(str(title)), conversion=conversion, requirements=reqs,
                      base_image=image, python=python, port=port, bind=bind, warnings=warnings,
                      converted=converted, cluster=cluster, resources=resources,
                      quantize=quantize, notes=[quantize_note] if quantize_note else [])
    if target.orchestrated:  # size it and check its manifests
        orchestrated.complete(made, kb)
    return made


# -- writing ----------------------------------------------------------------------------------
def _env(ansible: bool = False) -> jinja2.Environment:
    import jinja2

    loader = jinja2.PackageLoader("stratum_jupyter.deploy", "templates")
    if ansible:  # Ansible owns {{ }}: our own placeholders are << >> there
        env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined,
                                 variable_start_string="<<", variable_end_string=">>",
                                 block_start_string="<%", block_end_string="%>",
                                 trim_blocks=True, lstrip_blocks=True,
                                 keep_trailing_newline=True, autoescape=False)
    else:
        env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined,
                                 trim_blocks=True, lstrip_blocks=True,
                                 keep_trailing_newline=True, autoescape=False)
    env.filters.update(dockerfile_string=quoting.dockerfile_string,
                       dockerfile_json=quoting.dockerfile_json, markdown=quoting.markdown,
                       markdown_code=quoting.markdown_code)
    return env


def _prepare_out(out: Path) -> None:
    """Refuse to write into a folder that holds anything but an earlier deploy bundle."""
    if out.exists() and not out.is_dir():
        raise DeployError([f"out: {out} exists and is not a folder"])
    if out.is_dir() and any(out.iterdir()) and not (out / BUNDLE_MARKER).is_file():
        raise DeployError([f"out: {out} is not empty and holds no earlier deploy bundle; "
                           "choose an empty or new folder (nothing was written)"])
    out.mkdir(parents=True, exist_ok=True)
    for name in GENERATED:  # an earlier bundle's files; run/ and deploy.json stay
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _copy_model(plan: DeployPlan, model_out: Path) -> dict[str, Any] | None:
    model_out.mkdir(parents=True)
    shutil.copy2(plan.model_dir / "profile.json", model_out / "profile.json")
    if plan.converted is not None:
        return plan.converted.write(model_out)
    if plan.conversion != "none":
        return convert(plan.conversion, plan.model_dir, plan.profile, model_out)
    model_file = plan.profile.get("model_file") or "model.skops"
    source = plan.model_dir / model_file
    if source.is_dir():
        shutil.copytree(source, model_out / model_file)
    else:
        shutil.copy2(source, model_out / model_file)
    return None


def _write_service(plan: DeployPlan, out: Path, conversion: dict[str, Any] | None) -> str:
    """Dockerfile, .dockerignore and README.md; returns the image tag (content-hashed)."""
    from .._version import __version__

    target = plan.target
    schema = plan.profile.get("input_schema") or {}
    context = {
        "version": __version__, "target": target, "base_image": plan.base_image,
        "python_label": plan.python, "title": plan.title, "port": plan.port,
        "bind": plan.bind, "runtime": plan.runtime, "kind": plan.profile.get("kind"),
        "task": plan.profile.get("task") or "", "features": schema.get("features", []),
        "classes": schema.get("classes"), "conversion": conversion,
        "description": f"{plan.profile.get('task') or 'model'} service for {target.name}",
        "cluster": plan.cluster, "resource": resource_name(plan.slug),
        "resources": plan.resources, "limits": run_options(plan.resources),
    }
    env = _env()
    (out / "Dockerfile").write_text(env.get_template("Dockerfile.j2").render(context), "utf-8")
    (out / ".dockerignore").write_text(DOCKERIGNORE, "utf-8")
    image = f"stratum/{plan.slug}:{content_hash(out)}"
    context["image"] = image
    (out / "README.md").write_text(env.get_template("README.md.j2").render(context), "utf-8")
    return image


def _ansible_vars(plan: DeployPlan, image: str, kb: KnowledgeBase
                  ) -> tuple[list[str], dict[str, Any]]:
    """The roles the playbook runs and the variables of ``vars.yml``."""
    target = plan.target
    variables: dict[str, Any] = {"stratum_port": plan.port, "stratum_bind": plan.bind}
    if not target.containerised:
        if plan.resources:  # the role defaults to none
            variables["stratum_environment"] = service_environment(plan.resources)
        variables.update(stratum_python=sys.executable,
                         ansible_python_interpreter=sys.executable)
        return ["stratum_process"], variables
    roles = ["stratum_docker", "stratum_bundle", "stratum_image", "stratum_container"]
    if target.gpu:
        roles.insert(1, "stratum_nvidia")
    gpu_options = {"cuda": ["--gpus", "all"], "jetson": ["--runtime", "nvidia"]}
    variables.update(
        stratum_image=image, stratum_container=f"stratum-{plan.slug}",
        stratum_token_file=f"/etc/stratum/stratum-{plan.slug}.token",
        stratum_install_engine=True, stratum_build_network="default",
        stratum_install_dir=f"/opt/stratum/{plan.slug}", stratum_platform=target.platform,
        stratum_base_image=plan.base_image, stratum_accelerator=target.accelerator,
        stratum_apt_packages=kb.apt_packages("docker", target.name),
        stratum_nvidia_packages=kb.apt_packages("nvidia", target.name),
        stratum_run_options=gpu_options.get(target.accelerator, []) + run_options(plan.resources))
    return roles, variables


def _write_ansible(plan: DeployPlan, ansible_dir: Path, image: str, kb: KnowledgeBase) -> None:
    """The playbook, its inventory, ``vars.yml`` and the roles it runs."""
    from .._version import __version__

    target = plan.target
    ansible_dir.mkdir()
    aenv = _env(ansible=True)
    actx = {"version": __version__, "target_name": target.name, "host_group": target.host_group,
            "containerised": target.containerised, "gpu": target.gpu, "arch": target.arch}
    names = ["playbook.yml", "inventory.ini"] + (["stop.yml"] if target.containerised else [])
    for name in names:
        (ansible_dir / name).write_text(aenv.get_template(f"ansible/{name}.j2").render(actx),
                                        "utf-8")
    roles, variables = _ansible_vars(plan, image, kb)
    (ansible_dir / "vars.yml").write_text(quoting.ansible_vars_yaml(variables), "utf-8")
    copy_roles(ansible_dir / "roles", roles)


def render(plan: DeployPlan, out: str | Path, *, kb: KnowledgeBase | None = None
           ) -> dict[str, Any]:
    """Write the deploy bundle for ``plan`` into ``out``; returns its manifest."""
    out = Path(out)
    kb = kb or KnowledgeBase()
    target = plan.target
    _prepare_out(out)
    conversion = _copy_model(plan, out / "model")
    copy_service(out / "service")
    (out / "requirements.txt").write_text("\n".join(plan.requirements) + "\n", "utf-8")
    image = _write_service(plan, out, conversion)
    cluster = orchestrated.write(plan, out, image) if target.orchestrated else None
    if cluster is None:
        _write_ansible(plan, out / "ansible", image, kb)
    else:  # the image the cluster pulls (with --registry), which --build tags
        image = cluster["image"]
    manifest = {
        "format": "stratum-deploy/1", "target": target.name, "title": plan.title,
        "image": image if target.containerised else None, "base_image": plan.base_image,
        "platform": target.platform, "port": plan.port, "bind": plan.bind,
        "runtime": plan.runtime, "conversion": conversion, "requirements": plan.requirements,
        "warnings": plan.warnings, "model_dir": str(plan.model_dir.resolve()),
        "resources": plan.resources,
    }
    if cluster is not None:
        manifest["kubernetes"] = cluster
    (out / BUNDLE_MARKER).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return manifest
