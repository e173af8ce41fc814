"""A statement the model cannot follow but that writes only the tables it names (INSERT ...
SELECT, CREATE TABLE AS) holds back what reads or writes those tables, not everything after it,
and where those tables are dropped later it is left out with them, with what only it read;
VACUUM, ANALYZE and LOCK change nothing the database holds."""

from __future__ import annotations

from pathlib import Path

from tests.core.plans import plan_of, write_history
from tui.core.analysis import analyze

TABLES = "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE src (id int);\nINSERT INTO src VALUES (1);\n"
LATER_TYPE = "CREATE TYPE mood AS ENUM ('x');\nALTER TABLE a ADD COLUMN m mood;\n"


def _order(plan) -> list[str]:  # type: ignore[no-untyped-def]
    return [it.stmt.text.split("(")[0].strip().rstrip(";") for it in plan.items]


def test_a_column_of_a_type_made_after_an_insert_from_a_query_folds_before_it(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, TABLES, "INSERT INTO a SELECT id FROM src;\n", LATER_TYPE)
    assert plan.unfolded == []
    order = _order(plan)
    assert order.index("CREATE TYPE mood AS ENUM") < order.index("CREATE TABLE a") < order.index("INSERT INTO a SELECT id FROM src")
    assert "ALTER TABLE a ADD COLUMN m mood" not in order


def test_what_the_insert_reads_or_writes_still_waits_for_it(tmp_path: Path) -> None:
    # A trigger on its table would fire on its rows, a column dropped from its source would be
    # gone when it reads: both stay after it.
    plan = plan_of(tmp_path, TABLES, "INSERT INTO a SELECT id FROM src;\n",
                   "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.id := NEW.id + 1; RETURN NEW; END $$;\n"
                   "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW EXECUTE FUNCTION f();\nALTER TABLE src DROP COLUMN id;\n")
    order = _order(plan)
    insert = order.index("INSERT INTO a SELECT id FROM src")
    assert insert < order.index("CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW EXECUTE FUNCTION f") and insert < order.index("ALTER TABLE src DROP COLUMN id")


def test_a_do_block_still_holds_back_everything_after_it(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, TABLES, "DO $$ BEGIN IF (SELECT count(*) FROM src) > 0 THEN EXECUTE 'CREATE TABLE x (id int)'; END IF; END $$;\n", LATER_TYPE)
    assert plan.unfolded  # the type waits for the block, the table for the type: the column stays an ALTER


def test_vacuum_analyze_and_lock_are_left_out(tmp_path: Path) -> None:
    write_history(tmp_path, {"0001_a.sql": TABLES + "ANALYZE a;\nVACUUM (ANALYZE) src;\nLOCK TABLE src IN EXCLUSIVE MODE;\n"})
    a = analyze(tmp_path)
    assert [f.kind for f in a.findings].count("unfollowable") == 0
    left_out = sorted(f.action for f in a.findings if f.kind == "no_effect")
    assert len(left_out) == 3 and all(w in " ".join(left_out) for w in ("ANALYZE", "VACUUM", "LOCK")), left_out


def test_a_select_of_built_in_json_and_array_functions_is_left_out(tmp_path: Path) -> None:
    # (An app's query its migration reads the result of: n8n's JSONB_SET over its users.)
    write_history(tmp_path, {"0001_a.sql": "CREATE TABLE u (id int, settings json, tags text[]);\n"
                             "SELECT id, JSONB_SET(COALESCE(settings::jsonb, '{}'), '{on}', 'true', true), array_append(tags, 'x') FROM u;\n"
                             "SELECT my_extension_call(id) FROM u;\n"})
    a = analyze(tmp_path)
    assert [f.kind for f in a.findings if f.kind in ("no_effect", "unfollowable")] == ["no_effect", "unfollowable"]


