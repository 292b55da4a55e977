"""Generated code for the searches that are not a grid: search distributions as scipy.stats
objects, ``search: halving`` as scikit-learn's ``HalvingGridSearchCV`` /
``HalvingRandomSearchCV`` and ``search: bayes`` as an Optuna study, each on the same folds.

Each candidate searched so keeps its best configuration only (a one-value grid per
parameter); stratum's ``evaluate`` then scores those on the same folds beside the other
candidates, ranks them by ``select_by`` and saves the best as a bundle, as for any spec.
Pure functions from a validated spec to text, as :mod:`.python`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..catalog.targets import target_kind
from ..spec.metrics import METRICS
from ..spec.pipeline import candidate_grid, pipeline_steps
from ..spec.search import Distribution
from .columns import WIDTH, preprocessing_entry
from .pyformat import Call, Raw, literal, prefixed, render

if TYPE_CHECKING:
    from ..spec import PipelineSpec
    from ..spec.model import Candidate

ADAPTIVE = ("halving", "bayes")


def distribution_node(dist: Distribution, imports: dict[str, set[str]]) -> Any:
    """``dist`` as the scipy.stats object scikit-learn's samplers draw from (``randint``,
    ``uniform``, ``loguniform``), integers on a step as the list of their values, and
    stratum's own ``Distribution`` where scipy has none (integers on a log scale, floats on
    a step)."""
    if dist.integer and not dist.log and dist.step in (None, 1):
        imports.setdefault("scipy.stats", set()).add("randint")
        return Call("randint", args=(int(dist.low), Raw(f"{int(dist.high)} + 1")))
    if dist.log and not dist.integer:
        imports.setdefault("scipy.stats", set()).add("loguniform")
        return Call("loguniform", args=(dist.low, dist.high))
    if dist.step is None and not dist.integer:  # uniform(loc, scale): on [loc, loc + scale]
        imports.setdefault("scipy.stats", set()).add("uniform")
        return Call("uniform", args=(dist.low, Raw(f"{literal(dist.high)} - {literal(dist.low)}")))
    if dist.integer and not dist.log:  # every step equally likely: the values themselves
        values = Call("range", args=(int(dist.low), Raw(f"{int(dist.high)} + 1"),
                                     int(dist.step or 1)))
        return Call("list", args=(values,))
    imports.setdefault("stratum_jupyter.spec.search", set()).add("Distribution")
    return Call("Distribution.from_mapping", args=(dist.to_dict(),))


def grid_nodes(grid: dict[str, Any], imports: dict[str, set[str]]) -> dict[str, Any]:
    """A candidate's grid as code: lists as they are, distributions as scipy.stats objects."""
    return {key: distribution_node(value, imports) if isinstance(value, Distribution)
            else value for key, value in grid.items()}


def candidate_search_grid(spec: PipelineSpec, cand: Candidate) -> dict[str, Any]:
    """The searched values of ``cand`` as the generated ``candidates`` hold them."""
    steps = pipeline_steps(cand, target_kind(spec.task))
    _, grid = preprocessing_entry(spec, cand, {})
    return {**grid, **candidate_grid(steps)}


def adaptive(spec: PipelineSpec, strategy: str) -> list[Candidate]:
    """The candidates searched by ``strategy`` in generated code (clustering has no scorer
    for scikit-learn's searches or Optuna: its candidates go to ``evaluate`` as they are)."""
    if spec.task == "clustering":
        return []
    return [c for c in spec.candidates if spec.search_for(c)[0] == strategy]


def drawn_by_halving(spec: PipelineSpec) -> bool:
    """Whether a halving candidate has distributions (HalvingRandomSearchCV's n_iter draws)."""
    return any(isinstance(v, Distribution) for c in adaptive(spec, "halving")
               for v in candidate_search_grid(spec, c).values())


def search_override(spec: PipelineSpec) -> str | None:
    """``evaluate``'s ``search=`` when some candidates were searched before it: those are
    one configuration each ("grid"), the others keep their own search."""
    if not (adaptive(spec, "halving") or adaptive(spec, "bayes")):
        return None
    own = {c.name: spec.search_for(c)[0] for c in spec.candidates}
    by_name = {name: search if search in ("grid", "random") else "grid"
               for name, search in own.items()}
    if set(by_name.values()) == {"grid"}:
        return '"grid"'
    return render(by_name, 1, WIDTH - 11)


def adaptive_lines(spec: PipelineSpec, imports: dict[str, set[str]]) -> list[str]:
    """The code that searches the halving and bayes candidates before ``evaluate``."""
    halving, bayes = adaptive(spec, "halving"), adaptive(spec, "bayes")
    if not (halving or bayes):
        return []
    lines = [*_search_rows(spec), *_scoring_lines(spec, imports), ""]
    if halving:
        lines += halving_lines(spec, halving, imports) + [""]
    if bayes:
        lines += bayes_lines(spec, bayes, imports) + [""]
    return [*lines, "# The candidates searched above now hold their best configuration each.",
            ""]


