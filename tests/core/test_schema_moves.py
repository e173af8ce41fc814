"""ALTER ... SET SCHEMA (replay/moves.py): the object keeps its timeline under its name in the new
schema, a table takes its indexes, keys and serial sequences along, and a type takes the
signatures of the functions that use it. The proof on PostgreSQL: the families
table_and_its_enum_moved_aside_then_made_again_under_their_names and
function_moved_into_a_schema_then_called_by_a_later_column."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.plans import generated_sql, write_history
from tui.core.analysis import Analysis, analyze

MOVED = """CREATE SCHEMA archive;
CREATE TYPE status AS ENUM ('open', 'closed');
CREATE TABLE tickets (id serial PRIMARY KEY, title text NOT NULL, status status);
CREATE INDEX tickets_title_idx ON tickets (title);
CREATE FUNCTION is_open(s status) RETURNS boolean LANGUAGE sql AS $$ SELECT s = 'open' $$;
ALTER TYPE status SET SCHEMA archive;
ALTER TABLE tickets SET SCHEMA archive;
"""


def _analyzed(root: Path, *files: str) -> Analysis:
    return analyze(write_history(root, {f"2024010100000{i}_m.sql": sql for i, sql in enumerate(files, 1)}))


def _live(a: Analysis) -> set[str]:
    return {k for k, o in a.model.objects.items() if o.exists}


def test_a_table_moves_with_its_index_key_and_sequence(tmp_path: Path) -> None:
    a = _analyzed(tmp_path, MOVED)
    live = _live(a)
    assert {"table:archive.tickets", "index:archive.tickets_title_idx", "sequence:archive.tickets_id_seq",
            "constraint:archive.tickets.tickets_pkey", "type:archive.status", "function:is_open(archive.status)"} <= live, live
    assert not {"table:tickets", "index:tickets_title_idx", "sequence:tickets_id_seq", "type:status"} & live
    assert not a.model.unfollowable, [u.reason for u in a.model.unfollowable]
    assert a.model.objects["column:archive.tickets.title"].schema == "archive"


def test_names_freed_by_a_move_make_new_objects_not_redefinitions(tmp_path: Path) -> None:
    a = _analyzed(tmp_path, MOVED, "CREATE TYPE status AS ENUM ('todo');\nCREATE TABLE tickets (id serial PRIMARY KEY);\n"
                  "CREATE INDEX tickets_title_idx ON tickets (id);\nDROP FUNCTION is_open(archive.status);\n")
    assert {"table:tickets", "table:archive.tickets", "type:status", "type:archive.status", "index:tickets_title_idx"} <= _live(a)
    assert not [f for f in a.findings if f.kind == "redefined"], [f.action for f in a.findings if f.kind == "redefined"]
    assert not [d.message for d in a.diagnostics if "never created" in d.message]
    assert not a.model.objects["function:is_open(archive.status)"].exists


@pytest.mark.parametrize("statement", [
    "ALTER SEQUENCE tickets_id_seq SET SCHEMA archive",  # owned by its column: PostgreSQL refuses
    "ALTER TABLE tickets SET SCHEMA public",  # there already
    "ALTER EXTENSION citext SET SCHEMA archive",  # what an extension holds is not known one by one
])
def test_a_move_the_model_cannot_follow_is_kept_as_written(tmp_path: Path, statement: str) -> None:
    a = _analyzed(tmp_path, "CREATE SCHEMA archive;\nCREATE TABLE tickets (id serial PRIMARY KEY);\n", statement + ";\n")
    assert [u.stmt.text for u in a.model.unfollowable] == [statement]
    assert "table:tickets" in _live(a)


def test_a_move_into_a_schema_made_where_the_model_does_not_follow_is_kept_and_frees_the_name(tmp_path: Path) -> None:
    a = _analyzed(tmp_path, "DO $$ BEGIN EXECUTE 'CREATE SCHEMA hidden'; END $$;\nCREATE TABLE tickets (id serial PRIMARY KEY);\n",
                  "ALTER TABLE tickets SET SCHEMA hidden;\nCREATE TABLE tickets (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\n")
    assert "ALTER TABLE tickets SET SCHEMA hidden" in {u.stmt.text for u in a.model.unfollowable}
    assert {"table:tickets", "table:hidden.tickets", "sequence:hidden.tickets_id_seq"} <= _live(a)
    assert not [f for f in a.findings if f.kind == "redefined"]


def test_a_table_with_an_identity_frees_its_sequence_name_when_it_moves(tmp_path: Path) -> None:
    a = _analyzed(tmp_path, "CREATE SCHEMA archive;\nCREATE TABLE jobs (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\n",
                  "ALTER TABLE jobs SET SCHEMA archive;\nCREATE TABLE jobs (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\n")
    assert not a.model.unfollowable and {"table:jobs", "table:archive.jobs"} <= _live(a)


def test_a_move_of_a_table_not_there_with_if_exists_changes_nothing(tmp_path: Path) -> None:
    a = _analyzed(tmp_path, "CREATE SCHEMA archive;\nALTER TABLE IF EXISTS gone SET SCHEMA archive;\n")
    assert not a.model.unfollowable and [f for f in a.findings if f.kind == "no_effect"]


def test_a_column_folds_into_a_table_moved_later_and_runs_before_the_move(tmp_path: Path) -> None:
    sql = generated_sql(write_history(tmp_path, {
        "20240101000001_m.sql": "CREATE TABLE tickets (id int PRIMARY KEY);\nCREATE SCHEMA archive;\n",
        "20240101000002_m.sql": "ALTER TABLE tickets ADD COLUMN title text;\n",
        "20240101000003_m.sql": "ALTER TABLE tickets SET SCHEMA archive;\nALTER TABLE archive.tickets ADD COLUMN note text;\n"}))
    assert "CREATE TABLE tickets (id int PRIMARY KEY, title text, note text);" in sql, sql
    assert sql.index("CREATE TABLE tickets") < sql.index("ALTER TABLE tickets SET SCHEMA archive"), sql


def test_a_function_renamed_before_a_column_calls_it_goes_first(tmp_path: Path) -> None:
    sql = generated_sql(write_history(tmp_path, {
        "20240101000001_m.sql": "CREATE TABLE t (id int PRIMARY KEY);\n"
                                "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n",
        "20240101000002_m.sql": "ALTER FUNCTION f() RENAME TO g;\nALTER TABLE t ADD COLUMN n int DEFAULT g();\n"}))
    assert "n int DEFAULT g()" in sql and sql.index("RENAME TO g") < sql.index("CREATE TABLE t"), sql


def test_a_function_taking_an_array_of_a_renamed_type_is_found_by_its_new_signature(tmp_path: Path) -> None:
    a = _analyzed(tmp_path, "CREATE TYPE mood AS ENUM ('a');\nCREATE FUNCTION f(m mood[], n int) RETURNS int LANGUAGE sql AS $$ SELECT n $$;\n",
                  "ALTER TYPE mood RENAME TO feeling;\nDROP FUNCTION f(feeling[], int);\n")
    assert not [d.message for d in a.diagnostics if "never created" in d.message]
    assert not a.model.objects["function:f(feeling[], integer)"].exists and not a.model.unfollowable
