"""What an evaluation produced: per-fold scores, the leaderboard, failures, the best model."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import EvaluationError
from .plan import Config
from .tasks import FoldScore


@dataclass(frozen=True)
class Failure:
    """A configuration that raised (on any fold), with the worker-side traceback."""

    candidate: str
    params: dict[str, Any]
    fold: int | None
    step: str
    error: str
    traceback: str

    def __str__(self) -> str:
        where = f"fold {self.fold}" if self.fold is not None else "refit"
        return f"{self.candidate} {self.params or ''} ({self.step}, {where}): {self.error}"


@dataclass
class Best:
    """The best configuration, refitted on all the data (on the rest when a test part is
    held out: ``EvaluationResult.test`` scores this very model)."""

    candidate: str
    params: dict[str, Any]
    metrics: dict[str, Any]  # {"mean": {m: v}, "std": {m: v}, "folds": {m: [v, ...]}}
    model: Any
    fit_time_s: float | None
    members: tuple[str, ...] = ()  # an ensemble's: the configurations it joins
    # Configurations ranked above this one that cannot label new rows (no predict:
    # AgglomerativeClustering, DBSCAN...), so were not refitted and saved.
    passed_over: tuple[str, ...] = ()

    def predict(self, X: Any) -> Any:
        return self.model.predict(X)

    @property
    def label(self) -> str:
        """``forest n_estimators=100, max_depth=None``: the candidate and its parameters by
        their short names (``params`` keeps the pipeline keys ``set_params`` takes)."""
        from .paramnames import params_text

        described = params_text(self.params)
        return self.candidate if described == "-" else f"{self.candidate} {described}"

    @classmethod
    def of(cls, res: ConfigResult, metrics: list[str], model: Any, fit_time_s: float,
           passed_over: tuple[str, ...] = ()) -> Best:
        """The refitted ``model`` of ``res``, with its cross-validation scores and times."""
        folds = [res.folds[f] for f in sorted(res.folds)]
        return cls(res.config.candidate, res.config.params,
                   {"mean": {m: res.mean(m) for m in metrics},
                    "std": {m: res.std(m) for m in metrics},
                    "folds": {m: res.fold_values(m) for m in metrics},
                    "fit_time_s": [f.fit_time for f in folds],
                    "score_time_s": [f.score_time for f in folds]},
                   model, fit_time_s, res.config.members, passed_over)


@dataclass
class ConfigResult:
    """Everything known about one configuration so far."""

    config: Config
    folds: dict[int, FoldScore] = field(default_factory=dict)
    failure: Failure | None = None
    # Why an adaptive search or the time budget stopped it before all its folds were in
    # ("pruned after 2 folds", ...): ranked after the complete ones, never selected.
    stopped: str = ""
    # What an adaptive search says of it, shown as leaderboard columns in this order
    # (bayes: {"trial": the study's trial number, "state": complete | pruned | failed}).
    search: dict[str, Any] = field(default_factory=dict)
    # How its scores were had, where not by fitting its folds (bayes: "the models of trial
    # 3 ..."): shown in the leaderboard's notes.
    remark: str = ""

    def mean(self, metric: str) -> float:
        """The mean over the folds; NaN when the metric is NaN on any fold (as scikit-learn's
        ``GridSearchCV`` with ``error_score=nan``): a mean over fewer folds would not be
        comparable with the others, and NaN ranks last. The folds' own values are kept in
        ``fold_values``/``fold_scores``, and :meth:`notes` says why."""
        values = self.fold_values(metric)
        return float(sum(values) / len(values)) if values else math.nan

    def std(self, metric: str) -> float:
        import numpy as np

        values = self.fold_values(metric)
        return float(np.std(values)) if values else math.nan

    def fold_values(self, metric: str) -> list[float]:
        return [self.folds[f].scores[metric] for f in sorted(self.folds)]

    def notes(self) -> list[str]:
        """Why a metric is NaN, one line per metric and reason: ``"roc_auc NaN on fold 2:
        ..."`` (folds counted from 0)."""
        by_reason: dict[tuple[str, str], list[int]] = {}
        for fold in sorted(self.folds):
            for metric, reason in self.folds[fold].errors.items():
                by_reason.setdefault((metric, reason), []).append(fold)
        return [f"{metric} NaN on fold{'s' if len(folds) > 1 else ''} "
                f"{', '.join(map(str, folds))}: {reason}"
                for (metric, reason), folds in by_reason.items()]


def _sort_key(score: float, index: int, rung: int = 0) -> tuple[int, int, float, int]:
    """Higher is better; NaN (and failures) last; ties keep the grid order, as sklearn's.
    Successive halving ranks a higher rung (more resources) first, as its best is chosen
    among the last rung's configurations."""
    return (-rung, 1, 0.0, index) if math.isnan(score) else (-rung, 0, -score, index)


