"""The widgets package stays small: no file over 400 lines, no function over 60, for the
JavaScript view as for the Python.

The JavaScript is measured without a parser, as text: comments, the contents of strings and
the text of template literals are blanked, then every ``function`` (declaration or
expression) and every arrow function is measured from its keyword (or its ``=>``) to the
bracket that closes its body (an arrow's expression body ends at the ``,``, ``;`` or closing
bracket that ends the expression). A function's lines include those of the functions inside
it. Limits of the measure: regular-expression literals are not recognised (a quote or bracket
inside one would be miscounted), nor are method shorthands in object literals or classes
(``name() {...}``); the view uses neither. Run this file as a script to see every measure.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import stratum_jupyter.widgets

WIDGETS = Path(stratum_jupyter.widgets.__file__).parent
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
JS_FILES = sorted(WIDGETS.glob("*.js"))
PY_FILES = sorted(WIDGETS.glob("*.py"))
OPENERS, CLOSERS = "([{", ")]}"


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _string_end(code: str, start: int) -> int:
    """The index just after the quoted string that starts at ``start``."""
    quote, i = code[start], start + 1
    while i < len(code) and code[i] != quote:
        i += 2 if code[i] == "\\" else 1
    return i + 1


def code_only(text: str) -> str:
    """``text`` with comments, string contents and template-literal text blanked (newlines
    kept), so that the brackets left are the code's own."""
    out: list[str] = []
    stack: list[int | None] = [0]  # None: template text; an int: code at that brace depth
    i = 0
    while i < len(text):
        ch, depth = text[i], stack[-1]
        if depth is None:  # inside a template literal's text
            if ch == "`":
                stack.pop()
            elif text.startswith("${", i):
                stack.append(0)
                out.append("${")
                i += 2
                continue
            step = 2 if ch == "\\" else 1
            out.append(ch if ch == "`" else _blank(text[i:i + step]))
            i += step
            continue
        if text.startswith(("//", "/*"), i):
            end = text.find("\n" if text[i + 1] == "/" else "*/", i + 2)
            end = len(text) if end == -1 else end + (0 if text[i + 1] == "/" else 2)
        elif ch in "'\"":
            end = _string_end(text, i)
            out.append(ch + _blank(text[i + 1:end - 1]) + ch)
            i = end
            continue
        else:
            end = i + 1
            if ch == "`":
                stack.append(None)
            elif ch == "{" and len(stack) > 1:
                stack[-1] = depth + 1
            elif ch == "}" and len(stack) > 1:
                if depth == 0:
                    stack.pop()  # the end of a ${...}: back to the template's text
                else:
                    stack[-1] = depth - 1
            out.append(ch)
            i = end
            continue
        out.append(_blank(text[i:end]))
        i = end
    return "".join(out)


def _closing(code: str, start: int) -> int:
    """The index of the bracket that closes the one at ``start``."""
    depth = 0
    for i in range(start, len(code)):
        if code[i] in OPENERS:
            depth += 1
        elif code[i] in CLOSERS:
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unbalanced bracket at offset {start}")


def _expression_end(code: str, start: int) -> int:
    """The index of the last character of the expression that starts at ``start``."""
    depth = 0
    for i in range(start, len(code)):
        if code[i] in OPENERS:
            depth += 1
        elif code[i] in CLOSERS:
            if depth == 0:
                return i - 1
            depth -= 1
        elif code[i] in ",;" and depth == 0:
            return i - 1
    return len(code) - 1


def js_functions(text: str) -> list[tuple[str, int, int]]:
    """``(name, first line, number of lines)`` of every function in JavaScript ``text``."""
    code = code_only(text)
    found = []
    for match in re.finditer(r"\bfunction\b|=>", code):
        if match.group() == "=>":
            body = len(code) - len(code[match.end():].lstrip())
            end = _closing(code, body) if code[body] == "{" else _expression_end(code, body)
            name = "(arrow)"
        else:
            paren = code.index("(", match.end())
            name = code[match.end():paren].strip(" *") or "(function)"
            body = code.index("{", _closing(code, paren))
            end = _closing(code, body)
        first = code.count("\n", 0, match.start()) + 1
        found.append((name, first, code.count("\n", 0, end) + 2 - first))
    return found


def py_functions(text: str) -> list[tuple[str, int, int]]:
    """``(name, first line, number of lines)`` of every function in Python ``text``."""
    return [(node.name, node.lineno, node.end_lineno - node.lineno + 1)
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_the_measure_of_javascript():
    text = ('function a(x = {}) {\n  const s = "}{ function";\n  // }\n'
            "  const t = `${x}{` + `${ {k: 1}.k }`;\n"
            "  return [1, 2].map((n) =>\n    n + 1);\n}\n"
            "const b = (y) => { return y; };\n")
    assert js_functions(text) == [("a", 1, 7), ("(arrow)", 5, 2), ("(arrow)", 8, 1)]
    assert code_only(text).count("{") == code_only(text).count("}")


@pytest.mark.parametrize("path", JS_FILES + PY_FILES, ids=lambda p: p.name)
def test_no_file_over_400_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_FILE_LINES


@pytest.mark.parametrize("path", JS_FILES + PY_FILES, ids=lambda p: p.name)
def test_no_function_over_60_lines(path):
    measure = js_functions if path.suffix == ".js" else py_functions
    functions = measure(path.read_text(encoding="utf-8"))
    assert functions or path.suffix == ".py", "nothing measured"
    long = [f for f in functions if f[2] > MAX_FUNCTION_LINES]
    assert not long, f"{path.name}: (name, line, lines) over {MAX_FUNCTION_LINES}: {long}"


if __name__ == "__main__":  # every measure, longest first
    for path in JS_FILES + PY_FILES:
        text = path.read_text(encoding="utf-8")
        measure = js_functions if path.suffix == ".js" else py_functions
        longest = sorted(measure(text), key=lambda f: -f[2])[:3]
        print(f"{path.name}: {len(text.splitlines())} lines; longest: {longest}")
