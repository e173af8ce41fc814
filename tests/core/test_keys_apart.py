"""Folds that used to be given up: a column added with a foreign key into a cycle of tables (the
column folds, the key is written apart), a column added after an INSERT ... SELECT or a DO block
that only writes rows named the table, and a CREATE SCHEMA IF NOT EXISTS of a schema there already
(left out, as its finding says)."""

from __future__ import annotations

from pathlib import Path

from tests.core.plans import generated_sql, write_history
from tui.core.analysis import analyze
from tui.core.plan import build_plan

# Each table references the other; the first key comes with an added column.
RING = {
    "0001_a.sql": "CREATE TABLE flags (key text PRIMARY KEY, name text);\n"
                  "CREATE TABLE variants (id text PRIMARY KEY, flag_key text REFERENCES flags ON DELETE CASCADE);\n",
    "0002_b.sql": "ALTER TABLE flags ADD COLUMN default_variant_id text REFERENCES variants(id) ON DELETE SET NULL;\n"
                  "ALTER TABLE flags ADD COLUMN metadata json;\n",
}


def test_a_column_added_with_a_key_into_a_cycle_folds_and_its_key_stays_apart(tmp_path: Path) -> None:
    root = write_history(tmp_path, RING)
    plan = build_plan(analyze(root, track_reads=True))
    assert plan.unfolded == []
    sql = generated_sql(root)
    assert "CREATE TABLE flags (key text PRIMARY KEY, name text, default_variant_id text, metadata json);" in sql, sql
    key = "ALTER TABLE flags ADD CONSTRAINT flags_default_variant_id_fkey FOREIGN KEY (default_variant_id) REFERENCES variants (id) ON DELETE SET NULL;"
    assert key in sql and sql.index("CREATE TABLE variants") < sql.index(key), sql
    assert "ADD COLUMN" not in sql


def test_a_named_key_keeps_its_name_and_its_options(tmp_path: Path) -> None:
    files = dict(RING)
    files["0002_b.sql"] = ('ALTER TABLE "flags" ADD COLUMN "default_variant_id" text NULL CONSTRAINT "flags_dv_fk" '
                           'REFERENCES "variants"("id") DEFERRABLE INITIALLY DEFERRED;\n')
    sql = generated_sql(write_history(tmp_path, files))
    assert 'default_variant_id" text NULL);' in sql, sql
    assert "ADD CONSTRAINT flags_dv_fk FOREIGN KEY (default_variant_id) REFERENCES variants (id) DEFERRABLE INITIALLY DEFERRED" in sql, sql


def test_without_a_cycle_the_key_folds_with_its_column(tmp_path: Path) -> None:
    sql = generated_sql(write_history(tmp_path, {
        "0001_a.sql": "CREATE TABLE variants (id text PRIMARY KEY);\nCREATE TABLE flags (key text PRIMARY KEY);\n",
        "0002_b.sql": "ALTER TABLE flags ADD COLUMN default_variant_id text REFERENCES variants(id);\n",
    }))
    assert "CREATE TABLE flags (key text PRIMARY KEY, default_variant_id text REFERENCES variants(id));" in sql, sql


def test_an_insert_from_a_query_naming_the_table_does_not_stop_later_folds(tmp_path: Path) -> None:
    sql = generated_sql(write_history(tmp_path, {
        "0001_a.sql": "CREATE TABLE project (id int PRIMARY KEY, name text);\nCREATE TABLE quota (ref text, n int);\n"
                      "INSERT INTO project VALUES (1, 'library');\n"
                      "INSERT INTO quota (ref, n) SELECT CAST(id AS text), -1 FROM project;\n",
        "0002_b.sql": "ALTER TABLE project ADD COLUMN registry_id int;\nALTER TABLE quota ADD COLUMN version bigint DEFAULT 0;\n",
    }))
    assert "CREATE TABLE project (id int PRIMARY KEY, name text, registry_id int);" in sql, sql
    assert "CREATE TABLE quota (ref text, n int, version bigint DEFAULT 0);" in sql, sql


def test_a_schema_created_again_if_not_exists_is_left_out(tmp_path: Path) -> None:
    sql = generated_sql(write_history(tmp_path, {"0001_a.sql": "CREATE SCHEMA app;\nCREATE SCHEMA IF NOT EXISTS app;\nCREATE TABLE app.t (id int);\n"}))
    assert sql.count("CREATE SCHEMA") == 1, sql


DEDUPE = ("DO $$\nBEGIN\n    WHILE EXISTS (SELECT count(*) FROM policy GROUP BY name HAVING count(*) > 1) LOOP\n"
          "        UPDATE policy AS r SET name = name || '_' || v.seq FROM (SELECT id, row_number() OVER (PARTITION BY name ORDER BY id)"
          " AS seq FROM policy) AS v WHERE r.id = v.id AND v.seq > 1;\n    END LOOP;\nEND $$;\n")


