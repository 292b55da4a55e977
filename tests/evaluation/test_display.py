"""Leaderboard rendering and progress displays: escaped HTML, inline Bokeh, no crash
without a frontend."""

from __future__ import annotations

import math

import pytest

from stratum_jupyter.evaluation import display, score_chart
from stratum_jupyter.evaluation.plan import Config
from stratum_jupyter.evaluation.results import ConfigResult, EvaluationResult, Failure
from stratum_jupyter.evaluation.tasks import FoldScore
from stratum_jupyter.frontend import has_live_frontend


def _result(name: str = "logreg") -> EvaluationResult:
    results = []
    for i, (cand, c, scores) in enumerate([(name, 1.0, [0.9, 0.8, 1.0]),
                                           (name, 10.0, [0.95, 0.9, 0.97]),
                                           ("bad", 0.0, None)]):
        res = ConfigResult(Config(i, cand, {"lr__C": c}, None))
        if scores is None:
            res.failure = Failure(cand, {"lr__C": c}, 0, "lr", "ValueError: <boom>", "Tb")
        else:
            res.folds = {f: FoldScore({"accuracy": s}, 0.1, 0.01, 0.1, {})
                         for f, s in enumerate(scores)}
        results.append(res)
    return EvaluationResult(results=results, metrics=["accuracy"], select_by="accuracy",
                            task="classification", n_folds=3, splitter="KFold(3)",
                            failures=[r.failure for r in results if r.failure],
                            cluster={"dashboard": "http://127.0.0.1:8787/status"},
                            timing={"wall_s": 1.5})


def test_leaderboard_sorted_with_failures_last():
    board = _result().leaderboard
    assert list(board["params"].map(lambda p: p["C"])) == [10.0, 1.0, 0.0]
    assert list(board["rank"].astype("float").fillna(-1)) == [1, 2, -1]
    assert board.loc[0, "accuracy"] == pytest.approx((0.95 + 0.9 + 0.97) / 3)
    assert math.isnan(board.loc[2, "accuracy"])


def test_html_escapes_user_strings_and_links_dashboard():
    html = _result("<script>alert(1)</script>")._repr_html_()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;boom&gt;" in html  # error messages too
    assert 'href="http://127.0.0.1:8787/status"' in html
    text = repr(_result())
    assert "rank" in text and "failed: bad" in text


def test_chart_is_bokeh_with_inline_resources():
    page = score_chart.chart_html(_result())
    assert page.startswith('<div class="stratum-chart"><iframe srcdoc=')
    assert "Bokeh" in page and "cdn.bokeh.org" not in page
    fig = score_chart.score_chart(_result())
    assert len(fig.x_range.factors) == 2  # failures are not plotted


def test_text_progress_and_widget_without_frontend(capsys):
    res = _result()
    text = display.make_progress("text")
    text.start(configs=3, folds=3, tasks=9, saved=0, cluster=res.cluster, notes=["n"])
    for r in res.results:
        text.config_done(r, res.leaderboard, res.metrics, res.select_by)
    text.finish(res)
    out = capsys.readouterr().out
    assert "[1/3]" in out and "FAILED ValueError" in out and "dashboard" in out
    widget = display.make_progress("widget")  # no kernel: still must not crash
    widget.start(configs=3, folds=3, tasks=9, saved=0, cluster=res.cluster, notes=[])
    widget.task_done(1, 9)
    widget.config_done(res.results[0], res.leaderboard, res.metrics, res.select_by)
    widget.finish(res)
    assert not has_live_frontend()
    assert isinstance(display.make_progress("auto"), display.TextProgress)
    with pytest.raises(Exception, match="allowed: auto, widget, text, none"):
        display.make_progress("fancy")
