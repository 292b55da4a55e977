"""``%stratum_report``: a shell over :mod:`stratum_jupyter.commands.report`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from IPython.core.magic import Magics, line_magic, magics_class

from ._util import parse_line, user_errors

if TYPE_CHECKING:
    from ..commands.report import Report


@magics_class
class ReportMagics(Magics):
    @line_magic
    @user_errors
    def stratum_report(self, line: str) -> Report | None:
        """Show the diagnostic plots of a saved run in the cell's output (BokehJS inline:
        it stays in a saved or papermill-run notebook); ``--out`` also writes the page.
        The report is bound to ``_stratum_report``."""
        from IPython.display import display

        from ..commands import report as command

        report = command.run(parse_line(self.stratum_report, line), shell="magic")
        self.shell.user_ns["_stratum_report"] = report
        plain = f"stratum report of {report.model_dir}" + (
            f" (written to {report.path})" if report.path else "")
        display({"text/html": report.html, "text/plain": plain}, raw=True)
        return None
