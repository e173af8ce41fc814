"""Flyway runs a script outside a transaction when it holds a statement PostgreSQL refuses in one
(CREATE INDEX CONCURRENTLY...), unless the script's `.conf` says otherwise. The tool ran every
Flyway script in a transaction, so such a history "did not apply" where Flyway applies it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.formats.flyway_transactions import outside_transaction
from tui.core.sources import load_sources


@pytest.mark.parametrize(("sql", "line"), [
    ("CREATE INDEX CONCURRENTLY a_b ON a (b);", 1),
    ("-- the index\n/* big table */ create  unique\n index concurrently a_b on a (b);", 2),
    ("DROP INDEX CONCURRENTLY IF EXISTS a_b;", 1),
    ("VACUUM FULL a;", 1),
    ("SELECT 1;\n\nvacuum;", 3),
    ("CREATE DATABASE other;", 1),
    ("DROP TABLESPACE t;", 1),
    ("ALTER SYSTEM SET work_mem = '64MB';", 1),
    ("REINDEX DATABASE app;", 1),
    ("DISCARD ALL;", 1),
])
def test_a_statement_flyway_runs_outside_a_transaction(sql: str, line: int) -> None:
    assert outside_transaction(sql) == (line, 1 if sql.startswith("SELECT") else 0)


@pytest.mark.parametrize("sql", [
    "CREATE INDEX a_b ON a (b);",
    "-- CREATE INDEX CONCURRENTLY a_b ON a (b);\nCREATE INDEX a_b ON a (b);",
    "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'VACUUM a'; END $$;",
    "INSERT INTO notes VALUES ('CREATE INDEX CONCURRENTLY is slow; VACUUM too');",
    "ALTER TYPE mood ADD VALUE 'meh';",  # (in a transaction from PostgreSQL 12 on, as Flyway runs it there)
    "CREATE TABLE database (system int, vacuum text);",
    "REINDEX TABLE a;",
])
def test_other_statements_run_in_one(sql: str) -> None:
    assert outside_transaction(sql) is None


def test_the_lines_of_the_first_of_each_kind() -> None:
    sql = "CREATE TABLE a (id int);\n\nCREATE INDEX CONCURRENTLY a_id ON a (id);\nANALYZE a;\nVACUUM a;\n"
    assert outside_transaction(sql) == (3, 1)


def test_rows_after_a_copy_are_not_read_as_statements() -> None:
    sql = "COPY notes (body) FROM stdin;\nVACUUM; it said\n\\.\nCREATE INDEX CONCURRENTLY n ON notes (body);\n"
    assert outside_transaction(sql) == (4, 1)
    assert outside_transaction("COPY notes (body) FROM stdin;\nVACUUM now\n\\.\n") is None


def _project(root: Path, conf: str = "", script_conf: str | None = None) -> Path:
    folder = root / "migrations"
    folder.mkdir(parents=True)
    (folder / "V1__a.sql").write_text("CREATE TABLE a (id int, b text);\n")
    (folder / "V2__index.sql").write_text("CREATE INDEX CONCURRENTLY a_b ON a (b);\nANALYZE a;\n")
    if script_conf is not None:
        (folder / "V2__index.sql.conf").write_text(script_conf)
    if conf:
        (root / "flyway.conf").write_text(conf)
    return root


def test_the_script_is_read_as_run_outside_a_transaction_and_a_mix_is_said(tmp_path: Path) -> None:
    src = load_sources(_project(tmp_path))
    assert [m.transactional for m in src.migrations] == [True, False]
    [warning] = [d for d in src.diagnostics if d.file.endswith("V2__index.sql")]
    assert warning.severity == "warning" and warning.line == 1 and "flyway.mixed=true" in warning.message


def test_mixed_on_says_nothing_and_the_scripts_conf_wins(tmp_path: Path) -> None:
    src = load_sources(_project(tmp_path / "mixed", conf="flyway.mixed=true\n"))
    assert [m.transactional for m in src.migrations] == [True, False] and not src.diagnostics
    src = load_sources(_project(tmp_path / "conf", script_conf="executeInTransaction=true\n"))
    assert [m.transactional for m in src.migrations] == [True, True] and not src.diagnostics


def test_a_kept_scripts_conf_goes_with_it(tmp_path: Path) -> None:
    """With --until, the scripts after it are copied as they are: their `.sql.conf` was left behind,
    and with it what the script's settings said (here: outside a transaction)."""
    from tui.core.generate import generate

    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "V1__a.sql").write_text("CREATE TABLE a (id int);\n")
    (folder / "V2__b.sql").write_text("ALTER TABLE a ADD COLUMN b int;\n")
    (folder / "V3__idx.sql").write_text("CREATE INDEX a_b ON a (b);\n")
    (folder / "V3__idx.sql.conf").write_text("executeInTransaction=false\n")
    (folder / "R__v.sql").write_text("CREATE OR REPLACE VIEW v AS SELECT id FROM a;\n")
    (folder / "R__v.sql.conf").write_text("encoding=UTF-8\n")
    generate(tmp_path, until="2", out=tmp_path / "out")
    for name in ("V3__idx.sql.conf", "R__v.sql.conf"):
        assert (tmp_path / "out" / name).read_text() == (folder / name).read_text()
    assert not load_sources(tmp_path, "out", "flyway").migrations[-2].transactional


def test_an_undo_script_and_a_callback_are_said_to_be_what_they_are(tmp_path: Path) -> None:
    from tui.core.analysis import analyze

    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "V1__a.sql").write_text("CREATE TABLE a (id int);\n")
    (folder / "U1__a.sql").write_text("DROP TABLE a;\n")
    (folder / "afterMigrate.sql").write_text("GRANT SELECT ON a TO PUBLIC;\n")
    diagnostics = analyze(tmp_path).diagnostics
    said = [d.message for d in diagnostics if d.file == "migrations/U1__a.sql"]
    assert len(said) == 1 and said[0].startswith("an undo script (of version 1): not read"), said
    said = [(d.severity, d.message) for d in diagnostics if d.file == "migrations/afterMigrate.sql"]
    assert said == [("info", "a Flyway callback (afterMigrate): Flyway runs it around its own work, not as a migration; not read, "
                     "copied to the new set as it is")], said
