"""Two things Flyway does that the other tools do not, both met in a baseline made by pg_dump.
It streams the rows written after a `COPY ... FROM stdin;` (up to `\\.`), as psql does: they
used to be refused as psql-only; they are now loaded, kept with their COPY in the new set, and
compared. And it sets the search path back before each migration, so pg_dump's
`set_config('search_path', '', false)` does not reach the next file: the history used to fail
("no schema has been selected") where Flyway applies it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.apply.helpers import proven_and_equal, run
from tests.conftest import requires_pg

pytestmark = [pytest.mark.pg, requires_pg]

BASELINE = (
    "SET statement_timeout = 0;\n"
    "SELECT pg_catalog.set_config('search_path', '', false);\n"
    "CREATE TABLE public.country (code character(2) NOT NULL, name text NOT NULL, note text);\n"
    "CREATE TABLE public.city (id integer NOT NULL, country character(2), name text);\n"
    "CREATE TABLE public.empty (id integer);\n"
    # Tabs between columns, \\N for NULL, a backslash escape and a semicolon inside a value.
    "COPY public.country (code, name, note) FROM stdin;\n"
    "FR\tFrance\t\\N\n"
    "DE\tGermany\tsaid \"Deutschland\"; capital Berlin\n"
    "NL\tNetherlands\tline one\\nline two\n"
    "\\.\n"
    "\n"
    "COPY public.empty (id) FROM stdin;\n"
    "\\.\n"
    "\n"
    "COPY public.city (id, country, name) FROM stdin;\n"
    "1\tFR\tParis\n"
    "2\tDE\tBerlin\n"
    "\\.\n"
    "\n"
    "ALTER TABLE ONLY public.country ADD CONSTRAINT country_pkey PRIMARY KEY (code);\n"
    "ALTER TABLE ONLY public.city ADD CONSTRAINT city_country_fkey FOREIGN KEY (country) REFERENCES public.country(code);\n"
)


def _project(root: Path, baseline: str = BASELINE) -> Path:
    folder = root / "app" / "migrations"
    folder.mkdir(parents=True)
    (folder / "V1__baseline.sql").write_text(baseline)
    (folder / "V2__more.sql").write_text("ALTER TABLE public.city ADD COLUMN population integer;\n"
                                         "UPDATE public.city SET population = 2100000 WHERE name = 'Paris';\n"
                                         "ALTER TABLE public.empty ADD COLUMN label text;\n")
    return root / "app"


def test_rows_written_after_a_copy_are_loaded_kept_and_compared(tmp_path: Path) -> None:
    project = _project(tmp_path)
    r = run(project, "analyze")
    assert r.returncode == 0 and "psql" not in r.stdout + r.stderr, r.stdout + r.stderr
    r = run(project, "generate", "--pg", "local")
    assert r.returncode == 0 and "proven on PostgreSQL" in r.stdout and "0 backed off" in r.stdout, r.stdout + r.stderr
    text = "".join(f.read_text() for f in sorted((project / ".consolidate" / "new").glob("*.sql")))
    assert "COPY public.country (code, name, note) FROM stdin;\nFR\tFrance\t\\N\n" in text
    assert "said \"Deutschland\"; capital Berlin\nNL\tNetherlands\tline one\\nline two\n\\.\n" in text
    assert "COPY public.empty (id) FROM stdin;\n\\.\n" in text
    r = run(project, "validate", "--pg", "local", "--rebuild-history")
    assert r.returncode == 0 and "EQUAL" in r.stdout and "rows" in r.stdout, r.stdout + r.stderr


def test_a_row_postgresql_refuses_names_the_file_and_line(tmp_path: Path) -> None:
    project = _project(tmp_path, BASELINE.replace("2\tDE\tBerlin\n", "two\tDE\tBerlin\n"))
    r = run(project, "validate", "--pg", "local")
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "V1__baseline.sql:17:" in r.stderr and "invalid input syntax for type integer" in r.stderr, r.stderr  # the row's line


def test_other_formats_still_say_their_tool_sends_the_rows_as_sql(tmp_path: Path) -> None:
    folder = tmp_path / "app" / "migrations"
    folder.mkdir(parents=True)
    (folder / "20240101000000_init.sql").write_text("CREATE TABLE t (id int);\nCOPY t (id) FROM stdin;\n1\n\\.\nCREATE TABLE u (id int);\n")
    r = run(tmp_path / "app", "analyze")
    assert "20240101000000_init.sql:2" in r.stdout + r.stderr and "INSERT ... VALUES" in r.stdout + r.stderr, r.stdout + r.stderr


def test_the_search_path_a_migration_empties_is_set_back_before_the_next(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "migrations" / "V3__unqualified.sql").write_text("CREATE TABLE note (id int PRIMARY KEY, city_id int);\n"
                                                              "ALTER TABLE note ADD COLUMN body text;\n"
                                                              "CREATE INDEX note_city ON note (city_id);\n")
    r = run(project, "analyze")
    assert r.returncode == 0 and "unknown" not in r.stdout, r.stdout
    r = run(project, "generate", "--pg", "local")
    assert r.returncode == 0 and "proven on PostgreSQL" in r.stdout and "0 backed off" in r.stdout, r.stdout + r.stderr
    text = "".join(f.read_text() for f in sorted((project / ".consolidate" / "new").glob("*.sql")))
    assert "body text" in text and "ADD COLUMN body" not in text  # folded: the model read V3 in public
    r = run(project, "validate", "--pg", "local", "--rebuild-history")
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr


def test_what_a_later_file_makes_is_not_written_under_an_earlier_files_search_path(tmp_path: Path) -> None:
    """The new set's first file held the emptied search path and then the next file's table,
    which PostgreSQL would not make there: the plan now ends the file with the SET's own."""
    folder = tmp_path / "app" / "migrations"
    folder.mkdir(parents=True)
    (folder / "V1__base.sql").write_text("SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE public.a (id int);\n")
    (folder / "V2__note.sql").write_text("CREATE TABLE note (id int PRIMARY KEY);\nALTER TABLE note ADD COLUMN body text;\n")
    r = run(tmp_path / "app", "generate", "--pg", "local")
    assert r.returncode == 0 and "proven on PostgreSQL: 1 fold(s) made, 0 backed off" in r.stdout, r.stdout + r.stderr
    r = run(tmp_path / "app", "validate", "--pg", "local")
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr


