"""``profile()``: the one function behind ``stratum profile`` and ``%stratum_profile``.

It measures the model's prediction service under each configuration of the grid, writes
``results.csv`` (and ``results.parquet`` where pyarrow is installed) and ``profile.html``
into ``out``, records a summary (and, with a goal, the rightsizing) in the model bundle's
``profile.json``, and returns a :class:`ProfileResult`.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..bundle.sizing import Goal, Rightsizing, write_rightsizing
from .grid import Config, ProfileError, format_size
from .measure import ROW_COLUMNS, Load, measure
from .rightsizing import choose, recommendation_of

__all__ = ["ProfileResult", "profile"]

Log = Callable[[str], None]


@dataclass
class ProfileResult:
    """What a profile measured: ``table`` (a pandas DataFrame, one row per configuration,
    columns :data:`~.measure.ROW_COLUMNS`; paced re-measurements have ``rate_rps`` set),
    ``runner`` (``docker`` or ``local``) and how it limited the service, the ``rightsizing``
    (None without a goal), and the files written."""

    table: Any
    runner: str
    runner_detail: str
    out: Path
    files: dict[str, Path]
    rightsizing: Rightsizing | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def recommendation(self) -> Any:
        return self.rightsizing.recommendation if self.rightsizing else None

    def figure(self) -> Any:
        from .plots import figure

        return figure(self.table, goal=self.rightsizing.goal if self.rightsizing else None)

    def html(self) -> str:
        """The figure and notes as a notebook output (BokehJS inline)."""
        from .plots import static_html

        return static_html(self.figure(), f"stratum profile ({self.runner})", self.notes)

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return (f"ProfileResult(runner={self.runner!r}, configurations={len(self.table)}, "
                f"out={str(self.out)!r})")


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _write_table(rows: list[dict[str, Any]], out: Path) -> tuple[Any, dict[str, Path]]:
    import pandas as pd

    table = pd.DataFrame(rows, columns=list(ROW_COLUMNS))
    files = {"csv": out / "results.csv"}
    table.to_csv(files["csv"], index=False)
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return table, files
    files["parquet"] = out / "results.parquet"
    table.to_parquet(files["parquet"], index=False)
    return table, files


def _summary(table: Any, runner: str, out: Path, model_dir: Path) -> dict[str, Any]:
    ok = table[(table["status"] == "ok") & table["rate_rps"].isna()]
    best = ok.sort_values("p99_ms").head(1).to_dict(orient="records")
    return {"measured_with": runner, "measured_at": _now(),
            "table": os.path.relpath(out / "results.csv", model_dir),
            "configurations": int(table["rate_rps"].isna().sum()),
            "failed": int(((table["status"] != "ok") & table["rate_rps"].isna()).sum()),
            "lowest_p99": {k: best[0][k] for k in ("cpus", "memory_bytes", "threads",
                                                    "max_batch", "batch_wait_ms", "p99_ms",
                                                    "throughput_rps")} if best else None,
            "grid": _grid(table)}


def _grid(table: Any) -> list[dict[str, Any]]:
    """Every measured configuration (the closed-loop rows) with its figures, as profile.json
    keeps them: limits, server settings, latency (ms), throughput (requests/s), host CPU (%
    of one core) and peak memory (bytes) of the container or process, status and error."""
    from ..bundle.save import profile_json

    keep = ["cpus", "memory_bytes", "threads", "batch_size", "concurrency", "max_batch",
            "batch_wait_ms", "status", "error", "requests", "throughput_rps", "p50_ms",
            "p95_ms", "p99_ms", "cpu_percent", "peak_memory_bytes"]
    rows = table[table["rate_rps"].isna()][keep].to_dict(orient="records")
    return list(json.loads(profile_json(rows)))


def _record_serving(model_dir: Path, configs: list[Config], sizing: Rightsizing) -> None:
    """Where the grid measured adaptive batching, the recommended batching becomes the
    bundle's ``serving`` block (what the service and so every deploy target starts with)."""
    from ..bundle.save import profile_json

    rec = sizing.recommendation
    if rec is None or all(c.max_batch == 1 for c in configs):
        return
    path = model_dir / "profile.json"
    data = json.loads(path.read_text("utf-8"))
    data["serving"] = {"max_batch": rec.max_batch, "batch_wait_ms": rec.batch_wait_ms}
    path.write_text(profile_json(data), "utf-8")


def _record(model_dir: Path, summary: dict[str, Any]) -> None:
    from ..bundle.save import profile_json

    path = model_dir / "profile.json"
    data = json.loads(path.read_text("utf-8"))
    data["resource_profile"] = summary
    path.write_text(profile_json(data), "utf-8")


def _read_profile(model_dir: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((model_dir / "profile.json").read_text("utf-8")))
    except FileNotFoundError:
        raise ProfileError(f"model_dir: {model_dir} is not a model bundle (no profile.json)"
                           ) from None


def _samples(model_dir: Path, log: Log = print) -> tuple[str, list[Any]]:
    """What each request sends: ``("rows", the profile's sample_rows)``, or for a tensor or
    image model ``("instances", its sample_instances)`` (those of a model of several inputs,
    kept as one list per input, made one object per instance, as ``/predict`` takes them);
    an image model whose images were too large to keep as instances is sent PNGs
    (``{"b64": ...}``) of its recorded size, said to ``log``."""
    data = _read_profile(model_dir)
    if data.get("sample_rows"):
        return "rows", list(data["sample_rows"])
    instances = data.get("sample_instances") or []
    image = (data.get("input_schema") or {}).get("image")
    if not instances and isinstance(image, dict):
        from .images import png_instances

        log(f"{model_dir}/profile.json keeps no sample instances (its images are too large): "
            f"sending PNGs of {image.get('width')}x{image.get('height')} pixels")
        return "instances", png_instances(image)
    if isinstance(instances, dict):
        names = list(instances)
        instances = [dict(zip(names, values, strict=True))
                     for values in zip(*(instances[n] for n in names), strict=True)]
    if not instances:
        raise ProfileError(f"model_dir: {model_dir}/profile.json has no sample_rows or "
                           "sample_instances to send")
    return "instances", list(instances)


