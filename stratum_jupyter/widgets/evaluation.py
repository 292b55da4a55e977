"""The builder's side of an evaluation: finding the evaluator and the data, and turning
results into the leaderboard table the view draws (while it runs and at the end)."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any

from ..errors import SpecError, SpecIssue
from .spec_cell import user_ns


class EvaluationUnavailable(RuntimeError):
    """``stratum_jupyter.evaluate`` is not part of this installation."""


def evaluator() -> Callable[..., Any]:
    """``stratum_jupyter.evaluate``; ``EvaluationUnavailable`` says when there is none."""
    import stratum_jupyter

    try:
        return stratum_jupyter.evaluate
    except (AttributeError, ImportError) as exc:
        raise EvaluationUnavailable(
            "evaluation is unavailable: this stratum_jupyter has no evaluate() "
            f"({exc}); generate the cells and run them instead") from None


def accepted_parameters(func: Any) -> set[str]:
    """The names of ``func``'s parameters (none when they cannot be read)."""
    try:
        return set(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return set()


def resolve_data(data_vars: str, spec: Any) -> tuple[Any, Any]:
    """``(X, y)``: the session's variables named in ``data_vars`` (``"X y"``), else
    ``(None, None)`` when the spec has a ``data`` source (``evaluate`` reads it: its read
    options, roles and checks, with notes); a ``SpecError`` when there is neither."""
    names = data_vars.replace(",", " ").split()
    namespace = user_ns()
    if names and namespace is not None and all(n in namespace for n in names):
        values = [namespace[n] for n in names]
        return values[0], (values[1] if len(values) > 1 else None)
    if spec.data is not None:
        return None, None
    missing = [n for n in names if namespace is None or n not in namespace]
    raise SpecError([SpecIssue(("data",), "no data to evaluate on: the variables "
                               f"{', '.join(missing) or '(none named)'} are not defined "
                               "and the spec names no data source",
                               allowed="kernel variables (e.g. X y) or data.source")])


class LiveBoard:
    """``on_result`` of the evaluator: hands the leaderboard so far to ``show`` (the
    builder's), at most every 0.3 s."""

    def __init__(self, show: Callable[[dict[str, Any]], None], spec: Any):
        self.show, self.spec = show, spec
        self.results: dict[Any, Any] = {}
        self.sent = 0.0

    def __call__(self, result: Any) -> None:
        config = getattr(result, "config", None)
        self.results[getattr(config, "index", id(result))] = result
        if time.monotonic() - self.sent < 0.3:
            return
        self.sent = time.monotonic()
        try:
            from ..evaluation.leaderboard import leaderboard_frame

            frame = leaderboard_frame(list(self.results.values()), self.spec.metrics,
                                      self.spec.select_by)
        except Exception:  # a progress view must never break the evaluation
            return
        from .board import board_payload

        self.show(board_payload(frame, self.spec, state="running"))
