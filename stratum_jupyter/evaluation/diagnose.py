"""The executor's side of the diagnostics (``stratum_jupyter.diagnostics``): which
configurations keep their out-of-fold predictions, the permutation importance tasks of the
best one, and the :class:`Diagnostics` put together at the end.

Memory stays bounded: the workers send every configuration's test-part responses back with
its scores, but once a configuration is complete only the ``keep`` best keep theirs (and
none is dropped before an ensemble has used them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .results import ConfigResult, _sort_key, best_result

if TYPE_CHECKING:
    from ..diagnostics.result import Diagnostics
    from .prepare import EvaluationPlan


def settings(plan: EvaluationPlan) -> Any:
    """``evaluation.diagnostics`` of the plan's spec (the defaults without one)."""
    from ..spec.diagnostics import DiagnosticsSpec

    spec = plan.spec
    return spec.evaluation.diagnostics if spec is not None else DiagnosticsSpec()


def keeps_predictions(plan: EvaluationPlan) -> bool:
    """Whether fold tasks send their test-part responses back (ensembles, diagnostics)."""
    return plan.ensemble is not None or settings(plan).keep > 0


# importance: auto computes the importance when it is expected to add at most this share.
AUTO_SHARE = 0.10


class Diagnose:
    """Keeps the out-of-fold predictions of the best ``keep`` configurations as results come
    in (:meth:`done`), submits the importance tasks of the best (:meth:`start`) and builds
    the :class:`Diagnostics` (:meth:`finish`)."""

    def __init__(self, plan: EvaluationPlan):
        self.plan, self.settings = plan, settings(plan)
        self.holding: list[ConfigResult] = []
        self.importance: dict[int, Any] = {}  # fold -> future or value
        self.best: ConfigResult | None = None
        self.client: Any = None
        self.notes: list[str] = []

    def done(self, res: ConfigResult) -> None:
        """``res`` is complete (or failed): keep its predictions only among the best."""
        if self.plan.ensemble is not None and not res.config.members:
            return  # the ensemble, evaluated after every single one, needs them
        self._keep(res)

    def release(self, results: list[ConfigResult]) -> None:
        """After the ensemble: only the best ``keep`` hold their predictions."""
        self.holding = []
        for res in results:
            self._keep(res)

    def _keep(self, res: ConfigResult) -> None:
        complete = res.failure is None and len(res.folds) == self.plan.n_folds
        if complete and self.settings.keep > 0 and any(
                s.predictions is not None for s in res.folds.values()):
            self.holding.append(res)
        else:
            _drop(res)
        if len(self.holding) > self.settings.keep:
            worst = max(self.holding, key=self._key)
            self.holding.remove(worst)
            _drop(worst)

    def _key(self, res: ConfigResult) -> tuple[int, int, float, int]:
        return _sort_key(res.mean(self.plan.select_by), res.config.index, res.config.rung)

    def start(self, results: list[ConfigResult], client: Any, graph: Any) -> None:
        """Submit the best configuration's importance tasks, one per fold, to the cluster
        (``graph``: its data there), or note them to run here (no graph)."""
        p = self.plan
        self.best = best_result(results, p.select_by, p.n_folds)
        if self.settings.importance is False or self.best is None or not p.refit:
            return  # refit=False: no model is chosen, and no fit beyond the folds
        if self.settings.importance == "auto":
            skipped = self._too_costly(results)
            if skipped:
                self.notes.append(skipped)
                return
        from ..diagnostics.importance import fold_importance, fold_seed

        args = (self.best.config.pipeline, p.scorers[p.select_by], self.settings.n_repeats)
        for fold in range(p.n_folds):
            seed = fold_seed(p.random_state, fold)
            if graph is None:
                self.importance[fold] = (p.X, p.y, p.folds[fold], *args, seed)
                continue
            self.client = client
            self.importance[fold] = client.submit(
                fold_importance, graph.X, graph.y, graph.folds[fold], *args, seed,
                pure=False, priority=-2, key=f"stratum-importance-{fold}-{graph.run}")
            graph.futures.append(self.importance[fold])

    def _too_costly(self, results: list[ConfigResult]) -> str:
        """Why ``importance: auto`` leaves the importance out ("" to compute it): its
        expected cost (per fold, a fit of the whole pipeline and a prediction per column and
        repeat, as the folds took them) above :data:`AUTO_SHARE` of the evaluation's work."""
        assert self.best is not None
        p, folds = self.plan, list(self.best.folds.values())
        columns = p.X.shape[1] if hasattr(p.X, "shape") and len(p.X.shape) > 1 else 1
        predictions = columns * self.settings.n_repeats
        cost = sum(f.fit_time + f.score_time / max(len(p.metrics), 1) * predictions
                   for f in folds)
        prefixes = {(k, n): t for r in results for n, f in r.folds.items()
                    for k, t in f.prefix_times.items()}
        work = sum(f.own_time for r in results for f in r.folds.values()) \
            + sum(prefixes.values())
        if cost <= AUTO_SHARE * work:
            return ""
        return (f"permutation importance left out: about {cost:.1f} s of work ({columns} "
                f"columns x {self.settings.n_repeats} repeats on {len(folds)} folds), more "
                f"than {AUTO_SHARE:.0%} of the evaluation's {work:.1f} s; "
                "evaluation.diagnostics.importance: true computes it")

    def finish(self, results: list[ConfigResult], best: Any = None) -> Diagnostics:
        """The importance tasks' results, everything kept and the SHAP values of the refitted
        ``best`` (:class:`Best`; where shap is installed), as :class:`Diagnostics`."""
        from ..diagnostics.importance import fold_importance, importance_frame
        from ..diagnostics.result import Diagnostics

        found = {fold: (fold_importance(*job) if isinstance(job, tuple) else job.result())
                 for fold, job in self.importance.items()}
        notes = [*self.notes, *(f"importance fold {fold}: {value['error']}"
                                for fold, value in found.items() if "error" in value)]
        kept = self._kept(results)
        label = None if self.best is None else self.best.config.label
        if self.settings.keep and label is not None and label not in kept:
            notes.append(f"the out-of-fold predictions of {label} were not kept")
        shap, shap_notes = self._shap(best, results)
        return Diagnostics(self.plan.task, label, kept, spread_frame(
            results, self.plan.select_by, self.plan.n_folds, list(self.plan.metrics)),
            importance_frame(found), self._pos_label(kept), [*notes, *shap_notes], shap)

    def _shap(self, best: Any, results: list[ConfigResult]) -> tuple[Any, list[str]]:
        """SHAP values of the refitted best model on a sample of the training rows (with
        ``shap: auto`` within :data:`AUTO_SHARE` of the evaluation's work)."""
        if best is None or self.plan.task == "clustering" or self.settings.shap is False:
            return None, []
        from ..diagnostics.explain import shap_values

        work = sum(f.own_time for r in results for f in r.folds.values())
        return shap_values(best.model, self.plan.X, self.settings.shap,
                           self.plan.random_state, budget_s=AUTO_SHARE * work)

    def _kept(self, results: list[ConfigResult]) -> dict[str, Any]:
        from ..diagnostics.oof import OutOfFold

        p = self.plan
        held = sorted((r for r in results if r.failure is None and len(r.folds) == p.n_folds
                       and all(s.predictions is not None for s in r.folds.values())),
                      key=self._key)[:self.settings.keep]
        return {r.config.label: OutOfFold.collect(
            p.folds, {f: s.predictions or {} for f, s in r.folds.items()}, p.y) for r in held}

    def _pos_label(self, kept: dict[str, Any]) -> Any:
        from .scoring import default_pos_label

        # the scorers' positive class: evaluate(pos_label=...), else the spec's, else the default
        given = self.plan.pos_label
        classes = next((list(o.classes) for o in kept.values() if o.classes), [])
        if given is not None or len(classes) != 2:
            return given
        return default_pos_label(classes)


def _drop(res: ConfigResult) -> None:
    for score in res.folds.values():
        score.predictions = None


def spread_frame(results: list[ConfigResult], select_by: str, n_folds: int,
                 metrics: list[str]) -> Any:
    """Every complete configuration's fold scores, tidy, in the leaderboard's order:
    ``rank``, ``config``, ``candidate``, ``fold``, ``metric``, ``value``."""
    import pandas as pd

    complete = sorted((r for r in results if r.failure is None and len(r.folds) >= n_folds),
                      key=lambda r: _sort_key(r.mean(select_by), r.config.index))
    rows = [{"rank": rank, "config": r.config.label, "candidate": r.config.candidate,
             "fold": fold, "metric": metric, "value": score.scores[metric]}
            for rank, r in enumerate(complete, 1) for fold, score in sorted(r.folds.items())
            for metric in metrics]
    return pd.DataFrame(rows, columns=["rank", "config", "candidate", "fold", "metric",
                                       "value"])
