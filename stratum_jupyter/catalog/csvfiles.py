"""How a CSV file is read: the spec's read options (``data.sep``, ``decimal``, ``thousands``,
``encoding``, ``na_values``) with what it leaves out detected from the head of the file.

:func:`csv_options` is the one answer: the evaluation reads ``pandas.read_csv(path,
**csv_options(path, ...))`` and generated code makes the same call, so both read a table
alike. Detection reads the first MiB of a local file, through its decompressor when it is
compressed (``.gz``, ``.bz2``, ``.xz``, ``.zip``; a URL or another compression is read with
the defaults):

- encoding: a BOM says it; else UTF-8 when the head decodes as UTF-8, else cp1252, else
  latin-1. The UTF-8 family is read as ``utf-8-sig``, so a BOM never sticks to a header.
- separator: ``csv.Sniffer`` on the first lines, among ``,`` ``;`` tab ``|`` (``,`` when it
  cannot tell, e.g. a single column). pandas' own ``sep=None`` sniffs the first line only
  and takes a space for the separator of a header such as ``bill length|body mass``.
- decimal mark: ``,`` when the separator is not ``,`` and a column of the first lines holds
  numbers written with decimal commas (``39,1``) and no other numbers; else ``.``. A column
  whose every comma could be a thousands mark (``3,750``, ``12,500,000``) says nothing
  either way (it is then read as text and noted, see :mod:`.numbertext`); with
  ``data.thousands`` given, the decimal mark is never that mark.

``data.thousands`` (not detected) is passed to ``pandas.read_csv(thousands=...)``.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import lzma
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SEPARATORS = ",;\t|"
DEFAULTS = {"sep": ",", "decimal": ".", "encoding": "utf-8-sig"}
HEAD_BYTES = 1 << 20  # what detection reads of a file
SNIFF_LINES = 100  # the lines the separator and the decimal mark are judged on
_COMMA_NUMBER = re.compile(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?")
_COMMA_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")  # 3,750: a decimal comma, or not
_INTEGER = re.compile(r"[+-]?\d+")


def csv_options(path: str | Path, *, sep: str | None = None, decimal: str | None = None,
                encoding: str | None = None, na_values: Sequence[Any] | None = None,
                thousands: str | None = None) -> dict[str, Any]:
    """The keyword arguments of ``pandas.read_csv`` that read ``path`` as stratum does: the
    options given, and the separator, decimal mark and encoding detected when not given.
    Leading spaces after a separator are skipped (``a, b, c``)."""
    if sep is None or decimal is None or encoding is None:
        head = head_bytes(path)
        encoding = detect_encoding(head) if encoding is None else encoding
        lines = _lines(head, normal_encoding(encoding))
        sep = detect_separator(lines) if sep is None else sep
        if decimal is None:
            decimal = detect_decimal(lines, sep)
            if decimal == thousands:  # the mark given for thousands is not the decimal one
                decimal = "." if thousands == "," else ","
    return fixed_options(sep, decimal, encoding, na_values, thousands)


def fixed_options(sep: str, decimal: str, encoding: str,
                  na_values: Sequence[Any] | None = None,
                  thousands: str | None = None) -> dict[str, Any]:
    """What :func:`csv_options` gives when nothing is left to detect (no file is read)."""
    options: dict[str, Any] = {"sep": sep, "decimal": decimal,
                               "encoding": normal_encoding(encoding), "skipinitialspace": True}
    if thousands:
        options["thousands"] = thousands
    if na_values:
        options["na_values"] = list(na_values)
    return options


def normal_encoding(encoding: str) -> str:
    """``utf-8`` (any spelling) reads as ``utf-8-sig``: the same text, a BOM dropped."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return encoding  # pandas names the unknown encoding
    return "utf-8-sig" if name == "utf-8" else encoding


def head_bytes(path: str | Path) -> bytes | None:
    """The first MiB of a local file, decompressed where its suffix names gzip, bz2, xz or
    zip (the zip's first file, as pandas reads it); None for a URL, another compression
    (``.zst``, ``.tar``) or a file that cannot be read (reading the table names why)."""
    text = str(path)
    suffix = Path(text).suffix.lower()
    if "://" in text or suffix in (".zst", ".tar"):
        return None
    try:
        if suffix == ".zip":
            with zipfile.ZipFile(text) as archive:
                files = [info for info in archive.infolist() if not info.is_dir()]
                with archive.open(files[0]) as fh:
                    return fh.read(HEAD_BYTES)
        opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(suffix, open)
        with opener(text, "rb") as fh:
            return fh.read(HEAD_BYTES)
    except (OSError, EOFError, IndexError, zipfile.BadZipFile, lzma.LZMAError):
        return None


def detect_encoding(head: bytes | None) -> str:
    if head is None or head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) == HEAD_BYTES:  # cut: the last line may end inside a character
        head = head[: head.rfind(b"\n") + 1]
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return "utf-8-sig" if encoding == "utf-8" else encoding
    return "latin-1"


def _lines(head: bytes | None, encoding: str) -> list[str]:
    if not head:
        return []
    text = head.decode(encoding, errors="replace")
    lines = text.splitlines(keepends=True)
    if len(head) == HEAD_BYTES and len(lines) > 1:
        lines = lines[:-1]  # cut in the middle
    return lines[:SNIFF_LINES]


def detect_separator(lines: list[str]) -> str:
    """The separator of these lines among :data:`SEPARATORS` (``,`` when unsure)."""
    if len(lines) < 1:
        return DEFAULTS["sep"]
    try:
        return csv.Sniffer().sniff("".join(lines), delimiters=SEPARATORS).delimiter
    except csv.Error:  # e.g. a single column
        return DEFAULTS["sep"]


def detect_decimal(lines: list[str], sep: str) -> str:
    """``,`` when a column below the header holds numbers with decimal commas only."""
    if sep == "," or len(lines) < 2:
        return DEFAULTS["decimal"]
    rows = list(csv.reader(lines[1:], delimiter=sep, skipinitialspace=True))
    width = max((len(row) for row in rows), default=0)
    for j in range(width):
        values = [row[j].strip() for row in rows
                  if j < len(row) and any(ch.isdigit() for ch in row[j])]
        commas = [v for v in values if _COMMA_NUMBER.fullmatch(v)]
        if all(_COMMA_THOUSANDS.fullmatch(v) for v in commas):
            continue  # 3,750 may be 3.75 or 3750: not a sign of decimal commas
        if commas and all(_COMMA_NUMBER.fullmatch(v) or _INTEGER.fullmatch(v) for v in values):
            return ","
    return DEFAULTS["decimal"]


def detected(options: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """The options detected (not given) that differ from pandas' defaults."""
    return {key: options[key] for key, default in DEFAULTS.items()
            if given.get(key) is None and options.get(key) != default}
