"""Browser-test harness: a real ``jupyter lab`` on 127.0.0.1 driven by Debian's headless Chromium.

Fixtures (reused by every browser test of the suite; keep their interface stable):

- ``lab`` (session): a running JupyterLab (``.url``, ``.token``, ``.root_dir``,
  ``.lab_url(path)``, ``.write_notebook(name, cells, kernel)``, ``.api(path)``).
- ``browser`` (session): Playwright's Chromium on ``/usr/bin/chromium``, headless.
- ``page`` (function): a fresh page in its own context; its console errors are collected in
  ``page.console_errors``; a screenshot goes to ``test-artifacts/`` when the test fails.

Helpers live in :mod:`tests.browser.labtools`. Every test here is marked ``browser`` and is
skipped, with the reason, only when chromium is absent.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .labtools import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    Lab,
    missing_browser_reason,
    screenshot,
    start_lab,
)

_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(tryfirst=True)  # before `-m` selection, which reads the markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    reason = missing_browser_reason()
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A real ``jupyter lab`` from this venv: 127.0.0.1, free port, token, temp root dir."""
    reason = missing_browser_reason()
    if reason:
        pytest.skip(reason)
    server = start_lab(tmp_path_factory.mktemp("lab"), ARTIFACTS / "jupyter-lab.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright (never a downloaded browser)."""
    reason = missing_browser_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, lab: Lab, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page in its own browser context, sized for readable screenshots."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    try:
        yield pg
    finally:
        if request.node.stash.get(_FAILED, False):
            with contextlib.suppress(Exception):
                screenshot(pg, f"FAILED-{request.node.name}")
        context.close()
        _shut_down_kernels(lab)


def _shut_down_kernels(lab: Lab) -> None:
    """End every notebook session the test left (its kernel, and the LocalCluster a kernel
    starts after an evaluation in a live frontend): one lab serves the whole run, and idle
    kernels with their Dask workers would otherwise pile up, dozens of processes taking
    CPU and memory from every later test. In the background: a kernel may take seconds to
    stop, and the next test need not wait for it."""
    with contextlib.suppress(Exception):
        sessions = [s["id"] for s in lab.api("api/sessions")]

        def end() -> None:
            for session in sessions:
                with contextlib.suppress(Exception):
                    lab.api(f"api/sessions/{session}", method="DELETE")

        threading.Thread(target=end, name="end-lab-sessions", daemon=True).start()