def profile(model_dir: str | Path, out: str | Path, configs: list[Config], *,
            load: Load | None = None, goal: Goal | None = None, runner: str = "auto",
            base_image: str | None = None, record: bool = True, log: Log = print
            ) -> ProfileResult:
    """Measure the service of ``model_dir`` under each of ``configs`` and write the results
    into ``out`` (see the module's doc). ``runner``: ``auto``, ``docker`` or ``local``;
    ``base_image``: build the Docker image on this one (offline engines); ``record``: write
    the summary and rightsizing into the bundle's profile.json."""
    from .runners import choose_runner

    model_dir, out, load = Path(model_dir), Path(out), load or Load()
    key, rows = _samples(model_dir, log)
    name = str(_read_profile(model_dir).get("name") or model_dir.name)
    if runner not in ("auto", "docker", "local"):
        raise ProfileError(f"runner: {runner!r} is not a runner (allowed: auto, docker, local)")
    out.mkdir(parents=True, exist_ok=True)
    chosen = choose_runner(runner, model_dir, out, base_image=base_image, log=log)
    log(f"profiling {len(configs)} configuration(s) with {chosen.describe()}")
    results = []
    for config in configs:
        row = measure(chosen, config, rows, load, key)
        results.append(row)
        log(_line(row))
    notes = [f"runner: {chosen.describe()}"]
    sizing = None
    if goal is not None:
        sizing, checks = _rightsize(chosen, results, (key, rows), load, goal, model_dir,
                                    out, log)
        results.extend(checks)
        notes.append(_goal_line(sizing))
    for row in results:
        row["model"] = name
    table, files = _write_table(results, out)
    result = ProfileResult(table=table, runner=chosen.name, runner_detail=chosen.describe(),
                           out=out, files=files, rightsizing=sizing, notes=notes)
    files["html"] = out / "profile.html"
    from .plots import page

    files["html"].write_text(page(result.figure(), f"stratum profile of {model_dir.name}",
                                  notes), "utf-8")
    if record:
        _record(model_dir, _summary(table, chosen.name, out, model_dir))
        if sizing is not None:
            write_rightsizing(model_dir, sizing)
            _record_serving(model_dir, configs, sizing)
    log(f"wrote {', '.join(str(p) for p in files.values())}")
    return result


def _rightsize(chosen: Any, results: list[dict[str, Any]], samples: tuple[str, list[Any]],
               load: Load, goal: Goal, model_dir: Path, out: Path, log: Log
               ) -> tuple[Rightsizing, list[dict[str, Any]]]:
    paced = Load(duration=max(load.duration, 2.0),
                 max_requests=max(load.max_requests, int(goal.rps * load.duration) + 1),
                 warmup=load.warmup, rate=goal.rps, timeout=load.timeout)

    def remeasure(config: Config) -> dict[str, Any]:
        log(f"checking {config.label()} at {goal.rps:g} requests/s")
        return measure(chosen, config, samples[1], paced, samples[0])

    row, checks = choose(results, goal, remeasure)
    sizing = Rightsizing(goal=goal, recommendation=recommendation_of(row) if row else None,
                         measured_with=chosen.name, measured_at=_now(),
                         table=os.path.relpath(out / "results.csv", model_dir),
                         extra={"checked_at_rps": [
                             {k: c.get(k) for k in ("cpus", "memory_bytes", "threads",
                                                    "max_batch", "batch_wait_ms", "status",
                                                    "p99_ms", "throughput_rps")}
                             for c in checks]})
    log(_goal_line(sizing))
    return sizing, checks


def _goal_line(sizing: Rightsizing) -> str:
    goal, rec = sizing.goal, sizing.recommendation
    want = f"p99 <= {goal.p99_ms:g} ms at {goal.rps:g} requests/s"
    if rec is None:
        return (f"no measured configuration meets {want}: none is recommended (measure "
                "more CPUs or memory, or relax the goal)")
    return (f"recommended for {want}: cpus {rec.cpus:g}, memory "
            f"{format_size(rec.memory_bytes)}, threads {rec.threads}{_batching(rec)} "
            f"(p99 {rec.p99_ms or 0:.1f} "
            f"ms under load, {rec.throughput_rps or 0:.0f} requests/s measured; confirmed at "
            f"{goal.rps:g} requests/s)")


def _batching(values: Any) -> str:
    """``, max batch 8 (wait 2 ms)`` where adaptive batching is on, else nothing."""
    get = values.get if isinstance(values, dict) else lambda k: getattr(values, k)
    size = int(get("max_batch") or 1)
    return f", max batch {size} (wait {float(get('batch_wait_ms') or 0):g} ms)" \
        if size > 1 else ""


def _line(row: dict[str, Any]) -> str:
    config = (f"cpus {row['cpus']:g}, memory {format_size(int(row['memory_bytes']))}, "
              f"threads {row['threads']}, batch {row['batch_size']}, "
              f"clients {row['concurrency']}{_batching(row)}")
    if row["status"] != "ok":
        return f"  {config}: FAILED: {row['error']}"
    return (f"  {config}: p50 {row['p50_ms']:.1f} ms, p99 {row['p99_ms']:.1f} ms, "
            f"{row['throughput_rps']:.0f} requests/s, CPU {row['cpu_percent'] or 0:.0f}%, "
            f"peak memory {format_size(int(row['peak_memory_bytes'] or 0))}")
