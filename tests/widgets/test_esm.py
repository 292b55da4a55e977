"""The builder's view is one ES module joined from small files (``widgets/esm.py``): the
joining, the module it makes (loaded by node, type-checked by tsc where they are installed),
and the lists it must take from Python rather than type again."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from stratum_jupyter.catalog import KINDS
from stratum_jupyter.spec.model import TASKS
from stratum_jupyter.widgets import PipelineBuilder
from stratum_jupyter.widgets.esm import HERE, PARTS, esm_source
from stratum_jupyter.widgets.palette import catalog_payload

REPO = Path(__file__).resolve().parents[2]
JS_FILES = sorted(HERE.glob("*.js"))


def test_every_js_file_is_a_part_and_the_entry_is_last():
    assert sorted(PARTS) == [p.name for p in JS_FILES]
    assert PARTS[-1] == "builder.js"


def test_the_widget_ships_the_joined_parts_in_order():
    source = PipelineBuilder().get_state()["_esm"]
    assert source == esm_source()
    heads = re.findall(r"^// ==== (\S+) ====$", source, re.MULTILINE)
    assert heads == list(PARTS)
    for name in PARTS:
        assert (HERE / name).read_text(encoding="utf-8").rstrip() in source
    exports = re.findall(r"^export\b.*$", source, re.MULTILINE)
    assert exports == ["export { INSERT_EVENT, formatPath };", "export default { render };"]


def test_a_part_may_not_import_nor_export_before_the_entry(tmp_path):
    (tmp_path / "a.js").write_text("function a() { return 1; }\n")
    (tmp_path / "entry.js").write_text("export default { a };\n")
    assert esm_source(["a.js", "entry.js"], tmp_path) == (
        "// ==== a.js ====\nfunction a() { return 1; }\n\n"
        "// ==== entry.js ====\nexport default { a };\n")
    (tmp_path / "b.js").write_text('import x from "./a.js";\n')
    with pytest.raises(ValueError, match="b.js: .*cannot import"):
        esm_source(["b.js", "entry.js"], tmp_path)
    (tmp_path / "c.js").write_text("export const c = 1;\n")
    with pytest.raises(ValueError, match="c.js: only the entry .*entry.js"):
        esm_source(["c.js", "entry.js"], tmp_path)
    (tmp_path / "d.js").write_text("const load = () => import('./x.js');\n")  # dynamic: allowed
    assert "import('./x.js')" in esm_source(["d.js", "entry.js"], tmp_path)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_joined_module_loads_as_one_es_module(tmp_path):
    """Loads it (a name declared twice would be a SyntaxError) and calls an export."""
    module = tmp_path / "builder.mjs"
    module.write_text(esm_source(), encoding="utf-8")
    script = (f"const m = await import({json.dumps(module.as_uri())});\n"
              "console.log(JSON.stringify([m.INSERT_EVENT, typeof m.default.render,\n"
              "  m.formatPath(['candidates', 0, 'steps', 1, 'SVC', 'C']), m.formatPath([])]));")
    out = subprocess.run(["node", "--input-type=module", "-e", script], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    assert json.loads(out) == ["stratum:insert-cells", "function",
                               "candidates[0].steps[1].SVC.C", "<spec>"]


def _tsc() -> str | None:
    """The labextension's TypeScript compiler, else one on PATH."""
    tsc = REPO / "labextension" / "node_modules" / ".bin" / "tsc"
    return str(tsc) if tsc.is_file() else shutil.which("tsc")


@pytest.mark.skipif(_tsc() is None, reason="tsc (the labextension's node_modules) is not installed")
def test_the_joined_module_type_checks(tmp_path):
    """tsc's checkJs finds every name one part calls in another, with the right arity."""
    module = tmp_path / "builder.js"
    module.write_text(esm_source(), encoding="utf-8")
    # --skipLibCheck: TypeScript's own lib.dom/es2022 declarations are not re-verified
    # (a third of the run); the module is checked against them all the same.
    run = subprocess.run([_tsc(), "--allowJs", "--checkJs", "--noEmit", "--skipLibCheck",
                          "--target", "es2022", "--module", "es2022", "--lib", "dom,es2022",
                          str(module)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("path", JS_FILES, ids=lambda p: p.name)
def test_kinds_tasks_and_searches_are_not_typed_in_the_view(path):
    text = path.read_text(encoding="utf-8")
    for name in (*KINDS, *TASKS, "grid", "random"):
        assert not re.search(rf"[\"'`]{name}[\"'`]", text), f"{name} typed in {path.name}"


def test_the_payload_carries_kinds_tasks_and_searches():
    payload = catalog_payload("regression")
    assert payload["kinds"] == list(KINDS)
    assert payload["tasks"] == list(TASKS)
    assert payload["searches"] == ["grid", "random", "halving", "bayes"]
    assert {b["kind"] for b in payload["blocks"]} <= set(KINDS)
