"""The time budget of a search (``evaluation.budget``): at the deadline no more work is
sent and the tasks still queued or running are cancelled, so the deadline holds (a worker
that is inside a fit finishes it in the background and drops the result; the cluster stays
usable). What finished is ranked (configurations with all their folds in), what was left
out is counted, and the best is refitted as usual; the refit is not counted in the budget.
Fold tasks run in the kernel (:mod:`.inprocess`) are not begun after the deadline; the one
running then finishes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


class Deadline:
    """``seconds`` from now (None: no budget). :meth:`arm` cancels the futures that
    ``in_flight()`` returns when the time is up, from a timer thread: the collecting loop
    then sees them come back cancelled and, :attr:`reached`, does not resubmit them."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds
        self.reached = False
        self.cancelled = 0  # tasks cancelled at the deadline (queued or running)
        self._timer: threading.Timer | None = None

    def left(self) -> float | None:
        return None if self.at is None else self.at - time.monotonic()

    def passed(self) -> bool:
        if self.at is not None and not self.reached and time.monotonic() >= self.at:
            self.reached = True
        return self.reached

    def arm(self, client: Any, in_flight: Callable[[], list[Any]]) -> None:
        """Cancel ``in_flight()`` on ``client`` at the deadline (nothing without one)."""
        left = self.left()
        if left is None or client is None:
            return

        def fire() -> None:
            self.reached = True
            futures = [f for f in in_flight() if not f.done()]
            self.cancelled += len(futures)
            try:
                client.cancel(futures)
            except Exception:  # a closed client: nothing left to cancel
                pass

        self._timer = threading.Timer(max(left, 0.0), fire)
        self._timer.daemon = True
        self._timer.start()

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def report(deadline: Deadline, results: list[Any], n_folds: int, not_sent: int,
           not_created: str = "") -> dict[str, Any]:
    """``timing["budget"]``: the budget, whether it was reached and, if so, a sentence
    naming what was left out (each such configuration is marked ``stopped``, so it is
    shown but not ranked): configurations without all their folds (``results``: the
    :class:`.results.ConfigResult` list), tasks never sent (``not_sent``) or cancelled,
    and what an adaptive search did not create (``not_created``, e.g. "rungs 2-3")."""
    out: dict[str, Any] = {"budget_s": deadline.seconds, "reached": deadline.reached}
    if not deadline.reached:
        return out
    unfinished = [r for r in results if r.failure is None and len(r.folds) < n_folds]
    started = sum(1 for r in unfinished if r.folds)
    for res in unfinished:  # status "stopped", unranked, the reason in its notes
        res.stopped = res.stopped or (f"left out at the budget with {len(res.folds)} of "
                                      f"{n_folds} folds in")
    out.update(configs_left_out=len(unfinished), configs_partial=started,
               tasks_not_sent=not_sent, tasks_cancelled=deadline.cancelled)
    text = (f"the budget of {deadline.seconds:g} s was reached: no more work was sent and "
            f"{deadline.cancelled} queued or running task(s) were cancelled; "
            f"{len(unfinished)} configuration(s) left out of the ranking ({started} with "
            f"some folds in), {not_sent} task(s) never sent")
    out["text"] = text + (f"; not run: {not_created}" if not_created else "")
    return out
