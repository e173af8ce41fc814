"""node-pg-migrate's SQL migrations: `<timestamp>_<name>.sql`, the up part after a `-- Up Migration`
comment and the down part after `-- Down Migration` (a file without the up comment runs whole as
its up part). node-pg-migrate sends the part as one query inside a transaction, in the order of
the names' timestamps (13 digits of milliseconds, or 17 of UTC date and time). Bookkeeping:
`pgmigrations`, one row a migration, named as its file less the extension."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tui.core.errors import WARNING, Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Raw, Recorded, listing, read_text, rel, replace_rows
from tui.core.formats.unread import unread_migration

# As node-pg-migrate finds them (its sqlMigration): anywhere in the file, case aside; the rest of
# the comment's line belongs to the comment.
UP = re.compile(r"^\s*--[\s-]*up\s+migration.*$", re.MULTILINE | re.IGNORECASE)
_DOWN = re.compile(r"^\s*--[\s-]*down\s+migration.*$", re.MULTILINE | re.IGNORECASE)
_SCRIPTS = (".js", ".cjs", ".mjs", ".ts")


def _timestamp(name: str) -> int:
    """node-pg-migrate's order: the digits the name starts with, a UTC date and time where they are
    17 (`20240101120000000`); 0 where there are none (node-pg-migrate refuses such a name)."""
    prefix = name[:len(name) - len(name.lstrip("0123456789"))]
    if not prefix:
        return 0
    if len(prefix) == 17:
        try:
            at = datetime.strptime(prefix[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        except ValueError:
            return int(prefix)
        return int(at.timestamp()) * 1000 + int(prefix[14:])
    return int(prefix)


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others: list[str] = []
    for p in listing(folder):
        where = rel(p, root)
        if not p.is_file() or p.name.startswith("."):  # (node-pg-migrate passes over dot files)
            others.append(where)
            continue
        if p.suffix in _SCRIPTS:
            diags.append(unread_migration(where, "node-pg-migrate runs this script migration"))
            continue
        if p.suffix != ".sql":
            others.append(where)
            continue
        text, ok = read_text(p, root, diags, where)
        up, first_line, down = _parts(text)
        if ok and not UP.search(text) and _DOWN.search(text):
            diags.append(Diagnostic(where, 1, WARNING, "no `-- Up Migration` comment: node-pg-migrate runs the whole file as "
                                    "the up migration, its down part too"))
        stem, _, name = p.stem.partition("_")
        found.append(Migration(version=stem if stem.isdigit() else "", name=name if stem.isdigit() else p.stem, file=where,
                               sql=up if ok else "", first_line=first_line, down_sql=down, single_query=True,
                               sort_key=(_timestamp(p.name), p.stem), readable=ok))
    return found, others


def _parts(text: str) -> tuple[str, int, str]:
    """The up part, the line it starts on and the down part."""
    up, down = UP.search(text), _DOWN.search(text)
    if up is None:
        return text, 1, ""
    end = down.start() if down is not None and down.start() > up.end() else len(text)
    down_text = text[down.end():up.start() if down.start() < up.start() else len(text)] if down is not None else ""
    return text[up.end():end], text.count("\n", 0, up.end()) + 1, down_text


def _stamp(version: str) -> str:
    # 13 digits, as node-pg-migrate names its files: releases before 7 log "Can't determine
    # timestamp" at each run for each file whose number has another length.
    return version if len(version) in (13, 17) else f"{int(version or 0):013d}"


def layout(f: NewFile, reversible: bool) -> Layout:
    up = f.header + f.body
    return Layout(f"{_stamp(f.version)}_{f.group}.sql", "-- Up Migration\n" + up + "\n-- Down Migration\n" + f.down, up_text=up)


def _ident(m: Migration) -> str:
    return Path(m.file).stem


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    return replace_rows(FORMAT.table, "name, run_on", [(_ident(m), Raw("now()")) for m in migs], len(migs))


FORMAT = Format("node-pg-migrate", "pgmigrations", read, layout, bookkeeping, recorded=Recorded("SELECT name FROM pgmigrations", _ident),
                dot_docs=True)
