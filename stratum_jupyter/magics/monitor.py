"""``%stratum_monitor``: live panels of the kernel, the Dask workers, the GPUs and deployed
services; under papermill (or with no live frontend) a record and a static figure."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from ._util import user_errors


@magics_class
class MonitorMagics(Magics):
    @magic_arguments()
    @argument("--kernel", action="store_true",
              help="The kernel's host (CPU per core, memory) and process tree.")
    @argument("--workers", action="store_true",
              help="The Dask workers of the current distributed.Client (or --scheduler, or "
                   "$STRATUM_SCHEDULER): CPU, memory, tasks per worker.")
    @argument("--gpu", action="store_true",
              help="NVIDIA GPUs through NVML: utilisation, memory, temperature, power.")
    @argument("--services", nargs="+", metavar="DIR|URL", default=[],
              help="Deployed services: deploy bundle directories (with deploy.json) or base "
                   "URLs; their /metrics, and their containers' docker stats.")
    @argument("--scheduler", metavar="ADDR",
              help="Watch the workers of the Dask scheduler at this address.")
    @argument("--interval", type=float, default=1.0, metavar="S",
              help="Seconds between samples (default 1).")
    @argument("--window", type=float, default=120.0, metavar="S",
              help="Seconds of history the live panels show (default 120).")
    @argument("--record", metavar="FILE",
              help="Also record every sample to FILE (.csv or .parquet): time, source, "
                   "entity, metric, value.")
    @argument("--duration", type=float, metavar="S",
              help="Stop after S seconds. Without a live frontend (papermill) the cell "
                   "records for S seconds, then shows a static figure.")
    @argument("--stop", action="store_true",
              help="Stop every monitor of this kernel (without a live frontend: and show "
                   "the static figure of what they recorded).")
    @line_magic
    @user_errors
    def stratum_monitor(self, line: str = "") -> Any:
        """Monitor CPU, GPU and memory of the kernel, the Dask workers and deployed services.

        With no source named: the kernel, plus the workers of the current Dask client and
        the GPUs when there are any. Running the cell again replaces its monitor; a
        stopped kernel stops its monitors. The monitor is bound to ``_stratum_monitor``.
        """
        from ..monitor.api import cell_key, has_live_frontend, make_samplers
        from ..monitor.session import Monitor, active_monitors, check_timing

        args = parse_argstring(self.stratum_monitor, line)
        if args.stop:
            monitors = active_monitors()
            for monitor in monitors:
                monitor.stop()
                print(f"stopped {monitor.key}: {monitor.summary()}")
                if not monitor.live and monitor.ticks:
                    monitor.display_static()  # what a headless, open-ended run recorded
            if not monitors:
                print("no monitor is running")
            return None
        check_timing(args.interval, args.window, args.duration)
        if args.record:
            from ..monitor.recording import check_record_path

            check_record_path(args.record)
        samplers = make_samplers(kernel=args.kernel, workers=args.workers, gpu=args.gpu,
                                 services=args.services, scheduler=args.scheduler)
        monitor = Monitor(samplers, interval=args.interval, window=args.window,
                          record=args.record, duration=args.duration,
                          key=cell_key(self.shell, line))
        for note in monitor.notes:
            print(note)
        if not monitor.samplers:
            monitor.stop()
            print("nothing to monitor")
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
            return None
        monitor.wait()
        monitor.stop()
        print(monitor.summary())
        for what, error in monitor.errors.items():
            print(f"warning: {what}: {error}")
        monitor.display_static()
        return None
