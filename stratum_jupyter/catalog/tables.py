"""Reading the table a spec names, as people have it: a CSV file with its own separator,
decimal mark, encoding and markers of missing cells (:mod:`.csvfiles`), numbers written as
text noted with the option that reads them (:mod:`.numbertext`), header names
trimmed, columns cast as ``data.roles`` says (:mod:`.roles`), every column the spec names
checked first, with one message naming what is missing and what is there.

Mistakes raise :class:`~stratum_jupyter.errors.DataError` (bad input: exit code 2); what was
inferred while reading comes back as notes (shown in the evaluation's log)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import DataError, SpecIssue
from ..suggest import close_matches
from .csvfiles import SEPARATORS, csv_options, detected
from .datafiles import mark_missing, read_excel, read_json, workbook_kind, workbook_message
from .numbertext import number_text_notes
from .roles import apply_roles, with_dates
from .rows import arrange_rows

READ_OPTIONS = ("sep", "decimal", "thousands", "encoding", "na_values",
                "sheet")  # DataSpec's read options
CSV_OPTIONS = READ_OPTIONS[:5]
_NAMES = {"sep": "separator", "decimal": "decimal mark", "encoding": "encoding"}
_SHOWN_COLUMNS = 30


@dataclass(frozen=True)
class Table:
    """The features ``X``, the target ``y`` (None without one), what was inferred and the
    group labels of the folds (``data.groups``; None without)."""

    X: Any
    y: Any
    notes: tuple[str, ...] = ()
    groups: Any = None


def read_data(data: Any) -> Table:
    """The table of a spec's ``data`` (a ``DataSpec``, or anything with its fields)."""
    return read_table(data.source, target=data.target, features=data.features,
                      drop=data.drop, roles=data.roles,
                      options={key: getattr(data, key, None) for key in READ_OPTIONS},
                      order_by=getattr(data, "order_by", None),
                      groups=getattr(data, "groups", None))


def read_table(source: str, *, target: str | None = None,
               features: Sequence[str] | None = None, drop: Sequence[str] = (),
               roles: Mapping[str, str] | None = None,
               options: Mapping[str, Any] | None = None, order_by: str | None = None,
               groups: str | None = None) -> Table:
    """Read ``source`` (``csv:``, ``parquet:``, ``excel:``, ``json:`` or ``sklearn:``), check
    the columns the spec names, apply the roles, put the rows in order of ``order_by``, take
    out the ``groups`` column (:mod:`.rows`), split off the target. ``options``: the read
    options (:data:`READ_OPTIONS`; ``na_values`` apply to every file, ``sheet`` to Excel)."""
    from .sources import split_source

    scheme, location = split_source(source)
    frame, notes, read_with = _read(scheme, location, dict(options or {}))
    if scheme == "sklearn":
        target = target or "target"
    where = source if scheme == "sklearn" else location
    check_columns(frame, where, target=target, features=features, drop=drop, roles=roles,
                  rows={"order_by": order_by, "groups": groups})
    given = dict(roles or {})
    if scheme != "sklearn":
        roles = with_dates(frame, given, skip=[*([target] if target else []), *drop])
        notes += [f"{where}: column {c!r} holds year-first dates: read as dates (split into "
                  "parts by the automatic preprocessing; data.roles: {" + c + ": categorical} "
                  "keeps it as text)" for c in roles if c not in given]
    frame = apply_roles(frame, roles or {})
    arranged = arrange_rows(frame, order_by=order_by, groups=groups, where=where)
    frame, labels = arranged.frame, arranged.groups
    notes += arranged.notes
    y = frame.pop(target) if target else None
    if features:
        frame = frame[[c for c in features if c != target]]
    if drop:
        frame = frame.drop(columns=[c for c in drop if c in frame.columns])
    notes += marker_notes(frame, skip=set(roles or {}))
    if scheme == "csv":
        notes += number_text_notes(frame, read_with, skip=set(roles or {}))
    if frame.shape[1] == 1:
        hint = separator_hint([str(c) for c in frame.columns])
        notes += [f"{where}: {hint}"] if hint else []
    return Table(frame, y, tuple(notes), labels)


def _read(scheme: str, location: str, options: dict[str, Any]
          ) -> tuple[Any, list[str], dict[str, Any]]:
    """The table, notes on what was detected, and the ``read_csv`` options used."""
    import pandas as pd

    from .sources import SKLEARN_DATASETS, SOURCES

    if scheme == "sklearn":
        import sklearn.datasets

        if location not in SKLEARN_DATASETS:
            raise DataError([SpecIssue(("data", "source"),
                                       f"unknown scikit-learn data set {location!r}",
                                       value=location, allowed=", ".join(SKLEARN_DATASETS),
                                       suggestions=close_matches(location, SKLEARN_DATASETS))])
        return getattr(sklearn.datasets, f"load_{location}")(as_frame=True).frame, [], {}
    if scheme not in SOURCES:
        raise DataError([SpecIssue(("data", "source"), f"unknown data source {scheme!r}",
                                   value=scheme, allowed=", ".join(f"{s}:<...>" for s in SOURCES))])
    try:
        if scheme == "csv":
            return _read_csv(location, {k: options.get(k) for k in CSV_OPTIONS})
        if scheme == "parquet":
            frame = pd.read_parquet(location)
        elif scheme == "excel":
            frame = read_excel(location, options.get("sheet"))
        else:
            frame = read_json(location)
        return mark_missing(frame, options.get("na_values")), [], {}
    except DataError:  # said already (a workbook given as CSV, an unknown sheet)
        raise
    except ImportError as exc:  # openpyxl for Excel, pyarrow for Parquet
        raise DataError([SpecIssue(("data", "source"), f"cannot read {location}: {exc}")]
                        ) from None
    except (OSError, ValueError) as exc:  # no file, not its encoding, a ragged line, ...
        raise DataError([SpecIssue(("data", "source"),
                                   f"cannot read {location}: {_reason(exc)}")]) from None


