"""Showing an evaluation: a live widget in JupyterLab, a text log elsewhere, and the final
leaderboard as HTML and plain text. Nothing here may crash an evaluation for lack of a
display: every frontend call is guarded, and without IPython the log goes to stdout.
"""

from __future__ import annotations

import html
import math
import sys
import time
from typing import TYPE_CHECKING, Any

from . import progress_lines as lines
from . import score_chart
from .paramnames import params_text

if TYPE_CHECKING:
    import pandas as pd

    from .results import ConfigResult, EvaluationResult

MAX_ROWS = 20

DISPLAY_MODES = ("auto", "widget", "text", "none")
"""How an evaluation shows its progress: ``display=``, ``--display``, ``$STRATUM_DISPLAY``."""

_TABLE = """\
<div class="stratum-leaderboard">
{% if title %}<p><b>{{ title }}</b></p>{% endif %}
<table class="dataframe">
<thead><tr><th>#</th><th>candidate</th><th>params</th>
{% for m in metrics %}<th>{{ m }}{% if m == select_by %} &#9660;{% endif %}</th>{% endfor %}
<th>fit s</th><th>status</th>{% if with_notes %}<th>notes</th>{% endif %}</tr></thead>
<tbody>
{% for r in rows %}<tr{% if r.failed %} style="color:#a00"{% endif %}>
<td>{{ r.rank }}</td><td>{{ r.candidate }}</td><td><code>{{ r.params }}</code></td>
{% for v in r.scores %}<td>{{ v }}</td>{% endfor %}
<td>{{ r.fit }}</td><td{% if r.failed %} title="{{ r.error }}"{% endif %}>{{ r.status }}</td>
{% if with_notes %}<td>{{ r.notes }}</td>{% endif %}</tr>{% endfor %}
</tbody></table>
{% if more %}<p>... {{ more }} more</p>{% endif %}
{% if failures %}<details><summary>{{ failures|length }} failure(s)</summary>
{% for f in failures %}<p><b>{{ f.candidate }}</b> <code>{{ f.params }}</code>: {{ f.error }}</p>
<pre>{{ f.traceback }}</pre>{% endfor %}</details>{% endif %}
{% if footer %}<p>{{ footer }}</p>{% endif %}
{% if dashboard %}<p>Dask dashboard:
<a href="{{ dashboard }}" target="_blank">{{ dashboard }}</a></p>{% endif %}
</div>
"""


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _params(params: dict[str, Any]) -> str:
    return params_text(params)


def _named(res: ConfigResult) -> str:
    """``forest #3 max_depth=4``: the short name of the fold lines, then the parameters."""
    params = _params(res.config.params) if not res.config.members else ""
    return f"{lines.name(res)} {params}" if params and params != "-" else lines.name(res)


def _described(rec: dict[str, Any]) -> str:
    """A row's parameters; an ensemble's members instead (it has no parameters of its own)."""
    members = rec.get("members")
    return f"members: {members}" if members else _params(rec["params"])


def _rows(board: Any, metrics: list[str], limit: int) -> list[dict[str, Any]]:
    rows = []
    for rec in board.head(limit).to_dict(orient="records"):
        failed = rec["status"] != "ok"
        scores = [f"{_fmt(rec[m])} ± {_fmt(rec[f'{m}_std'])}" + _test_score(rec, m)
                  if not failed else "-" for m in metrics]
        rows.append({"rank": _fmt(rec["rank"]) if not failed else "-",
                     "candidate": rec["candidate"], "params": _described(rec),
                     "scores": scores, "fit": _fmt(rec["fit_time"]), "failed": failed,
                     "status": rec["status"], "error": rec["error"],
                     "notes": rec.get("notes") or ""})
    return rows


def _test_score(rec: dict[str, Any], metric: str) -> str:
    """The held-out score beside the mean over the folds (the selected model's row)."""
    value = rec.get(f"test_{metric}")
    return "" if value is None or math.isnan(value) else f" (held-out test {_fmt(value)})"


