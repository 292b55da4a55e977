"""Column-wise preprocessing as source: scikit-learn's ``ColumnTransformer`` with
``make_column_selector`` (by kind of data) or column names, one ``make_pipeline`` per group.

The automatic preprocessing depends on the table, so the generated code decides at run time,
in plain pandas, whether the table needs it (the same rule as ``spec.pipeline``).
"""

from __future__ import annotations

from typing import Any

from ..catalog.targets import target_kind
from ..spec import PipelineSpec
from ..spec.model import Candidate
from ..spec.pipeline import ColumnsStep, auto_applies, auto_columns_step, columns_step
from .pyformat import Call, Raw, render

AUTO_NAME = "auto_preprocessing"
SPEC_NAME = "preprocessing"
WIDTH = 84  # generated scripts indent this code by 4 inside main(): stay within 88
_AUTO_COMMENT = """\
# Automatic preprocessing (the spec's preprocessing: auto) for the candidates that
# name only their estimator, used only when the table has non-numeric columns or
# missing values: numbers get median imputation and scaling; text and categories
# get most-frequent imputation and one-hot encoding (at most 20 columns per
# feature); booleans get one-hot encoding."""
_DATES_COMMENT = """\
# Datetime columns are split into numeric parts (year, month, day, hour when times
# occur, weekday, seconds since 1970) by stratum_jupyter's DatetimeFeatures, then
# imputed and scaled as numbers."""


def columns_call(step: ColumnsStep, imports: dict[str, set[str]]) -> Call:
    """``ColumnTransformer([...])`` for ``step``; adds what it needs to ``imports``."""
    imports.setdefault("sklearn.compose", set()).add("ColumnTransformer")
    entries = []
    for group in step.groups:
        for s in group.steps:
            imports.setdefault(s.block.module, set()).add(s.block.name)
        if not group.steps:
            transformer: Any = "passthrough"
        else:
            imports.setdefault("sklearn.pipeline", set()).add("make_pipeline")
            transformer = Call("make_pipeline", args=tuple(
                Call(s.block.name, kwargs=s.params) for s in group.steps))
        if group.dtypes is not None:
            imports["sklearn.compose"].add("make_column_selector")
            selector: Any = Call("make_column_selector",
                                 kwargs={"dtype_include": list(group.dtypes)})
        else:
            selector = list(group.names or ())
        entries.append((group.name, transformer, selector))
    kwargs = {"remainder": step.remainder} if step.remainder != "drop" else {}
    return Call("ColumnTransformer", args=(entries,), kwargs=kwargs)


def known_plain(spec: PipelineSpec) -> bool:
    """Whether the spec's data is known, without reading it, to need no automatic
    preprocessing: scikit-learn's bundled data sets are numeric and complete."""
    from ..catalog.sources import split_source

    return spec.data is not None and split_source(spec.data.source)[0] == "sklearn"


def may_hold_dates(spec: PipelineSpec) -> bool:
    """Whether the table may hold datetime columns, which the automatic preprocessing then
    splits into parts: a bundled data set only those ``data.roles`` makes datetime; a CSV
    file (text columns of year-first dates are read as dates), a Parquet file or the
    kernel's ``X`` may."""
    from ..catalog.sources import split_source

    if spec.data is None:
        return True
    return ("datetime" in spec.data.roles.values()
            or split_source(spec.data.source)[0] != "sklearn")


def preprocessing_code(spec: PipelineSpec, imports: dict[str, set[str]]) -> list[str]:
    """The statements that define the preprocessing the candidates share (none when every
    candidate has its own or none)."""
    auto = [c for c in spec.candidates if spec.preprocessing_for(c) == "auto"
            and auto_applies(c)]
    lines = []
    if auto and not known_plain(spec):
        imports.setdefault("pandas", set())
        imports.setdefault("pandas.api.types", set()).update({"is_bool_dtype",
                                                              "is_numeric_dtype"})
        dates = may_hold_dates(spec)
        auto = render(columns_call(auto_columns_step(dates), imports), width=WIDTH - 4)
        lines += [_AUTO_COMMENT + ("\n" + _DATES_COMMENT if dates else ""),
                  "needs_preprocessing = isinstance(X, pd.DataFrame) and (",
                  "    bool(X.isna().to_numpy().any())",
                  "    or not all(is_numeric_dtype(t) or is_bool_dtype(t) for t in X.dtypes)",
                  ")",
                  f"{AUTO_NAME} = (\n    {_indent(auto)}\n    if needs_preprocessing\n"
                  '    else "passthrough"\n)']
    if not isinstance(spec.preprocessing, str) and any(c.preprocessing is None
                                                      for c in spec.candidates):
        shared_step = columns_step(spec.preprocessing, target_kind(spec.task))
        shared = render(columns_call(shared_step, imports), width=WIDTH)
        lines += ["# Column-wise preprocessing (the spec's column rules).",
                  f"{SPEC_NAME} = {shared}"]
    return lines


def preprocessing_entry(spec: PipelineSpec, candidate: Candidate,
                        imports: dict[str, set[str]]) -> tuple[Any, dict[str, list[Any]]]:
    """The candidate's first pipeline step (a name defined by :func:`preprocessing_code`,
    its own ``ColumnTransformer``, or None) and the grid axes it adds."""
    setting = spec.preprocessing_for(candidate)
    if setting == "none" or (setting == "auto" and (known_plain(spec)
                                                    or not auto_applies(candidate))):
        return None, {}
    if setting == "auto":
        return Raw(AUTO_NAME), {}
    assert not isinstance(setting, str)
    step = columns_step(setting, target_kind(spec.task))
    if candidate.preprocessing is None:
        return Raw(SPEC_NAME), step.grid
    return columns_call(step, imports), step.grid


def _indent(text: str) -> str:
    return text.replace("\n", "\n    ")
