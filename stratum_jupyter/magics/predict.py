"""``%stratum_predict``: a shell over :mod:`stratum_jupyter.commands.predict`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from IPython.core.magic import Magics, line_magic, magics_class

from ._util import parse_line, user_errors

if TYPE_CHECKING:
    from ..batch.driver import Outcome


@magics_class
class PredictMagics(Magics):
    @line_magic
    @user_errors
    def stratum_predict(self, line: str) -> Outcome | None:
        """Progress lines are printed in the cell's output; the outcome (parts, rows,
        seconds) is returned and bound to ``_stratum_predict``. Read the answers with
        ``pandas.read_parquet(OUTPUT)``."""
        from ..commands import predict as command

        outcome = command.run(parse_line(self.stratum_predict, line), print)
        self.shell.user_ns["_stratum_predict"] = outcome
        return outcome