def render_table(board: Any, metrics: list[str], select_by: str, *, title: str = "",
                 footer: str = "", dashboard: str | None = None, failures: Any = (),
                 limit: int = MAX_ROWS) -> str:
    """The leaderboard as HTML (user strings escaped by Jinja2's autoescape)."""
    import jinja2

    env = jinja2.Environment(autoescape=True)
    rows = _rows(board, metrics, limit)
    return env.from_string(_TABLE).render(
        rows=rows, metrics=metrics, select_by=select_by,
        with_notes=any(r["notes"] for r in rows),
        more=max(0, len(board) - limit), title=title, footer=footer, dashboard=dashboard,
        failures=[{"candidate": f.candidate, "params": _params(f.params), "error": f.error,
                   "traceback": f.traceback} for f in failures])


def _summary(result: EvaluationResult) -> str:
    t = result.timing
    parts = [f"{len(result.results)} configuration(s) x {result.n_folds} fold(s)"]
    if t.get("wall_s") is not None:
        parts.append(f"in {t['wall_s']:.1f} s")
    if t.get("saved_fits"):
        parts.append(f"{t['saved_fits']} shared prefix fit(s) saved")
    if t.get("chained_fits"):  # warm-start chains (evaluation/warmstart.py)
        parts.append(f"{t['chained_fits']} fit(s) grown from smaller ones by warm start")
    if t.get("budget", {}).get("reached"):  # evaluation.budget (evaluation/budget.py)
        parts.append(t["budget"]["text"])
    if t.get("sent_copies"):  # what the cluster's part cost (graph.FoldGraph.costs)
        parts.append(lines.cost_of_run(t))
    if result.best is not None:
        parts.append(f"best: {result.best.candidate} {_params(result.best.params)} "
                     f"({result.select_by} {result.best.metrics['mean'][result.select_by]:.4f})")
        if result.best.passed_over:
            parts.append("saved as the best that can label new rows; ranked above it "
                         f"without predict: {', '.join(result.best.passed_over)}")
    elif result.unsaved:
        parts.append(result.unsaved)
    if result.test.get("scores"):
        scores = ", ".join(f"{m} {_fmt(v)}" for m, v in result.test["scores"].items())
        parts.append(f"held-out test score of the best, refitted on the rest (test_* "
                     f"columns; {result.test['rows']} rows never used to choose): {scores}")
    return "; ".join(parts)


def leaderboard_html(result: EvaluationResult) -> str:
    return render_table(result.leaderboard, result.metrics, result.select_by,
                        title=f"Leaderboard ({result.task}, ranked by {result.select_by})",
                        footer=_summary(result), dashboard=result.cluster.get("dashboard"),
                        failures=result.failures, limit=len(result.leaderboard))


def leaderboard_text(result: EvaluationResult) -> str:
    board = result.leaderboard
    cols = ["rank", "candidate", *[c for c in ("trial", "state", "rung", "resources")
                                   if c in board.columns],
            "params", *[c for m in result.metrics
                                              for c in (m, f"{m}_std", f"test_{m}")
                                              if c in board.columns], "fit_time", "status"]
    shown = board[cols].copy()
    shown["params"] = [_described(rec) for rec in board.to_dict(orient="records")]
    lines = [f"EvaluationResult: {result.task}, ranked by {result.select_by}",
             shown.to_string(index=False, max_colwidth=50, float_format=lambda v: f"{v:.4f}")]
    for f in result.failures:
        lines.append(f"failed: {f}")
    for rec in board.to_dict(orient="records"):
        if rec.get("notes"):
            lines.append(f"note: {rec['candidate']} {_params(rec['params'])}: {rec['notes']}")
    lines.append(_summary(result))
    return "\n".join(lines)


# --- progress: widget in a live frontend, text log otherwise --------------------------------

