"""The question marks of SQL that PostgreSQL's JDBC driver prepares (Liquibase runs each statement
so): outside quotes, dollar quotes and comments, `?` is a parameter and `??` stands for a `?` of
the SQL itself (jsonb's `?`, `?|` and `?&` operators are written `??`, `??|`, `??&`). Scanned as
the driver scans (org.postgresql.core.Parser), not as PostgreSQL does: the driver decides."""

from __future__ import annotations

import re

_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\uffff][\w\x80-\uffff]*)?\$")


def _code_spans(sql: str) -> list[tuple[int, int]]:
    """The (start, end) of the runs of `sql` outside quotes, dollar quotes and comments."""
    spans: list[tuple[int, int]] = []
    start = i = 0
    n = len(sql)
    while i < n:
        c = sql[i]
        end = -1
        if c == "'":
            backslashes = i > 0 and sql[i - 1] in "eE" and not (i > 1 and (sql[i - 2].isalnum() or sql[i - 2] in "_$"))
            end = _quote_end(sql, i, "'", backslashes)
        elif c == '"':
            end = _quote_end(sql, i, '"', False)
        elif c == "-" and sql.startswith("--", i):
            nl = sql.find("\n", i)
            end = n if nl < 0 else nl + 1
        elif c == "/" and sql.startswith("/*", i):
            end = _block_comment_end(sql, i)
        elif c == "$" and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == "_")) and (tag := _TAG.match(sql, i)) is not None:
            close = sql.find(tag.group(), tag.end())
            end = n if close < 0 else close + len(tag.group())
        if end < 0:
            i += 1
            continue
        spans.append((start, i))
        start = i = end
    spans.append((start, n))
    return [(a, b) for a, b in spans if b > a]


def _quote_end(sql: str, i: int, quote: str, backslashes: bool) -> int:
    j = i + 1
    while j < len(sql):
        if backslashes and sql[j] == "\\":
            j += 2
            continue
        if sql[j] == quote:
            if sql.startswith(quote * 2, j):
                j += 2
                continue
            return j + 1
        j += 1
    return len(sql)


def _block_comment_end(sql: str, i: int) -> int:
    depth, j = 0, i
    while j < len(sql):
        if sql.startswith("/*", j):
            depth, j = depth + 1, j + 2
        elif sql.startswith("*/", j):
            depth, j = depth - 1, j + 2
            if not depth:
                return j
        else:
            j += 1
    return len(sql)


def _mapped(sql: str, swap: re.Pattern[str], by: str) -> str:
    if "?" not in sql:
        return sql
    parts, at = [], 0
    for a, b in _code_spans(sql):
        parts.append(sql[at:a])
        parts.append(swap.sub(by, sql[a:b]))
        at = b
    parts.append(sql[at:])
    return "".join(parts)


_PAIR, _ONE = re.compile(r"\?\?"), re.compile(r"\?")


def run_text(sql: str) -> str:
    """The SQL PostgreSQL gets from the driver for `sql` as written: each `??` a `?`."""
    return _mapped(sql, _PAIR, "?")


def written_text(sql: str) -> str:
    """`sql` written for the driver: each `?` as `??`, so that PostgreSQL gets it back."""
    return _mapped(sql, _ONE, "??")
