"""From candidates to a task graph where shared pipeline prefixes are fitted once per fold.

A candidate is a pipeline and a grid; its grid expands into configurations. Each
configuration's transformers form a chain of prefix nodes keyed by the hash of everything
before them (estimator class and parameters, not step names), so configurations that start
with the same steps, with the same parameters, share those nodes. Per fold, every node is
one task and every configuration's final estimator one more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import EvaluationError

SKIP = (None, "passthrough")
SEARCHES = ("grid", "random", "halving", "bayes")  # spec/search.py's Search


@dataclass(frozen=True)
class CandidateSource:
    """A candidate before expansion: an unfitted pipeline and the grid to search over it."""

    name: str
    pipeline: Any
    grid: Any = field(default_factory=dict)
    search: str = "grid"
    n_iter: int | None = None


@dataclass(frozen=True)
class Config:
    """One configuration: a candidate with one choice of grid values."""

    index: int
    candidate: str
    params: dict[str, Any]
    pipeline: Any
    members: tuple[str, ...] = ()  # an ensemble's: the labels of the configurations it joins
    # Adaptive searches (evaluation/searches): the rung a configuration was run at, its
    # resources there (rows of each fold's training part, or the iteration parameter's
    # value), and the index of the configuration it continues (None: it is the first).
    rung: int = 0
    resources: int | None = None
    origin: int | None = None

    @property
    def label(self) -> str:
        if not self.params:
            return self.candidate
        return f"{self.candidate} " + ", ".join(
            f"{k.rsplit('__', 1)[-1]}={v!r}" for k, v in self.params.items())


@dataclass(frozen=True)
class PrefixNode:
    """A transformer fitted on a fold's train part, shared by every config that starts so."""

    key: str
    parent: str | None
    step: str
    library: str
    estimator: Any


@dataclass(frozen=True)
class Leaf:
    """A configuration's final estimator, fitted on its prefix's output and scored."""

    config: int
    parent: str | None
    step: str
    library: str
    estimator: Any


@dataclass
class Plan:
    configs: list[Config]
    nodes: dict[str, PrefixNode]
    leaves: list[Leaf]

    @property
    def prefix_fits(self) -> int:
        """Transformer fits per fold if nothing were shared."""
        return sum(_chain_length(c.pipeline) for c in self.configs)

    @property
    def saved_fits(self) -> int:
        return self.prefix_fits - len(self.nodes)


def library_of(estimator: Any) -> str:
    """The library an estimator comes from (its top-level module): picks the step runner."""
    root = type(estimator).__module__.split(".")[0]
    return getattr(estimator, "_stratum_library", None) or root


def candidates_from_spec(spec: Any, X: Any = None, y: Any = None) -> list[CandidateSource]:
    """One unfitted ``Pipeline`` and grid per candidate of a validated spec; the table ``X``
    decides whether the automatic preprocessing applies (see ``spec.pipeline``), the task
    and ``y`` the ``target_type`` of blocks that have one (``catalog.targets``)."""
    from sklearn.pipeline import Pipeline

    from ..catalog.targets import target_kind
    from ..spec.pipeline import candidate_grid, pipeline_steps, preprocessing_step

    out, target = [], target_kind(spec.task, y)
    for cand in spec.candidates:
        steps = pipeline_steps(cand, target)
        named = [(step.name, step.estimator()) for step in steps]
        grid = candidate_grid(steps)
        columns = preprocessing_step(spec, cand, X, target)
        if columns is not None:
            named.insert(0, (columns.name, columns.estimator()))
            grid = {**columns.grid, **grid}
        search, n_iter = spec.search_for(cand)
        out.append(CandidateSource(cand.name, Pipeline(named), grid, search, n_iter))
    return out


def candidates_from_mapping(candidates: Mapping[str, Any], *, search: Any = "grid",
                            n_iter: Any = None) -> list[CandidateSource]:
    """``{name: (pipeline, grid)}`` (or ``{name: estimator}``), as generated notebooks hold.

    ``search`` and ``n_iter`` are one value for all, or a mapping by candidate name.
    """
    out = []
    for name, value in candidates.items():
        if isinstance(value, tuple | list):
            if len(value) != 2:
                raise EvaluationError(
                    f"candidates[{name!r}]: expected (pipeline, grid), got {len(value)} items")
            pipeline, grid = value
        else:
            pipeline, grid = value, {}
        if not hasattr(pipeline, "fit") or not hasattr(pipeline, "get_params"):
            raise EvaluationError(
                f"candidates[{name!r}]: {type(pipeline).__name__} is not an estimator "
                "(allowed: a scikit-learn Pipeline or estimator, with a parameter grid)")
        cand_search = search.get(name, "grid") if isinstance(search, Mapping) else search
        cand_n_iter = n_iter.get(name) if isinstance(n_iter, Mapping) else n_iter
        if cand_search not in SEARCHES:
            raise EvaluationError(f"search for {name!r}: {cand_search!r} (allowed: "
                                  f"{', '.join(map(repr, SEARCHES))})")
        out.append(CandidateSource(str(name), pipeline, grid or {}, cand_search, cand_n_iter))
    return out


