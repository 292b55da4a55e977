"""The folds every candidate is scored on, chosen exactly as the spec says.

With ``cv: k`` and ``random_state: r``: ``StratifiedKFold(k, shuffle=True, random_state=r)``
for classification, ``KFold(k, shuffle=True, random_state=r)`` otherwise. Without
``random_state``: scikit-learn's own unshuffled defaults (``check_cv``), so the scores equal
those of ``GridSearchCV(cv=k)``. ``holdout: f`` is one stratified (or plain) shuffled split.
"""

from __future__ import annotations

from typing import Any


def make_splitter(task: str, cv: Any = 5, *, random_state: int | None = None,
                  holdout: float | None = None, y: Any = None) -> Any:
    """A scikit-learn splitter for ``task``; ``cv`` may already be one (or an iterable)."""
    from sklearn import model_selection as ms

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


def split_indices(splitter: Any, X: Any, y: Any = None) -> list[tuple[Any, Any]]:
    """The (train, test) index arrays of every fold, computed once on the client.

    scikit-learn's warning about classes with fewer rows than folds is silenced: the target
    check (:mod:`.data`) already says so in the evaluation's notes, naming the classes."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The least populated class in y", UserWarning)
        return [(train, test) for train, test in splitter.split(X, y)]


def describe(splitter: Any) -> str:
    """A short text for profiles and logs, e.g. ``StratifiedKFold(n_splits=5, ...)``."""
    return repr(splitter).replace("\n", " ")
