"""``%stratum_profile``: a shell over :mod:`stratum_jupyter.commands.profile`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from IPython.core.magic import Magics, line_magic, magics_class

from ._util import parse_line, user_errors

if TYPE_CHECKING:
    from ..profiling import ProfileResult


@magics_class
class ProfileMagics(Magics):
    @line_magic
    @user_errors
    def stratum_profile(self, line: str) -> ProfileResult | None:
        """Measure the prediction service across resource configurations and rightsize it.

        Progress streams into the cell's output; the figures (BokehJS inline) are shown
        when it ends. The result (``.table``, ``.recommendation``, ``.files``) is bound to
        ``_stratum_profile``.
        """
        from IPython.display import display

        from ..commands import profile as command

        args = parse_line(self.stratum_profile, line)
        result = command.run(args, log=lambda text: print(text, flush=True))
        self.shell.user_ns["_stratum_profile"] = result
        display({"text/html": result.html(), "text/plain": repr(result)}, raw=True)
        return None
