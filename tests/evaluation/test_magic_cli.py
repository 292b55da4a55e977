"""%stratum_evaluate (both forms), stratum evaluate, and notebooks run under papermill."""

from __future__ import annotations

import importlib.util
import json

import nbformat
import numpy as np
import pytest

from stratum_jupyter import load_model

pytestmark = pytest.mark.slow

SPEC = """version: 1
task: classification
evaluation: {cv: 3, metrics: [accuracy, f1_macro], select_by: f1_macro, random_state: 0}
candidates:
  - name: logreg
    steps:
      - StandardScaler: {}
      - LogisticRegression: {C: [0.1, 1.0], max_iter: 500}
"""


@pytest.fixture
def shell(ip):
    from sklearn.datasets import load_iris

    ip.user_ns["X"], ip.user_ns["y"] = load_iris(return_X_y=True, as_frame=True)
    return ip


def test_magic_help_and_usage_errors(shell, capsys):
    from IPython.core.error import UsageError

    shell.run_line_magic("stratum_evaluate", "--help")
    assert "--scheduler" in capsys.readouterr().out
    with pytest.raises(UsageError, match="no variable 'Z'"):
        shell.run_cell_magic("stratum_evaluate", "--data Z y", SPEC)
    with pytest.raises(UsageError, match="neither a variable"):
        shell.run_line_magic("stratum_evaluate", "nope --data X y")


def test_magic_cell_and_line_forms(shell, cluster, tmp_path, capsys):
    addr = cluster.scheduler_address
    result = shell.run_cell_magic(
        "stratum_evaluate", f"--data X y --scheduler {addr} --out {tmp_path} --monitor", SPEC)
    assert shell.user_ns["_stratum"] is result
    out = capsys.readouterr().out
    assert "stratum: evaluating 2 configuration(s)" in out  # text log: no live frontend
    if importlib.util.find_spec("stratum_jupyter.monitor") is None:
        assert "monitoring not available" in out
    assert (tmp_path / "leaderboard.csv").is_file()
    model = load_model(tmp_path / "best")
    X = shell.user_ns["X"]
    np.testing.assert_array_equal(model.predict(X), result.best.model.predict(X))
    shell.user_ns["my_spec"] = SPEC
    again = shell.run_line_magic("stratum_evaluate",
                                 f"my_spec --data X y --scheduler {addr} --display none")
    assert again.leaderboard["f1_macro"].tolist() == result.leaderboard["f1_macro"].tolist()


def test_cli_evaluate(cluster, tmp_path, capsys):
    from sklearn.datasets import load_iris

    from stratum_jupyter.cli import main

    frame = load_iris(as_frame=True).frame
    data = tmp_path / "iris.csv"
    frame.to_csv(data, index=False)
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    out, js = tmp_path / "out", tmp_path / "result.json"
    code = main(["evaluate", str(spec), "--data", str(data), "--target", "target",
                 "--scheduler", cluster.scheduler_address, "--out", str(out),
                 "--json", str(js)])
    assert code == 0
    assert (out / "best" / "model.skops").is_file() and (out / "leaderboard.csv").is_file()
    summary = json.loads(js.read_text())
    assert summary["best"]["candidate"] == "logreg" and len(summary["leaderboard"]) == 2
    assert main(["evaluate", str(spec), "--data", str(data), "--target", "nope",
                 "--out", str(out)]) == 2
    assert "'nope' is not a column" in capsys.readouterr().err
    assert main(["evaluate", str(spec), "--out", str(out)]) == 2  # no data anywhere
    capsys.readouterr()
    assert main(["evaluate", str(spec), "--data", str(data), "--target", "target",
                 "--scheduler", cluster.scheduler_address, "--display", "none",
                 "--json", "-"]) == 0  # no --out: the result on standard output only
    printed = capsys.readouterr().out
    summary = json.loads(printed[printed.index("\n{\n") + 1:])  # after the leaderboard
    assert summary["best"]["candidate"] == "logreg"


