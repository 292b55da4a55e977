"""``stratum X --help`` and ``%stratum_X --help`` offer the same options, defaults and choices
for every command that has both forms: each option is declared once
(``stratum_jupyter.commands``), and both shells build their parser from that declaration."""

from __future__ import annotations

import argparse
from typing import Any

import pytest
from IPython.utils.capture import capture_output

from stratum_jupyter.cli import build_parser, main
from stratum_jupyter.commands import NAMES

# Options one shell has and the other does not, on purpose: each makes sense in one place only.
CLI_ONLY = {"validate": {"json"}, "evaluate": {"target", "json"}, "deploy": {"json"},
            "monitor": {"html"}}
# (The magic's --groups / --order-by name columns of kernel variables; a file's are in its
# spec's data.groups / data.order_by.)
MAGIC_ONLY = {"validate": {"name"}, "evaluate": {"monitor", "groups", "order_by"},
              "deploy": {"monitor"}, "monitor": {"stop"}}
# Arguments that take another kind of input in each shell (their help says so), and the
# attributes that may differ for them: a magic's spec may be its cell body, so it is optional
# there; its --data names kernel variables, not a file.
OPTIONAL = {"nargs", "required"}
DISTINCT = {"validate": {"spec": OPTIONAL},
            "evaluate": {"spec": OPTIONAL, "data": {"nargs", "metavar", "help"}},
            "bundle": {"model": {"help"}, "sample": {"help"}}}
# The fewest words each command parses.
MINIMAL = {"validate": ["s.yaml"], "blocks": [], "evaluate": ["s.yaml"],
           "deploy": ["m", "--target", "t", "--out", "o"], "targets": [], "monitor": [],
           "deployment": ["list"], "profile": ["m", "--out", "o"],
           "report": ["r"], "bundle": ["m.onnx", "--out", "o"],
           "predict": ["b", "i", "--out", "o"]}


def _describe(action: argparse.Action) -> dict[str, Any]:
    return {"kind": type(action).__name__, "option_strings": tuple(action.option_strings),
            "nargs": action.nargs, "const": action.const, "default": action.default,
            "type": action.type, "choices": action.choices, "required": action.required,
            "help": action.help, "metavar": action.metavar}


def _actions(parser: argparse.ArgumentParser) -> dict[str, dict[str, Any]]:
    return {a.dest: _describe(a) for a in parser._actions}


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


@pytest.fixture(scope="module")
def cli_parsers() -> dict[str, argparse.ArgumentParser]:
    return _subcommands(build_parser())


@pytest.fixture(scope="module")
def magic_parsers(ip) -> dict[str, argparse.ArgumentParser]:
    """The parsers the magics really use: each is built by a first ``--help``."""
    parsers = {}
    for name in NAMES:
        with capture_output():
            assert ip.run_line_magic(f"stratum_{name}", "--help") is None
        parsers[name] = ip.find_line_magic(f"stratum_{name}").__func__.parser
    return parsers


def test_every_command_in_both_forms_is_compared(ip, cli_parsers):
    magics = {name.removeprefix("stratum_") for name in ip.magics_manager.magics["line"]
              if name.startswith("stratum_")}
    assert magics & set(cli_parsers) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_same_options_defaults_and_choices(name, cli_parsers, magic_parsers):
    cli, magic = _actions(cli_parsers[name]), _actions(magic_parsers[name])
    assert set(cli) - set(magic) == CLI_ONLY.get(name, set())
    assert set(magic) - set(cli) == MAGIC_ONLY.get(name, set())
    shared = [dest for dest in cli if dest in magic]
    assert shared == [dest for dest in magic if dest in cli]  # the same order in --help
    for dest in shared:
        allowed = DISTINCT.get(name, {}).get(dest, set())
        differ = {k for k in cli[dest] if cli[dest][k] != magic[dest][k]}
        assert differ <= allowed, (dest, {k: (cli[dest][k], magic[dest][k]) for k in differ})
    for dest, allowed in DISTINCT.get(name, {}).items():
        assert dest in shared and allowed
    assert cli_parsers[name].description == magic_parsers[name].description


@pytest.mark.parametrize("name", NAMES)
def test_the_same_words_parse_to_the_same_values(name, cli_parsers, magic_parsers):
    cli = vars(build_parser().parse_args([name, *MINIMAL[name]]))
    magic = vars(magic_parsers[name].parse_line(" ".join(MINIMAL[name])))
    shared = set(cli) & set(magic)
    assert shared >= set(_actions(magic_parsers[name])) - MAGIC_ONLY.get(name, set()) - {"help"}
    assert {k: cli[k] for k in shared} == {k: magic[k] for k in shared}


@pytest.mark.parametrize("name", NAMES)
def test_both_help_texts_show_every_shared_option(name, ip, capsys, magic_parsers):
    with pytest.raises(SystemExit) as info:
        main([name, "--help"])
    assert info.value.code == 0
    cli_text = " ".join(capsys.readouterr().out.split())
    with capture_output() as out:
        ip.run_line_magic(f"stratum_{name}", "--help")
    magic_text = " ".join(out.stdout.split())
    assert cli_text.startswith(f"usage: stratum {name} ")
    assert magic_text.startswith(f"usage: %stratum_{name} ")
    parser = magic_parsers[name]
    formatter = parser._get_formatter()
    skip = MAGIC_ONLY.get(name, set()) | set(DISTINCT.get(name, {}))
    for action in parser._actions:
        if action.dest in skip:
            continue
        shown = " ".join(formatter._expand_help(action).split())
        assert shown in cli_text and shown in magic_text, action.dest
        for option in action.option_strings:
            assert option in cli_text and option in magic_text
