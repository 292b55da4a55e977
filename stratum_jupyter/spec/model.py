"""Pipeline spec v1 as pydantic models: the single source of truth that flows one way.

``widget -> spec -> codegen / evaluate -> model bundle -> deploy -> monitor``

The models check structure (types, required fields, ranges). Whether a block exists, whether
its parameters fit the estimator's own constraints, and whether metrics fit the task is
checked against the block catalog by :mod:`stratum_jupyter.spec.validate`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    SerializationInfo,
    Tag,
    field_validator,
    model_serializer,
    model_validator,
)

from .diagnostics import DiagnosticsSpec
from .search import BayesSpec, Budget, HalvingSpec, Search, parse_budget
from .splitters import CvSetting

SPEC_VERSION = 1
Task = Literal["classification", "regression", "clustering"]
TASKS: tuple[str, ...] = get_args(Task)  # the one list of tasks: choices, forms, checks
# Column selectors by kind of data (scikit-learn's make_column_selector, see spec.pipeline).
Selector = Literal["numeric", "categorical", "boolean", "datetime"]
SELECTORS: tuple[str, ...] = get_args(Selector)
Remainder = Literal["drop", "passthrough"]
# Union members are tagged "~..." so that error paths can leave the tag out (validate.py).
TAG_PREFIX = "~"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


class DataSpec(_Model):
    """Where the data comes from: ``sklearn:<name>``, ``csv:<path>``, ``parquet:<path>``,
    ``excel:<path>`` or ``json:<path>``."""

    source: str = Field(min_length=1, description="sklearn:<name>, csv:<path> (also .tsv, "
                        ".gz, .zip), parquet:<path>, excel:<path> (.xlsx) or json:<path> "
                        "(.jsonl, .ndjson, .json)")
    target: str | None = Field(None, description="The label column (not for sklearn: sources).")
    features: list[str] | None = Field(None, description="Columns to use (default: all others).")
    drop: list[str] = Field(default_factory=list, description="Columns to leave out.")
    roles: dict[str, Selector] = Field(
        default_factory=dict,
        description="Columns read as this kind of data whatever their values look like, "
                    "e.g. {year: categorical, date: datetime}.")
    # How a CSV file is read (docs/spec.md); what is left out is detected from the file.
    sep: str | None = Field(None, min_length=1, max_length=1,
                            description="CSV: the field separator, e.g. ';' or '\\t' (default: "
                                        "detected among , ; tab | from the first lines).")
    decimal: Literal[".", ","] | None = Field(
        None, description="CSV: the decimal mark (default: '.', or ',' when the separator "
                          "is not ',' and the numbers are written with decimal commas).")
    thousands: Literal[",", ".", " ", "'"] | None = Field(
        None, description="CSV: the thousands separator of numbers such as 3,750 (passed to "
                          "pandas.read_csv(thousands=...)); not the decimal mark. Default: "
                          "none (such numbers are read as text, with a note).")
    encoding: str | None = Field(None, min_length=1,
                                 description="CSV: the text encoding, e.g. latin-1 (default: "
                                             "UTF-8 with or without BOM, else cp1252).")
    na_values: list[str | int | float] = Field(
        default_factory=list,
        description="Cells read as missing besides empty ones and pandas' markers (NA, "
                    "N/A, NaN, null, ...), e.g. ['?', '-', -999].")
    groups: str | None = Field(
        None, min_length=1, description="The column of group labels for a group splitter "
                                        "(evaluation.cv: {GroupKFold: ...}); not a feature.")
    order_by: str | None = Field(
        None, min_length=1, description="Rows are put in order of this column (a stable "
                                        "sort) before the folds are made, e.g. the date "
                                        "for TimeSeriesSplit.")
    sheet: str | int | None = Field(
        None, description="Excel: the sheet read, by name or 0-based index (default: the "
                          "first).")

    @field_validator("sep", mode="before")
    @classmethod
    def _named_separator(cls, value: Any) -> Any:
        """``\\t`` (a YAML plain scalar) and ``tab`` mean the tab character."""
        return "\t" if value in ("\\t", "tab") else value


def _class_label(value: Any) -> Any:
    if value is not None and not isinstance(value, str | int | bool):
        raise ValueError("a class label is a string, an integer or true/false")
    return value


# A class label of the target, as written in YAML/JSON (one error for any other type).
Label = Annotated[str | int | bool | None, BeforeValidator(_class_label)]


EnsembleMethod = Literal["soft_voting", "hard_voting", "stacking"]
ENSEMBLE_METHODS: tuple[str, ...] = get_args(EnsembleMethod)
MemberRule = Literal["best_per_candidate", "top_configurations"]
MEMBER_RULES: tuple[str, ...] = get_args(MemberRule)


class EnsembleSpec(_Model):
    """An ensemble of the best configurations, evaluated on the same folds as the singles
    and ranked beside them (scikit-learn's Voting*/Stacking* estimators)."""

    method: EnsembleMethod = Field(
        "soft_voting", description="soft_voting (mean of the probabilities; regression: of "
                                   "the predictions), hard_voting (majority of the labels) "
                                   "or stacking (a final estimator over the members' "
                                   "out-of-fold predictions).")
    k: int = Field(3, ge=2, le=20, description="How many members (the best ones).")
    members: MemberRule = Field(
        "best_per_candidate", description="best_per_candidate: the best configuration of "
                                          "each of the k best candidates; top_configurations: "
                                          "the k best configurations, of any candidate.")
    final_estimator: Step | None = Field(
        None, description="stacking: the final estimator, e.g. {LogisticRegression: {C: 1}} "
                          "(default: scikit-learn's, LogisticRegression or RidgeCV).")
    cv: int = Field(5, ge=2, le=20, description="stacking: inner folds for the members' "
                                                "out-of-fold predictions.")


class EvaluationSpec(_Model):
    """How candidates are compared."""

    cv: CvSetting = Field(
        5, description="Number of cross-validation folds, or a scikit-learn splitter with "
                       "its parameters, e.g. {TimeSeriesSplit: {n_splits: 5, gap: 7}} or "
                       "{GroupKFold: {n_splits: 5}} (with data.groups).")
    holdout: float | None = Field(
        None, gt=0, lt=1, description="Fraction held out for a single split, instead of cv."
    )
    metrics: list[str] | None = Field(
        None, min_length=1, description="Scorer names; the default depends on the task."
    )
    select_by: str | None = Field(None, description="The metric that picks the best model.")
    pos_label: Label = Field(
        None, description="The positive class of a binary target, for f1, precision, recall "
                          "and average_precision (default: 1 when it is a label, else the "
                          "second of the sorted labels).")
    test: float | None = Field(
        None, gt=0, lt=1, description="Fraction held out before the folds are made, kept out "
                                      "of every choice; the selected model is refitted on the "
                                      "rest and scored once on it.")
    random_state: int | None = Field(
        None, ge=0, le=2**32 - 1, description="Seeds the folds, the held-out split, random "
                                              "search and every estimator that leaves its "
                                              "random_state unset.")
    search: Search = Field("grid", description="grid: every combination; random: n_iter "
                           "draws; halving: successive halving; bayes: Optuna's TPE.")
    n_iter: int | None = Field(None, ge=1, description="Draws for random (or halving) search.")
    n_trials: int | None = Field(None, ge=1, description="Trials of search: bayes.")
    budget: Budget | None = Field(None, description="A time limit for the search: 10m, 90s.")
    halving: HalvingSpec = Field(default_factory=HalvingSpec)
    bayes: BayesSpec = Field(default_factory=BayesSpec)

    @property
    def budget_seconds(self) -> float | None:
        return parse_budget(self.budget)
    ensemble: EnsembleSpec | None = Field(
        None, description="Also evaluate an ensemble of the best configurations (off by "
                          "default).")
    diagnostics: DiagnosticsSpec = Field(default_factory=DiagnosticsSpec, description=(
        "Kept for diagnostic plots: false, true or {keep, importance, n_repeats}."))


def is_grid_axis(block: str, name: str, value: Any) -> bool:
    """The grid-axis rule of the spec (see :meth:`Step.is_axis`)."""
    if not isinstance(value, list):
        return False
    if not value or all(isinstance(v, list) for v in value):
        return True
    from ..catalog import get_catalog  # only for lists of scalars/mappings: rare and cheap

    catalog = get_catalog()
    info = catalog.get(block).param(name) if block in catalog else None
    # A parameter that takes only lists or tuples (or None): a flat list is one value.
    return not (info is not None and set(info.types) - {"none"} <= {"array"})


# JSON has no infinity: a spec as data (``to_dict``, JSON files, the builder) writes a
# parameter's infinite value as the text "inf" / "-inf", and reading a spec takes that text
# back as the float wherever the parameter takes floats and not that text (YAML's .inf is
# read as the float directly). See docs/spec.md, "Parameter values".
INFINITIES = {"inf": math.inf, "-inf": -math.inf}


def decode_infinity(info: Any, value: Any) -> Any:
    """``value`` with the text "inf"/"-inf" as the float, where the parameter ``info`` (a
    catalog ``ParamInfo``, or None) takes floats and neither that text nor any string."""
    if not (isinstance(value, str) and value in INFINITIES) or info is None:
        return value
    free_text = "str" in info.types and not info.choices
    if "float" not in info.types or value in info.choices or free_text:
        return value
    return INFINITIES[value]


def encode_infinity(value: Any) -> Any:
    """``value`` with infinite floats as "inf"/"-inf" (lists and mappings recursively)."""
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, list | tuple):
        return [encode_infinity(v) for v in value]
    if isinstance(value, dict):
        return {k: encode_infinity(v) for k, v in value.items()}
    return value