def test_a_sequence_named_in_quotes_is_found(tmp_path: Path) -> None:
    # regclass text: `"Jobs_id_seq"` keeps its case, `Public.jobs_id_seq` is folded to lower case.
    write_history(tmp_path, {"0001_a.sql": 'CREATE TABLE "Jobs" (id serial PRIMARY KEY);\nCREATE TABLE jobs (id serial PRIMARY KEY);\n'
                             'SELECT setval(\'"Jobs_id_seq"\', (SELECT MAX(id) FROM "Jobs"));\nSELECT setval(\'Public.JOBS_id_seq\', 5);\n'})
    a = analyze(tmp_path)
    assert [f.kind for f in a.findings if f.kind == "unfollowable"] == []
    assert [e.action for e in a.model.get("sequence", "Jobs_id_seq").events][-1:] == ["setval"]  # type: ignore[union-attr]
    assert [e.action for e in a.model.get("sequence", "jobs_id_seq").events][-1:] == ["setval"]  # type: ignore[union-attr]


def test_rows_written_from_a_query_stop_folds_only_into_the_tables_they_name(tmp_path: Path) -> None:
    # Unleash's WITH ... INSERT: its literals say "create", "update" and "projects"; they are data.
    roles = ("CREATE TABLE projects (id text PRIMARY KEY);\nCREATE TABLE roles (id serial PRIMARY KEY, name text, description text);\n"
             "CREATE TABLE role_permission (role_id int, permission text);\n")
    cte = ("WITH member AS (INSERT INTO roles (name, description) VALUES ('Member', 'may create and update the projects') RETURNING id)\n"
           "INSERT INTO role_permission VALUES ((SELECT id FROM member), 'CREATE_FEATURE');\n")
    plan = plan_of(tmp_path / "data", roles, cte, "ALTER TABLE projects ADD COLUMN health int DEFAULT 100;\n")
    assert "ALTER TABLE projects ADD COLUMN health int DEFAULT 100" not in _order(plan)
    # One that runs a function of the history's may do anything the function does.
    fn = "CREATE FUNCTION grow() RETURNS text LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'ALTER TABLE projects ADD COLUMN x int'; RETURN 'x'; END $$;\n"
    runs = cte.replace("'CREATE_FEATURE'", "grow()")
    plan = plan_of(tmp_path / "code", roles + fn, runs, "ALTER TABLE projects ADD COLUMN health int DEFAULT 100;\n")
    assert "ALTER TABLE projects ADD COLUMN health int DEFAULT 100" in _order(plan)


FAST = ("CREATE TABLE users (id int PRIMARY KEY, name text);\nCREATE VIEW users_view AS SELECT id, upper(name) AS name FROM users;\n"
        "CREATE TABLE users_fast AS SELECT * FROM users_view;\n")


def test_a_table_made_from_a_query_and_dropped_later_is_left_out_with_what_it_read(tmp_path: Path) -> None:
    # A cache or a backup made with CREATE TABLE AS, dropped later (lemmy's "fast tables" and the
    # views they were made from: 655 statements written, 375 since).
    plan = plan_of(tmp_path, FAST, "ALTER TABLE users ADD COLUMN email text;\nDROP TABLE users_fast;\nDROP VIEW IF EXISTS users_view, no_such_view;\n")
    order = _order(plan)
    assert order == ["CREATE TABLE users"], order


def test_one_that_stays_keeps_what_it_read(tmp_path: Path) -> None:
    # Its table stays, or a statement that stays reads it, or it calls a function of the history's.
    kept = plan_of(tmp_path / "kept", FAST, "DROP VIEW users_view;\n")
    assert "CREATE TABLE users_fast AS SELECT * FROM users_view" in _order(kept) and "CREATE VIEW users_view AS SELECT id, upper" in _order(kept)
    read = plan_of(tmp_path / "read", FAST, "CREATE TABLE names AS SELECT name FROM users_fast;\nDROP TABLE users_fast;\n")
    assert "CREATE TABLE users_fast AS SELECT * FROM users_view" in _order(read)
    calls = plan_of(tmp_path / "calls", "CREATE TABLE log (at int);\nCREATE FUNCTION note() RETURNS int LANGUAGE sql AS $$ INSERT INTO log VALUES (1) RETURNING 1 $$;\n",
                    "CREATE TABLE scratch AS SELECT note() AS n;\nDROP TABLE scratch;\n")
    assert "CREATE TABLE scratch AS SELECT note" in _order(calls)
