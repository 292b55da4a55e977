"""What each column of a table holds, decided once: the evaluation's automatic
preprocessing, its log, the builder's column table and the generated code all call
:func:`column_kinds` on the same table and so treat every column alike.

A column's kind is one of :data:`KINDS`:

- ``numeric``, ``boolean``, ``datetime``: by its dtype (as ``make_column_selector`` sees it);
- ``identifier``: unique per row, so it names rows instead of describing them, and a model
  would learn nothing from it (or something that moves with the row order): a header
  ``Unnamed: N`` (a CSV file written with its index), a duplicated header that pandas
  renamed (``x.1`` beside ``x``), integers that are a sequence (every value once, no gap)
  under a header that names row numbers or keys (``id``, ``row_id``, ``PassengerId``,
  ``index``, ``No.``; a sequence named otherwise may be a time step, which is a feature), or
  short text with as many distinct values as rows. Needs
  :data:`MIN_ROWS` rows for the last two (a tiny table is unique by chance);
- ``text``: free text: many distinct (more than :data:`MAX_CATEGORIES`, at least half the
  rows) values of :data:`TEXT_WORDS` words or more on average, none missing (scikit-learn's
  text vectorizers take no gaps: such a column is ``high_cardinality``, saying why);
- ``high_cardinality``: a category column with more than :data:`MAX_CATEGORIES` values
  (one-hot encoding keeps the most frequent and folds the rest into "infrequent");
- ``categorical``: any other text or ``category`` column.

A column named in ``keep`` (the spec's ``data.roles`` and ``data.features``) is never an
identifier: the user said what it is. ``category`` columns (``data.roles: categorical``)
are categories, never text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

KINDS: tuple[str, ...] = ("numeric", "categorical", "high_cardinality", "text", "identifier",
                          "boolean", "datetime")
MAX_CATEGORIES = 20  # OneHotEncoder(max_categories=...) of the automatic preprocessing
MIN_ROWS = 20  # fewer rows: a column unique per row may be so by chance
TEXT_WORDS = 3.0  # mean words per value from which distinct values are free text
_SAMPLE = 2000  # distinct values whose words are counted (enough to tell sentences)
_UNNAMED = re.compile(r"Unnamed: \d+")
# Headers of row numbers and keys: id, ID, row_id, PassengerId, index, row, No., #, key, ...
_ID_HEADER = re.compile(r"(?:.*[_\s.-])?(?i:id|ids|idx|index|key|row|row ?(?:no|nr|num|number)"
                        r"|no\.?|nr\.?|#|record|serial|seq|uuid)|.*[a-z](?:Id|ID)")
_RENAMED = re.compile(r"(.+)\.(\d+)")


@dataclass(frozen=True)
class ColumnKind:
    """One column's kind (:data:`KINDS`), its distinct values (non-missing) and why."""

    kind: str
    distinct: int
    reason: str = ""


def column_kinds(frame: Any, keep: Iterable[str] = ()) -> dict[str, ColumnKind]:
    """Each column of the DataFrame ``frame`` by name (as text), in order: its kind (see the
    module's docstring). Columns of no known kind (objects, complex numbers) are left out.
    Reads the table only; O(rows) per column."""
    import pandas as pd

    keep = {str(c) for c in keep}
    names = [str(c) for c in frame.columns]
    kinds = {}
    for i, name in enumerate(names):
        series = frame.iloc[:, i]
        try:
            kind = _kind(series, name, names, name in keep, pd)
        except TypeError:  # unhashable values (lists, dicts): no kind to tell
            kind = None
        if kind is not None:
            kinds[name] = kind
    return kinds


def _kind(series: Any, name: str, names: list[str], kept: bool, pd: Any) -> ColumnKind | None:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return ColumnKind("boolean", int(series.nunique()))
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return ColumnKind("datetime", int(series.nunique()))
    header = None if kept else _header_reason(name, names)
    if header:
        return ColumnKind("identifier", int(series.nunique(dropna=True)), header)
    if isinstance(dtype, pd.CategoricalDtype):
        return _categories(int(series.nunique()))
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        if not kept and pd.api.types.is_integer_dtype(dtype) and _ID_HEADER.fullmatch(name) \
                and _sequence(series):
            return ColumnKind("identifier", len(series),
                              "integers numbering the rows (each once, no gap)")
        return ColumnKind("numeric", int(series.nunique()))
    if not (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)):
        return None
    return _text_kind(series, kept)


