"""Diagnostics of an evaluation: the numbers behind the diagnostic plots (from the
out-of-fold predictions, no extra fit), the permutation importance of the best
configuration on the original columns, and the plots and the static report drawn from them.

Importing this package imports neither Dask nor Bokeh.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Diagnostics", "load_frames"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import result

        return getattr(result, name)
    raise AttributeError(name)
