"""Apply migrations to a scratch database as their tool would: one transaction per file, one session."""

from __future__ import annotations

import threading
from collections.abc import Callable

import psycopg

from tui.core.errors import ConsolidateError
from tui.core.formats.base import Migration
from tui.core.parse import Statement, parse_history
from tui.pg.server import Server

_BEGIN = "BEGIN;\n"


class ApplyError(ConsolidateError):
    """A migration failed: the file, the line (from the server's error position) and the message."""


def _line_at(sql: str, position: int, first_line: int) -> int:
    return first_line + sql.count("\n", 0, max(0, position - 1))


def apply_migrations(
    server: Server,
    dbname: str,
    migrations: list[Migration] | tuple[Migration, ...],
    preamble: str = "",
    statements: dict[str, list[Statement]] | None = None,
    progress: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Run the preamble, then each migration as its tool does, in one session: in its own
    transaction; as one query (golang-migrate); or, marked non-transactional, statement by
    statement (`statements` gives them, else the file is parsed here).
    """
    with server.connect(dbname) as conn:
        if preamble.strip():
            _run(conn, preamble, "consolidate.toml (preamble)", 1, transactional=True)
        for m in migrations:
            if cancel is not None and cancel.is_set():
                raise ConsolidateError("cancelled")
            if progress is not None:
                progress(m.file)
            if not m.readable or not m.sql.strip():
                continue
            if m.single_query:
                _run(conn, m.sql, m.file, m.first_line, transactional=False)
            elif m.transactional:
                _run(conn, m.sql, m.file, m.first_line, transactional=True)
            else:
                for st in statements[m.file] if statements and m.file in statements else parse_history([m]).statements:
                    _run(conn, st.text, m.file, st.line, transactional=False)


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
        raise ApplyError("migration failed", message, file, line) from None
