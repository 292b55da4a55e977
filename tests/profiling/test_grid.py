"""The grid's units and order, and the mistakes it names."""

import pytest

from stratum_jupyter.profiling.grid import (
    Config,
    ProfileError,
    expand,
    format_size,
    parse_duration_ms,
    parse_size,
    size_key,
)


def test_sizes_and_durations():
    assert parse_size("512m") == 512 * 2**20
    assert parse_size("1g") == parse_size("1GiB") == 2**30
    assert parse_size("1.5g") == 3 * 2**29
    assert parse_size(str(64 * 2**20)) == 64 * 2**20
    assert format_size(2**30) == "1g" and format_size(512 * 2**20) == "512m"
    assert parse_duration_ms("50ms") == 50.0 == parse_duration_ms("0.05s")
    assert parse_duration_ms("20") == 20.0


@pytest.mark.parametrize("bad, option", [("lots", "--memory"), ("1m", "--memory")])
def test_bad_sizes_name_the_option(bad, option):
    with pytest.raises(ProfileError, match=option):
        parse_size(bad)


def test_bad_duration():
    with pytest.raises(ProfileError, match="--slo-p99.*not a duration"):
        parse_duration_ms("soon")


def test_the_grid_is_every_combination_smallest_first():
    configs = expand(cpus=["1", "0.5"], memory=["1g", "256m"], threads=[2], batch_size=[1],
                     concurrency=[4])
    assert [(c.cpus, format_size(c.memory_bytes)) for c in configs] == [
        (0.5, "256m"), (0.5, "1g"), (1.0, "256m"), (1.0, "1g")]
    assert configs == sorted(configs, key=size_key)
    assert size_key(Config(1, 2**30)) < size_key(Config(2, 2**28))  # fewer CPUs first


def test_grid_mistakes():
    with pytest.raises(ProfileError, match="--cpus: '-1' must be above zero"):
        expand(cpus=["-1"], memory=["1g"], threads=[1], batch_size=[1], concurrency=[1])
    with pytest.raises(ProfileError, match="--threads: 'x' is not an integer"):
        expand(cpus=["1"], memory=["1g"], threads=["x"], batch_size=[1], concurrency=[1])
    with pytest.raises(ProfileError, match="at most 64"):
        expand(cpus=list(range(1, 9)), memory=["1g", "2g", "3g"], threads=[1, 2, 3],
               batch_size=[1], concurrency=[1])


def test_adaptive_batching_is_a_dimension_of_the_grid():
    configs = expand(cpus=["1"], memory=["1g"], threads=[2], batch_size=[1], concurrency=[8],
                     max_batch=["1,8"], batch_wait_ms=["2", "5"])
    # no batching is measured once (a wait means nothing without it), then each wait
    assert [(c.max_batch, c.batch_wait_ms) for c in configs] == [(1, 0.0), (8, 2.0), (8, 5.0)]
    assert "max_batch=8 wait=2ms" in configs[1].label()
    assert "max_batch" not in configs[0].label()
    assert expand(cpus=["0.5,1"], memory=["256m,1g"], threads=["1,2"], batch_size=[1],
                  concurrency=[1]) == expand(cpus=["0.5", "1"], memory=["256m", "1g"],
                                             threads=[1, 2], batch_size=[1], concurrency=[1])


@pytest.mark.parametrize("field, values, message", [
    ("max_batch", ["0"], "--max-batch: '0' must be above zero"),
    ("max_batch", ["many"], "--max-batch: 'many' is not an integer"),
    ("batch_wait_ms", ["-1"], r"--batch-wait-ms: '-1' is out of range \(0 to 10000 ms\)"),
    ("batch_wait_ms", ["20000"], "--batch-wait-ms: '20000' is out of range"),
])
def test_batching_mistakes_name_the_option(field, values, message):
    with pytest.raises(ProfileError, match=message):
        expand(cpus=["1"], memory=["1g"], threads=[1], batch_size=[1], concurrency=[1],
               **{field: values, **({"max_batch": ["8"]} if field != "max_batch" else {})})
