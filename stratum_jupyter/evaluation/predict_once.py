"""A fitted model's responses on a fold's test part computed once, for its scores and for
the responses kept for the diagnostics and ensembles (:func:`.tasks.responses`).

Every scorer calls the model's ``predict`` (or ``predict_proba``, ``decision_function``) on
the test part, and keeping the responses called them again: for a HistGradientBoosting of
200 trees on 4,000 test rows about a tenth of its fold task. While :func:`once` is open, each
of these methods called on exactly that test part (the same object, no other arguments)
computes its answer once and gives the same array to every later caller; other calls go to
the model as usual. The memo lives on the model instance (instance attributes shadowing the
class's methods) only while the task scores, and is removed before the model is returned.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

METHODS = ("predict", "predict_proba", "decision_function")


@contextlib.contextmanager
def once(fitted: Any, X: Any) -> Iterator[None]:
    """Memoise ``fitted``'s response methods on ``X`` until the block ends (a model that
    takes no instance attributes is left as it is)."""
    own: dict[str, Any] = vars(fitted) if hasattr(fitted, "__dict__") else {}
    set_here = []
    for name in METHODS if hasattr(fitted, "__dict__") else ():
        if name in own:  # an instance attribute already: not ours to shadow
            continue
        try:
            method = getattr(fitted, name)
        except AttributeError:  # not offered (available_if)
            continue
        try:
            setattr(fitted, name, _memo(method, X))
        except Exception:  # a model that refuses new attributes
            continue
        set_here.append(name)
    try:
        yield
    finally:
        for name in set_here:
            vars(fitted).pop(name, None)


def _memo(method: Any, X: Any) -> Any:
    import functools

    cache: list[Any] = []

    @functools.wraps(method)  # scikit-learn's scorers read the method's name
    def call(data: Any, *args: Any, **kwargs: Any) -> Any:
        if data is not X or args or kwargs:
            return method(data, *args, **kwargs)
        if not cache:
            cache.append(method(data))
        return cache[0]

    return call
