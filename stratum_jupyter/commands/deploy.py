"""``stratum deploy`` / ``%stratum_deploy``: check, render, and optionally build, run or
apply a model for a hardware target."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import Shell

if TYPE_CHECKING:
    from ..deploy import DeployResult

HELP = ("Check a model against a hardware target, render its deploy bundle (Dockerfile, "
        "service/, model/, ansible/ or kubernetes/, README.md) and optionally build, run or "
        "apply it.")


def add_arguments(parser: argparse.ArgumentParser, *, shell: Shell) -> None:
    from ..deploy.render import CONVERSIONS  # lazily: conversions may become a registry

    add = parser.add_argument
    add("model_dir", help="A saved model folder (e.g. runs/iris/best).")
    add("--target", required=True,
        help="A hardware target (see: stratum targets, %%stratum_targets).")
    add("--out", help="The folder to write the deploy bundle into (default: deploy/<the "
                      "model's name>, the --name or the candidate that was saved).")
    add("--name", help="The service's name (default: the candidate's name).")
    add("--port", type=int, default=8080, help="The service's port (default 8080).")
    add("--bind", default="127.0.0.1",
        help="The address the service listens on (default 127.0.0.1).")
    add("--convert", default="auto", choices=CONVERSIONS,
        help="Model conversion (auto: the target's default, ONNX on edge targets).")
    add("--quantize", default=None, choices=("none", "float16", "int8", "dynamic"),
        help="Quantize the conversion: float16 or int8 (full integer, calibrated on the "
             "sample) for --convert tflite, dynamic for --convert onnx; measured on the "
             "sample and refused past --tolerance (default: the target's quantize where the "
             "conversion offers it, see stratum targets; none: float32).")
    add("--tolerance", metavar="KEY=VALUE[,...]",
        help="What a conversion may lose, measured on the sample: agreement (share of the "
             "original's labels, at least), accuracy_drop and max_error (relative, at most); "
             "defaults per quantization, int8: agreement=0.99,accuracy_drop=0.01,"
             "max_error=0.1 (docs/edge-conversion.md).")
    add("--sample", metavar="PATH",
        help="A (labelled) sample to verify the conversion on and calibrate int8 with: "
             "CSV/Parquet with the target or a label column, .npy/.npz (labels array), or a "
             "folder of images in subfolders named by label (default: the bundle's sample).")
    add("--base-image", help="Build on this image instead of the target's (offline builds).")
    add("--build", action="store_true", help="Build the image with the Docker engine.")
    add("--run", action="store_true", help="Build, then run it on this Docker engine.")
    add("--apply", action="store_true", help="Run the Ansible playbook (ansible-runner).")
    add("--inventory", help="The Ansible inventory for --apply (remote targets).")
    add("--check", action="store_true", help="Run the checks and render only.")
    # the orchestrated targets (docs/kubernetes.md)
    add("--nodes", metavar="TARGET",
        help="kubernetes/kserve: the hardware target of the cluster's nodes (default: the "
             "amd64 CPU one; see stratum targets).")
    add("--namespace", help="kubernetes/kserve: the namespace (default stratum).")
    add("--rps", type=float, metavar="REQ_PER_S",
        help="kubernetes/kserve: the request rate to size replicas for (default: the "
             "profile's goal).")
    add("--registry",
        help="kubernetes/kserve: the registry the cluster pulls the image from (its name "
             "is prefixed with it; push the image there).")
    add("--kubeconfig", help="kubernetes/kserve: the cluster for --apply (default: "
                             "$KUBECONFIG, then ~/.kube/config).")
    if shell == "cli":
        add("--json", action="store_true",
            help="Print the result as JSON (the progress goes to standard error).")
    else:
        add("--monitor", action="store_true",
            help="Then show a live panel of the deployed service (after --run or --apply).")


def run(args: argparse.Namespace, on_event: Callable[[str], None]) -> DeployResult:
    """Deploy as ``args`` say; ``on_event`` receives each step's progress line."""
    from ..deploy import deploy

    out = args.out
    if not out:
        out = default_out(args.model_dir, args.name)
        on_event(f"no --out given: the deploy bundle goes to {out} (named after the model)")
    return deploy(args.model_dir, args.target, out, port=args.port, bind=args.bind,
                  name=args.name, base_image=args.base_image, convert=args.convert,
                  build=args.build, run=args.run, apply=args.apply, inventory=args.inventory,
                  check=args.check, nodes=args.nodes, namespace=args.namespace, rps=args.rps,
                  registry=args.registry, kubeconfig=args.kubeconfig, on_event=on_event,
                  quantize=args.quantize, tolerance=args.tolerance, sample=args.sample)


def default_out(model_dir: str, name: str | None = None) -> str:
    """``deploy/<name>``: the --name, else the candidate saved in the model's profile.json,
    else the model folder's name (its parent's for a ``best`` folder)."""
    import json
    import re
    from pathlib import Path

    if not name:
        try:
            profile = json.loads((Path(model_dir) / "profile.json").read_text("utf-8"))
            name = str(profile.get("candidate") or "")
        except (OSError, ValueError, AttributeError):
            name = ""
    if not name:
        folder = Path(model_dir).resolve()
        name = folder.parent.name if folder.name == "best" else folder.name
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "model"
    return f"deploy/{slug}"
