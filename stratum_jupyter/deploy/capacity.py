"""How many replicas of the prediction service a request rate needs: an M/M/c queue over the
per-replica throughput and latency that ``stratum profile`` measured (bundle/sizing.py).

Each replica is one server of service rate ``mu`` = its measured sustained throughput
(requests/s); requests arrive as a Poisson stream of rate ``lam``; the offered load is
``a = lam / mu`` and the utilisation ``rho = a / c`` for ``c`` replicas. The probability that a
request waits (Erlang C; Kleinrock, *Queueing Systems* vol. 1, 1975, eq. 3.42) is::

    C(c, a) = (a^c / c!) / ((1 - rho) * sum_{k<c} a^k / k! + a^c / c!)

and the waiting time is then exponential with rate ``c * mu - lam``, so its tail is
``P(W > t) = C(c, a) * exp(-(c * mu - lam) * t)``. The 99th percentile of the wait is
``ln(C / 0.01) / (c * mu - lam)`` when ``C > 0.01``, else 0; the plan adds it to the measured
p99 latency of one replica. A replica is treated as a single server although it serves
requests on several threads: the measured throughput already includes that parallelism, and
the model errs towards more replicas. The smallest ``c`` whose utilisation stays at or below
``max_utilisation`` and whose predicted p99 meets the goal is the plan.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

MAX_UTILISATION = 0.7
"""Above this the queueing delay grows quickly (the knee of 1 / (1 - rho)); autoscalers aim
below it and the plan never runs replicas hotter."""
MAX_REPLICAS = 1000


def erlang_c(c: int, a: float) -> float:
    """Probability that an arriving request waits in an M/M/c queue with ``c`` servers and
    offered load ``a`` (erlangs); 1.0 when the queue is unstable (``a >= c``)."""
    if a <= 0:
        return 0.0
    if a >= c:
        return 1.0
    # term_k = a^k / k!, summed iteratively (no factorial overflow)
    term, total = 1.0, 1.0
    for k in range(1, c):
        term *= a / k
        total += term
    last = term * a / c
    return last / ((1 - a / c) * total + last)


@dataclass(frozen=True)
class Step:
    """One row of a capacity plan: at ``rps`` requests/s, ``replicas`` replicas run at
    ``utilisation`` (0-1); a request waits with probability ``p_wait`` and the p99 latency is
    about ``p99_ms`` milliseconds."""

    rps: float
    replicas: int
    utilisation: float
    p_wait: float
    p99_ms: float


def wait_p99_ms(c: int, lam: float, mu: float) -> float:
    """The 99th percentile of the queueing wait (ms) for ``c`` replicas; inf if unstable."""
    if lam <= 0:
        return 0.0
    if c * mu <= lam:
        return math.inf
    chance = erlang_c(c, lam / mu)
    return 0.0 if chance <= 0.01 else 1000.0 * math.log(chance / 0.01) / (c * mu - lam)


def replicas_for(rps: float, throughput_rps: float, service_p99_ms: float,
                 goal_p99_ms: float | None, *, max_utilisation: float = MAX_UTILISATION
                 ) -> Step:
    """The fewest replicas that carry ``rps`` at or below ``max_utilisation`` and, when a
    goal is given, with a predicted p99 (ms) within ``goal_p99_ms``. A ValueError when the
    throughput is not positive; the largest plan (MAX_REPLICAS) when nothing meets the goal."""
    if throughput_rps <= 0:
        raise ValueError(f"throughput_rps: {throughput_rps!r} must be positive")
    c = max(1, math.ceil(rps / (throughput_rps * max_utilisation)))
    while True:
        p99 = service_p99_ms + wait_p99_ms(c, rps, throughput_rps)
        if goal_p99_ms is None or p99 <= goal_p99_ms or c >= MAX_REPLICAS:
            return Step(rps=rps, replicas=c, utilisation=rps / (c * throughput_rps),
                        p_wait=erlang_c(c, rps / throughput_rps), p99_ms=p99)
        c += 1


@dataclass(frozen=True)
class CapacityPlan:
    """Replicas needed across request rates (``steps``, at 1/4, 1/2, 1, 2 and 4 times
    ``rps``) from one replica's ``throughput_rps`` and ``service_p99_ms``."""

    rps: float
    goal_p99_ms: float | None
    throughput_rps: float
    service_p99_ms: float
    max_utilisation: float
    steps: tuple[Step, ...]

    def at(self, rps: float) -> Step:
        return replicas_for(rps, self.throughput_rps, self.service_p99_ms, self.goal_p99_ms,
                            max_utilisation=self.max_utilisation)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["model"] = "M/M/c (Erlang C), one server per replica"
        return data

    def lines(self) -> list[str]:
        goal = f", p99 goal {self.goal_p99_ms:g} ms" if self.goal_p99_ms else ""
        head = [f"capacity plan (M/M/c; one replica sustains {self.throughput_rps:g} req/s "
                f"at p99 {self.service_p99_ms:g} ms; at most {self.max_utilisation:.0%} "
                f"busy{goal}):",
                f"  {'req/s':>10} {'replicas':>8} {'busy':>6} {'P(wait)':>8} {'p99 ms':>9}"]
        return head + [f"  {s.rps:>10g} {s.replicas:>8d} {s.utilisation:>6.0%} "
                       f"{s.p_wait:>8.3f} {s.p99_ms:>9.1f}" for s in self.steps]


def capacity_plan(rps: float, throughput_rps: float, service_p99_ms: float,
                  goal_p99_ms: float | None = None, *,
                  max_utilisation: float = MAX_UTILISATION) -> CapacityPlan:
    """The plan for a request rate ``rps`` (requests/s) around the measured figures of one
    replica: ``throughput_rps`` (requests/s) and ``service_p99_ms`` (ms)."""
    steps = tuple(replicas_for(rps * k, throughput_rps, service_p99_ms, goal_p99_ms,
                               max_utilisation=max_utilisation)
                  for k in (0.25, 0.5, 1.0, 2.0, 4.0))
    return CapacityPlan(rps=rps, goal_p99_ms=goal_p99_ms, throughput_rps=throughput_rps,
                        service_p99_ms=service_p99_ms, max_utilisation=max_utilisation,
                        steps=steps)