def _decode_params(block: str, params: dict[str, Any]) -> dict[str, Any]:
    def texts(value: Any) -> bool:
        return value in INFINITIES if isinstance(value, str) else \
            isinstance(value, list) and any(isinstance(v, str) and v in INFINITIES
                                            for v in value)

    if not any(texts(v) for v in params.values()):
        return params  # the catalog is consulted only for spelled-out infinities
    from ..catalog import get_catalog

    catalog = get_catalog()
    if block not in catalog:
        return params
    out = {}
    for name, value in params.items():
        info = catalog.get(block).param(name)
        out[name] = [decode_infinity(info, v) for v in value] \
            if isinstance(value, list) else decode_infinity(info, value)
    return out


class Step(_Model):
    """One block of a pipeline, written ``{BlockName: {param: value}}`` in a spec."""

    block: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _from_mapping(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"block": data, "params": {}}
        if isinstance(data, dict) and "block" not in data:
            if len(data) != 1:
                raise ValueError(
                    "a step is a mapping with exactly one key, the block name, "
                    f"e.g. {{StandardScaler: {{}}}}; got {len(data)} keys"
                )
            ((block, params),) = data.items()
            data = {"block": block, "params": {} if params is None else params}
        if isinstance(data, dict) and isinstance(data.get("block"), str) \
                and isinstance(data.get("params"), dict):
            data = {**data, "params": _decode_params(data["block"], data["params"])}
        return data

    @model_serializer(mode="plain")
    def _to_mapping(self, info: SerializationInfo) -> dict[str, Any]:
        params = dict(self.params)
        return {self.block: encode_infinity(params) if info.mode == "json" else params}

    def is_axis(self, name: str) -> bool:
        """Whether parameter ``name`` is searched: a search distribution
        (:func:`~.search.is_search_distribution`) or a grid axis: a list, except for a
        parameter that only takes lists or tuples (Keras ``layers``, ``ngram_range``): there
        a flat list is one value and a list of lists an axis (``[[1, 1], [1, 2]]``)."""
        from .search import is_search_distribution

        value = self.params.get(name)
        return is_grid_axis(self.block, name, value) or \
            is_search_distribution(self.block, name, value)

    def grid_axes(self) -> dict[str, Any]:
        """The searched parameters: lists (grid axes) and search distributions
        (:class:`~.search.Distribution`; ValueError for a malformed one)."""
        from .search import Distribution

        return {k: v if isinstance(v, list) else Distribution.from_mapping(v)
                for k, v in self.params.items() if self.is_axis(k)}

    def distributions(self) -> dict[str, Any]:
        """The parameters given as search distributions."""
        return {k: v for k, v in self.grid_axes().items() if not isinstance(v, list)}

    def fixed_params(self) -> dict[str, Any]:
        """Parameters given as single values."""
        return {k: v for k, v in self.params.items() if not self.is_axis(k)}


