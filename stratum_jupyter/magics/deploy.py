"""``%stratum_deploy`` and ``%stratum_targets``: thin shells over :mod:`stratum_jupyter.deploy`."""

from __future__ import annotations

import shlex
from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from ._util import user_errors


def _unquote(value: str | None) -> str | None:
    """IPython's argument splitting keeps quotes ('my dir'); paths need them gone."""
    if value and len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


@magics_class
class DeployMagics(Magics):
    @magic_arguments()
    @argument("model_dir", help="A saved model folder (e.g. runs/iris/best).")
    @argument("--target", required=True, help="A hardware target (see %%stratum_targets).")
    @argument("--out", required=True, help="The folder to write the deploy bundle into.")
    @argument("--name", help="The service's name (default: the candidate's name).")
    @argument("--port", type=int, default=8080, help="The service's port (default 8080).")
    @argument("--bind", default="127.0.0.1",
              help="The address the service listens on (default 127.0.0.1).")
    @argument("--convert", default="auto", choices=["auto", "none", "onnx", "tflite"],
              help="Model conversion (auto: the target's default, ONNX on edge targets).")
    @argument("--base-image", help="Build on this image instead of the target's (offline "
              "builds).")
    @argument("--build", action="store_true", help="Build the image with the Docker engine.")
    @argument("--run", action="store_true", help="Build, then run it on this Docker engine.")
    @argument("--apply", action="store_true", help="Run the Ansible playbook (ansible-runner).")
    @argument("--inventory", help="The Ansible inventory for --apply (remote targets).")
    @argument("--check", action="store_true", help="Run the checks and render only.")
    @argument("--monitor", action="store_true",
              help="Show a live panel of the deployed service.")
    @line_magic
    @user_errors
    def stratum_deploy(self, line: str) -> Any:
        """Check a model against a hardware target, render the deploy bundle (Dockerfile,
        service/, model/, ansible/, README.md) and optionally build, run or apply it.
        The result is also bound to ``_stratum_deploy``."""
        from ..deploy import deploy

        args = parse_argstring(self.stratum_deploy, line)
        for key in ("model_dir", "out", "inventory", "name", "base_image", "target"):
            setattr(args, key, _unquote(getattr(args, key)))
        result = deploy(args.model_dir, args.target, args.out, port=args.port, bind=args.bind,
                        name=args.name, base_image=args.base_image, convert=args.convert,
                        build=args.build, run=args.run, apply=args.apply,
                        inventory=args.inventory, check=args.check,
                        on_event=lambda text: print(text, flush=True))
        self.shell.user_ns["_stratum_deploy"] = result
        if args.monitor:
            self._monitor(result)
        return result

    def _monitor(self, result: Any) -> None:
        if not result.url:
            print("monitoring: nothing is running yet (use --apply or --run)")
            return
        if self.shell.find_line_magic("stratum_monitor") is None:
            print("monitoring not available: this installation has no %stratum_monitor "
                  f"(the service's metrics are at {result.url}/metrics)")
            return
        self.shell.run_line_magic("stratum_monitor", f"--services {shlex.quote(result.url)}")

    @magic_arguments()
    @argument("--json", action="store_true", help="Return the targets as a list of dicts.")
    @line_magic
    @user_errors
    def stratum_targets(self, line: str) -> Any:
        """The hardware targets: architecture, accelerator, memory, OS, base image, Python."""
        from ..deploy.targets import list_targets

        args = parse_argstring(self.stratum_targets, line)
        rows = [t.summary() for t in list_targets()]
        if args.json:
            return rows
        import pandas as pd

        return pd.DataFrame(rows).set_index("name")
