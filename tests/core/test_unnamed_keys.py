"""Keys added unnamed by ALTER TABLE once every table is made (a squashed alembic revision, a
dump's tail) fold into their CREATE TABLE under the name PostgreSQL gave them then: written
there unnamed, they could be named otherwise (after the name the table has in the CREATE, or
around a key of the same columns). The proof on PostgreSQL: the family
unnamed_keys_added_once_every_table_is_made."""

from __future__ import annotations

from pathlib import Path

from tests.core.plans import plan_of
from tui.core.render import statement_sql


def test_an_unnamed_key_is_written_into_its_create_under_the_name_it_was_given(tmp_path: Path) -> None:
    texts = [statement_sql(it) for it in plan_of(
        tmp_path, "CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p (id), n int);\n"
                  "ALTER TABLE c ADD FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE;\nALTER TABLE c ADD UNIQUE (n);\n"
                  "ALTER TABLE c ADD CHECK (n > 0);\n",
        "ALTER TABLE c RENAME TO d;\nALTER TABLE d ADD FOREIGN KEY (n) REFERENCES p (id);\n").items]
    create = next(t for t in texts if t.startswith("CREATE TABLE d"))  # (its RENAME folded too)
    # (c_p_id_fkey is the inline key's: the one added after it took the next name.)
    for named in ("CONSTRAINT c_p_id_fkey1 FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE",
                  "CONSTRAINT c_n_key UNIQUE (n)", "CONSTRAINT c_n_check CHECK (n > 0)",
                  "CONSTRAINT d_n_fkey FOREIGN KEY (n) REFERENCES p (id)"):
        assert named in create, create
    assert not any("ADD" in t for t in texts), texts


def test_a_key_unnamed_in_a_cycle_of_tables_stays_apart_only_to_the_table_made_later(tmp_path: Path) -> None:
    texts = [statement_sql(it) for it in plan_of(
        tmp_path, "CREATE TABLE a (id int PRIMARY KEY, b_id int);\nCREATE TABLE b (id int PRIMARY KEY, a_id int);\n"
                  "ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id);\nALTER TABLE b ADD FOREIGN KEY (a_id) REFERENCES a (id);\n").items]
    assert "ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id)" in texts
    assert any(t.startswith("CREATE TABLE b") and "CONSTRAINT b_a_id_fkey FOREIGN KEY (a_id) REFERENCES a (id)" in t for t in texts), texts
