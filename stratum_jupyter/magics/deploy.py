"""``%stratum_deploy`` and ``%stratum_targets``: shells over
:mod:`stratum_jupyter.commands` ``deploy`` and ``targets``."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, line_magic, magics_class

from ._util import parse_line, user_errors

if TYPE_CHECKING:
    from ..deploy import DeployResult


@magics_class
class DeployMagics(Magics):
    @line_magic
    @user_errors
    def stratum_deploy(self, line: str) -> DeployResult:
        """Check a model against a hardware target, render the deploy bundle and optionally
        build, run or apply it.

        The result is also bound to ``_stratum_deploy``.
        """
        from ..commands import deploy

        args = parse_line(self.stratum_deploy, line)
        result = deploy.run(args, on_event=lambda text: print(text, flush=True))
        self.shell.user_ns["_stratum_deploy"] = result
        if args.monitor:
            self._monitor(result)
        return result

    def _monitor(self, result: DeployResult) -> None:
        if not result.url:
            print("monitoring: nothing is running yet (use --apply or --run)")
            return
        if self.shell.find_line_magic("stratum_monitor") is None:
            print("monitoring not available: this installation has no %stratum_monitor "
                  f"(the service's metrics are at {result.url}/metrics)")
            return
        self.shell.run_line_magic("stratum_monitor", f"--services {shlex.quote(result.url)}")

    @line_magic
    @user_errors
    def stratum_targets(self, line: str) -> Any:
        """The hardware targets: architecture, accelerator, memory, OS, base image, Python.

        Returns a pandas DataFrame indexed by name (with --json: a list of dicts).
        """
        from ..commands import targets

        args = parse_line(self.stratum_targets, line)
        rows = targets.run()
        if args.json:
            return rows
        import pandas as pd

        return pd.DataFrame(rows).set_index("name")
