""":class:`Diagnostics`: the numbers behind every diagnostic plot of an evaluation, as tidy
DataFrames (``result.diagnostics.confusion_matrix()``...), and their saved form beside the
best model (``diagnostics/*.json``, read back by :func:`load_frames` for the report).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import explain, numbers
from . import importance as imp
from .oof import OutOfFold

FOLDER = "diagnostics"
REPORT = "report.html"
# The frames of each task's plots, by name: what save() writes and the report draws.
BY_TASK = {
    "classification": ("confusion_matrix", "roc_curve", "precision_recall_curve",
                       "calibration_curve", "threshold_table"),
    "regression": ("predicted_vs_actual", "residual_distribution"),
    "clustering": ("cluster_sizes", "silhouette_by_cluster"),
}
COMMON = ("fold_spread", "importance", "importance_summary", "shap_summary")


@dataclass(frozen=True)
class Diagnostics:
    """Diagnostics of an evaluation. ``kept``: the out-of-fold predictions of the best
    configurations by label, best first (``evaluation.diagnostics.keep`` of them);
    ``spread``: every configuration's score on every fold (tidy); ``importances``: the
    permutation importance of ``best`` per column, fold and repeat; ``notes``: what was
    left out and why.

    Every method taking ``config`` (a configuration's label, as in the leaderboard's
    progress lines: ``"logreg #2"``) defaults to the best one, and raises ``KeyError``
    naming the kept labels for one whose predictions were not kept."""

    task: str
    best: str | None
    kept: dict[str, OutOfFold]
    spread: Any
    importances: Any
    pos_label: Any = None
    notes: list[str] = field(default_factory=list)
    shap: Any = None  # SHAP values of the best model (explain.shap_values), or None

    def _oof(self, config: str | None) -> OutOfFold:
        label = config or self.best
        if label not in self.kept:
            raise KeyError(f"no out-of-fold predictions kept for {label!r} (kept: "
                           f"{', '.join(self.kept) or 'none'}; evaluation.diagnostics.keep "
                           "sets how many)")
        return self.kept[label]

    def predictions(self, config: str | None = None) -> Any:
        """One row per out-of-fold prediction (:meth:`.OutOfFold.frame`)."""
        return self._oof(config).frame()

    def confusion_matrix(self, config: str | None = None) -> Any:
        return numbers.confusion_matrix(self._oof(config))

    def roc_curve(self, config: str | None = None) -> Any:
        return numbers.roc_curve(self._oof(config), self.pos_label)

    def precision_recall_curve(self, config: str | None = None) -> Any:
        return numbers.precision_recall_curve(self._oof(config), self.pos_label)

    def calibration_curve(self, config: str | None = None, n_bins: int = 10) -> Any:
        return numbers.calibration_curve(self._oof(config), self.pos_label, n_bins)

    def threshold_table(self, config: str | None = None) -> Any:
        return numbers.threshold_table(self._oof(config), self.pos_label)

    def predicted_vs_actual(self, config: str | None = None) -> Any:
        return numbers.predicted_vs_actual(self._oof(config))

    def residual_distribution(self, config: str | None = None, bins: int = 30) -> Any:
        return numbers.residual_distribution(self._oof(config), bins)

    def cluster_sizes(self, config: str | None = None) -> Any:
        return numbers.cluster_sizes(self._oof(config))

    def silhouette_by_cluster(self, config: str | None = None) -> Any:
        return numbers.silhouette_by_cluster(self._oof(config))

    def fold_spread(self) -> Any:
        """Columns ``rank``, ``config``, ``candidate``, ``fold``, ``metric``, ``value``:
        every complete configuration of the leaderboard, on every fold."""
        return self.spread

    def importance(self) -> Any:
        """Columns ``column`` (the table's own), ``fold``, ``repeat``, ``importance``."""
        return self.importances

    def importance_summary(self) -> Any:
        return imp.importance_summary(self.importances)

    def shap_values(self) -> Any:
        """Columns ``row``, ``column`` (the table's own), ``class`` ("" for one output),
        ``shap``: the refitted best model's SHAP values on a sample of the training rows,
        the values of the input columns made from one table column summed (empty without
        the optional ``shap`` package: the notes say why)."""
        return explain.empty() if self.shap is None else self.shap

    def shap_summary(self) -> Any:
        """Per column the mean absolute SHAP value (``mean_abs``), largest first."""
        return explain.summary(self.shap_values())

    def frames(self, config: str | None = None) -> dict[str, Any]:
        """Every frame of this task's plots for ``config`` (default: the best) by name."""
        names = BY_TASK.get(self.task, ()) if (config or self.best) in self.kept else ()
        return {name: getattr(self, name)(config) for name in names} | {
            name: getattr(self, name)() for name in COMMON}

    def _repr_html_(self) -> str:
        """The plots of the best configuration, BokehJS inline (a notebook output that stays
        in the saved notebook)."""
        from .report import static_html

        return static_html(self.frames(), self._about())

    def __repr__(self) -> str:
        return (f"Diagnostics(task={self.task!r}, best={self.best!r}, kept={list(self.kept)}, "
                f"importance={'yes' if len(self.importances) else 'no'})")

    def compare(self, first: str, second: str) -> Any:
        """The plots of two kept configurations side by side (an HTML output, BokehJS
        inline); the fold spread and importance, shared, are left out. KeyError naming the
        kept ones for a configuration whose predictions were not kept."""
        from IPython.display import HTML

        from .report import compare_html

        sides = []
        for label in (first, second):
            self._oof(label)  # raises for one not kept
            sides.append((label, {name: getattr(self, name)(label)
                                  for name in BY_TASK.get(self.task, ())}))
        return HTML(compare_html(sides))

    def save(self, directory: str | Path) -> Path:
        """Write :meth:`frames` of the best into ``directory/diagnostics/`` (one JSON file
        each, pandas' ``orient="table"``) with ``about.json`` (task, best, notes)."""
        folder = Path(directory) / FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):  # an earlier save's frames would be drawn too
            old.unlink()
        for name, frame in self.frames().items():
            frame.to_json(folder / f"{name}.json", orient="table", index=False,
                          double_precision=15)
        (folder / "about.json").write_text(json.dumps(self._about(), indent=1))
        return folder

    def _about(self) -> dict[str, Any]:
        return {"task": self.task, "best": self.best, "kept": list(self.kept),
                "pos_label": _plain(self.pos_label), "notes": self.notes}


def write_report(diagnostics: Diagnostics, directory: str | Path, *,
                 leaderboard: Any = None) -> Path:
    """Save ``diagnostics`` beside a saved model (``directory/diagnostics/``) and draw
    them into ``directory/report.html`` (BokehJS inline); returns the page's path."""
    from .report import page

    diagnostics.save(directory)
    frames, about = load_frames(directory)  # the page shows what was saved
    path = Path(directory) / REPORT
    path.write_text(page(frames, about, leaderboard=leaderboard), encoding="utf-8")
    return path


def load_frames(directory: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The frames :meth:`Diagnostics.save` wrote into ``directory/diagnostics`` and its
    ``about.json``; FileNotFoundError when there are none."""
    import pandas as pd

    folder = Path(directory) / FOLDER
    about = json.loads((folder / "about.json").read_text())
    frames = {path.stem: pd.read_json(path, orient="table")
              for path in sorted(folder.glob("*.json")) if path.name != "about.json"}
    return frames, about


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
