"""``stratum report RUN_DIR --out report.html`` and ``%stratum_report RUN_DIR`` on a run of
a raw mixed-type table (penguins: text categories and gaps, preprocessing auto): a static
page with BokehJS inline whose importance plot names the table's own columns; the bundle
holds the same page as report.html."""

import json
import re

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from stratum_jupyter import evaluate
from stratum_jupyter.cli import main

from .test_importance import penguins_spec


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    from stratum_jupyter.evaluation import cluster as clusters
    from stratum_jupyter.evaluation import inprocess

    start, inprocess.START_S = inprocess.START_S, 1e9  # all in this process
    try:
        out = tmp_path_factory.mktemp("run") / "penguins"
        evaluate(penguins_spec(diagnostics={"n_repeats": 2, "importance": True}),
                 display="none", out=out)
    finally:
        inprocess.START_S = start
        clusters.close_local()
    return out


def _documents(page: str) -> str:
    """The Bokeh documents' JSON embedded in a page (what the plots draw)."""
    found = re.findall(r"const docs_json = '(.*?)';\n", page)
    assert found, "no Bokeh document in the page"
    return json.dumps([json.loads(text.encode().decode("unicode_escape")) for text in found])


def _check_page(page: str) -> None:
    assert "cdn.bokeh.org" not in page and "<script src=" not in page  # offline
    assert "Bokeh.set_log_level" in page or "bokeh-3" in page.lower()  # BokehJS inline
    docs = _documents(page)
    for column in ("island", "sex", "bill_length_mm", "flipper_length_mm"):
        assert f'"{column}"' in docs  # the importance plot's own column names
    assert "onehotencoder" not in docs and "__" not in re.sub(r"__[a-z]+__", "", docs)
    for title in ("Confusion matrix", "ROC curve", "Permutation importance",
                  "on each fold, by configuration"):
        assert title in docs
    for species in ("Adelie", "Chinstrap", "Gentoo"):  # the user's own class labels
        assert species in docs


def test_cli_writes_the_page(run_dir, tmp_path, capsys):
    out = tmp_path / "pages" / "report.html"
    assert main(["report", str(run_dir), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    _check_page(out.read_text())
    bundled = run_dir / "best" / "report.html"  # EvaluationResult.save wrote it too
    _check_page(bundled.read_text())
    assert (run_dir / "best" / "diagnostics" / "importance.json").is_file()
    # Without --out: RUN_DIR/report.html; a saved model folder works as well.
    assert main(["report", str(run_dir / "best")]) == 0
    assert (run_dir / "best" / "report.html").is_file()


def test_cli_bad_input(run_dir, tmp_path, capsys):
    assert main(["report", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "run_dir" in err and "nowhere" in err and "does not exist" in err
    assert main(["report", str(run_dir), "--out", str(tmp_path / "r.png")]) == 2
    assert "--out" in capsys.readouterr().err


def test_magic_shows_it(ip, run_dir):
    with capture_output() as captured:
        ip.run_line_magic("stratum_report", str(run_dir))
    (output,) = captured.outputs
    _check_page(output.data["text/html"])
    assert str(run_dir / "best") in output.data["text/plain"]
    assert ip.user_ns["_stratum_report"].path is None
    with pytest.raises(UsageError, match="run_dir: 'nowhere' does not exist"):
        ip.run_line_magic("stratum_report", "nowhere")


def test_two_configurations_side_by_side(in_process):
    spec = penguins_spec(diagnostics={"importance": False})
    d = evaluate(spec, display="none").diagnostics
    first, second = list(d.kept)[:2]
    page = d.compare(first, second).data
    docs = _documents(page)
    for label in (first, second):
        assert f"{label}: Confusion matrix" in docs and f"{label}: ROC curve" in docs
    assert "cdn.bokeh.org" not in page and "Permutation importance" not in docs
    with pytest.raises(KeyError, match="kept"):
        d.compare(first, "logreg C=99")
