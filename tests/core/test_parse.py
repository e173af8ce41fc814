"""Statements, positions and the fast parse path."""

from __future__ import annotations

import glob
import random
from pathlib import Path

import pglast
import pglast.parser
import pytest

from tests.conftest import CORPUS, ROOT
from tui.core.analysis import analyze
from tui.core.formats.base import Migration
from tui.core.names import nodes_of
from tui.core.parse import NAMERS, _Lines, parse_history, parse_sql
from tui.core.project import load_config
from tui.core.replay import Replayer
from tui.core.sources import load_sources

FILES = sorted(glob.glob(str(ROOT / "migrations" / "*.sql"))) + sorted(glob.glob(str(CORPUS / "*" / "migrations" / "**" / "up.sql"), recursive=True))[:60]


def _identical(a: object, b: object, path: str = "") -> None:
    """Same node classes, same value types (bool is not int), same values, positions included."""
    assert type(a) is type(b), (path, type(a), type(b))
    if isinstance(a, pglast.ast.Node):
        for slot in a.__slots__:
            _identical(getattr(a, slot), getattr(b, slot), f"{path}.{slot}")
    elif isinstance(a, tuple):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _identical(x, y, f"{path}[{i}]")
    else:
        assert a == b, (path, a, b)


@pytest.mark.parametrize("path", FILES[:: max(1, len(FILES) // 40)])
def test_fast_parse_equals_pglast(path: str) -> None:
    text = open(path, encoding="utf-8").read()
    _identical(parse_sql(text), tuple(pglast.parse_sql(text)))


def test_fast_parse_keeps_booleans_and_enums() -> None:
    _identical(parse_sql("CREATE TABLE a (b boolean DEFAULT true, c int REFERENCES d ON DELETE CASCADE)"),
               tuple(pglast.parse_sql("CREATE TABLE a (b boolean DEFAULT true, c int REFERENCES d ON DELETE CASCADE)")))


def test_pglast_is_itself_again_after_parse() -> None:
    parse_sql("SELECT 1")
    assert pglast.parser.ast is pglast.ast and pglast.parser.enums is pglast.enums
    with pytest.raises(ValueError):
        pglast.ast.RangeVar(relname=42)


def test_positions_and_comments() -> None:
    sql = "-- the table\nCREATE TABLE a (id int);\n\n  /* block */\n  SELECT 1;\nDO $$\nBEGIN\n  CREATE TYPE t AS ENUM ('x');\nEXCEPTION WHEN duplicate_object THEN null;\nEND $$;\n"
    ph = parse_history([Migration("1", "a", "m/1_a.sql", sql)])
    a, s, do = ph.statements
    assert (a.line, a.column, a.comments) == (2, 1, "-- the table")
    assert (s.line, s.column, s.text) == (5, 3, "SELECT 1")
    assert do.do_kind == "guarded"
    assert [(i.line, i.guarded, i.kind) for i in do.inner] == [(8, True, "CreateEnumStmt")]


@pytest.mark.parametrize(("sql", "line", "said"), [
    ("CREATE TABLE a (id int);\n\nCREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND\n", 3,
     'unterminated dollar-quoted string at or near "$$..."; rest of file skipped'),
    ("CREATE TABLE a (id int);\n/* never closed\nCREATE TABLE b (id int);\n", 2,
     'unterminated /* comment at or near "/* never closed..."; rest of file skipped'),
])
def test_a_quote_never_closed_is_one_error_on_one_line(sql: str, line: int, said: str) -> None:
    ph = parse_history([Migration("1", "a", "m/1_a.sql", sql)])
    assert [(d.line, d.message) for d in ph.diagnostics] == [(line, said)]
    assert [st.text for st in ph.statements] == ["CREATE TABLE a (id int)"]


def test_dbmate_section_lines_are_file_lines() -> None:
    mig = Migration("1", "a", "m/1_a.sql", "\n\ncreate table a (id int);\n", first_line=3)
    assert parse_history([mig]).statements[0].line == 5


def test_copy_from_stdin_is_named_and_the_next_statement_kept() -> None:
    """psql's inline rows are not SQL: the COPY and its rows are left out with a message at its
    line, and the statements after them are read (they used to vanish in one syntax error)."""
    sql = ("CREATE TABLE a (id int, name text);\n"
           "COPY a (id, name) FROM stdin;\n1\tone\n2\ttwo; not sql\n\\.\n"
           "CREATE TABLE b (id int);\n"
           "COPY b FROM STDIN;\n"
           "CREATE TABLE c (id int);\n")
    ph = parse_history([Migration("1", "a", "m/1_a.sql", sql)])
    assert [(s.line, s.kind) for s in ph.statements] == [(1, "CreateStmt"), (6, "CreateStmt"), (8, "CreateStmt")]
    assert [(d.line, d.lost) for d in ph.diagnostics] == [(2, True), (7, True)]
    assert "2 inline row(s)" in ph.diagnostics[0].message and "INSERT" in ph.diagnostics[1].message


def test_copy_from_stdin_keeps_its_rows_where_the_tool_streams_them() -> None:
    """Flyway sends the rows after a COPY as COPY data: the statement is kept, its rows with it
    (none is not the same as no block), and what follows the `\\.` is read as SQL."""
    sql = ("COPY a (id, name) FROM stdin;\n1\tone\n2\ttwo; not sql\n\\.\n"
           "COPY b FROM stdin;\n\\.\n"
           "CREATE TABLE c (id int);\n")
    ph = parse_history([Migration("1", "a", "m/V1__a.sql", sql, inline_copy=True)])
    assert [(s.line, s.kind, s.copy_rows) for s in ph.statements] == [
        (1, "CopyStmt", "1\tone\n2\ttwo; not sql\n"), (5, "CopyStmt", ""), (7, "CreateStmt", None)]
    assert ph.diagnostics == []


def test_a_psql_meta_command_is_named_as_one() -> None:
    """pg_dump writes `\\restrict <key>` at the top of its output (15.14 on): the parser's own
    message ("trailing junk after numeric literal") said nothing of what to do."""
    sql = "\\restrict 5MxorbCg95dUjg\nCREATE TABLE a (id int);\n"
    ph = parse_history([Migration("1", "a", "m/V1__a.sql", sql)])
    assert [d.line for d in ph.diagnostics] == [1]
    assert "\\restrict is a psql meta-command" in ph.diagnostics[0].message and "remove the line" in ph.diagnostics[0].message
    ph = parse_history([Migration("1", "a", "m/V1__a.sql", "CREATE TABLE b (id int);\n\\connect other\nCREATE TABLE c (id int);\n")])
    assert [(d.line, "\\connect is a psql meta-command" in d.message) for d in ph.diagnostics] == [(2, True)]


def _histories() -> list[Path]:
    return [ROOT] + sorted(p.parent for p in CORPUS.glob("*/migrations"))


@pytest.mark.parametrize("root", _histories(), ids=lambda p: p.name)
def test_the_parse_lists_each_statements_naming_nodes(root: Path) -> None:
    """What replay's `reads` would find walking each tree, the parse listed as it built it: the
    same nodes, each once, for every statement (those inside DO blocks too)."""
    cfg = load_config(root, None, None)
    statements = parse_history(load_sources(cfg.root, cfg.migrations, cfg.format).migrations).statements
    every = [s for st in statements for s in (st, *st.inner)]
    assert every and all(s.namers is not None for s in every)
    for s in every:
        assert sorted(map(id, s.namers or ())) == sorted(map(id, nodes_of([s.node], NAMERS))), s.where()


def test_naming_nodes_in_a_do_block_and_in_a_file_parsed_in_pieces() -> None:
    sql = ("CREATE TABLE a (b int REFERENCES c (d), e my_type DEFAULT f());\n"
           "DO $$ BEGIN INSERT INTO g (h) SELECT i FROM j; END $$;\n"
           "SELEC k;\n"  # refused: the file is parsed statement by statement
           "CREATE VIEW m AS SELECT n.o FROM p AS n JOIN q USING (r);\n")
    parsed = parse_history([Migration("1", "x", "x.sql", sql)])
    every = [s for st in parsed.statements for s in (st, *st.inner)]
    assert [s.kind for s in every] == ["CreateStmt", "DoStmt", "InsertStmt", "ViewStmt"]
    assert [d.line for d in parsed.diagnostics if "statement skipped" in d.message] == [3]
    for s in every:
        assert sorted(map(id, s.namers or ())) == sorted(map(id, nodes_of([s.node], NAMERS)))
    assert sorted(type(n).__name__ for n in every[2].namers or ()) == ["ColumnRef", "RangeVar", "RangeVar"]


def test_reads_are_the_same_from_the_listed_nodes(example: Path) -> None:
    listed = analyze(example, track_reads=True)
    statements = listed.parsed.statements
    for s in statements:
        s.namers = None
        for inner in s.inner:
            inner.namers = None
    walked = Replayer(track_reads=True)
    walked.run(listed.preamble)
    walked.run(statements)
    assert {seq: sorted(o.key for o in objs) for seq, objs in listed.model.reads.items()} == \
        {seq: sorted(o.key for o in objs) for seq, objs in walked.model.reads.items()}
    assert len(walked.model.reads) > 50


def test_lines_and_columns_of_offsets_asked_in_any_order() -> None:
    """Counted on from the last offset asked: the same as counting from the top each time."""
    rng = random.Random(7)
    for _ in range(500):
        text = "".join(rng.choice("ab;\n\n ") for _ in range(rng.randint(0, 80)))
        lines = _Lines(text, 3)
        offsets = sorted(rng.randint(0, len(text)) for _ in range(8)) + [rng.randint(0, len(text) + 2) for _ in range(8)]
        for off in offsets:
            assert lines.at(off) == (3 + text.count("\n", 0, off), off - text.rfind("\n", 0, off)), (text, off)


def test_a_statement_with_a_placeholder_says_what_it_may_be() -> None:
    parsed = parse_history([Migration("1", "init", "migrations/V1__init.sql", "CREATE TABLE a (id int);\nCREATE TABLE ${schema}.users (id int);\n")])
    [diag] = parsed.diagnostics
    assert diag.line == 2 and "${schema} looks like a placeholder" in diag.message
    assert [s.text for s in parsed.statements] == ["CREATE TABLE a (id int)"]
