"""Validate a spec before anything runs, reporting every problem at once.

Structure is checked by the pydantic models; meaning (blocks, parameters, metrics, task fit)
against the block catalog. Both passes run on every spec so that one report holds all issues.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from ..errors import SpecError, SpecIssue
from ..suggest import close_matches as _close
from ..suggest import short_repr as _short
from .blocknames import task_twin, unknown_block
from .metrics import DEFAULT_METRIC, METRICS, metrics_for
from .model import TAG_PREFIX, TASKS, PipelineSpec, decode_infinity, is_grid_axis
from .search_checks import distribution_issues, given_distribution, search_issues
from .splitters import fold_issues
from .table_kinds import select_issues

if TYPE_CHECKING:
    from ..catalog.blocks import Block

_KIND_FOR_TASK = {"classification": "classifier", "regression": "regressor",
                  "clustering": "clusterer"}
_JSON = (str, int, float, bool, type(None))


def _model_fields(loc: tuple[Any, ...]) -> list[str]:
    """Field names allowed at ``loc`` (for 'unknown field' messages)."""
    from .model import (
        Candidate,
        ColumnRule,
        DataSpec,
        EnsembleSpec,
        EvaluationSpec,
        Preprocessing,
    )

    model: type[BaseModel] = PipelineSpec
    inner: dict[str, type[BaseModel]] = {
        "data": DataSpec, "evaluation": EvaluationSpec, "candidates": Candidate,
        "ensemble": EnsembleSpec,
        "preprocessing": Preprocessing, "columns": ColumnRule}
    for part in loc[:-1]:
        if isinstance(part, str) and part in inner:
            model = inner[part]
    return list(model.model_fields)


def _structural_issues(data: dict[str, Any]) -> list[SpecIssue]:
    try:
        PipelineSpec.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(
                ("function-", "tagged-union", TAG_PREFIX))))
            kind, ctx = err["type"], err.get("ctx", {})
            if kind == "extra_forbidden":
                if loc[-1:] != err["loc"][-1:]:  # the user's own key, even "~..."
                    loc = (*loc, err["loc"][-1])
                allowed = _model_fields(loc)
                issues.append(SpecIssue(loc, "unknown field", allowed=", ".join(allowed),
                                        suggestions=_close(str(loc[-1]), allowed)))
            elif kind == "literal_error":
                expected = str(ctx.get("expected", ""))
                options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",")]
                issues.append(SpecIssue(loc, f"{_short(err['input'])} is not supported",
                                        value=err["input"], allowed=expected,
                                        suggestions=_close(str(err["input"]), options)))
            elif kind == "missing":
                issues.append(SpecIssue(loc, "required field is missing"))
            else:
                msg = err["msg"].removeprefix("Value error, ")
                issues.append(SpecIssue(loc, f"{msg}; got {_short(err.get('input'))}",
                                        value=err.get("input")))
        return issues
    return []


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _semantic_issues(data: dict[str, Any]) -> Iterator[SpecIssue]:
    """Checks of meaning; defensive, since structure may be broken (already reported)."""
    task = data.get("task") if data.get("task") in TASKS else None
    yield from _data_issues(data.get("data"), task)
    evaluation = data.get("evaluation")
    yield from _evaluation_issues(evaluation if isinstance(evaluation, dict) else {}, task)
    yield from fold_issues(data.get("data"), evaluation, task)
    yield from search_issues(data)
    names: dict[str, int] = {}
    for i, cand in enumerate(_as_list(data.get("candidates"))):
        if not isinstance(cand, dict):
            continue
        name = cand.get("name")
        if isinstance(name, str):
            if name in names:
                yield SpecIssue(("candidates", i, "name"),
                                f"duplicate candidate name {name!r} "
                                f"(also candidates[{names[name]}])",
                                value=name, allowed="a name used once")
            else:
                names[name] = i
        yield from _steps_issues(_as_list(cand.get("steps")), ("candidates", i, "steps"), task)
        yield from _preprocessing_issues(cand.get("preprocessing"),
                                         ("candidates", i, "preprocessing"))
    yield from _preprocessing_issues(data.get("preprocessing"), ("preprocessing",))


def _preprocessing_issues(value: Any, path: tuple[Any, ...]) -> Iterator[SpecIssue]:
    """Column rules: their blocks exist, take the parameters given, and are transformers;
    group names are used once."""
    if not isinstance(value, dict):
        return
    seen: dict[str, int] = {}
    for i, rule in enumerate(_as_list(value.get("columns"))):
        if not isinstance(rule, dict):
            continue
        select = rule.get("select")
        name = rule.get("name") or (select if isinstance(select, str) else f"columns{i}")
        if isinstance(name, str) and name in seen:
            yield SpecIssue((*path, "columns", i, "name"),
                            f"duplicate column group name {name!r} (also columns[{seen[name]}])",
                            value=name, allowed="a name used once (set name: ...)")
        elif isinstance(name, str):
            seen[name] = i
        yield from _steps_issues(_as_list(rule.get("steps")), (*path, "columns", i, "steps"),
                                 None, transformers_only=True)
        yield from select_issues(rule, (*path, "columns", i))


def _data_issues(data: Any, task: str | None) -> Iterator[SpecIssue]:
    from ..catalog.sources import SKLEARN_DATASETS, SOURCES

    if not isinstance(data, dict):
        return
    yield from _read_option_issues(data)
    if not isinstance(data.get("source"), str):
        return
    scheme, sep, location = data["source"].partition(":")
    if not sep or scheme not in SOURCES:
        yield SpecIssue(("data", "source"), f"unknown data source {_short(data['source'])}",
                        value=data["source"],
                        allowed=", ".join(f"{s}:<...>" for s in SOURCES),
                        suggestions=_close(scheme, list(SOURCES)))
        return
    if data.get("sheet") is not None and scheme != "excel":
        yield SpecIssue(("data", "sheet"), f"a sheet is read from an Excel workbook, not a "
                        f"{scheme}: source", value=data["sheet"], allowed="excel:<path>")
    if not location:
        yield SpecIssue(("data", "source"), f"{scheme}: needs a location after the colon",
                        value=data["source"])
    elif scheme == "sklearn":
        if location not in SKLEARN_DATASETS:
            yield SpecIssue(("data", "source"), f"unknown scikit-learn data set {location!r}",
                            value=data["source"], allowed=", ".join(SKLEARN_DATASETS),
                            suggestions=_close(location, list(SKLEARN_DATASETS)))
        elif task in ("classification", "regression") and SKLEARN_DATASETS[location] != task:
            yield SpecIssue(("data", "source"),
                            f"{location!r} is a {SKLEARN_DATASETS[location]} data set, "
                            f"but the task is {task}", value=data["source"],
                            allowed=", ".join(k for k, v in SKLEARN_DATASETS.items() if v == task))
    elif SOURCES[scheme].needs_target and task in ("classification", "regression") \
            and not data.get("target"):
        yield SpecIssue(("data", "target"), f"a {task} task on a {scheme} file needs the label "
                        "column", allowed="a column name")


def _read_option_issues(data: dict[str, Any]) -> Iterator[SpecIssue]:
    """A CSV's encoding is one Python knows; its decimal mark is neither its separator nor
    its thousands mark."""
    import codecs

    encoding = data.get("encoding")
    if isinstance(encoding, str) and encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            yield SpecIssue(("data", "encoding"), f"unknown encoding {encoding!r}",
                            value=encoding, allowed="a Python codec name such as utf-8, "
                            "latin-1, cp1252, utf-16")
    sep, decimal, thousands = data.get("sep"), data.get("decimal"), data.get("thousands")
    if sep is not None and sep == decimal:
        yield SpecIssue(("data", "decimal"), f"the decimal mark {decimal!r} is also the "
                        "separator (data.decimal = data.sep)", value=decimal,
                        allowed="'.' or ',', not data.sep")
    if thousands is not None and thousands == decimal:
        yield SpecIssue(("data", "thousands"), f"the thousands mark {thousands!r} is also "
                        "the decimal mark (data.thousands = data.decimal)", value=thousands,
                        allowed="',', '.', ' ' or \"'\", not data.decimal")


def _evaluation_issues(ev: dict[str, Any], task: str | None) -> Iterator[SpecIssue]:
    if "cv" in ev and ev.get("holdout") is not None:
        yield SpecIssue(("evaluation", "holdout"), "set either cv or holdout, not both",
                        value=ev["holdout"])
    metrics = ev.get("metrics")
    resolved: list[str] = []
    if isinstance(metrics, list):
        seen: set[str] = set()
        for j, metric in enumerate(metrics):
            if not isinstance(metric, str):
                continue  # structural pass reported it
            path = ("evaluation", "metrics", j)
            allowed = metrics_for(task) if task else list(METRICS)
            if metric in seen:
                yield SpecIssue(path, f"metric {metric!r} is listed twice", value=metric)
            elif metric not in METRICS:
                yield SpecIssue(path, f"unknown metric {metric!r}", value=metric,
                                allowed=", ".join(allowed), suggestions=_close(metric, allowed))
            elif task and METRICS[metric].task != task:
                yield SpecIssue(path, f"metric {metric!r} is for {METRICS[metric].task}, "
                                f"not for {task}", value=metric, allowed=", ".join(allowed))
            seen.add(metric)
            resolved.append(metric)
    elif task and metrics is None:
        resolved = [DEFAULT_METRIC[task]]
    select_by = ev.get("select_by")
    if isinstance(select_by, str) and resolved and select_by not in resolved:
        yield SpecIssue(("evaluation", "select_by"), f"{select_by!r} is not among the metrics",
                        value=select_by, allowed=", ".join(resolved),
                        suggestions=_close(select_by, resolved))
    if ev.get("pos_label") is not None and task and task != "classification":
        yield SpecIssue(("evaluation", "pos_label"), f"a positive class is for classification, "
                        f"not for {task}", value=ev["pos_label"], allowed="leave it out")
    if isinstance(ev.get("ensemble"), dict):
        yield from _ensemble_issues(ev["ensemble"], task)


def _ensemble_issues(ens: dict[str, Any], task: str | None) -> Iterator[SpecIssue]:
    """Not for clustering; the final estimator (stacking): a block of the task's kind."""
    from ..catalog import get_catalog

    path = ("evaluation", "ensemble")
    if task == "clustering":
        yield SpecIssue(path, "ensembles are for classification and regression, not for "
                        "clustering", allowed="leave it out")
    final, where = ens.get("final_estimator"), (*path, "final_estimator")
    if final is None:
        return
    if ens.get("method", "soft_voting") != "stacking":
        yield SpecIssue(where, "a final estimator is for method: stacking",
                        value=ens.get("method", "soft_voting"),
                        allowed="method: stacking, or leave final_estimator out")
    name, params = next(iter(final.items())) if isinstance(final, dict) and len(final) == 1 \
        else (final, {})
    if not isinstance(name, str) or name not in (catalog := get_catalog()):
        yield unknown_block(name, where, task, final=True)
        return
    block, kind = catalog.get(name), _KIND_FOR_TASK.get(task or "")
    if kind is not None and block.kind != kind:
        yield SpecIssue(where, f"{name} is a {block.kind}; the final estimator of a "
                        f"{task} ensemble is a {kind}", value=name, allowed=f"a {kind} block")
    if isinstance(params, dict):
        yield from _params_issues(block, params, (*where, name))
        for pname, value in params.items():
            info = block.param(pname) if isinstance(pname, str) else None
            if info is not None and (is_grid_axis(name, pname, value)
                                     or given_distribution(block, info, value)):
                yield SpecIssue((*where, name, pname), "the final estimator takes one value, "
                                "not a grid axis", value=value, allowed="a single value")


