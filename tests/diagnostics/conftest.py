"""Fixtures of the diagnostics tests: evaluations run in this process (the in_process
fixture of tests/evaluation), and the folds an evaluation used, read back from its
out-of-fold predictions."""

import numpy as np

from tests.evaluation.conftest import in_process  # noqa: F401 (a fixture, shared)


def folds_of(oof):
    """The (train, test) positions of each fold, as the evaluation made them."""
    everything = np.sort(oof.rows)
    out = []
    for f in np.unique(oof.fold):
        test = np.sort(oof.rows[oof.fold == f])
        out.append((np.setdiff1d(everything, test), test))
    return out


def oof_order(expected, oof):
    """``expected`` (in the table's row order, as cross_val_predict gives it) in the order
    of the out-of-fold predictions."""
    return np.asarray(expected)[oof.rows]
