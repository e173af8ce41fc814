"""Rows written under a deferred key leave its checks pending until COMMIT, and PostgreSQL refuses
to alter or index a table with checks pending on it: where the new set brings the write and the
change into one file, the file ends between them (tui/core/plan/deferred.py). The family
rows_under_deferred_keys_then_their_table_changed proves a case on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.plans import plan_of

TABLES = "CREATE TABLE ct (id int PRIMARY KEY, model text);\n" \
         "CREATE TABLE rv (id int, ct_id int REFERENCES ct (id) {key});\n" \
         "INSERT INTO ct VALUES (1, 'a'), (2, 'old');\n"


def _breaks(root: Path, *files: str) -> list[str]:
    """The statements after which the plan ends a file."""
    return [it.stmt.text for it in plan_of(root, *files).items if it.break_after]


# A column added with a default that is dropped after: the DROP DEFAULT stays after the table's rows.
LOCKED = "ALTER TABLE {} ADD COLUMN locked bool DEFAULT false NOT NULL; ALTER TABLE {} ALTER COLUMN locked DROP DEFAULT;"

CASES = {
    # (the key, what writes rows, what changes the table after it, where the file ends or None)
    "a row of the referencing table, then a default dropped from it": (
        "DEFERRABLE INITIALLY DEFERRED", "INSERT INTO rv VALUES (1, 1);", LOCKED.format("rv", "rv"), "INSERT INTO rv"),
    "a key of the referenced table changed, then a CHECK on it": (
        "DEFERRABLE INITIALLY DEFERRED", "UPDATE ct SET id = id + 10 WHERE model = 'old';",
        "ALTER TABLE ct ADD CONSTRAINT ct_not_two CHECK (id <> 2);", "UPDATE ct"),
    "a row inserted into the referenced table queues no check": (
        "DEFERRABLE INITIALLY DEFERRED", "INSERT INTO ct VALUES (3, 'new');",
        LOCKED.format("ct", "ct"), None),
    "a key checked at once": (
        "", "UPDATE ct SET id = id + 10 WHERE model = 'old';", "ALTER TABLE ct ADD CONSTRAINT ct_not_two CHECK (id <> 2);", None),
    "a column renamed (PostgreSQL allows it)": (
        "DEFERRABLE INITIALLY DEFERRED", "UPDATE ct SET id = id + 10 WHERE model = 'old';", "ALTER TABLE ct RENAME COLUMN model TO name;", None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_file_ends_between_rows_under_a_deferred_key_and_a_change_of_their_table(tmp_path: Path, case: str) -> None:
    key, write, change, ends_after = CASES[case]
    breaks = _breaks(tmp_path, TABLES.format(key=key) + write + "\n", change + "\n")
    if ends_after is None:
        assert breaks == []
    else:
        assert [b for b in breaks if b.startswith(ends_after)] == [write.rstrip(";")], breaks


def test_deferrable_keys_count_as_deferred_where_the_history_defers_them(tmp_path: Path) -> None:
    breaks = _breaks(tmp_path, TABLES.format(key="DEFERRABLE") + "SET CONSTRAINTS ALL DEFERRED;\n",
                     "INSERT INTO rv VALUES (1, 1);\n", LOCKED.format("rv", "rv") + "\n")
    assert "INSERT INTO rv VALUES (1, 1)" in breaks, breaks


@pytest.mark.parametrize("made_deferred", ["ALTER TABLE rv ALTER CONSTRAINT rv_ct_id_fkey DEFERRABLE INITIALLY DEFERRED;\n",
                                           "ALTER TABLE rv ALTER CONSTRAINT rv_ct_id_fkey DEFERRABLE;\nSET CONSTRAINTS ALL DEFERRED;\n"])
def test_a_key_made_deferred_by_alter_constraint_counts_as_deferred(tmp_path: Path, made_deferred: str) -> None:
    breaks = _breaks(tmp_path, TABLES.format(key="") + made_deferred, "INSERT INTO rv VALUES (1, 1);\n", LOCKED.format("rv", "rv") + "\n")
    assert "INSERT INTO rv VALUES (1, 1)" in breaks, breaks


def test_a_key_made_deferrable_by_alter_constraint_is_checked_at_once_unless_deferred(tmp_path: Path) -> None:
    made = "ALTER TABLE rv ALTER CONSTRAINT rv_ct_id_fkey DEFERRABLE;\n"
    assert _breaks(tmp_path, TABLES.format(key="") + made + "INSERT INTO rv VALUES (1, 1);\n", LOCKED.format("rv", "rv") + "\n") == []


def test_rows_written_before_alter_constraint_made_the_key_deferred_are_not_pending(tmp_path: Path) -> None:
    """Their checks ran at the end of their statement: nothing waits for COMMIT, no cut (lemmy's
    aggregates keys are made INITIALLY DEFERRED this way, after years of rows)."""
    made_deferred = "ALTER TABLE rv ALTER CONSTRAINT rv_ct_id_fkey DEFERRABLE INITIALLY DEFERRED;\n"
    breaks = _breaks(tmp_path, TABLES.format(key="") + "INSERT INTO rv VALUES (1, 1);\n" + made_deferred, LOCKED.format("rv", "rv") + "\n")
    assert breaks == []