def _read_csv(location: str, given: dict[str, Any]
              ) -> tuple[Any, list[str], dict[str, Any]]:
    import pandas as pd

    kind = workbook_kind(location)
    if kind is not None:  # else pandas blames the separator of a zip file
        raise DataError([SpecIssue(("data", "source"), workbook_message(location, kind),
                                   value=f"csv:{location}", allowed="excel:<path>")])
    options = csv_options(location, **given)
    frame = pd.read_csv(location, **options).rename(columns=str.strip)
    found = detected(options, given)
    if not found:
        return frame, [], options
    said = ", ".join(f"{_NAMES[k]} {v!r}" for k, v in found.items())
    fields = ", ".join(f"data.{k}" for k in found)
    them = "them" if len(found) > 1 else "it"
    return frame, [f"read {location} with {said} (detected; set {fields} to fix {them})"], \
        options


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, UnicodeDecodeError):
        return f"{text}; set data.encoding (e.g. latin-1, cp1252, utf-16)"
    if "tokenizing" in text or "Expected" in text:
        return f"{text}; is data.sep right?"
    return text


def check_columns(frame: Any, where: str, *, target: str | None = None,
                  features: Sequence[str] | None = None, drop: Sequence[str] = (),
                  roles: Mapping[str, str] | None = None,
                  rows: Mapping[str, str | None] | None = None) -> None:
    """Every column the spec names is in ``frame``: else one :class:`DataError` naming each
    missing one with close matches, the columns there are, and a hint when the separator
    looks wrong."""
    named: list[tuple[tuple[str | int, ...], str]] = [(("data", "target"), target)] \
        if target else []
    named += [(("data", "features", i), c) for i, c in enumerate(features or ())]
    named += [(("data", "drop", i), c) for i, c in enumerate(drop)]
    named += [(("data", "roles", c), c) for c in roles or {}]
    named += [(("data", key), c) for key, c in (rows or {}).items() if c is not None]
    columns = [str(c) for c in frame.columns]
    issues = [SpecIssue(path, f"{name!r} is not a column of {where}", value=name,
                        allowed=_listing(columns), suggestions=close_matches(name, columns))
              for path, name in named if name not in frame.columns]
    if issues:
        raise DataError(issues, missing_message(where, issues, columns))


def missing_message(where: str, issues: Sequence[SpecIssue], columns: Sequence[str]) -> str:
    """``'Species' is not a column of x.csv (data.target; did you mean 'species'?); its 8
    columns: species, island, ...`` and the separator hint, in one line."""
    parts = []
    for issue in issues:
        did = (f"; did you mean {' or '.join(repr(s) for s in issue.suggestions)}?"
               if issue.suggestions else "")
        parts.append((repr(issue.value), f"({issue.field}{did})"))
    if len(parts) == 1:
        head = f"{parts[0][0]} is not a column of {where} {parts[0][1]}"
    else:
        named = [" ".join(part) for part in parts]
        head = f"{', '.join(named[:-1])} and {named[-1]} are not columns of {where}"
    plural = "s" if len(columns) != 1 else ""
    text = f"{head}; its {len(columns)} column{plural}: {_listing(columns)}"
    hint = separator_hint(columns)
    return f"{text}; {hint}" if hint else text


def separator_hint(columns: Sequence[str]) -> str | None:
    """When a table has one column whose name holds a separator, it was split wrongly."""
    if len(columns) != 1:
        return None
    counts = {sep: columns[0].count(sep) for sep in SEPARATORS}
    sep, count = max(counts.items(), key=lambda item: item[1])
    if not count:
        return None
    return (f"the file has a single column whose name contains {sep!r}: the separator looks "
            f"wrong (set data.sep: {sep!r}, or leave data.sep out to detect it)")


def _listing(columns: Sequence[str]) -> str:
    shown = ", ".join(columns[:_SHOWN_COLUMNS])
    more = len(columns) - _SHOWN_COLUMNS
    return f"{shown}, ... ({more} more)" if more > 0 else shown


def marker_notes(frame: Any, skip: set[str]) -> list[str]:
    """A hint for each text column that holds numbers but for a few markers of missing
    cells (``?``, ``-``, ``n.a.``): they belong in data.na_values."""
    import pandas as pd

    notes = []
    for column in frame.columns:
        series = frame[column]
        if column in skip or not (pd.api.types.is_object_dtype(series)
                                  or pd.api.types.is_string_dtype(series)):
            continue
        values = series.dropna().astype(str).str.strip()
        others = values[pd.to_numeric(values, errors="coerce").isna()]
        markers = list(dict.fromkeys(others))
        if not len(others) or len(others) * 2 > len(values) or len(markers) > 3 \
                or any(any(ch.isdigit() for ch in m) or len(m) > 12 for m in markers):
            continue
        shown = " and ".join(repr(m) for m in markers)
        notes.append(f"column {column!r} holds numbers and {shown} ({len(others)} rows): add "
                     f"{shown} to data.na_values to read it as a number column")
    return notes
