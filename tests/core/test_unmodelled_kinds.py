"""Objects the model does not make (publications, extended statistics, text search configurations,
event triggers, foreign tables...): their statements are kept as written, and a DROP or ALTER of
one is not reported as naming something the history never created."""

from __future__ import annotations

from pathlib import Path

from tests.core.plans import generated_sql, write_history
from tui.core.analysis import Analysis, analyze

MADE_AND_DROPPED = """CREATE TABLE t (id int PRIMARY KEY, a int, b int);
CREATE STATISTICS st (dependencies) ON a, b FROM t;
CREATE PUBLICATION pub FOR TABLE t;
CREATE TEXT SEARCH CONFIGURATION cfg (COPY = english);
CREATE FUNCTION noted() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER noting ON ddl_command_end EXECUTE FUNCTION noted();
CREATE FOREIGN DATA WRAPPER nowhere;
CREATE SERVER far FOREIGN DATA WRAPPER nowhere;
CREATE FOREIGN TABLE ft (id int) SERVER far;
ALTER FOREIGN TABLE ft ADD COLUMN v text;
DROP STATISTICS st;
DROP PUBLICATION pub;
DROP TEXT SEARCH CONFIGURATION cfg;
DROP EVENT TRIGGER noting;
DROP FOREIGN TABLE ft;
"""


def _analyzed(root: Path, sql: str) -> Analysis:
    return analyze(write_history(root, {"20240101000001_a.sql": sql}))


def test_a_drop_or_alter_of_an_unmodelled_kind_is_kept_without_a_false_warning(tmp_path: Path) -> None:
    a = _analyzed(tmp_path, MADE_AND_DROPPED)
    assert not [d.message for d in a.diagnostics if "never created" in d.message]
    kept = {u.stmt.text for u in a.model.unfollowable}
    dropping = [line.rstrip(";") for line in MADE_AND_DROPPED.splitlines() if line.startswith(("DROP ", "ALTER FOREIGN"))]
    assert len(dropping) == 6 and all(text in kept for text in dropping), (dropping, kept)


def test_a_drop_of_a_table_never_made_is_still_reported(tmp_path: Path) -> None:
    a = _analyzed(tmp_path, "DROP TABLE ghost;\nALTER TABLE phantom ADD COLUMN a int;\n")
    said = [d.message for d in a.diagnostics if "never created" in d.message]
    assert len(said) == 2 and "ghost" in said[0] and "phantom" in said[1], said


def test_a_column_added_later_folds_past_the_publication_that_names_its_table(tmp_path: Path) -> None:
    sql = generated_sql(write_history(tmp_path, {
        "0001_a.sql": "CREATE PUBLICATION supabase_realtime;\nCREATE TABLE msgs (id int PRIMARY KEY, body text);\n"
                      "ALTER PUBLICATION supabase_realtime ADD TABLE msgs;\nCREATE STATISTICS st (dependencies) ON id, body FROM msgs;\n"
                      "COMMENT ON PUBLICATION supabase_realtime IS 'msgs';\n",
        "0002_b.sql": "ALTER TABLE msgs ADD COLUMN sent_at timestamptz;\n",
    }))
    assert "ADD COLUMN" not in sql and "body text, sent_at timestamptz)" in sql, sql
    assert sql.index("CREATE TABLE msgs") < sql.index("ADD TABLE msgs") < sql.index("CREATE STATISTICS"), sql


def test_a_column_renamed_after_a_publication_lists_it_stays_renamed_there(tmp_path: Path) -> None:
    # The list names the column as it was; the table renamed later is named so by the statement.
    sql = generated_sql(write_history(tmp_path, {
        "0001_a.sql": "CREATE TABLE t (id int PRIMARY KEY, a int);\nCREATE PUBLICATION p FOR TABLE t (id, a);\n",
        "0002_b.sql": "ALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t RENAME TO t2;\n",
    }))
    assert "RENAME COLUMN a TO b" in sql and "RENAME TO t2" in sql, sql


def test_a_drop_if_exists_of_an_unmodelled_kind_is_not_taken_for_a_statement_without_effect(tmp_path: Path) -> None:
    # The model cannot tell whether it is there (a platform's publication, an aggregate made by a
    # statement it does not follow): left out, the CREATE after it would fail.
    a = _analyzed(tmp_path, "CREATE AGGREGATE total(int) (SFUNC = int4pl, STYPE = int);\nDROP AGGREGATE IF EXISTS total(int);\n"
                            "DROP PUBLICATION IF EXISTS supabase_realtime;\nCREATE PUBLICATION supabase_realtime;\n")
    assert not [f for f in a.findings if f.kind == "no_effect"], [f.action for f in a.findings]


def test_an_extension_made_only_where_the_server_has_it_is_not_asked_of_the_server(tmp_path: Path) -> None:
    # The Supabase preamble makes uuid-ossp and pgcrypto where they are available; a history's own
    # guarded CREATE EXTENSION still needs its extension.
    root = tmp_path / "app"
    (root / "supabase" / "migrations").mkdir(parents=True)
    (root / "supabase" / "migrations" / "20240101000000_a.sql").write_text(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citext') THEN CREATE EXTENSION citext; END IF; END $$;\n"
        "create table public.todos (id uuid default uuid_generate_v4() primary key);\n")
    a = analyze(root)
    assert a.sources.format == "supabase" and a.model.extensions == ["citext"], a.model.extensions


def test_a_column_of_a_view_renamed_is_kept_without_a_false_warning(tmp_path: Path) -> None:
    a = _analyzed(tmp_path, "CREATE TABLE t (id int, title text);\nCREATE VIEW v AS SELECT id, title FROM t;\n"
                            "ALTER VIEW v RENAME COLUMN title TO task_title;\nALTER TABLE t RENAME COLUMN nothing TO else_;\n")
    said = [d.message for d in a.diagnostics if "does not know" in d.message]
    assert len(said) == 1 and "t.nothing" in said[0], said
    assert any(u.stmt.text.startswith("ALTER VIEW v RENAME") for u in a.model.unfollowable)


def test_a_column_a_publication_does_not_list_is_renamed_in_its_create_and_the_table_is_not(tmp_path: Path) -> None:
    # The statement names the table, not its columns: the table keeps the name it says there.
    sql = generated_sql(write_history(tmp_path, {
        "0001_a.sql": "CREATE TABLE t (id int PRIMARY KEY, a int);\nCREATE PUBLICATION p FOR TABLE t;\n",
        "0002_b.sql": "ALTER TABLE t RENAME TO t2;\nALTER TABLE t2 RENAME COLUMN a TO b;\n",
    }))
    assert "RENAME COLUMN" not in sql and "CREATE TABLE t (id int PRIMARY KEY, b int)" in sql and "RENAME TO t2" in sql, sql


def test_what_a_block_made_where_the_model_does_not_follow_is_not_said_to_be_never_created(tmp_path: Path) -> None:
    a = _analyzed(tmp_path, "DO $$ BEGIN EXECUTE 'CREATE TABLE dyn_t (id int)'; END $$;\nALTER TABLE dyn_t ADD COLUMN v int;\n"
                            "DROP TABLE dyn_t;\nDROP TABLE ghost;\n")
    said = [d.message for d in a.diagnostics if d.severity == "warning"]
    assert len(said) == 3 and all("dyn_t" in m and "no statement the model follows" in m for m in said[:2]), said
    assert "ghost" in said[2] and "never created" in said[2], said
