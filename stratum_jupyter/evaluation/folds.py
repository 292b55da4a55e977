"""The folds every candidate is scored on, chosen exactly as the spec says.

With ``cv: k`` and ``random_state: r``: ``StratifiedKFold(k, shuffle=True, random_state=r)``
for classification, ``KFold(k, shuffle=True, random_state=r)`` otherwise. Without
``random_state``: scikit-learn's own unshuffled defaults (``check_cv``), so the scores equal
those of ``GridSearchCV(cv=k)``. ``holdout: f`` is one stratified (or plain) shuffled split.
``cv: {Name: {params}}`` is that scikit-learn splitter (:mod:`..spec.splitters`), with
``random_state`` filled in where it shuffles; a group splitter is given the group labels
(``data.groups``).
"""

from __future__ import annotations

from typing import Any


def make_splitter(task: str, cv: Any = 5, *, random_state: int | None = None,
                  holdout: float | None = None, y: Any = None) -> Any:
    """A scikit-learn splitter for ``task``; ``cv`` may already be one (or an iterable), or
    a splitter written as spec data, ``{"TimeSeriesSplit": {"n_splits": 5}}``."""
    from sklearn import model_selection as ms

    from ..spec.splitters import build_splitter, splitter_of

    setting = splitter_of(cv)
    if setting is not None and holdout is None:
        return build_splitter(*setting, random_state=random_state)

    classification = task == "classification"
    if holdout is not None:
        cls = ms.StratifiedShuffleSplit if classification and y is not None else ms.ShuffleSplit
        return cls(n_splits=1, test_size=holdout, random_state=random_state)
    if cv is None:
        cv = 5
    if isinstance(cv, int) and random_state is not None:
        cls = ms.StratifiedKFold if classification and y is not None else ms.KFold
        return cls(n_splits=cv, shuffle=True, random_state=random_state)
    return ms.check_cv(cv, y, classifier=classification and y is not None)


def uses_groups(splitter: Any) -> bool:
    """Whether ``splitter`` splits by group labels (scikit-learn's group splitters: they
    consume ``groups`` in ``split``)."""
    from sklearn.model_selection._split import GroupsConsumerMixin

    return isinstance(splitter, GroupsConsumerMixin)


def split_indices(splitter: Any, X: Any, y: Any = None, groups: Any = None
                  ) -> list[tuple[Any, Any]]:
    """The (train, test) index arrays of every fold, computed once on the client
    (``groups``: the group labels, one per row, for a group splitter).

    scikit-learn's warning about classes with fewer rows than folds is silenced: the target
    check (:mod:`.data`) already says so in the evaluation's notes, naming the classes."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The least populated class in y", UserWarning)
        if groups is None:
            return [(train, test) for train, test in splitter.split(X, y)]
        return [(train, test) for train, test in splitter.split(X, y, groups)]


def describe(splitter: Any) -> str:
    """A short text for profiles and logs, e.g. ``StratifiedKFold(n_splits=5, ...)``."""
    return repr(splitter).replace("\n", " ")


_SHUFFLED = {"ShuffleSplit", "StratifiedShuffleSplit", "RepeatedKFold",
             "RepeatedStratifiedKFold"}


def fold_notes(splitter: Any, X: Any, order_by: str | None = None, ensemble: Any = None
               ) -> list[str]:
    """What the folds mean for a dated table (a column of datetime dtype): scored on
    shuffled (or file-order) folds, the scores reward filling gaps between known rows,
    not forecasting, so the note names ``TimeSeriesSplit`` and ``data.order_by``; a
    ``TimeSeriesSplit`` over rows that are not in order of their dates (and no
    ``order_by``) is said too, as are stacking's inner folds under time-ordered ones."""
    from sklearn.model_selection import TimeSeriesSplit

    notes = []
    if isinstance(splitter, TimeSeriesSplit) and getattr(ensemble, "method", "") == "stacking":
        # cross_val_predict needs folds that cover every row, which time-ordered ones do not
        notes.append(f"evaluation.ensemble: stacking's inner folds (cv: {ensemble.cv}) split "
                     "each training part without regard to time; the test folds stay later "
                     "than their training rows")
    return notes + _dated_notes(splitter, X, order_by)


def _dated_notes(splitter: Any, X: Any, order_by: str | None) -> list[str]:
    import pandas as pd
    from sklearn.model_selection import TimeSeriesSplit

    dated = [str(c) for c in getattr(X, "columns", ())
             if pd.api.types.is_datetime64_any_dtype(X[c])]
    if not dated:
        return []
    column = order_by if order_by in dated else dated[0]
    if isinstance(splitter, TimeSeriesSplit):
        if order_by is not None or X[column].dropna().is_monotonic_increasing:
            return []
        return [f"{describe(splitter)} takes the rows as they come, but they are not in "
                f"order of {column!r}: set data.order_by: {column} (evaluate(order_by=...)) "
                "to sort them first"]
    if uses_groups(splitter) or not hasattr(splitter, "split"):
        return []
    shuffled = type(splitter).__name__ in _SHUFFLED or bool(getattr(splitter, "shuffle",
                                                                     False))
    how = ("shuffled folds: each test row has neighbours in time among the training rows, "
           "so the scores reward filling gaps, not forecasting" if shuffled else
           "folds in row order: most test folds are scored by models trained on later rows")
    return [f"the rows are dated ({column!r}) and scored on {how} ({describe(splitter)}); "
            f"to score forecasts of later rows, use evaluation.cv: {{TimeSeriesSplit: "
            f"{{n_splits: 5}}}} with data.order_by: {column}"]


def time_ordered(splitter: Any) -> bool:
    """Whether ``splitter`` tests on rows after those it trains on (``TimeSeriesSplit``):
    a held-out test part is then the last rows, as the folds' test parts are."""
    from sklearn.model_selection import TimeSeriesSplit

    return isinstance(splitter, TimeSeriesSplit)
