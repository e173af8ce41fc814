"""Migration formats, one module each (how files are found, ordered, named, run and booked), in
one registry, with the detection that tells them apart from the files alone."""

from __future__ import annotations

from pathlib import Path

from tui.core.formats import dbmate, diesel, flyway, golang_migrate, goose, sqlx
from tui.core.formats.base import Format

FORMATS: dict[str, Format] = {f.name: f for f in (sqlx.FORMAT, golang_migrate.FORMAT, diesel.FORMAT, flyway.FORMAT,
                                                 dbmate.FORMAT, goose.FORMAT)}
# Read as another format (an alias the user may write).
ALIASES = {"atlas": "sqlx"}


def detect_format(folder: Path) -> str | None:
    """Guess the migration tool from the folder's file names and markers; None when nothing fits."""
    if not folder.is_dir():
        return None
    entries = sorted(folder.iterdir())
    if diesel.looks_like(entries):
        return diesel.FORMAT.name
    sql_files = [p for p in entries if p.is_file() and p.suffix == ".sql"]
    if flyway.looks_like(sql_files):
        return flyway.FORMAT.name
    for p in sql_files[:50]:
        head = p.read_bytes()[:65536].decode("utf-8", "replace")
        if dbmate.UP.search(head):
            return dbmate.FORMAT.name
        if goose.UP.search(head):
            return goose.FORMAT.name
    ups = [m for p in sql_files if (m := golang_migrate.PATTERN.match(p.name))]
    if ups:
        # sqlx's reversible files and golang-migrate share a shape; sqlx writes 14-digit timestamps.
        return sqlx.FORMAT.name if all(len(m.group(1)) >= 14 for m in ups) else golang_migrate.FORMAT.name
    if any(sqlx.PATTERN.match(p.name) for p in sql_files):
        return sqlx.FORMAT.name
    return None