def _run(nb, tmp_path, monkeypatch, cluster):
    from stratum_jupyter.notebooks import run_notebook

    # The notebook's kernel finds the shared test cluster through STRATUM_SCHEDULER.
    monkeypatch.setenv("STRATUM_SCHEDULER", cluster.scheduler_address)
    src, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    run_notebook(src, out, cwd=tmp_path, timeout=300)
    return nbformat.read(out, as_version=4)


def test_cell_magic_notebook_under_papermill(cluster, tmp_path, monkeypatch):
    best = tmp_path / "runs" / "best"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext stratum_jupyter"),
        nbformat.v4.new_code_cell("from sklearn.datasets import load_iris\n"
                                  "X, y = load_iris(return_X_y=True, as_frame=True)"),
        nbformat.v4.new_code_cell("%%stratum_evaluate --data X y --out runs\n" + SPEC),
        nbformat.v4.new_code_cell(
            "import numpy as np\nfrom stratum_jupyter import load_model\n"
            "same = (load_model('runs/best').predict(X) == _stratum.best.predict(X)).all()\n"
            "assert same\nprint('same predictions:', same)"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    done = _run(nb, tmp_path, monkeypatch, cluster)
    outputs = done.cells[2].outputs
    log = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "stratum: evaluating 2 configuration(s)" in log and "[2/2]" in log
    (shown,) = [o for o in outputs if o.output_type == "execute_result"]
    assert "stratum-leaderboard" in shown.data["text/html"]
    assert "f1_macro" in shown.data["text/plain"]
    assert (best / "model.skops").is_file() and (best / "profile.json").is_file()
    assert "same predictions: True" in done.cells[3].outputs[0]["text"]


def test_generated_notebook_evaluates_on_dask(cluster, tmp_path, monkeypatch):
    from stratum_jupyter.codegen import spec_notebook
    from stratum_jupyter.spec import load_spec

    spec = load_spec(SPEC.replace("task: classification",
                                  "task: classification\ndata: {source: 'sklearn:iris'}"))
    done = _run(spec_notebook(spec, out_dir="runs/gen"), tmp_path, monkeypatch, cluster)
    text = "".join(o.get("text", "") for c in done.cells for o in c.get("outputs", []))
    assert "best: logreg" in text
    profile = json.loads((tmp_path / "runs/gen/best/profile.json").read_text())
    assert profile["spec"]["candidates"][0]["name"] == "logreg"
    assert len(profile["metrics"]["folds"]["f1_macro"]) == 3


def test_live_frontend_gets_the_widget_and_chart(cluster):
    """A kernel driven as JupyterLab drives it (allow_stdin): progress widget, live table
    updates over the widget comm, and the inline Bokeh chart at the end."""
    import os

    from jupyter_client.manager import start_new_kernel

    env = {**os.environ, "STRATUM_SCHEDULER": cluster.scheduler_address}
    km, kc = start_new_kernel(kernel_name="python3", env=env, startup_timeout=120)
    try:
        kc.execute_interactive("%load_ext stratum_jupyter\n"
                               "from sklearn.datasets import load_iris\n"
                               "X, y = load_iris(return_X_y=True, as_frame=True)",
                               timeout=120)
        msgs: list[dict] = []
        reply = kc.execute_interactive("%%stratum_evaluate --data X y\n" + SPEC,
                                       allow_stdin=True, output_hook=msgs.append,
                                       timeout=240)
        assert reply["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    kinds = [m["header"]["msg_type"] for m in msgs]
    shown = [m["content"]["data"] for m in msgs if m["header"]["msg_type"] == "display_data"]
    assert any("application/vnd.jupyter.widget-view+json" in d for d in shown)
    assert "comm_open" in kinds and "comm_msg" in kinds  # the bar and table update live
    updates = [m["content"]["data"].get("state", {}) for m in msgs
               if m["header"]["msg_type"] == "comm_msg"]
    assert any("stratum-leaderboard" in str(u.get("value", "")) for u in updates)
    charts = [d["text/html"] for d in shown if "stratum-chart" in d.get("text/html", "")]
    assert charts and "cdn.bokeh.org" not in charts[0]
    assert not [m for m in msgs if m["header"]["msg_type"] == "stream"
                and "stratum: evaluating" in m["content"]["text"]]  # no text log here
