"""The exception family of stratum_jupyter: everything a user can get wrong or that can fail."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["StratumError", "SpecError", "SpecIssue", "DataError", "MetricError", "DeployError",
           "EvaluationError", "ModelInputError"]


class StratumError(Exception):
    """Base class of every error raised on purpose by stratum_jupyter."""


def format_path(path: Sequence[str | int]) -> str:
    """``("candidates", 0, "steps", 1)`` -> ``candidates[0].steps[1]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "<spec>"


@dataclass(frozen=True)
class SpecIssue:
    """One problem in a spec: where it is, what was found, and what is allowed."""

    path: tuple[str | int, ...]
    message: str
    value: Any = None
    allowed: str | None = None
    suggestions: tuple[str, ...] = field(default=())

    @property
    def field(self) -> str:
        return format_path(self.path)

    def __str__(self) -> str:
        text = f"{self.field}: {self.message}"
        if self.allowed:
            text += f" (allowed: {self.allowed})"
        if self.suggestions:
            text += f"; did you mean {' or '.join(repr(s) for s in self.suggestions)}?"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "path": list(self.path),
            "message": self.message,
            "allowed": self.allowed,
            "suggestions": list(self.suggestions),
        }


class SpecError(StratumError, ValueError):
    """A pipeline spec is invalid. Carries every issue found, not only the first."""

    headline = "invalid pipeline spec"

    def __init__(self, issues: Iterable[SpecIssue]):
        self.issues: list[SpecIssue] = list(issues)
        n = len(self.issues)
        head = f"{self.headline} ({n} problem{'s' if n != 1 else ''}):"
        super().__init__("\n".join([head, *(f"  - {issue}" for issue in self.issues)]))

    @property
    def fields(self) -> list[str]:
        return [issue.field for issue in self.issues]


class MetricError(SpecError):
    """The metrics (or ``pos_label``) do not fit the data: a metric for binary targets on a
    target of three or more classes, a positive class that is not a label. Found while
    preparing an evaluation, before any task; bad input, like any ``SpecError``."""

    headline = "the metrics do not fit the data"


class DataError(SpecError):
    """The data does not fit the spec: a column it names is not in the table, a value that
    does not fit ``data.roles``, a label column with no labels, a file that cannot be read.
    Bad input like any ``SpecError`` (the CLI exits with 2, a magic raises UsageError), found
    when the data is read, before any work starts. ``message`` is the whole text (default:
    the issues, one per line)."""

    def __init__(self, issues: Iterable[SpecIssue], message: str | None = None):
        super().__init__(issues)
        if message is None:
            lines = [str(issue) for issue in self.issues]
            message = lines[0] if len(lines) == 1 else "\n".join(
                [f"the data does not fit the spec ({len(lines)} problems):",
                 *(f"  - {line}" for line in lines)])
        self.args = (message,)


class EvaluationError(StratumError, RuntimeError):
    """An evaluation could not produce a result (for example: every candidate failed)."""


class DeployError(StratumError):
    """A deployment violates the target's constraints; carries every violation found."""

    def __init__(self, violations: Iterable[str]):
        self.violations = list(violations)
        super().__init__(
            "deployment refused:\n" + "\n".join(f"  - {v}" for v in self.violations)
        )


class ModelInputError(StratumError, ValueError):
    """A model, model file, sample or declaration that cannot make a bundle
    (``save_model`` / ``stratum bundle``): the message names the argument, the value and what
    is allowed."""
