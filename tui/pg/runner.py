"""Apply migrations to a scratch database as their tool would: one transaction per file, one session."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import psycopg
from pglast import ast

from tui.core.errors import ConsolidateError
from tui.core.formats.base import Migration
from tui.core.formats.flyway_placeholders import fill
from tui.core.host_access import host_access
from tui.core.parse import Statement, parse_history
from tui.pg import scratch_text
from tui.pg.server import Server

_BEGIN = "BEGIN;\n"
_SEP = "\n;\n"


class ApplyError(ConsolidateError):
    """A migration failed: the file, the line (from the server's error position) and the message."""

    positioned = False  # the line came from PostgreSQL's error position
    excerpt = ""  # the failing line of the file with a line around it, numbered, for a person


def _excerpt(sql: str, first_line: int, line: int) -> str:
    lines = sql.splitlines()
    at = line - first_line
    return "\n".join(f"{first_line + i:>5} {'>' if i == at else ' '} {lines[i]}"
                     for i in range(max(0, at - 1), min(len(lines), at + 2)))


def _line_at(sql: str, position: int, first_line: int) -> int:
    return first_line + sql.count("\n", 0, max(0, position - 1))


PREAMBLE_HINT = ("if the application or the migration tool sets something up before the first migration (a schema, "
                 "a search_path, its own table), write it as `preamble` in consolidate.toml")
# (PostgreSQL 16 and later; 15 and before name the control file it did not find)
_NO_EXTENSION = re.compile(r'extension "([^"]+)" is not available|could not open extension control file "[^"]*/([^/"]+)\.control"')


def hint_for(message: str) -> str:
    """What to do about a history that does not apply: a server without an extension it creates
    needs another server, not a preamble."""
    missing = _NO_EXTENSION.search(message)
    if missing:
        return (f"this server lacks the extension {missing.group(1) or missing.group(2)}: prove on one that has it (`--pg "
                "docker` or `--pg local` where it is installed, or `--database-url`)")
    if "cannot run inside a transaction block" in message:
        return ("the file runs in a transaction, as its migration tool runs it, and PostgreSQL refuses this statement there "
                "(the tool would fail on it too): mark the file to run outside one as the format says (sqlx `-- no-transaction` "
                "on line 1, dbmate `transaction:false`, goose `-- +goose NO TRANSACTION`: see the formats in the README)")
    return PREAMBLE_HINT


def apply_migrations(
    server: Server,
    dbname: str,
    migrations: list[Migration] | tuple[Migration, ...],
    preamble: str = "",
    statements: dict[str, list[Statement]] | None = None,
    progress: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    watch: Watch | None = None,
) -> None:
    """Run the preamble, then each migration as its tool does, in one session: in its own
    transaction; as one query (golang-migrate); or, marked non-transactional, statement by
    statement (`statements` gives them, parsed from these very migrations, else the file is parsed
    here). A file holding a statement `watch` looks at runs a statement at a time, in the same
    transaction, with the watch around it.
    """
    if server.name != "docker":
        _refuse_host_access(server, [Migration("", "preamble", "consolidate.toml (preamble)", preamble), *migrations])
    with server.connect(dbname) as conn:
        if preamble.strip():
            _run(conn, preamble, "consolidate.toml (preamble)", 1, transactional=True)
        first_path, user = None, None
        if any(m.fresh_search_path for m in migrations):
            row = conn.execute("SELECT current_setting('search_path')").fetchone()
            first_path = row[0] if row else None
        for index, m in enumerate(migrations):
            if cancel is not None and cancel.is_set():
                raise ConsolidateError("cancelled")
            if progress is not None:
                progress(m.file)
            if not m.readable or not m.sql.strip():
                continue
            if m.fresh_search_path and first_path is not None:
                conn.execute("SELECT set_config('search_path', %s, false)", [first_path])
            parts = statements[m.file] if statements and m.file in statements else None
            if parts is not None:  # (its own: a file may hold several, Liquibase's changesets, whose lines may overlap)
                parts = [st for st in parts if st.migration == index]
            if m.placeholders is not None and "__ph_" in m.sql:
                if user is None:
                    row = conn.execute("SELECT current_user").fetchone()
                    user = str(row[0]) if row else ""
                m, parts = _filled(user, dbname, m, parts)
            if scratch_text.may_need(m):
                try:
                    m, parts = scratch_text.prepared(conn, server.name, server.roles_made, dbname, m, parts)
                except scratch_text.Refused as refused:
                    error = ApplyError("refusing to run this migration", refused.why, m.file, refused.st.line)
                    error.excerpt = _excerpt(m.sql, m.first_line, refused.st.line)
                    raise error from None
            if m.inline_copy and "\\." in m.sql:
                # Rows streamed after a COPY: its statements one query at a time, the COPY's
                # rows sent as COPY data (a query holding COPY FROM stdin has none to read).
                parts = parts if parts is not None else parse_history([m]).statements
            if watch is not None and parts and any(st.seq in watch.seqs for st in parts):
                _run_watched(conn, m, parts, watch)
            elif parts and m.inline_copy and any(st.copy_rows is not None for st in parts):
                _run_watched(conn, m, parts, _NO_WATCH)
            elif m.single_query or m.transactional:
                try:
                    _run(conn, m.sql, m.file, m.first_line, transactional=not m.single_query)
                except ApplyError as exc:
                    if exc.positioned:
                        raise
                    # PostgreSQL gave no position ("already exists"): run the file again, a
                    # statement at a time, in a transaction rolled back, to name the statement.
                    exc.line = _failing_line(conn, parts if parts is not None else parse_history([m]).statements) or exc.line
                    exc.excerpt = _excerpt(m.sql, m.first_line, exc.line)
                    raise
            else:
                for st in parts if parts is not None else parse_history([m]).statements:
                    _run(conn, st.text, m.file, st.line, transactional=False)


def _filled(user: str, dbname: str, m: Migration, parts: list[Statement] | None) -> tuple[Migration, list[Statement] | None]:
    """The migration with its placeholders' values in place of their markers, as Flyway runs it."""
    assert m.placeholders is not None
    builtins = {"flyway:user": user, "flyway:database": dbname, "flyway:table": "flyway_schema_history",
                "flyway:filename": Path(m.file).name, "flyway:workingDirectory": ".",
                "flyway:timestamp": "2000-01-01 00:00:00"}  # (one value for every build, which are compared)
    ph = m.placeholders

    def filled(text: str) -> str:
        return fill(text, ph, builtins)

    if parts is not None:
        parts = [replace(st, text=filled(st.text), copy_rows=None if st.copy_rows is None else filled(st.copy_rows)) for st in parts]
    return replace(m, sql=filled(m.sql)), parts


class Watch(Protocol):
    """Looks at the database around some statements (`seqs`) while the history runs."""

    seqs: set[int]

    def start(self, conn: psycopg.Connection) -> None: ...  # type: ignore[type-arg]  # before a file holding one runs

    def before(self, conn: psycopg.Connection, st: Statement) -> None: ...  # type: ignore[type-arg]

    def after(self, conn: psycopg.Connection, st: Statement) -> None: ...  # type: ignore[type-arg]


class _NoWatch:
    def __init__(self) -> None:
        self.seqs: set[int] = set()

    def start(self, conn: psycopg.Connection) -> None:  # type: ignore[type-arg]
        pass

    def before(self, conn: psycopg.Connection, st: Statement) -> None:  # type: ignore[type-arg]
        pass

    def after(self, conn: psycopg.Connection, st: Statement) -> None:  # type: ignore[type-arg]
        pass


_NO_WATCH = _NoWatch()


def _execute(conn: psycopg.Connection, st: Statement) -> None:  # type: ignore[type-arg]
    """One statement; a COPY ... FROM stdin with its rows written after it, through COPY."""
    if st.copy_rows is None:
        conn.execute(st.text)
        return
    with conn.cursor() as cur, cur.copy(st.text) as copy:
        copy.write(st.copy_rows)


def _run_watched(conn: psycopg.Connection, m: Migration, parts: list[Statement], watch: Watch) -> None:  # type: ignore[type-arg]
    """A file a statement at a time: in one transaction where its tool runs it in one (a single
    statement sent as one query runs alone), else each statement on its own. Inside the open
    transaction, the statements between two watched ones go as one query: the same, sooner."""
    in_tx = m.transactional and not (m.single_query and len(parts) == 1)
    sent: list[tuple[int, Statement]] = []  # the statements of the query sent last, at their offsets in it
    try:
        watch.start(conn)
        if in_tx:
            conn.execute("BEGIN")
        run: list[Statement] = []
        for i, st in enumerate(parts):
            watched = st.seq in watch.seqs
            if not watched and _batchable(conn, st):
                run.append(st)
                nxt = parts[i + 1] if i + 1 < len(parts) else None
                if nxt is None or nxt.seq in watch.seqs or not _batchable(conn, nxt):
                    sent = _offsets(run)
                    conn.execute(_SEP.join(r.text for r in run))
                    run = []
                continue
            sent = [(0, st)]
            if watched:
                watch.before(conn, st)
            _execute(conn, st)
            if watched:
                watch.after(conn, st)
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.execute("COMMIT")
    except psycopg.Error as exc:
        pos = getattr(exc.diag, "statement_position", None)
        at, st = sent[0] if sent else (0, parts[0])
        if pos:
            at, st = next(((o, s) for o, s in reversed(sent) if o < int(pos)), (at, st))
        line = _line_at(st.text, int(pos) - at, st.line) if pos else st.line
        if st.copy_rows is not None and (row := re.match(r"COPY [^,]+, line (\d+)", exc.diag.context or "")):
            line = st.line + st.text.count("\n") + int(row.group(1))  # the row, in the lines after the COPY
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
        if not pos and len(sent) > 1 and in_tx:
            # No position ("violates foreign key constraint") in a query of several: the file
            # again, a statement at a time, in a transaction rolled back, to name the statement.
            line = _failing_line(conn, parts) or line
            st = next((s for s in parts if s.line == line), st)
        error = ApplyError("migration failed", (exc.diag.message_primary or str(exc)).strip(), m.file, line)
        error.positioned = True
        error.excerpt = _excerpt(m.sql, m.first_line, line) if st.copy_rows is not None else _excerpt(st.text, st.line, line)
        raise error from None


def _offsets(run: list[Statement]) -> list[tuple[int, Statement]]:
    """Each statement with its offset in the query that joins them (an error's position names one)."""
    sent: list[tuple[int, Statement]] = []
    at = 0
    for st in run:
        sent.append((at, st))
        at += len(st.text) + len(_SEP)
    return sent


def _batchable(conn: psycopg.Connection, st: Statement) -> bool:  # type: ignore[type-arg]
    """Whether a statement can go in one query with its neighbours: inside an open transaction
    that is the same as one at a time, but not for what ends or opens one."""
    return (conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS and not isinstance(st.node, ast.TransactionStmt)
            and st.copy_rows is None)


def _refuse_host_access(server: Server, migrations: list[Migration] | tuple[Migration, ...]) -> None:
    """Nothing in a migration may act on the machine of a server that is not a container."""
    for m in migrations:
        if not m.readable:
            continue
        found = host_access(m.sql, m.first_line)
        if found:
            line, what = found[0]
            where = "this machine" if server.name in ("local", "embedded") else "your server's machine"
            error = ApplyError("refusing to run this migration", f"{what}; on the {server.name} server that is {where}, "
                               "so consolidate does not run it there: use --pg docker, where it stays inside a "
                               "throwaway container", m.file, line)
            error.excerpt = _excerpt(m.sql, m.first_line, line)
            raise error


def _run(conn: psycopg.Connection, sql: str, file: str, first_line: int, transactional: bool) -> None:  # type: ignore[type-arg]
    text = _BEGIN + sql + "\n;\nCOMMIT;" if transactional else sql
    try:
        conn.execute(text)  # no parameters: the simple protocol, several statements at once
    except psycopg.Error as exc:
        with_pos = getattr(exc.diag, "statement_position", None)
        line = first_line
        if with_pos:
            pos = int(with_pos) - (len(_BEGIN) if transactional else 0)
            line = _line_at(sql, pos, first_line)
        message = (exc.diag.message_primary or str(exc)).strip()
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
        error = ApplyError("migration failed", message, file, line)
        error.positioned = bool(with_pos)
        error.excerpt = _excerpt(sql, first_line, line)
        raise error from None


def _failing_line(conn: psycopg.Connection, statements: list[Statement]) -> int:  # type: ignore[type-arg]
    """The line of the first statement that fails, run one by one in a transaction rolled back
    (the file's own BEGIN and COMMIT left out, so nothing of it stays)."""
    line = 0
    conn.execute("BEGIN")
    try:
        for st in statements:
            if st.parent is not None or isinstance(st.node, ast.TransactionStmt):
                continue
            try:
                _execute(conn, st)
            except psycopg.Error:
                line = st.line
                break
    finally:
        conn.execute("ROLLBACK")
    return line
