"""Render Python expressions as readable, ruff-clean source.

Every user value goes through :func:`literal` (``repr`` of plain data), so no string from a
spec can reach generated code as anything but a string literal.
"""

from __future__ import annotations

import keyword
import math
from dataclasses import dataclass, field
from typing import Any

LINE = 88
INDENT = "    "


@dataclass(frozen=True)
class Call:
    """``func(*args, **kwargs)`` where args and values are Python data or nested nodes."""

    func: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Raw:
    """Source text used as is: only for names and expressions we produce ourselves."""

    text: str


def is_identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def literal(value: Any) -> str:
    """A one-line Python literal for plain data (str, numbers, bool, None, list, tuple, dict)."""
    if isinstance(value, float):
        if math.isinf(value):
            return 'float("inf")' if value > 0 else 'float("-inf")'
        if math.isnan(value):
            return 'float("nan")'
        return repr(value)
    if isinstance(value, str):
        text = repr(value)
        # Prefer double quotes, as black and ruff format do; safe when the value holds none.
        return f'"{text[1:-1]}"' if text[0] == "'" and '"' not in value else text
    if value is None or isinstance(value, bool | int):
        return repr(value)
    raise TypeError(f"not plain data: {type(value).__name__}")


def render(node: Any, indent: int = 0, width: int = LINE) -> str:
    """Source for ``node``, on one line when it fits in ``width`` at ``indent``, else broken."""
    flat = _flat(node)
    if len(INDENT * indent) + len(flat) <= width or not _breakable(node):
        return flat
    return _broken(node, indent, width)


def prefixed(prefix: str, node: Any, indent: int = 0, width: int = LINE) -> str:
    """``prefix`` (``key=`` or ``key: ``) then ``node``: flat when both fit on the line,
    else ``node`` broken (the prefix only takes room on its first line)."""
    flat = _flat(node)
    if len(INDENT * indent) + len(prefix) + len(flat) <= width or not _breakable(node):
        return prefix + flat
    broken = _broken(node, indent, width)
    opening = broken.split("\n", 1)[0]
    if isinstance(node, Call) and len(INDENT * indent) + len(prefix) + len(opening) > width:
        # A long key and a call: the call in parentheses on the lines below.
        inner = render(node, indent + 1, width)
        return f"{prefix}(\n{INDENT * (indent + 1)}{inner}\n{INDENT * indent})"
    return prefix + broken


def _broken(node: Any, indent: int, width: int) -> str:
    inner = INDENT * (indent + 1)
    close = INDENT * indent
    width -= 1  # every item of a broken container ends with a comma
    if isinstance(node, Call):
        items = [render(a, indent + 1, width) for a in node.args]
        items += [prefixed(f"{k}=", v, indent + 1, width) for k, v in node.kwargs.items()]
        open_, end = f"{node.func}(", ")"
    elif isinstance(node, dict):
        items = [prefixed(f"{render(k, indent + 1)}: ", v, indent + 1, width)
                 for k, v in node.items()]
        open_, end = "{", "}"
    else:
        items = [render(v, indent + 1, width) for v in node]
        open_, end = ("[", "]") if isinstance(node, list) else ("(", ")")
    body = "".join(f"{inner}{item},\n" for item in items)
    return f"{open_}\n{body}{close}{end}"


def _breakable(node: Any) -> bool:
    return isinstance(node, Call | dict | list | tuple) and bool(
        node.args or node.kwargs if isinstance(node, Call) else node)


def _flat(node: Any) -> str:
    if isinstance(node, Raw):
        return node.text
    if isinstance(node, Call):
        parts = [_flat(a) for a in node.args] + [f"{k}={_flat(v)}" for k, v in node.kwargs.items()]
        return f"{node.func}({', '.join(parts)})"
    if isinstance(node, dict):
        return "{" + ", ".join(f"{_flat(k)}: {_flat(v)}" for k, v in node.items()) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(_flat(v) for v in node) + "]"
    if isinstance(node, tuple):
        inner = ", ".join(_flat(v) for v in node)
        return f"({inner},)" if len(node) == 1 else f"({inner})"
    return literal(node)


def triple_quoted(text: str) -> str:
    """``text`` as a readable triple-quoted literal that evaluates back to exactly ``text``."""
    body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if body.endswith('"'):
        body = body[:-1] + '\\"'
    # Carriage returns and other controls would be silently changed by editors: escape them.
    body = "".join(
        c if c in "\n\t" or c.isprintable() else c.encode("unicode_escape").decode()
        for c in body
    )
    return f'"""{body}"""'
