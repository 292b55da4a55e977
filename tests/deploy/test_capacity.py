"""The capacity plan's queueing model against values known in closed form."""

import math

import pytest

from stratum_jupyter.deploy.capacity import capacity_plan, erlang_c, replicas_for, wait_p99_ms


def test_erlang_c_matches_closed_forms():
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = rho
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)  # M/M/2 at rho 0.5: rho^2 * 2 / (1 + rho)
    assert erlang_c(3, 3.0) == 1.0 and erlang_c(3, 0.0) == 0.0
    # many servers, light load: almost nobody waits
    assert erlang_c(200, 20.0) < 1e-12


def test_wait_tail_and_replicas():
    # M/M/1, lam 50, mu 100: P(W > t) = 0.5 exp(-50 t); p99 at ln(50)/50 s
    assert wait_p99_ms(1, 50.0, 100.0) == pytest.approx(1000 * math.log(50) / 50)
    assert wait_p99_ms(1, 150.0, 100.0) == math.inf
    step = replicas_for(200.0, 100.0, 12.0, 50.0)
    assert (step.replicas, round(step.p99_ms, 1)) == (3, 49.9)
    assert replicas_for(200.0, 100.0, 12.0, None).replicas == 3  # the utilisation bound alone
    with pytest.raises(ValueError, match="throughput_rps"):
        replicas_for(1.0, 0.0, 1.0, None)


def test_plan_steps_and_text():
    plan = capacity_plan(100.0, 100.0, 12.0, 50.0)
    assert [s.rps for s in plan.steps] == [25.0, 50.0, 100.0, 200.0, 400.0]
    assert all(s.utilisation <= 0.7 and s.p99_ms <= 50.0 for s in plan.steps)
    lines = plan.lines()
    assert lines[0].startswith("capacity plan (M/M/c") and len(lines) == 7
    assert plan.to_json()["model"].startswith("M/M/c")
