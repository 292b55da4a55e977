"""Tools for browser tests: start a real JupyterLab, drive its notebooks from Playwright.

Used through the fixtures of ``tests/browser/conftest.py``; test modules import the helpers
from here (``from tests.browser.labtools import open_notebook, run_cell``).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("STRATUM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("STRATUM_TEST_ARTIFACTS", REPO / "test-artifacts"))
START_TIMEOUT_S = 90
VISIBLE_NB = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def missing_browser_reason() -> str | None:
    """Why browser tests cannot run here (no chromium), or None when they can."""
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return (f"chromium not found at {CHROMIUM} (install it with "
                "`bash scripts/system-deps.d/20-browser.sh`, or set STRATUM_CHROMIUM)")
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab server started by the test session."""

    url: str  # ends with "/"
    token: str
    root_dir: Path
    process: subprocess.Popen = field(repr=False)
    log_path: Path

    def lab_url(self, path: str = "", workspace: str | None = None) -> str:
        """The URL of the lab UI, optionally opening ``path`` (under the root dir) in a fresh
        named workspace (no tabs restored from earlier pages)."""
        tree = f"tree/{path}" if path else ""
        if workspace:
            return f"{self.url}lab/workspaces/{workspace}/{tree}?reset&token={self.token}"
        return f"{self.url}lab/{tree}?token={self.token}"

    def api(self, path: str, method: str = "GET", body: Any = None) -> Any:
        """Call the server's REST API (``api/...``) with the token; returns parsed JSON."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None

    def write_notebook(self, name: str, cells: Sequence[str] = (),
                       kernel: str = "python3") -> Path:
        """Write a notebook of code cells under the root dir, on the given kernelspec."""
        import nbformat
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_kernel_spec(kernel)
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
        nb.metadata["kernelspec"] = {"name": kernel, "display_name": spec.display_name,
                                     "language": spec.language}
        path = self.root_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        return path

    def read_notebook(self, name: str) -> Any:
        import nbformat

        return nbformat.read(self.root_dir / name, as_version=4)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# User settings for a quiet, deterministic lab: no kernel-choice dialog, no news prompt,
# every cell in the DOM (no windowed rendering of long notebooks).
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"autoStartDefaultKernel": True,
                                               "windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
}


def _write_settings(settings_dir: Path) -> None:
    for plugin, values in SETTINGS.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def start_lab(base: Path, log_path: Path) -> Lab:
    """Start ``jupyter lab`` from this venv on 127.0.0.1 (free port, token auth, root dir and
    config/runtime/workspace/settings dirs under ``base``) and wait until it answers."""
    root = base / "root"
    root.mkdir(parents=True, exist_ok=True)
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(base / "config"),
           "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
           "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
           "PYTHONUNBUFFERED": "1"}
    # The venv's bin first: kernels and `jupyter` subcommands come from this environment.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    _write_settings(base / "settings")
    token = secrets.token_hex(16)
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.news_url=", "--LabApp.collaborative=False",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        cmd.append("--allow-root")
    with log_path.open("w") as log:
        process = subprocess.Popen(cmd, cwd=root, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    lab = Lab(f"http://127.0.0.1:{port}/", token, root, process, log_path)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {process.returncode}:\n"
                               + log_path.read_text()[-4000:])
        with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
            lab.api("api/status")
            return lab
        time.sleep(0.3)
    lab.stop()
    raise RuntimeError(f"jupyter lab did not answer within {START_TIMEOUT_S}s:\n"
                       + log_path.read_text()[-4000:])


def screenshot(page: Any, name: str, locator: Any = None) -> Path:
    """Save a PNG under ``test-artifacts/`` (of ``locator`` if given, else the page)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    path = ARTIFACTS / f"{safe}.png"
    (locator or page).screenshot(path=str(path))
    return path


def wait_kernel_idle(page: Any, timeout_ms: int = 90_000) -> None:
    """Wait until the visible notebook's kernel is connected and idle."""
    page.wait_for_function(
        """(sel) => {
            const el = document.querySelector(sel + ' .jp-Notebook-ExecutionIndicator');
            return !!el && el.getAttribute('data-status') === 'idle';
        }""",
        arg=VISIBLE_NB, timeout=timeout_ms,
    )


def open_notebook(page: Any, lab: Lab, name: str, cells: Sequence[str] | None = None,
                  kernel: str = "python3") -> Any:
    """Open notebook ``name`` in the lab (writing it first when ``cells`` is given), wait
    for its kernel, and return the notebook panel locator."""
    if cells is not None:
        lab.write_notebook(name, cells, kernel)
    page.goto(lab.lab_url(name, workspace=f"w{secrets.token_hex(4)}"))
    panel = page.locator(VISIBLE_NB)
    panel.locator(".jp-Cell").first.wait_for()
    wait_kernel_idle(page)
    return panel


