"""``deploy()``: the one function behind ``%stratum_deploy`` and ``stratum deploy``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DeployError
from .limits import describe
from .record import DeployRecord, read_record, record_path, write_record
from .run import Log


@dataclass
class DeployResult:
    """What a deployment produced: the bundle folder, its manifest, and (after --apply or
    --run) the deploy record with the service's ``url``."""

    bundle: Path
    target: str
    manifest: dict[str, Any]
    record: DeployRecord | None = None
    image: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def url(self) -> str | None:
        return self.record.get("url") if self.record else None

    def _repr_html_(self) -> str:
        from html import escape

        rows = [("target", self.target), ("bundle", str(self.bundle)),
                ("runtime", str(self.manifest.get("runtime"))),
                ("image", self.image or self.manifest.get("image") or "-")]
        cells = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th>"
                        f"<td><code>{escape(str(v))}</code></td></tr>" for k, v in rows)
        if self.url:
            link = escape(self.url)
            cells += (f"<tr><th style='text-align:left'>service</th><td><a href='{link}/health'"
                      f" target='_blank'>{link}</a> (<a href='{link}/metrics' "
                      "target='_blank'>metrics</a>)</td></tr>")
        for w in self.warnings:
            cells += f"<tr><th style='text-align:left'>warning</th><td>{escape(w)}</td></tr>"
        return f"<table data-testid='stratum-deploy'>{cells}</table>"

    def __repr__(self) -> str:
        parts = [f"DeployResult(bundle={str(self.bundle)!r}, target={self.target!r}"]
        if self.image:
            parts.append(f"image={self.image!r}")
        if self.url:
            parts.append(f"url={self.url!r}")
        return ", ".join(parts) + ")"


def deploy(model_dir: str | Path, target: str, out: str | Path, *, port: int = 8080,
           bind: str = "127.0.0.1", name: str | None = None, base_image: str | None = None,
           convert: str = "auto", build: bool = False, run: bool = False, apply: bool = False,
           inventory: str | Path | None = None, check: bool = False, nodes: str | None = None,
           namespace: str | None = None, rps: float | None = None, registry: str | None = None,
           kubeconfig: str | Path | None = None, extra_vars: dict[str, Any] | None = None,
           on_event: Log = print, quantize: str | None = None,
           tolerance: str | dict[str, float] | None = None,
           sample: str | Path | None = None) -> DeployResult:
    """Check, render, and optionally build/run/apply a model bundle for ``target``.

    ``check`` renders only (no build, no apply). ``build`` builds the image with the docker
    SDK (``base_image`` overrides the Dockerfile's base, e.g. for offline builds); ``run``
    also runs it on this engine; ``apply`` runs the playbook with ansible-runner against
    ``inventory`` (the bundle's own inventory when omitted: this machine for ``local``);
    ``extra_vars`` override the playbook's vars.yml there (e.g. ``stratum_install_engine:
    false`` where the hosts run Docker already) and are kept for ``rollback``.
    For the kubernetes and kserve targets, ``nodes`` names the hardware target of the
    cluster's nodes, ``namespace``, ``rps`` (the request rate to size for) and ``registry``
    (the image's registry) shape the manifests, and ``apply`` applies them (server-side) to
    the cluster of ``kubeconfig``. ``quantize``, ``tolerance``, ``sample``: docs/edge-conversion.md
    (``quantize`` None: the target's default quantization where the conversion offers it).
    """
    from . import render as rnd
    from . import run as runner
    from .kb import KnowledgeBase
    from .orchestrated import ClusterOptions

    _check_modes(check=check, build=build, run=run, apply=apply, inventory=inventory,
                 kubeconfig=kubeconfig, extra_vars=extra_vars)
    kb = KnowledgeBase()
    cluster = ClusterOptions(namespace=namespace, rps=rps, registry=registry)
    plan = rnd.plan(model_dir, target, port=port, bind=bind, name=name, base_image=base_image,
                    convert=convert, kb=kb, nodes=nodes, cluster=cluster, quantize=quantize,
                    tolerance=tolerance, sample=sample)
    _check_target_options(plan.target, build=build, run=run, apply=apply,
                          inventory=inventory, kubeconfig=kubeconfig)
    out = Path(out)
    manifest = rnd.render(plan, out, kb=kb)
    _report_plan(plan, out, Path(model_dir), on_event)
    result = DeployResult(bundle=out, target=plan.target.name, manifest=manifest,
                          warnings=plan.warnings)
    if build or run:
        result.image = runner.docker_build(out, base_image=base_image, on_event=on_event)
    if run:
        result.record = runner.docker_run(out, on_event=on_event)
    if apply:
        result.record = _apply(plan.target, out, inventory=inventory, kubeconfig=kubeconfig,
                               extra_vars=extra_vars, on_event=on_event)
    if result.record:
        how = {"port": port, "bind": bind, "name": name, "base_image": base_image,
               "convert": convert, "quantize": plan.quantize, "tolerance": tolerance, "run": run,
               "sample": str(Path(sample).resolve()) if sample else None, "apply": apply,
               "inventory": str(Path(inventory).resolve()) if inventory else None,
               "nodes": nodes, "namespace": namespace, "rps": rps, "registry": registry,
               "kubeconfig": str(Path(kubeconfig).resolve()) if kubeconfig else None,
               **({"extra_vars": extra_vars} if extra_vars else {})}
        result.record = _keep(out, Path(model_dir), result.record, how)
        on_event(f"deployed: {result.record['url']} (recorded in {record_path(out)})")
    return result


