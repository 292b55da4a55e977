"""``%stratum_evaluate`` / ``%%stratum_evaluate``: a thin shell over
:func:`stratum_jupyter.evaluate`."""

from __future__ import annotations

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
        if args.monitor:
            _start_monitor(args.scheduler)
        result = evaluate(spec, X, y, scheduler=args.scheduler, out=args.out,
                          adapt=tuple(args.adapt) if args.adapt else None,
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


def _start_monitor(scheduler: str | None) -> None:
    """Worker panels next to the evaluation, when the monitor subpackage is present."""
    try:
        from .. import monitor  # type: ignore[attr-defined]
    except ImportError:
        print("stratum: monitoring not available (stratum_jupyter.monitor is not installed "
              "in this version); evaluating without it")
        return
    start = getattr(monitor, "monitor", None)
    if start is None:
        print("stratum: monitoring not available (stratum_jupyter.monitor has no monitor())")
        return
    start(workers=True, scheduler=scheduler)
