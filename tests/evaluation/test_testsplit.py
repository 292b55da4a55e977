"""split_test: the held-out part, stratified, grouped or last-in-time, as scikit-learn splits
(train_test_split's parts, in its order); bad fractions and lopsided classes are DataErrors."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import GroupShuffleSplit, train_test_split

from stratum_jupyter.errors import DataError
from stratum_jupyter.evaluation.testsplit import split_test


def test_classification_is_stratified_as_train_test_split():
    y = np.array(["a"] * 30 + ["b"] * 12 + ["c"] * 8)
    train, test = split_test(len(y), 0.2, task="classification", y=y, random_state=3)
    sk_train, sk_test = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y,
                                         random_state=3)
    assert train.tolist() == sk_train.tolist() and test.tolist() == sk_test.tolist()
    assert len(test) == 10 and sorted(y[test].tolist()) == ["a"] * 6 + ["b"] * 2 + ["c"] * 2


def test_regression_is_a_shuffled_split_as_train_test_split():
    y = np.linspace(0, 1, 23)
    train, test = split_test(23, 0.3, task="regression", y=y, random_state=0)
    sk_train, sk_test = train_test_split(np.arange(23), test_size=0.3, random_state=0)
    assert train.tolist() == sk_train.tolist() and test.tolist() == sk_test.tolist()
    assert len(test) == 7  # ceil(0.3 * 23), as scikit-learn counts


def test_groups_are_never_on_both_sides():
    groups = np.repeat(np.arange(10), [3, 1, 4, 2, 5, 2, 3, 1, 2, 2])
    y = np.arange(len(groups)) % 2
    train, test = split_test(len(groups), 0.3, task="classification", y=y, groups=groups,
                             random_state=1)
    assert not set(groups[train]) & set(groups[test])
    assert len(set(groups[test])) == 3 and len(train) + len(test) == len(groups)
    sk = next(GroupShuffleSplit(1, test_size=0.3, random_state=1).split(y, y, groups))
    assert train.tolist() == sk[0].tolist() and test.tolist() == sk[1].tolist()


def test_time_ordered_holds_out_the_last_rows():
    y = np.array([0, 1] * 10)
    train, test = split_test(20, 0.25, task="classification", y=y, time_ordered=True,
                             random_state=0)
    assert train.tolist() == list(range(15)) and test.tolist() == list(range(15, 20))
    # groups do not change it: the last rows in time are the test part
    train2, test2 = split_test(20, 0.25, task="regression", groups=np.arange(20) // 4,
                               time_ordered=True)
    assert test2.tolist() == test.tolist()


def test_rows_without_a_label_are_in_neither_part():
    y = np.array([0.0, 1.0, np.nan, 0.0, 1.0, 0.0, 1.0, np.nan, 0.0, 1.0, 0.0, 1.0])
    train, test = split_test(len(y), 0.25, task="classification", y=y, random_state=0)
    labelled = np.flatnonzero(~np.isnan(y))
    assert sorted([*train, *test]) == labelled.tolist()
    # the same split as of the labelled rows alone
    t2, s2 = split_test(len(labelled), 0.25, task="classification", y=y[labelled],
                        random_state=0)
    assert labelled[t2].tolist() == train.tolist() and labelled[s2].tolist() == test.tolist()


@pytest.mark.parametrize("fraction", [0, 1, 1.5, -0.1, True, "0.2"])
def test_a_fraction_outside_0_1_is_refused(fraction):
    with pytest.raises(DataError, match=r"evaluation.test: .* \(allowed: a number in \(0, 1\)"):
        split_test(10, fraction, task="regression")


def test_too_few_rows_or_groups():
    with pytest.raises(DataError, match="evaluation.test: holding out 0.5 of 1 rows leaves "
                                        "nothing to train on"):
        split_test(1, 0.5, task="regression")
    with pytest.raises(DataError, match="of 1 groups"):
        split_test(4, 0.5, task="regression", groups=[7, 7, 7, 7])


def test_a_class_missing_from_one_side_is_refused_naming_it():
    y = np.array(["x"] * 8 + ["rare"] * 2)
    with pytest.raises(DataError, match=r"class\(es\) 'rare' out of the rest"):
        split_test(10, 0.2, task="classification", y=y, time_ordered=True)
    y = np.array(["x", "y"] * 5)
    with pytest.raises(DataError, match=r"class\(es\) 'x' out of the test part"):
        split_test(10, 0.1, task="classification", y=y, time_ordered=True)
    y = np.array(["a", "b", "c"] * 4)  # stratified: fewer test rows than classes
    with pytest.raises(DataError, match="cannot hold out 0.1 of the 12 rows"):
        split_test(12, 0.1, task="classification", y=y, random_state=0)
