"""``stratum predict`` and ``%stratum_predict``: exit codes, messages, the summary, --help."""

from __future__ import annotations

import pandas as pd
import pytest

from stratum_jupyter.cli import main


@pytest.fixture(scope="module")
def iris_csv(tmp_path_factory, iris_split):
    """The 45 iris test rows with an ``id`` column."""
    rows = iris_split[1].reset_index(drop=True)
    rows.insert(0, "id", range(len(rows)))
    path = tmp_path_factory.mktemp("iris_in") / "flowers.csv"
    rows.to_csv(path, index=False)
    return path


def test_stratum_predict_scores_on_a_scheduler_by_address(cluster, iris_bundle, iris_csv,
                                                         tmp_path, capsys):
    out = tmp_path / "scores"
    code = main(["predict", str(iris_bundle), str(iris_csv), "--out", str(out),
                 "--chunk-rows", "20", "--columns", "id",
                 "--scheduler", cluster.scheduler_address])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.strip().startswith(f"45 rows in 3 part(s) of {out}")
    assert f"on the scheduler at {cluster.scheduler_address}" in captured.err
    assert len(pd.read_parquet(out)) == 45


def test_bad_input_exits_2_with_the_message_on_stderr(iris_bundle, iris_csv, tmp_path, capsys):
    code = main(["predict", str(iris_bundle), str(iris_csv), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "stratum predict: INPUT" in err and "extra column(s) 'id'" in err
    assert main(["predict", str(tmp_path), str(iris_csv), "--out", str(tmp_path / "o")]) == 2
    assert "is not a saved model folder" in capsys.readouterr().err
    assert main(["predict", str(iris_bundle), str(iris_csv), "--out", str(tmp_path / "o"),
                 "--columns", "id", "--chunk-rows", "0"]) == 2
    assert "--chunk-rows: 0 is too small" in capsys.readouterr().err
    assert main(["predict", str(iris_bundle), str(tmp_path / "none.csv"), "--out",
                 str(tmp_path / "o")]) == 2


def test_the_magic_scores_and_binds_the_outcome(ip, client, iris_bundle, iris_csv, tmp_path,
                                                capsys):
    outcome = ip.run_line_magic(
        "stratum_predict", f"{iris_bundle} {iris_csv} --out {tmp_path / 'o'} --columns id")
    assert outcome.rows == 45 and ip.user_ns["_stratum_predict"] is outcome
    assert "scored 45 rows" in capsys.readouterr().out
    assert ip.run_line_magic("stratum_predict", "--help") is None
    assert "--chunk-rows" in capsys.readouterr().out
