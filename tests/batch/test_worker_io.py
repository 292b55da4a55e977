"""Workers that read INPUT and write the parts themselves (stratum_jupyter.batch.worker_io),
on the shared LocalCluster: the same parts as the kernel reading the chunks, row groups of
any size, and the kernel taking over a chunk a worker cannot read."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from stratum_jupyter.batch import worker_io
from stratum_jupyter.batch.api import predict_file
from stratum_jupyter.batch.sources import ChunkError, resolve

FEATURES = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]


@pytest.fixture()
def flowers(iris_rows, tmp_path):
    """The 45 iris rows four times (180 rows) as Parquet in row groups of 40 rows."""
    rows = pd.concat([iris_rows] * 4, ignore_index=True)
    rows["id"] = [f"flower-{i}" for i in range(len(rows))]
    path = tmp_path / "flowers.parquet"
    rows.to_parquet(path, row_group_size=40)
    return path, rows


def _score(bundle, given, out, client, chunk_rows, **kw):
    lines: list[str] = []
    predict_file(bundle, str(given), out, chunk_rows=chunk_rows, columns=["id"],
                 client=client, log=lines.append, **kw)
    return pd.read_parquet(out), lines


def test_workers_write_the_parts_the_kernel_would(client, iris_bundle, flowers, tmp_path):
    path, rows = flowers
    # 50-row chunks over 40-row groups: chunks start and stop inside groups
    got, lines = _score(iris_bundle, path, tmp_path / "workers", client, 50)
    assert "the workers read INPUT and write the parts themselves" in lines
    csv = tmp_path / "flowers.csv"
    rows.to_csv(csv, index=False)
    want, lines = _score(iris_bundle, csv, tmp_path / "kernel", client, 50)
    assert any("the kernel reads INPUT" in line and "CSV" in line for line in lines)
    pd.testing.assert_frame_equal(got, want)
    assert got["row"].tolist() == list(range(180)) and got["id"].tolist() == rows["id"].tolist()
    assert not list((tmp_path / "workers").glob(".*"))  # no token nor temporary left


def test_row_groups_of_many_chunks_are_read_by_the_kernel(client, iris_bundle, flowers,
                                                          tmp_path):
    path, _ = flowers
    got, lines = _score(iris_bundle, path, tmp_path / "small", client, 15)  # 40 > 2 x 15
    assert any("row groups of up to 40 rows, more than 2 chunks of 15" in line
               for line in lines)
    want, _ = _score(iris_bundle, path, tmp_path / "big", client, 60)
    pd.testing.assert_frame_equal(got, want)


def test_a_chunk_a_worker_cannot_see_is_read_by_the_kernel(client, iris_bundle, flowers,
                                                           tmp_path):
    """After the first part the workers no longer find the kernel's token in OUTPUT (as a
    worker on another machine would not): the kernel reads the rest and sends them."""
    path, _ = flowers
    out = tmp_path / "scores"

    def hide_token(index: int) -> None:
        for token in out.glob(f"{worker_io.TOKEN_PREFIX}*"):
            token.unlink()

    got, lines = _score(iris_bundle, path, out, client, 30, on_part=hide_token)
    want, _ = _score(iris_bundle, path, tmp_path / "plain", client, 30)
    pd.testing.assert_frame_equal(got, want)
    assert any(line.endswith("read by the kernel: a worker did not see INPUT or OUTPUT as "
                             "the kernel does") for line in lines)


def test_input_changed_while_scoring_stops_with_the_parts_kept(client, iris_bundle, flowers,
                                                               tmp_path):
    path, _ = flowers
    out = tmp_path / "scores"

    def touch(index: int) -> None:
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))

    with pytest.raises(ChunkError, match="changed or went away while it was being scored"):
        predict_file(iris_bundle, str(path), out, chunk_rows=30, columns=["id"],
                     client=client, log=print, on_part=touch)
    assert list(out.glob("part-*.parquet"))  # the parts written before stay


def test_probe_needs_the_same_file_and_the_token(flowers, tmp_path):
    path, _ = flowers
    source = resolve(str(path), FEATURES)
    chunks, why = worker_io.places(source, 50)
    assert why == "" and [c.rows for c in chunks] == [50, 50, 50, 30]
    assert [c.start for c in chunks] == [0, 50, 100, 150]
    shared = worker_io.Shared("parquet", (*FEATURES, "id"), str(tmp_path),
                              worker_io.token(tmp_path))
    assert worker_io.probe(shared, chunks)
    table = worker_io.read(shared, chunks[1].place)
    assert table.num_rows == 50 and table.column("id")[0].as_py() == "flower-50"
    other = worker_io.Shared("parquet", shared.columns, str(tmp_path), "not-the-token")
    assert not worker_io.probe(other, chunks)
    path.write_bytes(path.read_bytes() + b"\0")  # another file under the same name
    assert not worker_io.probe(shared, chunks)


def test_npy_chunks_by_place(tmp_path):
    X = np.arange(70, dtype=float).reshape(7, 10)
    np.save(tmp_path / "x.npy", X)
    names = [f"x{j}" for j in range(10)]
    chunks, _ = worker_io.places(resolve(str(tmp_path / "x.npy"), names), 3)
    shared = worker_io.Shared("npy", tuple(names), str(tmp_path), worker_io.token(tmp_path))
    got = np.vstack([worker_io.read(shared, c.place).to_pandas().to_numpy() for c in chunks])
    np.testing.assert_array_equal(got, X)
