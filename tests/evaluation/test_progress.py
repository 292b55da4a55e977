"""Progress on long runs, on real evaluations: a header that says where the tasks run, fold
lines per configuration (rate-limited), each configuration's own fit cost (the sum of its
folds' fit times, not when its last fold arrived) and a line before the final refit, in the
text log and the widget alike."""

from __future__ import annotations

import re
import time

import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from stratum_jupyter import evaluate
from stratum_jupyter.evaluation import cluster as clusters
from stratum_jupyter.evaluation import display, progress_lines
from stratum_jupyter.evaluation.prepare import Options, prepare
from stratum_jupyter.evaluation.runner import _execute


class Slow(TransformerMixin, BaseEstimator):
    """Passes X through; its fit takes ``seconds``."""

    def __init__(self, seconds: float = 0.0):
        self.seconds = seconds

    def fit(self, X, y=None):
        time.sleep(self.seconds)
        return self

    def transform(self, X):
        return X


def _candidates(seconds: float) -> dict:
    return {"slow": (make_pipeline(Slow(), LogisticRegression(max_iter=500)),
                     {"slow__seconds": [seconds]}),
            "quick": (LogisticRegression(max_iter=500), {"C": [1.0]})}


@pytest.fixture
def every_fold(monkeypatch):
    """Every fold line shown (the rate limit is seconds: a small test is quicker)."""
    monkeypatch.setattr(progress_lines, "FOLD_EVERY_S", 0.0)


def _fold_lines(out: str) -> list[str]:
    return re.findall(r"^  (\w+ #\d: fold \d/\d) \(fit [\d.]+ s so far\)$", out, re.M)


def test_the_text_log_of_an_evaluation_in_this_process(in_process, every_fold, capsys):
    X, y = load_iris(return_X_y=True)
    result = evaluate(_candidates(0.5), X, y, cv=3, display="text")
    out = capsys.readouterr().out
    assert "= 6 task(s) in this process (the local Dask cluster is not up yet)" in out
    assert sorted(_fold_lines(out)) == ["quick #2: fold 1/3", "quick #2: fold 2/3",
                                        "slow #1: fold 1/3", "slow #1: fold 2/3"]
    slow, quick = result.results
    for res in (slow, quick):
        cost = progress_lines.fit_cost(res)
        assert cost == pytest.approx(sum(f.fit_time for f in res.folds.values()))
        line = re.search(rf"^\[\d/2\] {res.config.candidate} #\d .*$", out, re.M).group(0)
        assert line.endswith(f"(fit {cost:.1f} s over 3 folds)"), line
    # quick's last fold arrived after slow's folds (>= 1.5 s in), but it cost it next to
    # nothing: the line says its own fit time, not the time it arrived (a margin of 1 s
    # for a loaded machine)
    assert progress_lines.fit_cost(quick) < 0.5 < 1.5 <= progress_lines.fit_cost(slow)
    assert result.best.candidate == "slow"  # the same scores: the grid order wins ties
    estimate = progress_lines.refit_estimate(slow, 150, [100, 100, 100])
    assert estimate == pytest.approx(progress_lines.fit_cost(slow) / 3 * 1.5)
    refit = (f"stratum: refitting the best, slow #1, on all 150 rows (about {estimate:.1f} s "
             "from its folds' fit times)")
    assert refit in out.splitlines()
    assert out.index(refit) > out.index("[2/2]") and out.index(refit) < out.index("done:")


def test_fold_lines_are_rate_limited_per_configuration(in_process, capsys):
    X, y = load_iris(return_X_y=True)
    evaluate(_candidates(0.01), X, y, cv=5, display="text")
    assert _fold_lines(capsys.readouterr().out) == []  # quicker than FOLD_EVERY_S


@pytest.mark.slow
def test_the_text_log_on_a_local_cluster_and_a_scheduler_by_address(client, cluster,
                                                                    every_fold, capsys):
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    grid = {"lr": (LogisticRegression(max_iter=500), {"C": [0.1, 1.0]})}
    evaluate(grid, X, y, cv=3, display="text")
    out = capsys.readouterr().out
    assert "= 6 task(s) on a LocalCluster with 2 workers (2 threads)" in out
    assert sorted(_fold_lines(out)) == ["lr #1: fold 1/3", "lr #1: fold 2/3",
                                        "lr #2: fold 1/3", "lr #2: fold 2/3"]
    assert re.search(r"^stratum: refitting the best, lr #\d, on all 150 rows \(about "
                     r"[\d.]+ s from its folds' fit times\)$", out, re.M)
    evaluate(grid, X, y, cv=3, display="text", refit=False,
             scheduler=cluster.scheduler_address)
    out = capsys.readouterr().out
    clusters.close_remote()
    assert (f"= 6 task(s) on the scheduler at {cluster.scheduler_address}: 2 workers "
            "(2 threads)") in out
    assert "refitting" not in out


@pytest.mark.slow
def test_the_widget_shows_the_same_progress(client, every_fold):
    X, y = load_iris(return_X_y=True)
    plan = prepare({"lr": (LogisticRegression(max_iter=500), {"C": [0.1, 1.0]})}, X, y,
                   Options(cv=3))
    widget = display.WidgetProgress()
    shown: list[str] = []
    widget.status.observe(lambda change: shown.append(change["new"]), names="value")
    result = _execute(plan, widget, None, None, None, None)
    widget.finish(result)
    assert "6 task(s) on a LocalCluster with 2 workers (2 threads)" in widget.header.value
    folds = [s for s in shown if ": fold " in s]
    assert sorted(re.sub(r" \(fit .*", "", s) for s in folds) == [
        "lr #1: fold 1/3", "lr #1: fold 2/3", "lr #2: fold 1/3", "lr #2: fold 2/3"]
    for res in result.results:
        assert (f"{display._named(res)}: done, fit "
                f"{progress_lines.fit_cost(res):.1f} s over 3 folds") in shown
    assert any(s.startswith("refitting the best, lr #") and "on all 150 rows" in s
               for s in shown)
    assert shown[-1] == ""  # finished: the table and the chart say the rest
