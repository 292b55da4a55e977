"""Where a ``search: bayes`` study lives: in memory, or in the run folder (``out``) as
``<out>/study.optuna.log`` (Optuna's ``JournalStorage`` on a file: no database server), so
a second run with the same folder and spec resumes it.

A study is named after the spec (its name, a digest of the searched candidates, the metric
it maximises and the seed) and the *fingerprint* of the data and folds it was scored on
(also kept in the study's user attributes): earlier trials' scores count, are shown and
inform TPE only when they were made on the same rows and folds; a study of the same spec on
other data is left as it is and a new one started, with a note saying so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STUDY_FILE = "study.optuna.log"
FOLDS_ATTR = "stratum_folds"  # a trial's fold scores, by fold (what the leaderboard shows)


@dataclass
class OpenedStudy:
    """The study, its earlier finished trials (number order) and what to say about it."""

    study: Any
    name: str
    earlier: list[Any]
    notes: list[str]
    path: Path | None


def fingerprint(X: Any, y: Any, folds: Any, metrics: Any) -> str:
    """A digest of the rows, the target, every fold's index arrays and the metrics: two
    runs with equal fingerprints score a configuration the same."""
    return _digest((X, y, [(list(map(int, tr)), list(map(int, te))) for tr, te in folds],
                    list(metrics)))


def spec_digest(sources: Any, select_by: str, random_state: int | None) -> str:
    """A digest of what the trials of a study are: the searched candidates (names,
    pipelines with their fixed parameters, grids), the metric and the seed."""
    return _digest(([(s.name, s.pipeline, _grid_key(s.grid)) for s in sources],
                    select_by, random_state))[:10]


def _digest(value: Any) -> str:
    """joblib's hash (numpy arrays and pandas frames by their bytes); cloudpickle's bytes
    for what pickle cannot take (a notebook's lambda in a FunctionTransformer)."""
    import hashlib

    import joblib

    try:
        return str(joblib.hash(value))
    except Exception:
        import cloudpickle

        return hashlib.md5(cloudpickle.dumps(value)).hexdigest()


def _grid_key(grid: Any) -> Any:
    grids = grid if isinstance(grid, list | tuple) else [grid]
    return [sorted((k, repr(v)) for k, v in (g or {}).items()) for g in grids]


def open_study(out: str | Path | None, base: str, fingerprint_: str, sampler: Any,
               pruner: Any) -> OpenedStudy:
    """The study named ``<base>-<fingerprint[:8]>``: loaded from ``<out>/study.optuna.log``
    when there, else created there (in memory without ``out``). Trials left running by an
    interrupted run are told failed. Raises nothing for a missing folder: it is made."""
    import optuna

    name = f"{base}-{fingerprint_[:8]}"
    if out is None:
        study = optuna.create_study(sampler=sampler, pruner=pruner, study_name=name,
                                    direction="maximize")
        study.set_user_attr("fingerprint", fingerprint_)
        return OpenedStudy(study, name, [], [], None)
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    path = Path(out) / STUDY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    storage = JournalStorage(JournalFileBackend(str(path)))
    names = {s.study_name: s.n_trials for s in optuna.get_all_study_summaries(
        storage, include_best_trial=False)}
    study = optuna.create_study(storage=storage, sampler=sampler, pruner=pruner,
                                study_name=name, direction="maximize", load_if_exists=True)
    notes = [_other_data_note(path, base, name, names)] if _others(base, name, names) else []
    if name not in names:
        study.set_user_attr("fingerprint", fingerprint_)
        notes.append(f"new study {name} in {path}")
        return OpenedStudy(study, name, [], notes, path)
    if study.user_attrs.get("fingerprint") != fingerprint_:  # a clash of 8 hex digits
        raise ValueError(f"study {name} in {path} was made on other data")
    earlier = [t for t in study.get_trials(deepcopy=False) if t.state.is_finished()]
    notes.extend(_fail_interrupted(study))  # they count as trials, but show nothing
    notes.append(f"resumed study {name} from {path}: {len(earlier)} earlier trials "
                 f"({_states(earlier)}), ranked here and informing TPE")
    return OpenedStudy(study, name, earlier, notes, path)


def _others(base: str, name: str, names: dict[str, int]) -> list[str]:
    return [n for n in names if n.startswith(base + "-") and n != name]


def _other_data_note(path: Path, base: str, name: str, names: dict[str, int]) -> str:
    others = ", ".join(f"{n} ({names[n]} trials)" for n in _others(base, name, names))
    return (f"{path} holds a study of this spec made on other data or folds: {others}; "
            f"its scores do not hold for these, so study {name} is used instead")


def _fail_interrupted(study: Any) -> list[str]:
    """Trials a previous run left running (it was interrupted) can never report: told
    failed, so they count as tried and TPE stops waiting on them."""
    from optuna.trial import TrialState

    stale = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    for trial in stale:
        study.tell(trial.number, state=TrialState.FAIL, skip_if_finished=True)
    return [f"{len(stale)} trials left running by an interrupted run marked failed"
            ] if stale else []


def _states(trials: list[Any]) -> str:
    counts: dict[str, int] = {}
    for trial in trials:
        counts[trial.state.name.lower()] = counts.get(trial.state.name.lower(), 0) + 1
    return ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "none"


def fold_attr(folds: dict[int, Any]) -> dict[str, Any]:
    """A trial's fold scores as a JSON user attribute (fold numbers as text)."""
    return {str(f): {"scores": dict(s.scores), "fit_time": s.fit_time,
                     "score_time": s.score_time, "errors": dict(s.errors),
                     "stopped_at": s.stopped_at}
            for f, s in sorted(folds.items())}


def folds_of(trial: Any) -> dict[int, Any]:
    """The :class:`~.tasks.FoldScore` of each fold a stored trial ran, by fold."""
    from ..tasks import FoldScore

    out = {}
    for fold, data in (trial.user_attrs.get(FOLDS_ATTR) or {}).items():
        scores = {m: (math.nan if v is None else float(v)) for m, v in data["scores"].items()}
        out[int(fold)] = FoldScore(scores, data["fit_time"], data["score_time"],
                                   0.0, {}, dict(data.get("errors") or {}),
                                   stopped_at=data.get("stopped_at"))
    return out
