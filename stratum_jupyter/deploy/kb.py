"""The dependency knowledge base: an embedded SQLite database of what each component of a
deployment needs on each target (pinned pip packages, apt packages, base images, which wheels
exist for which architecture, runtime memory).

It is built in memory from the seed shipped in the package (``data/kb.yaml``), then the user's
own database (``$STRATUM_KB``, else ``$XDG_CONFIG_HOME/stratum/kb.sqlite``) is laid over it:
a user row replaces the seed row with the same key. Every query is parameterised; table and
column names come only from :data:`SCHEMA`.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from .. import envvars
from ..errors import StratumError

# table -> (columns with SQLite types, key columns). Keys decide which row a user row replaces.
SCHEMA: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "wheels": ({"package": "TEXT", "arch": "TEXT", "available": "INTEGER", "note": "TEXT"},
               ("package", "arch")),
    "pins": ({"component": "TEXT", "package": "TEXT", "version": "TEXT"},
             ("component", "package")),
    "apt": ({"component": "TEXT", "target": "TEXT", "package": "TEXT"},
            ("component", "target", "package")),
    "base_images": ({"target": "TEXT", "kind": "TEXT", "image": "TEXT", "python": "TEXT"},
                    ("target", "kind")),
    "runtime_memory": ({"component": "TEXT", "memory_mb": "INTEGER"}, ("component",)),
    "quantized": ({"format": "TEXT", "quantize": "TEXT", "arch": "TEXT", "package": "TEXT",
                   "version": "TEXT", "python": "TEXT", "available": "INTEGER",
                   "note": "TEXT", "source": "TEXT"}, ("format", "quantize", "arch")),
}


def normalize(package: str) -> str:
    """PEP 503 name normalisation: ``Scikit_Learn`` -> ``scikit-learn``."""
    return str(canonicalize_name(package))


def user_db_path() -> Path:
    own = envvars.KB.get()
    if own:
        return Path(own)
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "stratum" / "kb.sqlite"


def _create(conn: sqlite3.Connection) -> None:
    for table, (columns, key) in SCHEMA.items():
        cols = ", ".join(f"{c} {t}" for c, t in columns.items())
        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols}, PRIMARY KEY ({', '.join(key)}))")


def _upsert(conn: sqlite3.Connection, table: str, row: Mapping[str, Any]) -> None:
    columns, _ = SCHEMA[table]
    names = [c for c in columns if c in row]
    marks = ", ".join("?" for _ in names)
    conn.execute(f"INSERT OR REPLACE INTO {table} ({', '.join(names)}) VALUES ({marks})",
                 [row[c] for c in names])


def check_row(table: str, row: Mapping[str, Any], *, need_key: bool = True) -> dict[str, Any]:
    """Validate a row against :data:`SCHEMA`: known table and columns, typed values."""
    if table not in SCHEMA:
        raise StratumError(f"kb: unknown table {table!r} (allowed: {', '.join(SCHEMA)})")
    columns, key = SCHEMA[table]
    unknown = sorted(set(row) - set(columns))
    if unknown:
        raise StratumError(f"kb: {table} has no column {', '.join(map(repr, unknown))} "
                           f"(allowed: {', '.join(columns)})")
    missing = [k for k in key if k not in row] if need_key else []
    if missing:
        raise StratumError(f"kb: {table} rows need {', '.join(missing)} "
                           f"(key: {', '.join(key)})")
    out: dict[str, Any] = {}
    for name, value in row.items():
        if columns[name] == "INTEGER":
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered in {"true", "yes"}:
                    value = 1
                elif lowered in {"false", "no"}:
                    value = 0
                elif re.fullmatch(r"-?[0-9]+", lowered):
                    value = int(lowered)
                else:
                    raise StratumError(f"kb: {table}.{name} must be an integer or yes/no, "
                                       f"got {value!r}")
            value = int(value)
        elif value is not None:
            value = str(value)
            if name == "package" and table in {"wheels", "pins", "quantized"}:
                value = normalize(value)
        out[name] = value
    return out


class KnowledgeBase:
    """The merged knowledge base (seed + user rows), queried with parameters only."""

    def __init__(self, user_db: str | Path | None = None, *, seed: Mapping[str, Any] | None = None):
        self.user_db = Path(user_db) if user_db is not None else user_db_path()
        self.conn = sqlite3.connect(":memory:")
        self.conn.row_factory = sqlite3.Row
        _create(self.conn)
        for table, rows in (seed if seed is not None else load_seed()).items():
            for row in rows:
                _upsert(self.conn, table, check_row(table, row))
        if self.user_db.is_file():
            with closing(sqlite3.connect(self.user_db)) as user:
                user.row_factory = sqlite3.Row
                for table in SCHEMA:
                    exists = user.execute("SELECT 1 FROM sqlite_master WHERE type='table' "
                                          "AND name=?", (table,)).fetchone()
                    if exists:
                        for row in user.execute(f"SELECT * FROM {table}"):
                            _upsert(self.conn, table, dict(row))
        self.conn.commit()

    # -- queries ------------------------------------------------------------------------------
    def rows(self, table: str, **where: Any) -> list[dict[str, Any]]:
        where = check_row(table, where, need_key=False)
        clause = " AND ".join(f"{c} = ?" for c in where)
        sql = f"SELECT * FROM {table}" + (f" WHERE {clause}" if clause else "")
        order = ", ".join(SCHEMA[table][1])
        return [dict(r) for r in self.conn.execute(f"{sql} ORDER BY {order}", list(where.values()))]

    def wheel(self, package: str, arch: str) -> dict[str, Any] | None:
        """The wheel row for ``package`` on ``arch`` (or its pure-Python row); None if unknown."""
        row = self.conn.execute(
            "SELECT * FROM wheels WHERE package = ? AND arch IN (?, 'any') "
            "ORDER BY arch = 'any' LIMIT 1", (normalize(package), arch)).fetchone()
        return dict(row) if row else None

    def pins(self, component: str) -> list[str]:
        return [f"{r['package']}=={r['version']}" for r in self.rows("pins", component=component)]

    def apt_packages(self, component: str, target: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT DISTINCT package FROM apt WHERE component = ? AND target IN (?, '*') "
            "ORDER BY package", (component, target)).fetchall()
        return [r["package"] for r in rows]

    def base_image(self, target: str, kind: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM base_images WHERE target = ? AND kind = ?",
                                (target, kind)).fetchone()
        return dict(row) if row else None

    def quantized(self, fmt: str, quantize: str, arch: str) -> dict[str, Any] | None:
        """The runtime that runs ``fmt`` models quantized as ``quantize`` on ``arch``: its
        package, pinned version, the Pythons it has wheels for (``"3.10,3.11"``), whether
        it is available, why (``note``) and where that is written (``source``); None if
        unknown."""
        row = self.conn.execute("SELECT * FROM quantized WHERE format = ? AND quantize = ? "
                                "AND arch = ?", (fmt, quantize, arch)).fetchone()
        return dict(row) if row else None

    def runtime_memory(self, component: str) -> int:
        row = self.conn.execute("SELECT memory_mb FROM runtime_memory WHERE component = ?",
                                (component,)).fetchone()
        return int(row["memory_mb"]) if row else 0


def load_seed() -> dict[str, list[dict[str, Any]]]:
    import yaml

    text = resources.files(__package__).joinpath("data/kb.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@contextmanager
def _user(path: Path | None) -> Iterator[sqlite3.Connection]:
    path = path or user_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as conn:
        _create(conn)
        yield conn
        conn.commit()


def set_row(table: str, row: Mapping[str, Any], *, user_db: Path | None = None) -> dict[str, Any]:
    """Add or replace a row in the user's database (it then overrides the seed)."""
    clean = check_row(table, row)
    with _user(user_db) as conn:
        _upsert(conn, table, clean)
    return clean


def remove_rows(table: str, where: Mapping[str, Any], *, user_db: Path | None = None) -> int:
    """Delete matching rows from the user's database; the seed's rows come back."""
    clean = check_row(table, where, need_key=False)
    if not clean:
        raise StratumError("kb: say which rows to remove (column=value ...)")
    with _user(user_db) as conn:
        clause = " AND ".join(f"{c} = ?" for c in clean)
        return conn.execute(f"DELETE FROM {table} WHERE {clause}", list(clean.values())).rowcount