def make_progress(mode: str | None = "auto") -> Progress:
    from .. import envvars
    from ..frontend import has_live_frontend

    mode = (mode or "auto").lower()
    if mode == "auto":
        mode = (envvars.DISPLAY.get() or "auto").lower()
    if mode == "auto":
        mode = "widget" if has_live_frontend() else "text"
    if mode == "none":
        return Progress()
    if mode == "widget":
        try:
            return WidgetProgress()
        except Exception:  # ipywidgets missing or no comm: fall back, never fail
            return TextProgress()
    if mode == "text":
        return TextProgress()
    from ..errors import EvaluationError

    raise EvaluationError(f"display={mode!r} (allowed: {', '.join(DISPLAY_MODES)})")


class Progress:
    """The silent base: called as the evaluation goes. ``config_done`` gets the leaderboard
    so far only where ``wants_board`` (else None)."""

    wants_board = False

    def start(self, *, configs: int, folds: int, tasks: int, saved: int,
              cluster: dict[str, Any], notes: list[str]) -> None:
        pass

    def task_done(self, done: int, total: int) -> None:
        pass

    def fold_done(self, res: ConfigResult, n_folds: int) -> None:
        """A fold of ``res`` is in (``res.folds`` holds it)."""

    def moved(self, cluster: dict[str, Any], remaining: int) -> None:
        """The tasks begun in this process go on on ``cluster``: ``remaining`` of them."""

    def config_done(self, res: ConfigResult, board: pd.DataFrame | None, metrics: list[str],
                    select_by: str) -> None:
        pass

    def refit_start(self, res: ConfigResult, rows: int, estimate_s: float | None) -> None:
        """The best configuration is refitted on all ``rows`` (about ``estimate_s``)."""

    def finish(self, result: EvaluationResult) -> None:
        pass

    def interrupted(self, cancelled: int) -> None:
        pass

    def note(self, text: str) -> None:  # said as it goes: a rung sent, the budget reached
        pass


class TextProgress(Progress):
    """A log that reads well in papermill output and terminals."""

    def __init__(self, stream: Any = None):
        self.stream = stream
        self.configs = 0
        self.finished = 0
        self.started = time.perf_counter()
        self.ticker = lines.FoldTicker()

    def _print(self, text: str) -> None:
        print(text, file=self.stream or sys.stdout, flush=True)

    def start(self, *, configs: int, folds: int, tasks: int, saved: int,
              cluster: dict[str, Any], notes: list[str]) -> None:
        self.configs = configs
        self.started = time.perf_counter()
        self.ticker = lines.FoldTicker()
        self._print(f"stratum: evaluating {configs} configuration(s) x {folds} fold(s) = "
                    f"{tasks} task(s) {lines.where(cluster)}"
                    + (f"; {saved} shared prefix fit(s) saved" if saved else ""))
        if cluster.get("dashboard"):
            self._print(f"stratum: Dask dashboard {cluster['dashboard']}")
        for note in notes:
            self._print(f"stratum: {note}")

    def fold_done(self, res: ConfigResult, n_folds: int) -> None:
        if self.ticker.due(res, n_folds):
            self._print(f"  {lines.fold_line(res, n_folds)}")

    def moved(self, cluster: dict[str, Any], remaining: int) -> None:
        self._print(f"stratum: the local Dask cluster is up: the other {remaining} task(s) "
                    f"run {lines.where(cluster)}")

    def config_done(self, res: ConfigResult, board: pd.DataFrame | None, metrics: list[str],
                    select_by: str) -> None:
        self.finished += 1
        head = f"[{self.finished:>{len(str(self.configs))}}/{self.configs}] {_named(res)}"
        if res.failure is not None:
            self._print(f"{head}: FAILED {res.failure.error}")
            return
        scores = ", ".join(f"{m} {res.mean(m):.4f}±{res.std(m):.4f}" for m in metrics)
        self._print(f"{head}: {scores} ({lines.cost_text(res)})")
        for note in [*res.notes(), *([res.remark] if res.remark else [])]:
            self._print(f"{' ' * len(head)}  note: {note}")

    def refit_start(self, res: ConfigResult, rows: int, estimate_s: float | None) -> None:
        self._print(f"stratum: {lines.refit_line(res, rows, estimate_s)}")

    def finish(self, result: EvaluationResult) -> None:
        self._print(f"stratum: done: {_summary(result)}")
        for note in getattr(result.diagnostics, "notes", None) or []:  # what was left out
            self._print(f"stratum: diagnostics: {note}")

    def note(self, text: str) -> None:
        self._print(f"stratum: {text}")

    def interrupted(self, cancelled: int) -> None:
        self._print(f"stratum: interrupted; cancelled {cancelled} outstanding task(s); "
                    "the cluster stays usable")