def _str_or_other(value: Any) -> str:
    return f"{TAG_PREFIX}str" if isinstance(value, str) else f"{TAG_PREFIX}other"


class ColumnRule(_Model):
    """One entry of a ``ColumnTransformer``: the columns (names, or a selector by kind of
    data) and the transformers they go through in order (none: passed through as they are).
    """

    name: str | None = Field(None, min_length=1, pattern=r"^[A-Za-z0-9_.-]+$",
                             description="The group's name (default: the selector, or "
                                         "columns<i>).")
    # A string is a selector by kind of data, else one column's name: that column alone,
    # 1-D, as scikit-learn's ColumnTransformer hands it (a text vectorizer takes no other).
    select: Annotated[
        Annotated[str, Field(min_length=1), Tag(f"{TAG_PREFIX}str")]
        | Annotated[list[str], Field(min_length=1), Tag(f"{TAG_PREFIX}other")],
        Discriminator(_str_or_other),
    ] = Field(description="numeric, categorical, boolean, datetime, one column's name (1-D, "
                          "for a text vectorizer), or a list of column names.")
    steps: list[Step] = Field(default_factory=list,
                              description="Transformers, in order; none: passthrough.")


class Preprocessing(_Model):
    """Column-wise preprocessing: scikit-learn's ``ColumnTransformer`` written as data."""

    columns: list[ColumnRule] = Field(min_length=1)
    remainder: Remainder = Field("drop", description="What happens to the other columns.")

    def group_names(self) -> list[str]:
        """Each rule's name: its own, else its selector, else ``columns<i>``."""
        return [rule.name or (rule.select if isinstance(rule.select, str) else f"columns{i}")
                for i, rule in enumerate(self.columns)]


