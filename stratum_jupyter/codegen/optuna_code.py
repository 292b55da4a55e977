"""Generated code of ``search: bayes``: an Optuna study written as Optuna's own examples
write one. ``suggest`` picks a candidate, then its values (a search space conditional on
the candidate: lists are ``suggest_categorical``, distributions ``suggest_int`` /
``suggest_float``); ``objective`` scores the configuration on the folds; TPE, seeded,
runs ``n_trials`` trials or until ``budget`` seconds are spent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..spec.search import Distribution
from .columns import WIDTH
from .pyformat import Call, Raw, literal, prefixed, render

if TYPE_CHECKING:
    from ..spec import PipelineSpec

_PLAIN = (str, int, float, bool, type(None))


def suggestion(name: str, values: Any) -> Any:
    """The ``trial.suggest_*`` call of one searched parameter named ``name`` in the study."""
    if isinstance(values, Distribution):
        kwargs: dict[str, Any] = {"log": True} if values.log else {}
        if values.step is not None:
            kwargs["step"] = values.step
        if values.integer:
            return Call("trial.suggest_int", args=(name, int(values.low), int(values.high)),
                        kwargs=kwargs)
        return Call("trial.suggest_float", args=(name, float(values.low), float(values.high)),
                    kwargs=kwargs)
    values = list(values)
    if all(isinstance(v, _PLAIN) for v in values):
        return Call("trial.suggest_categorical", args=(name, values))
    # Optuna's choices are plain values: a choice among lists or mappings by its position.
    index = render(Call("trial.suggest_int", args=(name, 0, len(values) - 1)))
    return Raw(f"{render(values)}[{index}]")


def _study_names(grid: dict[str, Any]) -> dict[str, str]:
    """Each grid key's short name (``C``), or the whole key where two steps share one."""
    short = [key.rsplit("__", 1)[-1] for key in grid]
    return {key: s if short.count(s) == 1 else key for key, s in zip(grid, short, strict=True)}


def suggest_lines(grids: dict[str, dict[str, Any]]) -> list[str]:
    """``def suggest(trial)``: the candidate, then its own values (named ``candidate:param``
    in the study, so that each candidate's space is its own)."""
    lines = [
        "def suggest(trial: optuna.Trial) -> tuple[str, dict]:",
        '    """A candidate and a configuration of it, as Optuna suggests them: the candidate',
        '    first, then its own values (a search space conditional on the candidate)."""',
        "    " + prefixed("name = ", Call("trial.suggest_categorical",
                                           args=("candidate", list(grids))), 1, WIDTH),
        "    params: dict = {}",
    ]
    branch = "if"
    for cand, grid in grids.items():
        if not grid:
            continue
        names = _study_names(grid)
        lines += [f"    {branch} name == {literal(cand)}:", "        params = {"]
        for key, value in grid.items():
            lines += _entry(literal(key), suggestion(f"{cand}:{names[key]}", value), 3)
        lines.append("        }")
        branch = "elif"
    return [*lines, "    return name, params"]


def _entry(key: str, value: Any, indent: int) -> list[str]:
    """``key: call(args),`` on one line, else with the arguments on the next line (as
    black writes it), else one argument a line."""
    pad = "    " * indent
    one = f"{pad}{key}: {render(value, width=10**6)},"
    if len(one) <= WIDTH or not isinstance(value, Call):
        return [one]
    args = render(Call("", value.args, value.kwargs), width=10**6)[1:-1]
    if len(pad) + 4 + len(args) <= WIDTH:
        return [f"{pad}{key}: {value.func}(", f"{pad}    {args}", f"{pad}),"]
    return [f"{pad}{prefixed(f'{key}: ', value, indent, WIDTH)},"]


def objective_lines(spec: PipelineSpec, imports: dict[str, set[str]]) -> list[str]:
    """``score_on_folds`` (fold by fold with pruning, else ``cross_val_score``) and
    ``objective``."""
    pruned = spec.evaluation.bayes.pruning and spec.data is not None
    if pruned:
        imports.setdefault("sklearn.metrics", set()).add("get_scorer")
        score = [
            "def score_on_folds(trial: optuna.Trial, pipeline: Pipeline) -> float:",
            '    """The mean score of ``pipeline`` on the folds, reported fold by fold: the',
            "    pruner stops a trial whose running mean is below the median of earlier",
            '    trials at the same fold (evaluation.bayes.pruning)."""',
            "    scorer = get_scorer(scoring)",
            "    scores = []",
            "    splits = folds.split(X_search, y_search, groups_search)",
            "    for fold, (train, test) in enumerate(splits):",
            "        model = pipeline.fit(X_search.iloc[train], y_search.iloc[train])",
            "        scores.append(scorer(model, X_search.iloc[test], y_search.iloc[test]))",
            "        trial.report(sum(scores) / len(scores), fold)",
            "        if trial.should_prune():",
            "            raise optuna.TrialPruned()",
            "    return sum(scores) / len(scores)",
        ]
    else:
        imports.setdefault("sklearn.model_selection", set()).add("cross_val_score")
        score = [
            "def score_on_folds(trial: optuna.Trial, pipeline: Pipeline) -> float:",
            '    """The mean score of ``pipeline`` on the folds."""',
            "    scores = cross_val_score(",
            "        pipeline, X_search, y_search, groups=groups_search, cv=folds,",
            "        scoring=scoring,",
            "    )",
            "    return float(scores.mean())",
        ]
    return [*score, "", "",
            "def objective(trial: optuna.Trial) -> float:",
            "    name, params = suggest(trial)",
            "    pipeline = clone(candidates[name][0]).set_params(**params)",
            "    return score_on_folds(trial, pipeline)"]


def study_lines(spec: PipelineSpec, names: list[str], imports: dict[str, set[str]]
                ) -> list[str]:
    """The study, run, and each candidate's best complete trial as a one-value grid."""
    settings = spec.evaluation.bayes
    pruner = "MedianPruner" if settings.pruning and spec.data is not None else "NopPruner"
    imports.setdefault("optuna.pruners", set()).add(pruner)
    imports.setdefault("optuna.samplers", set()).add("TPESampler")
    imports.setdefault("optuna.trial", set()).update({"FixedTrial", "TrialState"})
    study = Call("optuna.create_study", kwargs={
        "direction": "maximize",
        "sampler": Call("TPESampler", kwargs={
            "seed": Raw("random_state"), "n_startup_trials": settings.n_startup_trials}),
        "pruner": Call(pruner)})
    return [
        "# Optuna's TPE over the candidates above: n_trials trials, or as many as the",
        "# budget (seconds; None: no limit) allows; seeded with random_state.",
        "optuna.logging.set_verbosity(optuna.logging.WARNING)",
        prefixed("study = ", study, 0, WIDTH),
        "study.optimize(objective, n_trials=n_trials, timeout=budget)",
        "# Each candidate's best complete trial, its values rebuilt by suggest.",
        "complete = study.get_trials(states=[TrialState.COMPLETE])",
        f"for name in {render(names, width=WIDTH - 16)}:",
        '    trials = [t for t in complete if t.params["candidate"] == name]',
        "    if not trials:",
        '        print(f"{name}: no complete trial, left out")',
        "        del candidates[name]",
        "        continue",
        "    best = max(trials, key=lambda t: t.value)",
        "    _, params = suggest(FixedTrial(best.params))",
        '    print(f"{name}: {params} ({select_by} {best.value:.4f})")',
        "    candidates[name] = (",
        "        candidates[name][0],",
        "        {key: [value] for key, value in params.items()},",
        "    )",
    ]
