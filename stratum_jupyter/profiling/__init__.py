"""Resource profiling of the prediction service (``stratum profile``): the model's service
measured under a grid of CPU and memory limits and server settings, plotted, and the
smallest configuration that meets a latency goal recommended (:mod:`.rightsizing`).

``grid`` (configurations, units), ``load`` (the loopback load generator), ``runners``
(Docker containers or local processes under limits), ``measure`` (one configuration's row),
``rightsizing``, ``plots`` (Bokeh) and ``api`` (:func:`profile`)."""

from __future__ import annotations

from typing import Any

__all__ = ["profile", "ProfileResult", "Config", "Load", "ProfileError"]


def __getattr__(name: str) -> Any:  # lazily: pandas and Bokeh load only when profiling
    if name in ("profile", "ProfileResult"):
        from . import api

        return getattr(api, name)
    if name in ("Config", "ProfileError"):
        from . import grid

        return getattr(grid, name)
    if name == "Load":
        from .measure import Load

        return Load
    raise AttributeError(name)
