"""The spec's view of a table's column kinds (:mod:`stratum_jupyter.catalog.column_kinds`):
which columns the user named (never identifiers), which identifiers the automatic
preprocessing leaves out of the table, and the candidates refused before any work because
their steps cannot take the table as it is.

Identifiers are left out of ``X`` itself, before any pipeline: the saved model's input
schema then lacks them, so a served model never asks for a row number.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import DataError, SpecIssue
from ..suggest import close_matches

if TYPE_CHECKING:
    from ..catalog.column_kinds import ColumnKind
    from .model import PipelineSpec

#: scikit-learn's text vectorizers: they take one column of documents, 1-D.
TEXT_VECTORIZERS = ("CountVectorizer", "TfidfVectorizer", "HashingVectorizer")
#: Blocks that take text or category columns as they are (the rest take numbers only).
TAKES_CATEGORIES = ("OneHotEncoder", "OrdinalEncoder", "TargetEncoder", "DictVectorizer",
                    "FeatureHasher", *TEXT_VECTORIZERS)
_NOT_NUMBERS = ("text", "categorical", "high_cardinality")


def kept_columns(spec: PipelineSpec) -> set[str]:
    """The columns the spec names itself: ``data.roles``, ``data.features`` and every
    column rule's column names (its own and each candidate's)."""
    kept: set[str] = set()
    if spec.data is not None:
        kept.update(spec.data.roles)
        kept.update(spec.data.features or ())
    settings = [spec.preprocessing, *(c.preprocessing for c in spec.candidates)]
    for setting in settings:
        for rule in getattr(setting, "columns", None) or ():
            kept.update([rule.select] if isinstance(rule.select, str) else rule.select)
    return kept


def table_kinds(spec: PipelineSpec | None, X: Any) -> dict[str, ColumnKind]:
    """Each column's kind (empty for anything but a DataFrame)."""
    import pandas as pd

    from ..catalog.column_kinds import column_kinds

    if not isinstance(X, pd.DataFrame):
        return {}
    return column_kinds(X, kept_columns(spec) if spec is not None else ())


def uses_auto(spec: PipelineSpec) -> bool:
    return any(spec.preprocessing_for(c) == "auto" for c in spec.candidates)


def without_identifiers(spec: PipelineSpec, X: Any) -> tuple[Any, list[str]]:
    """``(X, notes)``: the table less its identifier columns when a candidate uses the
    automatic preprocessing, with a note naming them and how to keep them (otherwise the
    table as it is, with a note naming them and how to drop them). DataError when every
    column is one under the automatic preprocessing (nothing would be left to learn from)."""
    from ..catalog.column_kinds import identifier_note, of_kind

    kinds = table_kinds(spec, X)
    ids = of_kind(kinds, "identifier")
    if not ids:
        return X, []
    if not uses_auto(spec):  # the user's own preprocessing decides: said, not done
        why = "; ".join(f"{c!r}: {kinds[c].reason}" for c in ids)
        return X, [f"identifier column{'s' if len(ids) > 1 else ''} kept as "
                   f"feature{'s' if len(ids) > 1 else ''} ({why}): no candidate uses "
                   "preprocessing: auto, so the candidates get the table as it is, and a "
                   "model that learns from one needs it at every prediction; leave them out "
                   f"with data.drop: [{', '.join(ids)}]"]
    if len(ids) == X.shape[1]:
        raise DataError([SpecIssue(("data", "features"), (
            f"every column looks like an identifier ({', '.join(ids)}: "
            f"{kinds[ids[0]].reason}): nothing is left to learn from; give one a role "
            "(data.roles: {" + ids[0] + ": numeric}) or list it in data.features to keep it"),
            value=ids)])
    return X.drop(columns=[c for c in X.columns if str(c) in set(ids)]), [identifier_note(kinds)]


def check_steps_fit_table(spec: PipelineSpec, X: Any) -> None:
    """Refuse, before any work, a candidate under ``preprocessing: auto`` with steps of its
    own that cannot take the table: a text vectorizer first (it takes one column, 1-D, and
    would read the table's header as its one document), or only steps for numbers on a
    table with text or category columns (naming them and the fixes). Why refuse rather
    than encode in front: the candidate's own steps say how its input is prepared; an
    encoder slipped before them would change what they mean."""
    from .pipeline import auto_applies

    kinds = table_kinds(spec, X)
    words = [c for c in of_kinds(kinds) if c in set(map(str, getattr(X, "columns", [])))]
    issues = []
    for i, cand in enumerate(spec.candidates):
        if spec.preprocessing_for(cand) != "auto" or auto_applies(cand) or not kinds:
            continue
        blocks = [s.block for s in cand.steps]
        if blocks[0] in TEXT_VECTORIZERS:
            issues.append(SpecIssue(("candidates", i, "steps", 0), (
                f"{blocks[0]} takes one text column (1-D), but would get the table "
                f"[{', '.join(kinds)}] (2-D); hand it one column with a column rule "
                "(preprocessing: {columns: [{select: <column name>, steps: [{" + blocks[0]
                + ": {}}]}]}), or leave it out: preprocessing auto vectorises free text"),
                value=blocks[0]))
        elif words and not any(b in TAKES_CATEGORIES for b in blocks):
            issues.append(SpecIssue(("candidates", i, "steps"), (
                f"candidate {cand.name!r}: its steps ({', '.join(blocks)}) take numbers, but "
                f"the table has text or category columns [{', '.join(words)}]; leave out "
                "its transformers (preprocessing auto then treats each column by what it "
                "holds), give it column rules (preprocessing: {columns: [...]}), or keep "
                "numeric columns only (data.features)"), value=blocks))
    if issues:
        raise DataError(issues)


def of_kinds(kinds: dict[str, ColumnKind]) -> list[str]:
    """The columns that are not numbers (text, categories)."""
    return [name for name, kind in kinds.items() if kind.kind in _NOT_NUMBERS]


def select_issues(rule: Mapping[str, Any], path: tuple[Any, ...]) -> Iterator[SpecIssue]:
    """A column rule's ``select`` fits its first step: a text vectorizer takes one column
    by its name (a string: 1-D); any other step a table (a list of names or a selector)."""
    from .model import SELECTORS

    select, steps = rule.get("select"), rule.get("steps") or []
    first = steps[0] if isinstance(steps, list) and steps else None
    first = next(iter(first), None) if isinstance(first, dict) else first
    one_column = isinstance(select, str) and select not in SELECTORS
    if first in TEXT_VECTORIZERS and not one_column:
        shown = select[0] if isinstance(select, list) and len(select) == 1 else "<column name>"
        yield SpecIssue((*path, "select"), (
            f"{first} takes one text column (1-D), but select: {select!r} hands it a table "
            f"(2-D), whose column names it would read as its documents; write select: {shown}"
            " (one column's name as a string), one rule per text column"),
            value=select, allowed="one column's name")
    elif one_column and first not in TEXT_VECTORIZERS:
        yield SpecIssue((*path, "select"), (
            f"select: {select!r} hands the column {select!r} alone, 1-D, which only a text "
            f"vectorizer ({', '.join(TEXT_VECTORIZERS)}) takes; write select: [{select}] for "
            f"a table of that column, or one of {', '.join(SELECTORS)}"),
            value=select, allowed=f"a list of column names or {', '.join(SELECTORS)}",
            suggestions=close_matches(select, SELECTORS))
