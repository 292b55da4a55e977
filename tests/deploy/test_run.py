"""deploy/run.py without a Docker engine or Ansible: the lines a failure shows."""

from stratum_jupyter.deploy.run import _event_line, log_tail


def test_a_failed_command_shows_its_own_error_after_ansible_s_message():
    event = {"event": "runner_on_failed", "event_data": {
        "host": "localhost", "task": "Start the prediction service",
        "res": {"msg": "non-zero return code", "rc": 1,
                "stderr": "the service exited with code 1:\nRuntimeError: untrusted types"}}}
    assert _event_line(event) == (
        "FAILED: [localhost] Start the prediction service: non-zero return code\n"
        "the service exited with code 1:\nRuntimeError: untrusted types")


def test_log_tail_keeps_the_last_lines(tmp_path):
    log = tmp_path / "service.log"
    log.write_text("".join(f"line {i}\n" for i in range(50)))
    assert log_tail(log, 3) == "line 47\nline 48\nline 49"
