"""Refitting the best configuration on all the data, on the executor's cluster, started
ahead of time where that pays off."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from . import plan as planning
from . import tasks

if TYPE_CHECKING:
    from .executor import Executor
    from .graph import FoldGraph
    from .results import ConfigResult


class Refitter:
    """Refits a configuration on all the data, on the executor's cluster.

    Shared prefixes are fitted on all the data ahead of time (:meth:`prefit`, at the lowest
    priority), so a refit that finds its chain there only fits the final estimator. Once
    fewer fold tasks remain than workers, the current leader is refitted on the idle worker
    (:meth:`speculate`); a new leader replaces it.
    """

    def __init__(self, executor: Executor, graph: FoldGraph):
        self.client, self.graph, self.futures = executor.client, graph, executor.futures
        self.plan = graph.plan
        self.ahead: dict[str | None, Any] = {}
        self.current: tuple[int, Any] | None = None

    def prefit(self) -> None:
        self.ahead = self.graph.prefit()

    def submit(self, config: planning.Config, *, use_ahead: bool = True) -> Any:
        pipeline = config.pipeline
        library = planning.library_of(pipeline)
        parent = None if config.members else self.plan.leaves[config.index].parent
        key = f"stratum-refit-{config.index}-{uuid.uuid4().hex[:8]}"
        if use_ahead and parent is not None and parent in self.ahead:
            future = self.client.submit(tasks.refit_final, self.ahead[parent], library,
                                        pipeline, pure=False, priority=-2, key=key)
        else:
            future = self.client.submit(tasks.refit, self.graph.X, self.graph.y, library,
                                        pipeline, pure=False, priority=-2, key=key)
        self.futures.append(future)
        return future

    def speculate(self, leader: ConfigResult | None) -> None:
        if leader is None or (self.current and self.current[0] == leader.config.index):
            return
        if self.current is not None:
            self.client.cancel([self.current[1]])
        self.current = (leader.config.index, self.submit(leader.config))

    def future_for(self, config: planning.Config) -> Any:
        """The refit of ``config`` (the best): the speculative one if it guessed right.
        Prefits outside its chain are cancelled."""
        chain: set[str | None] = {None}
        node = None if config.members else self.plan.leaves[config.index].parent
        while node is not None:
            chain.add(node)
            node = self.plan.nodes[node].parent
        self.client.cancel([f for k, f in self.ahead.items() if k not in chain])
        if self.current is not None and self.current[0] == config.index:
            return self.current[1]
        if self.current is not None:
            self.client.cancel([self.current[1]])
        return self.submit(config)