def test_placeholders_are_filled_in_to_run_and_kept_in_the_new_set(tmp_path: Path) -> None:
    """A history with `${schema}` and a role named by a placeholder could not be read at all; it
    is now consolidated, proven with the values flyway.conf gives, and written with its placeholders."""
    project = tmp_path / "app"
    (project / "migrations").mkdir(parents=True)
    (project / "flyway.conf").write_text("flyway.placeholders.schema=shop\nflyway.placeholders.reader=shop_reader\n")
    (project / "migrations" / "V1__init.sql").write_text(
        "CREATE SCHEMA IF NOT EXISTS ${schema};\n"
        "CREATE TABLE ${schema}.account (id bigint PRIMARY KEY, name text DEFAULT '${schema}');\n"
        "CREATE FUNCTION ${schema}.touch() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n  NEW.name := coalesce(NEW.name, '${schema}');\n  RETURN NEW;\nEND $$;\n")
    (project / "migrations" / "V2__more.sql").write_text(
        "ALTER TABLE ${schema}.account ADD COLUMN email text;\n"
        "GRANT SELECT ON ${schema}.account TO ${reader};\n"
        "INSERT INTO ${schema}.account (id) VALUES (1);\n")
    r = run(project, "analyze")
    assert r.returncode == 0 and "${schema}.account" in r.stdout and "__ph_" not in r.stdout, r.stdout + r.stderr
    r = run(project, "analyze", "--json")  # (a CI script reads the names as written, not the markers)
    assert r.returncode == 0 and "__ph_" not in r.stdout, r.stdout
    assert "${schema}.account.email" in {f["object"]["name"] for f in json.loads(r.stdout)["findings"]}
    r = run(project, "generate", "--pg", "local")
    assert r.returncode == 0 and "proven on PostgreSQL: 1 fold(s) made, 0 backed off" in r.stdout, r.stdout + r.stderr
    text = "".join(f.read_text() for f in sorted((project / ".consolidate" / "new").glob("*.sql")))
    assert "CREATE TABLE ${schema}.account (id bigint PRIMARY KEY, name text DEFAULT '${schema}', email text)" in text, text
    assert "TO ${reader}" in text and "__ph_" not in text and "shop" not in text
    r = run(project, "validate", "--pg", "local", "--rebuild-history")
    assert r.returncode == 0 and "EQUAL" in r.stdout and "shop_reader" in r.stdout, r.stdout + r.stderr


def test_what_later_files_add_folds_into_a_table_whose_rows_a_copy_loads(tmp_path: Path) -> None:
    """pg_dump writes each key after the table's rows, and later files add columns: with the
    COPY taken for what stopped every fold into its table, none was made. Now the key and the
    columns fold into the CREATE ahead of the rows; what the rows need as they were (a NOT NULL
    set once they were updated, a column the COPY names and a later file drops) stays."""
    folder = tmp_path / "app" / "migrations"
    folder.mkdir(parents=True)
    (folder / "V1__base.sql").write_text("CREATE TABLE public.t (id integer NOT NULL, v integer, old text);\n"
                                         "COPY public.t (id, v, old) FROM stdin;\n1\t\\N\tx\n2\t5\ty\n\\.\n"
                                         "ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n")
    (folder / "V2__more.sql").write_text("UPDATE public.t SET v = 0 WHERE v IS NULL;\n"
                                         "ALTER TABLE public.t ALTER COLUMN v SET NOT NULL;\n"
                                         "ALTER TABLE public.t DROP COLUMN old;\n"
                                         "ALTER TABLE public.t ADD COLUMN n int NOT NULL DEFAULT 7;\n")
    r = run(tmp_path / "app", "generate", "--pg", "local")
    assert r.returncode == 0 and "proven on PostgreSQL" in r.stdout and " 0 backed off" in r.stdout, r.stdout + r.stderr
    text = "".join(f.read_text() for f in sorted((tmp_path / "app" / ".consolidate" / "new").glob("*.sql")))
    assert "n int NOT NULL DEFAULT 7, CONSTRAINT t_pkey PRIMARY KEY (id))" in text, text
    assert text.index("CREATE TABLE public.t") < text.index("COPY public.t") < text.index("UPDATE public.t")
    assert "ALTER COLUMN v SET NOT NULL" in text and "DROP COLUMN old" in text
    r = run(tmp_path / "app", "validate", "--pg", "local")
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr


def test_a_before_migrate_callback_runs_before_the_history_and_the_new_set(tmp_path: Path) -> None:
    """Flyway runs beforeMigrate.sql before the first migration: the history needed what it made
    and failed as the tool ran it. It runs first now, on both sides, and stays beside the new set."""
    folder = tmp_path / "app" / "migrations"
    folder.mkdir(parents=True)
    (folder / "beforeMigrate.sql").write_text("CREATE SCHEMA IF NOT EXISTS ext;\nCREATE DOMAIN ext.positive AS int CHECK (VALUE > 0);\n")
    (folder / "V1__a.sql").write_text("CREATE TABLE a (id int, qty ext.positive);\n")
    (folder / "V2__b.sql").write_text("ALTER TABLE a ADD COLUMN b int;\n")
    r = run(tmp_path / "app", "generate", "--pg", "local")
    assert r.returncode == 0 and "proven on PostgreSQL: 1 fold(s) made, 0 backed off" in r.stdout, r.stdout + r.stderr
    assert "beforeMigrate.sql" not in r.stderr, "read as the callback it is, not said unread"
    new = tmp_path / "app" / ".consolidate" / "new"
    assert (new / "beforeMigrate.sql").read_text() == (folder / "beforeMigrate.sql").read_text()
    r = run(tmp_path / "app", "validate", "--pg", "local", "--rebuild-history")
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr


def test_a_script_flyway_runs_outside_a_transaction_applies_and_stays_outside(tmp_path: Path) -> None:
    """A script holding CREATE INDEX CONCURRENTLY, with no `.conf`: Flyway sees the statement and
    runs the script outside a transaction. The tool ran it in one: "the history itself does not
    apply". It now runs as Flyway runs it, and the new set's file says so in its own `.conf`."""
    folder = tmp_path / "app" / "migrations"
    folder.mkdir(parents=True)
    (folder / "V1__a.sql").write_text("CREATE TABLE a (id int PRIMARY KEY, b text);\n")
    (folder / "V2__index.sql").write_text("-- big table\nCREATE INDEX CONCURRENTLY a_b ON a (b);\n")
    (folder / "V3__c.sql").write_text("ALTER TABLE a ADD COLUMN c int;\n")
    assert "CREATE TABLE a (id int PRIMARY KEY, b text, c int)" in proven_and_equal(tmp_path / "app")
    new = tmp_path / "app" / ".consolidate" / "new"
    [outside] = [p for p in new.glob("*.sql") if "CONCURRENTLY" in p.read_text()]
    assert (new / (outside.name + ".conf")).read_text() == "executeInTransaction=false\n"


def test_scripts_in_folders_under_the_location_are_migrations_too(tmp_path: Path) -> None:
    """Flyway finds scripts in every folder under a location (`db/migration/release_2/V2__x.sql`):
    they were passed over without a word, and the set lacked what they made."""
    folder = tmp_path / "app" / "migrations"
    (folder / "release_2").mkdir(parents=True)
    (folder / "V1__a.sql").write_text("CREATE TABLE a (id int PRIMARY KEY);\n")
    (folder / "release_2" / "V2__b.sql").write_text("ALTER TABLE a ADD COLUMN b int;\n")
    (folder / "release_2" / "V3__c.sql").write_text("CREATE TABLE c (id int REFERENCES a (id));\n")
    (folder / "release_2" / "notes.md").write_text("what release 2 did\n")
    sql = proven_and_equal(tmp_path / "app")
    assert "b int" in sql and "CREATE TABLE c" in sql
    new = tmp_path / "app" / ".consolidate" / "new"
    assert (new / "release_2" / "notes.md").is_file() and not list(new.glob("release_2/*.sql"))
    r = run(tmp_path / "app", "generate", "--no-proof", "--until", "2", "--out", str(tmp_path / "until"))
    assert r.returncode == 0, r.stderr
    kept = sorted(p.relative_to(tmp_path / "until").as_posix() for p in (tmp_path / "until").rglob("*") if p.is_file())
    assert "release_2/V3__c.sql" in kept and "release_2/V2__b.sql" not in kept, kept  # the folder is not taken whole
