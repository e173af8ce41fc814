"""Constant UPDATEs of seed rows are written in the INSERTs, and only where every row they may
change is known from literals (tui/core/plan/updating.py). Each case below must keep its UPDATE:
folding it would change the database (a trigger, a key, a reader in between) or could, where a
value has more than one spelling. The folds that are made are proven on PostgreSQL by the family
seed_rows_changed_by_constant_updates."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.plans import generated_sql, plan_of, write_history

SEED = "CREATE TABLE seed (name text, n int, amount numeric, id uuid, at timestamp, flag bool);\n" \
       "INSERT INTO seed (name, n, amount, id, at, flag) VALUES ('a', 1, 1.5, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2020-01-01 00:00', true);\n"


def _sql(root: Path, *files: str) -> list[str]:
    return [it.stmt.text for it in plan_of(root, *files).items]


KEPT = {
    "a trigger on the table": "CREATE TABLE log (line text);\nCREATE FUNCTION note() RETURNS trigger LANGUAGE plpgsql AS "
                              "$$ BEGIN INSERT INTO log VALUES (NEW.name); RETURN NEW; END $$;\n"
                              "CREATE TRIGGER seed_note AFTER UPDATE ON seed FOR EACH ROW EXECUTE FUNCTION note();\n",
    "a foreign key to the column": "ALTER TABLE seed ADD UNIQUE (n);\nCREATE TABLE child (seed_n int REFERENCES seed (n));\n",
    "a rule in the history": "CREATE TABLE other (v int);\nCREATE RULE other_r AS ON INSERT TO other DO ALSO NOTIFY other;\n",
    "a reader in between": "CREATE TABLE copy AS SELECT * FROM seed;\n",
    "a DO block naming it in between": "DO $$ BEGIN IF true THEN PERFORM 1 FROM seed; END IF; END $$;\n",
    "a function reading it run in between": "CREATE FUNCTION count_seed() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM seed $$;\n"
                                            "CREATE TABLE counts AS SELECT count_seed() AS n;\n",
    "a column retyped in between": "ALTER TABLE seed ALTER COLUMN n TYPE numeric(12, 2);\n",  # (bigint: widened, written in the CREATE)
}


@pytest.mark.parametrize("between", list(KEPT), ids=list(KEPT))
def test_an_update_stays_where_more_than_the_rows_depends_on_it(tmp_path: Path, between: str) -> None:
    texts = _sql(tmp_path, SEED, KEPT[between], "UPDATE seed SET n = 2 WHERE name = 'a';\n")
    assert "UPDATE seed SET n = 2 WHERE name = 'a'" in texts


WHERE = {
    "a numeric (1.50 is 1.5)": "amount = 1.50",
    "a uuid (upper case is the same)": "id = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'",
    "a timestamp (no time is midnight)": "at = '2020-01-01'",
    "a string against an integer": "n = '1'",
    "an expression": "lower(name) = 'a'",
    "OR": "name = 'a' OR n = 5",
}


@pytest.mark.parametrize("where", list(WHERE.values()), ids=list(WHERE))
def test_an_update_stays_where_its_rows_cannot_be_told_from_literals(tmp_path: Path, where: str) -> None:
    texts = _sql(tmp_path, SEED, f"UPDATE seed SET name = 'b' WHERE {where};\n")
    assert f"UPDATE seed SET name = 'b' WHERE {where}" in texts


# Written in the INSERT, the row would name what is made only after it.
MADE_LATER = {
    "a parent of its key": (("CREATE TABLE parents (name text PRIMARY KEY);\nINSERT INTO parents (name) VALUES ('p');\n"
                             "CREATE TABLE seed (name text, parent text REFERENCES parents);\nINSERT INTO seed (name, parent) VALUES ('a', 'p');\n"
                             "INSERT INTO parents (name) VALUES ('q');\n"), "UPDATE seed SET parent = 'q' WHERE name = 'a'"),
    "a label of its enum": (("CREATE TYPE state AS ENUM ('new', 'done');\nCREATE TABLE jobs (id int, s state);\n"
                             "INSERT INTO jobs (id, s) VALUES (1, 'new');\n"
                             # (after a read of the whole set: a label added after it alone is written into the CREATE TYPE)
                             "CREATE VIEW states AS SELECT unnest(enum_range(NULL::state)) AS s;\n"
                             "ALTER TYPE state ADD VALUE 'archived';\n"),
                            "UPDATE jobs SET s = 'archived' WHERE id = 1"),
}


@pytest.mark.parametrize("case", list(MADE_LATER), ids=list(MADE_LATER))
def test_an_update_to_a_value_made_after_the_rows_stays(tmp_path: Path, case: str) -> None:
    history, update = MADE_LATER[case]
    assert update in _sql(tmp_path, history, update + ";\n")


def test_an_index_a_check_or_a_view_in_between_leave_the_rows_known(tmp_path: Path) -> None:
    texts = _sql(tmp_path, SEED, "CREATE INDEX seed_n ON seed (n);\nALTER TABLE seed ADD CONSTRAINT seed_n_positive CHECK (n > 0);\n"
                                 "CREATE VIEW seed_names AS SELECT name FROM seed;\nCOMMENT ON TABLE seed IS 'rows';\n",
                 "UPDATE seed SET n = 2 WHERE name = 'a';\n")
    assert not any(t.startswith("UPDATE") for t in texts)
    assert any(t.startswith("INSERT INTO seed") and "'a', 2, 1.5" in t for t in texts)


def test_rows_read_through_a_view_in_between_keep_the_update(tmp_path: Path) -> None:
    texts = _sql(tmp_path, SEED, "CREATE VIEW seed_names AS SELECT name, n FROM seed;\nCREATE TABLE copy AS SELECT * FROM seed_names;\n",
                 "UPDATE seed SET n = 2 WHERE name = 'a';\n")
    assert "UPDATE seed SET n = 2 WHERE name = 'a'" in texts


def test_a_table_others_reference_folds_updates_of_other_columns(tmp_path: Path) -> None:
    texts = _sql(tmp_path, "CREATE TABLE perms (id int PRIMARY KEY, name text, label text);\nINSERT INTO perms (id, name) VALUES (1, 'a');\n"
                           "CREATE TABLE role_perms (perm_id int REFERENCES perms);\nINSERT INTO role_perms VALUES (1);\n",
                 "UPDATE perms SET label = 'A' WHERE name = 'a';\nUPDATE perms SET id = 2 WHERE name = 'a';\n")
    assert "INSERT INTO perms (id, name, label) VALUES (1, 'a', 'A')" in texts
    assert texts[-1] == "UPDATE perms SET id = 2 WHERE name = 'a'"  # the key others hold stays


def test_an_update_of_a_value_not_a_literal_stays(tmp_path: Path) -> None:
    texts = _sql(tmp_path, SEED, "UPDATE seed SET n = n + 1 WHERE name = 'a';\nUPDATE seed SET name = 'c' WHERE n = 2;\n")
    assert texts[-2:] == ["UPDATE seed SET n = n + 1 WHERE name = 'a'", "UPDATE seed SET name = 'c' WHERE n = 2"]


def test_constant_updates_are_written_in_the_rows_they_change(tmp_path: Path) -> None:
    texts = _sql(tmp_path, "CREATE TABLE seed (name text, n int);\nINSERT INTO seed (name, n) VALUES ('a', 1), ('b', 2);\n",
                 "ALTER TABLE seed ADD COLUMN label text;\nUPDATE seed SET n = 5, label = 'A' WHERE name = 'a';\n"
                 "UPDATE seed SET name = 'c' WHERE n IN (2, 3) AND label IS NULL;\n")
    assert texts[-1] == "INSERT INTO seed (name, n, label) VALUES ('a', 5, 'A'), ('c', 2, DEFAULT)"
    assert not any(t.startswith("UPDATE") for t in texts)


def test_a_column_named_with_its_table_is_matched_as_one_named_alone(tmp_path: Path) -> None:
    texts = _sql(tmp_path, SEED, "UPDATE seed SET n = 2 WHERE seed.name = 'a';\n")
    assert not any(t.startswith("UPDATE") for t in texts)
    assert any(t.startswith("INSERT INTO seed") and "'a', 2, 1.5" in t for t in texts)


def test_rows_inserted_returning_their_ids_take_updates_and_become_one_insert(tmp_path: Path) -> None:
    # (What an INSERT returns, the migration's runner drops: Django's loaddata writes RETURNING.)
    write_history(tmp_path, {"0001_m.sql": "CREATE TABLE seed (id int PRIMARY KEY, name text);\n"
                                           "INSERT INTO seed (id, name) VALUES (1, 'a') RETURNING seed.id;\n"
                                           "INSERT INTO seed (id, name) VALUES (2, 'b') RETURNING seed.id;\n"
                                           "UPDATE seed SET name = 'c' WHERE seed.id = 2;\n"})
    sql = generated_sql(tmp_path)
    assert "INSERT INTO seed (id, name) VALUES (1, 'a'), (2, 'c');" in sql
    assert "UPDATE" not in sql and "RETURNING" not in sql
