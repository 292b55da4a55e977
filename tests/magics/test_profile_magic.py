"""``%stratum_profile``: mistakes are UsageErrors naming the option, before anything runs."""

import pytest
from IPython.core.error import UsageError


@pytest.mark.parametrize("line, message", [
    ("m --out o --cpus none", "--cpus: 'none' is not a number"),
    ("m --out o --rps 20", "a goal needs both"),
    ("m --out o --slo-p99 soon --rps 20", "--slo-p99: 'soon' is not a duration"),
    ("m --out o --duration 600", "--duration: 600 is out of range"),
    ("m --out o --runner cloud", "invalid choice: 'cloud'"),
])
def test_mistakes_are_usage_errors(ip, tmp_path, line, message):
    with pytest.raises(UsageError, match=message):
        ip.run_line_magic("stratum_profile", line.replace(" o ", f" {tmp_path}/o "))
    assert not (tmp_path / "o").exists()


def test_a_folder_that_is_not_a_bundle(ip, tmp_path):
    with pytest.raises(UsageError, match="is not a model bundle"):
        ip.run_line_magic("stratum_profile", f"{tmp_path} --out {tmp_path}/o --runner local")
