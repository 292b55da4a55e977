"""The stratum command: behaviour and exit codes (0 ok, 2 bad input, 1 failure)."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
import yaml

from stratum_jupyter.cli import main
from tests.conftest import SPECS, VALID


def _spec_file(tmp_path, data, name="spec.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data))
    return path


def test_validate_ok(tmp_path, capsys):
    assert main(["validate", str(_spec_file(tmp_path, VALID))]) == 0
    assert "valid" in capsys.readouterr().out


def test_validate_bad_input_exits_2_with_message_on_stderr(tmp_path, capsys):
    bad = dict(VALID, task="clasification")
    assert main(["validate", str(_spec_file(tmp_path, bad))]) == 2
    err = capsys.readouterr().err
    assert "task" in err and "did you mean 'classification'" in err


def test_validate_json_output(tmp_path, capsys):
    bad = dict(VALID, version=3)
    assert main(["validate", "--json", str(_spec_file(tmp_path, bad))]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False and report["issues"][0]["field"] == "version"


def test_missing_spec_file_exits_2(capsys):
    assert main(["validate", "no/such.yaml"]) == 2
    assert "no such spec file" in capsys.readouterr().err


def test_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert set(schema["properties"]) >= {"version", "task", "candidates", "evaluation"}


def test_blocks_for_a_task(capsys):
    assert main(["blocks", "--task", "classification"]) == 0
    names = {line.split()[0] for line in capsys.readouterr().out.splitlines()}
    assert "LogisticRegression" in names and "Ridge" not in names


def test_blocks_json(capsys):
    assert main(["blocks", "--search", "StandardScaler", "--json"]) == 0
    (block,) = [b for b in json.loads(capsys.readouterr().out) if b["name"] == "StandardScaler"]
    assert {p["name"] for p in block["params"]} >= {"with_mean", "with_std"}


def test_generate_notebook_and_script(tmp_path):
    nb_path = tmp_path / "nb.ipynb"
    assert main(["generate", str(SPECS / "iris.yaml"), "-o", str(nb_path)]) == 0
    nb = nbformat.read(nb_path, as_version=4)
    assert nb.metadata["stratum"]["spec"]["name"] == "iris"
    assert main(["generate", str(SPECS / "iris.yaml"), "-o", str(tmp_path / "s.py")]) == 0
    compile((tmp_path / "s.py").read_text(), "s.py", "exec")


def test_generate_wrong_suffix_exits_2(tmp_path, capsys):
    assert main(["generate", str(SPECS / "iris.yaml"), "-o", str(tmp_path / "x.txt")]) == 2


def test_evaluate_bad_data_file_exits_2(tmp_path, capsys):
    spec = str(SPECS / "iris.yaml")
    assert main(["evaluate", spec, "--data", str(tmp_path / "none.csv")]) == 2
    assert "--data: no such file" in capsys.readouterr().err
    (tmp_path / "x.h5").write_text("a,b\n1,2\n")
    assert main(["evaluate", spec, "--data", str(tmp_path / "x.h5"), "--target", "b"]) == 2
    assert "'x.h5' is not a data file stratum reads (allowed: .csv, .tsv" in \
        capsys.readouterr().err
    assert main(["evaluate", spec, "--target", "b"]) == 2
    assert "--target goes with --data FILE" in capsys.readouterr().err


def test_argparse_errors_exit_2():
    with pytest.raises(SystemExit) as info:
        main(["blocks", "--task", "nope"])
    assert info.value.code == 2


@pytest.mark.slow
def test_generate_then_run_with_parameters_as_a_real_process(tmp_path):
    exe = [sys.executable, "-m", "stratum_jupyter"]
    spec = dict(VALID, candidates=VALID["candidates"][:1])
    path = _spec_file(tmp_path, spec)
    subprocess.run([*exe, "generate", str(path), "-o", "nb.ipynb", "--out-dir", "res"],
                   cwd=tmp_path, check=True)
    done = subprocess.run([*exe, "run", "nb.ipynb", "-o", "out.ipynb", "-p", "cv", "2",
                           "-p", "out_dir", "other"], cwd=tmp_path, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "other" / "best" / "leaderboard.csv").is_file()


@pytest.mark.slow
def test_run_failure_exits_1(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("raise RuntimeError('boom')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, tmp_path / "bad.ipynb")
    done = subprocess.run([sys.executable, "-m", "stratum_jupyter", "run", "bad.ipynb", "-o",
                           "out.ipynb"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1 and "boom" in done.stderr


def test_run_missing_notebook_exits_2(capsys):
    assert main(["run", "missing.ipynb", "-o", "x.ipynb"]) == 2


def test_kernel_install_into_a_prefix(tmp_path):
    assert main(["kernel", "install", "--prefix", str(tmp_path)]) == 0
    spec = json.loads((tmp_path / "share/jupyter/kernels/stratum/kernel.json").read_text())
    assert spec["display_name"] == "Python 3 (Stratum)"
    assert "--ext=stratum_jupyter" in spec["argv"]
