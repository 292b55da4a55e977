"""``%stratum_evaluate`` / ``%%stratum_evaluate``: a shell over
:mod:`stratum_jupyter.commands.evaluate`."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class

from ._util import parse_line, resolve_spec, user_errors

if TYPE_CHECKING:
    from distributed import Client

    from ..evaluation import EvaluationResult

RESULT_NAME = "_stratum"


@magics_class
class EvaluateMagics(Magics):
    @line_cell_magic
    @user_errors
    def stratum_evaluate(self, line: str, cell: str | None = None) -> EvaluationResult:
        """Cross-validate a spec's candidates on Dask, show a live leaderboard, and return
        an EvaluationResult.

        The result is also bound to ``_stratum``. In the cell form (%%stratum_evaluate) the
        cell body is the spec.
        """
        from ..commands import evaluate as command

        args = parse_line(self.stratum_evaluate, line)
        spec = resolve_spec(self.shell, args.spec, cell)
        X, y = self._data(args.data)
        client = None
        monitor: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
        if args.monitor:
            from ..evaluation.cluster import get_client

            client = get_client(None, args.scheduler)
            monitor = _worker_monitor(client)
        with monitor:
            result = command.run(args, spec, X, y, client=client)
        self.shell.user_ns[RESULT_NAME] = result
        if args.out and command.save(result, args.out) is not None:  # None: said why
            print(f"stratum: best model saved to {args.out}/best")
        return result

    def _data(self, names: list[str] | None) -> tuple[Any, Any]:
        if not names:
            return None, None
        if len(names) > 2:
            raise UsageError(f"--data takes the features and the target (2 names), "
                             f"got {len(names)}: {' '.join(names)}")
        values = []
        for name in names:
            if name not in self.shell.user_ns:
                raise UsageError(f"--data: no variable {name!r} in this kernel")
            values.append(self.shell.user_ns[name])
        return values[0], values[1] if len(values) > 1 else None


def _worker_monitor(client: Client) -> contextlib.AbstractContextManager[Any]:
    """A live panel of the cluster's workers for the length of the evaluation (a recorded
    figure without a live frontend), when :mod:`stratum_jupyter.monitor` is present."""
    try:
        from ..monitor import workers_panel  # type: ignore[import-not-found]
    except ImportError:
        print("stratum: monitoring not available (stratum_jupyter.monitor is not part of "
              "this installation); evaluating without it")
        return contextlib.nullcontext()
    return workers_panel(client)
