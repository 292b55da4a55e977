"""Deployed services: their Prometheus-text ``/metrics`` endpoint (PRODUCT.md section 6)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..deploy.record import read_record, record_path
from .base import MonitorError, Sample, Sampler

__all__ = ["Service", "ServiceSampler", "resolve_service"]

# Raw samples kept per scrape, beyond the derived metrics: enough for any small service,
# bounded so that a service exporting thousands of series cannot flood a record.
MAX_RAW_SAMPLES = 200


@dataclass(frozen=True)
class Service:
    """A service to watch: a short name, its base URL, and its container if it has one."""

    name: str
    url: str
    container: str | None = None


def resolve_service(target: str | Path) -> Service:
    """A deploy bundle directory (with ``deploy.json``) or a base URL, as a :class:`Service`."""
    text = str(target)
    if text.startswith(("http://", "https://")):
        parts = urlsplit(text)
        if not parts.hostname:
            raise MonitorError(f"--services: {text!r} is not a valid URL (allowed: "
                               "http://HOST:PORT or a deploy bundle directory)")
        return Service(parts.netloc, text.rstrip("/"))
    path = Path(text)
    if not path.is_dir():
        raise MonitorError(f"--services: {text!r} is neither a deploy bundle directory nor a "
                           "URL (allowed: a directory holding deploy.json, or http://HOST:PORT)")
    try:
        data = read_record(path)
    except FileNotFoundError:
        raise MonitorError(f"--services: {text!r} has no deploy.json, so it was not deployed "
                           "yet: run %stratum_deploy ... --apply (or --build) first, or pass "
                           "the service's URL") from None
    except (OSError, ValueError) as exc:
        raise MonitorError(f"--services: {record_path(path)} is not valid JSON: {exc}"
                           ) from None
    url = data.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise MonitorError(f"--services: {record_path(path)} has no \"url\" of the service "
                           f"(found {url!r}; expected \"http://HOST:PORT\")")
    container = data.get("container")
    return Service(path.resolve().name, url.rstrip("/"),
                   container if isinstance(container, str) else None)


class ServiceSampler(Sampler):
    """Scrapes ``URL/metrics`` each tick.

    Derived metrics, named the same for every service: ``up`` (1 when the scrape
    succeeded), ``scrape_ms``, ``cpu_percent`` (rate of ``process_cpu_seconds_total``),
    ``rss_bytes`` (``process_resident_memory_bytes``), ``requests_per_s`` (rate of the
    counters named ``*request*``, else of the first histogram's count) and ``latency_ms``
    (mean over the tick, from the first histogram in seconds); both leave out requests to
    ``/metrics`` and ``/health`` (labelled ``endpoint``, ``path``, ``route`` or
    ``handler``), which monitoring makes itself. Raw counter and gauge samples follow,
    as ``name{label="v"}``.

    ``token``: the service's bearer token, sent with each scrape; by default the one this
    environment configures (``$STRATUM_SERVICE_TOKEN``, or the file
    ``$STRATUM_SERVICE_TOKEN_FILE`` names), as for ``stratum status``. A service that
    refuses it (401) reads as ``up`` 0.
    """

    source = "service"

    def __init__(self, service: Service | str, *, timeout: float = 2.0,
                 token: str | None = None) -> None:
        self.service = service if isinstance(service, Service) else resolve_service(service)
        self.timeout = timeout
        self.token = token if token is not None else _configured_token()
        self._last: dict[str, tuple[float, float]] = {}  # counter -> (value, monotonic)

    def describe(self) -> str:
        return f"service: {self.service.name} at {self.service.url}/metrics"

    def sample(self, now: float) -> list[Sample]:
        import urllib.request

        name = self.service.name
        start = time.monotonic()
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            with urllib.request.urlopen(urllib.request.Request(
                    f"{self.service.url}/metrics", headers=headers),
                    timeout=self.timeout) as response:
                text = response.read().decode("utf-8", "replace")
            families = _parse(text)
        except Exception:  # down, restarting, or not Prometheus text: report, keep going
            return [self._row(now, name, "up", 0)]
        mono = time.monotonic()
        rows = [self._row(now, name, "up", 1),
                self._row(now, name, "scrape_ms", 1000.0 * (mono - start))]
        rows += self._derived(now, mono, families)
        rows += self._raw(now, families)
        return rows

    def _derived(self, now: float, mono: float, families: list) -> list[Sample]:
        name = self.service.name
        values = {s.name: s.value for f in families for s in f.samples if not s.labels}
        rows = []
        cpu = self._rate("cpu", values.get("process_cpu_seconds_total"), mono)
        rows.append(self._row(now, name, "cpu_percent", None if cpu is None else 100.0 * cpu))
        rows.append(self._row(now, name, "rss_bytes", values.get("process_resident_memory_bytes")))
        histogram = next((f for f in families if f.type == "histogram"
                          and (f.name.endswith("_seconds") or "latency" in f.name)), None)
        counters = [f for f in families if f.type == "counter" and "request" in f.name]
        if counters:  # a labelled counter has no samples until its first request: 0
            requests = sum(s.value for f in counters for s in f.samples
                           if s.name.endswith("_total") and _served(s))
        elif histogram is not None:
            requests = sum(s.value for s in histogram.samples
                           if s.name.endswith("_count") and _served(s))
        else:
            requests = None
        rate = self._rate("requests", requests, mono)
        rows.append(self._row(now, name, "requests_per_s", rate))
        latency = None
        if histogram is not None:
            total = sum(s.value for s in histogram.samples
                        if s.name.endswith("_sum") and _served(s))
            count = sum(s.value for s in histogram.samples
                        if s.name.endswith("_count") and _served(s))
            d_sum = self._delta("latency_sum", total)
            d_count = self._delta("latency_count", count)
            if d_sum is not None and d_count:
                latency = 1000.0 * d_sum / d_count
        rows.append(self._row(now, name, "latency_ms", latency))
        return rows

    def _raw(self, now: float, families: list) -> list[Sample]:
        rows = []
        for family in families:
            for s in family.samples:
                if family.type in ("histogram", "summary") and not s.name.endswith(
                        ("_sum", "_count")):
                    continue  # buckets and quantiles: the derived latency covers them
                if s.name.endswith("_created"):
                    continue
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
                rows.append(self._row(now, self.service.name,
                                      f"{s.name}{{{labels}}}" if labels else s.name, s.value))
                if len(rows) >= MAX_RAW_SAMPLES:
                    return rows
        return rows

    def _rate(self, key: str, value: float | None, mono: float) -> float | None:
        if value is None:
            return None
        last = self._last.get(key)
        self._last[key] = (value, mono)
        if last is None or value < last[0] or mono <= last[1]:  # first reading, or a restart
            return None
        return (value - last[0]) / (mono - last[1])

    def _delta(self, key: str, value: float) -> float | None:
        last = self._last.get(key)
        self._last[key] = (value, 0.0)
        if last is None or value < last[0]:
            return None
        return value - last[0]


# Requests that monitoring itself makes (our scrapes, health checks) are not traffic.
_PLUMBING = {"/metrics", "/health", "/healthz", "/ready"}
_ROUTE_LABELS = ("endpoint", "path", "route", "handler")


def _served(sample: object) -> bool:
    labels = getattr(sample, "labels", {}) or {}
    return not any(labels.get(key) in _PLUMBING for key in _ROUTE_LABELS)


def _configured_token() -> str | None:
    from ..serving.auth import InsecureBind, load_token

    try:
        return load_token()
    except InsecureBind as exc:  # the file is named but unreadable or empty
        raise MonitorError(f"--services: {exc}") from None


def _parse(text: str) -> list:
    from prometheus_client.parser import text_string_to_metric_families

    return list(text_string_to_metric_families(text))
