"""PostgreSQL 18 names a NOT NULL after its table and column as they are called when it is set,
numbered past a name another constraint of the schema holds, and keeps it through renames. Where
the new set would give another name (a column folded into the CREATE of a table renamed since, a
column's RENAME folded, a table rebuilt beside the one it replaces) its CREATE TABLE writes the
history's; where the names agree nothing is written. The proof on PostgreSQL 18 is in
tests/pg/test_not_null_names.py."""

from __future__ import annotations

from pathlib import Path

from tests.core.plans import generated_sql, write_history
from tui.core.analysis import analyze


def _names(root: Path) -> dict[str, str]:
    model = analyze(root).model
    return {o.name: o.attrs["nn_name"] for o in model.objects.values() if o.type == "column" and o.exists and o.attrs.get("nn_name")}


def test_the_model_names_each_not_null_as_postgresql_18_does(tmp_path: Path) -> None:
    root = write_history(tmp_path, {
        "0001_make.sql": "CREATE TABLE t (a int NOT NULL, c int, k int CONSTRAINT k_set NOT NULL);\nCREATE TABLE log (id int PRIMARY KEY, at date NOT NULL);\n",
        "0002_rename.sql": "ALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t RENAME TO u;\nALTER TABLE u ALTER COLUMN c SET NOT NULL;\n",
        "0003_rebuild.sql": "ALTER TABLE log RENAME TO log_old;\nCREATE TABLE log (id serial PRIMARY KEY, at date NOT NULL);\n"
                            "ALTER TABLE u ALTER COLUMN k DROP NOT NULL;\nALTER TABLE u ALTER COLUMN k SET NOT NULL;\n",
    })
    assert _names(root) == {
        "u.b": "t_a_not_null",  # renames keep it
        "u.c": "u_c_not_null",  # set after the table's rename
        "u.k": "u_k_not_null",  # dropped and set again: named anew
        "log_old.id": "log_id_not_null", "log_old.at": "log_at_not_null",
        "log.id": "log_id_not_null1", "log.at": "log_at_not_null1",  # past the names the old table holds
    }


def test_the_new_set_writes_the_history_names_where_its_own_would_differ(tmp_path: Path) -> None:
    root = write_history(tmp_path, {
        # (The comment names t before its rename: that RENAME stays, see the next test.)
        "0001_make.sql": "CREATE TABLE t (a int not null, c int);\nCOMMENT ON TABLE t IS 'kept';\nCREATE TABLE log (id int, at date NOT NULL);\n",
        "0002_rename.sql": "ALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t ADD COLUMN e int NOT NULL DEFAULT 0;\n"
                           "ALTER TABLE t RENAME TO u;\nALTER TABLE u ADD COLUMN f int NOT NULL DEFAULT 1;\n",
        "0003_rebuild.sql": "ALTER TABLE log RENAME TO log_old;\nCREATE TABLE log (id serial PRIMARY KEY, at date NOT NULL);\n"
                            "INSERT INTO log (at) SELECT at FROM log_old;\nDROP TABLE log_old;\n",
    })
    sql = generated_sql(root)
    create_t = next(s for s in sql.split(";") if "CREATE TABLE t" in s)
    # The renamed column keeps the name it was made with (in the author's case); the column
    # added after the table's rename is named after u; the one added before needs nothing.
    assert "b int constraint t_a_not_null not null" in create_t, create_t
    assert "f int CONSTRAINT u_f_not_null NOT NULL DEFAULT 1" in create_t and "e int NOT NULL DEFAULT 0" in create_t, create_t
    assert "RENAME COLUMN" not in sql and "ADD COLUMN" not in sql and "RENAME TO u" in sql, sql
    # The rebuilt table's numbered names, though the table it replaced (never holding a row) is left out.
    assert "log_old" not in sql and "at date CONSTRAINT log_at_not_null1 NOT NULL" in sql and "log_id_not_null" not in sql, sql
    assert "-- NOT NULL names as the history gives them on PostgreSQL 18" in sql, sql


def test_a_table_made_under_the_name_a_rename_gave_it_writes_those_from_before(tmp_path: Path) -> None:
    root = write_history(tmp_path, {
        "0001_make.sql": "CREATE TABLE t (a int NOT NULL, c int);\n",
        "0002_rename.sql": "ALTER TABLE t ADD COLUMN e int NOT NULL DEFAULT 0;\nALTER TABLE t RENAME TO u;\n"
                           "ALTER TABLE u ADD COLUMN f int NOT NULL DEFAULT 1;\n",
    })
    sql = generated_sql(root)
    create_u = next(s for s in sql.split(";") if "CREATE TABLE u" in s)
    # Named after t where they were set before the RENAME, after u (as PostgreSQL would) after it.
    assert "a int CONSTRAINT t_a_not_null NOT NULL" in create_u and "e int CONSTRAINT t_e_not_null NOT NULL DEFAULT 0" in create_u, sql
    assert "f int NOT NULL DEFAULT 1" in create_u and "RENAME" not in sql and "ADD COLUMN" not in sql, sql


def test_nothing_is_written_where_the_names_agree(tmp_path: Path) -> None:
    root = write_history(tmp_path, {
        "0001_make.sql": "CREATE TABLE t (a int NOT NULL, c int);\n",
        "0002_more.sql": "ALTER TABLE t ADD COLUMN e int NOT NULL DEFAULT 0;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;\n",
    })
    sql = generated_sql(root)
    assert "ADD COLUMN" not in sql and "CONSTRAINT" not in sql.upper(), sql
