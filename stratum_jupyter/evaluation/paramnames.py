"""Parameter names as the user writes them, for every leaderboard.

A configuration's parameters are addressed the way scikit-learn's ``set_params`` takes them
(``randomforestclassifier__n_estimators``); a spec names them under their step
(``RandomForestClassifier: {n_estimators: ...}``). Leaderboards (the DataFrame, the text
log, the HTML table, the builder) show the short name, ``n_estimators``; where two keys of
one configuration end the same (two scalers' ``with_mean``), each keeps as many of its
trailing parts as it needs to be told apart, joined with dots (``standardscaler.with_mean``).
The pipeline keys stay on ``Config.params`` and in ``fold_scores``.
"""

from __future__ import annotations

from typing import Any


def short_names(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with each ``a__b__c`` key shortened to its last part, or to its last
    parts joined with ``.`` where that alone would be ambiguous; order and values kept.

    >>> short_names({"pca__n_components": 2, "logisticregression__C": 1.0})
    {'n_components': 2, 'C': 1.0}
    >>> short_names({"a__scale__with_mean": True, "b__scale__with_mean": False})
    {'a.scale.with_mean': True, 'b.scale.with_mean': False}
    """
    parts = {key: str(key).split("__") for key in params}
    depth = dict.fromkeys(params, 1)
    while True:
        names = {key: ".".join(parts[key][-depth[key]:]) for key in params}
        seen: dict[str, list[Any]] = {}
        for key, name in names.items():
            seen.setdefault(name, []).append(key)
        clashes = [key for keys in seen.values() if len(keys) > 1 for key in keys
                   if depth[key] < len(parts[key])]
        if not clashes:
            return {names[key]: value for key, value in params.items()}
        for key in clashes:
            depth[key] += 1


def params_text(params: dict[str, Any]) -> str:
    """``n_estimators=100, max_depth=None`` ("-" when there are none)."""
    return ", ".join(f"{k}={plain(v)!r}" for k, v in short_names(params).items()) or "-"


def plain(value: Any) -> Any:
    """A NumPy scalar as the Python number it holds (``C=0.44``, not
    ``C=np.float64(0.44)``: scikit-learn's samplers draw NumPy scalars)."""
    if type(value).__module__ == "numpy" and getattr(value, "shape", None) == ():
        return value.item()
    return value
