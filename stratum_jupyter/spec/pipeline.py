"""A candidate's steps as scikit-learn pipeline steps: the one place where spec steps become
named estimators with fixed parameters and a parameter grid.

Code generation renders these steps as source (``Pipeline([("name", Block(...)), ...])``)
and the evaluation builds the same estimators in memory, so both always agree on step
names, parameters and grid keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..catalog.blocks import Block
    from .model import Candidate, ColumnRule, PipelineSpec, Preprocessing, Step

PREPROCESSING = "preprocessing"  # the ColumnTransformer's step name in every pipeline
# What each selector of a column rule picks: make_column_selector(dtype_include=...).
SELECTOR_DTYPES: dict[str, tuple[str, ...]] = {
    "numeric": ("number",),
    "categorical": ("object", "string", "category"),
    "boolean": ("bool", "boolean"),
    "datetime": ("datetime", "datetimetz"),
}
DATES_BLOCK = "DatetimeFeatures"  # catalog/dates.py: dates to numeric parts
#: The automatic preprocessing's steps for one free-text column (1-D): scikit-learn's TF-IDF
#: (docs/spec.md says why not another encoder); min_df=2 and sublinear_tf as scikit-learn's
#: text examples have them: a word seen once is noise, its tenth use says less than its first.
TEXT_STEPS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("TfidfVectorizer", {"min_df": 2, "sublinear_tf": True}),)
# What the log says a step does, where its block's name alone does not say it.
_SAYS = {DATES_BLOCK: f"{DATES_BLOCK} (dates split into parts: year, month, day, hour when "
                      "times occur, weekday, seconds since 1970)"}

@dataclass(frozen=True)
class PipelineStep:
    """One named step: its block, the parameters given as single values, and the searched
    parameters keyed as scikit-learn addresses them (``step__param``): a list of values (a
    grid axis) or a :class:`~stratum_jupyter.spec.search.Distribution` (it has ``rvs``, so
    scikit-learn's ``ParameterSampler`` draws from it)."""

    name: str
    block: Block
    params: dict[str, Any]
    grid: dict[str, Any]

    def estimator(self) -> Any:
        """A new, unfitted estimator with the fixed parameters."""
        return self.block.load()(**self.params)


def step_names(blocks: Sequence[str]) -> list[str]:
    """Pipeline step names as ``make_pipeline`` makes them: lowercase, numbered if repeated."""
    counts = Counter(b.lower() for b in blocks)
    seen: Counter[str] = Counter()
    names = []
    for block in blocks:
        low = block.lower()
        seen[low] += 1
        names.append(f"{low}-{seen[low]}" if counts[low] > 1 else low)
    return names


def pipeline_steps(candidate: Candidate, target: str | None = None) -> list[PipelineStep]:
    """The steps of a validated spec's candidate, in order. KeyError for an unknown block
    (a validated spec has none). ``target``: the kind of target
    (:func:`~stratum_jupyter.catalog.targets.target_kind`) that blocks with a
    ``target_type`` parameter get unless the step sets it."""
    return _named_steps(candidate.steps, target)


def single_step(step: Step) -> PipelineStep:
    """One step on its own (e.g. a stacking's final estimator), named as in a pipeline."""
    return _named_steps([step])[0]


def _named_steps(steps: Sequence[Step], target: str | None = None) -> list[PipelineStep]:
    from ..catalog import get_catalog
    from ..catalog.targets import target_params
    from .search import Distribution

    catalog = get_catalog()
    names = step_names([s.block for s in steps])
    out = []
    for name, step in zip(names, steps, strict=True):
        block = catalog.get(step.block)
        # Spec values as the estimator takes them: lists as tuples where it asks for tuples.
        grid = {f"{name}__{p}": values if isinstance(values, Distribution)
                else [block.to_python({p: v})[p] for v in values]
                for p, values in step.grid_axes().items()}
        fixed = {**target_params(block, target, step.params), **step.fixed_params()}
        out.append(PipelineStep(name, block, block.to_python(fixed), grid))
    return out


def candidate_grid(steps: Sequence[PipelineStep]) -> dict[str, Any]:
    """The candidate's whole parameter grid (every step's axes and distributions)."""
    return {key: values for step in steps for key, values in step.grid.items()}


@dataclass(frozen=True)
class ColumnGroup:
    """One entry of the ColumnTransformer: its name, the columns it takes (``dtypes`` for a
    ``make_column_selector``, else the column ``names``; one name as a string: that column
    alone, 1-D, as a text vectorizer takes it) and its steps, in order (none:
    ``"passthrough"``). Grid keys are relative to the group (``step__param``)."""

    name: str
    dtypes: tuple[str, ...] | None
    names: tuple[str, ...] | str | None
    steps: tuple[PipelineStep, ...]

    def selector(self) -> Any:
        from sklearn.compose import make_column_selector

        if self.dtypes is not None:
            return make_column_selector(dtype_include=list(self.dtypes))
        if isinstance(self.names, str):
            return self.names  # scikit-learn hands a column named by a string as 1-D
        return list(self.names or ())

    def transformer(self) -> Any:
        from sklearn.pipeline import Pipeline

        if not self.steps:
            return "passthrough"
        return Pipeline([(step.name, step.estimator()) for step in self.steps])

    def columns_in(self, X: Any) -> list[str]:
        """The columns of the table ``X`` this group takes."""
        selector = self.selector()
        if isinstance(selector, str):
            return [selector]
        return [str(c) for c in (selector(X) if callable(selector) else selector)]


@dataclass(frozen=True)
class ColumnsStep:
    """The preprocessing step: scikit-learn's ``ColumnTransformer`` as data, named
    :data:`PREPROCESSING` in the pipeline. ``grid`` is keyed as the pipeline addresses it
    (``preprocessing__group__step__param``)."""

    groups: tuple[ColumnGroup, ...]
    remainder: str = "drop"
    name: str = PREPROCESSING

    @property
    def grid(self) -> dict[str, Any]:
        return {f"{self.name}__{group.name}__{key}": values for group in self.groups
                for step in group.steps for key, values in step.grid.items()}

    def estimator(self) -> Any:
        from sklearn.compose import ColumnTransformer

        return ColumnTransformer(
            [(g.name, g.transformer(), g.selector()) for g in self.groups],
            remainder=self.remainder)

    def describe(self, X: Any) -> str:
        """What each group takes from ``X`` and does with it, and what is dropped."""
        parts, taken = [], set()
        for group in self.groups:
            columns = group.columns_in(X)
            taken.update(columns)
            steps = ", ".join(_SAYS.get(s.block.name, s.block.name)
                              for s in group.steps) or "passthrough"
            if columns:
                parts.append(f"{group.name} [{', '.join(columns)}] -> {steps}")
        rest = [str(c) for c in getattr(X, "columns", []) if str(c) not in taken]
        if rest:
            parts.append(f"{'kept' if self.remainder == 'passthrough' else 'dropped'} "
                         f"[{', '.join(rest)}]")
        return "; ".join(parts)


def columns_step(preprocessing: Preprocessing, target: str | None = None) -> ColumnsStep:
    """The ColumnTransformer of explicit column rules (``target``: see
    :func:`pipeline_steps`)."""
    groups = [_group(name, rule, target) for name, rule in
              zip(preprocessing.group_names(), preprocessing.columns, strict=True)]
    return ColumnsStep(tuple(groups), preprocessing.remainder)


def _group(name: str, rule: ColumnRule, target: str | None = None) -> ColumnGroup:
    steps = tuple(_named_steps(rule.steps, target))
    if isinstance(rule.select, str) and rule.select in SELECTOR_DTYPES:
        return ColumnGroup(name, SELECTOR_DTYPES[rule.select], None, steps)
    if isinstance(rule.select, str):  # a column's name: that column, 1-D
        return ColumnGroup(name, None, rule.select, steps)
    return ColumnGroup(name, None, tuple(rule.select), steps)


def auto_columns_step(dates: bool = False, text: Sequence[str] = (),
                      categorical: Sequence[str] | None = None) -> ColumnsStep:
    """The automatic preprocessing (``preprocessing: auto``) for tables with non-numeric
    columns or missing values: numbers imputed by their median and standardised; text and
    categorical columns imputed by their most frequent value and one-hot encoded, at most
    20 columns per feature (rarer and unseen categories share an "infrequent" column);
    booleans one-hot encoded (a gap is a category); dense, so that every estimator takes
    it. With ``dates`` (the table has datetime columns, :func:`has_dates`), a fourth group
    splits them into numeric parts (``DatetimeFeatures``), imputed by their median (a
    missing date) and standardised; without, the model holds no date step (nothing to
    trust or convert for it). Each of the free-text columns ``text`` (see
    :mod:`stratum_jupyter.catalog.column_kinds`) gets a group of its own, ``text-<name>``:
    a ``TfidfVectorizer`` on that column, 1-D (:data:`TEXT_STEPS`); the categorical group
    then takes the ``categorical`` columns by name (a selector by dtype would take the
    text too)."""
    from .model import Step

    # keep_empty_features: a column with no value at all stays (as a constant) instead of
    # leaving a group with no column, which the next step would refuse.
    numeric = [Step(block="SimpleImputer", params={"strategy": "median",
                                                   "keep_empty_features": True}),
               Step(block="StandardScaler")]
    categories = [Step(block="SimpleImputer", params={"strategy": "most_frequent",
                                                       "keep_empty_features": True}),
                   Step(block="OneHotEncoder", params={
                       "handle_unknown": "infrequent_if_exist", "max_categories": 20,
                       "sparse_output": False})]
    # Booleans: one-hot as they are (a gap is a category of its own); SimpleImputer
    # refuses the bool dtype.
    boolean = [Step(block="OneHotEncoder", params={"handle_unknown": "ignore",
                                                   "sparse_output": False})]
    groups = {"numeric": numeric, "categorical": categories, "boolean": boolean}
    if dates:
        groups["datetime"] = [Step(block=DATES_BLOCK), *numeric]
    out = [ColumnGroup(kind, SELECTOR_DTYPES[kind], None, tuple(_named_steps(steps)))
           for kind, steps in groups.items()]
    if categorical is not None:
        out[1] = ColumnGroup("categorical", None, tuple(categorical), out[1].steps)
    vectorizer = tuple(_named_steps([Step(block=b, params=dict(p)) for b, p in TEXT_STEPS]))
    out += [ColumnGroup(f"text-{column}", None, column, vectorizer) for column in text]
    return ColumnsStep(tuple(out))


def has_dates(X: Any) -> bool:
    """Whether ``X`` is a DataFrame with a datetime column (with or without a time zone)."""
    import pandas as pd

    return isinstance(X, pd.DataFrame) and any(
        pd.api.types.is_datetime64_any_dtype(t) for t in X.dtypes)


def auto_applies(candidate: Candidate) -> bool:
    """Whether ``preprocessing: auto`` may add a step to ``candidate``: only when it names
    its estimator alone. A candidate with transformers of its own has said how its input is
    prepared, and keeps exactly that (as before column rules existed)."""
    return len(candidate.steps) == 1


def needs_preprocessing(X: Any) -> bool:
    """Whether a table needs the automatic preprocessing: a DataFrame with a column that is
    neither numeric nor boolean, or with a missing value. Arrays never do."""
    import pandas as pd

    if not isinstance(X, pd.DataFrame):
        return False
    plain = all(pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t)
                for t in X.dtypes)
    return not plain or bool(X.isna().to_numpy().any())


def preprocessing_step(spec: PipelineSpec, candidate: Candidate, X: Any = None,
                       target: str | None = None) -> ColumnsStep | None:
    """The preprocessing step of ``candidate`` on the table ``X``: explicit column rules,
    the automatic preprocessing when it applies (:func:`auto_applies`), or None
    (``target``: see :func:`pipeline_steps`)."""
    setting = spec.preprocessing_for(candidate)
    if setting == "none":
        return None
    if setting == "auto":
        if not (auto_applies(candidate) and needs_preprocessing(X)):
            return None
        return table_columns_step(spec, X)
    assert not isinstance(setting, str)
    return columns_step(setting, target)


def table_columns_step(spec: PipelineSpec | None, X: Any) -> ColumnsStep:
    """The automatic preprocessing for the table ``X``: its free-text columns vectorised,
    one group each (:func:`auto_columns_step`; kinds from
    :func:`~stratum_jupyter.spec.table_kinds.table_kinds`)."""
    from ..catalog.column_kinds import of_kind
    from .table_kinds import table_kinds

    kinds = table_kinds(spec, X)
    text = of_kind(kinds, "text")
    categorical = of_kind(kinds, "categorical", "high_cardinality") if text else None
    return auto_columns_step(has_dates(X), text, categorical)
