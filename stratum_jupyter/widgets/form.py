"""The builder's form state and the spec, both ways (pure functions, no widget here).

The widget edits a *form*: the spec's shape with every parameter and setting held as the
text the user typed. ``form_to_spec`` reads that text the way a YAML spec would be read
(``0.1, 1`` is a grid axis of two floats, ``None``/``null`` is None, ``True`` a bool), so
what the builder makes and what a hand-written spec says mean the same. ``spec_to_form``
goes back, leniently: an invalid spec still loads, so its problems can be shown in place.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ..errors import SpecError
from ..spec.io import parse_text
from ..spec.search import SEARCHES, is_distribution

Form = dict[str, Any]

_PLAIN = re.compile(r"[\w.+-]+( [\w.+-]+)*")
EVALUATION_TEXT_FIELDS = ("cv", "holdout", "test", "random_state", "n_iter", "n_trials",
                          "budget")
# The spec fields the form edits, at each level. Everything else a spec holds (column-wise
# preprocessing, a data source's read options, pos_label, a candidate's own search...) is
# kept under the level's KEPT key as it was and written back unchanged: editing a spec in
# the builder never loses what the builder has no field for.
KEPT = "kept"
EDITED = {
    "spec": ("version", "name", "task", "data", "evaluation", "candidates"),
    "data": ("source", "target", "drop", "roles", "features", "groups", "order_by"),
    "evaluation": (*EVALUATION_TEXT_FIELDS, "metrics", "select_by", "search", "ensemble",
                   "halving"),
    "candidate": ("name", "steps"),
}
# How YAML (so a form field) writes the floats that JSON has no words for.
NONFINITE_TEXT = {"inf": ".inf", "-inf": "-.inf", "nan": ".nan"}


def empty_form(task: str = "classification") -> Form:
    """A new builder's form: one empty candidate, default evaluation."""
    return {
        "name": "",
        "task": task,
        "data": empty_data(),
        "evaluation": {"cv": "5", "holdout": "", "test": "", "metrics": [], "select_by": "",
                       "random_state": "0", "search": "grid", "n_iter": "",
                       "n_trials": "", "budget": "", "splitter": "", "splitter_params": {},
                       **_ensemble_form(None), **_halving_form(None)},
        "candidates": [{"name": "candidate_1", "steps": []}],
    }


def empty_data() -> dict[str, Any]:
    """The form's ``data``: source and target as typed, the columns left out (``drop``), the
    kinds of data declared (``roles``: column -> numeric|categorical|boolean|datetime),
    ``features`` (kept as the spec gave them; the builder does not edit them), the group
    column of a group splitter (``groups``) and the column the rows are sorted by
    (``order_by``), as typed."""
    return {"source": "", "target": "", "drop": [], "roles": {}, "features": None,
            "groups": "", "order_by": ""}


def parse_value(text: str) -> Any:
    """One field's text as a spec value; ``a, b`` (a top-level comma) is a list: a grid axis."""
    text = text.strip()
    if not text:
        raise ValueError("empty")
    if text in ("None", "none"):
        return None
    if _has_top_level_comma(text):
        text = f"[{text}]"
    try:
        # as a spec file's YAML is read (1e-3 is a float); an unquoted None is null too
        return parse_text(text, python_none=True)
    except SpecError:
        return text  # not YAML: take it as the string typed; the validator says if it fits


def _has_top_level_comma(text: str) -> bool:
    depth, quote = 0, ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            return True
    return False


