"""The live panel widget: an anywidget that renders a :class:`~.panels.Panel` with BokehJS
and applies the panel's ops as the kernel sends them.

Why a widget rather than a Bokeh server app or ``push_notebook``: the updates travel on the
kernel's own comm channel, so the panel works wherever Jupyter widgets work (JupyterLab,
Notebook 7, VS Code, JupyterHub behind its proxy, a kernel on another machine) with no
extra port to open or proxy, no websocket-origin settings and no extra lab extension.
BokehJS itself is sent inline with the widget, so it works with no internet.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from .panels import Panel

__all__ = ["LivePanelWidget", "bokehjs_inline"]


def bokehjs_inline() -> list[str]:
    """BokehJS's core bundle as source text (what ``INLINE`` resources embed)."""
    from bokeh.resources import Resources

    return list(Resources(mode="inline", components=["bokeh"]).js_raw)


class LivePanelWidget(anywidget.AnyWidget):
    _esm = Path(__file__).with_name("live.js")
    _doc = traitlets.Unicode("").tag(sync=True)
    _bokeh_js = traitlets.List(traitlets.Unicode()).tag(sync=True)
    _bokeh_version = traitlets.Unicode("").tag(sync=True)
    _status = traitlets.Unicode("").tag(sync=True)
    running = traitlets.Bool(True).tag(sync=True)  # False once its monitor stopped

    def __init__(self, panel: Panel, status: str = "",
                 describe: Callable[[], str] | None = None, **kwargs: Any) -> None:
        """``describe``: the panel as text (its monitor's text form), the ``text/plain`` of
        the output that frontends without widgets show (a notebook viewer)."""
        import bokeh
        from bokeh.embed import json_item

        self.panel = panel
        self._describe = describe
        self._lock = threading.Lock()
        super().__init__(
            _doc=json.dumps(json_item(panel.layout)), _bokeh_js=bokehjs_inline(),
            _bokeh_version=bokeh.__version__, _status=status, **kwargs)
        self.on_msg(self._on_frontend_msg)

    def __repr__(self) -> str:
        if self._describe is not None:
            try:
                return self._describe()
            except Exception:  # a repr must not raise; the plain one then
                pass
        return object.__repr__(self)

    def push(self, ops: list[dict[str, Any]]) -> None:
        """Apply ops to the kernel-side figure and send them to every view."""
        if not ops:
            return
        with self._lock:
            self.panel.apply(ops)
            if self.comm is not None:
                self.send({"type": "ops", "ops": ops})

    def _on_frontend_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "hello":
            with self._lock:
                ops = self.panel.snapshot_ops()
                if self.comm is not None:
                    self.send({"type": "ops", "ops": ops})
