"""stratum predict on a real LocalCluster (the shared one): answers, parts, resume, refusals,
Ctrl-C."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from stratum_jupyter.batch.api import predict_file
from stratum_jupyter.batch.output import MANIFEST
from stratum_jupyter.batch.sources import BadInput, ChunkError


def _in_process(bundle, rows: pd.DataFrame):
    """The service's own Predictor in this process: the answers /predict gives."""
    from stratum_jupyter.serving.core import Predictor
    from stratum_jupyter.serving.inputs import Frame

    model = Predictor(bundle)
    records = rows[model.names].to_dict(orient="records")
    return model.runtime.predict(Frame.from_rows(records, model.features)), model


def test_a_csv_is_scored_in_parts_as_the_service_answers(client, iris_bundle, iris_csv,
                                                        iris_rows, tmp_path):
    lines: list[str] = []
    out = tmp_path / "scores"
    outcome = predict_file(iris_bundle, str(iris_csv), out, chunk_rows=10, columns=["id"],
                           client=client, log=lines.append)
    assert sorted(p.name for p in out.glob("part-*.parquet")) == [
        f"part-0000{i}.parquet" for i in range(5)]
    got = pd.read_parquet(out)  # the manifest is hidden from readers of the folder
    assert list(got.columns[:3]) == ["row", "id", "prediction"]
    assert got["row"].tolist() == list(range(45)) and got["id"].tolist() == iris_rows["id"].tolist()
    answer, model = _in_process(iris_bundle, iris_rows)
    assert got["prediction"].tolist() == answer.predictions
    proba = got[[f"proba_{c}" for c in model.runtime.classes]].to_numpy()
    np.testing.assert_array_equal(proba, answer.probabilities)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["complete"] and manifest["n_rows"] == 45 and len(manifest["parts"]) == 5
    assert outcome.rows == 45 and outcome.skipped == 0
    assert "on a LocalCluster with 2 workers" in lines[0] and "scored 45 rows" in lines[-1]
    meta = pq.ParquetFile(out / "part-00000.parquet").metadata.row_group(0)
    dictionary = {meta.column(i).path_in_schema for i in range(meta.num_columns)
                  if any("DICTIONARY" in e for e in meta.column(i).encodings)}
    assert dictionary == {"id", "prediction"}  # labels and carried values; not rows, floats


def test_a_rerun_skips_whole_parts_and_redoes_missing_or_damaged_ones(
        client, iris_bundle, iris_csv, tmp_path):
    out = tmp_path / "scores"
    predict_file(iris_bundle, str(iris_csv), out, chunk_rows=10, columns=["id"], client=client,
                 log=print)
    before = pd.read_parquet(out)
    (out / "part-00001.parquet").write_bytes(b"cut short")  # damaged: checked, not assumed
    (out / "part-00003.parquet").unlink()
    lines: list[str] = []
    redone: list[int] = []
    outcome = predict_file(iris_bundle, str(iris_csv), out, chunk_rows=10, columns=["id"],
                           client=client, log=lines.append, on_part=redone.append)
    assert sorted(redone) == [1, 3] and outcome.skipped == 3
    assert "holds 5 part(s) of an earlier run" in lines[1]
    assert "3 already written and whole, skipped" in lines[-1]
    pd.testing.assert_frame_equal(pd.read_parquet(out), before)
    with pytest.raises(BadInput, match="chunk_rows differ"):  # another run's parts
        predict_file(iris_bundle, str(iris_csv), out, chunk_rows=7, columns=["id"], client=client,
                     log=print)


def test_columns_that_do_not_match_are_refused_before_any_work(iris_bundle, iris_rows,
                                                               tmp_path):
    bad = iris_rows.drop(columns=["petal width (cm)"]).assign(colour="blue")
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(BadInput) as caught:
        predict_file(iris_bundle, str(tmp_path / "bad.csv"), tmp_path / "out", client=None)
    message = str(caught.value)
    assert "missing column(s) 'petal width (cm)'" in message
    assert "extra column(s) 'id', 'colour'" in message and "--columns" in message
    assert not (tmp_path / "out").exists()
    iris_rows.assign(**{"sepal width (cm)": "wide"}).to_parquet(tmp_path / "text.parquet")
    with pytest.raises(BadInput, match="'sepal width \\(cm\\)' holds text"):
        predict_file(iris_bundle, str(tmp_path / "text.parquet"), tmp_path / "out",
                     columns=["id"])


def test_a_refused_chunk_names_its_rows_and_the_parts_before_it_stay(client, islands_bundle,
                                                                    tmp_path):
    rows = pd.DataFrame({"mass": np.linspace(3000, 5000, 60),
                         "island": ["Biscoe", "Dream", "Torgersen"] * 20})
    rows.loc[47, "island"] = "Atlantis"
    rows.to_parquet(tmp_path / "in.parquet")
    out = tmp_path / "out"
    with pytest.raises(ChunkError) as caught:
        predict_file(islands_bundle, str(tmp_path / "in.parquet"), out, chunk_rows=20,
                     client=client, log=print)
    message = str(caught.value)
    assert message.startswith("rows 40-59: the model refused row(s) 47: row 47.island")
    assert '"Atlantis"' in message
    written = json.loads((out / MANIFEST).read_text())
    assert not written["complete"] and sorted(written["parts"]) == ["0", "1"]


