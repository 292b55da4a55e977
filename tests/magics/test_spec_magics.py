"""%stratum_validate and %stratum_blocks, through IPython's own test shell."""

from __future__ import annotations

import pytest
import yaml
from IPython.core.error import UsageError

from tests.conftest import VALID


def test_validate_cell_form(ip, capsys):
    ip.run_cell_magic("stratum_validate", "--name checked", yaml.safe_dump(VALID))
    assert "spec valid" in capsys.readouterr().out
    assert ip.user_ns["checked"].task == "classification"


def test_validate_variable_and_path(ip, tmp_path, capsys):
    ip.user_ns["my_spec"] = VALID
    ip.run_line_magic("stratum_validate", "my_spec")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(VALID))
    ip.run_line_magic("stratum_validate", str(path))
    assert capsys.readouterr().out.count("spec valid") == 2


def test_invalid_spec_is_a_usage_error(ip):
    with pytest.raises(UsageError, match="did you mean 'RandomForestClassifier'"):
        ip.run_cell_magic("stratum_validate", "", yaml.safe_dump(dict(VALID, candidates=[
            {"name": "x", "steps": ["RandomForrestClassifier"]}])))


def test_unknown_reference_is_a_usage_error(ip):
    with pytest.raises(UsageError, match="neither a variable"):
        ip.run_line_magic("stratum_validate", "nothing_here")


@pytest.mark.parametrize("magic", ["stratum_validate", "stratum_blocks"])
def test_every_magic_has_help(ip, capsys, magic):
    ip.run_line_magic(magic, "--help")
    assert f"%{magic}" in capsys.readouterr().out


def test_blocks_table(ip):
    frame = ip.run_line_magic("stratum_blocks", "--task regression --kind regressor")
    assert "Ridge" in set(frame["name"]) and set(frame["kind"]) == {"regressor"}


def test_bad_arguments_are_usage_errors(ip):
    with pytest.raises(UsageError):
        ip.run_line_magic("stratum_blocks", "--task nope")


def test_error_output_has_no_traceback(ip):
    result = ip.run_cell("%stratum_validate nothing_here")
    assert isinstance(result.error_in_exec, UsageError)


def test_blocks_json_gives_the_catalog_entries(ip):
    (entry,) = ip.run_line_magic("stratum_blocks", "--search StandardScaler --json")
    assert entry["name"] == "StandardScaler"
    assert {p["name"] for p in entry["params"]} >= {"with_mean", "with_std"}


def test_quotes_are_split_as_a_shell_does(ip, tmp_path, capsys):
    path = tmp_path / "my spec.yaml"
    path.write_text(yaml.safe_dump(VALID))
    ip.run_line_magic("stratum_validate", f"'{path}' --name \"quoted\"")
    assert "spec valid" in capsys.readouterr().out and "quoted" in ip.user_ns
    with pytest.raises(UsageError, match="No closing quotation"):
        ip.run_line_magic("stratum_validate", f"'{path}")


def test_help_returns_nothing_even_without_required_options(ip, capsys):
    assert ip.run_line_magic("stratum_deploy", "-h") is None
    assert "usage: %stratum_deploy" in capsys.readouterr().out