def _steps_issues(steps: list[Any], path: tuple[Any, ...], task: str | None, *,
                  transformers_only: bool = False) -> Iterator[SpecIssue]:
    from ..catalog import get_catalog

    catalog = get_catalog()
    blocks: list[Block | None] = []
    for k, step in enumerate(steps):
        if isinstance(step, str):
            step = {step: {}}
        if not isinstance(step, dict) or len(step) != 1:
            blocks.append(None)
            continue
        ((name, params),) = step.items()
        if not isinstance(name, str) or name not in catalog:
            blocks.append(None)
            yield unknown_block(name, (*path, k), None if transformers_only else task,
                                 transformers_only=transformers_only)
            continue
        block = catalog.get(name)
        blocks.append(block)
        if transformers_only and not block.is_transformer:
            yield SpecIssue((*path, k), f"{block.name} is a {block.kind}; column rules take "
                            "transformers only", value=name, allowed="a transformer block")
        if isinstance(params, dict):
            yield from _params_issues(block, params, (*path, k, name))
        elif params is not None:
            yield SpecIssue((*path, k, name), "parameters are a mapping {param: value}",
                            value=params)
    if not transformers_only:
        yield from _order_issues(blocks, path, task)


def _params_issues(block: Any, params: dict[Any, Any], path: tuple[Any, ...]
                   ) -> Iterator[SpecIssue]:
    names = [p.name for p in block.params]
    for pname, value in params.items():
        where = (*path, pname)
        info = block.param(pname) if isinstance(pname, str) else None
        if info is None:
            yield SpecIssue(where, f"{block.name} has no parameter {_short(pname)}",
                            value=pname, allowed=", ".join(names),
                            suggestions=_close(str(pname), names))
            continue
        if not info.editable:
            yield SpecIssue(where, f"{pname} takes a Python object, which a spec cannot hold",
                            value=value, allowed="leave it at its default")
            continue
        if given_distribution(block, info, value):
            yield from distribution_issues(block, info, value, where)
            continue
        axis = is_grid_axis(block.name, pname, value)
        values = value if axis else [value]
        if axis and not value:
            yield SpecIssue(where, "an empty list is an empty grid axis",
                            value=value, allowed="one value, or a list of values to search")
        for item in values:
            item = decode_infinity(info, item)  # "inf" in JSON: see spec.model.INFINITIES
            problem = _json_problem(item)
            if problem:
                yield SpecIssue(where, problem, value=item)
                continue
            message = block.check_param(pname, item)
            if message:
                yield SpecIssue(where, f"{_short(item)} is not allowed: {message}",
                                value=item, allowed=info.describe())


