"""The user's list of deployments keeps every entry when many deploys write it at once."""

from __future__ import annotations

import multiprocessing
import threading

from stratum_jupyter.deploy import registry


def _write(base: str, worker: int, threads: int = 4, each: int = 5) -> None:
    def run(thread: int) -> None:
        for n in range(each):
            registry.remember(f"{base}/w{worker}-t{thread}-{n}",
                              {"target": "local", "url": f"http://127.0.0.1:{n}"})

    team = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for t in team:
        t.start()
    for t in team:
        t.join()


def test_concurrent_writers_lose_no_entry(tmp_path):
    """4 processes x 4 threads x 5 entries, all at once: 80 entries (without the lock, the
    read-change-write of one writer overwrites another's and entries go missing)."""
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write, args=(str(tmp_path / "d"), w)) for w in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    found = registry.deployments()
    assert len(found) == 80
    assert {d["deploy_dir"].rsplit("/", 1)[1] for d in found} == {
        f"w{w}-t{t}-{n}" for w in range(4) for t in range(4) for n in range(5)}
    assert not [p for p in registry.registry_path().parent.iterdir()
                if p.name.startswith(".deployments.json.")]  # no scratch file left behind
