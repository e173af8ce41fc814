"""Whether Flyway runs a script in a transaction, when the script's `.conf` does not say.

Flyway's PostgreSQL parser looks at how each statement starts (`detectCanExecuteInTransaction`
in flyway-database-postgresql): a script holding one it knows PostgreSQL refuses in a transaction
block (CREATE INDEX CONCURRENTLY, VACUUM, CREATE DATABASE...) runs outside one, statement by
statement; with other statements beside it, only where `mixed` is on (Flyway refuses it otherwise).
Its list also has ALTER TYPE ... ADD VALUE, which it keeps in a transaction from PostgreSQL 12 on,
as the servers the tool proves on are: left out here."""

from __future__ import annotations

import re
from typing import NamedTuple

from pglast.parser import scan

# Flyway's patterns, matched as it does on the statement's first words, upper-cased.
_OUTSIDE = re.compile(r"(CREATE|DROP) (DATABASE|TABLESPACE|SUBSCRIPTION)\b|ALTER SYSTEM\b|(CREATE|DROP)( UNIQUE)? INDEX CONCURRENTLY\b"
                      r"|REINDEX( VERBOSE)? (SCHEMA|DATABASE|SYSTEM)\b|VACUUM\b|DISCARD ALL\b")
# A word without which none of them can be there: most scripts are not scanned.
_MAYBE = re.compile(r"\b(CONCURRENTLY|VACUUM|SYSTEM|DISCARD|DATABASE|TABLESPACE|SUBSCRIPTION)\b", re.IGNORECASE)
# The rows after a COPY ... FROM stdin, and the `\.` ending them, are not SQL: blanked (their lines kept).
_COPY_ROWS = re.compile(r"(^[ \t]*COPY\b[^;]*?\bFROM\s+stdin\b[^;]*;[^\n]*\n)(.*?)^\\\.[ \t]*$", re.IGNORECASE | re.MULTILINE | re.DOTALL)
_COMMENTS = ("SQL_COMMENT", "C_COMMENT")
_SEMICOLON = "ASCII_59"


class Outside(NamedTuple):
    """The line of the first statement Flyway runs outside a transaction, and of the first other one (0: none)."""

    line: int
    other_line: int


def outside_transaction(text: str) -> Outside | None:
    """Where the script holds a statement Flyway runs outside a transaction; None if it holds none
    (or cannot be scanned: then the parse names what is wrong with it)."""
    if not _MAYBE.search(text):
        return None
    text = _COPY_ROWS.sub(lambda m: m.group(1) + "\n" * m.group(2).count("\n"), text)
    try:
        tokens = scan(text)
    except Exception:  # noqa: BLE001 - pglast's scanner raises its own error types on a bad script
        return None
    first = other = 0
    words: list[str] = []
    start = -1
    line, counted = 1, 0  # (lines counted on from the last statement: a dump of thousands stays linear)
    for tok in [*tokens, None]:
        if tok is not None and tok.name in _COMMENTS:
            continue
        if tok is None or tok.name == _SEMICOLON:
            if words:
                line += text.count("\n", counted, start)
                counted = start
                if _OUTSIDE.match(" ".join(words)):
                    first = first or line
                else:
                    other = other or line
            words, start = [], -1
            continue
        if len(words) < 5:
            if start < 0:
                start = tok.start
            words.append(text[tok.start:tok.end + 1].upper())
    return Outside(first, other) if first else None
