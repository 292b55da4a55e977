"""Parameters a block takes from the spec's task and target rather than from the user.

A block with a ``target_type`` parameter (scikit-learn's ``TargetEncoder``, or a plugin's)
learns from the target, and its ``"auto"`` guesses the kind of target from its values:
integer delays in a regression read as hundreds of classes (one encoded column each, until
memory runs out). The task says what the target is, so such a block gets
``target_type="continuous"`` for regression and ``"binary"``/``"multiclass"`` (by the number
of classes) for classification, unless the spec sets it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .blocks import Block

TARGET_PARAM = "target_type"


def target_kind(task: str | None, y: Any = None) -> str | None:
    """scikit-learn's word for the target (``type_of_target``'s vocabulary): "continuous"
    for regression; for classification "binary" (two classes) or "multiclass" when ``y``
    is given, else None (a block's ``"auto"`` reads the labels then, to the same effect);
    None for clustering."""
    if task == "regression":
        return "continuous"
    if task != "classification" or y is None:
        return None
    import pandas as pd

    return "binary" if pd.Series(y).dropna().nunique() <= 2 else "multiclass"


def target_params(block: Block, kind: str | None, given: dict[str, Any]) -> dict[str, Any]:
    """``{"target_type": kind}`` for a block with that parameter, when the parameter takes
    ``kind`` and ``given`` (the step's own parameters, grid axes included) does not set it;
    else ``{}``."""
    info = block.param(TARGET_PARAM)
    if kind is None or info is None or TARGET_PARAM in given or kind not in info.choices:
        return {}
    return {TARGET_PARAM: kind}