def _json_problem(value: Any) -> str | None:
    if isinstance(value, float) and math.isnan(value):
        return "NaN is not a parameter value"
    if isinstance(value, _JSON):
        return None
    if isinstance(value, list):
        return next((p for p in map(_json_problem, value) if p), None)
    if isinstance(value, dict):
        if not all(isinstance(k, str | int) for k in value):
            return "mapping keys must be strings or integers"
        return next((p for p in map(_json_problem, value.values()) if p), None)
    return f"{type(value).__name__} values cannot be written in a spec"


def _order_issues(blocks: list[Any], path: tuple[Any, ...], task: str | None
                  ) -> Iterator[SpecIssue]:
    if not blocks or any(b is None for b in blocks):
        return
    final = _KIND_FOR_TASK.get(task or "")
    predictors = [k for k, b in enumerate(blocks) if not b.is_transformer]
    for k, block in enumerate(blocks[:-1]):
        if block.is_transformer:
            continue
        later = [b.name for b in blocks[k + 1:] if b.is_transformer]
        if later and all(b.is_transformer for b in blocks[k + 1:]):
            yield SpecIssue((*path, k + 1), f"transformer {blocks[k + 1].name} comes after the "
                            f"final estimator {block.name}", value=blocks[k + 1].name,
                            allowed="transformers first, then one final estimator")
        else:
            yield SpecIssue((*path, k), f"{block.name} is a {block.kind}; only the last step may "
                            "be an estimator", value=block.name,
                            allowed="transformers before the final estimator")
    last = blocks[-1]
    if final and final not in last.roles and not (predictors and predictors[-1] < len(blocks) - 1):
        yield SpecIssue((*path, len(blocks) - 1), f"{last.name} is a {last.kind}, but a {task} "
                        f"pipeline ends with a {final}", value=last.name,
                        allowed=f"a {final} block", suggestions=task_twin(last.name, final))


def collect_issues(data: Any) -> list[SpecIssue]:
    """Every problem of a raw spec mapping, in one list (empty when it is valid)."""
    if not isinstance(data, dict):
        return [SpecIssue((), f"a spec is a mapping of fields, not {type(data).__name__}",
                          value=data, allowed="version, name, task, data, evaluation, candidates")]
    issues = _structural_issues(data)
    seen = {(i.path, i.message) for i in issues}
    for issue in _semantic_issues(data):
        if (issue.path, issue.message) not in seen:
            issues.append(issue)
    return issues


def validate_spec(data: Any) -> PipelineSpec:
    """A validated :class:`PipelineSpec`, or a :class:`SpecError` holding every issue."""
    if isinstance(data, PipelineSpec):
        data = data.to_dict()
    issues = collect_issues(data)
    if issues:
        raise SpecError(issues)
    return PipelineSpec.model_validate(data)