def _order(res: ConfigResult, select_by: str) -> tuple[int, int, float, int]:
    return _sort_key(res.mean(select_by), res.config.index, res.config.rung)


def continued(results: list[ConfigResult]) -> set[int]:
    """The configurations an adaptive search ran again at a higher rung (their later
    result stands for them in the leaderboard)."""
    return {r.config.origin for r in results if r.config.origin is not None}


def labels_new_rows(res: ConfigResult) -> bool:
    """Whether the configuration's model can label rows it was not fitted on (has
    ``predict``): the kind a bundle serves. AgglomerativeClustering, DBSCAN, OPTICS,
    SpectralClustering... only label the rows they fit."""
    pipeline = res.config.pipeline  # None: not known (nothing says it cannot)
    return pipeline is None or hasattr(pipeline, "predict")


def final_name(pipeline: Any) -> str:
    """The class name of a pipeline's final estimator (or of the estimator itself)."""
    steps = getattr(pipeline, "steps", None)
    return type(steps[-1][1] if steps else pipeline).__name__


def _complete(results: list[ConfigResult], n_folds: int) -> list[ConfigResult]:
    return [r for r in results
            if r.failure is None and not r.stopped and len(r.folds) >= n_folds]


def best_result(results: list[ConfigResult], select_by: str, n_folds: int
                ) -> ConfigResult | None:
    """The best configuration that can label new rows (:func:`labels_new_rows`: the one
    refitted and saved) among those with all ``n_folds`` folds in and no failure, by the
    leaderboard's order (so the one the leaderboard ranks first once all are in, unless
    that one has no ``predict``); None when there is none or every score is NaN."""
    complete = [r for r in _complete(results, n_folds) if labels_new_rows(r)]
    scored = [r for r in complete if not math.isnan(r.mean(select_by))]
    if not scored:
        return None
    return min(scored, key=lambda r: _order(r, select_by))


def passed_over(results: list[ConfigResult], best: ConfigResult, select_by: str,
                n_folds: int) -> tuple[str, ...]:
    """The labels of the complete configurations ranked above ``best`` that cannot label
    new rows (so ``best`` is saved instead), best first."""
    key = _order(best, select_by)
    above = [r for r in _complete(results, n_folds) if not labels_new_rows(r)
             and _order(r, select_by) < key]
    above.sort(key=lambda r: _order(r, select_by))
    return tuple(r.config.label for r in above)


def unsaved_reason(results: list[ConfigResult], n_folds: int) -> str:
    """Why no model is saved although configurations completed: none can label new rows
    ("" when that is not the case)."""
    complete = _complete(results, n_folds)
    if not complete or any(labels_new_rows(r) for r in complete):
        return ""
    names = ", ".join(sorted({final_name(r.config.pipeline) for r in complete}))
    return (f"no configuration can label new rows ({names}: no predict), so none is "
            "saved for serving; add a clusterer with predict (KMeans, GaussianMixture, "
            "Birch...) to save one")


