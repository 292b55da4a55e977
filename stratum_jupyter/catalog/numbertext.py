"""Numbers written as text: ``3,750``, ``1 234``, ``12 %``, ``$1,200``, ``€ 3.5``.

pandas reads such a column as text, which the automatic preprocessing one-hot encodes as
categories. :func:`number_text_notes` says so for each such column of a CSV file, naming it
and an example, with the fix that fits:

- thousands separators only (``3,750``, ``1'234``, ``1 234``): ``data.thousands`` (passed to
  ``pandas.read_csv(thousands=...)``), suggested only where that mark changes no other
  column (a ``1,5`` elsewhere would silently become 15); else the role ``numeric`` for the
  column alone. ``3,750`` in a file whose separator is not ``,`` may be 3.75 written with a
  decimal comma: the note names both readings.
- decimal commas with thousands marks (``1.234,5``) in a file read with ``.`` decimals:
  ``data.decimal: ','`` and ``data.thousands``, where no other column has a decimal point.
- a currency sign (``$ € £ ¥``, before or after) or a percent sign (``%``, after): the role
  ``numeric`` (``data.roles: {price: numeric}``), which reads the number as written: ``12 %``
  is 12, ``$1,200`` is 1200 (:func:`text_numbers`, which :mod:`.roles` uses).

Nothing is converted without the spec saying so: a column's meaning stays the user's call.
"""

from __future__ import annotations

import re
from typing import Any

MARKS = (",", " ", "'", "\u00a0", "\u202f", ".")  # thousands marks, "." only with decimal ","
CURRENCIES = "$€£¥"
_PLAIN = r"[+-]?(?:\d+(?:{d}\d*)?|{d}\d+)(?:[eE][+-]?\d+)?"
_GROUPED = r"[+-]?\d{{1,3}}(?:{m}\d{{3}})+(?:{d}\d+)?"
_SIGNED = re.compile(rf"(?P<pre>[{CURRENCIES}]?)\s*(?P<num>[^{CURRENCIES}%\s](?:.*?\S)??)\s*"
                     rf"(?P<post>[%{CURRENCIES}]?)")


def plain(decimal: str = ".") -> re.Pattern[str]:
    """A number with this decimal mark and no thousands mark."""
    return re.compile(_PLAIN.format(d=re.escape(decimal)))


def grouped(mark: str, decimal: str = ".") -> re.Pattern[str]:
    """A number with groups of three digits parted by ``mark`` (``12,500,000.5``)."""
    return re.compile(_GROUPED.format(m=re.escape(mark), d=re.escape(decimal)))


def text_number(text: str) -> float | None:
    """The number ``text`` writes (a sign of currency or percent and thousands marks
    dropped, ``.`` the decimal mark), or None: ``'$1,200'`` -> 1200.0, ``'12 %'`` -> 12.0."""
    match = _SIGNED.fullmatch(text.strip())
    if match is None or (match["pre"] and match["post"]):
        return None
    number = match["num"]
    if not plain().fullmatch(number):
        mark = next((m for m in MARKS[:-1] if grouped(m).fullmatch(number)), None)
        if mark is None:
            return None
        number = number.replace(mark, "")
    return float(number)


def _has_sign(text: str) -> bool:
    match = _SIGNED.fullmatch(text)
    return bool(match and (match["pre"] or match["post"]))


def text_numbers(series: Any) -> Any:
    """:func:`text_number` of every value of a text column (NaN where there is none)."""
    import pandas as pd

    return pd.Series([text_number(v) if isinstance(v, str) else None for v in series],
                     index=series.index, dtype="float64")


def _texts(frame: Any, skip: set[str]) -> dict[str, list[str]]:
    """The non-missing values of each text column (not in ``skip``), stripped."""
    import pandas as pd

    texts = {}
    for column in frame.columns:
        series = frame[column]
        if column in skip or not (pd.api.types.is_object_dtype(series)
                                  or pd.api.types.is_string_dtype(series)):
            continue
        values = [v.strip() for v in series.dropna() if isinstance(v, str)]
        if values:
            texts[str(column)] = values
    return texts


def thousands_mark(values: list[str], decimal: str) -> str | None:
    """The mark every value uses for thousands (``3,750``; some may have none), or None."""
    number = plain(decimal)
    for mark in MARKS:
        if mark == decimal or (mark == "." and decimal != ","):
            continue
        groups = grouped(mark, decimal)
        if any(groups.fullmatch(v) for v in values) and \
                all(number.fullmatch(v) or groups.fullmatch(v) for v in values):
            return mark
    return None


