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


def test_a_parent_s_rows_are_its_own(pg_server: Any) -> None:
    """Read through a parent, the rows of every partition came again under it, and the read locked
    each partition and its indexes at once: with thousands of partitions the server's lock table
    overflowed ("out of shared memory")."""
    db = pg_server.create_database("catalog_parents")
    try:
        with pg_server.connect(db) as conn:
            conn.execute("CREATE TABLE ev (day int, v text) PARTITION BY RANGE (day)")
            conn.execute("CREATE TABLE ev_1 PARTITION OF ev FOR VALUES FROM (1) TO (2)")
            conn.execute("CREATE TABLE ev_2 PARTITION OF ev FOR VALUES FROM (2) TO (3)")
            conn.execute("INSERT INTO ev VALUES (1, 'a'), (2, 'b')")
            conn.execute("CREATE TABLE base (id int)")
            conn.execute("CREATE TABLE child (extra text) INHERITS (base)")
            conn.execute("INSERT INTO base VALUES (1)")
            conn.execute("INSERT INTO child VALUES (2, 'x')")
            s = snapshot(conn)
    finally:
        pg_server.drop_database(db)
    assert "ev" not in s.rows
    assert s.rows["ev_1"] == [("1", "a")] and s.rows["ev_2"] == [("2", "b")]
    assert s.rows["base"] == [("1",)] and s.rows["child"] == [("x", "2")]


def test_many_reads_end_their_transaction_as_they_go(pg_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """What one pipeline sends up to a sync is one transaction, holding its locks to the end: the
    rows and the unused sequences are read a few at a time, every one of them still read."""
    from psycopg import Pipeline

    from tui.pg import catalog

    syncs: list[int] = []
    real_sync = Pipeline.sync

    def sync(self: Pipeline) -> None:
        syncs.append(1)
        real_sync(self)

    monkeypatch.setattr(catalog, "_READS_A_SYNC", 3)
    monkeypatch.setattr(Pipeline, "sync", sync)
    db = pg_server.create_database("catalog_synced")
    try:
        with pg_server.connect(db) as conn:
            for i in range(10):
                conn.execute(f"CREATE TABLE t{i} (id int PRIMARY KEY)")
                conn.execute(f"INSERT INTO t{i} VALUES ({i})")
                conn.execute(f"CREATE SEQUENCE s{i} START {i + 1}")
            s = snapshot(conn)
    finally:
        pg_server.drop_database(db)
    assert s.rows == {f"t{i}": [(str(i),)] for i in range(10)}
    assert s.sequence_values == {f"s{i}": f"{i + 1} (not called)" for i in range(10)}
    assert len(syncs) >= 6  # (3 for each ten, at least: psycopg may sync more of its own)
