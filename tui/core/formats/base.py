"""What every migration format shares: a migration as its tool sees it, the set of them, reading
helpers, the shape of a written file, and the bookkeeping rows `baseline` writes."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import NamedTuple

from tui.core.errors import ERROR, Diagnostic
from tui.core.formats.flyway_placeholders import Placeholders

# Migration kinds.
VERSIONED = "versioned"
REPEATABLE = "repeatable"  # Flyway `R__`: applied after the versions, again whenever it changes
BASELINE = "baseline"  # Flyway `B`: stands for the versions before it on an empty database
SETUP = "setup"  # the tool's own migration (diesel's all-zero version)
OWNED = (SETUP, REPEATABLE)  # kept as they are by generate


@dataclass(frozen=True)
class Migration:
    """One migration as its tool sees it.

    Attributes:
        version: the version as written (diesel: the folder prefix; Flyway: `1.2`; repeatables: empty).
        name: the description part of the file name.
        file: path of the file holding the up part, relative to the project, with `/`.
        sql: the up part's text (for dbmate and goose, only that section).
        first_line: line of `file` on which `sql` starts, so positions stay true to the file.
        down_file: the separate down file, if any.
        transactional: False where the format says the tool runs it outside a transaction.
        single_query: the tool sends the file as one query (golang-migrate): PostgreSQL runs it in one
            implicit transaction, and a lone statement that cannot run in a transaction block still can.
        kind: VERSIONED, REPEATABLE, BASELINE or SETUP.
        sort_key: the tool's order.
        inline_copy: the tool streams the rows after a `COPY ... FROM stdin;` up to a line `\\.`, as psql does (Flyway).
        fresh_search_path: the tool sets the search path back before it runs, as it was when the first
            migration started (Flyway); the others run every file in one session as it is.
        placeholders: how the tool fills in the `${name}` its scripts hold, which `sql` holds as markers (Flyway).
        condition: what the tool runs it under (Liquibase's `context:faker`): its statements are written
            as they are, in files of their own that say it again.
    """

    version: str
    name: str
    file: str
    sql: str
    first_line: int = 1
    down_file: str = ""
    down_sql: str = ""
    transactional: bool = True
    single_query: bool = False
    kind: str = VERSIONED
    sort_key: tuple[object, ...] = ()
    readable: bool = True
    inline_copy: bool = False
    fresh_search_path: bool = False
    placeholders: Placeholders | None = None
    condition: str = ""


@dataclass(frozen=True)
class SourceSet:
    """The migrations of a project in their tool's order, with what went wrong reading them."""

    root: str
    folder: str
    format: str
    migrations: tuple[Migration, ...]
    diagnostics: tuple[Diagnostic, ...]
    other_files: tuple[str, ...] = field(default=())
    # The SHA-256 of each file as read, by its absolute path: the history's hash is of the very bytes parsed (100,000 files are not read twice).
    read_digests: dict[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)


Found = tuple[list[Migration], list[str]]  # the migrations read, and the other files of the folder


def short_name(path: str) -> str:
    """A migration file's name as a person tells it apart: the file name, or for diesel and Prisma
    (whose files are all up.sql and down.sql, or migration.sql) the folder it is in."""
    parts = path.rsplit("/", 2)
    return parts[-2] if parts[-1] in ("up.sql", "down.sql", "migration.sql") and len(parts) > 1 else parts[-1]


def utf8_name(name: str) -> bool:
    """False for a name that holds bytes that are not UTF-8 (Python keeps them as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def rel(path: Path, root: Path) -> str:
    p, r = str(path), str(root).rstrip(os.sep)
    if p.startswith(r + os.sep):  # the common case, without pathlib's part by part comparison (100,000 files)
        return p[len(r) + 1:].replace(os.sep, "/")
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


class Entry(type(Path())):  # type: ignore[misc]
    """A path listed from its folder, which knows from the listing whether it is a file or a
    folder: detection and reading ask each entry several times, and on 100,000 files each ask
    was a stat of its own."""

    _kind = ""  # "file", "dir", or "" (another kind, or a link: asked of the file system)
    _name = ""  # as listed (pathlib works it out from the parts at each ask)

    @property
    def name(self) -> str:
        return self._name or super().name

    def is_file(self) -> bool:
        return self._kind == "file" if self._kind else super().is_file()

    def is_dir(self) -> bool:
        return self._kind == "dir" if self._kind else super().is_dir()


_HAS_STR = "_str" in getattr(PurePath, "__slots__", ())
# Set while one reading of a history runs (load_sources): detection and the format's reader list
# the same folders, 100,000 entries each on the largest histories.
LISTINGS: ContextVar[dict[str, list[Path]] | None] = ContextVar("listings", default=None)


def listing(folder: Path) -> list[Path]:
    """A folder's entries in name order (as sorting the paths would, without comparing them part by part)."""
    cache = LISTINGS.get()
    key = os.fspath(folder)
    if cache is not None and key in cache:
        return list(cache[key])
    out = []
    base = Entry(folder)
    # pathlib's own quick child (no parsing of the name); `/` where a Python version lacks it.
    child = getattr(base, "_make_child_relpath", base.__truediv__)
    with os.scandir(folder) as it:
        for e in it:
            p = child(e.name)
            p._name = e.name
            if _HAS_STR:  # str(p) as pathlib would make it (it joins the parts at the first ask, 100,000 times)
                p._str = e.path if key != "." else e.name
            if not e.is_symlink():
                p._kind = "file" if e.is_file() else "dir" if e.is_dir() else ""
            out.append(p)
    out.sort(key=lambda p: p._name)
    if cache is not None:
        cache[key] = out
        return list(out)
    return out


def _decode(data: bytes, where: str, diags: list[Diagnostic]) -> tuple[str, bool]:
    if b"\0" in data:
        # PostgreSQL refuses a query holding one, and the parser would stop reading at it.
        at = data.index(b"\0")
        line = data[:at].count(b"\n") + 1
        diags.append(Diagnostic(where, line, ERROR, f"holds a NUL byte (offset {at}): not a SQL text; file skipped", lost=True))
        return "", False
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diags.append(Diagnostic(where, line, ERROR, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); file skipped", lost=True))
        return data.decode("utf-8", "replace"), False


READ_DIGESTS: ContextVar[dict[str, str] | None] = ContextVar("read_digests", default=None)  # see SourceSet


def read_text(path: Path, root: Path, diags: list[Diagnostic], where: str = "") -> tuple[str, bool]:
    """A migration file's text (BOM dropped), and False when it cannot be read as UTF-8.
    `where`: its path relative to `root`, when the caller has it already."""
    where = where or rel(path, root)
    if not utf8_name(where):
        # Its name could be neither printed nor written into a new set as it is.
        diags.append(Diagnostic(printable(where), 0, ERROR, "file name is not valid UTF-8; file skipped", lost=True))
        return "", False
    try:
        data = _read_bytes(path)
    except OSError as exc:
        diags.append(Diagnostic(where, 0, ERROR, f"cannot read: {exc.strerror}", lost=True))
        return "", False
    digests = READ_DIGESTS.get()
    if digests is not None:
        digests[os.path.abspath(os.fspath(path))] = hashlib.sha256(data).hexdigest()
    text, ok = _decode(data, where, diags)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, ok


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def _read_bytes(path: Path) -> bytes:
    """A file's bytes by the plain system calls: `open()` builds a buffered reader around each
    file, half of the time of reading a history of 100,000 small files."""
    fd = os.open(path, _READ_FLAGS)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def up_down(version: str, name: str, up: Path, down: Path | None, root: Path, diags: list[Diagnostic],
            transactional_if: Callable[[str], bool] | None = None, **extra: object) -> Migration:
    """A migration whose up and down parts are separate files (sqlx, golang-migrate, diesel);
    `transactional_if` tells from the up part's text whether its tool runs it in a transaction."""
    where = rel(up, root)
    text, ok = read_text(up, root, diags, where)
    has_down = down is not None and down.is_file()
    if transactional_if is not None:
        extra["transactional"] = transactional_if(text)
    return Migration(
        version=version,
        name=name,
        file=where,
        sql=text if ok else "",
        down_file=rel(down, root) if has_down and down else "",
        down_sql=read_text(down, root, diags)[0] if has_down and down else "",
        readable=ok,
        **extra,  # type: ignore[arg-type]
    )


# ---- writing ----------------------------------------------------------------------------------


class Block(NamedTuple):
    """One statement of a new file as written, comments included. `whole`: it has a body (a
    function, a DO block, a trigger) that a tool splitting on semicolons must not cut."""

    text: str
    whole: bool


def join_blocks(blocks: list[str]) -> str:
    """Blank lines around multi-line statements; runs of one-liners (indexes, comments, grants) stay together."""
    out: list[str] = []
    for i, b in enumerate(blocks):
        if i and ("\n" in b or "\n" in blocks[i - 1]):
            out.append("")
        out.append(b)
    return "\n".join(out) + "\n"


@dataclass
class Layout:
    """Where a format puts one file of the new set, and what it writes there."""

    path: str
    text: str
    down_path: str = ""
    down_text: str = ""
    up_text: str = ""  # the up part alone, where the file also holds the down part (dbmate, goose)
    extra: dict[str, str] = field(default_factory=dict)  # path -> text: files the tool reads beside it (diesel's metadata.toml)


@dataclass(frozen=True)
class NewFile:
    """One file of the new set, before a format lays it out: its number, domain, header, statements
    and the down part that drops what it creates."""

    version: str
    group: str
    header: str
    blocks: list[Block]
    down: str
    transactional: bool = True  # False: the tool must run it outside a transaction block
    undone_before: bool = False  # it creates nothing, and changes only what earlier files (whose downs drop it) created
    condition: str = ""  # what its statements' migrations ran under (Migration.condition)

    @property
    def body(self) -> str:
        return join_blocks([b.text for b in self.blocks])


# ---- bookkeeping -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bookkeeping:
    """The table, the statements that make it list exactly the migrations, and how many rows that is."""

    table: str
    statements: tuple[str, ...]
    count: int

    @property
    def sql(self) -> str:
        return "BEGIN;\n" + "\n".join(s + ";" for s in self.statements) + "\nCOMMIT;"


class Raw(str):
    """SQL written as it is (now(), current_user), not quoted."""


def literal(v: object) -> str:
    """A value as an SQL literal."""
    if isinstance(v, Raw):
        return str(v)
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, bytes):
        return f"'\\x{v.hex()}'::bytea"
    return "'" + str(v).replace("'", "''") + "'"


def replace_rows(table: str, cols: str, rows: list[tuple[object, ...]], count: int, keep: str = "") -> Bookkeeping:
    """Empty the table (but the rows `keep` says) and insert these rows in one statement."""
    stmts = [f"DELETE FROM {table}" + (f" WHERE NOT ({keep})" if keep else "")]
    if rows:
        stmts.append(f"INSERT INTO {table} ({cols}) VALUES\n  " + ",\n  ".join(
            "(" + ", ".join(literal(v) for v in r) + ")" for r in rows))
    return Bookkeeping(table, tuple(stmts), count)


@dataclass(frozen=True)
class Recorded:
    """How a tool's table says which migrations a database ran: `query` gives one value a row;
    `ident` is a migration's value there. With `key`, the tool keeps a high-water mark instead
    (golang-migrate's version, drizzle's newest `when`): a migration ran when its key is at most
    the largest value."""

    query: str
    ident: Callable[[Migration], str]
    key: Callable[[Migration], int] | None = None


@dataclass(frozen=True)
class Format:
    """One migration tool: how its files are read and ordered, how a new file is laid out, and its
    bookkeeping table.

    Attributes:
        name: what `--format` and `consolidate.toml` call it.
        table: the table the tool records applied migrations in.
        read: the migrations under a folder, in the tool's order, and the folder's other files.
        layout: where one file of the new set goes and what it holds (`reversible`: the history had
            down parts of its own).
        bookkeeping: the rewrite of `table` that lists exactly these migrations (`data` reads a file).
        preamble: what the platform provides before the first migration (a stub), run before the
            project's own preamble; never part of the new set.
        roles: the platform's roles, made in the throwaway server.
        finish: files the set needs beside its migrations (drizzle's journal, atlas.sum), from the
            history's folder, the folder the new files are written in, and the paths (in the
            history's folder) of the later migrations kept as they are.
        recorded: what the tool's table says a database ran, for the guard.
        guard_last: the tool runs only versions above the newest it ran (golang-migrate), so the
            guard goes last, above the history's versions, where such a database reaches it.
        setup: what the tool runs from the project's files before the first migration (Flyway's
            beforeMigrate callbacks), from the migrations folder and the project's; run after the
            project's preamble, never part of the new set (the files stay beside it).
        aside: the names of the tool's own `.sql` files beside the migrations that are no
            migrations (graphile-migrate's `current.sql`, which it does not run when it migrates;
            Flyway's beforeMigrate callbacks, which `setup` reads): kept as they are, said nothing of.
        no_guard: why the tool can take no guard, where it cannot (its table is still read by
            `--line-from-db`).
        dot_docs: the tool takes every file of its folder but a dot file for a migration
            (node-pg-migrate): apply's README and report are dot files there.
        numbered: the new files are numbered from 1 even with --from, not given the range's
            versions: the tool's changelog places them (Liquibase's `consolidated/` folder).
    """

    name: str
    table: str
    read: Callable[[Path, Path, list[Diagnostic]], Found]
    layout: Callable[[NewFile, bool], Layout]
    bookkeeping: Callable[[list[Migration], Callable[[Migration], bytes]], Bookkeeping]
    preamble: str = ""
    roles: tuple[str, ...] = ()
    finish: Callable[[Path, Path, list[str]], dict[str, str]] | None = None
    recorded: Recorded | None = None
    guard_last: bool = False
    setup: Callable[[Path, Path], str] | None = None
    aside: re.Pattern[str] | None = None
    no_guard: str = ""
    dot_docs: bool = False
    numbered: bool = False
