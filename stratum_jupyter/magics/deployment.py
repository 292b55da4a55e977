"""``%stratum_deployment``: a shell over :mod:`stratum_jupyter.commands` ``deployment``."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class

from ._util import parse_line, user_errors


@magics_class
class DeploymentMagics(Magics):
    @line_magic
    @user_errors
    def stratum_deployment(self, line: str) -> Any:
        """A deployment's lifecycle: status, stop, rollback, or list the deployments you made.

        Without --json, status, stop and list are printed as short lines; with --json they
        are returned (a dict, the deploy record, a list of dicts). rollback returns the
        DeployResult.
        """
        from ..commands import deployment

        args = parse_line(self.stratum_deployment, line)
        found = deployment.run(args, on_event=lambda text: print(text, flush=True))
        if args.json or args.action == "rollback":
            return found
        if args.action == "stop":
            print(deployment.stop_text(found, args.deploy_dir))
        else:
            print(deployment.status_text(found) if args.action == "status"
                  else deployment.list_text(found))
        return None
