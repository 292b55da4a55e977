"""What a long evaluation says as it goes, in the text log and the widget alike: where its
tasks run, each configuration's folds as they arrive (a few lines, not one per fold), each
configuration's own fit cost, and the refit of the best on all the data with its estimate.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .results import ConfigResult

#: At most one fold line per configuration this often (seconds): a long fold shows, a
#: grid of quick ones does not flood the log.
FOLD_EVERY_S = 5.0


def where(cluster: dict[str, Any]) -> str:
    """Where the tasks run, truthfully: ``in this process (...)``, ``on a LocalCluster with
    2 workers (4 threads)`` or ``on the scheduler at tcp://...: 3 workers (12 threads)``."""
    if cluster.get("in_process"):
        return "in this process (the local Dask cluster is not up yet)"
    workers, threads = cluster.get("workers", 0), cluster.get("threads", 0)
    size = f"{workers} worker{'s' if workers != 1 else ''} ({threads} thread" \
           f"{'s' if threads != 1 else ''})"
    if cluster.get("local"):
        return f"on a LocalCluster with {size}"
    return f"on the scheduler at {cluster.get('scheduler') or '?'}: {size}"


def name(res: ConfigResult) -> str:
    """A configuration's short name: its candidate and number, ``forest #3``; an ensemble
    by its name alone (``ensemble (stacking)``: it is not one of the grid's configurations)."""
    if res.config.members:
        return res.config.candidate
    return f"{res.config.candidate} #{res.config.index + 1}"


def fit_cost(res: ConfigResult) -> float:
    """A configuration's own fit cost: the sum of its folds' fit times (its shared prefixes
    included, as scikit-learn reports them), not the time its last fold arrived."""
    return float(sum(score.fit_time for score in res.folds.values()))


def fold_line(res: ConfigResult, n_folds: int) -> str:
    """``forest #3: fold 2/5 (fit 4.1 s so far)``."""
    return (f"{name(res)}: fold {len(res.folds)}/{n_folds} "
            f"(fit {fit_cost(res):.1f} s so far)")


def cost_text(res: ConfigResult) -> str:
    """``fit 12.3 s over 5 folds``: said when a configuration is done."""
    folds = len(res.folds)
    return f"fit {fit_cost(res):.1f} s over {folds} fold{'s' if folds != 1 else ''}"


def refit_line(res: ConfigResult, rows: int, estimate_s: float | None) -> str:
    """``refitting the best, forest #3, on all 3322 rows (about 2.0 s from its folds' fit
    times)``."""
    about = (f" (about {estimate_s:.1f} s from its folds' fit times)"
             if estimate_s is not None else "")
    return f"refitting the best, {name(res)}, on all {rows} rows{about}"


def refit_estimate(res: ConfigResult, rows: int, train_rows: list[int]) -> float | None:
    """The refit's time, from the folds': their mean fit time scaled by the rows (all of
    them against a fold's train part); None without a fold fit time (an ensemble)."""
    times = [score.fit_time for score in res.folds.values()]
    if not times or not train_rows or not sum(times):
        return None
    mean_train = sum(train_rows) / len(train_rows)
    return sum(times) / len(times) * rows / max(mean_train, 1)


class FoldTicker:
    """Rate limit of fold lines: one per configuration every :data:`FOLD_EVERY_S` seconds,
    counted from the evaluation's start, never for its last fold (the line of the finished
    configuration says it)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.last: dict[int, float] = {}

    def due(self, res: ConfigResult, n_folds: int) -> bool:
        if len(res.folds) >= n_folds:
            return False
        now = time.perf_counter()
        if now - self.last.get(res.config.index, self.started) < FOLD_EVERY_S:
            return False
        self.last[res.config.index] = now
        return True


def cost_of_run(timing: dict[str, Any]) -> str:
    """What an evaluation on a cluster cost: ``sent the data (21.6 MB) to the workers: 2
    copies; the workers' memory peaked at 1.1 GiB together (as they reported it)``."""
    text = (f"sent the data ({_size(timing['sent_bytes'])}) to the workers: "
            f"{timing.get('sent_copies', 1)} cop{'y' if timing.get('sent_copies') == 1 else 'ies'}")
    if timing.get("workers_peak_bytes"):
        text += (f"; the workers' memory peaked at {_size(timing['workers_peak_bytes'])} "
                 "together (as they reported it)")
    return text


def _size(nbytes: float) -> str:
    for unit, scale in (("GiB", 2**30), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{int(nbytes)} bytes"
