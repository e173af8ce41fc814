"""The catalog reads what each type holds for all types at once, and the rows and the stored
values of unused sequences in one pipeline: what it reads must be what each object has."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import requires_pg
from tui.pg.catalog import snapshot

pytestmark = [pytest.mark.pg, requires_pg]

SQL = """
CREATE TYPE mood AS ENUM ('sad', 'ok');
ALTER TYPE mood ADD VALUE 'happy' BEFORE 'ok';
CREATE TYPE empty_enum AS ENUM ();
CREATE TYPE pair AS (left_side int, right_side text);
ALTER TYPE pair DROP ATTRIBUTE left_side;
CREATE TYPE span AS RANGE (subtype = float8);
CREATE DOMAIN positive AS int NOT NULL DEFAULT 1 CHECK (VALUE > 0) CONSTRAINT small CHECK (VALUE < 100);
CREATE DOMAIN plain AS text;
CREATE SEQUENCE never_used START 40;
CREATE SEQUENCE set_back;
SELECT setval('set_back', 7, false);
CREATE SEQUENCE used;
SELECT nextval('used'), nextval('used');
CREATE TABLE t (id int, m mood, p positive, "Odd Name" text, made timestamptz DEFAULT now());
INSERT INTO t VALUES (2, 'happy', 5, 'b'), (1, 'sad', 3, NULL);
CREATE TABLE empty_table (id int);
"""


def test_types_sequences_and_rows_read_at_once_are_each_objects_own(pg_server: Any) -> None:
    db = pg_server.create_database("catalog_reads")
    try:
        with pg_server.connect(db) as conn:
            for part in SQL.split(";\n"):  # one statement at a time: a new enum label is used after it is committed
                if part.strip():
                    conn.execute(part)
            s = snapshot(conn)
    finally:
        pg_server.drop_database(db)
    types, domains, seqs = s.objects["type"], s.objects["domain"], s.objects["sequence"]
    assert types["mood"]["labels"] == ("sad", "happy", "ok")
    assert types["empty_enum"]["labels"] == ()
    assert types["pair"]["attributes"] == ("right_side text",)
    assert types["span"]["subtype"] == "double precision"
    assert domains["positive"]["checks"] == ("positive_check: CHECK ((VALUE > 0))", "small: CHECK ((VALUE < 100))")
    assert domains["positive"]["not_null"] is True and domains["positive"]["default"] == "1"
    assert domains["plain"]["checks"] == ()
    assert seqs["never_used"]["value"] == "40 (not called)"
    assert seqs["set_back"]["value"] == "7 (not called)"
    assert seqs["used"]["value"] == "2"
    assert s.sequence_values == {q: v["value"] for q, v in seqs.items()}
    assert s.row_columns["t"] == ["Odd Name", "id", "m", "p"]  # `made` (a clock default) left out
    assert s.rows["t"] == [("b", "2", "happy", "5"), ("NULL", "1", "sad", "3")]  # NULL sorts last
    assert "empty_table" not in s.rows
    assert "t.made: default now() (clock or random)" in s.skipped


def test_rows_are_read_whatever_the_names_hold(pg_server: Any) -> None:
    # A quote in a column's name and a dot in a table's: names reach the query as identifiers.
    db = pg_server.create_database("catalog_names")
    try:
        with pg_server.connect(db) as conn:
            conn.execute('CREATE TABLE "odd.table" ("say ""hi""" text, id int)')
            conn.execute("""INSERT INTO "odd.table" VALUES ('x', 1)""")
            s = snapshot(conn)
    finally:
        pg_server.drop_database(db)
    assert s.row_columns["odd.table"] == ["id", 'say "hi"']
    assert s.rows["odd.table"] == [("1", "x")]


def test_a_column_s_options_are_those_a_user_set(pg_server: Any) -> None:
    """Debian's PostgreSQL 15.20 writes a `pg_attver` of its own into every column made, another
    value in each build: read as an option, no two builds of a history were the same."""
    db = pg_server.create_database("catalog_options")
    try:
        with pg_server.connect(db) as conn:
            conn.execute("CREATE TABLE o (a int, b text)")
            conn.execute("ALTER TABLE o ALTER COLUMN a SET (n_distinct = 100)")
            s = snapshot(conn)
    finally:
        pg_server.drop_database(db)
    assert s.objects["column"]["o.a"]["options"] == "n_distinct=100"
    assert s.objects["column"]["o.b"]["options"] == ""
