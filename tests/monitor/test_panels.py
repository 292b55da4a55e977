from __future__ import annotations

import json

from stratum_jupyter.monitor.base import Sample
from stratum_jupyter.monitor.panels import Panel, static_html
from stratum_jupyter.monitor.widget import LivePanelWidget


def kernel_tick(t: float, cpu: float = 50.0) -> list[Sample]:
    return [Sample(t, "kernel", "host", "cpu_percent", cpu),
            Sample(t, "kernel", "cpu0", "cpu_percent", cpu - 10),
            Sample(t, "kernel", "cpu1", "cpu_percent", cpu + 10),
            Sample(t, "kernel", "host", "memory_used_bytes", 2e9),
            Sample(t, "kernel", "kernel", "cpu_percent", float("nan")),
            Sample(t, "kernel", "host", "others_cpu_percent", cpu),
            Sample(t, "kernel", "kernel", "host_share_percent", float("nan")),
            Sample(t, "kernel", "kernel", "tree_rss_bytes", 1e8)]


def workers_tick(t: float, workers: dict[str, float]) -> list[Sample]:
    rows = [Sample(t, "workers", "scheduler", "up", 1.0)]
    for address, cpu in workers.items():
        rows += [Sample(t, "workers", address, "cpu_percent", cpu),
                 Sample(t, "workers", address, "memory_bytes", 1e8),
                 Sample(t, "workers", address, "tasks_executing", 1.0)]
    return rows


def test_rolling_window_keeps_the_last_points():
    panel = Panel(kernel_tick(0.0), window=5)
    for k in range(12):
        panel.apply(panel.ops([(float(k), kernel_tick(float(k), cpu=k))]))
    assert panel.points() == 5
    (cds, columns), = panel._time.values()
    assert cds.data["time"] == [7000.0, 8000.0, 9000.0, 10000.0, 11000.0]
    host = next(key for key, s in columns
                if s.entity == "host" and s.metric == "others_cpu_percent")
    assert cds.data[host] == [7.0, 8.0, 9.0, 10.0, 11.0]
    kernel = next(key for key, s in columns if s.entity == "kernel")
    assert cds.data[kernel] == [None] * 5  # NaN travels as null (a gap), JSON-safe


def test_ops_are_json_and_bars_follow_the_workers():
    panel = Panel(workers_tick(0.0, {"tcp://a:1": 10.0, "tcp://b:2": 20.0}), window=10)
    ops = panel.ops([(1.0, workers_tick(1.0, {"tcp://a:1": 10.0, "tcp://b:2": 20.0}))])
    json.dumps(ops, allow_nan=False)
    stream = next(op for op in ops if op["kind"] == "stream")
    assert stream["rollover"] == 10
    cpu_sum = [v for k, v in stream["data"].items() if k != "time"][0]
    assert cpu_sum == [30.0]  # workers' CPU summed
    # a worker leaves, another joins: the bar charts change their categories
    ops = panel.ops([(2.0, workers_tick(2.0, {"tcp://b:2": 5.0, "tcp://c:3": 7.0}))])
    panel.apply(ops)
    factors = [op["factors"] for op in ops if op["kind"] == "factors"]
    assert factors and all(f == ["tcp://c:3", "tcp://b:2"] for f in factors)
    bars = [op for op in ops if op["kind"] == "replace"][0]
    assert bars["data"] == {"entity": ["tcp://c:3", "tcp://b:2"], "value": [7.0, 5.0]}


def test_static_html_inlines_bokehjs_and_escapes_titles():
    samples = [s for t in range(3) for s in kernel_tick(float(t))]
    panel = Panel(samples, window=2).feed(samples)
    assert panel.points() == 3  # feed() keeps everything
    html = static_html(panel.layout, "<run> & co")
    assert "&lt;run&gt; &amp; co" in html
    assert "cdn.bokeh.org" not in html and "https://" not in html.split("<script", 1)[0]
    assert "Bokeh.embed.embed_items" in html
    import bokeh

    assert f'Bokeh.version = "{bokeh.__version__}"' in html or bokeh.__version__ in html


def test_live_widget_carries_bokehjs_and_the_document():
    panel = Panel(kernel_tick(0.0), window=4)
    widget = LivePanelWidget(panel, status="live")
    assert widget._bokeh_version and sum(map(len, widget._bokeh_js)) > 500_000
    doc = json.loads(widget._doc)
    names = {ref["attributes"].get("name") for ref in _walk(doc["doc"])}
    assert "ts-kernel" in names and "bar-kernel-2" in names
    widget.push(panel.ops([(1.0, kernel_tick(1.0))]))
    assert panel.points() == 1
    snapshot = panel.snapshot_ops()
    json.dumps(snapshot, allow_nan=False)
    assert {op["target"] for op in snapshot} >= {"ts-kernel", "bar-kernel-2", "range-kernel-2"}
    widget.close()


def _walk(node):
    if isinstance(node, dict):
        if "attributes" in node and isinstance(node["attributes"], dict):
            yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_every_source_has_its_charts():
    """GPU, service and container rows as their samplers produce them (the GPU's cannot be
    read on a machine without one, so its rows are written out here)."""
    t = 1.0
    rows = [Sample(t, "gpu", f"gpu{i}", metric, value) for i in range(2) for metric, value in
            [("utilization_percent", 40.0), ("memory_used_bytes", 2e9),
             ("memory_total_bytes", 8e9), ("temperature_celsius", 55.0), ("power_watts", 70.0)]]
    rows += [Sample(t, "service", "iris", m, 1.0) for m in
             ("up", "cpu_percent", "rss_bytes", "requests_per_s", "latency_ms")]
    rows += [Sample(t, "container", "stratum-iris", m, 1.0) for m in
             ("cpu_percent", "memory_bytes")]
    panel = Panel(rows, window=10).feed(rows)
    titles = {f.title.text for f in panel.layout.select({"type": _figure_type()})}
    assert titles == {"GPUs: GPU utilisation", "GPUs: GPU memory used", "GPUs: GPU temperature",
                      "GPUs: GPU power", "Services: Service CPU", "Services: Service memory (RSS)",
                      "Services: Requests", "Services: Latency (mean)",
                      "Containers: Container CPU", "Containers: Container memory"}
    gpu_cds = panel._models["ts-gpu"]
    assert sorted(k for k in gpu_cds.data if k != "time") == [f"c{i}_{j}" for i in range(4)
                                                              for j in range(2)]


def _figure_type():
    from bokeh.models import Plot

    return Plot


def test_charts_keep_legends_ticks_and_toolbars_readable():
    """Issue 22: legends below the plot (never over the lines), at most three slanted time
    ticks, each chart's toolbar above it (not between two charts), and the kernel's CPU
    apart from other processes', both as shares of the machine."""
    from bokeh.models import Legend, Plot

    panel = Panel(kernel_tick(0.0), window=5)
    figures = {f.title.text: f for f in panel.layout.select({"type": Plot})}
    cpu = figures["Kernel: CPU (of the machine)"]
    (legend,) = cpu.select({"type": Legend})
    assert legend in cpu.below and not any(isinstance(r, Legend) for r in cpu.center)
    assert [item.label.value for item in legend.items] == [
        "this kernel and its children", "other processes"]
    assert cpu.toolbar_location == "above"
    assert cpu.xaxis[0].ticker.desired_num_ticks == 3
    assert cpu.xaxis[0].major_label_orientation == 0.5
