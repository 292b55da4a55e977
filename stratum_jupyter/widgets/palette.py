"""What the builder's palette and parameter forms are drawn from: the catalog of one task,
sent to the browser as the widget's ``catalog`` state.

The payload is strict JSON: a float that JSON cannot hold (scikit-learn's ``inf`` among a
parameter's choices, e.g. ``RANSACRegressor.max_trials``) travels as the text a form field
takes for it, YAML's ``.inf`` (see :data:`.form.NONFINITE_TEXT`), so the view shows it as
a suggestion to type; unbounded ranges already travel as ``null``.

The block kinds, the tasks and the search strategies travel in it too, so the view never
types those lists again: they are :data:`stratum_jupyter.catalog.blocks.KINDS`,
:data:`stratum_jupyter.spec.model.TASKS` and the spec's ``Search`` choices.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any, get_args

from ..spec.model import ENSEMBLE_METHODS, TASKS
from ..spec.search import Search
from .form import format_value

if TYPE_CHECKING:
    from ..catalog import Block


# The settings the builder shows for each search (form fields, see widgets/form.py): how
# many draws (random; halving's configurations from distributions), halving's factor,
# bayes' trials; a time budget for any.
SEARCH_SETTINGS: dict[str, list[str]] = {
    "grid": ["budget"], "random": ["n_iter", "budget"],
    "halving": ["n_iter", "halving_factor", "budget"], "bayes": ["n_trials", "budget"]}


@functools.cache
def catalog_payload(task: str) -> dict[str, Any]:
    """The palette's blocks (with their editable parameters), the task's metrics and the
    lists the view offers, for one task (JSON-safe; cached per process)."""
    from ..catalog import KINDS, get_catalog
    from ..spec.metrics import DEFAULT_METRIC, metrics_for

    blocks = [_block(block) for block in get_catalog().for_task(task) if not block.deprecated]
    return json_safe({"task": task, "blocks": blocks, "metrics": metrics_for(task),
            "default_metric": DEFAULT_METRIC[task], "kinds": list(KINDS),
            "tasks": list(TASKS), "searches": list(get_args(Search)),
            "search_settings": SEARCH_SETTINGS,
            "ensembles": [] if task == "clustering" else list(ENSEMBLE_METHODS),
            "splitters": splitters_for(task)})


def splitters_for(task: str) -> list[dict[str, Any]]:
    """The splitters ``evaluation.cv`` offers for ``task`` (stratified ones: classification
    only), each with its parameters and their defaults (as form text) and whether it needs
    groups (``data.groups``) or time order (``data.order_by``)."""
    from ..spec.splitters import GROUP_SPLITTERS, SPLITTERS, STRATIFIED, TIME_SPLITTERS, parameters

    return [{"name": name, "groups": name in GROUP_SPLITTERS, "time": name in TIME_SPLITTERS,
             "params": [{"name": p, "default": format_value(d)}
                        for p, d in parameters(name).items()]}
            for name in SPLITTERS if task == "classification" or name not in STRATIFIED]


def json_safe(value: Any) -> Any:
    """``value`` (JSON-like data) with every infinite or NaN float replaced by its YAML text
    (``.inf``, ``-.inf``, ``.nan``): what ``json.dumps(..., allow_nan=False)`` takes."""
    if isinstance(value, float) and not math.isfinite(value):
        return format_value(value)
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def _block(block: Block) -> dict[str, Any]:
    params = [{**p.to_dict(), "allowed": p.describe()} for p in block.params if p.editable]
    return {"name": block.name, "kind": block.kind, "roles": sorted(block.roles),
            "module": block.module, "doc": block.doc, "params": params}
