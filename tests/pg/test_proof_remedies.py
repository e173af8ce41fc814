"""What the proof changes when PostgreSQL refuses a candidate for a reason no fold explains: the
set is split where a transaction must end, and stays consolidated."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apply.helpers import run
from tests.conftest import requires_pg

pytestmark = [pytest.mark.pg, requires_pg]


def _deferred_rows_then_alter(root: Path, key: str) -> Path:
    """Found by Django's migrations (bench/tool_histories): a deferred foreign key, rows in one
    file and an ALTER TABLE in the next; in one transaction PostgreSQL refuses the ALTER while the
    rows' deferred checks are pending."""
    folder = root / "app" / "migrations"
    folder.mkdir(parents=True)
    (folder / "20240101000000_init.sql").write_text("CREATE TABLE a (id int PRIMARY KEY);\n" + key)
    (folder / "20240102000000_rows.sql").write_text("INSERT INTO a VALUES (1);\nINSERT INTO b VALUES (1, 1);\n")
    (folder / "20240103000000_widen.sql").write_text("ALTER TABLE b ALTER COLUMN a_id TYPE bigint;\n")
    return root / "app"


@pytest.mark.parametrize(("key", "seen_by_the_plan"), [
    ("CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id) DEFERRABLE INITIALLY DEFERRED);\n", True),
    ("CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));\n"
     + "ALTER TABLE b ALTER CONSTRAINT b_a_id_fkey DEFERRABLE INITIALLY DEFERRED;\n", True),
    # Made deferred by a statement run by EXECUTE: the plan does not see it, PostgreSQL refuses
    # the candidate, and the proof ends the file there.
    ("CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));\n"
     + "DO $$ BEGIN EXECUTE 'ALTER TABLE b ALTER CONSTRAINT b_a_id_fkey DEFERRABLE INITIALLY ' || 'DEFERRED'; END $$;\n", False),
])
def test_rows_with_deferred_checks_pending_end_the_file_before_an_alter(tmp_path: Path, key: str, seen_by_the_plan: bool) -> None:
    project = _deferred_rows_then_alter(tmp_path, key)
    r = run(project, "generate", "--pg", "local")
    assert r.returncode == 0 and "proven on PostgreSQL" in r.stdout and "NOT CONSOLIDATED" not in r.stdout, r.stdout
    split_by_the_proof = "a new file starts before migrations/20240103000000_widen.sql:1" in r.stdout
    assert split_by_the_proof != seen_by_the_plan, r.stdout
    files = sorted((project / ".consolidate" / "new").glob("*.sql"))
    assert "ALTER TABLE b ALTER COLUMN a_id TYPE bigint" not in next(f for f in files if "INSERT INTO b" in f.read_text()).read_text()
    r = run(project, "validate", "--pg", "local")
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout


def test_a_clock_value_truncated_to_the_second_is_told_apart_by_a_later_build(tmp_path: Path) -> None:
    """The proof builds the history twice side by side: a `now()` stored to the second is the same
    in both, and differs in a candidate built a second later. Before one more build of the history
    told it apart, the fold was blamed and the set fell back to the history."""
    folder = tmp_path / "clock" / "migrations"
    folder.mkdir(parents=True)
    (folder / "20240101000000_init.sql").write_text("CREATE TABLE t (id int PRIMARY KEY, at timestamp(0));\n"
                                                    "SELECT pg_sleep(1.2);\nINSERT INTO t (id, at) VALUES (1, now());\n")
    (folder / "20240102000000_note.sql").write_text("ALTER TABLE t ADD COLUMN note text;\n")
    r = run(tmp_path / "clock", "generate", "--pg", "local")
    assert r.returncode == 0 and "proven on PostgreSQL" in r.stdout and "0 backed off" in r.stdout, r.stdout
