"""``%stratum_monitor``: live panels of the kernel, the Dask workers, the GPUs and deployed
services; under papermill (or with no live frontend) a record and a static figure. A shell
over :mod:`stratum_jupyter.commands.monitor`."""

from __future__ import annotations

from IPython.core.magic import Magics, line_magic, magics_class

from ._util import parse_line, user_errors


@magics_class
class MonitorMagics(Magics):
    @line_magic
    @user_errors
    def stratum_monitor(self, line: str = "") -> None:
        """Monitor CPU, GPU and memory of the kernel, the Dask workers and deployed services.

        With no source named: the kernel, plus the workers of the current Dask client and
        the GPUs when there are any. Running the cell again replaces its monitor; a
        stopped kernel stops its monitors. The monitor is bound to ``_stratum_monitor``.
        """
        from ..commands import monitor as command
        from ..monitor.api import cell_key, has_live_frontend

        args = parse_line(self.stratum_monitor, line)
        if args.stop:
            return _stop_all()
        monitor = command.run(args, record=args.record, log=print,
                              key=cell_key(self.shell, line))
        if monitor is None:
            return None
        monitor.live = has_live_frontend(self.shell)
        self.shell.user_ns["_stratum_monitor"] = monitor
        monitor.start()
        if monitor.live:
            from ..monitor.api import attach_widget

            attach_widget(monitor)
            return None
        if args.duration is None:
            where = f" to {monitor.recorder.path}" if monitor.recorder else ""
            print(f"no live frontend: recording{where} every {args.interval:g} s until the "
                  "kernel ends (%stratum_monitor --stop to stop)")
            print(monitor.text())  # what it watches and the first values, as text
            return None
        monitor.wait()
        monitor.stop()
        command.report(monitor, print)
        monitor.display_static()
        return None


def _stop_all() -> None:
    """Stop every monitor of this kernel; show what the headless, open-ended ones recorded."""
    from ..monitor.session import active_monitors

    monitors = active_monitors()
    for monitor in monitors:
        monitor.stop()
        print(f"stopped {monitor.key}: {monitor.summary()}")
        if not monitor.live and monitor.ticks:
            monitor.display_static()
    if not monitors:
        print("no monitor is running")