def expand(sources: Sequence[CandidateSource], random_state: int | None = None
           ) -> list[Config]:
    """Every configuration, candidate by candidate, in scikit-learn's grid order; with a
    ``random_state``, every estimator that leaves its own unset is seeded with it
    (:func:`.seeding.seeded`) and random search draws with it too."""
    from sklearn.base import clone
    from sklearn.model_selection import ParameterGrid, ParameterSampler

    from .seeding import seeded

    configs: list[Config] = []
    for source in sources:
        try:
            if source.search == "bayes":
                continue  # its configurations are created as the search goes (searches/)
            draw = source.search == "random" or (
                source.search == "halving" and not _all_lists(source.grid))
            grid = ParameterGrid(source.grid) if not draw or _all_lists(source.grid) else None
            if draw:  # halving over distributions draws n_iter, as HalvingRandomSearchCV
                n_iter = source.n_iter or 10
                if grid is not None:
                    n_iter = min(n_iter, len(grid))  # sampling without replacement
                choices = list(ParameterSampler(source.grid, n_iter,
                                                random_state=random_state))
            else:
                choices = list(grid or ())
        except (TypeError, ValueError) as exc:
            raise EvaluationError(f"grid of candidate {source.name!r}: {exc}") from None
        for params in choices:
            try:
                # Seeded before the grid's values: a grid of seeds keeps its own.
                pipeline = seeded(clone(source.pipeline), random_state).set_params(**params)
            except ValueError as exc:
                raise EvaluationError(f"grid of candidate {source.name!r}: {exc}") from None
            configs.append(Config(len(configs), source.name, dict(params), pipeline))
    if not configs and not any(s.search == "bayes" for s in sources):
        raise EvaluationError("nothing to evaluate: no candidates")
    return configs


def _all_lists(grid: Any) -> bool:
    grids = grid if isinstance(grid, list) else [grid]
    return all(isinstance(v, list | tuple) for g in grids for v in g.values())


def _steps(pipeline: Any) -> list[tuple[str, Any]]:
    steps = getattr(pipeline, "steps", None)
    if steps is None:
        return [("estimator", pipeline)]
    return [(name, est) for name, est in steps]


def _chain_length(pipeline: Any) -> int:
    return sum(1 for _, est in _steps(pipeline)[:-1] if not _is_skip(est))


def _is_skip(est: Any) -> bool:
    return est is None or (isinstance(est, str) and est == "passthrough")


def node_key(parent: str | None, library: str, estimator: Any) -> str:
    """A hash of a prefix node: its parent's key and the estimator with its parameters.

    cloudpickle serialises what a notebook defines (functions, classes of ``__main__``) by
    value, so two different lambdas never look the same; equal estimators give equal
    bytes. One that cannot be serialised gets a key of its own (never shared)."""
    import hashlib
    import uuid

    import cloudpickle

    try:
        blob = cloudpickle.dumps((parent, library, estimator), protocol=5)
    except Exception:
        return uuid.uuid4().hex
    return hashlib.sha256(blob).hexdigest()


def build_plan(configs: list[Config]) -> Plan:
    """The shared prefix nodes and the leaves of every configuration."""
    plan = Plan([], {}, [])
    for config in configs:
        add_config(plan, config)
    return plan


def add_config(plan: Plan, config: Config) -> Config:
    """Add ``config`` (its index: the next one) to ``plan``: its leaf, and the prefix nodes
    it does not share with a configuration already there. Adaptive searches add the
    configurations they create so, while the evaluation runs."""
    if config.index != len(plan.configs):
        raise ValueError(f"configuration {config.index} added as number {len(plan.configs)}")
    steps = _steps(config.pipeline)
    parent: str | None = None
    for name, est in steps[:-1]:
        if _is_skip(est):
            continue
        key = node_key(parent, library_of(est), est)
        plan.nodes.setdefault(key, PrefixNode(key, parent, name, library_of(est), est))
        parent = key
    name, final = steps[-1]
    if _is_skip(final):
        raise EvaluationError(
            f"candidate {config.candidate!r}: the last step must be an estimator, "
            f"not {final!r}")
    plan.configs.append(config)
    plan.leaves.append(Leaf(config.index, parent, name, library_of(final), final))
    return config
