"""A bundle's model is read back before the bundle counts as saved: loaded by the loader of
``load_model`` (and so of the prediction service: the same trust rule), it must predict what
the fitted model predicts on the sample rows."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import StratumError
from .formats import ModelFormat, format_for
from .parts import locate


def _outputs(model: Any, data: Any) -> Any:
    import numpy as np

    return np.asarray(model.predict(data) if hasattr(model, "predict")
                      else model.transform(data))


def _same(a: Any, b: Any) -> bool:
    import numpy as np

    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fc" and b.dtype.kind in "fc":
        return bool(np.allclose(a, b, rtol=1e-9, atol=0, equal_nan=True))
    return bool((a.astype(str) == b.astype(str)).all())


def reload_problem(fmt: ModelFormat, folder: Path, model: Any, data: Any) -> str | None:
    """What goes wrong when ``fmt`` reads ``model`` back from ``folder`` and both predict (or
    transform) ``data``: the loader's error, or how the outputs differ; None if they agree."""
    try:
        loaded = fmt.load(folder, ())
    except Exception as exc:  # a loader raises whatever its format raises
        return f"load_model cannot load it back: {str(exc).replace(f'{folder}{os.sep}', '')}"
    try:
        expected, got = _outputs(model, data), _outputs(loaded, data)
    except Exception as exc:  # the loaded model is broken in a way only use shows
        return f"the loaded model fails on the sample rows: {type(exc).__name__}: {exc}"
    if not _same(expected, got):
        return ("the loaded model's outputs on the sample rows differ from the fitted "
                f"model's: {got.tolist()[:5]} != {expected.tolist()[:5]}")
    return None


def _part_problem(part: Any, data: Any) -> str | None:
    """A part of the model saved and loaded back on its own."""
    fmt = format_for(part)
    with tempfile.TemporaryDirectory(prefix="stratum-part-") as tmp:
        folder = Path(tmp)
        fmt.save(part, folder)
        return reload_problem(fmt, folder, part, data)


def check_reload(model: Any, fmt: ModelFormat, folder: Path, data: Any) -> None:
    """Load the model ``fmt`` wrote into ``folder`` back as ``load_model`` does and compare
    its predictions on ``data`` (the sample rows) with ``model``'s; else a StratumError
    naming the step and its type that cannot be saved."""
    problem = reload_problem(fmt, folder, model, data)
    if problem is None:
        return
    blame = locate(model, data, _part_problem)
    raise StratumError(f"the model was not saved: in {fmt.name} format, step {blame}: "
                       f"{blame.problem or problem}")
