"""The new set's down migrations, checked up-down-up by validate on a real PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.apply.helpers import run
from tests.conftest import requires_pg

pytestmark = [pytest.mark.pg, requires_pg]

UPS = {
    "20240101000000_init": ("CREATE SCHEMA IF NOT EXISTS public;\nCREATE EXTENSION IF NOT EXISTS plpgsql;\n"
                            "CREATE TABLE \"user\" (id bigint PRIMARY KEY, name text);\n"
                            "CREATE TABLE \"Audit\" (id bigint PRIMARY KEY, who bigint REFERENCES \"user\" (id));\n"),
    "20240102000000_order": ("CREATE TABLE \"order\" (id bigint PRIMARY KEY, buyer bigint REFERENCES \"user\" (id));\n"
                             "CREATE FUNCTION \"Touch\"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
                             "CREATE TRIGGER \"select\" BEFORE UPDATE ON \"order\" FOR EACH ROW EXECUTE FUNCTION \"Touch\"();\n"),
    "20240103000000_note": "ALTER TABLE \"user\" ADD COLUMN note text;\n",
}


def _project(tmp_path: Path) -> Path:
    folder = tmp_path / "shop" / "migrations"
    folder.mkdir(parents=True)
    for name, sql in UPS.items():
        (folder / f"{name}.up.sql").write_text(sql)
        (folder / f"{name}.down.sql").write_text("SELECT 1;\n")
    return tmp_path / "shop"


def test_the_generated_downs_undo_the_set_with_reserved_and_mixed_case_names(tmp_path: Path) -> None:
    project = _project(tmp_path)
    r = run(project, "validate", "--pg", "local", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    downs = json.loads(r.stdout)["downs"]
    assert downs["ok"] and downs["checked"] >= 1, downs
    assert "checked up-down-up" in r.stderr
    text = "".join(p.read_text() for p in (project / ".consolidate" / "new").glob("*.down.sql"))
    assert 'DROP TABLE IF EXISTS "user" CASCADE' in text and 'DROP TRIGGER IF EXISTS "select" ON "order"' in text
    assert "SCHEMA IF EXISTS public" not in text and "plpgsql" not in text, "what every database has is not dropped"


def test_a_down_that_leaves_or_fails_is_named_beside_the_verdict(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert run(project, "generate", "--pg", "local").returncode == 0
    staged = project / ".consolidate" / "new"
    down = next(p for p in sorted(staged.glob("*.down.sql")) if '"Audit"' in p.read_text())
    down.write_text("\n".join(line for line in down.read_text().splitlines() if '"Audit"' not in line) + "\n")
    r = run(project, "validate", "--pg", "local")
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr
    assert "WARNING: down migrations: after all" in r.stdout and 'Audit' in r.stdout, r.stdout
    down.write_text("DROP TABLE nowhere;\n")
    r = run(project, "validate", "--pg", "local")
    assert r.returncode == 0 and f"WARNING: down migrations: new/{down.name} failed: table \"nowhere\" does not exist" in r.stdout, r.stdout


def test_what_differs_between_two_builds_is_no_difference_of_the_downs(pg_server) -> None:  # type: ignore[no-untyped-def]
    from tui.core.formats.base import Migration
    from tui.pg.catalog import snapshot
    from tui.pg.downs import check_downs
    from tui.pg.runner import apply_migrations

    # Each build stamps the column with a value of its own, as a server that versions columns does.
    up = ("CREATE TABLE t (c int);\nDO $$ BEGIN EXECUTE format('ALTER TABLE t ALTER COLUMN c SET (n_distinct = %s)', "
          "(random() * 1000000)::int + 1); END $$;\n")
    migs = [Migration("1", "init", "new/1_init.up.sql", up, down_sql="DROP TABLE t;\n", down_file="new/1_init.down.sql")]
    stamped = frozenset({("column", "t.c", "options")})
    found = []
    for ignore in (frozenset(), stamped):
        db = pg_server.create_database("downs")
        try:
            apply_migrations(pg_server, db, migs)
            with pg_server.connect(db) as conn:
                built = snapshot(conn)
            found.append(check_downs(pg_server, db, migs, "", built, frozenset(), ignore=ignore))
        finally:
            pg_server.drop_database(db)
    assert found[0] is not None and found[0].again == ["column t.c: options"]
    assert found[1] is not None and found[1].again == [] and found[1].ok


def test_a_function_kept_as_last_replaced_is_dropped_by_the_down_of_its_file(tmp_path: Path) -> None:
    # Its CREATE is left out for the CREATE OR REPLACE that defines it last: that one makes it in
    # the new set, so its file's down drops it (quickwit's trigger functions).
    folder = tmp_path / "p" / "migrations"
    folder.mkdir(parents=True)
    for name, sql in {"20240101000000_a": "CREATE TABLE t (id int);\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
                      "20240102000000_b": "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2';\n"}.items():
        (folder / f"{name}.up.sql").write_text(sql)
        (folder / f"{name}.down.sql").write_text("SELECT 1;\n")
    r = run(tmp_path / "p", "validate", "--pg", "local", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    downs = json.loads(r.stdout)["downs"]
    assert downs["ok"], downs
    text = "".join(p.read_text() for p in (tmp_path / "p" / ".consolidate" / "new").glob("*.down.sql"))
    assert "DROP FUNCTION IF EXISTS f() CASCADE" in text, text
