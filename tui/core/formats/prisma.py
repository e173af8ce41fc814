"""Prisma Migrate: one folder per migration, `<timestamp>_<name>/migration.sql`, applied in the
order of the folder names, beside `migration_lock.toml` (kept as it is). Prisma sends a
migration's script to PostgreSQL as one query, which runs as one implicit transaction (a new enum
label cannot be used in the file that adds it). Bookkeeping: `_prisma_migrations`, one row a
migration with the SHA-256 of its script, as `prisma migrate deploy` writes them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Raw, Recorded, listing, rel, replace_rows, up_down

SCRIPT = "migration.sql"
LOCK = "migration_lock.toml"
_DIR = re.compile(r"^(\d+)_(.*)$")


def looks_like(entries: list[Path]) -> bool:
    return any(p.name == LOCK and p.is_file() for p in entries) or any(p.is_dir() and (p / SCRIPT).is_file() for p in entries)


def checksum(data: bytes) -> str:
    """Prisma stores the SHA-256 of the script's bytes, in lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others: list[str] = []
    for p in listing(folder):
        m = _DIR.match(p.name) if p.is_dir() else None
        if not m or not (p / SCRIPT).is_file():
            others.append(rel(p, root))
            continue
        # Prisma orders by the whole folder name, not by a number.
        found.append(up_down(m.group(1), m.group(2), p / SCRIPT, None, root, diags, sort_key=(p.name,), single_query=True))
    return found, others


def layout(f: NewFile, reversible: bool) -> Layout:
    return Layout(f"{f.version}_{f.group}/{SCRIPT}", f.header + f.body)


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    cols = "id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count"
    rows: list[tuple[object, ...]] = [(Raw("gen_random_uuid()::text"), checksum(data(m)), Raw("now()"), Path(m.file).parent.name,
                                       None, None, Raw("now()"), 1) for m in migs]
    return replace_rows(FORMAT.table, cols, rows, len(migs))


FORMAT = Format("prisma", "_prisma_migrations", read, layout, bookkeeping,
                recorded=Recorded("SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
                                  lambda m: Path(m.file).parent.name))