def _report_plan(plan: Any, out: Path, model_dir: Path, on_event: Log) -> None:
    """What was rendered, the limits from the bundle's rightsizing, warnings, the sizing."""
    on_event(f"rendered {plan.target.name} bundle in {out} "
             f"({plan.runtime}, {len(plan.requirements)} pinned requirements)")
    if plan.resources:
        on_event(describe(plan.resources, model_dir))
    for note in plan.notes:
        on_event(note)
    if plan.converted is not None:
        on_event(describe_conversion(plan.converted.report))
    for warning in plan.warnings:
        on_event(f"warning: {warning}")
    if plan.sizing is not None:
        for line in [f"sizing: {plan.sizing.note}",
                     *(plan.sizing.plan.lines() if plan.sizing.plan else [])]:
            on_event(line)


def _check_modes(*, check: bool, build: bool, run: bool, apply: bool, inventory: Any,
                 kubeconfig: Any, extra_vars: Any) -> None:
    problems = []
    if check and (build or run or apply):
        problems.append("check: --check renders only; it cannot be combined with --build, "
                        "--run or --apply")
    for flag, value in (("inventory", inventory), ("kubeconfig", kubeconfig),
                        ("extra_vars", extra_vars)):
        if value and not apply:
            problems.append(f"{flag}: --{flag.replace('_', '-')} is used by --apply only")
    if problems:
        raise DeployError(problems)


def _apply(target: Any, out: Path, *, inventory: Any, kubeconfig: Any, extra_vars: Any,
           on_event: Log) -> DeployRecord:
    if target.orchestrated:
        from .kube_apply import apply as kube_apply

        return kube_apply(out, kubeconfig=kubeconfig, on_event=on_event)
    from .run import apply as ansible_apply

    return ansible_apply(out, inventory=inventory, on_event=on_event, extra_vars=extra_vars)


def _check_target_options(target: Any, *, build: bool, run: bool, apply: bool, inventory: Any,
                          kubeconfig: Any) -> None:
    """Options that belong to some targets only: the cluster targets, the host targets,
    the containerised ones."""
    if target.containerised and apply and inventory is None and not target.orchestrated:
        raise DeployError([f"inventory: target {target.name!r} deploys to remote hosts; "
                           f"pass --inventory FILE with a group [{target.host_group}]"])
    if (build or run) and not target.containerised:
        raise DeployError([f"build: target {target.name!r} runs as a process, there is "
                           "no image to build; use --apply"])
    problems = []
    if target.orchestrated:
        if run:
            problems.append(f"run: --run starts a container on this Docker engine; target "
                            f"{target.name!r} is applied to a cluster with --apply")
        if inventory:
            problems.append(f"inventory: target {target.name!r} is applied to a cluster "
                            "(--kubeconfig), not to Ansible hosts")
    elif kubeconfig:
        problems.append(f"kubeconfig: --kubeconfig is for the kubernetes and kserve targets, "
                        f"not {target.name!r}")
    if problems:
        raise DeployError(problems)


def _keep(out: Path, model_dir: Path, record: DeployRecord, how: dict[str, Any]
          ) -> DeployRecord:
    """Keep a copy of the model in history/ (for rollback), note it and the options in
    deploy.json, and the deployment in the user's list."""
    from .lifecycle import archive
    from .registry import remember

    copy = archive(out, model_dir)
    record = write_record(out, {**record, "model": str(copy), "how": how}, stamp=False)
    remember(out, record)
    return record


def read_deploy_record(bundle: str | Path) -> DeployRecord:
    """The bundle's deploy.json (after --apply or --run)."""
    return read_record(bundle)


def describe_conversion(report: dict[str, Any]) -> str:
    """The conversion's log line: format, quantization, measures, size and latency."""
    measures = ", ".join(f"{key} {report[key]:.4g}" for key in (
        "agreement", "accuracy_drop", "max_probability_diff", "max_error", "max_abs_error")
        if isinstance(report.get(key), int | float))
    size = f"{report['bytes']:,} bytes"
    if report.get("bytes_original"):
        size += f" ({report['bytes'] / report['bytes_original']:.2f}x the original)"
    latency = ""
    if report.get("latency_ms") is not None:
        latency = (f", {report['latency_ms']:.3g} ms per instance (original "
                   f"{report['latency_ms_original']:.3g} ms)")
    quantized = f" {report['quantize']}" if report.get("quantize") not in (None, "none") else ""
    return (f"conversion: {report['format']}{quantized}, verified on "
            f"{report['verified_rows']} instances{': ' + measures if measures else ''}; "
            f"{size}{latency}")