def test_an_array_model_scores_npy_and_a_folder_of_parquet_parts(client, diabetes_bundle,
                                                                 tmp_path):
    from sklearn.datasets import load_diabetes

    X = load_diabetes().data[:70]
    np.save(tmp_path / "x.npy", X)
    names = [f"x{i}" for i in range(X.shape[1])]
    (tmp_path / "parts").mkdir()
    for i, (a, b) in enumerate([(0, 30), (30, 70)]):
        pd.DataFrame(X[a:b], columns=names).to_parquet(tmp_path / "parts" / f"p{i}.parquet")
    answer, _ = _in_process(diabetes_bundle, pd.DataFrame(X, columns=names))
    for given, out in [("x.npy", "o1"), ("parts", "o2")]:
        predict_file(diabetes_bundle, str(tmp_path / given), tmp_path / out, chunk_rows=25,
                     client=client, log=print)
        got = pd.read_parquet(tmp_path / out)
        assert got["row"].tolist() == list(range(70))
        assert got["prediction"].tolist() == answer.predictions
    # chunks never join files: 30 -> 25 + 5, 40 -> 25 + 15
    parts = json.loads((tmp_path / "o2" / MANIFEST).read_text())["parts"]
    assert [p["rows"] for p in parts.values()] == [25, 5, 25, 15]


def test_ctrl_c_cancels_and_keeps_the_parts_written(client, iris_bundle, iris_csv, tmp_path,
                                                    ctrl_c):
    import signal
    import time

    out = tmp_path / "scores"

    def interrupt(index: int) -> None:
        signal.raise_signal(signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        predict_file(iris_bundle, str(iris_csv), out, chunk_rows=5, columns=["id"],
                     client=client, log=print, on_part=interrupt)
    kept = json.loads((out / MANIFEST).read_text())
    assert not kept["complete"] and 1 <= len(kept["parts"]) < 9
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and client.run_on_scheduler(lambda dask_scheduler: [
            k for k in dask_scheduler.tasks if str(k).startswith("stratum-predict")]):
        time.sleep(0.2)
    outcome = predict_file(iris_bundle, str(iris_csv), out, chunk_rows=5, columns=["id"],
                           client=client, log=print)
    assert outcome.skipped == len(kept["parts"]) and outcome.rows == 45


def _serving_bundles():
    """serving's tensor and image test bundles, once the serving package reads those kinds
    (issue 24 item 7: stratum_jupyter/serving/readers.py and tests/serving/bundles.py, from
    the serving branch); skipped with that reason before."""
    why = ("the serving package has no reader of tensor/image inputs here (serving/readers.py "
           "and tests/serving/bundles.py come with the serving branch of issue 24)")
    pytest.importorskip("stratum_jupyter.serving.readers", reason=why)
    return pytest.importorskip("tests.serving.bundles", reason=why)


def test_a_folder_of_images_is_prepared_as_the_service_prepares_it(client, tmp_path):
    bundles = _serving_bundles()
    from stratum_jupyter.serving.core import Predictor

    bundle = bundles.onnx_digits(tmp_path / "model", kind="image")
    X, _ = bundles.digits()
    (tmp_path / "images").mkdir()
    encoded = [bundles.png(x) for x in X[:30]]
    for i, data in enumerate(encoded):
        (tmp_path / "images" / f"digit-{i:03d}.png").write_bytes(data)
    predict_file(bundle, str(tmp_path / "images"), tmp_path / "out", chunk_rows=8,
                 client=client, log=print)
    got = pd.read_parquet(tmp_path / "out")
    assert got["file"].tolist() == [f"digit-{i:03d}.png" for i in range(30)]
    model = Predictor(bundle)
    online = model.answer(model.reader.images(encoded))  # what /predict answers for them
    assert got["prediction"].tolist() == online.predictions
    np.testing.assert_array_equal(got[[f"proba_{c}" for c in range(10)]].to_numpy(),
                                  online.probabilities)
    (tmp_path / "images" / "digit-030.png").write_bytes(b"not an image")
    with pytest.raises(ChunkError, match=r"rows 24-30: row 30 \(digit-030.png\): not an "):
        predict_file(bundle, str(tmp_path / "images"), tmp_path / "out2", chunk_rows=8,
                     client=client, log=print)


def test_a_tensor_model_scores_a_npy_of_instances(client, tmp_path):
    bundles = _serving_bundles()
    from stratum_jupyter.serving.core import Predictor

    bundle = bundles.onnx_digits(tmp_path / "model", kind="tensor")
    X, _ = bundles.digits()
    np.save(tmp_path / "x.npy", X[:50])
    predict_file(bundle, str(tmp_path / "x.npy"), tmp_path / "out", chunk_rows=20,
                 client=client, log=print)
    got = pd.read_parquet(tmp_path / "out")
    model = Predictor(bundle)
    online = model.answer(model.reader.from_columns({"image": X[:50]}))
    assert got["row"].tolist() == list(range(50))
    assert got["prediction"].tolist() == online.predictions
    np.save(tmp_path / "wrong.npy", X[:5, :4])
    with pytest.raises(BadInput, match=r"shape \[5, 4, 8, 1\]; .* takes \['N', 8, 8, 1\]"):
        predict_file(bundle, str(tmp_path / "wrong.npy"), tmp_path / "o2")
