"""Words for error messages: "did you mean" matches and short renderings of bad values."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

__all__ = ["close_matches", "short_repr"]


def close_matches(name: Any, options: Iterable[Any], n: int = 3) -> tuple[str, ...]:
    """Up to ``n`` of ``options`` that look like ``name``, best first, compared without case
    or surrounding spaces (:func:`difflib.get_close_matches`, cutoff 0.6)."""
    lowered = {str(o).strip().lower(): str(o) for o in options}
    hits = difflib.get_close_matches(str(name).strip().lower(), list(lowered), n=n,
                                     cutoff=0.6)
    return tuple(lowered[h] for h in hits)


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters with ``...``."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
