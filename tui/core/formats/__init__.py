"""Migration formats, one module each (how files are found, ordered, named, run and booked), in
one registry, with the detection that tells them apart from the files alone."""

from __future__ import annotations

import re
from pathlib import Path

from tui.core.formats import (
    atlas,
    dbmate,
    diesel,
    drizzle,
    flyway,
    golang_migrate,
    goose,
    graphile_migrate,
    hasura,
    liquibase,
    node_pg_migrate,
    plain,
    pop,
    postgrator,
    prisma,
    refinery,
    sqitch,
    sql_migrate,
    sqlx,
    supabase,
    tern,
    yoyo,
)
from tui.core.formats.base import Format, listing

FORMATS: dict[str, Format] = {f.name: f for f in (sqlx.FORMAT, golang_migrate.FORMAT, diesel.FORMAT, flyway.FORMAT,
                                                 dbmate.FORMAT, goose.FORMAT, prisma.FORMAT, supabase.FORMAT,
                                                 drizzle.FORMAT, atlas.FORMAT, node_pg_migrate.FORMAT,
                                                 sql_migrate.FORMAT, tern.FORMAT, postgrator.FORMAT,
                                                 graphile_migrate.FORMAT, pop.FORMAT, hasura.FORMAT, yoyo.FORMAT,
                                                 refinery.FORMAT, sqitch.FORMAT, liquibase.FORMAT, plain.FORMAT)}


def detect_format(folder: Path) -> str | None:
    """Guess the migration tool from the folder's file names and markers; None when nothing fits."""
    return detect(folder)[0]


def detect(folder: Path) -> tuple[str | None, str]:
    """The format, and a note when the files fit more than one and a guess decided (or, with no
    format, why none is read)."""
    name = _detect(folder)
    if isinstance(name, tuple):
        return name
    return name, ""


def _detect(folder: Path) -> str | None | tuple[str | None, str]:
    if not folder.is_dir():
        return None
    entries = listing(folder)
    if supabase.looks_like(folder):
        return supabase.FORMAT.name
    if drizzle.looks_like(folder):
        return drizzle.FORMAT.name
    if sqitch.looks_like(folder):
        return sqitch.FORMAT.name
    if liquibase.looks_like(folder):
        return liquibase.FORMAT.name
    if graphile_migrate.looks_like(folder):
        return graphile_migrate.FORMAT.name
    if prisma.looks_like(entries):
        return prisma.FORMAT.name
    if atlas.looks_like(entries):
        return atlas.FORMAT.name
    if diesel.looks_like(entries):
        return hasura.FORMAT.name if hasura.looks_like(folder) else diesel.FORMAT.name
    if pop.looks_like(entries):
        return pop.FORMAT.name
    sql_files = [p for p in entries if p.is_file() and p.suffix == ".sql"]
    if yoyo.looks_like(sql_files):
        return yoyo.FORMAT.name
    if flyway.looks_like(sql_files):
        # (Flyway's naming in a Rust crate that uses refinery: its U files are migrations, not undo scripts)
        return refinery.FORMAT.name if refinery.CARGO.search(_read_project_file(folder, "Cargo.toml")) else flyway.FORMAT.name
    marked = False
    for p in sql_files[:50]:
        head = p.read_bytes()[:65536].decode("utf-8", "replace")
        if _LIQUIBASE.match(head):
            return None, (f"{p.name} is Liquibase's formatted SQL, which consolidate reads through the master changelog "
                          "that includes it (`db.changelog-master.yaml`, `.xml`, `.json`): give the folder that holds it")
        if dbmate.UP.search(head):
            return dbmate.FORMAT.name
        if goose.UP.search(head):
            return goose.FORMAT.name
        if sql_migrate.UP.search(head):
            return sql_migrate.FORMAT.name
        if tern.SEPARATOR.search(head):
            return tern.FORMAT.name
        if yoyo.DEPENDS.search(head):
            return yoyo.FORMAT.name
        marked = marked or bool(node_pg_migrate.UP.search(head))
    if not sql_files and any(p.is_dir() for p in entries) and flyway.looks_like_below(folder):
        return flyway.FORMAT.name
    ups = [m for p in sql_files if (m := golang_migrate.PATTERN.match(p.name))]
    if ups:
        return _sqlx_or_golang(folder, ups)
    if any(postgrator.PATTERN.match(p.name) for p in sql_files):
        return postgrator.FORMAT.name
    if marked and not _project_file(folder, "Cargo.toml", "go.mod"):
        # (after golang-migrate's names, and not in a Rust or Go project: their files may well say
        # `-- up migration` in a comment)
        return node_pg_migrate.FORMAT.name
    if any(sqlx.PATTERN.match(p.name) for p in sql_files):
        return sqlx.FORMAT.name
    if any(plain.PATTERN.match(p.name) for p in sql_files):
        return plain.FORMAT.name, ("no migration tool's files: read as plain numbered SQL files, in the order of their numbers, "
                                   "each in a transaction; set `format` in consolidate.toml if they are a tool's")
    return None


