"""Each migration tool's record of what it has applied, computed for a set of migrations.

baseline rewrites that record so the tool sees the new set as applied. The values are the
ones each tool computes itself (sqlx's SHA-384 checksums, Flyway's CRC32 over lines, diesel's
versions without dashes), or the tool would call every file modified.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

from tui.core.sources import SourceSet

TABLES = {
    "sqlx": "_sqlx_migrations",
    "flyway": "flyway_schema_history",
    "diesel": "__diesel_schema_migrations",
    "golang-migrate": "schema_migrations",
    "dbmate": "schema_migrations",
    "goose": "goose_db_version",
}


def sqlx_checksum(data: bytes) -> bytes:
    """sqlx stores SHA-384 of the up file's bytes."""
    return hashlib.sha384(data).digest()


def flyway_checksum(data: bytes) -> int:
    """Flyway's CRC32 of the file's lines (without line endings, BOM dropped), as a signed int."""
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    crc = 0
    for line in text.splitlines():
        crc = zlib.crc32(line.encode("utf-8"), crc)
    return crc - (1 << 32) if crc >= (1 << 31) else crc


def _lit(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes):
        return f"'\\x{value.hex()}'::bytea"
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class Bookkeeping:
    """The table, the statements that make it list exactly `migrations`, and how many rows that is."""

    table: str
    statements: tuple[str, ...]
    count: int

    @property
    def sql(self) -> str:
        return "BEGIN;\n" + "\n".join(s + ";" for s in self.statements) + "\nCOMMIT;"


def bookkeeping(sources: SourceSet, root: Path) -> Bookkeeping:
    """The rewrite of the format's table for the migrations in `sources` (files read under `root`)."""
    fmt = sources.format
    table = TABLES[fmt]
    migs = [m for m in sources.migrations if m.readable]
    data = lambda m: (root / m.file).read_bytes()  # noqa: E731
    rows: list[tuple[object, ...]]
    if fmt == "sqlx":
        cols = "version, description, installed_on, success, checksum, execution_time"
        rows = [(int(m.version), m.name.replace("_", " "), _Raw("now()"), True, sqlx_checksum(data(m)), 0) for m in migs]
        stmts = [f"DELETE FROM {table}"]
    elif fmt == "flyway":
        cols = "installed_rank, version, description, type, script, checksum, installed_by, execution_time, success"
        rank = f"(SELECT coalesce(max(installed_rank), 0) FROM {table}) + "
        rows = [(_Raw(f"{rank}{i}"), m.version or None, m.name.replace("_", " "), "SQL", Path(m.file).name,
                 flyway_checksum(data(m)), _Raw("current_user"), 0, True) for i, m in enumerate(migs, 1)]
        # Rows Flyway writes for itself (the schema it created) stay.
        stmts = [f"DELETE FROM {table} WHERE type IN ('SQL', 'JDBC', 'BASELINE', 'SQL_BASELINE', 'DELETE', 'UNDO_SQL')"]
        # Each INSERT reads max(rank) again, so they go one by one.
        stmts += [f"INSERT INTO {table} ({cols}) VALUES ({', '.join(_val(v) for v in r)})" for r in rows]
        return Bookkeeping(table, tuple(stmts), len(rows))
    elif fmt == "diesel":
        cols = "version"
        rows = [(m.version.replace("-", ""),) for m in migs]
        stmts = [f"DELETE FROM {table}"]
    elif fmt == "golang-migrate":
        cols = "version, dirty"
        rows = [(int(migs[-1].version), False)] if migs else []
        stmts = [f"DELETE FROM {table}"]
    elif fmt == "dbmate":
        cols = "version"
        rows = [(m.version,) for m in migs]
        stmts = [f"DELETE FROM {table}"]
    else:
        cols = "version_id, is_applied"
        rows = [(0, True)] + [(int(m.version), True) for m in migs]
        stmts = [f"DELETE FROM {table}"]
    if rows:
        stmts.append(f"INSERT INTO {table} ({cols}) VALUES\n  " + ",\n  ".join(
            "(" + ", ".join(_val(v) for v in r) + ")" for r in rows))
    return Bookkeeping(table, tuple(stmts), len(migs))


class _Raw(str):
    """SQL written as it is (now(), current_user), not quoted."""


def _val(v: object) -> str:
    return str(v) if isinstance(v, _Raw) else _lit(v)