# "auto" (the default): for a candidate that names only its estimator, imputation, scaling
# and one-hot encoding when the table has non-numeric columns or missing values; "none":
# the table goes to the steps as it is.
PreprocessingSetting = Annotated[
    Annotated[Literal["auto", "none"], Tag(f"{TAG_PREFIX}str")]
    | Annotated[Preprocessing, Tag(f"{TAG_PREFIX}other")],
    Discriminator(_str_or_other),
]


class Candidate(_Model):
    """A named pipeline: ordered transformers then one final estimator."""

    name: str = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    preprocessing: PreprocessingSetting | None = Field(
        None, description="Overrides the spec's preprocessing for this candidate.")
    search: Search | None = Field(None, description="Overrides evaluation.search.")
    n_iter: int | None = Field(None, ge=1, description="Overrides evaluation.n_iter.")

    def grid_size(self) -> int:
        size = 1
        for step in self.steps:
            for values in step.grid_axes().values():
                size *= max(len(values), 1) if isinstance(values, list) else 1
        return size


class PipelineSpec(_Model):
    """A whole pipeline spec, ``version: 1``."""

    version: Literal[1] = Field(description="Spec format version; only 1 exists.")
    name: str | None = Field(None, description="A name for the experiment.")
    task: Task
    data: DataSpec | None = None
    evaluation: EvaluationSpec = Field(default_factory=EvaluationSpec)
    preprocessing: PreprocessingSetting = Field(
        "auto", description="auto (default), none, or {columns: [...], remainder: ...}.")
    candidates: list[Candidate] = Field(min_length=1)

    # Resolved views: what the defaults mean for this spec.
    @property
    def metrics(self) -> list[str]:
        from .metrics import DEFAULT_METRIC

        return list(self.evaluation.metrics or [DEFAULT_METRIC[self.task]])

    @property
    def select_by(self) -> str:
        return self.evaluation.select_by or self.metrics[0]

    def preprocessing_for(self, candidate: Candidate) -> str | Preprocessing:
        """The preprocessing that applies to ``candidate``: its own, else the spec's."""
        own = candidate.preprocessing
        return own if own is not None else self.preprocessing

    def search_for(self, candidate: Candidate) -> tuple[str, int | None]:
        """The search strategy and number of draws that apply to ``candidate``."""
        search = candidate.search or self.evaluation.search
        n_iter = candidate.n_iter or self.evaluation.n_iter
        return search, n_iter

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain data, holding exactly what was written (no filled-in defaults)."""
        return self.model_dump(mode="json", exclude_unset=True)