_LIQUIBASE = re.compile(r"\A\s*--\s*liquibase\s+formatted\s+sql\b", re.IGNORECASE)
_CONCURRENTLY = re.compile(r"\bCONCURRENTLY\b", re.I)
_POP = re.compile(r"^\s*(?:require\s+)?github\.com/gobuffalo/pop\b", re.MULTILINE)


def _sqlx_or_golang(folder: Path, ups: list[re.Match[str]]) -> str | tuple[str, str]:
    """sqlx's reversible files and golang-migrate's share a shape (`<version>_<name>.up.sql`). The
    project around the folder tells (a Cargo.toml is a Rust project's, a go.mod a Go one's); else
    sqlx writes 14-digit timestamps and `sqlx migrate add -r` always writes a down beside the up,
    which golang-migrate projects often leave out. Without the project, it is a guess, and says so."""
    project = _project_file(folder, "Cargo.toml", "go.mod")
    if project == "go.mod" and _POP.search(_read_project_file(folder, "go.mod")):
        return pop.FORMAT.name, "read as pop's: the Go project requires gobuffalo/pop, and its files are for all databases"
    if project:
        return sqlx.FORMAT.name if project == "Cargo.toml" else golang_migrate.FORMAT.name
    if all(len(m.group(1)) >= 14 for m in ups):
        return sqlx.FORMAT.name
    up = [m for m in ups if m.group(3) == "up"]
    for m in up:
        head = (folder / m.group(0)).read_bytes()[:65536].decode("utf-8", "replace")
        if _CONCURRENTLY.search(head) and not head.lstrip().startswith("-- no-transaction"):
            # sqlx would run it in a transaction, where PostgreSQL refuses it: not sqlx's.
            return golang_migrate.FORMAT.name, f"read as golang-migrate: {m.group(0)} runs CONCURRENTLY outside a transaction"
    down = [m for m in ups if m.group(3) == "down"]
    guess = sqlx.FORMAT.name if up and len(down) * 4 >= len(up) * 3 else golang_migrate.FORMAT.name
    return guess, (f"files fit both sqlx and golang-migrate; read as {guess} ({len(down)} of {len(up)} have a down file); "
                   "set `format` in consolidate.toml if it is the other")


def _read_project_file(folder: Path, name: str) -> str:
    """The text of the nearest `name` in the folder's parents (what the project requires)."""
    path = _project_path(folder, name)
    return path.read_text("utf-8", "replace") if path is not None else ""


def _project_file(folder: Path, *names: str) -> str:
    """The first of `names` found in the folder's parents (up to four): what kind of project holds it."""
    path = _project_path(folder, *names)
    return path.name if path is not None else ""


def _project_path(folder: Path, *names: str) -> Path | None:
    for parent in list(folder.resolve().parents)[:4]:
        for name in names:
            if (parent / name).is_file():
                return parent / name
    return None