def _scoring_lines(spec: PipelineSpec, imports: dict[str, set[str]]) -> list[str]:
    """``scoring``: select_by's scikit-learn scorer; for a metric of one positive class, with
    evaluation.pos_label, else the class the evaluation takes (1 when it is a label, else
    the second of the sorted labels; scikit-learn's own is always 1)."""
    metric = METRICS[spec.select_by]
    if not metric.uses_pos_label:
        return [f"scoring = {literal(metric.scorer)}  # select_by, as scikit-learn's scorer"]
    func = f"{metric.scorer}_score"
    imports.setdefault("sklearn.metrics", set()).update({"make_scorer", func})
    given = spec.evaluation.pos_label
    if given is None:
        imports.setdefault("stratum_jupyter.evaluation.scoring", set()).add("default_pos_label")
    how = {"response_method": ("decision_function", "predict_proba")} \
        if metric.name == "average_precision" else {}
    call = Call("make_scorer", args=(Raw(func),), kwargs={**how, "pos_label": Raw("pos_label")})
    return ["# select_by scores one class: evaluation.pos_label, else the one the evaluation",
            "# takes (1 when it is a label, else the second of the sorted labels).",
            f"pos_label = {literal(given)}" if given is not None else
            "pos_label = default_pos_label(sorted(y_search.dropna().unique()))",
            prefixed("scoring = ", call, 0, WIDTH)]


def _search_rows(spec: PipelineSpec) -> list[str]:
    """``X_search``, ``y_search`` (and ``groups_search``): the rows the searches see."""
    groups = spec.data is not None and bool(spec.data.groups)
    if spec.evaluation.test is None:
        lines = ["X_search, y_search = X, y"]
        return lines + (["groups_search = groups"] if groups else ["groups_search = None"])
    lines = ["# The searches see the rows outside the held-out test part only.",
             "X_search, y_search = X.iloc[held_out[0]], y.iloc[held_out[0]]"]
    return lines + (["groups_search = groups.iloc[held_out[0]]"] if groups
                    else ["groups_search = None"])


def halving_lines(spec: PipelineSpec, cands: list[Candidate],
                  imports: dict[str, set[str]]) -> list[str]:
    """``HalvingGridSearchCV`` (lists only) or ``HalvingRandomSearchCV`` (distributions)
    per candidate with the spec's factor and resources, fitted on the same folds."""
    settings = spec.evaluation.halving
    rows = settings.resource in ("auto", "n_samples")
    shared: dict[str, Any] = {"factor": _number(settings.factor)}
    if rows:
        shared["resource"] = "n_samples"
        if settings.max_resources != "auto":
            shared["max_resources"] = settings.max_resources
    if rows or settings.min_resources != "auto":  # else per candidate: a 20th of its most
        shared["min_resources"] = "smallest" if settings.min_resources == "auto" \
            else settings.min_resources
    shared.update(scoring=Raw("scoring"), cv=Raw("folds"), random_state=Raw("random_state"))
    imports.setdefault("sklearn.experimental", set()).add("enable_halving_search_cv")
    searches: dict[str, Any] = {}
    for cand in cands:
        drawn = any(isinstance(v, Distribution)
                    for v in candidate_search_grid(spec, cand).values())
        cls = "HalvingRandomSearchCV" if drawn else "HalvingGridSearchCV"
        imports.setdefault("sklearn.model_selection", set()).add(cls)
        kwargs: dict[str, Any] = {"n_candidates": Raw("n_iter")} if drawn else {}
        if not rows:
            kwargs.update(_parameter_resource(spec, cand, settings))
        searches[cand.name] = Call(cls, args=(Raw(f"*candidates[{literal(cand.name)}]"),),
                                   kwargs={**kwargs, "**": Raw("halving")})
    how = "training rows" if rows else settings.resource
    return [
        "# Successive halving (evaluation.search: halving), scikit-learn's: every",
        f"# configuration of a candidate on few {how}, the best 1/factor of them on",
        "# factor times more, and so on; on the same folds.",
        prefixed("halving = ", shared, 0, WIDTH),
        _star(prefixed("searches = ", searches, 0, WIDTH)),
        "for name, search in searches.items():",
        "    search.fit(X_search, y_search, groups=groups_search)",
        '    print(f"{name}: {search.best_params_} ({select_by} {search.best_score_:.4f})")',
        "    # The best configuration, one value per parameter; not the resource: that is",
        "    # its last rung's, and evaluate below scores it with all of it.",
        "    best = search.best_params_.items()",
        "    values = {key: [value] for key, value in best if key != search.resource}",
        "    candidates[name] = (candidates[name][0], values)",
    ]


def _star(text: str) -> str:
    """``**=halving`` (a keyword named "**", so that it renders last) as ``**halving``."""
    return text.replace("**=", "**")


def _parameter_resource(spec: PipelineSpec, cand: Candidate, settings: Any
                        ) -> dict[str, Any]:
    """``resource``, ``max_resources`` and ``min_resources`` where the resource is an
    iteration parameter of the final estimator: at most its value in the spec (auto), else
    its default; at least a 20th of that (auto), as stratum's own halving starts."""
    final = pipeline_steps(cand, target_kind(spec.task))[-1]
    most = settings.max_resources
    if most == "auto":
        info = final.block.param(settings.resource)
        most = final.params.get(settings.resource, info.default if info else None)
    out = {"resource": f"{final.name}__{settings.resource}", "max_resources": most}
    if settings.min_resources == "auto" and isinstance(most, int):
        out["min_resources"] = max(1, math.ceil(most / 20))  # 1-tree rungs rank by noise
    return out


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def bayes_lines(spec: PipelineSpec, cands: list[Candidate],
                imports: dict[str, set[str]]) -> list[str]:
    """One Optuna study (TPE, seeded) over the bayes candidates: the candidate is its first
    parameter and each candidate's values are conditional on it, trials scored on the same
    folds (fold by fold, pruned by the median, with evaluation.bayes.pruning)."""
    from .optuna_code import objective_lines, study_lines, suggest_lines

    imports.setdefault("optuna", set())
    imports.setdefault("sklearn.base", set()).add("clone")
    grids = {c.name: candidate_search_grid(spec, c) for c in cands}
    return [*suggest_lines(grids), "", *objective_lines(spec, imports), "",
            *study_lines(spec, list(grids), imports)]

