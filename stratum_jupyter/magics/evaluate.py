"""``%stratum_evaluate`` / ``%%stratum_evaluate``: a thin shell over
:func:`stratum_jupyter.evaluate`."""

from __future__ import annotations

import contextlib
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from ._util import resolve_spec, user_errors

RESULT_NAME = "_stratum"


@magics_class
class EvaluateMagics(Magics):
    @magic_arguments()
    @argument("spec", nargs="?", help="A variable holding a spec, or a .yaml/.json path. "
              "In the cell form the cell body is the spec.")
    @argument("--data", nargs="+", metavar="VAR",
              help="The kernel variables holding the features and the target: --data X y "
              "(only X for clustering without labels). Default: the spec's data source.")
    @argument("--scheduler", metavar="ADDR",
              help="A Dask scheduler address (default: the current Client, else "
              "$STRATUM_SCHEDULER, else a local cluster started once per kernel).")
    @argument("--out", metavar="DIR", help="Save the best model's bundle to DIR/best.")
    @argument("--adapt", nargs=2, type=int, metavar=("MIN", "MAX"),
              help="Adaptive scaling between MIN and MAX workers, where the cluster can.")
    @argument("--monitor", action="store_true",
              help="Also show live worker panels (stratum_jupyter.monitor).")
    @argument("--display", choices=["auto", "widget", "text", "none"], default="auto",
              help="How progress is shown (default: a widget in a live frontend, else text).")
    @line_cell_magic
    @user_errors
    def stratum_evaluate(self, line: str, cell: str | None = None) -> Any:
        """Cross-validate a spec's candidates on Dask, show a live leaderboard, and return
        an EvaluationResult (also bound to ``_stratum``)."""
        from ..evaluation import evaluate

        args = parse_argstring(self.stratum_evaluate, line)
        spec = resolve_spec(self.shell, args.spec, cell)
        X, y = self._data(args.data)
        client, monitor = None, contextlib.nullcontext()
        if args.monitor:
            from ..evaluation.cluster import get_client

            client = get_client(None, args.scheduler)
            monitor = _worker_monitor(client)
        with monitor:
            result = evaluate(spec, X, y, client=client, scheduler=args.scheduler,
                              out=args.out, adapt=tuple(args.adapt) if args.adapt else None,
                              display=args.display)
        self.shell.user_ns[RESULT_NAME] = result
        if args.out:
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


def _worker_monitor(client: Any) -> Any:
    """A live panel of the cluster's workers for the length of the evaluation (a recorded
    figure without a live frontend), when :mod:`stratum_jupyter.monitor` is present."""
    try:
        from ..monitor import workers_panel  # type: ignore[import-not-found]
    except ImportError:
        print("stratum: monitoring not available (stratum_jupyter.monitor is not part of "
              "this installation); evaluating without it")
        return contextlib.nullcontext()
    return workers_panel(client)
