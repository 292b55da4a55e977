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
    from .model import Candidate


@dataclass(frozen=True)
class PipelineStep:
    """One named step: its block, the parameters given as single values, and the grid
    axes keyed as scikit-learn addresses them (``step__param``)."""

    name: str
    block: Block
    params: dict[str, Any]
    grid: dict[str, list[Any]]

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


def pipeline_steps(candidate: Candidate) -> list[PipelineStep]:
    """The steps of a validated spec's candidate, in order. KeyError for an unknown block
    (a validated spec has none)."""
    from ..catalog import get_catalog

    catalog = get_catalog()
    names = step_names([s.block for s in candidate.steps])
    return [PipelineStep(name, catalog.get(step.block), step.fixed_params(),
                         {f"{name}__{p}": values for p, values in step.grid_axes().items()})
            for name, step in zip(names, candidate.steps, strict=True)]


def candidate_grid(steps: Sequence[PipelineStep]) -> dict[str, list[Any]]:
    """The candidate's whole parameter grid (every step's axes)."""
    return {key: values for step in steps for key, values in step.grid.items()}
