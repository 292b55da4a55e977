"""Column-wise preprocessing as source: scikit-learn's ``ColumnTransformer`` with
``make_column_selector`` (by kind of data) or column names, one ``make_pipeline`` per group.

The automatic preprocessing depends on the table, so the generated code decides at run time,
in plain pandas, whether the table needs it (the same rule as ``spec.pipeline``).
"""

from __future__ import annotations

from typing import Any

from ..catalog import get_catalog
from ..catalog.targets import target_kind
from ..spec import PipelineSpec
from ..spec.model import Candidate
from ..spec.pipeline import (
    TEXT_STEPS,
    ColumnsStep,
    auto_applies,
    auto_columns_step,
    columns_step,
)
from ..spec.table_kinds import kept_columns, uses_auto
from .pyformat import Call, Raw, render

AUTO_NAME = "auto_preprocessing"
SPEC_NAME = "preprocessing"
WIDTH = 84  # generated scripts indent this code by 4 inside main(): stay within 88
_AUTO_COMMENT = """\
# Automatic preprocessing (the spec's preprocessing: auto) for the candidates that
# name only their estimator, used only when the table has non-numeric columns or
# missing values: numbers get median imputation and scaling; categories get
# most-frequent imputation and one-hot encoding (at most 20 columns per feature);
# booleans get one-hot encoding; each free-text column its own TfidfVectorizer."""
_KINDS_COMMENT = """\
# What each column holds, decided as stratum's evaluation decides it: identifiers
# (row numbers, a CSV file's index, codes unique per row) are left out of X, so
# that the model never needs them; free text is vectorised, one column at a time
# (a text vectorizer takes one column, 1-D). Columns the spec names are kept."""
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
        elif isinstance(group.names, str):
            selector = group.names  # one column by its name: 1-D (a text vectorizer)
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
    if uses_auto(spec) and not known_plain(spec):
        lines += kinds_code(spec, imports)
    if auto and not known_plain(spec):
        imports.setdefault("pandas.api.types", set()).update({"is_bool_dtype",
                                                              "is_numeric_dtype"})
        dates = may_hold_dates(spec)
        source = render(auto_call(dates, imports), width=WIDTH - 4)
        lines += [_AUTO_COMMENT + ("\n" + _DATES_COMMENT if dates else ""),
                  text_vectorizer_line(imports),
                  "needs_preprocessing = isinstance(X, pd.DataFrame) and (",
                  "    bool(X.isna().to_numpy().any())",
                  "    or not all(is_numeric_dtype(t) or is_bool_dtype(t) for t in X.dtypes)",
                  ")",
                  f"{AUTO_NAME} = (\n    {_indent(source)}\n    if needs_preprocessing\n"
                  '    else "passthrough"\n)']
    if not isinstance(spec.preprocessing, str) and any(c.preprocessing is None
                                                      for c in spec.candidates):
        shared_step = columns_step(spec.preprocessing, target_kind(spec.task))
        shared = render(columns_call(shared_step, imports), width=WIDTH)
        lines += ["# Column-wise preprocessing (the spec's column rules).",
                  f"{SPEC_NAME} = {shared}"]
    return lines


def kinds_code(spec: PipelineSpec, imports: dict[str, set[str]]) -> list[str]:
    """``kinds = column_kinds(X, ...)`` (catalog.column_kinds, the evaluation's one
    decision), identifiers dropped from X, the text and category columns named."""
    imports.setdefault("pandas", set())
    imports["stratum_jupyter.catalog.column_kinds"] = {"column_kinds", "of_kind"}
    kept = sorted(kept_columns(spec))
    keep = [f"kept_columns = {render(kept, width=WIDTH - 15)}"] if kept else []
    args = "X, keep=kept_columns" if kept else "X"
    return [_KINDS_COMMENT, *keep,
            f"kinds = column_kinds({args}) if isinstance(X, pd.DataFrame) else {{}}",
            'X = X.drop(columns=of_kind(kinds, "identifier")) if kinds else X',
            'text_columns = of_kind(kinds, "text")',
            'categorical_columns = of_kind(kinds, "categorical", "high_cardinality")']


def auto_call(dates: bool, imports: dict[str, set[str]]) -> Call:
    """The automatic preprocessing as source: the groups of :func:`auto_columns_step`, its
    categories named by ``categorical_columns`` and one text group per ``text_columns``
    (:func:`kinds_code` defines both at run time, from the table)."""
    call = columns_call(auto_columns_step(dates), imports)
    entries: list[Any] = [
        (name, how, Raw("categorical_columns") if name == "categorical" else which)
        for name, how, which in call.args[0]]
    entries.append(Raw('*[(f"text-{c}", text_vectorizer, c) for c in text_columns]'))
    return Call(call.func, (entries,), call.kwargs)


def text_vectorizer_line(imports: dict[str, set[str]]) -> str:
    """``text_vectorizer = make_pipeline(TfidfVectorizer(...))``: each text column's steps
    (the ColumnTransformer fits a clone per column)."""
    imports.setdefault("sklearn.pipeline", set()).add("make_pipeline")
    steps = []
    for block_name, params in TEXT_STEPS:
        block = get_catalog().get(block_name)
        imports.setdefault(block.module, set()).add(block.name)
        steps.append(Call(block.name, kwargs=params))
    return f"text_vectorizer = {render(Call('make_pipeline', args=tuple(steps)), width=WIDTH)}"


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
