"""Subsamples of a fold's training part for successive halving's ``n_samples`` resource.

A subsample respects the folds as the splitter does (the test part is never touched):

- time-ordered folds (``TimeSeriesSplit``, ``data.order_by``): the latest rows of the
  training part, so a model never learns from rows after the ones it leaves out nor, as
  before, after the test part;
- group splitters: whole groups, drawn at random until the rows are reached (a group is
  never split, and the training part holds no group of the test part by construction);
- classification: stratified, every class of the training part kept with at least one row
  (scikit-learn #20775: a rung of one class cannot be scored);
- otherwise: rows drawn at random.

Positions are within the training part, sorted (the rows keep their order).
"""

from __future__ import annotations

import math
from typing import Any


def rows_for(train: Any, size: int, *, y: Any = None, groups: Any = None,
             time_ordered: bool = False, classification: bool = False,
             seed: int | None = None) -> Any:
    """``size`` positions (about ``size`` for whole groups: at least it) within the
    training indices ``train`` (an int array into the data), as the module says; all of
    them when ``size`` is not less than the training part."""
    import numpy as np

    train = np.asarray(train)
    n = len(train)
    if size >= n:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    if time_ordered:
        order = np.argsort(train, kind="stable")  # the latest rows: the largest indices
        return np.sort(order[n - size:])
    if groups is not None:
        return _whole_groups(np.asarray(groups)[train], size, rng)
    if classification and y is not None:
        return _stratified(np.asarray(y)[train], size, rng)
    return np.sort(rng.choice(n, size=size, replace=False))


def _whole_groups(labels: Any, size: int, rng: Any) -> Any:
    import numpy as np

    names, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    order = rng.permutation(len(names))
    enough = int(np.searchsorted(np.cumsum(counts[order]), size)) + 1
    chosen = np.zeros(len(names), dtype=bool)
    chosen[order[:enough]] = True
    return np.flatnonzero(chosen[inverse])


def _stratified(labels: Any, size: int, rng: Any) -> Any:
    """Each class's share of ``size`` (largest remainders), at least one row a class."""
    import numpy as np

    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    size = max(size, len(classes))
    exact = counts * size / counts.sum()
    take = np.maximum(np.floor(exact).astype(int), 1)
    for c in np.argsort(-(exact - np.floor(exact)), kind="stable"):
        if take.sum() >= size:
            break
        if take[c] < counts[c]:
            take[c] += 1
    take = np.minimum(take, counts)
    out = [rng.choice(np.flatnonzero(inverse == c), size=int(k), replace=False)
           for c, k in enumerate(take)]
    return np.sort(np.concatenate(out))


def min_rows(n_classes: int, n_splits: int, largest: int) -> int:
    """``min_resources: auto`` for ``n_samples``: twice the rows needed for one of every
    class in every fold (scikit-learn's "smallest": ``2 * n_splits`` rows, times the
    classes), and at least 100 rows (or all of them): a first rung of a few dozen rows
    ranks configurations by noise and favours those that do well on tiny samples
    (scikit-learn #31608)."""
    floor = 2 * n_splits * max(n_classes, 1)
    return min(max(floor, 100), largest)


def schedule(n_candidates: int, factor: float, low: int, high: int) -> list[int]:
    """The resources of each rung, anchored at ``high`` (the last rung always runs on the
    full resources, so its scores are those of a grid: no ``exhaust`` trap, #27422), each
    rung ``factor`` times fewer down to no less than ``low``; as many rungs as it takes to
    get below ``factor`` candidates (scikit-learn's count), fewer when ``low`` allows fewer."""
    needed = 1 + (int(math.floor(math.log(n_candidates, factor) + 1e-9))
                  if n_candidates > 1 else 0)
    possible = 1 + (int(math.floor(math.log(high / low, factor) + 1e-9))
                    if high > low else 0)
    rungs = max(1, min(needed, possible))
    return [max(int(round(high / factor ** (rungs - 1 - k))), 1) for k in range(rungs)]
