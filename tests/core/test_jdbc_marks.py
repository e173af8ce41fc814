"""The question marks PostgreSQL's JDBC driver rewrites in what Liquibase runs: `??` is a `?` of
the SQL outside quotes, dollar quotes and comments, and nowhere else."""

from __future__ import annotations

import pytest

from tui.core.formats.jdbc_marks import run_text, written_text


@pytest.mark.parametrize(("written", "runs"), [
    ("SELECT j ?? 'k' FROM t", "SELECT j ? 'k' FROM t"),
    ("WHERE j ??| array['a'] AND j ??& array['b']", "WHERE j ?| array['a'] AND j ?& array['b']"),
    ("SELECT '??', \"a??\" FROM t -- ?? stays\n", "SELECT '??', \"a??\" FROM t -- ?? stays\n"),
    ("/* ?? /* nested ?? */ still ?? */ x ?? y", "/* ?? /* nested ?? */ still ?? */ x ? y"),
    ("AS $$ SELECT j ?? 'k' $$; x ?? y", "AS $$ SELECT j ?? 'k' $$; x ? y"),
    ("AS $body$ ?? $body$ ??", "AS $body$ ?? $body$ ?"),
    ("SELECT E'it\\'s ??' ?? x", "SELECT E'it\\'s ??' ? x"),
    ("SELECT 'it''s ??' ?? x", "SELECT 'it''s ??' ? x"),
    ("SELECT a$1 ?? b", "SELECT a$1 ? b"),  # (not a dollar quote: part of a name)
    ("SELECT 1", "SELECT 1"),
])
def test_the_driver_reads_a_doubled_mark_as_one_outside_quotes_and_comments(written: str, runs: str) -> None:
    assert run_text(written) == runs
    assert written_text(runs) == written


def test_an_unclosed_quote_runs_to_the_end() -> None:
    assert run_text("x ?? 'open ??") == "x ? 'open ??"
    assert run_text("x ?? $$ open ??") == "x ? $$ open ??"
