"""Everything decided before a task is submitted, in one immutable :class:`EvaluationPlan`:
the candidates' configurations and their shared prefixes, the data, the folds, the metrics.

Preparing touches no cluster, so every mistake in the input (an unknown metric, data that
cannot be split, a bad grid) is reported before any work starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import EvaluationError
from . import folds as folding
from . import heldout
from . import plan as planning
from .data import checked_data
from .searches.settings import SearchSettings, resolve

if TYPE_CHECKING:
    from ..spec import PipelineSpec
    from ..spec.model import EnsembleSpec
    from .scoring import Scorer


@dataclass(frozen=True)
class Options:
    """What the caller overrides; ``None`` means: take it from the spec, else the default.

    ``metrics`` may be names or ``{name: scorer}``; ``search`` and ``n_iter`` one value for
    every candidate or a mapping by candidate name; ``cv`` a fold count or a splitter;
    ``pos_label`` the positive class of a binary target (``evaluation.pos_label``);
    ``groups`` the group labels of a group splitter (one per row, or a column of X:
    ``data.groups``); ``order_by`` a column of X the rows are sorted by (``data.order_by``)."""

    spec: Any = None
    task: str | None = None
    metrics: list[str] | Mapping[str, Any] | None = None
    select_by: str | None = None
    cv: Any = None
    random_state: int | None = None
    search: str | Mapping[str, str] | None = None
    n_iter: int | Mapping[str, int] | None = None
    refit: bool = True
    pos_label: Any = None
    ensemble: Any = None  # evaluation.ensemble: settings, a method name, or False (off)
    groups: Any = None
    order_by: str | None = None
    # evaluation.test: a fraction, a split made already ((train_rows, test_rows)), False
    test: Any = None
    # The search's settings (searches/settings.py): evaluation.halving / .bayes (mappings
    # or the spec's models), .n_trials, .budget ("10m" or seconds), and the run folder.
    halving: Any = None
    bayes: Any = None
    n_trials: int | None = None
    budget: Any = None
    out: Any = None


@dataclass(frozen=True)
class EvaluationPlan:
    """A prepared evaluation: what runs (``graph``: configurations, shared prefix nodes and
    final estimators), on what (``X``, ``y``, the ``folds``' index arrays) and how it is
    ranked (``scorers`` by metric name, best by ``select_by``, higher is better)."""

    spec: PipelineSpec | None
    task: str
    graph: planning.Plan
    X: Any
    y: Any
    folds: tuple[tuple[Any, Any], ...]
    splitter: str
    metrics: tuple[str, ...]
    scorers: Mapping[str, Scorer]
    select_by: str
    refit: bool
    notes: tuple[str, ...] = ()  # what was inferred (shown in the log and the widget)
    ensemble: EnsembleSpec | None = None  # an ensemble of the best, ranked beside them
    ensemble_template: Any = None  # the caller's unfitted scikit-learn ensemble, if given
    random_state: int | None = None  # seeds the folds, draws and every unset estimator seed
    test: heldout.HeldOut | None = None  # the held-out part; X and y are then the rest
    arrow: bool = False  # X had Arrow text, dates, ...: the refitted model takes them too
    search: SearchSettings = SearchSettings()  # the strategy, budget... (searches/settings)
    pos_label: Any = None  # the positive class of a binary target (keyword, spec or default)

    @property
    def n_folds(self) -> int:
        return len(self.folds)


def prepare(spec_or_candidates: Any, X: Any = None, y: Any = None,
            options: Options = Options()) -> EvaluationPlan:
    """Resolve a spec (or ``{name: (pipeline, grid)}``) and the options into a plan.

    Raises :class:`EvaluationError` (or ``SpecError`` for an invalid spec, ``DataError`` for
    data that does not fit it: see :mod:`.data`) naming what is wrong: no data, an unknown
    metric, ``select_by`` not among the metrics, folds that cannot be made from the data, a
    grid that does not fit its pipeline; ``MetricError`` (a ``SpecError``) for metrics or a
    ``pos_label`` that do not fit the target."""
    from ..catalog.arrowtypes import needs_front_step

    spec = _spec_of(spec_or_candidates, options)
    arrow = needs_front_step(X)
    labelled = heldout.labelled(options.test, X, y)  # what a split made already counts in
    X, y, data_notes, groups = checked_data(spec, X, y, options)  # read, target checked
    if spec is not None and not _is_candidates(spec_or_candidates):
        X, data_notes = _fitted_to_table(spec, X, data_notes)
    sources = _sources(spec_or_candidates, spec, options, X, y)
    task = options.task or (spec.task if spec is not None else _infer_task(sources))
    metrics, scorers, scoring_notes, positive = _scorers(options, spec, task, y)
    select_by = options.select_by or (spec.select_by if spec is not None
                                      and options.metrics is None else metrics[0])
    if select_by not in metrics:
        raise EvaluationError(f"select_by={select_by!r} is not one of the metrics "
                              f"(allowed: {', '.join(metrics)})")
    ev = spec.evaluation if spec is not None else None
    ensemble, template = ensemble_settings(options.ensemble, ev)
    if ensemble is not None and task == "clustering":
        raise EvaluationError("ensemble: ensembles are for classification and regression, "
                              "not for clustering (allowed: leave it out)")
    random_state = options.random_state
    if random_state is None and ev is not None:
        random_state = ev.random_state
    splitter = _splitter(task, options, ev, random_state, y, groups)
    X, y, groups, test = heldout.held_out(options.test, ev, task, (X, y, groups), random_state,
                                   labelled, folding.time_ordered(splitter))
    folds = _folds(splitter, X, y, groups)
    if groups is not None and ensemble is not None and ensemble.method == "stacking":
        raise EvaluationError("ensemble: stacking's inner folds (cross_val_predict on each "
                              "training part) cannot keep the groups apart (allowed: "
                              "soft_voting, hard_voting, or no groups)")
    configs = planning.expand(sources, random_state)
    search = resolve(options, ev, sources, groups, folding.time_ordered(splitter), configs)
    graph = planning.build_plan([] if search.templates else configs)  # adaptive: it adds
    order_by = options.order_by or (spec.data.order_by if spec is not None
                                    and spec.data is not None else None)
    notes = [*scoring_notes, *_serving_notes(sources, task),
             *folding.fold_notes(splitter, X, order_by, ensemble),
             *(() if _is_candidates(spec_or_candidates) else
               (*_preprocessing_notes(spec, X), *_target_notes(spec, y)))]
    if test is not None:
        notes.append(f"held out {test.rows} rows for the final test ({test.how}): kept out "
                     "of the folds and of every choice; the selected model is refitted on "
                     f"the other {heldout.length(X)} and scored once on them")
    return EvaluationPlan(spec, task, graph, X, y, folds, folding.describe(splitter),
                          tuple(metrics), scorers, select_by, options.refit,
                          (*data_notes, *notes), ensemble, template, random_state, test,
                          arrow, search, positive)


def ensemble_settings(given: Any, ev: Any) -> tuple[EnsembleSpec | None, Any]:
    """The ensemble to evaluate and the scikit-learn ensemble to build it from (None: made
    from the settings): ``given`` (settings, a method name, an unfitted ``VotingClassifier``
    / ``VotingRegressor`` / ``StackingClassifier`` / ``StackingRegressor`` whose members
    are filled in, with ``k`` and ``members`` of the spec; False: none), else the spec's
    ``evaluation.ensemble``. EvaluationError names a bad setting."""
    from pydantic import ValidationError

    from ..spec.model import EnsembleSpec

    spec_settings = ev.ensemble if ev is not None else None
    if given is None or given is False:
        return (spec_settings if given is None else None), None
    if isinstance(given, EnsembleSpec):
        return given, None
    if hasattr(given, "get_params"):
        return _template_settings(given, spec_settings), given
    try:
        return EnsembleSpec.model_validate({"method": given} if isinstance(given, str)
                                           else given), None
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in ("ensemble", *err["loc"]))
        raise EvaluationError(f"{where}: {err['msg']}; got {err.get('input')!r}") from None


def _template_settings(template: Any, spec_settings: EnsembleSpec | None) -> EnsembleSpec:
    """The settings an unfitted scikit-learn ensemble stands for."""
    from ..spec.model import EnsembleSpec

    kind = type(template).__name__
    if kind.startswith("Stacking"):
        method = "stacking"
    elif kind.startswith("Voting"):
        method = f"{getattr(template, 'voting', 'soft')}_voting"
    else:
        raise EvaluationError(f"ensemble: {kind} is not a scikit-learn ensemble (allowed: "
                              "VotingClassifier, VotingRegressor, StackingClassifier, "
                              "StackingRegressor, settings or a method name)")
    own = template.get_params(deep=False)
    unsupported = [k for k, v in own.items() if (k == "passthrough" and v) or (
        k == "stack_method" and v != "auto") or (k == "weights" and v is not None)]
    if unsupported:
        raise EvaluationError(f"ensemble: {kind}({unsupported[0]}={own[unsupported[0]]!r}) "
                              "is not supported (allowed: its default)")
    base = spec_settings.model_dump() if spec_settings is not None else {}
    base.update(method=method, final_estimator=None)
    return EnsembleSpec.model_validate(base)


def _splitter(task: str, options: Options, ev: Any, random_state: int | None, y: Any,
              groups: Any) -> Any:
    """The splitter of the folds; a splitter written as data (``cv={"GroupKFold": ...}``)
    is checked first, and groups must be given exactly when the splitter uses them."""
    cv = options.cv
    holdout = ev.holdout if ev is not None and cv is None else None
    if cv is None and ev is not None:
        cv = ev.cv
    elif isinstance(cv, Mapping):
        from ..errors import SpecError
        from ..spec.splitters import splitter_issues

        issues = list(splitter_issues(cv, task, ("cv",)))
        if issues:
            raise SpecError(issues)
    splitter = folding.make_splitter(task, cv, random_state=random_state, holdout=holdout,
                                     y=y)
    _check_groups(splitter, groups, from_spec=options.groups is None and ev is not None)
    return splitter


def _folds(splitter: Any, X: Any, y: Any, groups: Any) -> tuple[tuple[Any, Any], ...]:
    """The (train, test) index arrays of every fold of ``splitter`` on the data."""
    try:
        return tuple(folding.split_indices(splitter, X, y, groups))
    except ValueError as exc:  # e.g. X and y of different lengths, too few rows per class
        raise EvaluationError(f"cannot split the data into folds with {splitter!r}: {exc}"
                              ) from None


def _check_groups(splitter: Any, groups: Any, from_spec: bool) -> None:
    """A group splitter needs the group labels; any other splitter would ignore them (the
    rows of a group would be split across folds): both are refused, naming the field."""
    from ..errors import DataError, SpecIssue

    path = ("data", "groups") if from_spec else ("groups",)
    if folding.uses_groups(splitter) and groups is None:
        raise DataError([SpecIssue(path, f"{folding.describe(splitter)} splits by groups, "
                                   "but no group labels are given", allowed="a column "
                                   "name in data.groups, or evaluate(groups=...)")])
    if groups is not None and not folding.uses_groups(splitter):
        raise DataError([SpecIssue(path, f"the groups are not used by "
                                   f"{folding.describe(splitter)}: rows of a group would be "
                                   "split across folds", allowed="a group splitter "
                                   "(GroupKFold, StratifiedGroupKFold), or no groups")])


def _is_candidates(obj: Any) -> bool:
    """A generated notebook's ``{name: (pipeline, grid)}`` rather than spec data."""
    return isinstance(obj, Mapping) and "candidates" not in obj


def _spec_of(obj: Any, options: Options) -> PipelineSpec | None:
    if _is_candidates(obj) and options.spec is None:
        return None  # the spec's models (pydantic) are not even imported
    from ..spec import PipelineSpec, load_spec

    if not _is_candidates(obj):
        return load_spec(obj)
    spec = options.spec
    return spec if isinstance(spec, PipelineSpec) else load_spec(spec)


def _sources(obj: Any, spec: PipelineSpec | None, options: Options, X: Any, y: Any
             ) -> list[planning.CandidateSource]:
    search: Any = options.search
    n_iter: Any = options.n_iter
    if _is_candidates(obj):
        if spec is not None:  # the spec's search settings, by candidate name
            by_name = {c.name: spec.search_for(c) for c in spec.candidates}
            if search is None:
                search = {n: s for n, (s, _) in by_name.items()}
            if n_iter is None or not isinstance(n_iter, Mapping):
                n_iter = {n: n_iter or k for n, (_, k) in by_name.items()}
        return planning.candidates_from_mapping(obj, search=search or "grid", n_iter=n_iter)
    sources = planning.candidates_from_spec(spec, X, y)
    if n_iter is not None or search is not None:  # overrides, e.g. papermill parameters
        sources = [planning.CandidateSource(
            s.name, s.pipeline, s.grid, _override(search, s.name, s.search),
            _override(n_iter, s.name, s.n_iter)) for s in sources]
    return sources


def _override(value: Any, name: str, own: Any) -> Any:
    """A keyword's value for candidate ``name``: one for all, or by name; else its own."""
    if isinstance(value, Mapping):
        return value.get(name, own)
    return own if value is None else value


def _fitted_to_table(spec: Any, X: Any, notes: list[str]) -> tuple[Any, list[str]]:
    """The table less its identifier columns (with a note) when the automatic preprocessing
    is used; candidates whose own steps cannot take the table refused (spec.table_kinds)."""
    from ..spec.table_kinds import check_steps_fit_table, without_identifiers

    X, more = without_identifiers(spec, X)
    check_steps_fit_table(spec, X)
    return X, [*notes, *more]


def _preprocessing_notes(spec: Any, X: Any) -> list[str]:
    """One line per distinct preprocessing the candidates use, saying what it does to X,
    then what the automatic one does with free text and many categories."""
    from ..catalog.column_kinds import kind_notes
    from ..spec.pipeline import preprocessing_step
    from ..spec.table_kinds import table_kinds

    notes: dict[str, list[str]] = {}
    auto = False
    for cand in spec.candidates:
        step = preprocessing_step(spec, cand, X)
        if step is not None:
            how = "auto" if spec.preprocessing_for(cand) == "auto" else "column rules"
            auto = auto or how == "auto"
            notes.setdefault(f"preprocessing ({how}): {step.describe(X)}", []).append(cand.name)
    every = len(spec.candidates)
    return [*(text if len(names) == every else f"{text} (for {', '.join(names)})"
              for text, names in notes.items()),
            *(kind_notes(table_kinds(spec, X)) if auto else ())]


def _serving_notes(sources: list[planning.CandidateSource], task: str) -> list[str]:
    """Clustering: which candidates cannot label new rows (no ``predict``), so are ranked
    but never saved; the best of the others is (``results.best_result``)."""
    from .results import final_name

    if task != "clustering":
        return []
    without = [s for s in sources if not hasattr(s.pipeline, "predict")]
    if not without:
        return []
    names = ", ".join(f"{s.name} ({final_name(s.pipeline)})" for s in without)
    if len(without) == len(sources):
        return [f"no candidate can label new rows (no predict): {names}; they are ranked, "
                "but no model will be saved for serving"]
    return [f"{names} cannot label new rows (no predict): ranked, but not saved for "
            "serving; the best configuration that can label new rows is saved"]


def _target_notes(spec: Any, y: Any) -> list[str]:
    """Which blocks get their ``target_type`` from the task (``catalog.targets``)."""
    from ..catalog import get_catalog
    from ..catalog.targets import target_kind, target_params

    kind, catalog, named = target_kind(spec.task, y), get_catalog(), set()
    for cand in spec.candidates:
        setting = spec.preprocessing_for(cand)
        rules = [] if isinstance(setting, str) else setting.columns
        for step in [*cand.steps, *(s for rule in rules for s in rule.steps)]:
            if step.block in catalog and target_params(catalog.get(step.block), kind,
                                                       step.params):
                named.add(step.block)
    return [f"{', '.join(sorted(named))}: target_type={kind!r}, from the {spec.task} "
            "target ('auto' would guess it from the values)"] if named else []


def _infer_task(sources: list[planning.CandidateSource]) -> str:
    from sklearn.base import is_classifier, is_regressor

    final = sources[0].pipeline
    if is_classifier(final):
        return "classification"
    if is_regressor(final):
        return "regression"
    return "clustering"


def _scorers(options: Options, spec: Any, task: str, y: Any
             ) -> tuple[list[str], dict[str, Any], tuple[str, ...], Any]:
    """The metrics fitted to the target (``scoring.scorers_for``: a metric that does not
    fit the data is refused here), their notes and the positive class of a binary target;
    custom scorers are taken as they are."""
    from ..spec.metrics import DEFAULT_METRIC
    from .imbalance import imbalance_notes
    from .scoring import scorers_for

    metrics = options.metrics
    if isinstance(metrics, Mapping):  # custom scorers, by name
        return list(metrics), dict(metrics), (), options.pos_label
    names = list(metrics) if metrics else (spec.metrics if spec is not None
                                           else [DEFAULT_METRIC[task]])
    pos_label, in_spec = options.pos_label, spec is not None and options.pos_label is None
    if in_spec:
        pos_label = spec.evaluation.pos_label
    scoring = scorers_for(
        names, task, y, pos_label=pos_label,
        metrics_path=("evaluation", "metrics") if spec is not None and not metrics
        else ("metrics",), pos_label_path=("evaluation", "pos_label") if in_spec
        else ("pos_label",))
    return (names, scoring.scorers, (*scoring.notes, *imbalance_notes(names, task, y)),
            scoring.pos_label)
