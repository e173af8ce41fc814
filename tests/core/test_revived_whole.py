"""A table left out (made and dropped later) that a kept statement needs again comes back whole:
with its columns and keys, not as `CREATE TABLE t ()` that the statement needing it then fails
on. And a statement the model cannot read brings back only what it names: a comment on a
column by the column's table and name, not by every `id` in its text."""

from __future__ import annotations

from pathlib import Path

from tests.core.plans import generated_sql, write_history

TABLES = "CREATE TABLE staging (id serial PRIMARY KEY, payload text);\nCREATE TABLE events (id serial PRIMARY KEY, kind text);\n"
# Conditions: a DO block the model cannot follow (without a proof to watch it).
READS_VIEW = "DO $$ BEGIN IF EXISTS (SELECT 1 FROM staging_view) THEN RAISE NOTICE 'staged'; END IF; END $$;\n"


def test_a_table_needed_again_comes_back_with_its_columns(tmp_path: Path) -> None:
    root = write_history(tmp_path, {
        "0001_tables.sql": TABLES,
        "0002_view.sql": "CREATE VIEW staging_view AS SELECT id, payload FROM staging;\n" + READS_VIEW,
        "0003_drop.sql": "DROP VIEW staging_view;\nDROP TABLE staging;\n",
    })
    sql = generated_sql(root)
    assert "CREATE VIEW staging_view" in sql, sql  # the block reads it: it stays, and what it reads
    assert "CREATE TABLE staging (id serial PRIMARY KEY, payload text)" in sql and "staging ()" not in sql, sql


def test_a_comment_on_a_column_is_not_brought_back_by_a_word_it_shares(tmp_path: Path) -> None:
    root = write_history(tmp_path, {
        "0001_tables.sql": TABLES,
        "0002_view.sql": "CREATE VIEW loaded AS SELECT * FROM staging;\nCOMMENT ON COLUMN loaded.id IS 'the staging row';\n",
        "0003_block.sql": "DO $$ BEGIN IF (SELECT max(id) FROM events) > 0 THEN RAISE NOTICE 'events'; END IF; END $$;\n",
        "0004_drop.sql": "DROP VIEW loaded;\nDROP TABLE staging;\n",
    })
    sql = generated_sql(root)
    assert "loaded" not in sql and "staging" not in sql, sql