class WidgetProgress(Progress):
    """ipywidgets: a progress bar, the dashboard link and a table that re-sorts as results
    arrive; at the end the score-spread chart (the full leaderboard is the result's own
    display)."""

    wants_board = True

    def __init__(self) -> None:
        import ipywidgets as w
        from IPython.display import display

        self.header = w.HTML()
        self.bar = w.IntProgress(min=0, max=1, value=0, description="tasks",
                                 layout=w.Layout(width="60%"))
        self.status = w.HTML()  # the latest fold, finished configuration or refit
        self.table = w.HTML()
        self.chart = w.Output()
        self.box = w.VBox([self.header, self.bar, self.status, self.table, self.chart])
        self.last_draw = 0.0
        self.ticker = lines.FoldTicker()
        display(self.box)

    def start(self, *, configs: int, folds: int, tasks: int, saved: int,
              cluster: dict[str, Any], notes: list[str]) -> None:
        link = cluster.get("dashboard")
        self.ticker = lines.FoldTicker()
        text = (f"<b>stratum</b>: {configs} configuration(s) x {folds} fold(s), "
                f"{tasks} task(s) {html.escape(lines.where(cluster))}"
                + (f", {saved} shared prefix fit(s) saved" if saved else ""))
        if link:
            text += (f' &middot; <a href="{html.escape(link, quote=True)}" '
                     'target="_blank">Dask dashboard</a>')
        text += "".join(f"<br>{html.escape(n)}" for n in notes)
        self.header.value = text
        self.bar.max = max(tasks, 1)

    def task_done(self, done: int, total: int) -> None:
        self.bar.value, self.bar.max = done, max(self.bar.max, total)

    def note(self, text: str) -> None:
        self.header.value += f"<br>{html.escape(text)}"

    def fold_done(self, res: ConfigResult, n_folds: int) -> None:
        if self.ticker.due(res, n_folds):
            self.status.value = html.escape(lines.fold_line(res, n_folds))

    def moved(self, cluster: dict[str, Any], remaining: int) -> None:
        self.header.value += (f"<br>the local Dask cluster is up: the other {remaining} "
                              f"task(s) run {html.escape(lines.where(cluster))}")

    def refit_start(self, res: ConfigResult, rows: int, estimate_s: float | None) -> None:
        self.status.value = html.escape(lines.refit_line(res, rows, estimate_s))

    def config_done(self, res: ConfigResult, board: pd.DataFrame | None, metrics: list[str],
                    select_by: str) -> None:
        if res.failure is None:
            self.status.value = html.escape(f"{_named(res)}: done, {lines.cost_text(res)}")
        now = time.perf_counter()
        if now - self.last_draw < 0.2:  # at most 5 renders a second; finish() shows the end
            return
        self.last_draw = now
        if board is not None:
            self.table.value = render_table(board, metrics, select_by)

    def finish(self, result: EvaluationResult) -> None:
        from IPython.display import HTML, display

        self.bar.value = self.bar.max
        self.status.value = ""
        self.bar.bar_style = "success" if not result.failures else "warning"
        self.table.value = f"<p>{html.escape(_summary(result))}</p>"
        if len(result.leaderboard) and (result.leaderboard["status"] == "ok").any():
            with self.chart:
                display(HTML(score_chart.chart_html(result)))

    def interrupted(self, cancelled: int) -> None:
        self.bar.bar_style = "danger"
        self.header.value += (f"<br>interrupted: cancelled {cancelled} outstanding task(s); "
                              "the cluster stays usable")