def format_value(value: Any) -> str:
    """A spec value as the text a form field shows (the inverse of :func:`parse_value`); a
    search distribution as a spec writes it: ``{low: 0.01, high: 10, log: true}``."""
    if is_distribution(value) and all(isinstance(v, int | float) for v in value.values()):
        return "{" + ", ".join(f"{k}: {str(v).lower() if isinstance(v, bool) else repr(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, list):
        if value and not any(isinstance(v, list | dict) for v in value):
            text = ", ".join(_item(v) for v in value)
            return f"[{text}]" if len(value) == 1 else text  # one value is still a list
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        # Quote strings that would otherwise read back as something else.
        return value if _reads_back(value) else json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and not math.isfinite(value):
        return NONFINITE_TEXT[repr(value)]
    return repr(value)


def _item(value: Any) -> str:
    """A list item: strings other than plain words are quoted (YAML's flow characters)."""
    if isinstance(value, str) and not (_PLAIN.fullmatch(value) and _reads_back(value)):
        return json.dumps(value, ensure_ascii=False)
    return format_value(value)


def _reads_back(text: str) -> bool:
    try:
        return parse_value(text) == text
    except ValueError:
        return False


def form_to_spec(form: Form) -> dict[str, Any]:
    """The raw spec mapping the form describes (not validated: see ``collect_issues``)."""
    spec: dict[str, Any] = {"version": 1}
    if str(form.get("name", "")).strip():
        spec["name"] = form["name"].strip()
    spec["task"] = form.get("task", "")
    data = _data(form.get("data") or {})
    if data:
        spec["data"] = data
    spec["evaluation"] = _evaluation(form.get("evaluation") or {})
    spec["candidates"] = [
        {"name": str(cand.get("name", "")).strip(),
         "steps": [{step["block"]: _params(step.get("params") or {})}
                   for step in cand.get("steps", [])], **_kept(cand)}
        for cand in form.get("candidates", [])
    ]
    if data:
        data.update(_kept(form.get("data") or {}))
    spec["evaluation"].update(_kept(form.get("evaluation") or {}))
    spec.update(_kept(form))
    return spec


def _kept(level: dict[str, Any]) -> dict[str, Any]:
    kept = level.get(KEPT)
    return dict(kept) if isinstance(kept, dict) else {}


def _set_kept(level: dict[str, Any], kept: dict[str, Any]) -> None:
    if kept:
        level[KEPT] = kept


def _keep(level: str, part: dict[str, Any]) -> dict[str, Any]:
    """What of a spec ``part`` the form has no field for (see :data:`EDITED`)."""
    return {k: v for k, v in part.items() if k not in EDITED[level]}


def _data(data: dict[str, Any]) -> dict[str, Any]:
    """The spec's ``data`` section (none without a source: the kernel's X, y are used)."""
    if not str(data.get("source", "")).strip():
        return {}
    out: dict[str, Any] = {"source": data["source"].strip()}
    if str(data.get("target", "")).strip():
        out["target"] = data["target"].strip()
    if data.get("features") is not None:
        out["features"] = list(data["features"])
    if data.get("drop"):
        out["drop"] = list(data["drop"])
    if data.get("roles"):
        out["roles"] = dict(data["roles"])
    for key in ("groups", "order_by"):
        if str(data.get(key) or "").strip():
            out[key] = str(data[key]).strip()
    return out


def _params(texts: dict[str, str]) -> dict[str, Any]:
    params = {}
    for name, text in texts.items():
        try:
            params[name] = parse_value(str(text))
        except ValueError:
            continue  # an empty field means: the block's default
    return params


def _evaluation(ev: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in EVALUATION_TEXT_FIELDS:
        try:
            out[key] = parse_value(str(ev.get(key, "")))
        except ValueError:
            continue
    if str(ev.get("splitter") or "").strip():  # a splitter replaces the fold count
        out["cv"] = {ev["splitter"].strip(): _params(ev.get("splitter_params") or {})}
    if ev.get("metrics"):
        out["metrics"] = list(ev["metrics"])
    if str(ev.get("select_by") or "").strip():
        out["select_by"] = ev["select_by"].strip()
    if ev.get("search") and ev["search"] != "grid":
        out["search"] = ev["search"]
    halving = _halving(ev)
    if halving:
        out["halving"] = halving
    if ev.get("ensemble"):  # a method: on, with what the form does not edit kept
        ensemble = {**(ev.get("ensemble_kept") or {}), "method": ev["ensemble"]}
        try:
            k = parse_value(str(ev.get("ensemble_k") or ""))
        except ValueError:
            k = None
        if k is not None:
            ensemble["k"] = k
        out["ensemble"] = ensemble
    return out


def _halving(ev: dict[str, Any]) -> dict[str, Any]:
    """``evaluation.halving``: the factor typed, with the settings the form does not edit
    (resource, min_resources, max_resources) kept as the spec gave them."""
    halving = dict(ev.get("halving_kept") or {})
    try:
        halving["factor"] = parse_value(str(ev.get("halving_factor") or ""))
    except ValueError:
        pass
    return halving


def _halving_form(halving: Any) -> dict[str, Any]:
    if not isinstance(halving, dict):
        return {"halving_factor": "", "halving_kept": {}}
    return {"halving_factor": format_value(halving["factor"]) if "factor" in halving else "",
            "halving_kept": {k: v for k, v in halving.items() if k != "factor"}}


def _ensemble_form(ensemble: Any) -> dict[str, Any]:
    """The form's ensemble fields: the method ("" when off), ``k`` as text, and the other
    settings (members, final_estimator, cv) kept as the spec gave them."""
    if not isinstance(ensemble, dict):
        return {"ensemble": "", "ensemble_k": "", "ensemble_kept": {}}
    method = ensemble.get("method")
    return {"ensemble": method if isinstance(method, str) else "soft_voting",
            "ensemble_k": format_value(ensemble["k"]) if "k" in ensemble else "",
            "ensemble_kept": {k: v for k, v in ensemble.items() if k not in ("method", "k")}}


def _splitter_form(cv: Any) -> dict[str, Any]:
    """The form's splitter fields of ``evaluation.cv``: a splitter's name and parameters as
    text (and no fold count); nothing for a fold count."""
    if not (isinstance(cv, dict) and len(cv) == 1):
        return {}
    ((name, params),) = cv.items()
    params = params if isinstance(params, dict) else {}
    return {"cv": "", "splitter": str(name),
            "splitter_params": {str(k): format_value(v) for k, v in params.items()}}


def spec_to_form(spec: Any, task: str | None = None) -> Form:
    """A form holding a raw spec mapping (valid or not); parts it cannot place are left out
    and reported by the validator on the spec itself."""
    spec = spec if isinstance(spec, dict) else {}
    form = empty_form(spec.get("task") if isinstance(spec.get("task"), str) else
                      task or "classification")
    form["candidates"] = []
    if isinstance(spec.get("name"), str):
        form["name"] = spec["name"]
    if isinstance(spec.get("data"), dict):
        form["data"] = _data_form(spec["data"])
        _set_kept(form["data"], _keep("data", spec["data"]))
    _set_kept(form, _keep("spec", spec))
    ev = spec.get("evaluation")
    if isinstance(ev, dict):
        target = form["evaluation"]
        _set_kept(target, _keep("evaluation", ev))
        for key in EVALUATION_TEXT_FIELDS:
            target[key] = format_value(ev[key]) if key in ev else ""
        target.update(_splitter_form(ev.get("cv")))
        metrics = ev.get("metrics")
        target["metrics"] = [m for m in metrics if isinstance(m, str)] \
            if isinstance(metrics, list) else []
        target["select_by"] = ev.get("select_by") if isinstance(ev.get("select_by"), str) else ""
        target["search"] = ev.get("search") if ev.get("search") in SEARCHES else "grid"
        target.update(_ensemble_form(ev.get("ensemble")), **_halving_form(ev.get("halving")))
    elif "evaluation" not in spec:
        form["evaluation"].update(cv="", random_state="")
    for i, cand in enumerate(spec.get("candidates") or []):
        if not isinstance(cand, dict):
            continue
        steps = []
        for step in cand.get("steps") or []:
            if isinstance(step, str):
                step = {step: {}}
            if not isinstance(step, dict) or len(step) != 1:
                continue
            ((block, params),) = step.items()
            params = params if isinstance(params, dict) else {}
            steps.append({"block": str(block),
                          "params": {str(k): format_value(v) for k, v in params.items()}})
        name = cand.get("name")
        form["candidates"].append({"name": name if isinstance(name, str) else f"candidate_{i + 1}",
                                   "steps": steps})
        _set_kept(form["candidates"][-1], _keep("candidate", cand))
    if not form["candidates"]:
        form["candidates"] = [{"name": "candidate_1", "steps": []}]
    return form


def _data_form(data: dict[str, Any]) -> dict[str, Any]:
    """The form's ``data`` of a spec's (lists and mappings of the wrong shape left out)."""
    form = empty_data()
    form.update(source=str(data.get("source") or ""), target=str(data.get("target") or ""))
    if isinstance(data.get("drop"), list):
        form["drop"] = [str(name) for name in data["drop"]]
    if isinstance(data.get("roles"), dict):
        form["roles"] = {str(name): kind for name, kind in data["roles"].items()}
    if isinstance(data.get("features"), list):
        form["features"] = [str(name) for name in data["features"]]
    for key in ("groups", "order_by"):
        form[key] = data[key] if isinstance(data.get(key), str) else ""
    return form