def _changed_by(mark: str, decimal: str, texts: dict[str, list[str]]) -> tuple[str, str] | None:
    """A column and a value that ``thousands=mark`` would read as another number than the
    text says (``1,5`` as 15), or None."""
    number, groups = plain(decimal), grouped(mark, decimal)
    for column, values in texts.items():
        for value in values:
            if mark in value and number.fullmatch(value.replace(mark, "")) \
                    and not groups.fullmatch(value):
                return column, value
    return None


def number_text_notes(frame: Any, options: dict[str, Any], skip: set[str]) -> list[str]:
    """A note for each text column of ``frame`` (read with the ``pandas.read_csv`` keyword
    arguments ``options``; not in ``skip``) whose values are numbers written with thousands
    marks or signs (see the module's docstring)."""
    decimal, sep = options.get("decimal", "."), options.get("sep", ",")
    texts = _texts(frame, skip)
    dots = _dot_decimals(frame, texts)
    notes = []
    for column, values in texts.items():
        mark = thousands_mark(values, decimal)
        if mark is not None:
            comma_ok = sep != "," and not (dots - {column})  # data.decimal: ',' changes none
            notes.append(_thousands_note(column, values, mark, decimal, comma_ok, texts))
            continue
        mark = thousands_mark(values, ",") if decimal == "." and sep != "," else None
        if mark is not None:  # 1.234,5: decimal commas and thousands marks
            notes.append(_comma_decimals_note(column, values, mark, dots - {column}))
            continue
        signed = [v for v in values if _has_sign(v)]
        if signed and decimal == "." and all(text_number(v) is not None for v in values):
            signs = sorted({ch for v in signed for ch in v if ch in CURRENCIES + "%"})
            notes.append(
                f"column {column!r} holds numbers written with {' and '.join(map(repr, signs))}"
                f" (e.g. {signed[0]!r}), read as text (categories): data.roles: "
                f"{{{column}: numeric}} reads them as numbers as written ({signed[0]!r} is "
                f"{text_number(signed[0]):g})")
    return notes


def _comma_decimals_note(column: str, values: list[str], mark: str, dots: set[str]) -> str:
    example = next(v for v in values if grouped(mark, ",").fullmatch(v))
    head = (f"column {column!r} holds numbers written with decimal commas and thousands "
            f"separators (e.g. {example!r}), read as text (categories)")
    if dots:
        return (f"{head}; column {sorted(dots)[0]!r} has numbers with a decimal point, so no "
                "one decimal mark reads both: write the file with one")
    return f"{head}: set data.decimal: ',' and data.thousands: {mark!r} to read them as numbers"


def _dot_decimals(frame: Any, texts: dict[str, list[str]]) -> set[str]:
    """The columns with numbers written with a decimal point: floats that are not whole,
    text such as ``39.1``."""
    import numpy as np
    import pandas as pd

    found = {c for c, values in texts.items()
             if any("." in v and plain().fullmatch(v) for v in values)}
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_float_dtype(series):
            values = series.dropna().to_numpy(dtype="float64")
            if len(values) and bool((np.mod(values, 1) != 0).any()):
                found.add(str(column))
    return found


def _thousands_note(column: str, values: list[str], mark: str, decimal: str,
                    comma_ok: bool, texts: dict[str, list[str]]) -> str:
    groups = grouped(mark, decimal)
    example = next(v for v in values if groups.fullmatch(v))
    head = (f"column {column!r} holds numbers written with thousands separators (e.g. "
            f"{example!r}), read as text (categories)")
    changed = _changed_by(mark, decimal, {c: v for c, v in texts.items() if c != column})
    if changed is not None:
        return (f"{head}: data.roles: {{{column}: numeric}} reads them as numbers "
                f"(data.thousands: {mark!r} would also change column {changed[0]!r}, where "
                f"{changed[1]!r} is not a thousands mark)")
    said = f"{head}: set data.thousands: {mark!r} to read them as numbers"
    single = all(v.count(mark) <= 1 and not re.search(rf"\d{{4}}{re.escape(mark)}", v)
                 for v in values)
    if mark == "," and comma_ok and single:  # 3,750 may be 3.75 with a decimal comma
        return (f"{said} ({example!r} as {example.replace(',', '')}); or, if ',' is their "
                f"decimal mark ({example!r} as {example.replace(',', '.')}), set "
                "data.decimal: ','")
    return said
