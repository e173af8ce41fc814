"""Flyway: versioned `V<version>__<name>.sql` (versions with dots or underscores), repeatable
`R__<name>.sql` (applied after the versions), baseline `B<version>__<name>.sql`; a script's
`<name>.sql.conf` may say `executeInTransaction=false` (else a script runs outside a transaction
where it holds a statement PostgreSQL refuses in one: flyway_transactions.py); `${name}` placeholders are read as markers
(flyway_placeholders.py). Bookkeeping: `flyway_schema_history`, with Flyway's CRC32 over each
file's lines."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import ERROR, INFO, WARNING, Diagnostic
from tui.core.formats.base import (
    BASELINE,
    REPEATABLE,
    VERSIONED,
    Bookkeeping,
    Format,
    Found,
    Layout,
    Migration,
    NewFile,
    Raw,
    Recorded,
    listing,
    literal,
    read_text,
    rel,
)
from tui.core.formats.flyway_placeholders import fill, mark, properties, unmark
from tui.core.formats.flyway_placeholders import settings as placeholder_settings
from tui.core.formats.flyway_transactions import outside_transaction
from tui.core.project import FLYWAY_VENDORS

_IN_TX = re.compile(r"^\s*executeInTransaction\s*=\s*(true|false)\b", re.M | re.I)
PATTERN = re.compile(r"^([VUB])(\d+(?:[._]\d+)*)__(.*)\.sql$|^(R)__(.*)\.sql$")


def checksum(data: bytes) -> int:
    """Flyway's CRC32 of the file's lines (without line endings, BOM dropped), as a signed int."""
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    crc = 0
    for line in text.splitlines():
        crc = zlib.crc32(line.encode("utf-8"), crc)
    return crc - (1 << 32) if crc >= (1 << 31) else crc


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.split(r"[._]", version) if p)


def looks_like(sql_files: list[Path]) -> bool:
    return any(PATTERN.match(p.name) for p in sql_files)


def looks_like_below(folder: Path, depth: int = 2) -> bool:
    """Flyway's scripts only in the folders under it, two levels down at most (`db/migration/{vendor}`,
    a folder a release): deeper, a folder of anything (a project's `src`) is not taken for one."""
    subs = [p for p in listing(folder) if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")]
    return any(looks_like([q for q in listing(sub) if q.is_file()]) or (depth > 1 and looks_like_below(sub, depth - 1)) for sub in subs)


def _other_vendors(folder: Path) -> list[Path]:
    """Where the folder holds one folder a database, `postgresql/` among them (a location with
    `{vendor}`), the other databases' folders, which Flyway does not read for PostgreSQL (the
    project's settings take postgresql/ for the folder itself, where nothing else is beside it)."""
    dirs = [p for p in listing(folder) if p.is_dir()]
    if not any(p.name == "postgresql" for p in dirs):
        return []
    return [p for p in dirs if p.name in FLYWAY_VENDORS and p.name != "postgresql"]


def _walk(folder: Path) -> list[Path]:
    """The folder's entries, those of its folders in their place: Flyway finds scripts in every
    folder under a location (a linked folder is not entered: it may lead back up)."""
    out: list[Path] = []
    for p in listing(folder):
        if p.is_dir() and not p.is_symlink():
            out.extend(_walk(p) or [p])  # (an empty folder is kept as the folder it is)
        else:
            out.append(p)
    return out


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others: list[str] = []
    props = properties(root)
    ph = placeholder_settings(root, props)
    mixed = props.get("flyway.mixed", "").lower() == "true"
    vendors = _other_vendors(folder)
    if vendors:
        shared = [p.name for p in listing(folder) if p.is_dir() and p.name not in FLYWAY_VENDORS]
        where = (f"with {', '.join(shared)} beside it, the history is in two locations, which consolidate cannot write as one"
                 if shared else f"give --migrations {rel(folder / 'postgresql', root)}")
        diags.append(Diagnostic(rel(folder, root), 0, ERROR, f"a folder a database ({', '.join(p.name for p in vendors)} and "
                                f"postgresql: a location with {{vendor}}), where Flyway reads only postgresql/ for PostgreSQL: {where}"))
        return [], [rel(p, root) for p in listing(folder)]
    for p in _walk(folder):
        m = PATTERN.match(p.name) if p.is_file() else None
        if not m and p.name.endswith(".sql.conf") and PATTERN.match(p.name[:-5]):
            continue  # a script's settings go with the script
        if not m or m.group(1) == "U":
            others.append(rel(p, root))
            if m:
                diags.append(Diagnostic(rel(p, root), 0, WARNING, f"an undo script (of version {m.group(2)}): not read; copied to "
                                        "the new set as it is, where that version may be gone"))
            elif (cb := _CALLBACK.match(p.name)) and cb.group(1) != "beforeMigrate":
                diags.append(Diagnostic(rel(p, root), 0, INFO, f"a Flyway callback ({cb.group(1)}): Flyway runs it around its own "
                                        "work, not as a migration; not read, copied to the new set as it is"))
            continue
        text, ok = read_text(p, root, diags)
        text = mark(text, ph)
        tx = _in_transaction(p, text, rel(p, root), mixed, diags)
        if m.group(4) == "R":
            mig = Migration("", m.group(5), rel(p, root), text if ok else "", kind=REPEATABLE, sort_key=(1, m.group(5)), readable=ok,
                            transactional=tx, inline_copy=True, fresh_search_path=True, placeholders=ph)
        else:
            version = m.group(2).replace("_", ".")
            kind = BASELINE if m.group(1) == "B" else VERSIONED
            mig = Migration(version, m.group(3), rel(p, root), text if ok else "", kind=kind, sort_key=(0, _version_key(version)),
                            readable=ok, transactional=tx, inline_copy=True, fresh_search_path=True, placeholders=ph)
        found.append(mig)
    # Flyway applies the newest baseline instead of the versions it covers, on an empty database.
    baselines = [m for m in found if m.kind == BASELINE]
    if baselines:
        latest = max(baselines, key=lambda m: m.sort_key)
        diags.append(Diagnostic(latest.file, 0, INFO, "baseline migration: earlier versions are not applied on an empty database"))
        found = [m for m in found if m.kind == REPEATABLE or m.sort_key > latest.sort_key or m is latest]
    return found, others


def _in_transaction(path: Path, text: str, where: str, mixed: bool, diags: list[Diagnostic]) -> bool:
    """What the script's `.conf` says; else in a transaction unless it holds a statement Flyway runs outside one."""
    conf = path.with_name(path.name + ".conf")
    said = _IN_TX.search(conf.read_text("utf-8", "replace")) if conf.is_file() else None
    if said:
        return said.group(1).lower() == "true"
    outside = outside_transaction(text)
    if outside is None:
        return True
    if outside.other_line and not mixed:
        diags.append(Diagnostic(where, outside.line, WARNING, "Flyway refuses a script that mixes a statement it runs outside a "
                                f"transaction with others (line {outside.other_line}) unless `mixed` is on (flyway.mixed=true): "
                                "read as Flyway runs it with it on, outside a transaction"))
    return False


def layout(f: NewFile, reversible: bool) -> Layout:
    path = f"V{f.version}__{f.group}.sql"
    extra = {} if f.transactional else {f"{path}.conf": "executeInTransaction=false\n"}
    return Layout(path, unmark(f.header + f.body), extra=extra)


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    table = FORMAT.table
    cols = "installed_rank, version, description, type, script, checksum, installed_by, execution_time, success"
    rank = f"(SELECT coalesce(max(installed_rank), 0) FROM {table}) + "
    rows = [(Raw(f"{rank}{i}"), m.version or None, m.name.replace("_", " "), "SQL", Path(m.file).name,
             checksum(data(m)), Raw("current_user"), 0, True) for i, m in enumerate(migs, 1)]
    # Rows Flyway writes for itself (the schema it created) stay.
    stmts = [f"DELETE FROM {table} WHERE type IN ('SQL', 'JDBC', 'BASELINE', 'SQL_BASELINE', 'DELETE', 'UNDO_SQL')"]
    # Each INSERT reads max(rank) again, so they go one by one.
    stmts += [f"INSERT INTO {table} ({cols}) VALUES ({', '.join(literal(v) for v in r)})" for r in rows]
    return Bookkeeping(table, tuple(stmts), len(rows))


_BEFORE_MIGRATE = re.compile(r"^beforeMigrate(__.*)?\.sql$")
# Flyway's callbacks are named for their event (afterMigrate, beforeEachMigrate, afterMigrateError...).
_CALLBACK = re.compile(r"^((?:before|after)[A-Z][A-Za-z]*)(?:__.*)?\.sql$")
# Said apart (read by `setup`, or named in a message of their own): not `.sql` files it does not read.
_ASIDE = re.compile(r"^(?:before|after)[A-Z][A-Za-z]*(?:__.*)?\.sql$|^U\d+(?:[._]\d+)*__.*\.sql$")


def before_migrate(folder: Path, root: Path) -> str:
    """Flyway's beforeMigrate callbacks (`beforeMigrate.sql`, `beforeMigrate__<name>.sql`), in
    name order, their placeholders filled in: Flyway runs them before the first migration."""
    ph = placeholder_settings(root)
    texts = [read_text(p, root, [])[0] for p in sorted(listing(folder)) if p.is_file() and _BEFORE_MIGRATE.match(p.name)]
    return "\n;\n".join(fill(mark(t, ph), ph, {}) for t in texts if t.strip())


FORMAT = Format("flyway", "flyway_schema_history", read, layout, bookkeeping, setup=before_migrate, aside=_ASIDE,
                recorded=Recorded("SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL", lambda m: m.version))