def test_a_block_that_only_writes_rows_does_not_stop_later_folds(tmp_path: Path) -> None:
    sql = generated_sql(write_history(tmp_path, {
        "0001_a.sql": "CREATE TABLE policy (id int PRIMARY KEY, name text);\n",
        "0002_b.sql": DEDUPE + "ALTER TABLE policy ADD CONSTRAINT policy_name UNIQUE (name);\n",
        "0003_c.sql": "ALTER TABLE policy ADD COLUMN creator text;\n",
    }))
    assert "CREATE TABLE policy (id int PRIMARY KEY, name text, creator text, CONSTRAINT policy_name UNIQUE (name));" in sql, sql


def test_a_block_that_may_change_columns_still_does(tmp_path: Path) -> None:
    sql = generated_sql(write_history(tmp_path, {
        "0001_a.sql": "CREATE TABLE policy (id int PRIMARY KEY, name text);\n",
        "0002_b.sql": DEDUPE.replace("END LOOP;", "END LOOP;\n    EXECUTE 'ALTER TABLE policy ADD COLUMN extra int';"),
        "0003_c.sql": "ALTER TABLE policy ADD COLUMN creator text;\n",
    }))
    assert "ALTER TABLE policy ADD COLUMN creator text;" in sql, sql


def test_words_in_a_comment_of_the_block_change_nothing(tmp_path: Path) -> None:
    sql = generated_sql(write_history(tmp_path, {
        "0001_a.sql": "CREATE TABLE policy (id int PRIMARY KEY, name text);\n",
        "0002_b.sql": DEDUPE.replace("LOOP\n", "LOOP\n        /* truncate the name if it is too long */ -- or drop it\n", 1),
        "0003_c.sql": "ALTER TABLE policy ADD COLUMN creator text;\n",
    }))
    assert "CREATE TABLE policy (id int PRIMARY KEY, name text, creator text);" in sql, sql


def test_past_such_a_block_a_column_is_not_renamed_or_changed(tmp_path: Path) -> None:
    # The block names the column in SQL the model does not read: the CREATE must keep it as it was.
    sql = generated_sql(write_history(tmp_path, {
        "0001_a.sql": "CREATE TABLE policy (id int PRIMARY KEY, name text);\n",
        "0002_b.sql": DEDUPE,
        "0003_c.sql": "ALTER TABLE policy RENAME COLUMN name TO title;\nALTER TABLE policy ALTER COLUMN id TYPE bigint;\n"
                      "ALTER TABLE policy ADD COLUMN creator text;\n",
    }))
    assert "RENAME COLUMN name TO title" in sql and "ALTER COLUMN id TYPE bigint" in sql, sql


def test_in_a_cycle_only_the_keys_to_a_table_made_later_stay_apart(tmp_path: Path) -> None:
    # Prisma adds every key with an ALTER after the tables: made in the history's order, each
    # key to a table made before its own folds (a key to itself too); only the one that closes
    # the cycle, to a table made after, stays an ALTER.
    sql = generated_sql(write_history(tmp_path, {
        "0001_a.sql": "CREATE TABLE users (id text PRIMARY KEY, default_calendar_id text);\n"
                      "CREATE TABLE calendars (id text PRIMARY KEY, user_id text, parent_id text);\n"
                      "CREATE TABLE events (id text PRIMARY KEY, calendar_id text, user_id text);\n"
                      "ALTER TABLE calendars ADD CONSTRAINT calendars_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);\n"
                      "ALTER TABLE calendars ADD CONSTRAINT calendars_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES calendars(id);\n"
                      "ALTER TABLE events ADD CONSTRAINT events_calendar_id_fkey FOREIGN KEY (calendar_id) REFERENCES calendars(id);\n"
                      "ALTER TABLE events ADD CONSTRAINT events_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);\n"
                      "ALTER TABLE users ADD CONSTRAINT users_default_calendar_id_fkey FOREIGN KEY (default_calendar_id) REFERENCES calendars(id);\n",
    }))
    assert [line.split(" ADD ")[0] for line in sql.splitlines() if line.startswith("ALTER")] == ["ALTER TABLE users"], sql
    assert ("CREATE TABLE calendars (id text PRIMARY KEY, user_id text, parent_id text, CONSTRAINT calendars_user_id_fkey FOREIGN KEY "
            "(user_id) REFERENCES users(id), CONSTRAINT calendars_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES calendars(id));") in sql, sql
    assert sql.index("CREATE TABLE calendars") < sql.index("ALTER TABLE users")
