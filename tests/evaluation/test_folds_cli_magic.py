"""The spec's splitter through ``stratum evaluate`` and ``%%stratum_evaluate``: the same
folds as the Python API; a bad splitter is bad input (exit 2) naming the field."""

from __future__ import annotations

import pytest

from tests.evaluation.test_splitters import _table
from tests.evaluation.test_time_ordered_co2 import CO2

SPEC = """version: 1
task: regression
data: {source: "csv:%s", target: co2, order_by: date}
evaluation: {cv: %s, metrics: [r2]}
candidates:
  - name: ridge
    steps: [{Ridge: {alpha: 1.0}}]
"""


def test_cli_evaluates_on_the_spec_splitter(tmp_path, capsys):
    from sklearn.model_selection import TimeSeriesSplit

    from stratum_jupyter.cli import main
    from tests.evaluation.test_time_ordered_co2 import _scikit_learn

    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC % (CO2, "{TimeSeriesSplit: {n_splits: 5}}"))
    js = tmp_path / "result.json"
    assert main(["evaluate", str(spec), "--display", "text", "--json", str(js)]) == 0
    import json

    (row,) = json.loads(js.read_text())["leaderboard"]
    assert abs(row["r2"] - _scikit_learn(TimeSeriesSplit(5))["ridge"]) < 1e-9
    assert "rows are in order of 'date' (data.order_by)" in capsys.readouterr().out
    spec.write_text(SPEC % (CO2, "{TimeSeriesSplt: {n_splits: 5}}"))
    assert main(["evaluate", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "evaluation.cv.TimeSeriesSplt: unknown splitter" in err
    assert "did you mean 'TimeSeriesSplit'" in err


@pytest.mark.slow
def test_magic_takes_the_groups_column_of_kernel_variables(ip):
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GroupKFold, cross_validate

    frame = _table()
    ip.user_ns["X"], ip.user_ns["y"] = frame[["a", "b", "c", "site"]], frame["value"]
    spec = ("version: 1\ntask: regression\nevaluation: {cv: {GroupKFold: {n_splits: 3}}, "
            "metrics: [r2]}\npreprocessing: none\ncandidates:\n  - name: ridge\n"
            "    steps: [{Ridge: {}}]\n")
    result = ip.run_cell_magic("stratum_evaluate", "--data X y --groups site --display none",
                               spec)
    want = cross_validate(Ridge(), frame[["a", "b", "c"]], frame["value"], scoring="r2",
                          cv=GroupKFold(3), groups=frame["site"])["test_score"].mean()
    assert abs(result.leaderboard["r2"].iloc[0] - want) < 1e-9
    assert list(result.best.model.feature_names_in_) == ["a", "b", "c"]