@dataclass(frozen=True)
class EvaluationResult:
    """The outcome of :func:`stratum_jupyter.evaluate`, complete when built.

    ``leaderboard`` (DataFrame, best first), ``fold_scores`` (one row per configuration and
    fold), ``failures`` (list of :class:`Failure`), ``best`` (:class:`Best`, refitted on all
    data, or on the rest with a held-out ``test`` part; None when every configuration
    failed or ``refit=False``), ``save(dir)``. ``timing`` holds seconds (``wall_s``,
    ``cv_wall_s``, ``unique_work_s``) and counts; ``cluster`` describes where it ran.
    ``X``/``y`` are the training data (for the bundle's profile; the rest, with a ``test``
    part); ``test``: the held-out part's rows, split and scores (see ``docs/spec.md``);
    ``diagnostics``: the numbers behind the diagnostic plots as DataFrames
    (:class:`stratum_jupyter.diagnostics.Diagnostics`; None with ``diagnostics: false``).
    """

    results: list[ConfigResult]
    metrics: list[str]
    select_by: str
    task: str
    n_folds: int
    splitter: str
    spec: Any = None
    best: Best | None = None
    failures: list[Failure] = field(default_factory=list)
    X: Any = field(default=None, repr=False)
    y: Any = field(default=None, repr=False)
    timing: dict[str, Any] = field(default_factory=dict)
    cluster: dict[str, Any] = field(default_factory=dict)
    tracking: dict[str, Any] = field(default_factory=dict)  # MLflow's runs (tracking.py)
    # The held-out part (evaluation.test): {"rows", "split", "scores": {metric: value},
    # "notes": {metric: why NaN}}; {} without one. X and y are then the rest.
    test: dict[str, Any] = field(default_factory=dict)
    unsaved: str = ""  # why no model is saved though some completed (unsaved_reason)
    # The numbers behind the diagnostic plots (stratum_jupyter.diagnostics.Diagnostics);
    # None with evaluation.diagnostics: false.
    diagnostics: Any = field(default=None, repr=False)

    @functools.cached_property
    def leaderboard(self) -> Any:
        from .leaderboard import leaderboard_frame, with_test_scores

        frame = leaderboard_frame(self.results, self.metrics, self.select_by)
        return with_test_scores(frame, self.metrics, self.test.get("scores"))

    @property
    def fold_scores(self) -> Any:
        import pandas as pd

        rows = []
        for res in self.results:
            for fold, score in sorted(res.folds.items()):
                rung = {} if res.config.resources is None else {
                    "rung": res.config.rung, "resources": res.config.resources}
                rows.append({"candidate": res.config.candidate, "params": res.config.params,
                             "config": res.config.index, **rung, "fold": fold, **score.scores,
                             "fit_time": score.fit_time, "score_time": score.score_time,
                             "notes": "; ".join(f"{m}: {e}" for m, e in score.errors.items())})
        return pd.DataFrame(rows)

    @property
    def best_model(self) -> Any:
        return None if self.best is None else self.best.model

    def save(self, directory: str | Path) -> Path | None:
        """Write the best model's bundle (PRODUCT.md section 5) into ``directory``, with the
        diagnostics (``diagnostics/*.json``) and their ``report.html``; None,
        saying why and writing nothing, when no configuration can label new rows
        (:attr:`unsaved`). EvaluationError when every configuration failed."""
        from ..bundle import save_bundle

        if self.best is None and self.unsaved:
            print(f"stratum: nothing saved to {directory}: {self.unsaved}")
            return None
        if self.best is None:
            raise EvaluationError("no best model to save: every configuration failed "
                                  "(see .failures) or the evaluation ran with refit=False")
        if self.X is None:
            raise EvaluationError("the training data is not available to profile the model")
        spec = self.spec.to_dict() if hasattr(self.spec, "to_dict") else self.spec
        saved = save_bundle(
            self.best.model, directory, X=self.X, y=self.y, task=self.task, spec=spec,
            candidate=self.best.candidate, params=self.best.params, metrics=self.best.metrics,
            select_by=self.select_by, fit_time_s=self.best.fit_time_s,
            leaderboard=self.leaderboard_for_csv(),
            extra={"cv": {"splitter": self.splitter, "n_folds": self.n_folds},
                   "evaluation": dict(self.timing),
                   **({"test": dict(self.test)} if self.test else {}),
                   **({"ensemble": {"members": list(self.best.members)}}
                      if self.best.members else {})},
        )
        if self.diagnostics is not None:  # diagnostics/*.json and report.html beside it
            from ..diagnostics.result import write_report

            write_report(self.diagnostics, directory, leaderboard=self.leaderboard_for_csv())
        return saved

    def leaderboard_for_csv(self) -> Any:
        board = self.leaderboard.copy()
        board["params"] = board["params"].map(_params_text)
        return board

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``: the leaderboard, the best configuration, failures."""
        frame = self.leaderboard_for_csv()
        # Scores as they are (to_json would round them to 10 digits); NaN as None (null).
        board = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        return {
            "task": self.task, "metrics": self.metrics, "select_by": self.select_by,
            "n_folds": self.n_folds, "splitter": self.splitter,
            "leaderboard": board,
            "best": None if self.best is None else {
                "candidate": self.best.candidate, "params": _jsonable(self.best.params),
                "members": list(self.best.members),
                "passed_over": list(self.best.passed_over),
                "metrics": self.best.metrics, "fit_time_s": self.best.fit_time_s},
            "failures": [{"candidate": f.candidate, "params": _jsonable(f.params),
                          "fold": f.fold, "step": f.step, "error": f.error,
                          "traceback": f.traceback} for f in self.failures],
            "timing": self.timing, "cluster": self.cluster,
            **({"tracking": self.tracking} if self.tracking else {}),
            **({"test": self.test} if self.test else {}),
            **({"unsaved": self.unsaved} if self.unsaved else {}),
        }

    def __repr__(self) -> str:
        from .display import leaderboard_text

        return leaderboard_text(self)

    def _repr_html_(self) -> str:
        from .display import leaderboard_html

        return leaderboard_html(self)


def _params_text(params: dict[str, Any]) -> str:
    from .paramnames import plain

    return ", ".join(f"{k}={plain(v)!r}" for k, v in params.items())


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in params.items():
        out[k] = v if isinstance(v, str | int | float | bool) or v is None else repr(v)
    return out
