"""What generate folds: column renames, a function redefined around its trigger, runs of INSERTs.
(Each fold is proven equal on a real PostgreSQL by tests/pg/test_roundtrip.py on the example.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copy_corpus, corpus_cases
from tests.core.plans import generated_sql, write_history
from tui.core.analysis import analyze
from tui.core.decisions import Decisions
from tui.core.plan import _settled_items, mark_dead
from tui.core.plan.folding import fold
from tui.core.plan.planner import Planner


def test_example_renames_fold_and_the_notify_function_is_written_once(example: Path) -> None:
    sql = generated_sql(example)
    assert "RENAME COLUMN" not in sql and "hostname TEXT" in sql and "payload JSONB" in sql  # as the author wrote them
    assert sql.count("FUNCTION notify_execution_change()") == 2  # the definition and its trigger
    assert sql.index("CREATE OR REPLACE FUNCTION notify_execution_change()") < sql.index("CREATE TRIGGER execution_change_notify")


def test_rename_used_by_an_index_expression_before_it_stays(tmp_path: Path) -> None:
    sql = generated_sql(write_history(tmp_path, {
        "0001_a.sql": "CREATE TABLE box (id int, w int);\nCREATE INDEX box_w ON box ((w * 2));\n",
        "0002_b.sql": "ALTER TABLE box RENAME COLUMN w TO width;\n",
    }))
    assert "RENAME COLUMN w TO width" in sql


def test_runs_of_inserts_merge_but_not_across_a_statement_trigger(tmp_path: Path) -> None:
    sql = generated_sql(write_history(tmp_path, {
        "0001_a.sql": "CREATE TABLE lang (id serial PRIMARY KEY, code text);\n"
                      "INSERT INTO lang (code) VALUES ('aa');\nINSERT INTO lang (code) VALUES ('ab');\n"
                      "INSERT INTO lang (code) VALUES ('ac');\n",
    }))
    assert sql.count("INSERT INTO lang") == 1 and "('ac')" in sql and sql.index("('aa')") < sql.index("('ac')")
    sql = generated_sql(write_history(tmp_path / "t", {
        "0001_a.sql": "CREATE TABLE lang (id serial PRIMARY KEY, code text);\n"
                      "CREATE FUNCTION note() RETURNS trigger AS $$ BEGIN RETURN NULL; END $$ LANGUAGE plpgsql;\n"
                      "CREATE TRIGGER lang_note AFTER INSERT ON lang FOR EACH STATEMENT EXECUTE FUNCTION note();\n"
                      "INSERT INTO lang (code) VALUES ('aa');\nINSERT INTO lang (code) VALUES ('ab');\n",
    }))
    assert sql.count("INSERT INTO lang") == 2


def test_merged_rows_take_a_line_each_once_they_do_not_fit_one(tmp_path: Path) -> None:
    rows = "".join(f"INSERT INTO city (name) VALUES ('City number {i}');\n" for i in range(40))
    sql = generated_sql(write_history(tmp_path, {"0001_a.sql": "CREATE TABLE city (id serial PRIMARY KEY, name text);\n" + rows}))
    lines = [line for line in sql.splitlines() if "City number" in line]
    assert len(lines) == 40 and max(map(len, lines)) < 60
    sql = generated_sql(write_history(tmp_path / "t", {"0001_a.sql": "CREATE TABLE lang (code text);\n"
                                                     "INSERT INTO lang VALUES ('aa');\nINSERT INTO lang VALUES ('ab');\n"}))
    assert "INSERT INTO lang VALUES ('aa'), ('ab');" in sql  # short runs stay on the line they fit


def test_a_type_change_folds_unless_a_default_remembers_the_old_type(tmp_path: Path) -> None:
    sql = generated_sql(write_history(tmp_path, {
        "0001_a.sql": "CREATE TABLE job (id int, note text, state text DEFAULT 'new', done boolean NOT NULL);\n",
        "0002_b.sql": "ALTER TABLE job ALTER COLUMN note TYPE varchar(50);\n"
                      "ALTER TABLE job ALTER COLUMN state TYPE varchar(10);\n"
                      "CREATE TYPE job_state AS ENUM ('ok', 'failed');\n"
                      "ALTER TABLE job ALTER done TYPE job_state USING CASE WHEN done THEN 'ok'::job_state ELSE 'failed'::job_state END;\n",
    }))
    assert "ALTER COLUMN note" not in sql and "note varchar(50)" in sql
    assert "ALTER COLUMN state TYPE varchar(10)" in sql  # its default was written for text
    assert "done job_state NOT NULL" in sql and sql.index("CREATE TYPE job_state") < sql.index("CREATE TABLE job")


def test_a_foreign_key_does_not_fold_past_a_truncate_of_its_table(tmp_path: Path) -> None:
    """In the CREATE TABLE the key would exist before the TRUNCATE, which PostgreSQL then refuses."""
    sql = generated_sql(write_history(tmp_path, {
        "0001_a.sql": "CREATE TABLE parents (id int PRIMARY KEY);\nCREATE TABLE kids (id int PRIMARY KEY);\n"
                      "ALTER TABLE kids ADD COLUMN name text;\nINSERT INTO parents (id) SELECT 1;\nTRUNCATE parents;\n",
        "0002_b.sql": "ALTER TABLE kids ADD COLUMN parent_id int REFERENCES parents (id);\n",
    }))
    assert "TRUNCATE parents" in sql and "kids (id int PRIMARY KEY, name text)" in sql  # the other column still folds
    assert "ALTER TABLE kids ADD COLUMN parent_id int REFERENCES parents (id)" in sql


def test_a_column_does_not_fold_past_a_call_of_a_procedure_that_names_its_table(tmp_path: Path) -> None:
    """The procedure adds a column by EXECUTE: folded into the CREATE TABLE, a later column would
    come before it. (Without a server to ask what the CALL did, its body's words are all there is.)"""
    sql = generated_sql(write_history(tmp_path, {
        "0001_a.sql": "CREATE TABLE orders (id int PRIMARY KEY);\nCREATE TABLE other (id int PRIMARY KEY);\n"
                      "CREATE PROCEDURE stamp() LANGUAGE plpgsql AS $$ BEGIN "
                      "EXECUTE 'ALTER TABLE orders ADD COLUMN stamped_at timestamptz'; END $$;\n",
        "0002_b.sql": "CALL stamp();\nALTER TABLE orders ADD COLUMN note text;\nALTER TABLE other ADD COLUMN note text;\n",
    }))
    assert "ALTER TABLE orders ADD COLUMN note text" in sql and sql.index("CALL stamp()") < sql.index("ADD COLUMN note")
    assert "other (id int PRIMARY KEY, note text)" in sql  # a table it does not name still folds


@pytest.mark.parametrize("name", ["example", "lemmy-0.19.9", "quickwit"])
def test_the_planner_counts_each_objects_dead_events(name: str, example: Path, tmp_path: Path) -> None:
    # The plan asks how many of an object's events are dead from a count kept as they die and come
    # back (a look at each event of a table with thousands, for each of its partitions, was
    # quadratic): after the folds, each count is what the events say.
    if name == "example":
        root = example
    else:
        case = next(c for c in corpus_cases() if c[0] == name)
        root = copy_corpus(tmp_path, name, case[2])
    analysis = analyze(root, track_reads=True)
    p = Planner(analysis, Decisions())
    mark_dead(p)
    items, _ = _settled_items(p)
    fold(p, items)
    assert p.dead
    for o in analysis.model.objects.values():
        assert p.dead_in.get(id(o), 0) == sum(id(e) in p.dead for e in o.events), o.key