def notebook_cells(page: Any) -> Any:
    """The cells of the visible notebook."""
    return page.locator(f"{VISIBLE_NB} .jp-Notebook .jp-Cell")


def select_cell(page: Any, index: int) -> Any:
    """Select cell ``index`` in command mode (no editor focus). Right after a notebook
    opens, JupyterLab may still replace the cells' nodes (its windowed rendering): a node
    found detached is looked up again."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(5):
        cell = notebook_cells(page).nth(index)
        try:
            cell.scroll_into_view_if_needed(timeout=10_000)
            cell.locator(".jp-InputArea-prompt").click(timeout=10_000)
            return cell
        except PlaywrightError:
            if attempt == 4:
                raise
            page.wait_for_timeout(500)
    raise AssertionError("unreachable")


def run_cell(page: Any, index: int, timeout_ms: int = 120_000) -> Any:
    """Run cell ``index`` of the visible notebook (menu Run > Run Selected Cell and Do not
    Advance: independent of keyboard focus) and wait until it has finished; returns the
    cell locator."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    cell = select_cell(page, index)
    prompt = cell.locator(".jp-InputArea-prompt")
    before = prompt.inner_text().strip()
    started = """([el, before]) => { const t = el.textContent.trim();
        return t !== before && /\\[(\\*|\\d+)\\]/.test(t); }"""
    # Right after a notebook opens, the command can be refused (the notebook is not yet the
    # current widget); the prompt then stays as it was, so asking again is safe.
    for _attempt in range(5):
        menu_command(page, "Run", "notebook:run-cell")
        try:
            page.wait_for_function(started, arg=[prompt.element_handle(), before],
                                   timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")  # a refused menu item leaves its menu open
            select_cell(page, index)
    # The prompt becomes "[*]:" while queued/running and "[n]:" once done.
    page.wait_for_function(
        """([el, before]) => { const t = el.textContent.trim();
            return /\\[\\d+\\]/.test(t) && t !== before; }""",
        arg=[prompt.element_handle(), before], timeout=timeout_ms,
    )
    wait_kernel_idle(page, timeout_ms)
    return cell


def menu_command(page: Any, menu: str, command: str) -> None:
    """Click main-menu ``menu`` and its item running ``command`` (a command id)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').first.click()


def add_cell(page: Any, source: str) -> int:
    """Append a code cell holding ``source`` to the visible notebook; returns its index.
    The text is inserted whole, so editor auto-closing cannot alter it."""
    select_cell(page, notebook_cells(page).count() - 1)
    before = notebook_cells(page).count()
    toolbar = page.locator(f"{VISIBLE_NB} .jp-NotebookPanel-toolbar")
    toolbar.locator('[data-command="notebook:insert-cell-below"]').click()
    page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n",
                           arg=[f"{VISIBLE_NB} .jp-Notebook .jp-Cell", before])
    index = notebook_cells(page).count() - 1
    notebook_cells(page).nth(index).locator(".cm-content").click()
    page.keyboard.insert_text(source)
    page.keyboard.press("Escape")
    return index


def cell_output_text(page: Any, index: int) -> str:
    return notebook_cells(page).nth(index).locator(".jp-OutputArea").inner_text()


def run_command(page: Any, label: str) -> None:
    """Run a command by its label through the command palette."""
    page.keyboard.press("Control+Shift+C")
    palette = page.locator(".lm-CommandPalette-input")
    palette.fill(label)
    page.locator(".lm-CommandPalette-item", has_text=label).first.click()


# The figures BokehJS built, read from its own documents: the name of each plot.
BOKEH_FIGURES_JS = """() => {
    const names = [];
    for (const doc of (window.Bokeh ? window.Bokeh.documents : [])) {
        for (const model of doc.all_models) {
            if (model.type === 'Figure' && model.name) names.push(model.name);
        }
    }
    return names.sort();
}"""


def wait_stable_kernel(lab: Lab, name: str, timeout_s: float = 90) -> None:
    """Wait until notebook ``name`` has one kernel that stayed the same for 2 s (a kernel
    restart or a frontend that starts one late has settled)."""
    kernel, since, deadline = None, time.monotonic(), time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ids = [s["kernel"]["id"] for s in lab.api("api/sessions") if s["path"] == name]
        current = ids[0] if len(ids) == 1 else None
        if current != kernel:
            kernel, since = current, time.monotonic()
        elif kernel and time.monotonic() - since > 2.0:
            return
        time.sleep(0.25)
    raise AssertionError(f"no kernel for {name}")