def _header_reason(name: str, names: list[str]) -> str:
    if _UNNAMED.fullmatch(name):
        return "a column without a header (a CSV file written with its index)"
    renamed = _RENAMED.fullmatch(name)
    if renamed and renamed.group(1) in names:
        return f"a second column headed {renamed.group(1)!r} (pandas renamed it)"
    return ""


def _sequence(series: Any) -> bool:
    """Integers 0..n-1, 1..n or any run of consecutive values, each once, none missing."""
    n = len(series)
    if n < MIN_ROWS or series.isna().any():
        return False
    low, high = series.min(), series.max()
    return bool(int(high) - int(low) + 1 == n and series.nunique() == n)


def _text_kind(series: Any, kept: bool) -> ColumnKind:
    values = series.dropna()
    strings = values[values.map(lambda v: isinstance(v, str))]
    distinct = int(values.nunique())
    if len(strings) < len(values) or distinct <= MAX_CATEGORIES:
        return _categories(distinct)  # mixed values, or few: categories as they are
    words = _mean_words(strings)
    if distinct * 2 >= len(values) and words >= TEXT_WORDS:
        gaps = len(series) - len(values)
        if gaps:  # TfidfVectorizer takes no missing document
            return ColumnKind("high_cardinality", distinct, (
                f"free text with {gaps} missing cells: one-hot encoded as {distinct} "
                "categories (the text vectorizer takes no gaps: fill them to vectorise "
                f"it), the {MAX_CATEGORIES - 1} most frequent kept, "
                f"{distinct - MAX_CATEGORIES + 1} folded into one 'infrequent' column"))
        return ColumnKind("text", distinct, f"free text ({distinct} distinct values of "
                                            f"{words:.0f} words on average)")
    if not kept and distinct == len(series) and len(series) >= MIN_ROWS:
        return ColumnKind("identifier", distinct, "a different value on every row")
    return _categories(distinct)


def _mean_words(strings: Any) -> float:
    sample = strings.drop_duplicates().head(_SAMPLE)
    return float(sample.str.split().str.len().mean()) if len(sample) else 0.0


def _categories(distinct: int) -> ColumnKind:
    if distinct > MAX_CATEGORIES:
        return ColumnKind("high_cardinality", distinct,
                          f"{distinct} categories: one-hot encoding keeps the "
                          f"{MAX_CATEGORIES - 1} most frequent, {distinct - MAX_CATEGORIES + 1}"
                          " folded into one 'infrequent' column")
    return ColumnKind("categorical", distinct)


def of_kind(kinds: Mapping[str, ColumnKind], *wanted: str) -> list[str]:
    """The columns of the wanted kinds, in table order."""
    return [name for name, kind in kinds.items() if kind.kind in wanted]


def identifier_note(kinds: Mapping[str, ColumnKind]) -> str:
    """The note naming the identifier columns left out, why, and how to keep one."""
    ids = of_kind(kinds, "identifier")
    why = "; ".join(f"{c!r}: {kinds[c].reason}" for c in ids)
    return (f"identifier column{'s' if len(ids) > 1 else ''} left out ({why}): a model "
            "never needs them. To keep one, give it a role (data.roles: {" + ids[0] +
            ": categorical}) or list it in data.features")


def kind_notes(kinds: Mapping[str, ColumnKind]) -> list[str]:
    """What the automatic preprocessing does with the columns it treats specially, one line
    each: free text vectorised, many categories folded."""
    notes = []
    for c in of_kind(kinds, "text"):
        notes.append(f"column {c!r} holds {kinds[c].reason}: vectorised by TfidfVectorizer "
                     "(words weighted by TF-IDF); data.roles: {" + c + ": categorical} "
                     "one-hot encodes it instead")
    for c in of_kind(kinds, "high_cardinality"):
        notes.append(f"column {c!r}: {kinds[c].reason}; a column rule with TargetEncoder "
                     "(select: [" + c + "]) encodes every category instead")
    return notes
