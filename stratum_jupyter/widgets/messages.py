"""The validator's issues in the student's words, for the builder's screen.

The spec validator speaks to spec authors and passes some of pydantic's structural messages
through ("List should have at least 1 item after validation, not 0"). The builder shows each
issue beside its field in words about the builder itself (a candidate with no blocks, a
column to choose in the table), and every message says what to do. :func:`in_words` is
applied to each issue the builder sends to its view; ``builder.current_issues()`` and
``SpecError`` keep the validator's own text.
"""

from __future__ import annotations

import re
from typing import Any

# (field pattern, message pattern) -> (message, what to do); the first that matches wins.
# {0}, {1}...: the message pattern's groups.
_RULES: list[tuple[str, str, str, str]] = [
    (r"candidates", r"List should have at least 1 item",
     "there is no candidate yet", "add one with \u201c+ candidate\u201d"),
    (r"candidates\[\d+\]\.steps", r"List should have at least 1 item",
     "this candidate has no blocks yet",
     "drag a block from the palette into it (a model last, e.g. LogisticRegression)"),
    (r"candidates\[\d+\]\.name", r"String should have at least 1 character",
     "the candidate needs a name", "type one (letters, digits, _ . -)"),
    (r"data\.target", r"needs the label column",
     "choose the column to predict",
     "set its role to \u201ctarget\u201d in the Columns table, or type its name here"),
    (r"data\.source", r"", "", "e.g. csv:penguins.csv, parquet:data.parquet or sklearn:iris"),
    (r".*", r"Input should be a valid integer", "this should be a whole number",
     "type e.g. 0 or 42"),
    (r".*", r"Input should be a valid number", "this should be a number", "type e.g. 0.5"),
    (r".*", r"Input should be less than or equal to ([^\s;]+)", "this should be at most {0}",
     "type a smaller value"),
    (r".*", r"Input should be less than ([^\s;]+)", "this should be less than {0}",
     "type a smaller value (a fraction such as 0.2)"),
    (r".*", r"Input should be greater than or equal to ([^\s;]+)",
     "this should be at least {0}", "type a larger value"),
    (r".*", r"Input should be greater than ([^\s;]+)", "this should be more than {0}",
     "type a larger value"),
    (r".*", r"String should have at least 1 character", "this cannot be empty",
     "type a value"),
    (r".*", r"required field is missing|Field required", "this is needed", "fill it in"),
    (r".*", r"Input should be a valid (list|array)", "this should be a list of values",
     "separate the values with commas"),
    (r".*", r"Input should be a valid (string|boolean|dictionary)",
     "this should be a {0}", "change the value"),
]
_PYDANTIC = re.compile(r"after validation|Input should|List should|String should|"
                       r"Field required|validation error")


def in_words(issue: dict[str, Any]) -> dict[str, Any]:
    """An issue (``SpecIssue.to_dict()``) as the builder shows it: the ``message`` in the
    student's words, ``todo``: what to do (None when the message says it already), the
    validator's text kept as ``detail``."""
    field, message = str(issue.get("field", "")), str(issue.get("message", ""))
    for field_rx, message_rx, words, todo in _RULES:
        if not re.fullmatch(field_rx, field):
            continue
        found = re.search(message_rx, message)
        if found is None:
            continue
        if words:
            message = words.format(*found.groups())
        return {**issue, "message": message, "todo": todo, "detail": issue.get("message")}
    if _PYDANTIC.search(message):  # no rule yet: at least no parser jargon on screen
        message = re.sub(r"^(Input|List|String) should", "this should", message)
        message = message.replace(" after validation", "")
    return {**issue, "message": message, "todo": None, "detail": issue.get("message")}


def issue_line(issue: Any) -> str:
    """One issue (a ``SpecIssue``, or text) as a line of the builder's status:
    ``candidates[0].steps: this candidate has no blocks yet: drag a block ...``."""
    if not hasattr(issue, "to_dict"):
        return str(issue)
    said = in_words(issue.to_dict())
    line = f"{said['field']}: {said['message']}"
    if said.get("allowed") and not said.get("todo"):
        line += f" (allowed: {said['allowed']})"
    return line + (f": {said['todo']}" if said.get("todo") else "")
